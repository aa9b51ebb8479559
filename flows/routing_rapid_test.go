package flows_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/storage"
)

// The routing property test (DESIGN rule 17): the real engine and the real
// store, several scripted providers, routed products, and after every step
// checks of what is stored and of what each provider was sent.

// rkind is one answer of a routed fake provider, drawn by the generator.
type rkind string

const (
	rkSuccess       rkind = "success"
	rkPending       rkind = "pending"
	rkFailed        rkind = "failed"
	rkRejected      rkind = "rejected"
	rkMisconfigured rkind = "misconfigured"
	rkUnknown       rkind = "unknown"
)

var rkinds = []rkind{rkSuccess, rkPending, rkPending, rkFailed, rkRejected, rkRejected, rkMisconfigured, rkUnknown}

// chargedNothing reports whether an answer leaves no transaction charged
// at the provider — the only answers an attempt the order moved away from
// may have had (a pending one proves a transaction that a failure later
// refunded).
func (k rkind) chargedNothing() bool {
	return k == rkPending || k == rkFailed || k == rkRejected || k == rkMisconfigured
}

func (k rkind) answer(provider string, req flows.OrderRequest) (flows.Result, error) {
	tx := "TX-" + provider + "-" + req.RefID
	switch k {
	case rkSuccess:
		return flows.Result{Status: flows.StatusSuccess, SN: "SN-" + provider + "-" + req.RefID, ProviderTxID: tx, Acknowledged: true, RC: "00"}, nil
	case rkFailed:
		return flows.Result{Status: flows.StatusFailed, ProviderTxID: tx, Acknowledged: true, RC: "07"}, nil
	case rkRejected:
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindRejected, Op: "fake: " + provider, RC: "14", Reason: flows.ReasonProductUnavailable}
	case rkMisconfigured:
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindMisconfigured, Op: "fake: " + provider, RC: "102"}
	case rkUnknown:
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: "fake: " + provider, Err: context.DeadlineExceeded}
	}
	return flows.Result{Status: flows.StatusPending, ProviderTxID: tx, Acknowledged: true}, nil
}

// rcall is one request a routed fake received, or one verified answer it
// sent on its own (a webhook), with what it said.
type rcall struct {
	op  string // "place", "check" or "webhook"
	req flows.OrderRequest
	ans rkind
	// late: a webhook about a ref that was no longer its order's current
	// attempt, or about a settled order — the engine may only alert.
	late bool
}

// routeProv is one of several providers. Each Place and Check answers from
// the step's script, indexed by how many calls the ref had before, so the
// answers do not depend on the order of a poll's concurrent checks; every
// call is checked, when it arrives, against the stored order.
type routeProv struct {
	name string
	rig  *routePropRig

	mu     sync.Mutex
	script []rkind
	calls  map[string][]rcall // by ref
	total  int
	// gate, when set, holds a Place: entered receives its ref and the
	// Place answers once release is closed.
	entered chan string
	release chan struct{}
}

var _ flows.Provider = (*routeProv)(nil)

func (p *routeProv) Account() flows.Account {
	return flows.Account{Provider: p.name, ID: "u-" + p.name}
}

func (p *routeProv) call(op string, req flows.OrderRequest) (flows.Result, error) {
	p.rig.inspect(p.name, op, req)
	p.mu.Lock()
	prev := p.calls[req.RefID]
	k := rkPending
	if len(p.script) > 0 {
		k = p.script[len(prev)%len(p.script)]
	}
	p.calls[req.RefID] = append(prev, rcall{op: op, req: req, ans: k})
	p.total++
	var entered chan string
	var release chan struct{}
	if op == "place" {
		entered, release = p.entered, p.release
	}
	p.mu.Unlock()
	if entered != nil {
		entered <- req.RefID
		<-release
	}
	return k.answer(p.name, req)
}

func (p *routeProv) Place(_ context.Context, req flows.OrderRequest) (flows.Result, error) {
	return p.call("place", req)
}

func (p *routeProv) Check(_ context.Context, req flows.OrderRequest) (flows.Result, error) {
	return p.call("check", req)
}

func (p *routeProv) log(ref string) []rcall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls[ref])
}

func (p *routeProv) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// rpToken is the model of one confirm: what the buyer agreed to.
type rpToken struct {
	tok     string
	user    int64
	price   int64
	number  string
	product flows.Product
	ref     string // the order it made, "" while none
}

const routeMargin = 200

