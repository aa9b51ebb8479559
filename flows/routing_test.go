package flows_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/storage"
)

// legProvider is one of several providers, answering each Place and Check
// with what its script says (pending when the script is empty), and
// recording every request.
type legProvider struct {
	name string

	mu     sync.Mutex
	places []flows.OrderRequest
	checks []flows.OrderRequest
	script []legAnswer
	// gate, when set, holds every Place: entered receives the request, and
	// the Place answers once release is closed.
	entered chan flows.OrderRequest
	release chan struct{}
}

type legAnswer struct {
	res flows.Result
	err error
}

var _ flows.Provider = (*legProvider)(nil)

func (p *legProvider) Account() flows.Account {
	return flows.Account{Provider: p.name, ID: "u-" + p.name}
}

func (p *legProvider) next() (flows.Result, error) {
	if len(p.script) == 0 {
		return flows.Result{Status: flows.StatusPending, Acknowledged: true}, nil
	}
	a := p.script[0]
	p.script = p.script[1:]
	return a.res, a.err
}

func (p *legProvider) Place(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	p.mu.Lock()
	p.places = append(p.places, req)
	gate := p.entered
	p.mu.Unlock()
	if gate != nil {
		gate <- req
		select {
		case <-p.release:
		case <-ctx.Done():
			return flows.Result{}, ctx.Err()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.next()
}

func (p *legProvider) Check(_ context.Context, req flows.OrderRequest) (flows.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.checks = append(p.checks, req)
	return p.next()
}

func (p *legProvider) calls() (places, checks []flows.OrderRequest) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.places), slices.Clone(p.checks)
}

func rejected(rc string) legAnswer {
	return legAnswer{err: &flows.ProviderError{Kind: flows.KindRejected, Op: "test: place", RC: rc, Reason: flows.ReasonProductUnavailable}}
}

func unknown() legAnswer {
	return legAnswer{err: &flows.ProviderError{Kind: flows.KindUnknown, Op: "test: place", Message: "timeout"}}
}

func failed() legAnswer {
	return legAnswer{res: flows.Result{Status: flows.StatusFailed, Acknowledged: true, RC: "02"}}
}

func success(sn string) legAnswer {
	return legAnswer{res: flows.Result{Status: flows.StatusSuccess, Acknowledged: true, SN: sn, RC: "00"}}
}

type routeRig struct {
	t           *testing.T
	clk         *testclock.Clock
	path        string
	db          *storage.DB
	alpha, beta *legProvider
	engine      *flows.Engine
	moved       atomic.Int32 // OnMoved calls
}

// newRouteRig is a shop with two providers, alpha and beta, and the wallet
// on: the buyer has Rp 50.000 of saldo.
func newRouteRig(t *testing.T) *routeRig {
	t.Helper()
	r := &routeRig{t: t, clk: testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB)),
		path: filepath.Join(t.TempDir(), "db"), alpha: &legProvider{name: "alpha"}, beta: &legProvider{name: "beta"}}
	r.open()
	if _, err := r.db.Adjust(bg, buyer, 50000, adminID, "modal"); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *routeRig) open() {
	r.t.Helper()
	db, err := storage.Open(r.path, storage.Options{Now: r.clk.Now, NoSync: true})
	if err != nil {
		r.t.Fatal(err)
	}
	r.db = db
	r.t.Cleanup(func() { db.Close() })
	r.engine = flows.NewEngine(db, nil, flows.EngineConfig{OpsChatID: opsChat, Now: r.clk.Now, Wallet: true, MinMargin: 200,
		ProviderTimeout: 2 * time.Second, Providers: []flows.Provider{r.alpha, r.beta},
		OnMoved: func(o flows.Order) { r.moved.Add(1) }})
}

// restart is a crash: the engine gone without ceremony, a new one on the
// same file.
func (r *routeRig) restart() {
	r.t.Helper()
	if err := r.db.Close(); err != nil {
		r.t.Fatal(err)
	}
	r.open()
}

