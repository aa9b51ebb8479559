package iaksim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"topupbot/flows"
	"topupbot/provider/sandbox"
)

// Transaction is a snapshot of one prepaid transaction.
type Transaction struct {
	RefID       string
	TrID        int64
	ProductCode string
	CustomerID  string
	Price       int64
	// Status is IAK's: 0 PROCESS, 1 SUCCESS, 2 FAILED.
	Status         int
	RC             string
	Message        string
	SN             string
	PIN            string
	ActivationCode string
	Created        time.Time
	// Settled is when the transaction reached status 1 or 2; zero before.
	Settled time.Time
	// TopUps counts the top-up requests answered with this transaction, the
	// first one included: a client re-sending the same ref_id raises it.
	TopUps int
	// StatusChecks counts the check-status requests for it.
	StatusChecks int
}

// iakFirstAnswer is how the first answer to a top-up misbehaves (test
// numbers …9504, …9408, …9200).
type iakFirstAnswer int

const (
	iakAnswerNormal iakFirstAnswer = iota
	iakAnswer504
	iakAnswerSlow
	iakAnswerTruncated
)

type iakTx struct {
	refID          string
	trID           int64
	product        *iakProduct
	customerID     string
	price          int64
	status         int
	rc, message    string
	sn, pin, esim  string
	created        time.Time
	settled        time.Time
	topUps, checks int
	// final is the rc the transaction settles to: "00", a failure rc, or a
	// pending rc (39, 201) it then keeps until Settle.
	final string
	// timer settles the transaction after its delay; nil once it has run
	// or been stopped.
	timer *time.Timer
}

// iakPlan is what the customer number's test digits decide (package doc,
// "Prepaid test numbers").
type iakPlan struct {
	refuse string // refuse the top-up at once with this rc; "" = accept
	final  string // the rc an accepted transaction settles to
	first  iakFirstAnswer
}

// iakTestDigits returns the last four digits of a customer number read as
// S RRR; for game ids "userid|zoneid" the digits of the userid part count.
func iakTestDigits(customerID string) (stage byte, rrr int, ok bool) {
	id, _, _ := strings.Cut(customerID, "|")
	if len(id) < 4 || !iakAllDigits(id[len(id)-4:]) {
		return 0, 0, false
	}
	last := id[len(id)-4:]
	rrr, _ = strconv.Atoi(last[1:])
	return last[0], rrr, true
}

func iakPrepaidPlan(customerID string) iakPlan {
	plan := iakPlan{final: "00"}
	stage, rrr, ok := iakTestDigits(customerID)
	if !ok {
		return plan
	}
	switch stage {
	case '0':
		if rrr != 0 {
			plan.refuse = iakRC(rrr)
		}
	case '1':
		plan.final = iakRC(rrr)
	case '9':
		switch rrr {
		case 504:
			plan.first = iakAnswer504
		case 408:
			plan.first = iakAnswerSlow
		case 200:
			plan.first = iakAnswerTruncated
		}
	}
	return plan
}

// iakTxBody is a prepaid transaction answer (top-up, check-status), fields
// in the order of IAK's examples. sn, pin and activation_code appear only
// when set, as in check-status.md.
type iakTxBody struct {
	RefID          string `json:"ref_id"`
	Status         int    `json:"status"`
	ProductCode    string `json:"product_code"`
	CustomerID     string `json:"customer_id"`
	Price          int64  `json:"price"`
	Message        string `json:"message"`
	SN             string `json:"sn,omitempty"`
	PIN            string `json:"pin,omitempty"`
	ActivationCode string `json:"activation_code,omitempty"`
	Balance        int64  `json:"balance"`
	TrID           int64  `json:"tr_id"`
	RC             string `json:"rc"`
}

// bodyLocked renders tx's current state. balance is the deposit now, not at
// the time of the transaction: IAK's examples cannot tell the two apart and
// a client must not rely on either.
func (s *Server) bodyLocked(tx *iakTx) iakTxBody {
	return iakTxBody{
		RefID: tx.refID, Status: tx.status, ProductCode: tx.product.code, CustomerID: tx.customerID,
		Price: tx.price, Message: tx.message, SN: tx.sn, PIN: tx.pin, ActivationCode: tx.esim,
		Balance: s.deposit.Balance(), TrID: tx.trID, RC: tx.rc,
	}
}

// refusalLocked renders an answer that concerns no transaction: price 0,
// tr_id 0 (providers.md §1.2.1). The status is 2 except for the pending rcs a
// test number can ask for, so that status and rc never contradict.
func (s *Server) refusalLocked(req iakRequest, rc string) iakTxBody {
	status := 2
	if iakPrepaidPending(rc) {
		status = 0
	}
	return iakTxBody{
		RefID: string(req.RefID), Status: status, ProductCode: string(req.ProductCode),
		CustomerID: string(req.CustomerID), Message: iakPrepaidMessage(rc), Balance: s.deposit.Balance(), RC: rc,
	}
}

