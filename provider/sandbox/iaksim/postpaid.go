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

// Bill is a snapshot of one postpaid inquiry and its payment.
type Bill struct {
	RefID string
	TrID  int64
	Code  string
	HP    string
	Name  string
	// Period is the period field of the answers: billed months (YYYYMM,
	// comma-separated when several) or, for BPJS, the number of months.
	Period       string
	Bills        int
	Nominal      int64
	Admin        int64
	Price        int64
	SellingPrice int64
	// Status is checkstatus's: 0 not paid, 1 paid, 2 payment failed,
	// 3 payment in process.
	Status int
	// RC is the response_code of the last payment answer; "" before any.
	RC       string
	NoRef    string
	Inquired time.Time
	// Expires is 23:00 WIB of the inquiry day: pay-pasca from then on is rc 04.
	Expires time.Time
	// Paid is when the payment succeeded (or was attempted, if it failed).
	Paid time.Time
	// PayRequests counts pay-pasca requests for this inquiry. A client that
	// never re-sends a payment keeps it at 1.
	PayRequests int
}

type iakBillKind int

const (
	iakBillPLN iakBillKind = iota
	iakBillBPJS
	iakBillPDAM
	iakBillTelco
	iakBillInternet
)

// iakBiller is one postpaid product.
type iakBiller struct {
	code, name, typ, province string
	fee, komisi               int64
	active                    bool
	// prefix is the fixed part of the product's sandbox numbers (§1.6.2);
	// the number is prefix + 4 test digits. Empty: no number ever matches.
	prefix string
	// multi is how many bills the 0999 test number has; 0 = no such case.
	multi int
	// months: the inquiry needs "month" (BPJS Kesehatan).
	months bool
	kind   iakBillKind
	// detail is a product line for desc (CBN's product_desc, PDAM's address).
	detail string
}

// iakBillers is the postpaid pricelist. The prefixes are IAK's new sandbox
// scheme (§1.6.2). The three PDAMs share prefix 1020 as in IAK's sandbox;
// each answers every test case here. TELKOMPSTN is "non active" (status 4):
// IAK's new scheme lists no test prefix for it.
var iakBillers = []iakBiller{
	{code: "PLNPOSTPAID", name: "PLN POSTPAID", typ: "pln", fee: 2500, komisi: 600, active: true, prefix: "53000000", multi: 8, kind: iakBillPLN},
	{code: "BPJS", name: "BPJS KESEHATAN", typ: "bpjs", fee: 2500, komisi: 1000, active: true, prefix: "880123456", months: true, kind: iakBillBPJS},
	{code: "PDAMKOTA.SURABAYA", name: "PDAM KOTA SURABAYA", typ: "pdam", province: "Jawa Timur", fee: 2500, komisi: 700, active: true, prefix: "1020", multi: 4, kind: iakBillPDAM, detail: "JL. RAYA DARMO NO. 12 SURABAYA"},
	{code: "PDAMKOTA.MEDAN", name: "PDAM KOTA MEDAN", typ: "pdam", province: "Sumatera Utara", fee: 2500, komisi: 700, active: true, prefix: "1020", multi: 4, kind: iakBillPDAM, detail: "JL. GATOT SUBROTO NO. 5 MEDAN"},
	{code: "AETRA", name: "AETRA", typ: "pdam", province: "DKI Jakarta", fee: 2500, komisi: 700, active: true, prefix: "1020", multi: 4, kind: iakBillPDAM, detail: "JL. KEBON SIRIH NO. 8 JAKARTA"},
	{code: "HPTHREE", name: "THREE PASCABAYAR", typ: "hp", fee: 2500, komisi: 500, active: true, prefix: "0899123", kind: iakBillTelco},
	{code: "CBN", name: "CBN", typ: "internet", fee: 2500, komisi: 1000, active: true, prefix: "0192", kind: iakBillInternet, detail: "CBN FIBER 50 MBPS"},
	{code: "TELKOMPSTN", name: "TELKOM PSTN", typ: "internet", fee: 2500, komisi: 1000, active: false, kind: iakBillTelco},
}