type routePropRig struct {
	path  string
	clk   *testclock.Clock
	provs map[string]*routeProv // every provider name legs may carry
	conf  []flows.Provider      // the configured ones

	mu     sync.Mutex // guards db (the fakes read it) and bad
	db     *storage.DB
	bad    []string
	engine *flows.Engine

	tokens map[string]*rpToken // by token
	byRef  map[string]*rpToken
	seen   map[string]flows.Order // each order as the last check saw it
}

func (r *routePropRig) open(rt *rapid.T) {
	db, err := storage.Open(r.path, storage.Options{Now: r.clk.Now, NoSync: true})
	if err != nil {
		rt.Fatal(err)
	}
	r.mu.Lock()
	r.db = db
	r.mu.Unlock()
	// UnackedAfter is out of reach: a check is always a provider call.
	// After runs a delayed check at once (onto the hint queue).
	r.engine = flows.NewEngine(db, nil, flows.EngineConfig{OpsChatID: opsChat, Now: r.clk.Now, Wallet: true,
		MinMargin: routeMargin, ProviderTimeout: 2 * time.Second, UnackedAfter: 100000 * time.Hour,
		After: func(_ time.Duration, f func()) { f() }, Providers: r.conf})
}

func (r *routePropRig) restart(rt *rapid.T) {
	r.mu.Lock()
	db := r.db
	r.mu.Unlock()
	if err := db.Close(); err != nil {
		rt.Fatal(err)
	}
	r.open(rt)
}

