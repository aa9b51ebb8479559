package mesinr1

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/provider/sandbox/mesinr1sim"
)

// plnBill is a PLN postpaid customer number ending in the test digits.
func plnBill(last4 string) string { return "54630221" + last4 }

func billReq(ref, product, number string) flows.BillRequest {
	return flows.BillRequest{RefID: ref, ProductCode: product, CustomerNumber: number}
}

func TestBillInquirePayCheck(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	bill, err := w.client.InquireBill(ctx, billReq("B1", "PLNPASC", plnBill("5889")))
	if err != nil {
		t.Fatal(err)
	}
	tx, _ := w.sim.Transaction("B1")
	if bill.RefID != "B1" || bill.CustomerName == "" || bill.Period != "APR26" || bill.AdminFee != 2750 ||
		bill.Amount != tx.Price || bill.Total != tx.Price+2750 || bill.ProviderTxID != tx.Ref2 ||
		!bill.Expires.Equal(w.clock.Now().Add(15*time.Minute)) {
		t.Errorf("bill = %+v\nsimulator = %+v", bill, tx)
	}
	if !slices.Contains(bill.Details, "Daya: 1300") || !slices.Contains(bill.Details, "Tarif: R1") {
		t.Errorf("details = %q", bill.Details)
	}
	// Before the payment status shows the inquiry only: not found.
	if _, err := w.client.CheckBill(ctx, bill); kindOf(err) != flows.KindNotFound {
		t.Errorf("CheckBill before paying = %v, want not_found (INQ record)", err)
	}
	res, err := w.client.PayBill(ctx, bill)
	if err != nil || res.Status != flows.StatusSuccess || res.SN == "" || res.Price != bill.Total || !res.Acknowledged {
		t.Fatalf("PayBill = %+v, %v; want success", res, err)
	}
	tx, _ = w.sim.Transaction("B1")
	if res.SN != tx.SN || w.sim.Deposit() != 1_000_000-bill.Total {
		t.Errorf("SN %q (simulator %q), deposit %d", res.SN, tx.SN, w.sim.Deposit())
	}
	check, err := w.client.CheckBill(ctx, bill)
	if err != nil || check.Status != flows.StatusSuccess || check.SN != res.SN {
		t.Errorf("CheckBill after paying = %+v, %v; want the payment", check, err)
	}
	// The payment request went out once, under the inquiry's ref_1.
	var pays []request
	for _, r := range w.rec.all() {
		if r.Path == "/V1/api/payment" {
			pays = append(pays, r)
		}
	}
	if len(pays) != 1 || pays[0].Body["ref_1"] != "B1" {
		t.Errorf("payment requests = %+v", pays)
	}
	// A new inquiry for the same bill: paid already.
	_, err = w.client.InquireBill(ctx, billReq("B2", "PLNPASC", plnBill("5889")))
	if kindOf(err) != flows.KindRejected || flows.ReasonOf(err) != flows.ReasonBillPaid {
		t.Errorf("second inquiry = %v, want rejected bill_paid", err)
	}
}

// TestSecondPaymentAnswersFromStatus: a payment sent twice gets rc 94; the
// client answers from status — one debit.
func TestSecondPaymentAnswersFromStatus(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	bill, err := w.client.InquireBill(ctx, billReq("B1", "PLNPASC", plnBill("1000")))
	if err != nil {
		t.Fatal(err)
	}
	first, err := w.client.PayBill(ctx, bill)
	if err != nil || first.Status != flows.StatusPending {
		t.Fatalf("PayBill = %+v, %v; want pending", first, err)
	}
	second, err := w.client.PayBill(ctx, bill)
	if err != nil || second.Status != flows.StatusPending {
		t.Fatalf("second PayBill = %+v, %v; want the pending payment", second, err)
	}
	if w.sim.Deposit() != 1_000_000-bill.Total {
		t.Errorf("deposit = %d, want one debit of %d", w.sim.Deposit(), bill.Total)
	}
}