func iakBillerFor(code string) *iakBiller {
	code = strings.ToUpper(strings.TrimSpace(code))
	for i := range iakBillers {
		if iakBillers[i].code == code {
			return &iakBillers[i]
		}
	}
	return nil
}

type iakBillRow struct {
	period                 time.Time // the first of the billed month
	amount, penalty, admin int64
	meterStart, meterEnd   int64
}

type iakBill struct {
	refID   string
	trID    int64
	biller  *iakBiller
	hp      string
	name    string
	months  int
	rows    []iakBillRow
	nominal int64
	admin   int64
	price   int64
	selling int64
	status  int
	rc      string
	noref   string
	// payRC is the rc the payment will get; first, how its answer misbehaves.
	payRC       string
	first       iakFirstAnswer
	inquired    time.Time
	expires     time.Time
	paid        time.Time
	payRequests int
}

// iakBillPlan is what a postpaid number's test digits decide.
type iakBillPlan struct {
	inquiryRC string // "00" or the rc the inquiry fails with
	bills     int
	payRC     string
	first     iakFirstAnswer
}

// iakPostpaidPlan reads a customer number as the product prefix + S RRR
// (§1.6.2): S=0 decides the inquiry, S=1 the payment; S=9 (simulator only)
// pays but loses the first payment answer. Anything else is rc 14.
func iakPostpaidPlan(b *iakBiller, hp string) iakBillPlan {
	wrong := iakBillPlan{inquiryRC: "14"}
	if b.prefix == "" || !iakAllDigits(hp) || len(hp) != len(b.prefix)+4 || !strings.HasPrefix(hp, b.prefix) {
		return wrong
	}
	digits := hp[len(b.prefix):]
	rrr, _ := strconv.Atoi(digits[1:])
	ok := iakBillPlan{inquiryRC: "00", bills: 1, payRC: "00"}
	switch digits[0] {
	case '0':
		switch {
		case rrr == 0:
			return ok
		case rrr == 999 && b.multi > 0:
			ok.bills = b.multi
			return ok
		case rrr == 999:
			return wrong
		}
		return iakBillPlan{inquiryRC: iakRC(rrr)}
	case '1':
		ok.payRC = iakRC(rrr)
		return ok
	case '9':
		switch rrr {
		case 504:
			ok.first = iakAnswer504
		case 408:
			ok.first = iakAnswerSlow
		case 200:
			ok.first = iakAnswerTruncated
		default:
			return wrong
		}
		return ok
	}
	return wrong
}

// iakPostpaidSimple is a postpaid answer about no bill.
type iakPostpaidSimple struct {
	RefID        string              `json:"ref_id,omitempty"`
	Code         string              `json:"code,omitempty"`
	HP           string              `json:"hp,omitempty"`
	ResponseCode string              `json:"response_code"`
	Message      string              `json:"message"`
	ErrorDetails map[string][]string `json:"error_details,omitempty"`
}

// iakBillBody is an inquiry, payment or checkstatus answer (§1.4.1–1.4.3).
// datetime, balance, noref and status appear in the answers that have them.
type iakBillBody struct {
	TrID         int64   `json:"tr_id"`
	Code         string  `json:"code"`
	Datetime     string  `json:"datetime,omitempty"`
	HP           string  `json:"hp"`
	TrName       string  `json:"tr_name"`
	Period       string  `json:"period"`
	Nominal      int64   `json:"nominal"`
	Admin        int64   `json:"admin"`
	RefID        string  `json:"ref_id"`
	ResponseCode string  `json:"response_code"`
	Message      string  `json:"message"`
	Price        int64   `json:"price"`
	SellingPrice int64   `json:"selling_price"`
	Balance      *int64  `json:"balance,omitempty"`
	NoRef        *string `json:"noref,omitempty"`
	Status       *int    `json:"status,omitempty"`
	Desc         any     `json:"desc"`
}

func (s *Server) writePostpaid(w http.ResponseWriter, status int, data any) {
	s.writeJSON(w, status, iakPostpaidEnvelope{Data: data, Meta: []any{}})
}

func (s *Server) writePostpaidError(w http.ResponseWriter, rc string, req iakRequest) {
	s.writePostpaid(w, http.StatusOK, iakPostpaidSimple{
		RefID: string(req.RefID), Code: string(req.Code), HP: string(req.HP),
		ResponseCode: rc, Message: iakPostpaidMessage(rc),
	})
}

