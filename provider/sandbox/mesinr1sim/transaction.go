package mesinr1sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"topupbot/flows"
	"topupbot/provider/sandbox"
)

// Transaction is a transaction as the simulator holds it: a topup,
// an inquiry, or an inquiry that became a payment (same ref_1).
type Transaction struct {
	Ref1, Ref2, TrxNo string
	// Kind is "topup", "inquiry" or "payment".
	Kind        string
	ProductCode string
	CustomerID  string
	// Status is 1 success, 2 or 3 pending, 11 failed; for an inquiry 1.
	Status int
	RC     string
	// Price is the product price or the bill; Admin the bill's fee; Total
	// what the deposit pays (and got back on failure).
	Price, Admin, Total int64
	SN, Msg             string
	CreatedAt           time.Time
	UpdatedAt           time.Time
	// Expires is when an inquiry stops being payable.
	Expires time.Time
}

type r1Kind string

const (
	r1Topup   r1Kind = "topup"
	r1Inquiry r1Kind = "inquiry"
	r1Payment r1Kind = "payment"
)

type r1Tx struct {
	ref1, ref2, trxNo string
	kind              r1Kind
	product           *r1Product
	customer          string
	status            int
	rc                string
	price, admin      int64
	sn, msg           string
	detail            map[string]string
	created, updated  time.Time
	expires           time.Time
	// settleAt, when set, is when a pending transaction reaches settleRC.
	settleAt time.Time
	settleRC string
	// charged is what was debited, refunded if the transaction fails.
	charged int64
}

func (tx *r1Tx) total() int64    { return tx.price + tx.admin }
func (tx *r1Tx) pending() bool   { return tx.status == 2 || tx.status == 3 }
func (tx *r1Tx) billKey() string { return tx.product.code + "|" + tx.customer }

type r1Mutation struct {
	debit, credit, balance int64
	notes, trxNo           string
	at                     time.Time
}

// r1Plan is what a customer number's last four digits ask for: S RRR.
type r1Plan struct {
	stage byte   // '0', '1', '2', '9', or 0 for a number without a plan
	rc    string // RRR as an rc: "014" → "14", "504" stays
}

