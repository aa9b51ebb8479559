package iaksim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
)

func (h *iakHarness) inquire(ref, code, hp string, extra ...string) iakAnswer {
	h.t.Helper()
	body := map[string]string{"commands": "inq-pasca", "username": iakTestUser, "code": code, "hp": hp, "ref_id": ref, "sign": sign(ref)}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i]] = extra[i+1]
	}
	return h.post("/api/v1/bill/check", body)
}

func (h *iakHarness) pay(trID string) iakAnswer {
	h.t.Helper()
	return h.post("/api/v1/bill/check", map[string]string{"commands": "pay-pasca", "username": iakTestUser, "tr_id": trID, "sign": sign(trID)})
}

func (h *iakHarness) billStatus(ref string) iakAnswer {
	h.t.Helper()
	return h.post("/api/v1/bill/check", map[string]string{"commands": "checkstatus", "username": iakTestUser, "ref_id": ref, "sign": sign("cs")})
}

func TestIAKPostpaidEnvelope(t *testing.T) {
	h := newIAKHarness(t, Options{})
	a := h.inquire("ENV1", "PLNPOSTPAID", "530000000000")
	if !bytes.HasSuffix(bytes.TrimSpace(a.body), []byte(`,"meta":[]}`)) {
		t.Errorf("no meta: %s", a.body)
	}
	if _, ok := a.data["rc"]; ok {
		t.Error("postpaid answers carry response_code, not rc")
	}
}

func TestIAKPostpaidPricelist(t *testing.T) {
	h := newIAKHarness(t, Options{})
	list := func(path string, kv ...string) []map[string]any {
		t.Helper()
		body := map[string]string{"commands": "pricelist-pasca", "username": iakTestUser, "sign": sign("pl")}
		for i := 0; i+1 < len(kv); i += 2 {
			body[kv[i]] = kv[i+1]
		}
		a := h.post(path, body)
		raw, ok := a.data["pasca"].([]any)
		if !ok {
			t.Fatalf("no data.pasca: %s", a.body)
		}
		var out []map[string]any
		for _, it := range raw {
			out = append(out, it.(map[string]any))
		}
		return out
	}
	codes := func(items []map[string]any) string {
		var cs []string
		for _, it := range items {
			cs = append(cs, fmt.Sprint(it["code"]))
		}
		return strings.Join(cs, ",")
	}
	all := list("/api/v1/bill/check")
	if len(all) != len(iakBillers) {
		t.Errorf("%d items, want %d", len(all), len(iakBillers))
	}
	for _, it := range all {
		for _, f := range []string{"code", "name", "status", "fee", "komisi", "type", "category"} {
			if _, ok := it[f]; !ok {
				t.Errorf("%v lacks %s", it["code"], f)
			}
		}
	}
	if got := codes(list("/api/v1/bill/check/pln")); got != "PLNPOSTPAID" {
		t.Errorf("pln = %s", got)
	}
	if got := codes(list("/api/v1/bill/check/bpjs")); got != "BPJS" {
		t.Errorf("bpjs = %s", got)
	}
	if got := codes(list("/api/v1/bill/check", "status", "non active")); got != "TELKOMPSTN" {
		t.Errorf("non active = %s", got)
	}
	if got := codes(list("/api/v1/bill/check/pdam", "province", "jawa timur")); got != "PDAMKOTA.SURABAYA" {
		t.Errorf("pdam in Jawa Timur = %s", got)
	}
	a := h.post("/api/v1/bill/check", map[string]string{"commands": "pricelist-pasca", "username": iakTestUser, "sign": sign("bl")})
	h.want(a, map[string]string{"response_code": "100", "message": "INVALID SIGNATURE"})
}