func (r *routePropRig) violate(format string, args ...any) {
	r.mu.Lock()
	r.bad = append(r.bad, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

// inspect checks a request as it reaches provider name: it is the stored
// order's current attempt, at this provider, on an eligible leg of the
// product the buyer confirmed, at the price less the margin, and the same
// request as every earlier one under its ref.
func (r *routePropRig) inspect(name, op string, req flows.OrderRequest) {
	r.mu.Lock()
	db := r.db
	r.mu.Unlock()
	o, err := db.Order(bg, req.RefID)
	if err != nil {
		r.violate("%s %s of ref %s: no order: %v", name, op, req.RefID, err)
		return
	}
	cur := o.ProviderRef
	if cur == "" {
		cur = o.RefID
	}
	switch {
	case cur != req.RefID:
		r.violate("%s %s of ref %s: order %s is at attempt ref %s now (moved away)", name, op, req.RefID, o.RefID, cur)
	case o.Account.Provider != name:
		r.violate("%s %s of ref %s: order %s is with %s", name, op, req.RefID, o.RefID, o.Account.Provider)
	case o.Status.Final():
		r.violate("%s %s of ref %s: order %s is settled %s", name, op, req.RefID, o.RefID, o.Status)
	}
	if o.Leg < 0 || o.Leg >= len(o.Legs) {
		r.violate("%s %s of ref %s: order %s leg %d of %d", name, op, req.RefID, o.RefID, o.Leg, len(o.Legs))
		return
	}
	l := o.Legs[o.Leg]
	if l.Provider != name || l.Code != req.ProductCode || !l.Available || l.Cost > o.Price-routeMargin {
		r.violate("%s %s of ref %s: leg %+v of order %s (price %d) is not eligible / not this request (%s)",
			name, op, req.RefID, l, o.RefID, o.Price, req.ProductCode)
	}
	if req.MaxPrice != o.Price-routeMargin || req.CustomerNumber != o.CustomerNumber {
		r.violate("%s %s of ref %s: max price %d number %s, order price %d number %s", name, op, req.RefID,
			req.MaxPrice, req.CustomerNumber, o.Price, o.CustomerNumber)
	}
	for _, c := range r.provs[name].log(req.RefID) {
		if c.op == "webhook" {
			continue
		}
		f := c.req
		if f.ProductCode != req.ProductCode || f.CustomerNumber != req.CustomerNumber || f.MaxPrice != req.MaxPrice {
			r.violate("%s %s of ref %s differs from its first request: %+v vs %+v", name, op, req.RefID, req, f)
		}
		break
	}
}

// refsOf are every ref o went to a provider under, earliest first, with
// the provider of each.
func refsOf(o flows.Order) (refs, provs []string) {
	for _, a := range o.Attempts {
		refs, provs = append(refs, a.RefID), append(provs, a.Account.Provider)
	}
	cur := o.ProviderRef
	if cur == "" {
		cur = o.RefID
	}
	return append(refs, cur), append(provs, o.Account.Provider)
}

// TestRoutingProperties drives the real engine and store with two or three
// scripted providers through confirms of routed products, double confirms,
// polls, hints and verified answers about current and earlier attempts,
// restarts, crashes between an attempt's write and its send, and
// settlements by hand; after every step checkRouting checks DESIGN rules
// 3, 4, 5, 13 and 17 from what is stored and what each provider saw.
func TestRoutingProperties(t *testing.T) {
	// As TestWalletEngineProperties: each sequential write waits out the
	// batch delay, so a modest default keeps the package quick.
	// -rapid.checks on the command line still decides.
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue {
		f.Value.Set("20")
		defer f.Value.Set(f.DefValue)
	}
	users := []int64{2001, 2002}
	names := []string{"p0", "p1", "p2"}
	rapid.Check(t, func(rt *rapid.T) {
		r := &routePropRig{path: filepath.Join(t.TempDir(), "topupbot.db"),
			clk:    testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB)),
			provs:  map[string]*routeProv{},
			tokens: map[string]*rpToken{}, byRef: map[string]*rpToken{}, seen: map[string]flows.Order{}}
		for _, n := range names {
			r.provs[n] = &routeProv{name: n, rig: r, calls: map[string][]rcall{}}
		}
		// Two or three configured; legs may name p2 when it is not.
		nconf := rapid.SampledFrom([]int{2, 3, 3}).Draw(rt, "providers")
		for _, n := range names[:nconf] {
			r.conf = append(r.conf, r.provs[n])
		}
		r.open(rt)
		defer func() { r.db.Close() }()
		credited := map[int64]int64{}
		for _, u := range users {
			amount := rapid.Int64Range(20_000, 80_000).Draw(rt, "saldo")
			if _, err := r.db.Adjust(bg, u, amount, adminID, "modal"); err != nil {
				rt.Fatal(err)
			}
			credited[u] = amount
		}
		var tokenList []string
		seq := 0

		// scripts draws what each provider answers in this step.
		scripts := func(rt *rapid.T) {
			for _, n := range names {
				p := r.provs[n]
				s := rapid.SliceOfN(rapid.SampledFrom(rkinds), 1, 3).Draw(rt, "script "+n)
				p.mu.Lock()
				p.script = s
				p.mu.Unlock()
			}
		}
		totalCalls := func() int {
			n := 0
			for _, p := range r.provs {
				n += p.count()
			}
			return n
		}
		eligible := func(legs []flows.Leg, price int64) bool {
			for _, l := range legs {
				if slices.Contains(names[:nconf], l.Provider) && l.Available && l.Cost > 0 && l.Cost <= price-routeMargin {
					return true
				}
			}
			return false
		}
		newToken := func(rt *rapid.T) *rpToken {
			seq++
			price := rapid.Int64Range(5_000, 20_000).Draw(rt, "price")
			order := rapid.Permutation(names).Draw(rt, "legs order")
			nlegs := rapid.SampledFrom([]int{2, 3, 3}).Draw(rt, "legs")
			var legs []flows.Leg
			for i, n := range order[:nlegs] {
				legs = append(legs, flows.Leg{Provider: n, Code: fmt.Sprintf("%s-c%d", n, i),
					Cost:      rapid.Int64Range(price-routeMargin-2_000, price).Draw(rt, "cost"),
					Available: rapid.IntRange(0, 4).Draw(rt, "available") > 0})
			}
			tk := &rpToken{tok: fmt.Sprintf("rtok%d", seq), user: rapid.SampledFrom(users).Draw(rt, "user"), price: price,
				number: fmt.Sprintf("0812%08d", seq),
				product: flows.Product{Code: "R" + fmt.Sprint(seq), Name: "Routed", Category: flows.CategoryPulsa, Brand: "Telkomsel",
					Price: price, Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone, Legs: legs}}
			r.tokens[tk.tok] = tk
			tokenList = append(tokenList, tk.tok)
			return tk
		}
		placeReq := func(tk *rpToken) flows.PlaceRequest {
			return flows.PlaceRequest{ChatID: tk.user, UserID: tk.user, Token: tk.tok, Product: tk.product,
				CustomerNumber: tk.number, Price: tk.price, MessageID: 7}
		}
		// placed checks a confirm's outcome against the model: refused
		// without an eligible leg or the saldo, else one order.
		placed := func(rt *rapid.T, tk *rpToken, balance int64, o flows.Order, err error) {
			var low *flows.BalanceTooLowError
			switch {
			case !eligible(tk.product.Legs, tk.price):
				if !errors.Is(err, flows.ErrNoProvider) {
					rt.Fatalf("confirm %s without an eligible leg (%+v, price %d): %+v %v", tk.tok, tk.product.Legs, tk.price, o, err)
				}
			case balance < tk.price:
				if !errors.As(err, &low) {
					rt.Fatalf("confirm %s of %d from a saldo of %d: %+v %v", tk.tok, tk.price, balance, o, err)
				}
			case err != nil:
				rt.Fatalf("confirm %s: %v", tk.tok, err)
			default:
				if _, dup := r.byRef[o.RefID]; dup {
					rt.Fatalf("confirm %s made order %s of another token", tk.tok, o.RefID)
				}
				tk.ref = o.RefID
				r.byRef[o.RefID] = tk
			}
		}
		wallet := func(rt *rapid.T, u int64) flows.Wallet {
			w, err := r.db.Wallet(bg, u)
			if err != nil {
				rt.Fatal(err)
			}
			return w
		}
		current := func(rt *rapid.T, ref string) flows.Order {
			o, err := r.db.Order(bg, ref)
			if err != nil {
				rt.Fatalf("order %s: %v", ref, err)
			}
			return o
		}
		pickOrder := func(rt *rapid.T, open bool) flows.Order {
			var refs []string
			for _, tok := range tokenList {
				if tk := r.tokens[tok]; tk.ref != "" {
					if !open || !current(rt, tk.ref).Status.Final() {
						refs = append(refs, tk.ref)
					}
				}
			}
			if len(refs) == 0 {
				rt.Skip("no order")
			}
			return current(rt, rapid.SampledFrom(refs).Draw(rt, "order"))
		}
		// answer is a verified webhook from the provider of one of o's
		// refs, recorded as that provider's word when it matches.
		answer := func(rt *rapid.T, o flows.Order, ref, prov string, k rkind, matches bool) (flows.Order, error) {
			refs, _ := refsOf(o)
			late := ref != refs[len(refs)-1] || o.Status.Final()
			res, perr := k.answer(prov, flows.OrderRequest{RefID: ref})
			if matches {
				p := r.provs[prov]
				p.mu.Lock()
				p.calls[ref] = append(p.calls[ref], rcall{op: "webhook", req: flows.OrderRequest{RefID: ref}, ans: k, late: late})
				p.mu.Unlock()
			}
			return r.engine.Answer(bg, flows.ProviderAnswer{RefID: ref, Result: res, Err: perr,
				Matches: func(flows.OrderRequest) bool { return matches }})
		}

		steps := map[string]func(*rapid.T){
			"confirm": func(rt *rapid.T) {
				tk := newToken(rt)
				scripts(rt)
				bal := wallet(rt, tk.user).Balance
				o, err := r.engine.Place(bg, placeReq(tk))
				placed(rt, tk, bal, o, err)
			},
			// The same Confirm again: its order, and nothing sent.
			"double confirm": func(rt *rapid.T) {
				if len(tokenList) == 0 {
					rt.Skip("no token")
				}
				tk := r.tokens[rapid.SampledFrom(tokenList).Draw(rt, "token")]
				scripts(rt)
				before := totalCalls()
				bal := wallet(rt, tk.user).Balance
				o, err := r.engine.Place(bg, placeReq(tk))
				if tk.ref == "" {
					placed(rt, tk, bal, o, err)
					return
				}
				if err != nil || o.RefID != tk.ref {
					rt.Fatalf("double confirm %s: %+v %v, want order %s", tk.tok, o, err, tk.ref)
				}
				if n := totalCalls(); n != before {
					rt.Fatalf("double confirm %s sent %d requests", tk.tok, n-before)
				}
			},
			"poll": func(rt *rapid.T) {
				scripts(rt)
				r.clk.Advance(rapid.SampledFrom([]time.Duration{10 * time.Second, 2 * time.Minute, 10 * time.Minute,
					time.Hour, 3 * time.Hour}).Draw(rt, "advance"))
				if _, err := r.engine.Poll(bg); err != nil {
					rt.Fatal(err)
				}
			},
			// A callback's hint by one of the order's refs: one check of
			// its current attempt, run by Run.
			"hint": func(rt *rapid.T) {
				o := pickOrder(rt, false)
				refs, _ := refsOf(o)
				ref := rapid.SampledFrom(refs).Draw(rt, "ref")
				scripts(rt)
				before := totalCalls()
				if err := r.engine.Hint(bg, ref); err != nil {
					rt.Fatalf("hint %s: %v", ref, err)
				}
				if o.Status.Final() {
					return
				}
				ctx, cancel := context.WithCancel(bg)
				done := make(chan struct{})
				go func() { r.engine.Run(ctx); close(done) }()
				deadline := time.Now().Add(5 * time.Second)
				for totalCalls() == before && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				cancel()
				<-done
				if totalCalls() == before {
					rt.Fatalf("hint %s of open order %s: no check", ref, o.RefID)
				}
			},
			// A verified provider answer about the current attempt or an
			// earlier one.
			"provider answer": func(rt *rapid.T) {
				o := pickOrder(rt, false)
				refs, provs := refsOf(o)
				i := rapid.IntRange(0, len(refs)-1).Draw(rt, "attempt")
				k := rapid.SampledFrom(rkinds).Draw(rt, "answer")
				matches := rapid.IntRange(0, 4).Draw(rt, "matches") > 0
				scripts(rt)
				if _, err := answer(rt, o, refs[i], provs[i], k, matches); err != nil {
					rt.Fatalf("answer %s (%s): %v", refs[i], k, err)
				}
			},
			"restart": func(rt *rapid.T) {
				r.restart(rt)
			},
			// The process dies while an attempt's send is on the wire
			// (after its write): a confirm, or a verified failure that
			// moves an order on, whose send to the gated provider hangs;
			// a new engine on the same file; then the old send returns
			// into a closed database.
			"crash during send": func(rt *rapid.T) {
				gated := r.provs[rapid.SampledFrom(names[:nconf]).Draw(rt, "gated")]
				var tk *rpToken
				var o flows.Order
				viaConfirm := rapid.Bool().Draw(rt, "via confirm")
				if viaConfirm {
					tk = newToken(rt)
				} else {
					o = pickOrder(rt, true)
				}
				scripts(rt)
				entered, release := make(chan string, 1), make(chan struct{})
				gated.mu.Lock()
				gated.entered, gated.release = entered, release
				gated.mu.Unlock()
				type out struct {
					o   flows.Order
					err error
				}
				done := make(chan out, 1)
				var bal int64
				if viaConfirm {
					bal = wallet(rt, tk.user).Balance
					go func() { o, err := r.engine.Place(bg, placeReq(tk)); done <- out{o, err} }()
				} else {
					refs, provs := refsOf(o)
					go func() {
						o, err := answer(rt, o, refs[len(refs)-1], provs[len(provs)-1], rkFailed, true)
						done <- out{o, err}
					}()
				}
				ungate := func() {
					gated.mu.Lock()
					gated.entered, gated.release = nil, nil
					gated.mu.Unlock()
				}
				select {
				case res := <-done:
					ungate()
					if viaConfirm {
						placed(rt, tk, bal, res.o, res.err)
					} else if res.err != nil {
						rt.Fatal(res.err)
					}
				case ref := <-entered:
					ungate()
					r.restart(rt)
					close(release)
					<-done // its record fails: the database it had is closed
					stored := current(rt, ref)
					if viaConfirm {
						if stored.Token != tk.tok {
							rt.Fatalf("crashed send of %s: ref %s is order %+v", tk.tok, ref, stored)
						}
						tk.ref = stored.RefID
						r.byRef[stored.RefID] = tk
					}
					if stored.Status.Final() || stored.ProviderRef != ref && stored.RefID != ref {
						rt.Fatalf("crashed send of ref %s: stored %+v, want it open at that attempt", ref, stored)
					}
				case <-time.After(10 * time.Second):
					rt.Fatal("crash step: neither done nor sent")
				}
			},
			"settle by hand": func(rt *rapid.T) {
				o := pickOrder(rt, true)
				st := rapid.SampledFrom([]flows.Status{flows.StatusSuccess, flows.StatusFailed}).Draw(rt, "status")
				got, err := r.engine.SettleByHand(bg, flows.ManualSettlement{RefID: o.RefID, Status: st,
					SN: "HAND-" + o.RefID, AdminID: adminID, Note: "cek supplier"})
				switch {
				case o.Status == flows.StatusPlacing:
					if !errors.Is(err, flows.ErrNotAnswered) {
						rt.Fatalf("settle placing %s by hand: %+v %v", o.RefID, got, err)
					}
				case err != nil || got.Status != st:
					rt.Fatalf("settle %s by hand %s: %+v %v", o.RefID, st, got, err)
				}
			},
			"": func(rt *rapid.T) {
				checkRouting(rt, r, users, credited)
			},
		}
		rt.Repeat(steps)
	})
}

