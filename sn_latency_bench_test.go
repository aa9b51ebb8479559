package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/provider/digiflazz"
	"topupbot/provider/iak"
	"topupbot/provider/mesinr1"
	"topupbot/provider/sandbox/digiflazzsim"
	"topupbot/provider/sandbox/iaksim"
	"topupbot/provider/sandbox/mesinr1sim"
	"topupbot/storage"
)

// BenchmarkSNLatency: how soon after the provider settles does the buyer's
// SN message go into the outbox (issue 13)? Per provider, snOrders orders
// are placed in a stream over snStream; the simulator settles each at a
// random moment, snSettleMin–snSettleMax after it accepted it (a seeded
// uniform draw, SettleAfter), and reports the moment (OnSettle). The
// message is queued when the settling check commits, notifications and
// all (EngineConfig.OnSettled). Latency = queued − settled; it reports
// p50-s, p95-s and max-s.
//
// Everything runs on the real clock — this measures real waiting — with
// the stack as run wires it: bbolt with fsync, the engine with
// DefaultQuickChecks on its hint queue, the poller on the production
// schedule (@every 15s, the real cron job), for IAK the simulator's
// callbacks to the real signed handler over loopback, which hints the
// check, and for Digiflazz its webhooks, signed with HMAC-SHA1, to the
// real webhook handler, whose verified body settles the order. Telegram is not involved: the outbox is the end.
//
// It fails if an order never settles or an SN arrives for a ref the
// simulator did not settle; the figures themselves are never asserted.
// About 25 s per provider.
//
//	go test -run '^$' -bench SNLatency -benchtime 1x .
func BenchmarkSNLatency(b *testing.B) {
	for _, p := range snProviders {
		b.Run(p.name, func(b *testing.B) {
			var lat []time.Duration
			for i := 0; i < b.N; i++ {
				lat = append(lat, runSNLatency(b, p, uint64(i))...)
			}
			slices.Sort(lat)
			b.ReportMetric(snQuantile(lat, 0.50).Seconds(), "p50-s")
			b.ReportMetric(snQuantile(lat, 0.95).Seconds(), "p95-s")
			b.ReportMetric(snQuantile(lat, 1).Seconds(), "max-s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

const (
	snOrders    = 200
	snStream    = 5 * time.Second
	snSettleMin = 500 * time.Millisecond
	snSettleMax = 20 * time.Second
	// snPollSchedule is the production poller's (config.example.toml).
	snPollSchedule = "@every 15s"
)

// snProvider is one row of the table: a name and a function that builds
// the provider's stack with the benchmark's hooks. A third provider is a
// row whose build starts its simulator with hooks.settleAfter and
// hooks.onSettle, wires its callbacks (if any) to the engine, and calls
// newSNStack.
type snProvider struct {
	name  string
	build func(b *testing.B, hooks snHooks) *snStack
}

var snProviders = []snProvider{
	{"mesinr1", buildSNMesinR1},
	{"iak", buildSNIAK},
	{"digiflazz", buildSNDigiflazz},
}

// snHooks are what the benchmark hears from the simulator and the engine.
type snHooks struct {
	settleAfter func(ref string) time.Duration
	onSettle    func(ref string, at time.Time)
	onSettled   func(o flows.Order)
}

// snStack is a provider's stack, running until the benchmark ends: the
// engine's hint queue and the poller are started.
type snStack struct {
	db      *storage.DB
	engine  *flows.Engine
	product flows.Product
	// number settles after the simulator's delay, to success.
	number string
}

func buildSNMesinR1(b *testing.B, hooks snHooks) *snStack {
	const mmid, key = "C71283", "bench-r1-key"
	sim := mesinr1sim.New(mesinr1sim.Options{MMID: mmid, APIKey: key, Deposit: 1 << 50,
		SettleAfter: hooks.settleAfter, OnSettle: hooks.onSettle, Logger: snLogger(b)})
	b.Cleanup(sim.Close)
	srv := httptest.NewServer(sim)
	b.Cleanup(srv.Close)
	client, err := mesinr1.New(mesinr1.Config{BaseURL: srv.URL, MMID: mmid, APIKey: key,
		HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		b.Fatal(err)
	}
	// …1000: pending, success after the delay (mesinr1sim's test numbers).
	st, _ := newSNStack(b, client, client, "TSEL10", "081234561000", flows.DefaultQuickChecks, hooks)
	return st
}

func buildSNIAK(b *testing.B, hooks snHooks) *snStack {
	const user, key = "081200000000", "bench-key"
	// The bot's callback listener comes first: the simulator needs its URL.
	callbacks := http.NewServeMux()
	cbSrv := httptest.NewServer(callbacks)
	b.Cleanup(cbSrv.Close)
	sim := iaksim.New(iaksim.Options{Username: user, APIKey: key, Deposit: 1 << 50,
		CallbackURL: cbSrv.URL + "/callback/iak", SettleAfter: hooks.settleAfter, OnSettle: hooks.onSettle, Logger: snLogger(b)})
	b.Cleanup(sim.Close)
	srv := httptest.NewServer(sim)
	b.Cleanup(srv.Close)
	client, err := iak.New(iak.Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: user, APIKey: key,
		HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		b.Fatal(err)
	}
	// …1000: accepted, settles to success (iaksim's test numbers).
	st, engine := newSNStack(b, client, client, "htelkomsel10000", "081234561000", flows.DefaultQuickChecks, hooks)
	// As app.iakCallbacks wires it: a valid callback hints the check.
	h, err := client.CallbackHandler(iak.CallbackOptions{Logger: snLogger(b),
		Handle: func(ctx context.Context, cb iak.Callback) error { return engine.Hint(ctx, cb.RefID) }})
	if err != nil {
		b.Fatal(err)
	}
	callbacks.Handle("POST /callback/iak", h)
	return st
}

func buildSNDigiflazz(b *testing.B, hooks snHooks) *snStack {
	const user, key, secret = "benchuser", "bench-df-key", "bench-webhook-secret"
	webhooks := http.NewServeMux()
	whSrv := httptest.NewServer(webhooks)
	b.Cleanup(whSrv.Close)
	sim := digiflazzsim.New(digiflazzsim.Options{Username: user, APIKey: key, Deposit: 1 << 50,
		WebhookURL: whSrv.URL + "/callback/digiflazz", WebhookSecret: secret, SettleAfter: hooks.settleAfter,
		OnSettle: func(ref, _ string, at time.Time) { hooks.onSettle(ref, at) }, Logger: snLogger(b)})
	b.Cleanup(sim.Close)
	srv := httptest.NewServer(sim)
	b.Cleanup(srv.Close)
	client, err := digiflazz.New(digiflazz.Config{BaseURL: srv.URL + "/v1", Username: user, APIKey: key, Testing: true,
		HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		b.Fatal(err)
	}
	// …1233: pending, then success by webhook (Digiflazz's test case). The
	// engine keeps Digiflazz's minute between sends: no quick checks.
	st, engine := newSNStack(b, client, client, "xld10", "087800001233", flows.DefaultQuickChecks, hooks)
	// As providers.go wires it: a verified webhook settles its order.
	h, err := digiflazz.WebhookHandler(digiflazz.WebhookOptions{Secret: secret, Logger: snLogger(b),
		Handle: func(ctx context.Context, wh digiflazz.Webhook) error { return handleDigiflazzWebhook(ctx, engine, wh) }})
	if err != nil {
		b.Fatal(err)
	}
	webhooks.Handle("POST /callback/digiflazz", h)
	return st
}

// newSNStack is the part every provider shares: bbolt with fsync, the
// product cache loaded from the provider, the engine configured as app.go
// configures it with quick, the provider's quick-check delays (app.go's for
// it: a provider with a floor between re-checks has its own), its hint
// queue and the poller at the production schedule, all stopped before the
// simulators close.
func newSNStack(b *testing.B, provider flows.Provider, catalog flows.Catalog, code, number string,
	quick []time.Duration, hooks snHooks) (*snStack, *flows.Engine) {
	b.Helper()
	db, err := storage.Open(filepath.Join(b.TempDir(), "sn.db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	cache := flows.NewProductCache(catalog, db, nil)
	if err := cache.Load(context.Background()); err != nil {
		b.Fatal(err)
	}
	p, ok := cache.Lookup(code)
	if !ok {
		b.Fatalf("no product %s in the simulator's catalog", code)
	}
	engine := flows.NewEngine(db, provider, flows.EngineConfig{ProviderTimeout: 10 * time.Second,
		QuickChecks: quick, OnSettled: hooks.onSettled, Logger: snLogger(b)})
	poll, err := newPoller(snPollSchedule, time.UTC, slog.New(slog.DiscardHandler), func(ctx context.Context) {
		if _, err := engine.Poll(ctx); err != nil && ctx.Err() == nil {
			b.Errorf("poll: %v", err)
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { engine.Run(ctx) })
	wg.Go(func() { poll.loop(ctx) })
	b.Cleanup(func() { stop(); wg.Wait() })
	return &snStack{db: db, engine: engine, product: p, number: number}, engine
}

// runSNLatency is one run: a fresh stack, snOrders orders, their
// latencies.
func runSNLatency(b *testing.B, p snProvider, seed uint64) []time.Duration {
	var (
		mu      sync.Mutex
		rng     = rand.New(rand.NewPCG(13, seed))
		settled = map[string]time.Time{}
		queued  = map[string]time.Time{}
		bad     []string
		done    = make(chan struct{})
	)
	hooks := snHooks{
		// The draws come from a seeded source: a run's delays repeat, in
		// the order the simulator accepts the orders.
		settleAfter: func(string) time.Duration {
			mu.Lock()
			defer mu.Unlock()
			return snSettleMin + time.Duration(rng.Int64N(int64(snSettleMax-snSettleMin)+1))
		},
		onSettle: func(ref string, at time.Time) {
			mu.Lock()
			defer mu.Unlock()
			settled[ref] = at
		},
		onSettled: func(o flows.Order) {
			at := time.Now()
			mu.Lock()
			defer mu.Unlock()
			if o.Status != flows.StatusSuccess || o.SN == "" {
				bad = append(bad, fmt.Sprintf("%s settled %s with SN %q", o.RefID, o.Status, o.SN))
			}
			queued[o.RefID] = at
			if len(queued) == snOrders {
				close(done)
			}
		},
	}
	b.StopTimer()
	st := p.build(b, hooks)
	b.StartTimer()

	refs := make(chan string, snOrders)
	var placing sync.WaitGroup
	tick := time.NewTicker(snStream / snOrders)
	for n := range snOrders {
		chat := int64(7_000_000 + n)
		placing.Go(func() {
			o, err := st.engine.Place(context.Background(), flows.PlaceRequest{ChatID: chat, UserID: chat,
				Token: fmt.Sprint("sn", n), Product: st.product, CustomerNumber: st.number,
				Price: st.product.Price + 1000, MessageID: 7})
			if err != nil || o.Status != flows.StatusPending {
				b.Errorf("order %d: %s %v", n, o.Status, err)
				return
			}
			refs <- o.RefID
		})
		<-tick.C
	}
	tick.Stop()
	placing.Wait()
	close(refs)
	placed := len(refs)

	// Every order settles within snSettleMax and the checks that follow;
	// past the poller's next round on top of that, one has been lost.
	timeout := snSettleMax + 2*time.Minute
	select {
	case <-done:
	case <-time.After(timeout):
	}
	b.StopTimer()

	mu.Lock()
	defer mu.Unlock()
	for _, msg := range bad {
		b.Error(msg)
	}
	for ref := range queued {
		if _, ok := settled[ref]; !ok {
			b.Errorf("%s: SN queued for a transaction the simulator did not settle", ref)
		}
	}
	var lat []time.Duration
	for ref := range refs {
		q, ok := queued[ref]
		switch s, sok := settled[ref]; {
		case !sok:
			b.Errorf("%s: the simulator never settled it", ref)
		case !ok:
			b.Errorf("%s: settled by the simulator, no SN queued within %s", ref, timeout)
		default:
			lat = append(lat, q.Sub(s))
		}
	}
	if placed != snOrders {
		b.Errorf("%d of %d orders placed", placed, snOrders)
	}
	if n, _ := st.db.OutboxLen(); n != 2*len(queued) {
		b.Errorf("outbox holds %d notifications for %d settled orders, want two each (the SN, the edit)", n, len(queued))
	}
	return lat
}

// snQuantile is the q-quantile of sorted samples, q in [0, 1].
func snQuantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// snLogger logs warnings and errors (a failed callback, a full hint queue)
// to the benchmark's output: they explain a slow tail.
func snLogger(b *testing.B) *slog.Logger {
	return slog.New(slog.NewTextHandler(snLogWriter{b}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type snLogWriter struct{ b *testing.B }

func (w snLogWriter) Write(p []byte) (int, error) {
	w.b.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