func r1PlanFor(customer string) r1Plan {
	var digits []byte
	for i := 0; i < len(customer); i++ {
		if c := customer[i]; c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	if len(digits) < 4 {
		return r1Plan{}
	}
	last := digits[len(digits)-4:]
	rc := strings.TrimPrefix(string(last[1:]), "0")
	return r1Plan{stage: last[0], rc: rc}
}

// r1RCTexts are the simulator's messages per rc — [INF], after the ISO 8583
// reading of providers.md §2.5.
var r1RCTexts = map[string]string{
	"00": "SUKSES",
	"05": "TRANSAKSI GAGAL",
	"12": "PRODUK TIDAK TERSEDIA",
	"13": "NOMINAL TIDAK VALID",
	"14": "NOMOR TUJUAN SALAH",
	"25": "TRANSAKSI TIDAK DITEMUKAN",
	"30": "FORMAT REQUEST SALAH",
	"34": "TAGIHAN SUDAH LUNAS",
	"51": "SALDO TIDAK CUKUP",
	"54": "INQUIRY KADALUARSA, SILAKAN CEK TAGIHAN ULANG",
	"55": "PIN SALAH",
	"63": "RQID ATAU MMID TIDAK VALID",
	"68": "TIMEOUT, TRANSAKSI DALAM PROSES",
	"76": "KODE PRODUK TIDAK DITEMUKAN",
	"88": "TAGIHAN SUDAH TERBAYAR",
	"94": "REF_1 SUDAH DIGUNAKAN (DUPLIKAT)",
	"96": "SISTEM SEDANG GANGGUAN",
}

func r1RCText(rc string) string {
	if t, ok := r1RCTexts[rc]; ok {
		return t
	}
	return "TRANSAKSI GAGAL (RC " + rc + ")"
}

func r1StatusLabel(status int) string {
	switch status {
	case 1:
		return "success"
	case 2:
		return "pending"
	case 3:
		return "process"
	case 11:
		return "failed"
	}
	return "unknown"
}

// r1Record is a transaction on the wire (seed 002 field names; "rc" and
// "trx_no" inside the record, and "saldo" in topup and payment answers,
// are [INF]).
type r1Record struct {
	Ref1        string            `json:"ref_1"`
	Ref2        string            `json:"ref_2,omitempty"`
	TrxNo       string            `json:"trx_no,omitempty"`
	ProductCode string            `json:"product_code"`
	ProductName string            `json:"product_name"`
	CustomerID  string            `json:"customer_id"`
	Status      int               `json:"status"`
	StatusLabel string            `json:"status_label"`
	RC          string            `json:"rc"`
	Price       string            `json:"price"`
	Admin       string            `json:"admin,omitempty"`
	TotalPrice  string            `json:"total_price"`
	Msg         string            `json:"msg"`
	Saldo       string            `json:"saldo,omitempty"`
	Detail      map[string]string `json:"detail,omitempty"`
	CreatedAt   string            `json:"created_at"`
	UpdatedAt   string            `json:"updated_at"`
}

const r1TimeLayout = "2006-01-02 15:04:05"

func (tx *r1Tx) record() r1Record {
	rec := r1Record{
		Ref1: tx.ref1, Ref2: tx.ref2, TrxNo: tx.trxNo,
		ProductCode: tx.product.code, ProductName: tx.product.name, CustomerID: tx.customer,
		Status: tx.status, StatusLabel: r1StatusLabel(tx.status), RC: tx.rc,
		Price: strconv.FormatInt(tx.price, 10), TotalPrice: strconv.FormatInt(tx.total(), 10),
		Msg: tx.msg, Detail: tx.detail,
		CreatedAt: tx.created.In(flows.WIB).Format(r1TimeLayout),
		UpdatedAt: tx.updated.In(flows.WIB).Format(r1TimeLayout),
	}
	if tx.admin != 0 || tx.kind != r1Topup {
		rec.Admin = strconv.FormatInt(tx.admin, 10)
	}
	return rec
}

func (tx *r1Tx) export() Transaction {
	return Transaction{
		Ref1: tx.ref1, Ref2: tx.ref2, TrxNo: tx.trxNo, Kind: string(tx.kind),
		ProductCode: tx.product.code, CustomerID: tx.customer, Status: tx.status, RC: tx.rc,
		Price: tx.price, Admin: tx.admin, Total: tx.total(), SN: tx.sn, Msg: tx.msg,
		CreatedAt: tx.created, UpdatedAt: tx.updated, Expires: tx.expires,
	}
}

// Messages in the platform's reply-template style (seed 002 and the
// HTTP-GET templates of providers.md §2.4).
func (tx *r1Tx) dest() string { return tx.product.code + "." + tx.customer }

func (tx *r1Tx) verb() string {
	if tx.kind == r1Topup {
		return "TRX"
	}
	return "BAYAR"
}

func (tx *r1Tx) successMsg() string {
	sn := ""
	if tx.sn != "" {
		sn = " SN:" + tx.sn
	}
	return fmt.Sprintf("%s %s SUKSES,%s HRG:%d REFID:%s.", tx.verb(), tx.dest(), sn, tx.total(), tx.ref1)
}

func (tx *r1Tx) pendingMsg() string {
	return fmt.Sprintf("%s %s SEDANG DIPROSES. REFID:%s.", tx.verb(), tx.dest(), tx.ref1)
}

func (tx *r1Tx) failedMsg() string {
	return fmt.Sprintf("%s %s GAGAL, %s. SALDO DIKEMBALIKAN. REFID:%s.", tx.verb(), tx.dest(), r1RCText(tx.rc), tx.ref1)
}

// settleDueLocked settles every pending transaction whose time has come.
// Settlement is lazy — it happens when anything looks — so the simulator
// runs no timers and a test moves time by moving its clock.
func (s *Server) settleDueLocked() {
	now := s.opts.Now()
	for _, tx := range s.order {
		if tx.pending() && !tx.settleAt.IsZero() && !now.Before(tx.settleAt) {
			s.finishLocked(tx, tx.settleRC)
		}
	}
}

// finishLocked moves a transaction to its final state: success with an SN,
// or failure with a refund.
func (s *Server) finishLocked(tx *r1Tx, rc string) {
	now := s.opts.Now()
	if s.opts.OnSettle != nil {
		at := now
		if !tx.settleAt.IsZero() && !tx.settleAt.After(now) {
			at = tx.settleAt // fell due then; found only now
		}
		defer s.opts.OnSettle(tx.ref1, at)
	}
	tx.settleAt, tx.updated, tx.rc = time.Time{}, now, rc
	if rc == "00" {
		tx.status = 1
		if tx.product.sn != nil && !s.withholdSN {
			tx.sn = tx.product.sn(tx)
		}
		tx.msg = tx.successMsg()
		if tx.kind == r1Payment {
			s.paid[tx.billKey()] = true
		}
		return
	}
	tx.status = 11
	tx.msg = tx.failedMsg()
	if tx.charged > 0 {
		s.deposit.Credit(tx.charged)
		s.mutations = append(s.mutations, r1Mutation{debit: tx.charged, balance: s.deposit.Balance(),
			notes: "REFUND " + tx.verb() + " " + tx.dest() + " REF:" + tx.ref1, trxNo: tx.trxNo, at: now})
		tx.charged = 0
	}
}

// WithholdSN is a test knob, not documented Mesin R1 behaviour: while on,
// a topup that succeeds gets no SN (its msg has no "SN:"), as a platform
// may report a PLN token or voucher code after the success itself. Turning
// it off gives every success still without one the SN its product makes.
func (s *Server) WithholdSN(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.withholdSN = on
	if on {
		return
	}
	for _, tx := range s.order {
		if tx.status == 1 && tx.kind == r1Topup && tx.sn == "" && tx.product.sn != nil {
			tx.sn = tx.product.sn(tx)
			tx.msg = tx.successMsg()
			tx.updated = s.opts.Now()
		}
	}
}

// chargeLocked debits a transaction's total, as a *credit* in the mutation
// list: that is how seed 002's example shows a purchase.
func (s *Server) chargeLocked(tx *r1Tx) {
	amount := tx.total()
	s.deposit.Debit(amount)
	tx.charged = amount
	s.mutations = append(s.mutations, r1Mutation{credit: amount, balance: s.deposit.Balance(),
		notes: tx.verb() + " " + tx.dest() + " REF:" + tx.ref1, trxNo: tx.trxNo, at: s.opts.Now()})
}

// newIDLocked is a trx_no / ref_2 in the seed's style: T-20260421-LKXQY4.
func (s *Server) newIDLocked(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-%s-%s", prefix, s.opts.Now().In(flows.WIB).Format("20060102"),
		r1Code(r1AlnumAlphabet, 6, prefix, strconv.Itoa(s.seq)))
}