// handleTopUp follows providers.md §1.11: sign → a known ref_id answers its
// state → body → product → prefix → format → test refusals → deposit →
// create, debit at once, answer PROCESS.
func (s *Server) handleTopUp(w http.ResponseWriter, r *http.Request) {
	req, ok := s.openPrepaid(w, r, "top-up", func(q iakRequest) string { return string(q.RefID) })
	if !ok {
		return
	}
	ref := string(req.RefID)

	s.mu.Lock()
	// IAK: "If you top up again with the same ref_id … it will become check
	// status". The other fields of a re-send are not looked at.
	if tx, ok := s.txs[ref]; ok {
		tx.topUps++
		if rc := s.resendRC; rc != "" {
			body := s.refusalLocked(req, rc)
			s.mu.Unlock()
			s.log.Info("top-up re-send refused (test knob)", "ref_id", ref, "tr_id", tx.trID, "rc", rc)
			s.writeJSON(w, http.StatusOK, iakData{body})
			return
		}
		body := s.bodyLocked(tx)
		s.mu.Unlock()
		s.log.Info("top-up re-sent", "ref_id", ref, "tr_id", tx.trID, "status", body.Status, "rc", body.RC)
		s.writeJSON(w, http.StatusOK, iakData{body})
		return
	}
	if bad := iakRequire([2]string{"ref_id", ref}, [2]string{"customer_id", string(req.CustomerID)},
		[2]string{"product_code", string(req.ProductCode)}); bad != nil {
		s.mu.Unlock()
		s.log.Info("top-up refused", "ref_id", ref, "rc", "107", "missing", bad.field)
		s.writePrepaidBadRequest(w, bad)
		return
	}
	customer := string(req.CustomerID)
	p := iakProducts[string(req.ProductCode)]
	plan := iakPrepaidPlan(customer)
	var rc string
	switch {
	case p == nil:
		rc = "20"
	case !p.active:
		rc = "106"
	default:
		rc = p.checkNumber(customer)
	}
	if rc == "" {
		rc = plan.refuse
	}
	if rc == "" && !s.deposit.Covers(p.price) {
		rc = "17"
	}
	if rc != "" {
		body := s.refusalLocked(req, rc)
		s.mu.Unlock()
		s.log.Info("top-up refused", "ref_id", ref, "product_code", string(req.ProductCode), "rc", rc)
		s.writeJSON(w, http.StatusOK, iakData{body})
		return
	}

	tx := &iakTx{
		refID: ref, trID: s.nextTrID, product: p, customerID: customer, price: p.price,
		status: 0, rc: "39", message: "PROCESS", created: s.opts.Now(), topUps: 1, final: plan.final,
	}
	s.nextTrID++
	s.txs[ref] = tx
	s.deposit.Debit(p.price)
	delay := s.settleDelay(ref)
	if delay > 0 {
		s.startTimerLocked(tx, delay)
	}
	body := s.bodyLocked(tx)
	s.mu.Unlock()
	s.log.Info("top-up accepted", "ref_id", ref, "tr_id", tx.trID, "product_code", p.code, "price", p.price)

	switch plan.first {
	case iakAnswer504:
		sandbox.WriteGatewayTimeout(w)
	case iakAnswerTruncated:
		iakWriteTruncated(w, iakData{body})
	case iakAnswerSlow:
		// The answer was decided before the stall, as when IAK is slow to
		// send it: a callback may overtake it.
		if s.life.Stall(r.Context(), s.opts.SlowDelay) {
			s.writeJSON(w, http.StatusOK, iakData{body})
		} else {
			s.log.Info("slow answer abandoned", "ref_id", ref)
		}
	default:
		s.writeJSON(w, http.StatusOK, iakData{body})
	}
	if delay == 0 {
		s.settleDue(ref)
	}
}

// settleDelay is the settle delay of a new top-up: SettleAfter's, when
// set, otherwise SettleDelay.
func (s *Server) settleDelay(ref string) time.Duration {
	if s.opts.SettleAfter != nil {
		return s.opts.SettleAfter(ref)
	}
	return s.opts.SettleDelay
}

func (s *Server) startTimerLocked(tx *iakTx, delay time.Duration) {
	if s.closed {
		return
	}
	ref := tx.refID
	tx.timer = s.life.AfterFunc(delay, func() { s.settleDue(ref) })
}

// settleDue moves a transaction to the state its test digits planned.
func (s *Server) settleDue(ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := s.txs[ref]
	if tx == nil || s.closed || tx.status != 0 {
		return
	}
	tx.timer = nil
	s.finishLocked(tx, tx.final)
}