func (s *Server) writePostpaidBadRequest(w http.ResponseWriter, bad *iakBadRequest) {
	s.writePostpaid(w, http.StatusBadRequest, iakPostpaidSimple{
		ResponseCode: "107", Message: iakPostpaidMessage("107"),
		ErrorDetails: map[string][]string{bad.field: {bad.problem}},
	})
}

// authPostpaid checks username and sign; postpaid has no "invalid data" rc,
// so an unknown username is 100 INVALID SIGNATURE like a wrong sign.
func (s *Server) authPostpaid(w http.ResponseWriter, op string, req iakRequest, additional string) bool {
	if bad := iakRequire([2]string{"username", string(req.Username)}, [2]string{"sign", string(req.Sign)}); bad != nil {
		s.writePostpaidBadRequest(w, bad)
		return false
	}
	if string(req.Username) != s.opts.Username || !s.signOK(string(req.Sign), additional) {
		s.log.Info("refused", "op", op, "rc", "100")
		s.writePostpaidError(w, "100", req)
		return false
	}
	return true
}

// handlePostpaid serves api/v1/bill/check, where "commands" picks the call.
func (s *Server) handlePostpaid(w http.ResponseWriter, r *http.Request) {
	req, bad := iakDecode(w, r)
	if bad != nil {
		s.writePostpaidBadRequest(w, bad)
		return
	}
	switch strings.ToLower(strings.TrimSpace(string(req.Commands))) {
	case "pricelist-pasca":
		s.pricelistPasca(w, r, req)
	case "inq-pasca":
		s.inquiryPasca(w, req)
	case "pay-pasca":
		s.payPasca(w, r, req)
	case "checkstatus":
		s.checkStatusPasca(w, req)
	default:
		s.log.Info("refused", "op", "postpaid", "rc", "101", "commands", string(req.Commands))
		s.writePostpaidError(w, "101", req)
	}
}

type iakPascaItem struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Status   int    `json:"status"`
	Fee      int64  `json:"fee"`
	Komisi   int64  `json:"komisi"`
	Type     string `json:"type"`
	Category string `json:"category"`
	Province string `json:"province,omitempty"`
}

type iakPascaList struct {
	Pasca []iakPascaItem `json:"pasca"`
}

func (s *Server) pricelistPasca(w http.ResponseWriter, r *http.Request, req iakRequest) {
	if !s.authPostpaid(w, "pricelist-pasca", req, "pl") {
		return
	}
	typ := strings.ToLower(r.PathValue("type"))
	status := iakStatusFilter(string(req.Status))
	province := strings.ToLower(strings.TrimSpace(string(req.Province)))
	items := []iakPascaItem{}
	for _, b := range iakBillers {
		st := 4 // IAK's "non active"
		if b.active {
			st = 1
		}
		if (typ != "" && b.typ != typ) ||
			(status == "active" && st != 1) || (status == "non active" && st == 1) ||
			(province != "" && b.typ == "pdam" && strings.ToLower(b.province) != province) {
			continue
		}
		items = append(items, iakPascaItem{Code: b.code, Name: b.name, Status: st, Fee: b.fee,
			Komisi: b.komisi, Type: b.typ, Category: "postpaid", Province: b.province})
	}
	s.writePostpaid(w, http.StatusOK, iakPascaList{Pasca: items})
}