// applyPlanLocked starts a created transaction on the way its number asks
// for and reports the transport fault to stage, if any.
func (s *Server) applyPlanLocked(tx *r1Tx, plan r1Plan) (fault string) {
	now := s.opts.Now()
	settleAt := func() time.Time {
		delay := s.opts.SettleDelay
		if s.opts.SettleAfter != nil {
			delay = s.opts.SettleAfter(tx.ref1)
		}
		if delay < 0 {
			return time.Time{}
		}
		return now.Add(delay)
	}
	pend := func(status int, to string, at time.Time) {
		tx.status, tx.rc, tx.settleRC, tx.settleAt = status, "00", to, at
		tx.msg = tx.pendingMsg()
	}
	switch {
	case plan.stage == '0' && (plan.rc == "68" || plan.rc == "96"):
		pend(2, "00", settleAt())
	case plan.stage == '1' && plan.rc == "00":
		pend(2, "00", settleAt())
	case plan.stage == '1' && plan.rc == "02":
		pend(3, "", time.Time{}) // stays pending until Settle
	case plan.stage == '1':
		pend(2, plan.rc, settleAt())
	case plan.stage == '2' && plan.rc != "00":
		s.finishLocked(tx, plan.rc)
	case plan.stage == '9' && (plan.rc == "504" || plan.rc == "408" || plan.rc == "200"):
		s.finishLocked(tx, "00")
		return plan.rc
	default:
		s.finishLocked(tx, "00")
	}
	return ""
}

// answerTx writes the answer to a topup or payment that created or moved a
// transaction, staging the number's transport fault. Called without the
// lock: a slow answer must not hold up the account.
func (s *Server) answerTx(c *r1Call, rec r1Record, fault, silentRC string) {
	env := r1OK("00", rec)
	if rec.Status == 11 {
		env = r1Envelope{Status: "error", Message: r1RCText(rec.RC), RC: rec.RC, Data: rec}
	}
	switch fault {
	case "504":
		c.code = http.StatusGatewayTimeout
		c.w.Header().Set("Content-Type", "text/html")
		c.w.WriteHeader(http.StatusGatewayTimeout)
		_, _ = c.w.Write([]byte(sandbox.GatewayTimeoutPage))
		return
	case "408":
		if !s.life.Stall(c.r.Context(), s.opts.SlowDelay) {
			c.code = 0 // nobody is listening any more
			return
		}
	case "200":
		env.Code = http.StatusOK
		body, _ := json.Marshal(env)
		c.code = http.StatusOK
		c.w.Header().Set("Content-Type", "application/json")
		c.w.WriteHeader(http.StatusOK)
		_, _ = c.w.Write(body[:len(body)/2])
		return
	}
	if silentRC != "" {
		// 68 / 96: the platform has the transaction but answers with an
		// error and no record.
		s.reply(c, http.StatusOK, r1Error(silentRC, r1RCText(silentRC)))
		return
	}
	s.reply(c, http.StatusOK, env)
}