// Settle is the sandbox report's SUCCESS / FAILED button: it settles a
// transaction still in process (1 SUCCESS with an SN, or 2 FAILED rc 07 with
// the price refunded) and sends the callback. As at IAK, there is one action
// per transaction: settling a final transaction is an error.
func (s *Server) Settle(refID string, success bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errIAKClosed
	}
	tx := s.txs[refID]
	if tx == nil {
		return fmt.Errorf("sandbox: iak: settle %s: no such transaction", refID)
	}
	if tx.status != 0 {
		return fmt.Errorf("sandbox: iak: settle %s: already final (status %d, rc %s)", refID, tx.status, tx.rc)
	}
	s.life.Stop(tx.timer)
	tx.timer = nil
	rc := "07"
	if success {
		rc = "00"
	}
	s.finishLocked(tx, rc)
	return nil
}

// RefuseResends is a test knob, not documented IAK behaviour: while rc is
// set, a top-up re-sent under a ref_id the simulator holds is refused with rc
// (status 2, price 0, tr_id 0, as a refusal that creates nothing) instead of
// answering the transaction — as IAK may when it validates a re-send (the
// deposit, the daily limit) before it notices the ref_id. check-status still
// answers the transaction. An empty rc turns it off.
func (s *Server) RefuseResends(rc string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resendRC = rc
}

// WithholdSN is a test knob, not documented IAK behaviour: while on, a
// transaction that succeeds gets no SN, PIN or activation code, as IAK may
// answer SUCCESS before the biller sent the token or voucher code. Turning
// it off issues them to every success still without one; check-status then
// shows them (no second callback is sent).
func (s *Server) WithholdSN(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.withholdSN = on
	if on {
		return
	}
	for _, tx := range s.txs {
		if tx.status == 1 && tx.sn == "" && tx.pin == "" && tx.esim == "" {
			s.issueLocked(tx)
		}
	}
}

// finishLocked applies rc to a transaction in process: a pending rc only
// changes its rc; success issues the SN; a failure refunds the price. Final
// states send the callback.
func (s *Server) finishLocked(tx *iakTx, rc string) {
	tx.rc, tx.message = rc, iakPrepaidMessage(rc)
	if iakPrepaidPending(rc) {
		s.log.Info("transaction stays in process", "ref_id", tx.refID, "tr_id", tx.trID, "rc", rc)
		return
	}
	tx.settled = s.opts.Now()
	if rc == "00" {
		tx.status = 1
		if !s.withholdSN {
			s.issueLocked(tx)
		}
	} else {
		tx.status = 2
		s.deposit.Credit(tx.price)
	}
	s.log.Info("transaction settled", "ref_id", tx.refID, "tr_id", tx.trID, "status", tx.status, "rc", rc)
	if s.opts.OnSettle != nil {
		s.opts.OnSettle(tx.refID, tx.settled)
	}
	s.queueCallbackLocked(tx)
}

// issueLocked writes the SN (and PIN, activation code) of a successful
// transaction in IAK's documented format for its product type (sn-format.md).
func (s *Server) issueLocked(tx *iakTx) {
	seed := []string{tx.refID, strconv.FormatInt(tx.trID, 10)}
	p := tx.product
	switch p.typ {
	case "pln":
		// Token/CustomerName/SegmentPower/kWh, the segment and power as
		// inquiry-pln writes them: "…/Sintya Oktaviani/R1 /000001300/62.9".
		m := iakMeterFor(tx.customerID)
		token := iakGroup(iakDigits(20, append(seed, "token")...), 4, "-")
		tx.sn = token + "/" + m.name + "/" + m.segmentPower + "/" + iakKWh(p.nominal)
	case "game":
		tx.sn = iakGroup(iakAlnum(16, append(seed, "sn")...), 4, "-")
		if p.pin {
			tx.pin = iakDigits(12, append(seed, "pin")...)
		}
	case "voucher":
		expiry := s.opts.Now().In(flows.WIB).AddDate(1, 0, 0).Format("2006-01-02")
		tx.sn = iakAlnum(12, append(seed, "sn")...) + " / " + expiry
	case "etoll":
		tx.sn = iakName("etoll", tx.customerID) + " " + iakDigits(15, append(seed, "sn")...)
	case "esim-international":
		tx.sn = "8962" + iakDigits(15, append(seed, "iccid")...)
		tx.esim = "LPA:1$smdp.sandbox.example$" + iakGroup(iakAlnum(20, append(seed, "lpa")...), 5, "-")
	default:
		tx.sn = iakDigits(16, append(seed, "sn")...)
	}
}

