package tripay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"topupbot/flows"
)

// TestCreateKinds: what each kind of create answer lets the deposit flow
// conclude. Only a definite refusal is rejected; only a refusal of our
// credentials is misconfigured; everything that may hide a created payment
// is unknown.
func TestCreateKinds(t *testing.T) {
	okRecord := `{"success":true,"message":"","data":{"reference":"DEV-T1","merchant_ref":"DEP1","payment_method":"QRIS",
		"amount":"10000.00","fee_merchant":820,"fee_customer":0,"total_fee":820,"amount_received":"9180",
		"qr_string":"000201","status":"UNPAID","expired_time":1796292000}}`
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   flows.ErrorKind // "" for success
	}{
		{"created, numbers as strings", 200, okRecord, ""},
		{"invalid api key 401", 401, `{"success":false,"message":"Invalid API Key"}`, flows.KindMisconfigured},
		{"forbidden 403", 403, `{"success":false,"message":"IP not allowed"}`, flows.KindMisconfigured},
		{"invalid signature 400", 400, `{"success":false,"message":"Invalid signature"}`, flows.KindMisconfigured},
		{"validation 400", 400, `{"success":false,"message":"Amount must be between 1000 and 10000000"}`, flows.KindRejected},
		{"validation 422", 422, `{"success":false,"message":"The customer name field is required."}`, flows.KindRejected},
		{"duplicate merchant ref 400", 400, `{"success":false,"message":"Duplicate merchant_ref"}`, flows.KindUnknown},
		{"refusal with 404", 404, `{"success":false,"message":"Not found"}`, flows.KindUnknown},
		{"500 html", 500, `<html>oops</html>`, flows.KindUnknown},
		{"500 json refusal", 500, `{"success":false,"message":"Internal error"}`, flows.KindUnknown},
		{"502", 502, `bad gateway`, flows.KindUnknown},
		{"429", 429, `{"success":false,"message":"Too many requests"}`, flows.KindUnknown},
		{"garbage 200", 200, `not json at all`, flows.KindUnknown},
		{"no success field", 200, `{"message":"ok"}`, flows.KindUnknown},
		{"success without data", 200, `{"success":true}`, flows.KindUnknown},
		{"success with 400", 400, `{"success":true,"data":{}}`, flows.KindUnknown},
		{"unknown status", 200, strings.Replace(okRecord, `"UNPAID"`, `"MAYBE"`, 1), flows.KindUnknown},
		{"fractional amount", 200, strings.Replace(okRecord, `"10000.00"`, `10000.5`, 1), flows.KindUnknown},
		{"another merchant ref", 200, strings.Replace(okRecord, `"DEP1"`, `"DEP9"`, 1), flows.KindUnknown},
		{"no reference", 200, strings.Replace(okRecord, `"DEV-T1"`, `""`, 1), flows.KindUnknown},
		{"oversized", 200, `{"success":true,"data":{"pad":"` + strings.Repeat("x", MaxAnswer) + `"}}`, flows.KindUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := rawServer(t, tc.status, tc.body)
			p, err := c.CreatePayment(context.Background(), flows.PaymentRequest{MerchantRef: "DEP1", Method: "QRIS", Amount: 10_000})
			if got := flows.KindOf(err); got != tc.want {
				t.Fatalf("kind = %q (%v), want %q", got, err, tc.want)
			}
			if err != nil {
				var pe *flows.ProviderError
				if !errors.As(err, &pe) || pe.Op != "tripay: create payment" {
					t.Errorf("err = %#v, want a ProviderError of the create", err)
				}
				assertNoSecrets(t, err)
				return
			}
			if p.Amount != 10_000 || p.AmountReceived != 9_180 || p.Reference != "DEV-T1" {
				t.Errorf("payment = %+v", p)
			}
		})
	}
}

func TestCreateRefusedLocally(t *testing.T) {
	c, hits := rawServer(t, 200, `{}`)
	_, err := c.CreatePayment(context.Background(), flows.PaymentRequest{MerchantRef: "DEP1", Method: "QRIS"})
	if flows.KindOf(err) != flows.KindRejected || *hits != 0 {
		t.Errorf("zero amount = %v after %d requests, want rejected before any", err, *hits)
	}
}