func (s *Server) handleTopup(c *r1Call) {
	f, ok := s.required(c, "product_code", "customer_id", "ref_1")
	if !ok {
		return
	}
	code, cust, ref := strings.ToUpper(f[0]), f[1], f[2]
	c.ref = ref
	plan := r1PlanFor(cust)
	s.mu.Lock()
	s.settleDueLocked()
	refuse := func() string {
		p := r1ByCode[code]
		switch {
		case s.txs[ref] != nil:
			return "94"
		case p == nil:
			return "76"
		case p.postpaid():
			return "12"
		case !p.number.MatchString(cust):
			return "14"
		case !p.open():
			return "12"
		case plan.stage == '0' && plan.rc != "00" && plan.rc != "68" && plan.rc != "96":
			return plan.rc
		case !s.deposit.Covers(p.price):
			return "51"
		}
		return ""
	}()
	if refuse != "" {
		s.mu.Unlock()
		s.refuse(c, refuse)
		return
	}
	now := s.opts.Now()
	tx := &r1Tx{ref1: ref, kind: r1Topup, product: r1ByCode[code], customer: cust,
		price: r1ByCode[code].price, created: now, updated: now}
	tx.trxNo = s.newIDLocked("T")
	s.txs[ref] = tx
	s.order = append(s.order, tx)
	s.chargeLocked(tx)
	fault := s.applyPlanLocked(tx, plan)
	rec := tx.record()
	rec.Saldo = strconv.FormatInt(s.deposit.Balance(), 10)
	s.mu.Unlock()
	silent := ""
	if plan.stage == '0' && (plan.rc == "68" || plan.rc == "96") {
		silent = plan.rc
	}
	s.answerTx(c, rec, fault, silent)
}

// r1Names are the bill holders the simulator hands out.
var r1Names = []string{"ANTO", "BUDI SANTOSO", "SITI AMINAH", "DEWI KARTIKA", "RUDI HARTONO", "NUR HASANAH", "AGUS SALIM", "LINA MARLINA"}

func r1Name(customer string) string {
	return r1Names[int(sandbox.Digest(1, "name", customer)[0])%len(r1Names)]
}

func (s *Server) handleInquiry(c *r1Call) {
	f, ok := s.required(c, "product_code", "customer_id", "ref_1")
	if !ok {
		return
	}
	code, cust, ref := strings.ToUpper(f[0]), f[1], f[2]
	c.ref = ref
	periode, err := c.body.str("periode")
	if err != nil {
		s.refuse(c, "30")
		return
	}
	plan := r1PlanFor(cust)
	p := r1ByCode[code]
	s.mu.Lock()
	s.settleDueLocked()
	months := 1
	refuse := func() string {
		switch {
		case s.txs[ref] != nil:
			return "94"
		case p == nil:
			return "76"
		case !p.postpaid():
			return "12"
		case !p.number.MatchString(cust):
			return "14"
		case plan.stage == '0' && plan.rc != "00":
			return plan.rc
		case s.paid[p.code+"|"+cust]:
			return "88"
		}
		if p.code == "BPJSKS" && periode != "" {
			n, err := strconv.Atoi(periode)
			if err != nil || n < 1 || n > 12 {
				return "13"
			}
			months = n
		}
		return ""
	}()
	if refuse != "" {
		s.mu.Unlock()
		if refuse == "68" || refuse == "96" {
			// The biller did not answer in time: nothing to pay yet.
			s.reply(c, http.StatusOK, r1Error(refuse, r1RCText(refuse)))
			return
		}
		s.refuse(c, refuse)
		return
	}
	now := s.opts.Now()
	tx := &r1Tx{ref1: ref, kind: r1Inquiry, product: p, customer: cust, status: 1, rc: "00",
		admin: p.price, created: now, updated: now, expires: now.Add(s.opts.InquiryHold)}
	tx.ref2 = s.newIDLocked("I")
	name := r1Name(cust)
	h := sandbox.Digest(2, "bill", p.code, cust)
	switch p.code {
	case "BPJSKS":
		members := 1 + int(h[0])%4
		tx.price = int64(35_000 * members * months)
		tx.detail = map[string]string{"no_pelanggan": cust, "nama": name, "periode": strconv.Itoa(months),
			"jumlah_peserta": strconv.Itoa(members), "tagihan": strconv.FormatInt(tx.price, 10)}
	default:
		tx.price = 50_000 + int64(int(h[0])<<8|int(h[1]))%450*1_000
		tx.detail = map[string]string{"no_pelanggan": cust, "nama": name,
			"bl_th": strings.ToUpper(now.In(flows.WIB).Format("Jan06")), "tagihan": strconv.FormatInt(tx.price, 10),
			"tarif": "R1", "daya": "1300"}
	}
	tx.msg = fmt.Sprintf("INQ %s SUKSES, DATA:%s TAGIHAN:%d ADMIN:%d.", tx.dest(), name, tx.price, tx.admin)
	s.txs[ref] = tx
	s.order = append(s.order, tx)
	rec := tx.record()
	s.mu.Unlock()
	s.reply(c, http.StatusOK, r1OK("00", rec))
}