// routed is a shop product filled by alpha's a10, else beta's b10.
func routed(alphaCost, betaCost int64) flows.Product {
	return flows.Product{Code: "T10", Name: "Telkomsel 10.000", Category: flows.CategoryPulsa, Brand: "Telkomsel",
		Price: alphaCost, Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone,
		Legs: []flows.Leg{{Provider: "alpha", Code: "a10", Cost: alphaCost, Available: true},
			{Provider: "beta", Code: "b10", Cost: betaCost, Available: true}}}
}

func (r *routeRig) place(p flows.Product) flows.Order {
	r.t.Helper()
	o, err := r.engine.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(),
		Product: p, CustomerNumber: "081234567890", Price: 11500, MessageID: 77})
	if err != nil {
		r.t.Fatal(err)
	}
	return o
}

func (r *routeRig) wallet() flows.Wallet {
	r.t.Helper()
	w, err := r.db.Wallet(bg, buyer)
	if err != nil {
		r.t.Fatal(err)
	}
	return w
}

// A first provider that refuses moves the order to the next, once, under
// a new ref the store finds the order by; the hold stays and is spent
// once when the second provider fills it.
func TestRouteRejectedFailsOverOnce(t *testing.T) {
	r := newRouteRig(t)
	r.alpha.script = []legAnswer{rejected("68")}
	r.beta.script = []legAnswer{success("SN-B")}
	o := r.place(routed(10000, 10500))
	if o.Status != flows.StatusSuccess || o.SN != "SN-B" || o.Account.Provider != "beta" || o.ProductCode != "b10" {
		t.Fatalf("after failover: %+v", o)
	}
	ap, _ := r.alpha.calls()
	bp, bc := r.beta.calls()
	if len(ap) != 1 || len(bp) != 1 || len(bc) != 0 {
		t.Fatalf("alpha placed %d, beta placed %d checked %d", len(ap), len(bp), len(bc))
	}
	if bp[0].RefID == o.RefID || bp[0].RefID != o.ProviderRef || ap[0].RefID != o.RefID || bp[0].ProductCode != "b10" {
		t.Errorf("refs: alpha %s, beta %s, order %s / %s", ap[0].RefID, bp[0].RefID, o.RefID, o.ProviderRef)
	}
	if bp[0].MaxPrice != 11300 || ap[0].MaxPrice != 11300 {
		t.Errorf("max prices %d, %d: want the price less the margin on every attempt", ap[0].MaxPrice, bp[0].MaxPrice)
	}
	if len(o.Attempts) != 1 || o.Attempts[0].Outcome != "rejected" || o.Attempts[0].Account.Provider != "alpha" || o.Attempts[0].RC != "68" {
		t.Errorf("attempts %+v", o.Attempts)
	}
	if o.Cost != 10500 {
		t.Errorf("cost %d, want beta's", o.Cost)
	}
	if n := r.moved.Load(); n != 1 {
		t.Errorf("OnMoved called %d times", n)
	}
	// The store finds the order by the attempt's own ref (its provider's
	// callbacks carry it).
	if got, err := r.db.Order(bg, o.ProviderRef); err != nil || got.RefID != o.RefID {
		t.Errorf("order by attempt ref: %+v %v", got.RefID, err)
	}
	if w := r.wallet(); w.Balance != 50000-11500 || w.Held != 0 {
		t.Errorf("wallet %+v", w)
	}
}

