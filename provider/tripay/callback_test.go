package tripay

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"topupbot/flows"
)

const paidBody = `{"reference":"DEV-T1","merchant_ref":"DEP1","payment_method":"QRIS","payment_method_code":"QRIS",` +
	`"total_amount":50000,"fee_merchant":1100,"fee_customer":0,"total_fee":1100,"amount_received":48900,` +
	`"is_closed_payment":1,"status":"PAID","paid_at":1796292000,"note":null}`

func testClient(t *testing.T) *Client {
	t.Helper()
	c, err := New(Config{MerchantCode: testMerchant, APIKey: testAPIKey, PrivateKey: testPrivate})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func signed(body string) http.Header {
	return http.Header{
		"X-Callback-Signature": {CallbackSignature([]byte(body), testPrivate)},
		"X-Callback-Event":     {"payment_status"},
	}
}

func TestParseCallback(t *testing.T) {
	c := testClient(t)
	cb, err := c.ParseCallback(signed(paidBody), []byte(paidBody))
	if err != nil {
		t.Fatal(err)
	}
	want := flows.PaymentCallback{Reference: "DEV-T1", MerchantRef: "DEP1", Method: "QRIS", Status: flows.PaymentPaid,
		TotalAmount: 50000, FeeMerchant: 1100, AmountReceived: 48900, ClosedPayment: true, PaidAt: time.Unix(1796292000, 0)}
	if cb != want {
		t.Errorf("callback = %+v\nwant       %+v", cb, want)
	}
}

func TestParseCallbackRefusals(t *testing.T) {
	c := testClient(t)
	other := strings.Replace(paidBody, "50000", "500000", 1)
	upper := signed(paidBody)
	upper.Set("X-Callback-Signature", strings.ToUpper(upper.Get("X-Callback-Signature")))
	for _, tc := range []struct {
		name   string
		header http.Header
		body   string
		want   error // nil: accepted
	}{
		{"upper-case hex accepted", upper, paidBody, nil},
		{"no signature", http.Header{"X-Callback-Event": {"payment_status"}}, paidBody, ErrCallbackSignature},
		{"forged signature", http.Header{"X-Callback-Signature": {CallbackSignature([]byte(paidBody), "guess")},
			"X-Callback-Event": {"payment_status"}}, paidBody, ErrCallbackSignature},
		{"signature of another body", signed(paidBody), other, ErrCallbackSignature},
		{"signature of the request, not the body", http.Header{"X-Callback-Signature": {Sign(testMerchant, "DEP1", 50000, testPrivate)},
			"X-Callback-Event": {"payment_status"}}, paidBody, ErrCallbackSignature},
		{"wrong event", func() http.Header { h := signed(paidBody); h.Set("X-Callback-Event", "other"); return h }(), paidBody, ErrCallbackEvent},
		{"no event", http.Header{"X-Callback-Signature": {CallbackSignature([]byte(paidBody), testPrivate)}}, paidBody, ErrCallbackEvent},
		{"oversized", signed(strings.Repeat(" ", MaxCallbackBody+1)), strings.Repeat(" ", MaxCallbackBody+1), ErrCallbackTooLarge},
		{"malformed JSON", signed(`{"reference":`), `{"reference":`, ErrCallbackMalformed},
		{"array", signed(`[1]`), `[1]`, ErrCallbackMalformed},
		{"unknown status", signed(strings.Replace(paidBody, `"PAID"`, `"SETTLED"`, 1)), strings.Replace(paidBody, `"PAID"`, `"SETTLED"`, 1), ErrCallbackMalformed},
		{"no merchant ref", signed(strings.Replace(paidBody, `"DEP1"`, `""`, 1)), strings.Replace(paidBody, `"DEP1"`, `""`, 1), ErrCallbackMalformed},
		{"fractional amount", signed(strings.Replace(paidBody, `50000`, `50000.5`, 1)), strings.Replace(paidBody, `50000`, `50000.5`, 1), ErrCallbackMalformed},
		{"bad closed flag", signed(strings.Replace(paidBody, `"is_closed_payment":1`, `"is_closed_payment":"maybe"`, 1)),
			strings.Replace(paidBody, `"is_closed_payment":1`, `"is_closed_payment":"maybe"`, 1), ErrCallbackMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.ParseCallback(tc.header, []byte(tc.body))
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), CallbackSignature([]byte(tc.body), testPrivate)) {
				t.Errorf("error carries a signature: %v", err)
			}
		})
	}
}

// TestParseCallbackStrings: numbers and flags as strings, a boolean flag,
// a null paid_at and unknown fields all read.
func TestParseCallbackStrings(t *testing.T) {
	c := testClient(t)
	body := `{"reference":"DEV-T2","merchant_ref":"DEP2","payment_method":"QRIS by ShopeePay",` +
		`"total_amount":"20000","fee_merchant":"890.00","fee_customer":"0","amount_received":"19110",` +
		`"is_closed_payment":true,"status":"expired","paid_at":null,"note":"x","new_field":{"a":1}}`
	cb, err := c.ParseCallback(signed(body), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if cb.TotalAmount != 20000 || cb.FeeMerchant != 890 || cb.AmountReceived != 19110 || !cb.ClosedPayment ||
		cb.Status != flows.PaymentExpired || !cb.PaidAt.IsZero() || cb.Method != "QRIS by ShopeePay" || cb.Note != "x" {
		t.Errorf("callback = %+v", cb)
	}
	zero := strings.Replace(body, `"is_closed_payment":true`, `"is_closed_payment":"0"`, 1)
	if cb, err := c.ParseCallback(signed(zero), []byte(zero)); err != nil || cb.ClosedPayment {
		t.Errorf("is_closed_payment \"0\" = %+v, %v", cb, err)
	}
}