func (s *Server) handlePayment(c *r1Call) {
	f, ok := s.required(c, "product_code", "customer_id", "ref_1")
	if !ok {
		return
	}
	code, cust, ref := strings.ToUpper(f[0]), f[1], f[2]
	c.ref = ref
	s.mu.Lock()
	s.settleDueLocked()
	tx := s.txs[ref]
	refuse := func() string {
		switch {
		case tx == nil:
			return "25" // no inquiry under this ref_1
		case tx.kind != r1Inquiry:
			return "94" // a topup, or paid already: one payment per inquiry
		case tx.product.code != code || tx.customer != cust:
			return "30"
		case !s.opts.Now().Before(tx.expires):
			return s.opts.ExpiredRC
		case !s.deposit.Covers(tx.total()):
			return "51"
		}
		return ""
	}()
	if refuse != "" {
		s.mu.Unlock()
		if refuse == s.opts.ExpiredRC {
			s.reply(c, http.StatusBadRequest, r1Error(refuse, r1RCTexts["54"]))
			return
		}
		s.refuse(c, refuse)
		return
	}
	tx.kind = r1Payment
	tx.trxNo = s.newIDLocked("T")
	tx.updated = s.opts.Now()
	s.chargeLocked(tx)
	fault := s.applyPlanLocked(tx, r1PlanFor(cust))
	rec := tx.record()
	rec.Saldo = strconv.FormatInt(s.deposit.Balance(), 10)
	s.mu.Unlock()
	s.answerTx(c, rec, fault, "")
}

// lookup answers status and history/{ref_1}: the record, or rc 25.
func (s *Server) lookup(c *r1Call, ref string) {
	c.ref = ref
	s.mu.Lock()
	s.settleDueLocked()
	tx := s.txs[ref]
	var rec r1Record
	if tx != nil {
		rec = tx.record()
	}
	s.mu.Unlock()
	if tx == nil {
		s.refuse(c, "25")
		return
	}
	s.reply(c, http.StatusOK, r1OK("00", rec))
}

func (s *Server) handleStatus(c *r1Call) {
	f, ok := s.required(c, "ref_1")
	if !ok {
		return
	}
	s.lookup(c, f[0])
}

func (s *Server) handleHistoryRef(c *r1Call) { s.lookup(c, c.ref) }

// r1Day reads a YYYY-MM-DD field as the start of that day in Jakarta.
func (c *r1Call) day(key string) (time.Time, bool, error) {
	v, err := c.body.str(key)
	if err != nil || v == "" {
		return time.Time{}, false, err
	}
	t, err := time.ParseInLocation("2006-01-02", v, flows.WIB)
	return t, err == nil, err
}

// span reads date, or start_date/end_date (inclusive days), into [from, to);
// without any, today in Jakarta.
func (s *Server) span(c *r1Call, withDate bool) (from, to time.Time, ok bool) {
	start, hasStart, err1 := c.day("start_date")
	end, hasEnd, err2 := c.day("end_date")
	var date time.Time
	var hasDate bool
	var err3 error
	if withDate {
		date, hasDate, err3 = c.day("date")
	}
	if err := errors.Join(err1, err2, err3); err != nil {
		s.reply(c, http.StatusBadRequest, r1Error("30", "TANGGAL HARUS YYYY-MM-DD"))
		return time.Time{}, time.Time{}, false
	}
	now := s.opts.Now().In(flows.WIB)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, flows.WIB)
	switch {
	case hasStart || hasEnd:
		from, to = time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, flows.WIB)
		if hasStart {
			from = start
		}
		if hasEnd {
			to = end.AddDate(0, 0, 1)
		}
	case hasDate:
		from, to = date, date.AddDate(0, 0, 1)
	default:
		from, to = today, today.AddDate(0, 0, 1)
	}
	return from, to, true
}