// iakValidRef: IAK postpaid ref_ids are letters and digits only; the
// 20-character limit is DESIGN.md's reading of IAK.
func iakValidRef(ref string) bool {
	if len(ref) == 0 || len(ref) > 20 {
		return false
	}
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// inquiryPasca: sign → fields → ref format (03) → ref reuse (11) → product
// (20, 106) → BPJS month → the biller's answer by test digits.
func (s *Server) inquiryPasca(w http.ResponseWriter, req iakRequest) {
	ref := string(req.RefID)
	if !s.authPostpaid(w, "inq-pasca", req, ref) {
		return
	}
	if bad := iakRequire([2]string{"ref_id", ref}, [2]string{"code", string(req.Code)}, [2]string{"hp", string(req.HP)}); bad != nil {
		s.writePostpaidBadRequest(w, bad)
		return
	}
	if !iakValidRef(ref) {
		s.writePostpaidError(w, "03", req)
		return
	}
	b := iakBillerFor(string(req.Code))
	months := 0
	if b != nil && b.months {
		m, err := strconv.Atoi(strings.TrimSpace(string(req.Month)))
		if err != nil || m < 1 || m > 12 {
			s.writePostpaidBadRequest(w, &iakBadRequest{"month", "The month field is required for " + b.code + " and must be 1 to 12."})
			return
		}
		months = m
	}

	s.mu.Lock()
	rc := ""
	switch {
	case s.usedRefs[ref]:
		rc = "11"
	case b == nil:
		rc = "20"
	case !b.active:
		rc = "106"
	}
	if rc != "" {
		s.mu.Unlock()
		s.log.Info("inq-pasca refused", "ref_id", ref, "code", string(req.Code), "rc", rc)
		s.writePostpaidError(w, rc, req)
		return
	}
	// From here the biller was asked: the ref_id is spent whatever it says.
	s.usedRefs[ref] = true
	hp := string(req.HP)
	plan := iakPostpaidPlan(b, hp)
	if plan.inquiryRC != "00" {
		s.mu.Unlock()
		s.log.Info("inq-pasca failed", "ref_id", ref, "code", b.code, "rc", plan.inquiryRC)
		s.writePostpaidError(w, plan.inquiryRC, req)
		return
	}
	now := s.opts.Now()
	bill := &iakBill{
		refID: ref, trID: s.nextBillTr, biller: b, hp: hp, name: iakName("bill", b.code, hp),
		months: months, payRC: plan.payRC, first: plan.first, inquired: now,
	}
	s.nextBillTr++
	bill.compute(plan.bills, now)
	wib := now.In(flows.WIB)
	bill.expires = time.Date(wib.Year(), wib.Month(), wib.Day(), 23, 0, 0, 0, flows.WIB)
	s.bills[ref] = bill
	s.billsByTr[bill.trID] = bill
	body := s.billBodyLocked(bill, "00", "INQUIRY SUCCESS", false)
	s.mu.Unlock()
	s.log.Info("inq-pasca", "ref_id", ref, "tr_id", bill.trID, "code", b.code, "price", bill.price)
	s.writePostpaid(w, http.StatusOK, body)
}

// compute fills the bill rows and amounts. Amounts are derived from the
// number so the same number always owes the same.
func (b *iakBill) compute(n int, now time.Time) {
	wib := now.In(flows.WIB)
	thisMonth := time.Date(wib.Year(), wib.Month(), 1, 0, 0, 0, 0, flows.WIB)
	if b.biller.kind == iakBillBPJS {
		// Kelas III, two members: Rp 35.000 each per month, one admin fee.
		b.nominal = 2 * 35_000 * int64(b.months)
		b.admin = b.biller.fee
		b.price = b.nominal + b.admin
		b.selling = b.price - b.biller.komisi
		return
	}
	meter := int64(80_000)
	for i := range n {
		seed := sandbox.Digest(2, b.biller.code, b.hp, strconv.Itoa(i))
		row := iakBillRow{
			period: thisMonth.AddDate(0, i-n, 0),
			amount: 50_000 + 1_000*int64((int(seed[0])<<8|int(seed[1]))%250),
			admin:  b.biller.fee,
		}
		if i < n-1 && b.biller.kind != iakBillInternet {
			row.penalty = 5_000 // a late fee on every bill but the latest
		}
		row.meterStart, row.meterEnd = meter, meter+row.amount/1_500
		meter = row.meterEnd
		b.rows = append(b.rows, row)
		b.nominal += row.amount + row.penalty
		b.admin += row.admin
	}
	b.price = b.nominal + b.admin
	b.selling = b.price - b.biller.komisi*int64(n)
}

func (b *iakBill) period() string {
	if b.biller.kind == iakBillBPJS {
		return fmt.Sprintf("%02d", b.months)
	}
	var ps []string
	for _, r := range b.rows {
		ps = append(ps, r.period.Format("200601"))
	}
	return strings.Join(ps, ",")
}

var iakMonthNames = [...]string{"JAN", "FEB", "MAR", "APR", "MEI", "JUN", "JUL", "AGU", "SEP", "OKT", "NOV", "DES"}

// desc is the product's desc object (§1.4.6); payment answers add the
// fields IAK adds after payment.
func (b *iakBill) desc(payment bool) map[string]any {
	itoa := func(v int64) string { return strconv.FormatInt(v, 10) }
	n := len(b.rows)
	switch b.biller.kind {
	case iakBillPLN:
		rows := make([]map[string]any, 0, n)
		for _, r := range b.rows {
			row := map[string]any{
				"periode": r.period.Format("200601"), "nilai_tagihan": itoa(r.amount), "admin": itoa(r.admin),
				"denda": itoa(r.penalty), "total": r.amount + r.admin + r.penalty,
			}
			if payment {
				row["meter_awal"] = fmt.Sprintf("%08d", r.meterStart)
				row["meter_akhir"] = fmt.Sprintf("%08d", r.meterEnd)
			}
			rows = append(rows, row)
		}
		d := map[string]any{"tarif": "R1", "daya": 1300, "lembar_tagihan": strconv.Itoa(n), "tagihan": map[string]any{"detail": rows}}
		if payment {
			d["lembar_tagihan_sisa"] = 0
		}
		return d
	case iakBillBPJS:
		return map[string]any{"kode_cabang": "0901", "nama_cabang": "JAKARTA PUSAT", "sisa_pembayaran": "0", "jumlah_peserta": "2"}
	case iakBillPDAM:
		rows := make([]map[string]any, 0, n)
		for _, r := range b.rows {
			rows = append(rows, map[string]any{
				"period": r.period.Format("200601"), "first_meter": itoa(r.meterStart), "last_meter": itoa(r.meterEnd),
				"penalty": itoa(r.penalty), "bill_amount": itoa(r.amount), "misc_amount": "0",
				"stand": itoa(r.meterStart) + "-" + itoa(r.meterEnd),
			})
		}
		d := map[string]any{"bill_quantity": n, "address": b.biller.detail, "biller_admin": itoa(b.admin),
			"pdam_name": b.biller.name, "stamp_duty": "0", "bill": map[string]any{"detail": rows}}
		if b.biller.code == "PDAMKOTA.SURABAYA" {
			d["kode_tarif"] = "2A"
			d["due_date"] = b.inquired.In(flows.WIB).Format("20060102")
		}
		return d
	case iakBillTelco:
		rows := make([]map[string]any, 0, n)
		for _, r := range b.rows {
			rows = append(rows, map[string]any{
				"periode":       iakMonthNames[r.period.Month()-1] + " " + strconv.Itoa(r.period.Year()),
				"nilai_tagihan": itoa(r.amount + r.penalty), "admin": itoa(r.admin), "total": r.amount + r.penalty + r.admin,
			})
		}
		return map[string]any{"kode_area": "", "divre": "", "datel": "", "jumlah_tagihan": n, "tagihan": map[string]any{"detail": rows}}
	default:
		return map[string]any{"product_desc": b.biller.detail}
	}
}

// billBodyLocked renders a bill answer. payment adds datetime, balance,
// noref and the payment desc fields.
func (s *Server) billBodyLocked(b *iakBill, rc, message string, payment bool) iakBillBody {
	body := iakBillBody{
		TrID: b.trID, Code: b.biller.code, HP: b.hp, TrName: b.name, Period: b.period(),
		Nominal: b.nominal, Admin: b.admin, RefID: b.refID, ResponseCode: rc, Message: message,
		Price: b.price, SellingPrice: b.selling, Desc: b.desc(payment),
	}
	if payment {
		when := b.inquired
		if !b.paid.IsZero() {
			when = b.paid
		}
		body.Datetime = when.In(flows.WIB).Format("20060102150405")
		balance, noref := s.deposit.Balance(), b.noref
		body.Balance, body.NoRef = &balance, &noref
	}
	return body
}

// payPasca pays an inquiry, once: sign over the tr_id → the inquiry (06) →
// its payment state (34 paid, 39 in process, 38 failed: inquire again) →
// expiry (04) → deposit (17) → the biller's answer by test digits.
func (s *Server) payPasca(w http.ResponseWriter, r *http.Request, req iakRequest) {
	trID := strings.TrimSpace(string(req.TrID))
	if !s.authPostpaid(w, "pay-pasca", req, string(req.TrID)) {
		return
	}
	if bad := iakRequire([2]string{"tr_id", trID}); bad != nil {
		s.writePostpaidBadRequest(w, bad)
		return
	}
	id, err := strconv.ParseInt(trID, 10, 64)
	s.mu.Lock()
	bill := s.billsByTr[id]
	if err != nil || bill == nil {
		s.mu.Unlock()
		s.log.Info("pay-pasca refused", "tr_id", trID, "rc", "06")
		s.writePostpaidError(w, "06", req)
		return
	}
	bill.payRequests++
	now := s.opts.Now()
	rc := ""
	switch {
	case bill.status == 1:
		rc = "34"
	case bill.status == 3:
		rc = "39"
	case bill.status == 2:
		rc = "38"
	case !now.Before(bill.expires):
		rc = "04"
	case !s.deposit.Covers(bill.selling):
		rc = "17"
	}
	if rc != "" {
		body := s.billBodyLocked(bill, rc, iakPostpaidMessage(rc), true)
		s.mu.Unlock()
		s.log.Info("pay-pasca refused", "ref_id", bill.refID, "tr_id", id, "rc", rc)
		s.writePostpaid(w, http.StatusOK, body)
		return
	}

	// The payment is made: debit, then apply the biller's answer.
	s.deposit.Debit(bill.selling)
	bill.paid = now
	bill.rc = bill.payRC
	message := iakPostpaidMessage(bill.payRC)
	switch {
	case bill.payRC == "00":
		bill.status = 1
		bill.noref = iakNoRef(bill)
		message = "PAYMENT SUCCESS"
	case iakPostpaidPending(bill.payRC):
		bill.status = 3
	default:
		bill.status = 2
		s.deposit.Credit(bill.selling)
	}
	body := s.billBodyLocked(bill, bill.rc, message, true)
	first := bill.first
	s.mu.Unlock()
	s.log.Info("pay-pasca", "ref_id", bill.refID, "tr_id", id, "status", body.ResponseCode, "selling_price", bill.selling)

	env := iakPostpaidEnvelope{Data: body, Meta: []any{}}
	switch first {
	case iakAnswer504:
		sandbox.WriteGatewayTimeout(w)
	case iakAnswerTruncated:
		iakWriteTruncated(w, env)
	case iakAnswerSlow:
		if s.life.Stall(r.Context(), s.opts.SlowDelay) {
			s.writeJSON(w, http.StatusOK, env)
		} else {
			s.log.Info("slow answer abandoned", "ref_id", bill.refID)
		}
	default:
		s.writeJSON(w, http.StatusOK, env)
	}
}

func iakNoRef(b *iakBill) string {
	return strings.ToUpper(fmt.Sprintf("%x", sandbox.Digest(16, "noref", b.refID, strconv.FormatInt(b.trID, 10))))
}

// checkStatusPasca answers a payment's state by ref_id (check-status.md).
// An unknown ref_id, or one whose inquiry failed, has no inquiry: rc 06.
func (s *Server) checkStatusPasca(w http.ResponseWriter, req iakRequest) {
	ref := string(req.RefID)
	if !s.authPostpaid(w, "checkstatus", req, "cs") {
		return
	}
	if bad := iakRequire([2]string{"ref_id", ref}); bad != nil {
		s.writePostpaidBadRequest(w, bad)
		return
	}
	s.mu.Lock()
	bill := s.bills[ref]
	if bill == nil {
		s.mu.Unlock()
		s.writePostpaidError(w, "06", req)
		return
	}
	var rc, message string
	switch bill.status {
	case 0:
		rc, message = "42", "REQUEST PEMBAYARAN BELUM DITERIMA"
	case 1:
		rc, message = "00", "PAYMENT SUCCESS"
	case 2:
		rc, message = "37", "PEMBAYARAN GAGAL"
	default:
		rc, message = "39", "PENDING / TRANSAKSI SEDANG DIPROSES"
	}
	body := s.billBodyLocked(bill, rc, message, true)
	status := bill.status
	body.Status = &status
	s.mu.Unlock()
	s.log.Info("checkstatus", "ref_id", ref, "status", status)
	s.writePostpaid(w, http.StatusOK, body)
}

// SettleBill resolves a payment in process (status 3, e.g. test digits 1039)
// like the sandbox report: paid, or failed with the selling price refunded.
func (s *Server) SettleBill(refID string, paid bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errIAKClosed
	}
	bill := s.bills[refID]
	if bill == nil {
		return fmt.Errorf("sandbox: iak: settle bill %s: no such inquiry", refID)
	}
	if bill.status != 3 {
		return fmt.Errorf("sandbox: iak: settle bill %s: payment not in process (status %d)", refID, bill.status)
	}
	if paid {
		bill.status, bill.rc, bill.noref = 1, "00", iakNoRef(bill)
	} else {
		bill.status, bill.rc = 2, "37"
		s.deposit.Credit(bill.selling)
	}
	s.log.Info("bill settled", "ref_id", refID, "tr_id", bill.trID, "status", bill.status)
	return nil
}

