package iak

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"topupbot/flows"
)

// TestResendRefusalIsConfirmed pins DESIGN rule 4's exception: an
// unacknowledged order whose same-ref re-send is refused without a
// transaction (status 2, a failure rc, tr_id 0 or absent) is confirmed with
// check-status. A transaction found there decides by its own state; rc 06
// fails the order only for a refusal that is a property of the order (14,
// 16, 20, 13) and a first send older than 2 × the provider timeout; any
// other refusal keeps it pending.
func TestResendRefusalIsConfirmed(t *testing.T) {
	const timeout = 30 * time.Second
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB)
	old := now.Add(-2*timeout - time.Second)
	young := now.Add(-2 * timeout) // not older than 2 × timeout
	const notFound = `{"data":{"ref_id":"R1","status":2,"message":"TRANSACTION NOT FOUND","tr_id":0,"rc":"06"}}`
	refusal := func(rc string) string {
		return fmt.Sprintf(`{"data":{"ref_id":"R1","status":2,"product_code":"htelkomsel10000","customer_id":"081234567890","price":0,"message":"REFUSED","balance":1000,"tr_id":0,"rc":%q}}`, rc)
	}
	type want struct {
		status flows.Status    // for a Result
		kind   flows.ErrorKind // for an error
		reason flows.Reason
		sn     string
	}
	pending := want{kind: flows.KindUnknown}
	rejected := func(r flows.Reason) want { return want{kind: flows.KindRejected, reason: r} }
	tests := []struct {
		name        string
		resend      string
		checkStatus string
		sentAt      time.Time
		want        want
	}{
		// A property of the order: the first send met it too.
		{"14 old", refusal("14"), notFound, old, rejected(flows.ReasonWrongNumber)},
		{"16 old", refusal("16"), notFound, old, rejected(flows.ReasonOperatorMismatch)},
		{"20 old", refusal("20"), notFound, old, rejected(flows.ReasonProductUnavailable)},
		{"13 old", refusal("13"), notFound, old, rejected(flows.ReasonNumberBlocked)},
		{"14 old, tr_id absent", `{"data":{"ref_id":"R1","status":2,"message":"INCORRECT DESTINATION NUMBER","rc":"14"}}`, notFound, old, rejected(flows.ReasonWrongNumber)},
		{"14 old, no status", `{"data":{"rc":"14","message":"INCORRECT DESTINATION NUMBER"}}`, notFound, old, rejected(flows.ReasonWrongNumber)},
		// … but the first send may not have been registered yet.
		{"14 young", refusal("14"), notFound, young, pending},
		{"16 young", refusal("16"), notFound, young, pending},
		{"20 young", refusal("20"), notFound, young, pending},
		{"13 young", refusal("13"), notFound, young, pending},
		{"14 first send time unknown", refusal("14"), notFound, time.Time{}, pending},
		// Refusals of the request: the first send may live on, even with 06.
		{"17 deposit", refusal("17"), notFound, old, pending},
		{"106 out of service", refusal("106"), notFound, old, pending},
		{"110 maintenance", refusal("110"), notFound, old, pending},
		{"202 once a day", refusal("202"), notFound, old, pending},
		{"rc the table lacks", refusal("999"), notFound, old, pending},
		{"status 2 without rc", `{"data":{"ref_id":"R1","status":2,"tr_id":0}}`, notFound, old, pending},
		// check-status finds the transaction: its own state decides.
		{"17, transaction succeeded", refusal("17"),
			`{"data":{"ref_id":"R1","status":1,"price":10850,"message":"SUCCESS","sn":"SN123","tr_id":3482,"rc":"00"}}`, old,
			want{status: flows.StatusSuccess, sn: "SN123"}},
		{"14, transaction succeeded", refusal("14"),
			`{"data":{"ref_id":"R1","status":1,"price":10850,"message":"SUCCESS","sn":"SN123","tr_id":3482,"rc":"00"}}`, young,
			want{status: flows.StatusSuccess, sn: "SN123"}},
		{"17, transaction failed", refusal("17"),
			`{"data":{"ref_id":"R1","status":2,"price":10850,"message":"FAILED","tr_id":3482,"rc":"07"}}`, young,
			want{status: flows.StatusFailed, reason: flows.ReasonFailed}},
		{"202, transaction in process", refusal("202"),
			`{"data":{"ref_id":"R1","status":0,"price":10850,"message":"PROCESS","tr_id":3482,"rc":"39"}}`, old,
			want{status: flows.StatusPending}},
		// check-status refusing too is no transaction's state.
		{"14, check-status failure without tr_id", refusal("14"), refusal("14"), old, pending},
		{"14, check-status down", refusal("14"), `<html>502</html>`, old, pending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var checks atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/api/top-up":
					fmt.Fprint(w, tt.resend)
				case "/api/check-status":
					checks.Add(1)
					fmt.Fprint(w, tt.checkStatus)
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			c, err := New(Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: testUser, APIKey: testKey,
				HTTPClient: &http.Client{Timeout: 2 * time.Second}, Timeout: timeout, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Check(context.Background(), flows.OrderRequest{RefID: "R1", ProductCode: "htelkomsel10000",
				CustomerNumber: "081234567890", SentAt: tt.sentAt})
			if n := checks.Load(); n != 1 {
				t.Errorf("check-status asked %d times, want once", n)
			}
			if tt.want.kind != "" {
				if err == nil {
					t.Fatalf("result %+v, want %s", res, tt.want.kind)
				}
				if got := flows.KindOf(err); got != tt.want.kind {
					t.Fatalf("kind %s (%v), want %s", got, err, tt.want.kind)
				}
				if tt.want.reason != "" && flows.ReasonOf(err) != tt.want.reason {
					t.Errorf("reason %s, want %s", flows.ReasonOf(err), tt.want.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v, want %s", err, tt.want.status)
			}
			if res.Status != tt.want.status || res.Reason != tt.want.reason || res.SN != tt.want.sn || !res.Acknowledged {
				t.Errorf("result %+v, want %s/%q sn %q, acknowledged", res, tt.want.status, tt.want.reason, tt.want.sn)
			}
		})
	}
}

// TestResendRefusalTimeoutDefault: without a Timeout of its own the client
// measures a first send's age against its HTTP client's timeout.
func TestResendRefusalTimeoutDefault(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/top-up" {
			fmt.Fprint(w, `{"data":{"ref_id":"R1","status":2,"tr_id":0,"rc":"14","message":"INCORRECT DESTINATION NUMBER"}}`)
			return
		}
		fmt.Fprint(w, `{"data":{"ref_id":"R1","status":2,"tr_id":0,"rc":"06"}}`)
	}))
	defer srv.Close()
	c, err := New(Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: testUser, APIKey: testKey,
		HTTPClient: &http.Client{Timeout: 5 * time.Second}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		age  time.Duration
		want flows.ErrorKind
	}{{9 * time.Second, flows.KindUnknown}, {11 * time.Second, flows.KindRejected}} {
		_, err := c.Check(context.Background(), flows.OrderRequest{RefID: "R1", ProductCode: "x", CustomerNumber: "0812",
			SentAt: now.Add(-tt.age)})
		if got := flows.KindOf(err); got != tt.want {
			t.Errorf("first send %s old: %s (%v), want %s", tt.age, got, err, tt.want)
		}
	}
}