func TestIAKPostpaidPayOnce(t *testing.T) {
	h := newIAKHarness(t, Options{Deposit: 1_000_000})
	a := h.inquire("INQ1", "PLNPOSTPAID", "530000000000")
	h.want(a, map[string]string{"response_code": "00", "message": "INQUIRY SUCCESS", "code": "PLNPOSTPAID", "hp": "530000000000", "ref_id": "INQ1", "tr_id": "9732792"})
	bill, ok := h.sim.Bill("INQ1")
	if !ok || bill.Bills != 1 || bill.Price != bill.Nominal+bill.Admin || bill.Admin != 2500 || bill.SellingPrice != bill.Price-600 {
		t.Fatalf("bill = %+v", bill)
	}
	h.want(a, map[string]string{
		"nominal": fmt.Sprint(bill.Nominal), "admin": "2500", "price": fmt.Sprint(bill.Price),
		"selling_price": fmt.Sprint(bill.SellingPrice), "tr_name": bill.Name, "period": bill.Period,
	})
	desc, _ := a.data["desc"].(map[string]any)
	detail := desc["tagihan"].(map[string]any)["detail"].([]any)
	if desc["tarif"] != "R1" || desc["lembar_tagihan"] != "1" || len(detail) != 1 {
		t.Errorf("desc = %v", desc)
	}
	// Nothing is debited by an inquiry.
	if h.sim.Deposit() != 1_000_000 {
		t.Error("the inquiry moved the deposit")
	}

	p := h.pay("9732792")
	after := 1_000_000 - bill.SellingPrice
	h.want(p, map[string]string{"response_code": "00", "message": "PAYMENT SUCCESS", "balance": fmt.Sprint(after), "ref_id": "INQ1"})
	if len(p.str("noref")) != 32 || len(p.str("datetime")) != 14 {
		t.Errorf("noref %q datetime %q", p.str("noref"), p.str("datetime"))
	}
	pdesc, _ := p.data["desc"].(map[string]any)
	prow := pdesc["tagihan"].(map[string]any)["detail"].([]any)[0].(map[string]any)
	if fmt.Sprint(pdesc["lembar_tagihan_sisa"]) != "0" || prow["meter_awal"] == nil || prow["meter_akhir"] == nil {
		t.Errorf("payment desc = %v", pdesc)
	}
	if h.sim.Deposit() != after {
		t.Errorf("deposit = %d, want %d", h.sim.Deposit(), after)
	}
	h.want(h.billStatus("INQ1"), map[string]string{"status": "1", "response_code": "00", "message": "PAYMENT SUCCESS", "noref": p.str("noref")})

	// A paid bill cannot be paid again.
	h.want(h.pay("9732792"), map[string]string{"response_code": "34", "message": "BILL HAS BEEN PAID"})
	if h.sim.Deposit() != after {
		t.Error("the second payment moved the deposit")
	}
	if b, _ := h.sim.Bill("INQ1"); b.PayRequests != 2 || b.Status != 1 {
		t.Errorf("bill = %+v", b)
	}

	// The receipt.
	r, err := h.do(h.srv.Client(), http.MethodGet, "/api/v1/download/9732792/1", nil)
	if err != nil || r.str("NO REFERENSI") != p.str("noref") || r.str("ID PELANGGAN") != "530000000000" {
		t.Errorf("JSON receipt: %v %s", err, r.body)
	}
	r, err = h.do(h.srv.Client(), http.MethodGet, "/api/v1/download/9732792", nil)
	if err != nil || r.ctype != "application/pdf" || !bytes.HasPrefix(r.body, []byte("%PDF-1.4")) || !bytes.HasSuffix(r.body, []byte("%%EOF\n")) {
		t.Errorf("PDF receipt: %v %s %.60q", err, r.ctype, r.body)
	}
}

func TestIAKPostpaidMultiBill(t *testing.T) {
	clock := testclock.New(time.Date(2026, 5, 20, 10, 0, 0, 0, flows.WIB))
	h := newIAKHarness(t, Options{Now: clock.Now})
	a := h.inquire("MULTI", "PLNPOSTPAID", "530000000999")
	h.want(a, map[string]string{"response_code": "00", "period": "202509,202510,202511,202512,202601,202602,202603,202604"})
	desc := a.data["desc"].(map[string]any)
	if desc["lembar_tagihan"] != "8" || len(desc["tagihan"].(map[string]any)["detail"].([]any)) != 8 {
		t.Errorf("desc = %v", desc)
	}
	b, _ := h.sim.Bill("MULTI")
	if b.Admin != 8*2500 || b.SellingPrice != b.Price-8*600 {
		t.Errorf("bill = %+v", b)
	}
	// Products without a multi-bill case treat 0999 as a wrong number.
	h.want(h.inquire("MULTI2", "HPTHREE", "08991230999"), map[string]string{"response_code": "14"})
	h.want(h.inquire("MULTI3", "PDAMKOTA.MEDAN", "10200999"), map[string]string{"response_code": "00", "tr_id": "9732793"})
	if b, _ := h.sim.Bill("MULTI3"); b.Bills != 4 {
		t.Errorf("PDAM multi-bill has %d bills, want 4", b.Bills)
	}
}