// Bill returns a snapshot of the postpaid inquiry made under refID.
func (s *Server) Bill(refID string) (Bill, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bills[refID]
	if b == nil {
		return Bill{}, false
	}
	return Bill{
		RefID: b.refID, TrID: b.trID, Code: b.biller.code, HP: b.hp, Name: b.name, Period: b.period(),
		Bills: len(b.rows), Nominal: b.nominal, Admin: b.admin, Price: b.price, SellingPrice: b.selling,
		Status: b.status, RC: b.rc, NoRef: b.noref, Inquired: b.inquired, Expires: b.expires,
		Paid: b.paid, PayRequests: b.payRequests,
	}, true
}

// handleDownload serves the receipt of a paid bill: a PDF, or with the /1
// suffix IAK's JSON key/value receipt. Errors come back as XML <mp>, as the
// official SDK expects. There is no sign: IAK guards it by IP only.
func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("tr_id"), 10, 64)
	s.mu.Lock()
	b := s.billsByTr[id]
	if err != nil || b == nil || b.status != 1 {
		s.mu.Unlock()
		rc := "06"
		if b != nil {
			rc = "02"
		}
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, "<?xml version=\"1.0\"?>\n<mp><response_code>%s</response_code><message>%s</message></mp>\n", rc, iakPostpaidMessage(rc))
		return
	}
	receipt := []struct{ k, v string }{
		{"HEADER", "STRUK PEMBAYARAN " + b.biller.name},
		{"NO REFERENSI", b.noref},
		{"TANGGAL", b.paid.In(flows.WIB).Format("2006-01-02 15:04:05")},
		{"NAMA PRODUK", b.biller.name},
		{"ID PELANGGAN", b.hp},
		{"NAMA", b.name},
		{"PERIODE", b.period()},
		{"JUMLAH TAGIHAN", flows.FormatRupiah(b.nominal)},
		{"ADMIN", flows.FormatRupiah(b.admin)},
		{"TOTAL BAYAR", flows.FormatRupiah(b.price)},
	}
	s.mu.Unlock()
	if strings.HasSuffix(r.URL.Path, "/1") {
		data := make(map[string]string, len(receipt))
		for _, kv := range receipt {
			data[kv.k] = kv.v
		}
		s.writeJSON(w, http.StatusOK, iakData{data})
		return
	}
	lines := make([]string, 0, len(receipt))
	for _, kv := range receipt {
		lines = append(lines, kv.k+": "+kv.v)
	}
	w.Header().Set("Content-Type", "application/pdf")
	_, _ = w.Write(iakPDF(lines))
}

// iakPDF renders lines as a one-page PDF with the standard Helvetica font.
func iakPDF(lines []string) []byte {
	esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)
	var content strings.Builder
	content.WriteString("BT /F1 11 Tf 50 780 Td 14 TL\n")
	for _, l := range lines {
		content.WriteString("(" + esc.Replace(l) + ") Tj T*\n")
	}
	content.WriteString("ET\n")
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var out strings.Builder
	out.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return []byte(out.String())
}