func TestLookupKinds(t *testing.T) {
	rec := `{"reference":"DEV-T1","merchant_ref":"DEP1","amount":10000,"status":"%s","paid_at":%s}`
	for _, tc := range []struct {
		name, body string
		status     int
		want       flows.ErrorKind
		wantStatus flows.PaymentStatus
	}{
		{"one", `{"success":true,"data":[` + fmt.Sprintf(rec, "UNPAID", "null") + `]}`, 200, "", flows.PaymentUnpaid},
		{"paid wins", `{"success":true,"data":[` + fmt.Sprintf(rec, "EXPIRED", "null") + `,` + fmt.Sprintf(rec, "PAID", `"1796292000"`) + `]}`, 200, "", flows.PaymentPaid},
		{"empty list", `{"success":true,"data":[]}`, 200, flows.KindNotFound, ""},
		{"other refs only", `{"success":true,"data":[{"reference":"DEV-T2","merchant_ref":"DEP2","amount":1,"status":"PAID"}]}`, 200, flows.KindNotFound, ""},
		{"data not a list", `{"success":true,"data":{}}`, 200, flows.KindUnknown, ""},
		{"bad record", `{"success":true,"data":[{"reference":"DEV-T1","merchant_ref":"DEP1","status":"PAID"}]}`, 200, flows.KindUnknown, ""},
		{"401", `{"success":false,"message":"Invalid API Key"}`, 401, flows.KindMisconfigured, ""},
		{"500", `{"success":false}`, 500, flows.KindUnknown, ""},
		{"garbage", `<html>`, 200, flows.KindUnknown, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := rawServer(t, tc.status, tc.body)
			p, err := c.FindPayment(context.Background(), "DEP1")
			if got := flows.KindOf(err); got != tc.want {
				t.Fatalf("kind = %q (%v), want %q", got, err, tc.want)
			}
			if err == nil && p.Status != tc.wantStatus {
				t.Errorf("status = %s, want %s", p.Status, tc.wantStatus)
			}
		})
	}
	for _, tc := range []struct {
		name, body string
		status     int
		want       flows.ErrorKind
	}{
		{"found", `{"success":true,"data":` + fmt.Sprintf(rec, "PAID", "1796292000") + `}`, 200, ""},
		{"not found 404", `{"success":false,"message":"Transaction not found"}`, 404, flows.KindNotFound},
		{"not found 400", `{"success":false,"message":"Transaksi tidak ditemukan"}`, 400, flows.KindNotFound},
		{"other refusal", `{"success":false,"message":"Something"}`, 400, flows.KindUnknown},
		{"another reference", `{"success":true,"data":{"reference":"DEV-T9","amount":1,"status":"PAID"}}`, 200, flows.KindUnknown},
		{"503", `down`, 503, flows.KindUnknown},
	} {
		t.Run("detail "+tc.name, func(t *testing.T) {
			c, _ := rawServer(t, tc.status, tc.body)
			_, err := c.PaymentDetail(context.Background(), "DEV-T1")
			if got := flows.KindOf(err); got != tc.want {
				t.Fatalf("kind = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

func TestTimeoutAndNetwork(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	c, err := New(Config{BaseURL: srv.URL, MerchantCode: testMerchant, APIKey: testAPIKey, PrivateKey: testPrivate,
		HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreatePayment(context.Background(), flows.PaymentRequest{MerchantRef: "DEP1", Method: "QRIS", Amount: 10_000})
	if flows.KindOf(err) != flows.KindUnknown {
		t.Errorf("timeout = %v, want unknown", err)
	}
	assertNoSecrets(t, err)

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	c2, _ := New(Config{BaseURL: closed.URL, MerchantCode: testMerchant, APIKey: testAPIKey, PrivateKey: testPrivate})
	if _, err := c2.FindPayment(context.Background(), "DEP1"); flows.KindOf(err) != flows.KindUnknown {
		t.Errorf("connection refused = %v, want unknown", err)
	}
}

// TestSecretsNeverInErrors: a gateway that echoes the api key or the
// signature in its messages does not put them in our errors.
func TestSecretsNeverInErrors(t *testing.T) {
	sig := Sign(testMerchant, "DEP1", 10_000, testPrivate)
	for _, body := range []string{
		`{"success":false,"message":"bad key ` + testAPIKey + `"}`,
		`{"success":false,"message":"field signature ` + sig + ` is wrong"}`,
		`{"success":false,"message":"amount invalid for ` + sig + `"}`,
		`<html>` + testAPIKey + ` ` + sig + `</html>`,
	} {
		for _, status := range []int{400, 401, 500} {
			c, _ := rawServer(t, status, body)
			_, err := c.CreatePayment(context.Background(), flows.PaymentRequest{MerchantRef: "DEP1", Method: "QRIS", Amount: 10_000})
			if err == nil {
				t.Fatalf("no error for %d %s", status, body)
			}
			assertNoSecrets(t, err)
		}
	}
	c, _ := New(Config{MerchantCode: testMerchant, APIKey: testAPIKey, PrivateKey: testPrivate})
	if s := c.String(); strings.Contains(s, testAPIKey) || strings.Contains(s, testPrivate) {
		t.Errorf("String() = %s", s)
	}
}

func assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	for _, secret := range []string{testAPIKey, testPrivate, Sign(testMerchant, "DEP1", 10_000, testPrivate)} {
		if strings.Contains(msg, secret) {
			t.Errorf("error carries a secret: %s", msg)
		}
	}
}

// rawServer answers every request with status and body, after checking the
// request carries the Bearer key; hits counts the requests.
func rawServer(t *testing.T, status int, body string) (*Client, *int) {
	t.Helper()
	hits := new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*hits++
		if r.Header.Get("Authorization") != "Bearer "+testAPIKey {
			t.Errorf("Authorization = %q", r.Header.Get("Authorization"))
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, MerchantCode: testMerchant, APIKey: testAPIKey, PrivateKey: testPrivate,
		HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return c, hits
}

func TestNewNeedsCredentials(t *testing.T) {
	_, err := New(Config{BaseURL: "ftp://x"})
	for _, want := range []string{"merchant code", "api key", "private key", "https://"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New error %v does not name %s", err, want)
		}
	}
}
