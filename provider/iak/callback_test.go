package iak

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"topupbot/flows"
)

type callbackSink struct {
	mu  sync.Mutex
	got []Callback
	err error
}

func (s *callbackSink) handle(_ context.Context, cb Callback) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, cb)
	return s.err
}

func (s *callbackSink) calls() []Callback {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Callback(nil), s.got...)
}

func callbackBodyFor(ref, signature string) string {
	return fmt.Sprintf(`{"data":{"ref_id":%q,"status":"1","product_code":"xld25000","customer_id":"0817777215","price":"25000","message":"SUCCESS","sn":"123456789","balance":"997061249","tr_id":"3482","rc":"00","sign":%q}}`, ref, signature)
}

func newCallbackHandler(t *testing.T, allowed []string, logs *bytes.Buffer) (http.Handler, *callbackSink) {
	t.Helper()
	c, err := New(Config{Username: testUser, APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	sink := &callbackSink{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := c.CallbackHandler(CallbackOptions{AllowedIPs: allowed, Handle: sink.handle, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	return h, sink
}

func postCallback(h http.Handler, remote, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/callback/iak", strings.NewReader(body))
	req.RemoteAddr = remote
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestCallbackHandler(t *testing.T) {
	validSign := sign(testUser, testKey, "order002")
	oversized := callbackBodyFor("order002", validSign)
	oversized = oversized[:len(oversized)-2] + `,"pad":"` + strings.Repeat("x", MaxCallbackBody) + `"}}`
	tests := []struct {
		name    string
		remote  string
		body    string
		allowed []string
		code    int
		handled bool
	}{
		{"valid", "203.0.113.9:4000", callbackBodyFor("order002", validSign), nil, 200, true},
		{"valid, upper-case sign", "203.0.113.9:4000", callbackBodyFor("order002", strings.ToUpper(validSign)), nil, 200, true},
		{"valid from an allowed ip", "52.220.38.194:4000", callbackBodyFor("order002", validSign), []string{"52.220.38.194"}, 200, true},
		{"valid from an allowed prefix", "52.76.169.212:4000", callbackBodyFor("order002", validSign), []string{"52.76.169.0/24"}, 200, true},
		{"ipv4-mapped peer", "[::ffff:52.220.38.194]:4000", callbackBodyFor("order002", validSign), []string{"52.220.38.194"}, 200, true},
		{"disallowed ip", "10.1.2.3:4000", callbackBodyFor("order002", validSign), []string{"52.220.38.194"}, 403, false},
		{"forged sign", "203.0.113.9:4000", callbackBodyFor("order002", sign(testUser, "wrong-key", "order002")), nil, 403, false},
		{"sign of another ref", "203.0.113.9:4000", callbackBodyFor("order002", sign(testUser, testKey, "order003")), nil, 403, false},
		{"no sign", "203.0.113.9:4000", `{"data":{"ref_id":"order002","status":"1"}}`, nil, 400, false},
		{"no ref", "203.0.113.9:4000", `{"data":{"status":"1","sign":"abc"}}`, nil, 400, false},
		{"garbage", "203.0.113.9:4000", `<mp><ref_id>x`, nil, 400, false},
		{"empty", "203.0.113.9:4000", ``, nil, 400, false},
		{"wrong types", "203.0.113.9:4000", `{"data":{"ref_id":["x"],"sign":"y"}}`, nil, 400, false},
		{"oversized", "203.0.113.9:4000", oversized, nil, 413, false},
	}
	for _, tt := range tests {
		var logs bytes.Buffer
		h, sink := newCallbackHandler(t, tt.allowed, &logs)
		rec := postCallback(h, tt.remote, tt.body)
		if rec.Code != tt.code {
			t.Errorf("%s: HTTP %d, want %d", tt.name, rec.Code, tt.code)
		}
		if handled := len(sink.calls()) == 1; handled != tt.handled {
			t.Errorf("%s: handled = %v, want %v", tt.name, handled, tt.handled)
		}
		if strings.Contains(logs.String(), validSign) || strings.Contains(logs.String(), testKey) {
			t.Errorf("%s: a sign or the key reached the log:\n%s", tt.name, logs.String())
		}
	}
}

func TestCallbackClaims(t *testing.T) {
	var logs bytes.Buffer
	h, sink := newCallbackHandler(t, nil, &logs)
	// A v1 account's callback: code/hp instead of product_code/customer_id.
	body := fmt.Sprintf(`{"data":{"ref_id":"order003","status":"2","code":"xld50000","hp":"0817777215","price":"50000","message":"FAILED","balance":"997011249","tr_id":"3486","rc":"07","sign":%q}}`,
		sign(testUser, testKey, "order003"))
	if rec := postCallback(h, "203.0.113.9:1", body); rec.Code != 200 {
		t.Fatalf("HTTP %d", rec.Code)
	}
	got := sink.calls()[0]
	want := Callback{RefID: "order003", Claimed: flows.StatusFailed, ProductCode: "xld50000", CustomerID: "0817777215",
		Price: 50000, Message: "FAILED", Balance: 997011249, TrID: "3486", RC: "07"}
	if got != want {
		t.Errorf("callback\n got %+v\nwant %+v", got, want)
	}
}

// A failing Handle answers 500 so IAK sends the callback again.
func TestCallbackHandleError(t *testing.T) {
	var logs bytes.Buffer
	h, sink := newCallbackHandler(t, nil, &logs)
	sink.err = errors.New("database closed")
	rec := postCallback(h, "203.0.113.9:1", callbackBodyFor("order002", sign(testUser, testKey, "order002")))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("HTTP %d, want 500", rec.Code)
	}
}

func TestCallbackMethodAndConfig(t *testing.T) {
	var logs bytes.Buffer
	h, _ := newCallbackHandler(t, nil, &logs)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/callback/iak", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: HTTP %d, want 405", rec.Code)
	}
	c, _ := New(Config{Username: testUser, APIKey: testKey})
	if _, err := c.CallbackHandler(CallbackOptions{}); err == nil {
		t.Error("a handler without Handle must be refused")
	}
	if _, err := c.CallbackHandler(CallbackOptions{Handle: (&callbackSink{}).handle, AllowedIPs: []string{"not-an-ip"}}); err == nil {
		t.Error("an unparsable allowed ip must be refused")
	}
}

// Over a real connection the peer is the TCP address: 127.0.0.1 here.
func TestCallbackOverHTTP(t *testing.T) {
	var logs bytes.Buffer
	h, sink := newCallbackHandler(t, []string{"127.0.0.1"}, &logs)
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(callbackBodyFor("order002", sign(testUser, testKey, "order002"))))
	// A forwarded header must not matter: only the TCP peer counts.
	req.Header.Set("X-Forwarded-For", "52.220.38.194")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || len(sink.calls()) != 1 {
		t.Errorf("HTTP %d, %d calls", resp.StatusCode, len(sink.calls()))
	}
}