// An unknown first answer keeps the order with that provider for good: a
// refusal of a later check, even across a restart, fails it there — it
// never moves to the next provider, which could fill it twice.
func TestRouteUnknownNeverFailsOver(t *testing.T) {
	r := newRouteRig(t)
	r.alpha.script = []legAnswer{unknown(), rejected("14")}
	o := r.place(routed(10000, 10500))
	if o.Status != flows.StatusPending || !o.Uncertain || o.Account.Provider != "alpha" {
		t.Fatalf("after an unknown answer: %+v", o)
	}
	r.restart()
	r.clk.Advance(time.Minute)
	if _, err := r.engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	got, err := r.db.Order(bg, o.RefID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != flows.StatusFailed || len(got.Attempts) != 0 || got.Account.Provider != "alpha" {
		t.Fatalf("after the refused check: %+v", got)
	}
	if bp, bc := r.beta.calls(); len(bp)+len(bc) != 0 {
		t.Errorf("beta was asked %d times after alpha's unknown answer", len(bp)+len(bc))
	}
	if w := r.wallet(); w.Balance != 50000 || w.Held != 0 {
		t.Errorf("wallet %+v: the hold must be returned once", w)
	}
}

// A crash between the new attempt's write and its send: the restart
// resumes that attempt under its own ref with its provider — never a third
// attempt, never back to the first provider.
func TestRouteCrashBetweenAttemptAndSend(t *testing.T) {
	r := newRouteRig(t)
	r.alpha.script = []legAnswer{rejected("68")}
	r.beta.entered, r.beta.release = make(chan flows.OrderRequest, 1), make(chan struct{})
	r.beta.script = []legAnswer{unknown()} // what the dead engine's send gets, if anything
	done := make(chan flows.Order, 1)
	go func() {
		o, _ := r.engine.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(),
			Product: routed(10000, 10500), CustomerNumber: "081234567890", Price: 11500})
		done <- o
	}()
	var sent flows.OrderRequest
	select {
	case sent = <-r.beta.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the second attempt was never sent")
	}
	// The attempt was written before its send.
	stored, err := r.db.Order(bg, sent.RefID)
	if err != nil || stored.ProviderRef != sent.RefID || stored.Account.Provider != "beta" || len(stored.Attempts) != 1 {
		t.Fatalf("stored before the send: %+v %v", stored, err)
	}
	// The process dies here: a new engine on the same file, as after a
	// restart (the old one's send is left hanging, then released).
	r.beta.mu.Lock()
	r.beta.entered = nil
	r.beta.script = []legAnswer{success("SN-B")}
	r.beta.mu.Unlock()
	old := r.engine
	r.engine = flows.NewEngine(r.db, nil, flows.EngineConfig{OpsChatID: opsChat, Now: r.clk.Now, Wallet: true, MinMargin: 200,
		ProviderTimeout: 2 * time.Second, Providers: []flows.Provider{r.alpha, r.beta}})
	r.clk.Advance(time.Minute)
	if _, err := r.engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	got, _ := r.db.Order(bg, stored.RefID)
	if got.Status != flows.StatusSuccess || got.SN != "SN-B" || len(got.Attempts) != 1 {
		t.Fatalf("resumed: %+v", got)
	}
	_, bc := r.beta.calls()
	ap, ac := r.alpha.calls()
	if len(bc) != 1 || bc[0].RefID != sent.RefID || bc[0].ProductCode != "b10" || len(ap) != 1 || len(ac) != 0 {
		t.Errorf("beta checks %+v; alpha places %d checks %d", bc, len(ap), len(ac))
	}
	close(r.beta.release)
	<-done
	_ = old
	if w := r.wallet(); w.Balance != 50000-11500 || w.Held != 0 {
		t.Errorf("wallet %+v", w)
	}
}

