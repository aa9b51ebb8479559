package iak

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testlog"
	"topupbot/provider/internal/wire"
)

// securityHandler is a callback handler logging to a testlog that fails the
// test if the api key or a sign of one of refs shows.
func securityHandler(t *testing.T, refs ...string) (http.Handler, *callbackSink, *testlog.Log) {
	t.Helper()
	logs := testlog.New(t, testKey)
	for _, ref := range refs {
		logs.Secret(sign(testUser, testKey, ref))
	}
	c, err := New(Config{Username: testUser, APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	sink := &callbackSink{}
	h, err := c.CallbackHandler(CallbackOptions{Handle: sink.handle, Logger: logs.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	return h, sink, logs
}

// TestCallbackSignedForAnotherAccount: a sign made with the other
// environment's key (sandbox vs production, same username) or another
// account's username is forged, whatever it claims.
func TestCallbackSignedForAnotherAccount(t *testing.T) {
	h, sink, _ := securityHandler(t, "R261123090000ABCD")
	const ref = "R261123090000ABCD"
	for name, s := range map[string]string{
		"sandbox key":      sign(testUser, "sandbox-"+testKey, ref),
		"another username": sign("089999999999", testKey, ref),
		"key as the sign":  testKey,
		"empty ref's sign": sign(testUser, testKey, ""),
		"sign of the sign": sign(testUser, testKey, sign(testUser, testKey, ref)),
		"md5 of the key":   sign("", testKey, ""),
		"truncated sign":   sign(testUser, testKey, ref)[:31],
		"sign with suffix": sign(testUser, testKey, ref) + "0",
	} {
		if rec := postCallback(h, "203.0.113.9:1", callbackBodyFor(ref, s)); rec.Code != http.StatusForbidden {
			t.Errorf("%s: HTTP %d, want 403", name, rec.Code)
		}
	}
	if n := len(sink.calls()); n != 0 {
		t.Errorf("%d forged callbacks reached Handle", n)
	}
}

// TestCallbackClaimsOnlyItsRef: a valid sign for ref A hands Handle ref A
// and nothing else, whatever other fields claim about ref B; a sign for A
// under ref_id B (or a second ref_id key naming B) is forged.
func TestCallbackClaimsOnlyItsRef(t *testing.T) {
	const a, b = "R261123090000AAAA", "R261123090000BBBB"
	h, sink, _ := securityHandler(t, a, b)
	body := fmt.Sprintf(`{"data":{"ref_id":%q,"status":"1","message":"ref_id %s SUCCESS","sn":"SN-FOR-%s","tr_id":"%s","customer_id":%q,"sign":%q}}`,
		a, b, b, b, b, sign(testUser, testKey, a))
	if rec := postCallback(h, "203.0.113.9:1", body); rec.Code != 200 {
		t.Fatalf("valid callback: HTTP %d", rec.Code)
	}
	for name, forged := range map[string]string{
		"sign of A under ref_id B": callbackBodyFor(b, sign(testUser, testKey, a)),
		"second ref_id key":        fmt.Sprintf(`{"data":{"ref_id":%q,"sign":%q,"ref_id":%q,"status":"1"}}`, a, sign(testUser, testKey, a), b),
		"second data object":       fmt.Sprintf(`{"data":{"ref_id":%q,"sign":%q},"data":{"ref_id":%q,"status":"1"}}`, a, sign(testUser, testKey, a), b),
	} {
		if rec := postCallback(h, "203.0.113.9:1", forged); rec.Code == 200 {
			t.Errorf("%s: HTTP 200", name)
		}
	}
	calls := sink.calls()
	if len(calls) != 1 || calls[0].RefID != a {
		t.Fatalf("Handle got %+v, want one call for %s", calls, a)
	}
}

// TestCallbackOversizedBody: a megabyte, over a real connection, is refused
// with 413 after at most MaxCallbackBody bytes are read; a valid sign at its
// start does not help.
func TestCallbackOversizedBody(t *testing.T) {
	const ref = "R261123090000ABCD"
	h, sink, logs := securityHandler(t, ref)
	srv := httptest.NewServer(h)
	defer srv.Close()
	valid := callbackBodyFor(ref, sign(testUser, testKey, ref))
	body := valid[:len(valid)-2] + `,"pad":"` + strings.Repeat("x", 1<<20) + `"}}`
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("HTTP %d, want 413", resp.StatusCode)
	}
	if n := len(sink.calls()); n != 0 {
		t.Errorf("an oversized callback reached Handle")
	}
	for _, line := range logs.Lines() {
		if len(line) > 1024 {
			t.Errorf("a %d-byte log line", len(line))
		}
	}
}

// TestCallbackCostlyNumbers: a body under the cap full of numbers that are
// expensive to expand is answered at once: nobody can buy CPU with unsigned
// requests. flex once handed 1e999999 to big.Rat (25 ms or more each), and a
// text field (tr_id, sn…) keeps decoding after such a number, so this body
// cost minutes of CPU. The bound is generous.
func TestCallbackCostlyNumbers(t *testing.T) {
	h, sink, _ := securityHandler(t)
	var b strings.Builder
	b.WriteString(`{"data":{"ref_id":"R1","sign":"00000000000000000000000000000000"`)
	for b.Len() < MaxCallbackBody-64 {
		b.WriteString(`,"tr_id":1e999999,"sn":-1e999999`)
	}
	b.WriteString(`}}`)
	start := time.Now()
	rec := postCallback(h, "203.0.113.9:1", b.String())
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a %d-byte callback took %s", b.Len(), took)
	}
	if rec.Code == 200 || len(sink.calls()) != 0 {
		t.Errorf("HTTP %d, %d calls", rec.Code, len(sink.calls()))
	}
}

// TestCallbackLongRef: an unsigned callback with a huge ref_id
// is refused and its ref_id does not make the log line huge.
func TestCallbackLongRef(t *testing.T) {
	h, sink, logs := securityHandler(t)
	ref := strings.Repeat("A", MaxCallbackBody/2)
	rec := postCallback(h, "203.0.113.9:1", callbackBodyFor(ref, "00000000000000000000000000000000"))
	if rec.Code != http.StatusForbidden || len(sink.calls()) != 0 {
		t.Errorf("HTTP %d, %d calls", rec.Code, len(sink.calls()))
	}
	for _, line := range logs.Lines() {
		if len(line) > 1024 {
			t.Errorf("a %d-byte log line for one forged callback", len(line))
		}
	}
}

// TestCallbackLongGarbageIsNotEchoed: an undecodable body's error is
// logged, but not the kilobytes that made it undecodable.
func TestCallbackLongGarbageIsNotEchoed(t *testing.T) {
	h, _, logs := securityHandler(t)
	for _, body := range []string{
		`{"data":{"ref_id":"R1","price":"1` + strings.Repeat(".000", 8000) + `"}}`,
		`{"data":{"ref_id":"R1","sn":{"x":"` + strings.Repeat("y", 30000) + `"}}}`,
	} {
		if rec := postCallback(h, "203.0.113.9:1", body); rec.Code != http.StatusBadRequest {
			t.Errorf("HTTP %d, want 400", rec.Code)
		}
	}
	for _, line := range logs.Lines() {
		if len(line) > 1024 {
			t.Errorf("a %d-byte log line for one undecodable callback", len(line))
		}
	}
}

// TestOversizedAnswerIsUnknown: an answer over 16 MB — a success at its
// start — is not IAK talking: unknown, not a success read from its first
// megabytes.
func TestOversizedAnswerIsUnknown(t *testing.T) {
	head := `{"data":{"ref_id":"R1","status":1,"rc":"00","sn":"SN1","tr_id":1,"pad":"`
	body := head + strings.Repeat("x", wire.MaxAnswer) + `"}}`
	c, _ := newCanned(t, func(string, map[string]any) (int, string) { return 200, body })
	for name, call := range map[string]func() error{
		"place": func() error { _, err := c.Place(context.Background(), order("R1")); return err },
		"check-status": func() error {
			_, err := c.Check(context.Background(), flows.OrderRequest{RefID: "R1", Acknowledged: true})
			return err
		},
	} {
		if err := call(); flows.KindOf(err) != flows.KindUnknown {
			t.Errorf("%s: %v, want unknown", name, err)
		}
	}
}
