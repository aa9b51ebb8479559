package tripaysim

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The simulator is tested on the wire, without the client: it is an
// independent reading of Tripay's documents.

const (
	merchant = "T0001"
	apiKey   = "DEV-key-0123"
	private  = "priv-0123"
)

func sign(msg string) string {
	m := hmac.New(sha256.New, []byte(private))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func TestFee(t *testing.T) {
	for _, tc := range []struct{ amount, want int64 }{
		{10_000, 820}, {50_000, 1_100}, {10_001, 821}, {1_000, 757}, {143, 752},
	} {
		if got := Fee(tc.amount); got != tc.want {
			t.Errorf("Fee(%d) = %d, want %d", tc.amount, got, tc.want)
		}
	}
}

type env struct {
	Success bool
	Message string
	Data    json.RawMessage
}

func call(t *testing.T, srv *httptest.Server, method, path, key, body string) (int, env) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e env
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &e)
	return resp.StatusCode, e
}

func createBody(ref string, amount int64, sig string) string {
	b, _ := json.Marshal(map[string]any{
		"method": "QRIS", "merchant_ref": ref, "amount": amount, "customer_name": "Budi",
		"order_items": []map[string]any{{"name": "Deposit", "price": amount, "quantity": 1}},
		"signature":   sig,
	})
	return string(b)
}

func TestCreateIsStrict(t *testing.T) {
	sim := New(Options{MerchantCode: merchant, APIKey: apiKey, PrivateKey: private})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	good := sign(merchant + "D1" + "10000")
	for _, tc := range []struct {
		name, key, body string
		want            int
	}{
		{"no key", "", createBody("D1", 10000, good), 401},
		{"wrong key", "nope", createBody("D1", 10000, good), 401},
		{"wrong signature", apiKey, createBody("D1", 10000, sign(merchant+"D1"+"10001")), 401},
		{"not json", apiKey, "amount=1", 400},
		{"too small", apiKey, createBody("D1", 999, sign(merchant+"D1"+"999")), 400},
		{"items off", apiKey, strings.Replace(createBody("D1", 10000, good), `"price":10000`, `"price":9000`, 1), 400},
		{"maintenance 002", apiKey, createBody("D2", 10002, sign(merchant+"D2"+"10002")), 400},
		{"ok", apiKey, createBody("D1", 10000, good), 200},
		{"duplicate", apiKey, createBody("D1", 10000, good), 400},
		{"lost 001", apiKey, createBody("D3", 10001, sign(merchant+"D3"+"10001")), 500},
	} {
		if status, e := call(t, srv, "POST", "/api-sandbox/transaction/create", tc.key, tc.body); status != tc.want {
			t.Errorf("%s: HTTP %d %+v, want %d", tc.name, status, e, tc.want)
		}
	}
	got := sim.Payments()
	if len(got) != 2 || got["D1"] != "UNPAID" || got["D3"] != "UNPAID" {
		t.Errorf("payments = %v, want D1 and D3 (created before its lost answer)", got)
	}
	if status, e := call(t, srv, "GET", "/api/merchant/transactions?merchant_ref=D3", apiKey, ""); status != 200 || !strings.Contains(string(e.Data), `"D3"`) {
		t.Errorf("list = %d %s", status, e.Data)
	}
	if status, _ := call(t, srv, "GET", "/transaction/detail?reference=nope", apiKey, ""); status != 404 {
		t.Errorf("unknown detail = %d, want 404", status)
	}
}

// TestCallbacksSignedAndRetried: each change is one signed callback,
// retried on every DeliverCallbacks until the merchant answers
// {"success":true}; statuses only move forward.
func TestCallbacksSignedAndRetried(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	answers := []string{`{"success":false}`, `ok`, `{"success":true}`}
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Callback-Event") != "payment_status" || r.Header.Get("X-Callback-Signature") != sign(string(body)) {
			t.Errorf("headers %v for %s", r.Header, body)
		}
		mu.Lock()
		defer mu.Unlock()
		bodies = append(bodies, string(body))
		_, _ = io.WriteString(w, answers[min(len(bodies)-1, len(answers)-1)])
	}))
	defer cb.Close()
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	sim := New(Options{MerchantCode: merchant, APIKey: apiKey, PrivateKey: private, CallbackURL: cb.URL,
		Now: func() time.Time { return now }})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	if status, e := call(t, srv, "POST", "/transaction/create", apiKey, createBody("D1", 10000, sign(merchant+"D1"+"10000"))); status != 200 {
		t.Fatalf("create = %d %+v", status, e)
	}
	if err := sim.Pay("D1"); err != nil {
		t.Fatal(err)
	}
	if err := sim.Pay("D1"); err == nil {
		t.Error("paid twice")
	}
	if err := sim.Expire("D1"); err == nil {
		t.Error("a paid payment expired")
	}
	if err := sim.Pay("nope"); err == nil {
		t.Error("paid an unknown ref")
	}
	for i, want := range []int{1, 1, 0} {
		if left := sim.DeliverCallbacks(context.Background()); left != want {
			t.Fatalf("round %d: %d queued, want %d", i, left, want)
		}
	}
	if len(bodies) != 3 || bodies[0] != bodies[2] || !strings.Contains(bodies[0], `"status":"PAID"`) ||
		!strings.Contains(bodies[0], `"total_amount":10000`) || !strings.Contains(bodies[0], `"paid_at":`+"1796288400") {
		t.Errorf("bodies = %q", bodies)
	}
}