// Every provider of a route refusing fails the order and returns the hold
// once; a leg whose cost leaves less than the minimum margin is never
// tried.
func TestRouteEveryProviderRefuses(t *testing.T) {
	t.Run("all refuse", func(t *testing.T) {
		r := newRouteRig(t)
		r.alpha.script = []legAnswer{rejected("68")}
		r.beta.script = []legAnswer{failed()}
		o := r.place(routed(10000, 10500))
		if o.Status != flows.StatusFailed || len(o.Attempts) != 1 || o.Account.Provider != "beta" {
			t.Fatalf("%+v", o)
		}
		if w := r.wallet(); w.Balance != 50000 || w.Held != 0 {
			t.Errorf("wallet %+v", w)
		}
		entries, _ := r.db.Entries(bg, buyer, 0)
		refunds := 0
		for _, e := range entries {
			if e.Kind == flows.EntryRefund {
				refunds++
			}
		}
		if refunds != 1 {
			t.Errorf("%d refunds", refunds)
		}
	})
	t.Run("margin", func(t *testing.T) {
		r := newRouteRig(t)
		r.alpha.script = []legAnswer{rejected("68")}
		o := r.place(routed(10000, 11400)) // 11400 > 11500 − 200
		if o.Status != flows.StatusFailed || len(o.Attempts) != 0 {
			t.Fatalf("%+v", o)
		}
		if bp, _ := r.beta.calls(); len(bp) != 0 {
			t.Errorf("beta tried at a cost above the price less the margin")
		}
		// No leg at all within the margin: nothing is written.
		_, _, err := r.engine.Create(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(),
			Product: routed(11400, 11400), CustomerNumber: "081234567890", Price: 11500})
		if !errors.Is(err, flows.ErrNoProvider) {
			t.Errorf("create without a leg: %v", err)
		}
	})
}

// A failure reported on a check (the first provider's transaction failed
// and refunded) moves the order on; a verified answer about the earlier
// attempt that claims a success settles nothing and alerts once.
func TestRouteFailedOnCheckAndLateSuccess(t *testing.T) {
	r := newRouteRig(t)
	r.alpha.script = []legAnswer{{res: flows.Result{Status: flows.StatusPending, Acknowledged: true}}, failed()}
	o := r.place(routed(10000, 10500))
	first := o.RefID
	r.clk.Advance(time.Minute)
	got, err := r.engine.Check(bg, o.RefID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != flows.StatusPending || got.Account.Provider != "beta" || len(got.Attempts) != 1 || got.Attempts[0].Outcome != "failed" {
		t.Fatalf("after alpha failed it: %+v", got)
	}
	late := flows.ProviderAnswer{RefID: first, Matches: func(flows.OrderRequest) bool { return true },
		Result: flows.Result{Status: flows.StatusSuccess, SN: "LATE"}}
	for range 2 {
		if _, err := r.engine.Answer(bg, late); err != nil {
			t.Fatal(err)
		}
	}
	got, _ = r.db.Order(bg, o.RefID)
	if got.Status.Final() || got.SN != "" || !got.HasAlerted(flows.AlertEarlierAttempt) {
		t.Fatalf("after a late success of the first attempt: %+v", got)
	}
	if n := alertsAbout(t, r.db, o.RefID); n != 1 {
		t.Errorf("%d alerts", n)
	}
}

type noCatalog struct{}

func (noCatalog) Products(context.Context) ([]flows.Product, error) { return nil, nil }

// /order shows every attempt: where it went, under which ref, and how it
// ended; then the current one.
func TestRouteOrderShowsAttempts(t *testing.T) {
	r := newRouteRig(t)
	r.alpha.script = []legAnswer{rejected("68")}
	o := r.place(routed(10000, 10500))
	svc := flows.NewService(flows.ServiceConfig{Fits: func(string) bool { return true }, Store: r.db, Engine: r.engine,
		Products: flows.NewProductCache(noCatalog{}, r.db, r.clk.Now), Admins: []int64{adminID}, Now: r.clk.Now})
	out, err := svc.Handle(bg, flows.Input{ChatID: adminID, UserID: adminID, Private: true, Kind: flows.InputCommand,
		Command: "order", Args: o.RefID, UpdateID: 1})
	if err != nil || len(out.Replies) == 0 {
		t.Fatalf("/order: %+v %v", out, err)
	}
	got := out.Replies[0].Text
	for _, want := range []string{"Percobaan 1: alpha ref <code>" + o.RefID + "</code> produk <code>a10</code>", "→ rejected (RC <code>68</code>",
		"Percobaan 2 (sekarang): beta", "Ref di provider: <code>" + o.ProviderRef + "</code>"} {
		if !strings.Contains(got, want) {
			t.Errorf("/order lacks %q:\n%s", want, got)
		}
	}
}