// checkRouting checks, from what is stored and what each fake saw, every
// order's attempts and refs, every buyer's money, and that no order was
// filled twice without an alert.
func checkRouting(rt *rapid.T, r *routePropRig, users []int64, credited map[int64]int64) {
	r.mu.Lock()
	bad := r.bad
	r.bad = nil
	r.mu.Unlock()
	if len(bad) > 0 {
		rt.Fatalf("providers were sent what they must not be:\n%v", bad)
	}
	db := r.db
	stored := map[string]flows.Order{}
	if err := db.ForEachOrder(bg, func(o flows.Order) error { stored[o.RefID] = o; return nil }); err != nil {
		rt.Fatal(err)
	}
	if len(stored) != len(r.byRef) {
		rt.Fatalf("%d orders stored, %d confirmed", len(stored), len(r.byRef))
	}
	owner := map[string]string{} // ref → order
	heldBy := map[int64]int64{}
	spent := map[int64]int64{}
	for ref, tk := range r.byRef {
		o, ok := stored[ref]
		if !ok {
			rt.Fatalf("order %s missing", ref)
		}
		if o.UserID != tk.user || o.Price != tk.price || o.Hold != tk.price || o.CustomerNumber != tk.number ||
			o.MaxPrice != tk.price-routeMargin || !slices.Equal(o.Legs, tk.product.Legs) {
			rt.Fatalf("order %s: %+v, confirmed %+v", ref, o, tk)
		}
		switch o.Status {
		case flows.StatusSuccess:
			spent[o.UserID] += o.Hold
		case flows.StatusFailed:
		default:
			heldBy[o.UserID] += o.Hold
		}
		refs, provs := refsOf(o)
		// The ref → order index, and refs unique across orders.
		for _, x := range refs {
			if other, dup := owner[x]; dup {
				rt.Fatalf("ref %s belongs to orders %s and %s", x, other, ref)
			}
			owner[x] = ref
			if got, err := db.Order(bg, x); err != nil || got.RefID != ref {
				rt.Fatalf("ref %s of order %s resolves to %q: %v", x, ref, got.RefID, err)
			}
		}
		// At most one attempt per leg, in the legs' order, each leg
		// eligible when tried.
		leg := -1
		for i, pv := range provs {
			j := slices.IndexFunc(o.Legs, func(l flows.Leg) bool { return l.Provider == pv })
			if j <= leg {
				rt.Fatalf("order %s: attempt %d at %s (leg %d) after leg %d: %+v", ref, i, pv, j, leg, o.Attempts)
			}
			leg = j
			l := o.Legs[j]
			if !l.Available || l.Cost > o.Price-routeMargin || r.provs[pv] == nil ||
				!slices.ContainsFunc(r.conf, func(p flows.Provider) bool { return p.Account().Provider == pv }) {
				rt.Fatalf("order %s: attempt %d on leg %+v, not eligible at price %d", ref, i, l, o.Price)
			}
		}
		if leg != o.Leg {
			rt.Fatalf("order %s: current leg %d, attempts say %d", ref, o.Leg, leg)
		}
		// Attempts only grow; an uncertain order never moves again.
		if prev, ok := r.seen[ref]; ok {
			pr, _ := refsOf(prev)
			if len(refs) < len(pr) || !slices.Equal(refs[:len(pr)-1], pr[:len(pr)-1]) {
				rt.Fatalf("order %s: attempts %v after %v", ref, refs, pr)
			}
			if prev.Uncertain && len(refs) != len(pr) {
				rt.Fatalf("order %s moved on after an unknown answer: %v after %v", ref, refs, pr)
			}
		}
		r.seen[ref] = o
		// Each earlier attempt ended without a charge, and its provider
		// said nothing else about it while it was current.
		succeeded := map[string]bool{}
		lateEarlier := false
		for i, x := range refs {
			log := r.provs[provs[i]].log(x)
			var live []rcall
			for _, c := range log {
				if c.ans == rkSuccess {
					succeeded[provs[i]] = true
					lateEarlier = lateEarlier || c.late && i < len(refs)-1
				}
				if !c.late {
					live = append(live, c)
				}
			}
			if i == len(refs)-1 {
				if o.Status == flows.StatusSuccess && o.SettledBy == 0 &&
					!slices.ContainsFunc(live, func(c rcall) bool { return c.ans == rkSuccess }) {
					rt.Fatalf("order %s settled success without its provider %s saying so: %+v", ref, provs[i], live)
				}
				continue
			}
			a := o.Attempts[i]
			if len(live) == 0 {
				rt.Fatalf("order %s: attempt %s at %s ended %s without an answer", ref, x, provs[i], a.Outcome)
			}
			for _, c := range live {
				if !c.ans.chargedNothing() {
					rt.Fatalf("order %s moved on from %s at %s, which answered %s (%s): %+v", ref, x, provs[i], c.ans, c.op, live)
				}
			}
			last := live[len(live)-1]
			want := map[string]rkind{"rejected": rkRejected, "failed": rkFailed, "misconfigured": rkMisconfigured}[a.Outcome]
			if want == "" || last.ans != want || a.Outcome == "misconfigured" && (last.op != "place" || len(live) != 1) {
				rt.Fatalf("order %s: attempt %s ended %s, its provider's last word %s (%s): %+v", ref, x, a.Outcome, last.ans, last.op, live)
			}
		}
		alerted := o.HasAlerted(flows.AlertEarlierAttempt)
		if len(succeeded) > 1 && !alerted {
			rt.Fatalf("order %s (%s) filled by %v without an alert: attempts %+v", ref, o.Status, succeeded, o.Attempts)
		}
		if lateEarlier && !alerted {
			rt.Fatalf("order %s (%s): an earlier attempt's provider reported a success, no alert (%v)", ref, o.Status, refs)
		}
	}
	// Money (rule 13): held is the open orders' holds; each order's hold
	// taken once and spent or refunded once as it settled.
	for _, u := range users {
		w, err := db.Wallet(bg, u)
		if err != nil {
			rt.Fatal(err)
		}
		switch {
		case w.Balance < 0 || w.Held < 0:
			rt.Fatalf("user %d: negative wallet %+v", u, w)
		case w.Held != heldBy[u]:
			rt.Fatalf("user %d: held %d, open orders hold %d", u, w.Held, heldBy[u])
		case w.Balance+w.Held != credited[u]-spent[u]:
			rt.Fatalf("user %d: balance %d + held %d ≠ credited %d − spent %d", u, w.Balance, w.Held, credited[u], spent[u])
		}
		es, err := db.Entries(bg, u, 0)
		if err != nil {
			rt.Fatal(err)
		}
		perRef := map[string]map[flows.EntryKind]int{}
		for _, e := range es {
			if e.Ref == "" {
				continue
			}
			if _, ok := r.byRef[e.Ref]; !ok {
				rt.Fatalf("user %d: entry %+v for %s, not an order's own ref", u, e, e.Ref)
			}
			if perRef[e.Ref] == nil {
				perRef[e.Ref] = map[flows.EntryKind]int{}
			}
			perRef[e.Ref][e.Kind]++
		}
		for ref, tk := range r.byRef {
			if tk.user != u {
				continue
			}
			want := map[flows.EntryKind]int{flows.EntryHold: 1}
			switch stored[ref].Status {
			case flows.StatusSuccess:
				want[flows.EntryPurchase] = 1
			case flows.StatusFailed:
				want[flows.EntryRefund] = 1
			}
			got := perRef[ref]
			if len(got) != len(want) || got[flows.EntryHold] != 1 || got[flows.EntryPurchase] != want[flows.EntryPurchase] ||
				got[flows.EntryRefund] != want[flows.EntryRefund] {
				rt.Fatalf("order %s (%s, %d attempts): entries %v, want %v", ref, stored[ref].Status, len(stored[ref].Attempts), got, want)
			}
		}
	}
}