func TestIAKPostpaidInquiryRefusals(t *testing.T) {
	h := newIAKHarness(t, Options{})
	h.want(h.inquire("USED", "PLNPOSTPAID", "530000000014"), map[string]string{"response_code": "14"})
	tests := []struct {
		ref, code, hp string
		extra         []string
		rc            string
	}{
		{"A1", "PLNPOSTPAID", "530000000001", nil, "01"},
		{"A2", "PLNPOSTPAID", "530000000014", nil, "14"},
		{"A3", "PLNPOSTPAID", "530000000103", nil, "103"},
		{"A4", "PLNPOSTPAID", "530000005000", nil, "14"},  // S=5 is no test case
		{"A5", "PLNPOSTPAID", "530000009999", nil, "14"},  // S=9 other than 504/408/200
		{"A6", "PLNPOSTPAID", "5300000000000", nil, "14"}, // one digit too many
		{"A7", "PLNPOSTPAID", "540000000000", nil, "14"},  // not the prefix
		{"A8", "BPJS", "8801234560001", []string{"month", "2"}, "01"},
		{"A9", "HPTHREE", "08991230103", nil, "103"},
		{"A10", "NOSUCH", "530000000000", nil, "20"},
		{"A11", "TELKOMPSTN", "0216391601201", nil, "106"},
		{"A-12", "PLNPOSTPAID", "530000000000", nil, "03"},
		{"A 13", "PLNPOSTPAID", "530000000000", nil, "03"},
		{"A123456789012345678901", "PLNPOSTPAID", "530000000000", nil, "03"},
		{"USED", "PLNPOSTPAID", "530000000000", nil, "11"},
	}
	for _, tt := range tests {
		a := h.inquire(tt.ref, tt.code, tt.hp, tt.extra...)
		if a.code != http.StatusOK || a.str("response_code") != tt.rc || a.str("message") != iakPostpaidMessage(tt.rc) {
			t.Errorf("%s %s %s: HTTP %d %s, want rc %s", tt.ref, tt.code, tt.hp, a.code, a.body, tt.rc)
		}
		if a.str("tr_id") != "<absent>" {
			t.Errorf("%s: a failed inquiry has a tr_id: %s", tt.ref, a.body)
		}
	}
	// BPJS needs the number of months.
	a := h.inquire("B1", "BPJS", "8801234560000")
	if a.code != http.StatusBadRequest || a.str("response_code") != "107" {
		t.Errorf("BPJS without month: HTTP %d %s", a.code, a.body)
	}
	h.want(h.inquire("B2", "BPJS", "8801234560000", "month", "3"), map[string]string{"response_code": "00", "period": "03", "nominal": "210000"})
	// month may be a JSON number.
	a = h.post("/api/v1/bill/check", map[string]any{"commands": "inq-pasca", "username": iakTestUser, "code": "BPJS", "hp": "8801234560000", "ref_id": "B3", "month": 2, "sign": sign("B3")})
	h.want(a, map[string]string{"response_code": "00", "period": "02"})
	// Wrong sign, wrong username, unknown command.
	h.want(h.post("/api/v1/bill/check", map[string]string{"commands": "inq-pasca", "username": iakTestUser, "code": "BPJS", "hp": "8801234560000", "ref_id": "S1", "sign": sign("S2")}),
		map[string]string{"response_code": "100"})
	h.want(h.post("/api/v1/bill/check", map[string]string{"commands": "inq-pasca", "username": "0800", "code": "BPJS", "hp": "8801234560000", "ref_id": "S1", "sign": iakSign("0800", iakTestKey, "S1")}),
		map[string]string{"response_code": "100"})
	h.want(h.post("/api/v1/bill/check", map[string]string{"commands": "inq-pascaa", "username": iakTestUser, "sign": sign("x")}),
		map[string]string{"response_code": "101", "message": "INVALID COMMAND"})
}