func TestBPJSMonths(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	req := billReq("BP1", "BPJSKS", "0001234567890")
	req.Months = 2
	bill, err := w.client.InquireBill(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if bill.Period != "2" || bill.Months != 2 || bill.Amount%70_000 != 0 || bill.AdminFee != 2500 {
		t.Errorf("bill = %+v, want 2 months of 35.000 per member", bill)
	}
	res, err := w.client.PayBill(ctx, bill)
	if err != nil || res.Status != flows.StatusSuccess {
		t.Fatalf("PayBill = %+v, %v", res, err)
	}
	// BPJS answers carry no SN in msg: the reference is the provider's id.
	if res.SN == "" || res.SN != res.ProviderTxID {
		t.Errorf("SN = %q, want the ref_2 %q", res.SN, res.ProviderTxID)
	}
	req = billReq("BP2", "BPJSKS", "0001234561111")
	req.Months = 13
	if _, err := w.client.InquireBill(ctx, req); kindOf(err) != flows.KindRejected {
		t.Errorf("13 months = %v, want rejected", err)
	}
}

// TestInquiryExpiry: the simulator refuses a payment after 15 minutes, and
// the client refuses one locally when its own clock says the bill expired.
func TestInquiryExpiry(t *testing.T) {
	simClock := newClock()
	w := newWorld(t, func(o *mesinr1sim.Options, _ *Config) { o.Now = simClock.Now })
	ctx := context.Background()
	bill, err := w.client.InquireBill(ctx, billReq("E1", "PLNPASC", plnBill("7890")))
	if err != nil {
		t.Fatal(err)
	}
	// The platform's hold runs out; our clock lags behind it.
	simClock.Advance(15 * time.Minute)
	_, err = w.client.PayBill(ctx, bill)
	if kindOf(err) != flows.KindRejected || flows.ReasonOf(err) != flows.ReasonBillExpired {
		t.Fatalf("PayBill after the hold = %v, want rejected bill_expired", err)
	}
	tx, _ := w.sim.Transaction("E1")
	if tx.Kind != "inquiry" || !strings.HasPrefix(tx.Msg, "INQ ") || w.sim.Deposit() != 1_000_000 {
		t.Errorf("simulator after the refusal: %+v, deposit %d", tx, w.sim.Deposit())
	}
	if _, err := w.client.CheckBill(ctx, bill); kindOf(err) != flows.KindNotFound {
		t.Errorf("CheckBill = %v, want not_found: status shows the inquiry only", err)
	}
	// Our clock passes the hold too: nothing is sent any more.
	w.clock.Advance(15 * time.Minute)
	sent := len(w.rec.all())
	_, err = w.client.PayBill(ctx, bill)
	if kindOf(err) != flows.KindRejected || flows.ReasonOf(err) != flows.ReasonBillExpired {
		t.Errorf("PayBill past Expires = %v, want rejected bill_expired", err)
	}
	if len(w.rec.all()) != sent {
		t.Errorf("an expired bill was sent: %v", w.rec.paths()[sent:])
	}
}

// TestBillOutcomes walks the bill test numbers.
func TestBillOutcomes(t *testing.T) {
	type want struct {
		kind   flows.ErrorKind
		status flows.Status
		reason flows.Reason
	}
	tests := []struct {
		name    string
		last4   string
		inquiry flows.ErrorKind
		reason  flows.Reason // of a refused inquiry
		pay     want
		later   want // CheckBill an hour later; zero: skip
	}{
		{"paid", "5889", "", "", want{status: flows.StatusSuccess}, want{status: flows.StatusSuccess}},
		{"wrong number", "0014", flows.KindRejected, flows.ReasonWrongNumber, want{}, want{}},
		{"already paid 88", "0088", flows.KindRejected, flows.ReasonBillPaid, want{}, want{}},
		{"already paid 34", "0034", flows.KindRejected, flows.ReasonBillPaid, want{}, want{}},
		{"inquiry timeout", "0068", flows.KindUnknown, "", want{}, want{}},
		{"payment failed at once", "2005", "", "", want{status: flows.StatusFailed, reason: flows.ReasonFailed}, want{status: flows.StatusFailed, reason: flows.ReasonFailed}},
		{"payment pending then failed", "1005", "", "", want{status: flows.StatusPending}, want{status: flows.StatusFailed, reason: flows.ReasonFailed}},
		{"payment pending then paid", "1000", "", "", want{status: flows.StatusPending}, want{status: flows.StatusSuccess}},
		{"payment stays pending", "1002", "", "", want{status: flows.StatusPending}, want{status: flows.StatusPending}},
		{"lost payment answer", "9504", "", "", want{kind: flows.KindUnknown}, want{status: flows.StatusSuccess}},
		{"garbled payment answer", "9200", "", "", want{kind: flows.KindUnknown}, want{status: flows.StatusSuccess}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			ctx := context.Background()
			bill, err := w.client.InquireBill(ctx, billReq("B"+tt.last4, "PLNPASC", plnBill(tt.last4)))
			if kindOf(err) != tt.inquiry {
				t.Fatalf("InquireBill = %v, want kind %q", err, tt.inquiry)
			}
			if err != nil {
				if tt.reason != "" && flows.ReasonOf(err) != tt.reason {
					t.Errorf("inquiry reason = %q, want %q", flows.ReasonOf(err), tt.reason)
				}
				if w.sim.TransactionCount() != 0 {
					t.Errorf("a refused inquiry left %d transactions", w.sim.TransactionCount())
				}
				return
			}
			res, err := w.client.PayBill(ctx, bill)
			if kindOf(err) != tt.pay.kind || res.Status != tt.pay.status || res.Reason != tt.pay.reason {
				t.Fatalf("PayBill = %+v, %v; want %+v", res, err, tt.pay)
			}
			w.clock.Advance(time.Hour)
			res, err = w.client.CheckBill(ctx, bill)
			if kindOf(err) != tt.later.kind || res.Status != tt.later.status || res.Reason != tt.later.reason {
				t.Errorf("CheckBill = %+v, %v; want %+v", res, err, tt.later)
			}
			if w.rec.count("payment") != 1 {
				t.Errorf("payment sent %d times", w.rec.count("payment"))
			}
			deposit := int64(1_000_000)
			if res.Status == flows.StatusSuccess || res.Status == flows.StatusPending {
				deposit -= bill.Total
			}
			if w.sim.Deposit() != deposit {
				t.Errorf("deposit = %d, want %d", w.sim.Deposit(), deposit)
			}
		})
	}
}