// Found by TestRoutingProperties: a verified success about an earlier
// attempt of an order that has settled since — filled by the next provider,
// or failed and refunded after every provider refused — raised no alert
// (alertOnce leaves settled orders alone), though the order may now be
// filled twice, or filled after its refund. An admin must hear of it once.
func TestRouteLateSuccessOfEarlierAttemptOfSettledOrder(t *testing.T) {
	for _, tc := range []struct {
		name string
		beta legAnswer
		want flows.Status
	}{
		{"filled by the next", success("SN-B"), flows.StatusSuccess},
		{"failed and refunded", failed(), flows.StatusFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRouteRig(t)
			r.alpha.script = []legAnswer{{err: &flows.ProviderError{Kind: flows.KindMisconfigured, Op: "test: place", RC: "102"}}}
			r.beta.script = []legAnswer{tc.beta}
			o := r.place(routed(10000, 10500))
			if o.Status != tc.want || len(o.Attempts) != 1 {
				t.Fatalf("placed: %+v", o)
			}
			late := flows.ProviderAnswer{RefID: o.Attempts[0].RefID, Matches: func(flows.OrderRequest) bool { return true },
				Result: flows.Result{Status: flows.StatusSuccess, SN: "LATE", Acknowledged: true}}
			for range 2 {
				if _, err := r.engine.Answer(bg, late); err != nil {
					t.Fatal(err)
				}
			}
			got, _ := r.db.Order(bg, o.RefID)
			if got.Status != tc.want || got.SN == "LATE" || !got.HasAlerted(flows.AlertEarlierAttempt) {
				t.Fatalf("after a late success of the earlier attempt: %+v", got)
			}
			if n := alertsAbout(t, r.db, o.RefID); n != 1 {
				t.Errorf("%d alerts, want 1", n)
			}
			if !got.NextCheckAt.IsZero() {
				t.Errorf("a settled order scheduled for a check at %s", got.NextCheckAt)
			}
		})
	}
}

