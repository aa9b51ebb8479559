package iak

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"topupbot/flows"
)

const inquiryAnswer = `{"data":{"tr_id":9732792,"code":"PLNPOSTPAID","hp":"530000000000","tr_name":"SUBCRIBER NAME","period":"201608","nominal":300000,"admin":2500,"ref_id":"INQ1","response_code":"00","message":"INQUIRY SUCCESS","price":302500,"selling_price":301900,"desc":{"tarif":"R1","daya":1300,"lembar_tagihan":"1","tagihan":{"detail":[{"periode":"201608","nilai_tagihan":"300000","admin":"2500","denda":"5000","total":302500}]}}},"meta":[]}`

func newCannedAt(t *testing.T, now time.Time, reply func(string, map[string]any) (int, string)) (*Client, *canned) {
	t.Helper()
	fake := &canned{reply: reply}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := New(Config{PrepaidURL: srv.URL + "/prepaid", PostpaidURL: srv.URL + "/postpaid", Username: testUser, APIKey: testKey,
		HTTPClient: &http.Client{Timeout: 2 * time.Second}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return c, fake
}

func TestInquireBill(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, flows.WIB)
	c, fake := newCannedAt(t, now, func(string, map[string]any) (int, string) { return 200, inquiryAnswer })
	bill, err := c.InquireBill(context.Background(), flows.BillRequest{RefID: "INQ1", ProductCode: "PLNPOSTPAID", CustomerNumber: "530000000000"})
	if err != nil {
		t.Fatal(err)
	}
	if bill.CustomerName != "SUBCRIBER NAME" || bill.Amount != 300000 || bill.AdminFee != 2500 || bill.Total != 302500 ||
		bill.Cost != 301900 || bill.ProviderTxID != "9732792" || bill.Period != "201608" || bill.RefID != "INQ1" {
		t.Errorf("bill %+v", bill)
	}
	if want := time.Date(2026, 11, 23, 23, 0, 0, 0, flows.WIB); !bill.Expires.Equal(want) {
		t.Errorf("expires %s, want %s", bill.Expires, want)
	}
	wantLines := []string{"Tarif/Daya: R1/1300VA", "Lembar tagihan: 1", "Periode 201608: Rp 300.000, denda Rp 5.000"}
	if len(bill.Details) != len(wantLines) {
		t.Fatalf("details %q, want %q", bill.Details, wantLines)
	}
	for i := range wantLines {
		if bill.Details[i] != wantLines[i] {
			t.Errorf("detail %d = %q, want %q", i, bill.Details[i], wantLines[i])
		}
	}
	req := fake.requests()[0]
	b := req.body
	if req.path != "/postpaid/api/v1/bill/check" || b["commands"] != "inq-pasca" || b["code"] != "PLNPOSTPAID" ||
		b["hp"] != "530000000000" || b["ref_id"] != "INQ1" || b["sign"] != sign(testUser, testKey, "INQ1") || b["month"] != nil {
		t.Errorf("inquiry request %+v", req)
	}

	// BPJS asks for months.
	_, _ = c.InquireBill(context.Background(), flows.BillRequest{RefID: "INQ2", ProductCode: "BPJS", CustomerNumber: "8801234560000", Months: 2})
	if b := fake.requests()[1].body; b["month"] != "2" {
		t.Errorf("BPJS inquiry month = %v", b["month"])
	}
}

func TestInquireBillRefusals(t *testing.T) {
	tests := []struct {
		rc     string
		kind   flows.ErrorKind
		reason flows.Reason
	}{
		{"01", flows.KindRejected, flows.ReasonBillPaid},
		{"14", flows.KindRejected, flows.ReasonWrongNumber},
		{"103", flows.KindRejected, flows.ReasonServiceUnavailable},
		{"100", flows.KindMisconfigured, ""},
		{"102", flows.KindMisconfigured, ""},
		{"05", flows.KindUnknown, ""},
		{"777", flows.KindUnknown, ""},
	}
	for _, tt := range tests {
		c, _ := newCanned(t, func(string, map[string]any) (int, string) {
			return 200, `{"data":{"response_code":"` + tt.rc + `","message":"X"},"meta":[]}`
		})
		_, err := c.InquireBill(context.Background(), flows.BillRequest{RefID: "I1", ProductCode: "PLNPOSTPAID", CustomerNumber: "5300"})
		if flows.KindOf(err) != tt.kind || (tt.reason != "" && flows.ReasonOf(err) != tt.reason) {
			t.Errorf("rc %s: %v, want %s/%s", tt.rc, err, tt.kind, tt.reason)
		}
	}
	// A "success" without the tr_id to pay with is no bill.
	c, _ := newCanned(t, func(string, map[string]any) (int, string) {
		return 200, `{"data":{"response_code":"00","message":"INQUIRY SUCCESS","price":1000}}`
	})
	if _, err := c.InquireBill(context.Background(), flows.BillRequest{RefID: "I1"}); flows.KindOf(err) != flows.KindUnknown {
		t.Errorf("inquiry without tr_id: %v, want unknown", err)
	}
}

func testBill(now time.Time) flows.Bill {
	return flows.Bill{RefID: "INQ1", ProductCode: "PLNPOSTPAID", CustomerNumber: "530000000000", Total: 302500,
		ProviderTxID: "9732792", Expires: now.Add(time.Hour)}
}

func TestPayBill(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, flows.WIB)
	c, fake := newCannedAt(t, now, func(string, map[string]any) (int, string) {
		return 200, `{"data":{"tr_id":9732792,"code":"PLNPOSTPAID","datetime":"20261123100000","hp":"530000000000","tr_name":"SUBCRIBER NAME","period":"201608","nominal":300000,"admin":2500,"response_code":"00","message":"PAYMENT SUCCESS","price":302500,"selling_price":301900,"balance":997586108,"noref":"004212C9245F1BA43A77CEBD5CD5DA39","ref_id":"INQ1"},"meta":[]}`
	})
	r, err := c.PayBill(context.Background(), testBill(now))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != flows.StatusSuccess || r.SN != "004212C9245F1BA43A77CEBD5CD5DA39" || r.Price != 301900 || r.Balance != 997586108 {
		t.Errorf("result %+v", r)
	}
	b := fake.requests()[0].body
	if b["commands"] != "pay-pasca" || b["tr_id"] != "9732792" || b["sign"] != sign(testUser, testKey, "9732792") {
		t.Errorf("payment body %v", b)
	}

	// An expired inquiry is never paid: refused here, nothing sent.
	expired := testBill(now)
	expired.Expires = now.Add(-time.Minute)
	if _, err := c.PayBill(context.Background(), expired); flows.KindOf(err) != flows.KindRejected || flows.ReasonOf(err) != flows.ReasonBillExpired {
		t.Errorf("expired bill: %v", err)
	}
	if n := len(fake.requests()); n != 1 {
		t.Errorf("an expired bill reached IAK (%d requests)", n)
	}
}