// TestResendRefusalNeedsACleanNotFound: the refusal exception fails an order
// only on check-status's plain "not found" (rc 06, tr_id 0 or none, status 2
// or none). An answer that says 06 yet names a transaction (a tr_id) or a
// state in process or succeeded contradicts itself, and money never moves on
// a self-contradicting answer (DESIGN rule 3): the order stays pending.
func TestResendRefusalNeedsACleanNotFound(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB)
	const refusal = `{"data":{"ref_id":"R1","status":2,"tr_id":0,"rc":"14","message":"INCORRECT DESTINATION NUMBER"}}`
	for _, tt := range []struct {
		name, checkStatus string
		want              flows.ErrorKind
	}{
		{"plain 06", `{"data":{"ref_id":"R1","status":2,"tr_id":0,"rc":"06","message":"TRANSACTION NOT FOUND"}}`, flows.KindRejected},
		{"bare 06", `{"data":{"rc":"06"}}`, flows.KindRejected},
		{"06 with a tr_id", `{"data":{"ref_id":"R1","status":2,"tr_id":3482,"rc":"06"}}`, flows.KindUnknown},
		{"06 in process", `{"data":{"ref_id":"R1","status":0,"tr_id":0,"rc":"06"}}`, flows.KindUnknown},
		{"06 succeeded", `{"data":{"ref_id":"R1","status":1,"sn":"SN1","rc":"06"}}`, flows.KindUnknown},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/api/top-up" {
					fmt.Fprint(w, refusal)
					return
				}
				fmt.Fprint(w, tt.checkStatus)
			}))
			defer srv.Close()
			c, err := New(Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: testUser, APIKey: testKey,
				HTTPClient: &http.Client{Timeout: 2 * time.Second}, Timeout: 30 * time.Second, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Check(context.Background(), flows.OrderRequest{RefID: "R1", ProductCode: "htelkomsel10000",
				CustomerNumber: "081234567890", SentAt: now.Add(-time.Hour)})
			if got := flows.KindOf(err); got != tt.want {
				t.Errorf("kind %s (%v), want %s", got, err, tt.want)
			}
		})
	}
}