// iakKWh estimates the kWh a token buys at the R1 tariff with street
// lighting tax (Rp 1.444,70 + 10% per kWh), with one decimal like IAK's SNs.
func iakKWh(nominal string) string {
	n, err := strconv.ParseInt(nominal, 10, 64)
	if err != nil {
		return "0.0"
	}
	tenths := n * 100 / 15892
	return fmt.Sprintf("%d.%d", tenths/10, tenths%10)
}

// handleCheckStatus answers a transaction's state; an unknown ref_id is rc 06
// in the same shape as other answers that concern no transaction.
func (s *Server) handleCheckStatus(w http.ResponseWriter, r *http.Request) {
	req, ok := s.openPrepaid(w, r, "check-status", func(q iakRequest) string { return string(q.RefID) })
	if !ok {
		return
	}
	ref := string(req.RefID)
	if bad := iakRequire([2]string{"ref_id", ref}); bad != nil {
		s.writePrepaidBadRequest(w, bad)
		return
	}
	s.mu.Lock()
	tx, ok := s.txs[ref]
	var body iakTxBody
	if ok {
		tx.checks++
		body = s.bodyLocked(tx)
	} else {
		body = s.refusalLocked(req, "06")
	}
	s.mu.Unlock()
	s.log.Info("check-status", "ref_id", ref, "status", body.Status, "rc", body.RC)
	s.writeJSON(w, http.StatusOK, iakData{body})
}

type iakBalanceBody struct {
	Balance int64  `json:"balance"`
	Message string `json:"message"`
	RC      string `json:"rc"`
}

func (s *Server) handleCheckBalance(w http.ResponseWriter, r *http.Request) {
	_, ok := s.openPrepaid(w, r, "check-balance", func(iakRequest) string { return "bl" })
	if !ok {
		return
	}
	s.writeJSON(w, http.StatusOK, iakData{iakBalanceBody{Balance: s.Deposit(), Message: "SUCCESS", RC: "00"}})
}

// iakInquiryPLNBody is inquiry-pln's answer; its status is a string, unlike
// the transaction answers (pln.md).
type iakInquiryPLNBody struct {
	Status       string `json:"status"`
	CustomerID   string `json:"customer_id"`
	MeterNo      string `json:"meter_no"`
	SubscriberID string `json:"subscriber_id"`
	Name         string `json:"name"`
	SegmentPower string `json:"segment_power"`
	Message      string `json:"message"`
	RC           string `json:"rc"`
}

// handleInquiryPLN knows the meters of iakMeters, plus 11–12 digit meters
// whose test digits are 1RRR, 9504, 9408 or 9200 (so every PLN top-up test
// case can be reached through an inquiry first); 0RRR meters answer rc RRR, and
// everything else INCORRECT DESTINATION NUMBER as in IAK's sandbox.
func (s *Server) handleInquiryPLN(w http.ResponseWriter, r *http.Request) {
	req, ok := s.openPrepaid(w, r, "inquiry-pln", func(q iakRequest) string { return string(q.CustomerID) })
	if !ok {
		return
	}
	customer := string(req.CustomerID)
	if bad := iakRequire([2]string{"customer_id", customer}); bad != nil {
		s.writePrepaidBadRequest(w, bad)
		return
	}
	m, ok := iakMeters[customer]
	rc := "00"
	if !ok {
		stage, rrr, test := iakTestDigits(customer)
		switch {
		case !test || !iakDigitsBetween(customer, 11, 12):
			rc = "14"
		case stage == '0' && rrr != 0:
			rc = iakRC(rrr)
		case stage == '1' || stage == '9' && iakPrepaidPlan(customer).first != iakAnswerNormal:
			m = iakMeterFor(customer)
		default:
			rc = "14"
		}
	}
	body := iakInquiryPLNBody{Status: "2", CustomerID: customer, Message: iakPrepaidMessage(rc), RC: rc}
	if rc == "00" {
		body.Status, body.MeterNo, body.SubscriberID, body.Name, body.SegmentPower = "1", m.meterNo, m.subscriberID, m.name, m.segmentPower
	}
	s.log.Info("inquiry-pln", "rc", rc)
	s.writeJSON(w, http.StatusOK, iakData{body})
}

// Transaction returns a snapshot of the prepaid transaction with refID.
func (s *Server) Transaction(refID string) (Transaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, ok := s.txs[refID]
	if !ok {
		return Transaction{}, false
	}
	return Transaction{
		RefID: tx.refID, TrID: tx.trID, ProductCode: tx.product.code, CustomerID: tx.customerID,
		Price: tx.price, Status: tx.status, RC: tx.rc, Message: tx.message, SN: tx.sn, PIN: tx.pin,
		ActivationCode: tx.esim, Created: tx.created, Settled: tx.settled, TopUps: tx.topUps,
		StatusChecks: tx.checks,
	}, true
}

// TransactionCount returns how many prepaid transactions exist. Refused
// top-ups create none.
func (s *Server) TransactionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.txs)
}