func TestIAKPostpaidPaymentOutcomes(t *testing.T) {
	tests := []struct {
		hp        string
		payRC     string
		status    string // checkstatus status after the payment
		statusRC  string
		debited   bool
		billState int
	}{
		{"530000001037", "37", "2", "37", false, 2},
		{"530000001105", "105", "2", "37", false, 2},
		{"530000001039", "39", "3", "39", true, 3},
		{"530000001000", "00", "1", "00", true, 1},
		{"8801234561037", "37", "2", "37", false, 2},
		{"10201039", "39", "3", "39", true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.hp, func(t *testing.T) {
			h := newIAKHarness(t, Options{Deposit: 1_000_000})
			code := map[string]string{"5": "PLNPOSTPAID", "8": "BPJS", "1": "PDAMKOTA.SURABAYA"}[tt.hp[:1]]
			a := h.inquire("P1", code, tt.hp, "month", "1")
			h.want(a, map[string]string{"response_code": "00"})
			b, _ := h.sim.Bill("P1")
			h.want(h.billStatus("P1"), map[string]string{"status": "0", "response_code": "42"})
			p := h.pay(a.str("tr_id"))
			h.want(p, map[string]string{"response_code": tt.payRC})
			want := int64(1_000_000)
			if tt.debited {
				want -= b.SellingPrice
			}
			if got := h.sim.Deposit(); got != want {
				t.Errorf("deposit = %d, want %d", got, want)
			}
			st := h.billStatus("P1")
			h.want(st, map[string]string{"status": tt.status, "response_code": tt.statusRC})
			if tt.status == "2" && st.str("noref") != "" {
				t.Errorf("failed payment has noref %q", st.str("noref"))
			}
			if b, _ := h.sim.Bill("P1"); b.Status != tt.billState {
				t.Errorf("bill status %d, want %d", b.Status, tt.billState)
			}
		})
	}
}

func TestIAKPostpaidPendingSettled(t *testing.T) {
	for _, paid := range []bool{true, false} {
		h := newIAKHarness(t, Options{Deposit: 1_000_000})
		a := h.inquire("PEND", "PLNPOSTPAID", "530000001039")
		h.want(h.pay(a.str("tr_id")), map[string]string{"response_code": "39"})
		// A second pay of a payment in process answers its state and debits
		// nothing more.
		h.want(h.pay(a.str("tr_id")), map[string]string{"response_code": "39"})
		b, _ := h.sim.Bill("PEND")
		if err := h.sim.SettleBill("PEND", paid); err != nil {
			t.Fatal(err)
		}
		if err := h.sim.SettleBill("PEND", paid); err == nil {
			t.Error("a settled payment settled again")
		}
		if paid {
			h.want(h.billStatus("PEND"), map[string]string{"status": "1", "response_code": "00"})
			if h.sim.Deposit() != 1_000_000-b.SellingPrice {
				t.Errorf("deposit = %d", h.sim.Deposit())
			}
		} else {
			h.want(h.billStatus("PEND"), map[string]string{"status": "2", "response_code": "37", "message": "PEMBAYARAN GAGAL"})
			if h.sim.Deposit() != 1_000_000 {
				t.Errorf("deposit = %d, want the refund", h.sim.Deposit())
			}
			// A failed payment is not retried: inquire again.
			h.want(h.pay(a.str("tr_id")), map[string]string{"response_code": "38"})
		}
	}
	h := newIAKHarness(t, Options{})
	if err := h.sim.SettleBill("NOPE", true); err == nil {
		t.Error("settled an unknown bill")
	}
	h.inquire("NOTPAID", "PLNPOSTPAID", "530000000000")
	if err := h.sim.SettleBill("NOTPAID", true); err == nil {
		t.Error("settled a bill with no payment in process")
	}
}

func TestIAKPostpaidExpiry(t *testing.T) {
	clock := testclock.New(time.Date(2026, 5, 20, 22, 59, 0, 0, flows.WIB))
	h := newIAKHarness(t, Options{Deposit: 1_000_000, Now: clock.Now})
	a := h.inquire("EXP1", "PLNPOSTPAID", "530000000000")
	b, _ := h.sim.Bill("EXP1")
	if want := time.Date(2026, 5, 20, 23, 0, 0, 0, flows.WIB); !b.Expires.Equal(want) {
		t.Errorf("expires %v, want %v", b.Expires, want)
	}
	clock.Set(time.Date(2026, 5, 20, 23, 0, 0, 0, flows.WIB))
	h.want(h.pay(a.str("tr_id")), map[string]string{"response_code": "04", "message": "BILLING ID EXPIRED"})
	if h.sim.Deposit() != 1_000_000 {
		t.Error("an expired payment moved the deposit")
	}
	h.want(h.billStatus("EXP1"), map[string]string{"status": "0", "response_code": "42"})

	// An inquiry made in UTC late evening is a WIB morning: payable until
	// 23:00 WIB that day.
	clock.Set(time.Date(2026, 5, 20, 17, 30, 0, 0, time.UTC)) // 00:30 WIB on the 21st
	a = h.inquire("EXP2", "PLNPOSTPAID", "530000000000")
	clock.Set(time.Date(2026, 5, 21, 22, 59, 59, 0, flows.WIB))
	h.want(h.pay(a.str("tr_id")), map[string]string{"response_code": "00"})
}

