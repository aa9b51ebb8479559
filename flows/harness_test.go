package flows_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/provider/iak"
	"topupbot/provider/sandbox/iaksim"
	"topupbot/storage"
)

const (
	simUser = "081234567890"
	simKey  = "sandbox-key-0001"
	opsChat = int64(-1001234)
	buyer   = int64(4242)
)

// pathCounter counts the requests that reach the simulator, per path.
type pathCounter struct {
	mu     sync.Mutex
	counts map[string]int
	seq    []string
	next   http.Handler
}

func (p *pathCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.counts[r.URL.Path]++
	p.seq = append(p.seq, r.URL.Path)
	p.mu.Unlock()
	p.next.ServeHTTP(w, r)
}

// since returns the paths requested after the first n requests.
func (p *pathCounter) since(n int) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seq[min(n, len(p.seq)):]...)
}

func (p *pathCounter) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.seq)
}

func (p *pathCounter) count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[path]
}

// harness is the money path for real: the IAK simulator over HTTP, the IAK
// client, bbolt on disk and the engine. The database skips fsync: these tests
// restart the process, not the machine, and fsync under a loaded CI disk
// only makes them slow.
type harness struct {
	t       *testing.T
	clk     *testclock.Clock
	sim     *iaksim.Server
	hits    *pathCounter
	srv     *httptest.Server
	client  *iak.Client
	db      *storage.DB
	path    string
	engine  *flows.Engine
	timeout time.Duration
}

type harnessOptions struct {
	settleDelay time.Duration // simulator; default: manual (Settle only)
	slowDelay   time.Duration
	timeout     time.Duration // client and engine provider timeout
	callbackURL string
	apiKey      string
}

func newHarness(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	if o.settleDelay == 0 {
		o.settleDelay = -1
	}
	if o.timeout == 0 {
		o.timeout = 2 * time.Second
	}
	if o.apiKey == "" {
		o.apiKey = simKey
	}
	h := &harness{t: t, clk: testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB)), timeout: o.timeout}
	h.sim = iaksim.New(iaksim.Options{Username: simUser, APIKey: simKey, SettleDelay: o.settleDelay,
		SlowDelay: o.slowDelay, CallbackURL: o.callbackURL, CallbackBackoff: 10 * time.Millisecond})
	t.Cleanup(h.sim.Close)
	h.hits = &pathCounter{counts: map[string]int{}, next: h.sim}
	h.srv = httptest.NewServer(h.hits)
	t.Cleanup(h.srv.Close)
	h.client = h.newClient(o.apiKey)
	h.path = filepath.Join(t.TempDir(), "topupbot.db")
	h.open()
	return h
}

func (h *harness) newClient(apiKey string) *iak.Client {
	c, err := iak.New(iak.Config{PrepaidURL: h.srv.URL, PostpaidURL: h.srv.URL, Username: simUser, APIKey: apiKey,
		HTTPClient: &http.Client{Timeout: h.timeout}})
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

func (h *harness) open() {
	h.t.Helper()
	db, err := storage.Open(h.path, storage.Options{Now: h.clk.Now, NoSync: true})
	if err != nil {
		h.t.Fatal(err)
	}
	h.db = db
	h.t.Cleanup(func() { db.Close() })
	h.engine = h.newEngine(h.client)
}

func (h *harness) newEngine(p flows.Provider) *flows.Engine {
	return flows.NewEngine(h.db, p, flows.EngineConfig{ProviderTimeout: h.timeout, OpsChatID: opsChat,
		Now: h.clk.Now})
}

// restart is a crash and a start: the database closed without ceremony and
// opened again, a new engine.
func (h *harness) restart() {
	h.t.Helper()
	if err := h.db.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.open()
}

var tokenSeq struct {
	sync.Mutex
	n int
}

func nextToken() string {
	tokenSeq.Lock()
	defer tokenSeq.Unlock()
	tokenSeq.n++
	return fmt.Sprintf("tok%d", tokenSeq.n)
}

func telkomsel10k() flows.Product {
	return flows.Product{Code: "htelkomsel10000", Name: "Telkomsel 10.000", Category: flows.CategoryPulsa,
		Brand: "Telkomsel", Price: 10850, Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone}
}

func (h *harness) place(number string) flows.Order {
	h.t.Helper()
	o, err := h.engine.Place(context.Background(), flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(),
		Product: telkomsel10k(), CustomerNumber: number, Price: 11500, MessageID: 77})
	if err != nil {
		h.t.Fatalf("place %s: %v", number, err)
	}
	return o
}

func (h *harness) order(ref string) flows.Order {
	h.t.Helper()
	o, err := h.db.Order(context.Background(), ref)
	if err != nil {
		h.t.Fatal(err)
	}
	return o
}

// pollUntil polls until the order reaches a final status or the deadline
// passes, moving the clock past each check interval.
func (h *harness) pollUntil(ref string, deadline time.Duration) flows.Order {
	h.t.Helper()
	end := time.Now().Add(deadline)
	for time.Now().Before(end) {
		if _, err := h.engine.Poll(context.Background()); err != nil {
			h.t.Fatal(err)
		}
		if o := h.order(ref); o.Status.Final() {
			return o
		}
		h.clk.Advance(time.Minute)
		time.Sleep(5 * time.Millisecond) // real time for the simulator's timers
	}
	h.t.Fatalf("order %s did not settle within %s: %+v", ref, deadline, h.order(ref))
	return flows.Order{}
}

// outbox returns every queued notification.
func (h *harness) outbox() []flows.Notification {
	h.t.Helper()
	notes, err := h.db.DueNotifications(context.Background(), h.clk.Now().Add(24*time.Hour), 100000)
	if err != nil {
		h.t.Fatal(err)
	}
	return notes
}

// buyerMessages counts the new messages to the buyer about ref.
func (h *harness) buyerMessages(ref string) int {
	n := 0
	for _, note := range h.outbox() {
		if note.RefID == ref && note.ChatID == buyer && note.Kind == flows.NotifySend {
			n++
		}
	}
	return n
}
