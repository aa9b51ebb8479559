package flows_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/provider/iak"
)

func iakSign(ref string) string {
	sum := md5.Sum([]byte(simUser + simKey + ref))
	return hex.EncodeToString(sum[:])
}

// callbackHandler feeds IAK callbacks into engine.Hint, as main wires it.
func callbackHandler(t *testing.T, client *iak.Client, engine func() *flows.Engine) http.Handler {
	t.Helper()
	h, err := client.CallbackHandler(iak.CallbackOptions{Handle: func(ctx context.Context, cb iak.Callback) error {
		return engine().Hint(ctx, cb.RefID)
	}})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func callbackEndpoint(t *testing.T, client *iak.Client, engine func() *flows.Engine) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(callbackHandler(t, client, engine))
	t.Cleanup(srv.Close)
	return srv
}

func postCallback(t *testing.T, url, ref, status, sn, sign string) int {
	t.Helper()
	body := fmt.Sprintf(`{"data":{"ref_id":%q,"status":%q,"product_code":"htelkomsel10000","customer_id":"081212341000","price":"10850","message":"SUCCESS","sn":%q,"balance":"1","tr_id":"1","rc":"00","sign":%q}}`,
		ref, status, sn, sign)
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func runEngine(t *testing.T, e *flows.Engine) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// TestCallbackAndPollerRace: the simulator's callbacks drive one engine's
// checks while another engine polls the same database, over many orders.
// Each order settles once and its buyer gets one message.
func TestCallbackAndPollerRace(t *testing.T) {
	var (
		mu     sync.Mutex
		engine *flows.Engine
	)
	current := func() *flows.Engine { mu.Lock(); defer mu.Unlock(); return engine }
	// The callback URL must exist before the simulator starts.
	hooks := &lateHandler{}
	cbSrv := httptest.NewServer(hooks)
	defer cbSrv.Close()
	h := newHarness(t, harnessOptions{settleDelay: time.Millisecond, callbackURL: cbSrv.URL})
	mu.Lock()
	engine = h.engine
	mu.Unlock()
	hooks.set(callbackHandler(t, h.client, current))
	runEngine(t, h.engine)
	poller := h.newEngine(h.client) // its own locks: only the store keeps them apart

	ctx, cancel := context.WithCancel(bg)
	pollDone := make(chan struct{})
	go func() {
		defer close(pollDone)
		for ctx.Err() == nil {
			poller.Poll(ctx)
		}
	}()
	const orders = 40
	refs := make([]string, 0, orders)
	for range orders {
		refs = append(refs, h.place("081212341000").RefID)
	}
	deadline := time.Now().Add(15 * time.Second)
	for _, ref := range refs {
		for !h.order(ref).Status.Final() {
			if time.Now().After(deadline) {
				t.Fatalf("order %s never settled: %+v", ref, h.order(ref))
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	cancel()
	<-pollDone
	for _, ref := range refs {
		if o := h.order(ref); o.Status != flows.StatusSuccess {
			t.Errorf("%s: %s", ref, o.Status)
		}
		if n := h.buyerMessages(ref); n != 1 {
			t.Errorf("%s: %d buyer messages, want 1", ref, n)
		}
	}
	if n := h.sim.TransactionCount(); n != orders {
		t.Errorf("simulator holds %d transactions, want %d", n, orders)
	}
}

// lateHandler lets a server start before its handler exists.
type lateHandler struct {
	mu sync.Mutex
	h  http.Handler
}

func (l *lateHandler) set(h http.Handler) { l.mu.Lock(); l.h = h; l.mu.Unlock() }

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	h := l.h
	l.mu.Unlock()
	if h == nil {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

// TestCallbacksAreOnlyHints: forged callbacks change nothing; a duplicate
// changes nothing; a replayed valid callback claiming success cannot turn a
// failed order into a success (DESIGN rule 7).
func TestCallbacksAreOnlyHints(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	endpoint := callbackEndpoint(t, h.client, func() *flows.Engine { return h.engine })
	runEngine(t, h.engine)

	pending := h.place("081212341000")
	failing := h.place("081212341000")
	before := h.hits.total()

	// Forged: a wrong sign claiming success is refused and reaches nobody.
	if code := postCallback(t, endpoint.URL, pending.RefID, "1", "FAKE-SN", iakSign("other")); code != http.StatusForbidden {
		t.Errorf("forged callback: HTTP %d, want 403", code)
	}
	if code := postCallback(t, endpoint.URL, pending.RefID, "1", "FAKE-SN", strings.Repeat("0", 32)); code != http.StatusForbidden {
		t.Errorf("forged callback: HTTP %d, want 403", code)
	}
	if n := h.hits.total(); n != before {
		t.Errorf("a forged callback caused %d provider requests", n-before)
	}
	if o := h.order(pending.RefID); o.Status != flows.StatusPending || o.SN != "" {
		t.Errorf("forged callback changed the order: %+v", o)
	}

	// A valid callback claiming success while IAK says pending: only a check.
	if code := postCallback(t, endpoint.URL, pending.RefID, "1", "FAKE-SN", iakSign(pending.RefID)); code != 200 {
		t.Errorf("valid callback: HTTP %d", code)
	}
	waitFor(t, func() bool { return h.order(pending.RefID).Checks >= 1 })
	if o := h.order(pending.RefID); o.Status != flows.StatusPending || o.SN != "" {
		t.Errorf("a callback's claim settled the order: %+v", o)
	}

	// The failing order fails at IAK; then a replayed "success" arrives.
	if err := h.sim.Settle(failing.RefID, false); err != nil {
		t.Fatal(err)
	}
	if code := postCallback(t, endpoint.URL, failing.RefID, "2", "", iakSign(failing.RefID)); code != 200 {
		t.Errorf("HTTP %d", code)
	}
	waitFor(t, func() bool { return h.order(failing.RefID).Status == flows.StatusFailed })
	notes := len(h.outbox())
	for range 3 {
		if code := postCallback(t, endpoint.URL, failing.RefID, "1", "REPLAYED-SN", iakSign(failing.RefID)); code != 200 {
			t.Errorf("replayed callback: HTTP %d", code)
		}
	}
	h.engine.Poll(bg)
	if o := h.order(failing.RefID); o.Status != flows.StatusFailed || o.SN != "" {
		t.Errorf("a replayed callback revived a failed order: %+v", o)
	}
	if n := len(h.outbox()); n != notes {
		t.Errorf("replays queued %d notifications", n-notes)
	}

	// An unknown ref is acknowledged and logged.
	if code := postCallback(t, endpoint.URL, "NOSUCHREF", "1", "", iakSign("NOSUCHREF")); code != 200 {
		t.Errorf("unknown ref: HTTP %d, want 200", code)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 15s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}