// TestPayBillOutcomes pins DESIGN rule 8: the codes that leave a payment
// unknown are never a failure.
func TestPayBillOutcomes(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, flows.WIB)
	tests := []struct {
		name   string
		status int
		body   string
		kind   flows.ErrorKind // "" for a pending result
		reason flows.Reason
	}{
		{"05", 200, `{"data":{"response_code":"05"}}`, flows.KindUnknown, ""},
		{"39", 200, `{"data":{"response_code":"39","tr_id":9732792}}`, "", ""},
		{"91", 200, `{"data":{"response_code":"91"}}`, flows.KindUnknown, ""},
		{"92", 200, `{"data":{"response_code":"92"}}`, flows.KindUnknown, ""},
		{"103", 200, `{"data":{"response_code":"103"}}`, flows.KindUnknown, ""},
		{"105", 200, `{"data":{"response_code":"105"}}`, flows.KindUnknown, ""},
		{"201", 200, `{"data":{"response_code":"201"}}`, flows.KindUnknown, ""},
		{"no rc", 200, `{"data":{"message":"?"}}`, flows.KindUnknown, ""},
		{"504 html", 504, `<html>gateway</html>`, flows.KindUnknown, ""},
		{"truncated", 200, `{"data":{"response_code":"3`, flows.KindUnknown, ""},
		{"another tr_id", 200, `{"data":{"response_code":"37","tr_id":1}}`, flows.KindUnknown, ""},
		{"37", 200, `{"data":{"response_code":"37","message":"PAYMENT FAILED"}}`, flows.KindRejected, flows.ReasonFailed},
		{"04", 200, `{"data":{"response_code":"04"}}`, flows.KindRejected, flows.ReasonBillExpired},
		{"34", 200, `{"data":{"response_code":"34"}}`, flows.KindRejected, flows.ReasonBillPaid},
		{"109", 200, `{"data":{"response_code":"109"}}`, flows.KindRejected, flows.ReasonCutOff},
		{"17", 200, `{"data":{"response_code":"17"}}`, flows.KindRejected, flows.ReasonProviderBalance},
		{"100", 200, `{"data":{"response_code":"100"}}`, flows.KindMisconfigured, ""},
	}
	for _, tt := range tests {
		c, _ := newCannedAt(t, now, func(string, map[string]any) (int, string) { return tt.status, tt.body })
		r, err := c.PayBill(context.Background(), testBill(now))
		if tt.kind == "" {
			if err != nil || r.Status != flows.StatusPending {
				t.Errorf("%s: %+v %v, want pending", tt.name, r, err)
			}
			continue
		}
		if flows.KindOf(err) != tt.kind || (tt.reason != "" && flows.ReasonOf(err) != tt.reason) {
			t.Errorf("%s: %v, want %s/%s", tt.name, err, tt.kind, tt.reason)
		}
	}
}