func (s *Server) handleHistory(c *r1Call) {
	from, to, ok := s.span(c, true)
	if !ok {
		return
	}
	statuses := map[int]bool{}
	if v, err := c.body.str("status"); err != nil {
		s.refuse(c, "30")
		return
	} else if v != "" {
		for f := range strings.SplitSeq(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				s.reply(c, http.StatusBadRequest, r1Error("30", "STATUS HARUS 1, 2, 3 ATAU 11"))
				return
			}
			statuses[n] = true
		}
	}
	product, err1 := c.body.str("product_code")
	customer, err2 := c.body.str("customer_id")
	if err1 != nil || err2 != nil {
		s.refuse(c, "30")
		return
	}
	page, perPage, ok := s.paging(c, false)
	if !ok {
		return
	}
	s.mu.Lock()
	s.settleDueLocked()
	var recs []r1Record
	for _, tx := range slices.Backward(s.order) {
		switch {
		case tx.created.Before(from) || !tx.created.Before(to):
		case len(statuses) > 0 && !statuses[tx.status]:
		case product != "" && !strings.EqualFold(product, tx.product.code):
		case customer != "" && customer != tx.customer:
		default:
			recs = append(recs, tx.record())
		}
	}
	s.mu.Unlock()
	if recs == nil {
		recs = []r1Record{}
	}
	if page == 0 {
		// seed 002: "When page is omitted the response is a flat array".
		s.reply(c, http.StatusOK, r1OK("00", recs))
		return
	}
	s.reply(c, http.StatusOK, r1OK("00", r1Paginate(c.r, recs, page, perPage)))
}

func (s *Server) handleBalance(c *r1Call) {
	s.mu.Lock()
	s.settleDueLocked()
	saldo := s.deposit.Balance()
	s.mu.Unlock()
	s.reply(c, http.StatusOK, r1OK("", map[string]int64{"saldo": saldo}))
}

type r1WireMutation struct {
	Debit     int64  `json:"debit"`
	Credit    int64  `json:"credit"`
	Balance   int64  `json:"balance"`
	Notes     string `json:"notes"`
	TrxNo     string `json:"trx_no"`
	CreatedAt string `json:"created_at"`
}

func (s *Server) handleMutations(c *r1Call) {
	from, to, ok := s.span(c, false)
	if !ok {
		return
	}
	s.mu.Lock()
	s.settleDueLocked()
	rows := []r1WireMutation{}
	for _, m := range s.mutations {
		if !m.at.Before(from) && m.at.Before(to) {
			rows = append(rows, r1WireMutation{Debit: m.debit, Credit: m.credit, Balance: m.balance,
				Notes: m.notes, TrxNo: m.trxNo, CreatedAt: m.at.In(flows.WIB).Format(r1TimeLayout)})
		}
	}
	s.mu.Unlock()
	s.reply(c, http.StatusOK, r1OK("", rows))
}

// Settle ends a pending transaction (status 2 or 3) now: success with an SN,
// or failure (rc 05) with a refund — the simulator's "sandbox report".
func (s *Server) Settle(ref1 string, success bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleDueLocked()
	tx := s.txs[ref1]
	switch {
	case tx == nil:
		return fmt.Errorf("sandbox: mesinr1: no transaction %q", ref1)
	case !tx.pending():
		return fmt.Errorf("sandbox: mesinr1: transaction %q is not pending (status %d)", ref1, tx.status)
	}
	rc := "05"
	if success {
		rc = "00"
	}
	s.finishLocked(tx, rc)
	return nil
}

// Transaction returns the transaction under ref1, after any settlement due.
func (s *Server) Transaction(ref1 string) (Transaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleDueLocked()
	tx := s.txs[ref1]
	if tx == nil {
		return Transaction{}, false
	}
	return tx.export(), true
}

// TransactionCount is the number of ref_1s the simulator holds (topups and
// inquiries; a payment is its inquiry's transaction).
func (s *Server) TransactionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.txs)
}