func TestIAKPostpaidDepositAndUnknownInquiry(t *testing.T) {
	h := newIAKHarness(t, Options{Deposit: 1000})
	a := h.inquire("LOW", "PLNPOSTPAID", "530000000000")
	h.want(h.pay(a.str("tr_id")), map[string]string{"response_code": "17", "message": "BALANCE NOT ENOUGH"})
	h.want(h.pay("123"), map[string]string{"response_code": "06", "message": "INQUIRY ID NOT FOUND"})
	// A pay whose sign is not over its tr_id.
	h.want(h.post("/api/v1/bill/check", map[string]string{"commands": "pay-pasca", "username": iakTestUser, "tr_id": a.str("tr_id"), "sign": sign("LOW")}),
		map[string]string{"response_code": "100"})
	// tr_id sent as a JSON number is signed as its decimal digits.
	b, _ := h.sim.Bill("LOW")
	h.sim.AddDeposit(b.SellingPrice)
	h.want(h.post("/api/v1/bill/check", map[string]any{"commands": "pay-pasca", "username": iakTestUser, "tr_id": b.TrID, "sign": sign(fmt.Sprint(b.TrID))}),
		map[string]string{"response_code": "00", "balance": "1000"})
	h.want(h.billStatus("NEVER"), map[string]string{"response_code": "06"})
	h.want(h.billStatus("LOW"), map[string]string{"status": "1"})
	h.want(h.post("/api/v1/bill/check", map[string]string{"commands": "checkstatus", "username": iakTestUser, "ref_id": "LOW", "sign": sign("LOW")}),
		map[string]string{"response_code": "100"})
	// The receipt of an unpaid inquiry is an XML error.
	h.inquire("UNPAID", "PLNPOSTPAID", "530000000000")
	u, _ := h.sim.Bill("UNPAID")
	r, err := h.do(h.srv.Client(), http.MethodGet, fmt.Sprintf("/api/v1/download/%d/1", u.TrID), nil)
	if err != nil || !strings.Contains(string(r.body), "<response_code>02</response_code>") {
		t.Errorf("unpaid receipt: %v %s", err, r.body)
	}
}

func TestIAKPostpaidLostPaymentAnswer(t *testing.T) {
	t.Run("504", func(t *testing.T) {
		h := newIAKHarness(t, Options{Deposit: 1_000_000})
		a := h.inquire("LOST", "PLNPOSTPAID", "530000009504")
		h.want(a, map[string]string{"response_code": "00"})
		p := h.pay(a.str("tr_id"))
		if p.code != http.StatusGatewayTimeout || !strings.Contains(string(p.body), "504 Gateway Time-out") {
			t.Fatalf("HTTP %d %s", p.code, p.body)
		}
		// The payment was made: checkstatus shows it and the deposit moved.
		h.want(h.billStatus("LOST"), map[string]string{"status": "1", "response_code": "00"})
		b, _ := h.sim.Bill("LOST")
		if b.Status != 1 || h.sim.Deposit() != 1_000_000-b.SellingPrice || b.PayRequests != 1 {
			t.Errorf("bill %+v deposit %d", b, h.sim.Deposit())
		}
	})
	t.Run("truncated", func(t *testing.T) {
		h := newIAKHarness(t, Options{})
		a := h.inquire("TRUNC", "BPJS", "8801234569200", "month", "1")
		p := h.pay(a.str("tr_id"))
		if p.code != http.StatusOK || json.Valid(p.body) {
			t.Fatalf("want a truncated body: %s", p.body)
		}
		h.want(h.billStatus("TRUNC"), map[string]string{"status": "1"})
	})
	t.Run("slow", func(t *testing.T) {
		h := newIAKHarness(t, Options{SlowDelay: 10 * time.Millisecond})
		a := h.inquire("SLOW", "PLNPOSTPAID", "530000009408")
		h.want(h.pay(a.str("tr_id")), map[string]string{"response_code": "00"})
	})
}