func TestCheckBill(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, flows.WIB)
	tests := []struct {
		name   string
		body   string
		status flows.Status
		kind   flows.ErrorKind
	}{
		{"paid", `{"data":{"status":1,"response_code":"00","noref":"NR1","ref_id":"INQ1"}}`, flows.StatusSuccess, ""},
		{"failed", `{"data":{"status":2,"response_code":"37","noref":""}}`, flows.StatusFailed, ""},
		{"in process", `{"data":{"status":3,"response_code":"39"}}`, flows.StatusPending, ""},
		{"not received", `{"data":{"status":0,"response_code":"42","message":"REQUEST PEMBAYARAN BELUM DITERIMA"}}`, "", flows.KindNotFound},
		{"status as string", `{"data":{"status":"1","response_code":"00"}}`, flows.StatusSuccess, ""},
		{"no status, 00", `{"data":{"response_code":"00","message":"PAYMENT SUCCESS"}}`, flows.StatusSuccess, ""},
		{"no status, 37", `{"data":{"response_code":"37"}}`, flows.StatusFailed, ""},
		{"no status, 39", `{"data":{"response_code":"39"}}`, flows.StatusPending, ""},
		{"no status, 42", `{"data":{"response_code":"42"}}`, flows.StatusPending, ""},
		{"no status, 05", `{"data":{"response_code":"05"}}`, "", flows.KindUnknown},
		{"bad sign", `{"data":{"response_code":"100"}}`, "", flows.KindMisconfigured},
		{"odd status", `{"data":{"status":9,"response_code":"00"}}`, "", flows.KindUnknown},
		{"another ref", `{"data":{"status":1,"response_code":"00","ref_id":"OTHER"}}`, "", flows.KindUnknown},
	}
	for _, tt := range tests {
		c, fake := newCannedAt(t, now, func(string, map[string]any) (int, string) { return 200, tt.body })
		r, err := c.CheckBill(context.Background(), testBill(now))
		if tt.kind != "" {
			if flows.KindOf(err) != tt.kind {
				t.Errorf("%s: %+v %v, want %s", tt.name, r, err, tt.kind)
			}
		} else if err != nil || r.Status != tt.status {
			t.Errorf("%s: %+v %v, want %s", tt.name, r, err, tt.status)
		}
		b := fake.requests()[0].body
		if b["commands"] != "checkstatus" || b["ref_id"] != "INQ1" || b["sign"] != sign(testUser, testKey, "cs") {
			t.Errorf("%s: checkstatus body %v", tt.name, b)
		}
	}
}

func TestPostpaidPricelist(t *testing.T) {
	c, fake := newCanned(t, func(string, map[string]any) (int, string) {
		return 200, `{"data":{"pasca":[{"code":"PLNPOSTPAID","name":"PLN POSTPAID","status":1,"fee":2500,"komisi":700,"type":"pln","category":"postpaid"},{"code":"AETRA","name":"AETRA","status":4,"fee":"2500","komisi":"700","type":"pdam","province":"DKI Jakarta","category":"postpaid"}]},"meta":[]}`
	})
	items, err := c.PostpaidPricelist(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || !items[0].Active || items[1].Active || items[1].Fee != 2500 || items[1].Province != "DKI Jakarta" {
		t.Errorf("items %+v", items)
	}
	p := items[0].product()
	if p.Kind != flows.Postpaid || p.Category != flows.CategoryBill || p.Number != flows.NumberBill || p.Code != "PLNPOSTPAID" {
		t.Errorf("product %+v", p)
	}
	if b := fake.requests()[0].body; b["commands"] != "pricelist-pasca" || b["sign"] != sign(testUser, testKey, "pl") {
		t.Errorf("body %v", b)
	}
}