// Found by TestRoutingProperties: an order that moved on from a pending
// attempt (a check answered failed) stays pending, not placing, so when
// the process dies during the next attempt's send, the restarted engine's
// check of it — a send never answered, whose transaction may exist — was
// taken as an answered attempt's: a refusal moved the order to a third
// provider, which could fill it a second time. It must stay uncertain at
// the attempt whose send was cut off, and never move again.
func TestRouteCrashAfterMoveFromPendingStaysUncertain(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Adjust(bg, buyer, 50000, adminID, "modal"); err != nil {
		t.Fatal(err)
	}
	alpha, beta, gamma := &legProvider{name: "alpha"}, &legProvider{name: "beta"}, &legProvider{name: "gamma"}
	engine := func() *flows.Engine {
		return flows.NewEngine(db, nil, flows.EngineConfig{OpsChatID: opsChat, Now: clk.Now, Wallet: true, MinMargin: 200,
			ProviderTimeout: 2 * time.Second, Providers: []flows.Provider{alpha, beta, gamma}})
	}
	p := routed(10000, 10500)
	p.Legs = append(p.Legs, flows.Leg{Provider: "gamma", Code: "g10", Cost: 10800, Available: true})
	alpha.script = []legAnswer{{res: flows.Result{Status: flows.StatusPending, Acknowledged: true}}, failed()}
	e := engine()
	o, err := e.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(), Product: p,
		CustomerNumber: "081234567890", Price: 11500})
	if err != nil || o.Status != flows.StatusPending || o.Account.Provider != "alpha" {
		t.Fatalf("placed: %+v %v", o, err)
	}
	// alpha's check says failed: the order moves to beta, whose send hangs
	// and the process dies.
	beta.entered, beta.release = make(chan flows.OrderRequest, 1), make(chan struct{})
	clk.Advance(time.Minute)
	done := make(chan struct{})
	go func() { e.Check(bg, o.RefID); close(done) }()
	var sent flows.OrderRequest
	select {
	case sent = <-beta.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("beta was never sent the order")
	}
	beta.mu.Lock()
	beta.entered = nil
	beta.script = []legAnswer{rejected("14")} // the restarted engine's check
	beta.mu.Unlock()
	gamma.script = []legAnswer{success("SN-G")}
	e = engine()
	clk.Advance(time.Minute)
	if _, err := e.Poll(bg); err != nil {
		t.Fatal(err)
	}
	close(beta.release)
	<-done
	got, _ := db.Order(bg, o.RefID)
	if gp, gc := gamma.calls(); len(gp)+len(gc) != 0 {
		t.Errorf("gamma was sent the order after beta's send was cut off: %d places, %d checks", len(gp), len(gc))
	}
	if len(got.Attempts) != 1 || got.Account.Provider != "beta" || got.ProviderRef != sent.RefID || !got.Uncertain {
		t.Fatalf("after the restarted check of beta: %+v", got)
	}
}
