package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"topupbot/flows"
	"topupbot/internal/testlog"
	"topupbot/provider/tripay"
)

// TestTripayCallbackHandler: a signed payment_status callback is applied
// and acknowledged; a forged or oversized one, or another event, changes
// nothing; a payment of no deposit of ours is acknowledged; a failure on
// our side answers 500 so that Tripay calls again.
func TestTripayCallbackHandler(t *testing.T) {
	t.Parallel()
	const private = "priv-test-key"
	c, err := tripay.New(tripay.Config{BaseURL: "http://127.0.0.1:1/", MerchantCode: "T1", APIKey: "k", PrivateKey: private})
	if err != nil {
		t.Fatal(err)
	}
	var applied []flows.PaymentCallback
	var answer error
	h := tripayCallback(c, func(ctx context.Context, cb flows.PaymentCallback) error {
		applied = append(applied, cb)
		return answer
	}, testlog.New(t).Logger())
	body := `{"reference":"T1000","merchant_ref":"D1","payment_method":"QRIS","payment_method_code":"QRIS",` +
		`"total_amount":50750,"fee_merchant":0,"fee_customer":750,"total_fee":750,"amount_received":50000,` +
		`"is_closed_payment":1,"status":"PAID","paid_at":1764748800,"note":null}`
	post := func(body, sig, event string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/callback/tripay", strings.NewReader(body))
		r.Header.Set(tripay.SignatureHeader, sig)
		r.Header.Set(tripay.EventHeader, event)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	sig := tripay.CallbackSignature([]byte(body), private)
	for _, tc := range []struct {
		name, body, sig, event string
		answer                 error
		code                   int
		applied                bool
	}{
		{"paid", body, sig, tripay.EventPayment, nil, 200, true},
		{"forged", body, strings.Repeat("0", 64), tripay.EventPayment, nil, 403, false},
		{"another body", strings.Replace(body, "50750", "99999", 1), sig, tripay.EventPayment, nil, 403, false},
		{"another event", body, sig, "something_else", nil, 200, false},
		{"oversized", strings.Repeat(" ", tripay.MaxCallbackBody+1), "x", tripay.EventPayment, nil, 413, false},
		{"no deposit of ours", body, sig, tripay.EventPayment, fmt.Errorf("x: %w", flows.ErrUnknownPayment), 200, true},
		{"our failure", body, sig, tripay.EventPayment, errors.New("disk full"), 500, true},
	} {
		applied, answer = nil, tc.answer
		w := post(tc.body, tc.sig, tc.event)
		if w.Code != tc.code || (len(applied) == 1) != tc.applied {
			t.Errorf("%s: %d, applied %d, want %d and %v", tc.name, w.Code, len(applied), tc.code, tc.applied)
		}
		want := `{"success":true}`
		if tc.code != 200 {
			want = `{"success":false}`
		}
		if got := strings.TrimSpace(w.Body.String()); got != want {
			t.Errorf("%s: body %s, want %s", tc.name, got, want)
		}
		if tc.applied && (applied[0].MerchantRef != "D1" || applied[0].TotalAmount != 50750 || applied[0].Status != flows.PaymentPaid) {
			t.Errorf("%s: applied %+v", tc.name, applied[0])
		}
	}
}