func TestSlowPaymentIsUnknown(t *testing.T) {
	w := newWorld(t, func(o *mesinr1sim.Options, c *Config) {
		o.SlowDelay = time.Hour
		c.HTTPClient = newShortClient()
	})
	ctx := context.Background()
	bill, err := w.client.InquireBill(ctx, billReq("S1", "PLNPASC", plnBill("9408")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.client.PayBill(ctx, bill); kindOf(err) != flows.KindUnknown {
		t.Fatalf("PayBill = %v, want unknown", err)
	}
	res, err := w.client.CheckBill(ctx, bill)
	if err != nil || res.Status != flows.StatusSuccess {
		t.Errorf("CheckBill = %+v, %v; want the payment's success", res, err)
	}
}

// TestCheckBillRecords: only BAYAR is the payment (DESIGN rule 8).
func TestCheckBillRecords(t *testing.T) {
	const none = `{"status":"error","rc":"25","message":"TIDAK DITEMUKAN"}`
	tests := []struct {
		name            string
		status, history string
		wantKind        flows.ErrorKind
		wantStatus      flows.Status
		wantSN          string
	}{
		{"inquiry only", `{"status":"success","data":{"ref_1":"B1","status":1,"msg":"INQ PLN.546302215889 SUKSES, DATA:Anto ..."}}`, none, flows.KindNotFound, "", ""},
		{"legacy inquiry text", `{"status":"success","data":{"ref_1":"B1","status":1,"msg":"CEK PLNPASC.5463 SUKSES, DATA:Anto"}}`, none, flows.KindNotFound, "", ""},
		{"paid", `{"status":"success","data":{"ref_1":"B1","ref_2":"I-1","status":1,"msg":" bayar PLN.5463 SUKSES, SN:REF777 HRG:302750"}}`, "", "", flows.StatusSuccess, "REF777"},
		{"paid without sn", `{"status":"success","data":{"ref_1":"B1","ref_2":"I-20260421-A3B1F2","status":1,"msg":"BAYAR PLN.5463 SUKSES ..."}}`, "", "", flows.StatusSuccess, "I-20260421-A3B1F2"},
		{"payment failed", `{"status":"success","data":{"ref_1":"B1","status":11,"rc":"88","msg":"BAYAR PLN.5463 GAGAL"}}`, "", "", flows.StatusFailed, ""},
		{"payment pending", `{"status":"success","data":{"ref_1":"B1","status":3,"msg":"BAYAR PLN.5463 SEDANG DIPROSES"}}`, "", "", flows.StatusPending, ""},
		{"neither", `{"status":"success","data":{"ref_1":"B1","status":1,"msg":"TRX PLN.5463 SUKSES"}}`, "", flows.KindUnknown, "", ""},
		{"no msg", `{"status":"success","data":{"ref_1":"B1","status":1}}`, "", flows.KindUnknown, "", ""},
		{"history shows the payment", none, `{"status":"success","data":{"ref_1":"B1","status":1,"msg":"BAYAR PLN.5463 SUKSES, SN:H1"}}`, "", flows.StatusSuccess, "H1"},
		{"both rows in history", none, `{"status":"success","data":[{"ref_1":"B1","status":1,"msg":"INQ PLN.5463 SUKSES"},{"ref_1":"B1","status":1,"msg":"BAYAR PLN.5463 SUKSES, SN:H2"}]}`, "", flows.StatusSuccess, "H2"},
		// The ref_1 was inquired: no record at all is not "only the inquiry".
		{"nothing anywhere", none, none, flows.KindUnknown, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := cannedClient(t, func(path string, body map[string]any) (int, string) {
				if path == "status" {
					if tt.status == none {
						return 404, none
					}
					return 200, tt.status
				}
				if tt.history == none || tt.history == "" {
					return 404, none
				}
				return 200, tt.history
			})
			res, err := c.CheckBill(context.Background(), flows.Bill{RefID: "B1", ProductCode: "PLNPASC", CustomerNumber: "546302215889"})
			if kindOf(err) != tt.wantKind || res.Status != tt.wantStatus || res.SN != tt.wantSN {
				t.Errorf("CheckBill = %+v, %v; want kind %q status %q sn %q", res, err, tt.wantKind, tt.wantStatus, tt.wantSN)
			}
			if rec.count("payment") != 0 {
				t.Error("CheckBill sent a payment")
			}
		})
	}
}

// TestPayBillAnswers: payment answers are classified as topup answers, and
// an answer that shows the inquiry is not the payment.
func TestPayBillAnswers(t *testing.T) {
	bayar := `{"status":"success","data":{"ref_1":"B1","status":1,"msg":"BAYAR PLN.5463 SUKSES, SN:P1"}}`
	tests := []struct {
		name       string
		code       int
		body       string
		wantKind   flows.ErrorKind
		wantStatus flows.Status
		wantReason flows.Reason
	}{
		{"paid", 200, `{"status":"success","rc":"00","data":{"ref_1":"B1","ref_2":"I-1","status":1,"total_price":"302750","msg":"BAYAR PLN.5463 SUKSES ..."}}`, "", flows.StatusSuccess, ""},
		{"answer shows the inquiry", 200, `{"status":"success","data":{"ref_1":"B1","status":1,"msg":"INQ PLN.5463 SUKSES"}}`, flows.KindUnknown, "", ""},
		{"already paid", 400, `{"status":"error","rc":"88"}`, flows.KindRejected, "", flows.ReasonBillPaid},
		{"expired", 400, `{"status":"error","rc":"54","message":"INQUIRY KADALUARSA"}`, flows.KindRejected, "", flows.ReasonBillExpired},
		{"balance", 400, `{"status":"error","rc":"51"}`, flows.KindRejected, "", flows.ReasonProviderBalance},
		{"timeout", 200, `{"status":"error","rc":"68"}`, flows.KindUnknown, "", ""},
		{"502", 502, `<html></html>`, flows.KindUnknown, "", ""},
		{"duplicate", 400, `{"status":"error","rc":"94"}`, "", flows.StatusSuccess, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := cannedClient(t, func(path string, body map[string]any) (int, string) {
				if path == "payment" {
					return tt.code, tt.body
				}
				return 200, bayar
			})
			bill := flows.Bill{RefID: "B1", ProductCode: "PLNPASC", CustomerNumber: "546302215889", Expires: time.Now().Add(time.Hour)}
			res, err := c.PayBill(context.Background(), bill)
			if kindOf(err) != tt.wantKind || res.Status != tt.wantStatus || flows.ReasonOf(err) != cmpReason(tt.wantReason) {
				t.Errorf("PayBill = %+v, %v; want kind %q status %q reason %q", res, err, tt.wantKind, tt.wantStatus, tt.wantReason)
			}
		})
	}
}

