package tripay

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"topupbot/flows"
)

// FuzzParseCallback feeds arbitrary bodies and header values to
// ParseCallback, half the time with the body's true signature so that the
// decoder behind the signature check is reached. It must never panic,
// must answer one of the ErrCallback errors or a callback that holds what
// decodeCallback promises, and must never accept a body under another
// body's signature.
func FuzzParseCallback(f *testing.F) {
	for _, seed := range []string{
		paidBody,
		`{"reference":"DEV-T2","merchant_ref":"DEP2","total_amount":"20000","is_closed_payment":"1","status":"UNPAID"}`,
		`{"reference":"R","merchant_ref":"M","total_amount":1e3,"status":"REFUND","paid_at":"1796292000"}`,
		`{"reference":1,"merchant_ref":2,"total_amount":-1,"status":"FAILED"}`,
		`{"total_amount":"25.000"}`, `{"total_amount":1e999999}`, `[]`, `null`, ``, `{`, `{"status":true}`,
	} {
		f.Add([]byte(seed), true, "payment_status")
		f.Add([]byte(seed), false, "payment_status")
	}
	f.Add([]byte(paidBody), true, "")
	c, err := New(Config{MerchantCode: testMerchant, APIKey: testAPIKey, PrivateKey: testPrivate})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, sign bool, event string) {
		h := http.Header{"X-Callback-Event": {event}}
		if sign {
			h.Set("X-Callback-Signature", CallbackSignature(body, testPrivate))
		} else {
			h.Set("X-Callback-Signature", CallbackSignature(append([]byte("x"), body...), testPrivate))
		}
		cb, err := c.ParseCallback(h, body)
		if err != nil {
			if !errors.Is(err, ErrCallbackSignature) && !errors.Is(err, ErrCallbackEvent) &&
				!errors.Is(err, ErrCallbackTooLarge) && !errors.Is(err, ErrCallbackMalformed) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if !sign || strings.TrimSpace(event) != EventPayment || len(body) > MaxCallbackBody {
			t.Fatalf("accepted sign=%v event=%q len=%d: %+v", sign, event, len(body), cb)
		}
		if cb.Reference == "" || cb.MerchantRef == "" || cb.TotalAmount < 0 {
			t.Fatalf("accepted an incomplete callback %+v", cb)
		}
		switch cb.Status {
		case flows.PaymentUnpaid, flows.PaymentPaid, flows.PaymentExpired, flows.PaymentFailed, flows.PaymentRefund:
		default:
			t.Fatalf("accepted status %q", cb.Status)
		}
	})
}