func cmpReason(r flows.Reason) flows.Reason {
	if r == "" {
		return flows.ReasonFailed
	}
	return r
}

func TestInquiryAnswers(t *testing.T) {
	tests := []struct {
		name     string
		code     int
		body     string
		wantKind flows.ErrorKind
		check    func(b flows.Bill) bool
	}{
		{"seed example", 200, `{"status":"success","code":200,"message":"success","rc":"00","data":{"ref_1":"INQ-1","ref_2":"I-20260421-A3B1F2","product_code":"PLN","product_name":"PLN PASCABAYAR","customer_id":"546302215889","status":1,"status_label":"success","price":"300000","admin":"2750","total_price":"302750","msg":"INQ PLN.546302215889 SUKSES, DATA:Anto ...","detail":{"no_pelanggan":"546302215889","nama":"Anto","bl_th":"APR26","tagihan":"300000"}}}`,
			"", func(b flows.Bill) bool {
				return b.CustomerName == "Anto" && b.Period == "APR26" && b.Amount == 300000 && b.AdminFee == 2750 &&
					b.Total == 302750 && b.ProviderTxID == "I-20260421-A3B1F2" && len(b.Details) == 0
			}},
		{"amount from detail, no total", 200, `{"status":"success","data":{"status":1,"admin":2500,"detail":{"nama":"Budi","tagihan":100000,"jumlah_peserta":3,"kelas":"III"}}}`,
			"", func(b flows.Bill) bool {
				return b.Amount == 100000 && b.Total == 102500 && slices.Equal(b.Details, []string{"Jumlah Peserta: 3", "Kelas: III"})
			}},
		{"no amount", 200, `{"status":"success","data":{"ref_1":"INQ-1","status":1}}`, flows.KindUnknown, nil},
		{"inquiry failed record", 200, `{"status":"error","rc":"14","data":{"ref_1":"INQ-1","status":11,"msg":"INQ GAGAL"}}`, flows.KindRejected, nil},
		{"inquiry pending", 200, `{"status":"success","data":{"ref_1":"INQ-1","status":2}}`, flows.KindUnknown, nil},
		{"duplicate ref", 400, `{"status":"error","rc":"94"}`, flows.KindUnknown, nil},
		{"bad detail", 200, `{"status":"success","data":{"ref_1":"INQ-1","status":1,"price":"1","detail":{"tagihan":"1.000"}}}`, flows.KindUnknown, nil},
		{"html", 200, `<html>`, flows.KindUnknown, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := cannedClient(t, func(string, map[string]any) (int, string) { return tt.code, tt.body })
			start := c.now()
			b, err := c.InquireBill(context.Background(), billReq("INQ-1", "PLN", "546302215889"))
			if kindOf(err) != tt.wantKind {
				t.Fatalf("InquireBill = %+v, %v; want kind %q", b, err, tt.wantKind)
			}
			if tt.check != nil && (!tt.check(b) || !b.Expires.Equal(start.Add(InquiryHold))) {
				t.Errorf("bill = %+v", b)
			}
		})
	}
}
