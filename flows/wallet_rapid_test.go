package flows_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/storage"
)

// answer is what the fake provider says about one order, picked by the
// generator.
type answer int

const (
	ansPending  answer = iota // a pending record: stays held
	ansUnknown                // a timeout: unknown is not failed (rule 3)
	ansSuccess                // settles success: the hold becomes a purchase
	ansFailed                 // a failed record: the hold is refunded
	ansRejected               // a definitive refusal (first send only)
)

var checkAnswers = []answer{ansPending, ansUnknown, ansSuccess, ansFailed}
var placeAnswers = append(checkAnswers, ansRejected)

// final is the status an order answered a reaches, if any.
func (a answer) final() flows.Status {
	switch a {
	case ansSuccess:
		return flows.StatusSuccess
	case ansFailed, ansRejected:
		return flows.StatusFailed
	}
	return ""
}

// scriptedProvider answers each order as the test scripted it, keyed by the
// order's customer number (unique per confirm token). In process: no
// network at all.
type scriptedProvider struct {
	mu      sync.Mutex
	answers map[string]answer
}

func (p *scriptedProvider) set(number string, a answer) {
	p.mu.Lock()
	p.answers[number] = a
	p.mu.Unlock()
}

func (p *scriptedProvider) Account() flows.Account { return flows.Account{Provider: "iak", ID: "prop"} }

func (p *scriptedProvider) answer(req flows.OrderRequest) (flows.Result, error) {
	p.mu.Lock()
	a, ok := p.answers[req.CustomerNumber]
	p.mu.Unlock()
	if !ok {
		return flows.Result{}, fmt.Errorf("no answer scripted for %s", req.CustomerNumber)
	}
	tx := "TX" + req.RefID
	switch a {
	case ansSuccess:
		return flows.Result{Status: flows.StatusSuccess, SN: "SN" + req.RefID, ProviderTxID: tx, Acknowledged: true}, nil
	case ansFailed:
		return flows.Result{Status: flows.StatusFailed, ProviderTxID: tx, Acknowledged: true, RC: "07"}, nil
	case ansRejected:
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindRejected, Op: "fake: top-up", RC: "14"}
	case ansUnknown:
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: "fake: top-up", Err: context.DeadlineExceeded}
	}
	return flows.Result{Status: flows.StatusPending, ProviderTxID: tx, Acknowledged: true}, nil
}

func (p *scriptedProvider) Place(_ context.Context, req flows.OrderRequest) (flows.Result, error) {
	return p.answer(req)
}

func (p *scriptedProvider) Check(_ context.Context, req flows.OrderRequest) (flows.Result, error) {
	return p.answer(req)
}

// The bill payer: the one payment and its checks answer as scripted.
func (p *scriptedProvider) InquireBill(context.Context, flows.BillRequest) (flows.Bill, error) {
	return flows.Bill{}, errors.New("the test inquires nothing")
}

func (p *scriptedProvider) PayBill(_ context.Context, b flows.Bill) (flows.Result, error) {
	return p.answer(flows.OrderRequest{RefID: b.RefID, CustomerNumber: b.CustomerNumber})
}

func (p *scriptedProvider) CheckBill(_ context.Context, b flows.Bill) (flows.Result, error) {
	return p.answer(flows.OrderRequest{RefID: b.RefID, CustomerNumber: b.CustomerNumber})
}

// propOrder is the model of one order.
type propOrder struct {
	ref, number string
	user, price int64
	status      flows.Status // "" while not final
	bill        string       // the inquiry's ref for a bill payment
}

// propDeposit is the model of one deposit.
type propDeposit struct {
	id       string
	user     int64
	amount   int64
	state    flows.DepositState
	adjusted bool
}

// propUser is the model of one buyer's money.
type propUser struct {
	credits int64 // Σ deposits credited + Σ positive adjustments
	debits  int64 // Σ purchases + Σ negative adjustments
}

// TestWalletEngineProperties drives the real engine and the real store
// through random deposits, confirms, double taps, settlements, adjustments,
// restarts and concurrent buyers, and checks DESIGN rules 13–15 for every
// user after every step (see checkWallets).
func TestWalletEngineProperties(t *testing.T) {
	users := []int64{1001, 1002, 1 << 40}
	// Each sequential order write waits out bbolt's batch delay, so rapid's
	// default 100 runs take half a minute; 30 runs of 30 steps keep the
	// package quick. -rapid.checks on the command line still decides.
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue {
		f.Value.Set("30")
		defer f.Value.Set(f.DefValue)
	}
	rapid.Check(t, func(rt *rapid.T) {
		clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
		path := filepath.Join(t.TempDir(), "topupbot.db")
		opts := storage.Options{Now: clk.Now, NoSync: true}
		prov := &scriptedProvider{answers: map[string]answer{}}
		var db *storage.DB
		var engine *flows.Engine
		open := func() {
			var err error
			if db, err = storage.Open(path, opts); err != nil {
				rt.Fatal(err)
			}
			// UnackedAfter is out of reach: an unknown answer stays
			// checkable however far the clock moves.
			engine = flows.NewEngine(db, prov, flows.EngineConfig{ProviderTimeout: 2 * time.Second,
				OpsChatID: opsChat, Now: clk.Now, Wallet: true, UnackedAfter: 100000 * time.Hour})
		}
		open()
		defer func() { db.Close() }()

		model := map[int64]*propUser{}
		for _, u := range users {
			model[u] = &propUser{}
		}
		orders := map[string]*propOrder{} // by ref
		tokens := map[string]*propOrder{} // by token; ref "" while refused
		var tokenList []string
		deposits := map[string]*propDeposit{}
		var depositList []string
		seq := 0
		next := func() int { seq++; return seq }

		user := rapid.SampledFrom(users)
		balance := func(u int64) int64 {
			held := int64(0)
			for _, o := range orders {
				if o.user == u && o.status == "" {
					held += o.price
				}
			}
			return model[u].credits - model[u].debits - held
		}
		// placed records what an accepted confirm of tok made.
		placed := func(rt *rapid.T, tok string, po *propOrder, o flows.Order, a answer) {
			if o.UserID != po.user || o.Price != po.price || o.Hold != po.price || o.CustomerNumber != po.number {
				rt.Fatalf("token %s made %+v, want %+v", tok, o, po)
			}
			if _, dup := orders[o.RefID]; dup {
				rt.Fatalf("token %s made order %s, already made by another token", tok, o.RefID)
			}
			po.ref = o.RefID
			orders[o.RefID] = po
			po.status = a.final()
			if po.status == flows.StatusSuccess {
				model[po.user].debits += po.price
			}
		}
		// tap is one Confirm (or Pay) of tok through the engine.
		tap := func(tok string) (flows.Order, error) {
			po := tokens[tok]
			if po.bill == "" {
				return engine.Place(bg, flows.PlaceRequest{ChatID: po.user, UserID: po.user, Token: tok,
					Product: telkomsel10k(), CustomerNumber: po.number, Price: po.price, MessageID: 7})
			}
			o, created, err := engine.CreateBill(bg, flows.PayRequest{ChatID: po.user, UserID: po.user, Token: tok,
				Product: flows.Product{Code: "PLNPOSTPAID", Name: "PLN Pascabayar", Kind: flows.Postpaid},
				Bill: flows.Bill{RefID: po.bill, ProductCode: "PLNPOSTPAID", CustomerNumber: po.number,
					Amount: po.price, Total: po.price, Expires: clk.Now().Add(15 * time.Minute)},
				Price: po.price, MessageID: 7})
			if err != nil || !created {
				return o, err
			}
			return engine.SendBill(bg, o.RefID)
		}
		// confirm places the order of tok, sequentially, and checks the
		// engine did what the model says: hold it, or refuse it whole.
		confirm := func(rt *rapid.T, tok string, a answer) {
			po := tokens[tok]
			prov.set(po.number, a)
			short := balance(po.user) < po.price
			o, err := tap(tok)
			var low *flows.BalanceTooLowError
			switch {
			case short && errors.As(err, &low):
				if _, err := db.OrderByToken(bg, po.user, tok); !errors.Is(err, flows.ErrNotFound) {
					rt.Fatalf("refused token %s was consumed: %v", tok, err)
				}
			case short || err != nil:
				rt.Fatalf("confirm %s (price %d, balance %d): %+v %v", tok, po.price, balance(po.user), o, err)
			default:
				placed(rt, tok, po, o, a)
			}
		}
		newToken := func(rt *rapid.T, u, price int64) string {
			n := next()
			tok := fmt.Sprintf("tok%d", n)
			tokens[tok] = &propOrder{user: u, price: price, number: fmt.Sprintf("0812%08d", n)}
			tokenList = append(tokenList, tok)
			return tok
		}
		pickOpen := func(rt *rapid.T) *propOrder {
			var open []string
			for _, tok := range tokenList {
				if po := tokens[tok]; po.ref != "" && po.status == "" {
					open = append(open, po.ref)
				}
			}
			if len(open) == 0 {
				rt.Skip("no open order")
			}
			return orders[rapid.SampledFrom(open).Draw(rt, "order")]
		}
		// settleBy records that the provider now answers a for po and its
		// check has run.
		settleBy := func(po *propOrder, a answer) {
			if po.status = a.final(); po.status == flows.StatusSuccess {
				model[po.user].debits += po.price
			}
		}

		steps := map[string]func(*rapid.T){
			"confirm": func(rt *rapid.T) {
				u := user.Draw(rt, "user")
				tok := newToken(rt, u, rapid.Int64Range(1, 60_000).Draw(rt, "price"))
				confirm(rt, tok, rapid.SampledFrom(placeAnswers).Draw(rt, "answer"))
			},
			// A postpaid bill paid from the saldo: its one payment, then
			// checks (rule 8).
			"pay bill": func(rt *rapid.T) {
				u := user.Draw(rt, "user")
				tok := newToken(rt, u, rapid.Int64Range(1, 200_000).Draw(rt, "price"))
				tokens[tok].bill = fmt.Sprintf("BILL%08d", seq)
				confirm(rt, tok, rapid.SampledFrom(placeAnswers).Draw(rt, "answer"))
			},
			// The process dies between writing the order and sending it:
			// the order is held and placing until a check resumes it.
			"confirm, crash before send": func(rt *rapid.T) {
				u := user.Draw(rt, "user")
				price := rapid.Int64Range(1, 60_000).Draw(rt, "price")
				tok := newToken(rt, u, price)
				po := tokens[tok]
				prov.set(po.number, ansPending)
				short := balance(u) < price
				o, created, err := engine.Create(bg, flows.PlaceRequest{ChatID: u, UserID: u, Token: tok,
					Product: telkomsel10k(), CustomerNumber: po.number, Price: price, MessageID: 7})
				var low *flows.BalanceTooLowError
				switch {
				case short && errors.As(err, &low):
				case short || err != nil || !created || o.Status != flows.StatusPlacing:
					rt.Fatalf("create %s: %+v created %v %v", tok, o, created, err)
				default:
					placed(rt, tok, po, o, ansPending)
				}
			},
			// The same Confirm again (a double tap, a re-delivered update):
			// its order, or — if it was refused — a fresh attempt.
			"double tap": func(rt *rapid.T) {
				if len(tokenList) == 0 {
					rt.Skip("no token yet")
				}
				tok := rapid.SampledFrom(tokenList).Draw(rt, "token")
				po := tokens[tok]
				if po.ref == "" {
					confirm(rt, tok, rapid.SampledFrom(placeAnswers).Draw(rt, "answer"))
					return
				}
				o, err := tap(tok)
				if err != nil || o.RefID != po.ref {
					rt.Fatalf("double tap %s: %+v %v, want order %s", tok, o, err, po.ref)
				}
			},
			// A callback hint or /recheck: one check of one order.
			"check": func(rt *rapid.T) {
				po := pickOpen(rt)
				a := rapid.SampledFrom(checkAnswers).Draw(rt, "answer")
				prov.set(po.number, a)
				if _, err := engine.Check(bg, po.ref); err != nil {
					rt.Fatal(err)
				}
				settleBy(po, a)
			},
			// The poller an hour later: every open order is due, and each
			// gets its own answer, concurrently.
			"poll": func(rt *rapid.T) {
				for _, tok := range tokenList {
					if po := tokens[tok]; po.ref != "" && po.status == "" {
						prov.set(po.number, rapid.SampledFrom(checkAnswers).Draw(rt, "answer "+po.ref))
					}
				}
				clk.Advance(time.Hour)
				if _, err := engine.Poll(bg); err != nil {
					rt.Fatal(err)
				}
				for _, tok := range tokenList {
					if po := tokens[tok]; po.ref != "" && po.status == "" {
						prov.mu.Lock()
						a := prov.answers[po.number]
						prov.mu.Unlock()
						settleBy(po, a)
					}
				}
			},
			// A settled order asked about again with a contradicting
			// answer: settled once, forward only (rule 6).
			"recheck settled": func(rt *rapid.T) {
				var done []string
				for ref, po := range orders {
					if po.status != "" {
						done = append(done, ref)
					}
				}
				if len(done) == 0 {
					rt.Skip("nothing settled")
				}
				po := orders[rapid.SampledFrom(done).Draw(rt, "order")]
				prov.set(po.number, rapid.SampledFrom(checkAnswers).Draw(rt, "answer"))
				o, err := engine.Check(bg, po.ref)
				if err != nil || o.Status != po.status {
					rt.Fatalf("recheck %s: %+v %v, want %s", po.ref, o, err, po.status)
				}
			},
			"adjust": func(rt *rapid.T) {
				u := user.Draw(rt, "user")
				amount := rapid.Int64Range(-120_000, 120_000).Filter(func(a int64) bool { return a != 0 }).Draw(rt, "amount")
				var err error
				if rapid.Bool().Draw(rt, "notify") {
					_, err = db.AdjustNotify(bg, u, amount, 1, "prop", func(e flows.LedgerEntry) []flows.Notification {
						return []flows.Notification{{Kind: flows.NotifySend, ChatID: u, Text: "saldo"}}
					})
				} else {
					_, err = db.Adjust(bg, u, amount, 1, "prop")
				}
				var low *flows.BalanceTooLowError
				switch {
				case balance(u)+amount < 0:
					if !errors.As(err, &low) {
						rt.Fatalf("adjust %d of %d (balance %d): want a refusal, got %v", amount, u, balance(u), err)
					}
				case err != nil:
					rt.Fatalf("adjust %d of %d: %v", amount, u, err)
				case amount > 0:
					model[u].credits += amount
				default:
					model[u].debits -= amount
				}
			},
			"deposit": func(rt *rapid.T) {
				u := user.Draw(rt, "user")
				id := fmt.Sprintf("DEP%d", next())
				d, replaced, err := db.CreateDeposit(bg, flows.Deposit{ID: id, UserID: u, ChatID: u,
					Method: flows.MethodTransfer, Base: rapid.Int64Range(10_000, 100_000).Draw(rt, "base"),
					UniqueCode: rapid.Int64Range(1, 999).Draw(rt, "code"), ExpiresAt: clk.Now().Add(time.Hour)},
					rapid.Bool().Draw(rt, "unique code"))
				if err != nil {
					rt.Fatal(err)
				}
				want := map[string]bool{}
				for _, pd := range deposits {
					if pd.user == u && pd.state == flows.DepositWaiting {
						want[pd.id] = true
						pd.state = flows.DepositReplaced
					}
				}
				if len(replaced) != len(want) {
					rt.Fatalf("deposit %s replaced %d, want %v", id, len(replaced), want)
				}
				for _, r := range replaced {
					if !want[r.ID] || r.State != flows.DepositReplaced {
						rt.Fatalf("deposit %s replaced %+v, want %v", id, r, want)
					}
				}
				deposits[id] = &propDeposit{id: id, user: u, amount: d.Amount, state: flows.DepositWaiting}
				depositList = append(depositList, id)
			},
			// The buyer's "Sudah transfer", an admin's approval (again and
			// again), a rejection, a one-tap credit of a closed deposit.
			"deposit move": func(rt *rapid.T) {
				if len(depositList) == 0 {
					rt.Skip("no deposit yet")
				}
				pd := deposits[rapid.SampledFrom(depositList).Draw(rt, "deposit")]
				action := rapid.SampledFrom([]string{"sent", "approve", "reject", "credit closed"}).Draw(rt, "action")
				var fn func(d *flows.Deposit) ([]flows.Notification, error)
				var ok bool // the store must accept it
				switch action {
				case "sent":
					if pd.state != flows.DepositWaiting {
						rt.Skip("not waiting")
					}
					fn = func(d *flows.Deposit) ([]flows.Notification, error) { d.State = flows.DepositSent; return nil, nil }
					ok = true
				case "approve":
					// Deliberately unguarded: re-applying the credit of a
					// credited deposit must change nothing.
					fn = func(d *flows.Deposit) ([]flows.Notification, error) {
						if d.State.Open() {
							d.ClosedBy = 1
						}
						d.State = flows.DepositCredited
						return nil, nil
					}
					ok = pd.state.Open() || pd.state == flows.DepositCredited
				case "reject":
					// Unguarded too: rejecting a rejected one again is
					// the same state, no change, no money.
					fn = func(d *flows.Deposit) ([]flows.Notification, error) {
						if d.State.Open() {
							d.ClosedBy = 1
						}
						d.State = flows.DepositRejected
						return nil, nil
					}
					ok = pd.state.Open() || pd.state == flows.DepositRejected
				case "credit closed":
					// A second tap on the one-tap credit sets what is set:
					// accepted, and (checked after the step) no new entry.
					fn = func(d *flows.Deposit) ([]flows.Notification, error) { d.AdjustedBy = 1; return nil, nil }
					ok = !pd.state.Open() && pd.state != flows.DepositCredited
				}
				d, err := db.UpdateDeposit(bg, pd.id, fn)
				if !ok {
					if err == nil {
						rt.Fatalf("deposit %s (%s, adjusted %v): %s accepted: %+v", pd.id, pd.state, pd.adjusted, action, d)
					}
					return
				}
				if err != nil {
					rt.Fatalf("deposit %s (%s): %s: %v", pd.id, pd.state, action, err)
				}
				switch action {
				case "sent":
					pd.state = flows.DepositSent
				case "approve":
					if pd.state.Open() {
						model[pd.user].credits += pd.amount
					}
					pd.state = flows.DepositCredited
				case "reject":
					pd.state = flows.DepositRejected
				case "credit closed":
					if !pd.adjusted {
						model[pd.user].credits += pd.amount
					}
					pd.adjusted = true
				}
				if d.State != pd.state {
					rt.Fatalf("deposit %s is %s, want %s", pd.id, d.State, pd.state)
				}
			},
			"restart": func(rt *rapid.T) {
				if err := db.Close(); err != nil {
					rt.Fatal(err)
				}
				open()
			},
			// Several buyers' taps at once for one user whose saldo covers
			// some but not all of them; each token is tapped twice.
			"concurrent buyers": func(rt *rapid.T) {
				u := user.Draw(rt, "user")
				n := rapid.IntRange(2, 4).Draw(rt, "tokens")
				b := balance(u)
				lo := b/int64(n) + 1
				price := rapid.Int64Range(lo, max(lo, b)).Draw(rt, "price")
				toks := make([]string, n)
				ans := make([]answer, n)
				for i := range toks {
					toks[i] = newToken(rt, u, price)
					ans[i] = rapid.SampledFrom(placeAnswers).Draw(rt, "answer")
					prov.set(tokens[toks[i]].number, ans[i])
				}
				type tap struct {
					o   flows.Order
					err error
				}
				taps := make([][2]tap, n)
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i, tok := range toks {
					po := tokens[tok]
					for j := range 2 {
						wg.Go(func() {
							<-start
							o, err := engine.Place(bg, flows.PlaceRequest{ChatID: u, UserID: u, Token: tok,
								Product: telkomsel10k(), CustomerNumber: po.number, Price: price, MessageID: 7})
							taps[i][j] = tap{o, err}
						})
					}
				}
				close(start)
				wg.Wait()
				made := 0
				for i, tok := range toks {
					ref := ""
					for _, tp := range taps[i] {
						var low *flows.BalanceTooLowError
						switch {
						case tp.err == nil && (ref == "" || ref == tp.o.RefID):
							ref = tp.o.RefID
						case tp.err == nil:
							rt.Fatalf("token %s made two orders: %s and %s", tok, ref, tp.o.RefID)
						case !errors.As(tp.err, &low):
							rt.Fatalf("token %s: %v", tok, tp.err)
						}
					}
					stored, err := db.OrderByToken(bg, u, tok)
					switch {
					case ref == "" && !errors.Is(err, flows.ErrNotFound):
						rt.Fatalf("token %s refused twice, yet stored %+v %v", tok, stored, err)
					case ref != "" && (err != nil || stored.RefID != ref):
						rt.Fatalf("token %s made %s, stored %+v %v", tok, ref, stored, err)
					case ref != "":
						made++
						placed(rt, tok, tokens[tok], stored, ans[i])
					}
				}
				// Never overspent: without a refund under way, no more
				// orders than the saldo covers.
				refunds := false
				for _, a := range ans {
					refunds = refunds || a.final() == flows.StatusFailed
				}
				if !refunds && int64(made)*price > b {
					rt.Fatalf("%d orders of %d from a saldo of %d", made, price, b)
				}
			},
			"": func(rt *rapid.T) {
				checkWallets(rt, db, users, model, orders, deposits, balance)
			},
		}
		rt.Repeat(steps)
	})
}

// checkWallets checks, from what is stored, for every user: balance ≥ 0,
// held ≥ 0, balance + held = Σ credits − Σ committed debits, held = Σ
// holds of the user's open orders, both as the model says; the ledger
// sums and chains to the wallet; each order has one hold and, settled,
// exactly one purchase (success) or one refund (failed); each deposit is
// credited at most once, by its own amount.
func checkWallets(rt *rapid.T, db *storage.DB, users []int64, model map[int64]*propUser,
	orders map[string]*propOrder, deposits map[string]*propDeposit, balance func(int64) int64) {
	stored := map[string]flows.Order{}
	heldBy := map[int64]int64{}
	if err := db.ForEachOrder(bg, func(o flows.Order) error {
		stored[o.RefID] = o
		if !o.Status.Final() && o.Hold > 0 {
			heldBy[o.UserID] += o.Hold
		}
		return nil
	}); err != nil {
		rt.Fatal(err)
	}
	if len(stored) != len(orders) {
		rt.Fatalf("%d orders stored, the model has %d", len(stored), len(orders))
	}
	for ref, po := range orders {
		o, ok := stored[ref]
		switch {
		case !ok:
			rt.Fatalf("order %s missing", ref)
		case o.Hold != po.price || o.UserID != po.user:
			rt.Fatalf("order %s: %+v, want hold %d of %d", ref, o, po.price, po.user)
		case po.status == "" && o.Status.Final(), po.status != "" && o.Status != po.status:
			rt.Fatalf("order %s is %s, want %q", ref, o.Status, po.status)
		}
	}
	for _, u := range users {
		w, err := db.Wallet(bg, u)
		if err != nil {
			rt.Fatal(err)
		}
		m := model[u]
		switch {
		case w.Balance < 0 || w.Held < 0:
			rt.Fatalf("user %d: negative wallet %+v", u, w)
		case w.Balance+w.Held != m.credits-m.debits:
			rt.Fatalf("user %d: balance %d + held %d ≠ credits %d − debits %d", u, w.Balance, w.Held, m.credits, m.debits)
		case w.Held != heldBy[u]:
			rt.Fatalf("user %d: held %d, open orders hold %d", u, w.Held, heldBy[u])
		case w.Balance != balance(u):
			rt.Fatalf("user %d: balance %d, model %d", u, w.Balance, balance(u))
		}
		es, err := db.Entries(bg, u, 0)
		if err != nil {
			rt.Fatal(err)
		}
		var bal, held int64
		perRef := map[string]map[flows.EntryKind]int{}
		perDeposit := map[string][]flows.LedgerEntry{}
		for _, e := range es {
			bal, held = bal+e.Balance, held+e.Held
			if e.BalanceAfter != bal || e.HeldAfter != held {
				rt.Fatalf("user %d: entry %d says %d/%d after, the chain %d/%d", u, e.ID, e.BalanceAfter, e.HeldAfter, bal, held)
			}
			if err := e.CheckShape(); err != nil {
				rt.Fatalf("user %d: %v", u, err)
			}
			if e.Ref != "" {
				po, ok := orders[e.Ref]
				if !ok || po.user != u || e.Held != po.price && e.Held != -po.price {
					rt.Fatalf("user %d: entry %+v for an order not theirs or of another amount", u, e)
				}
				if perRef[e.Ref] == nil {
					perRef[e.Ref] = map[flows.EntryKind]int{}
				}
				perRef[e.Ref][e.Kind]++
			}
			if e.DepositID != "" {
				perDeposit[e.DepositID] = append(perDeposit[e.DepositID], e)
			}
		}
		if bal != w.Balance || held != w.Held {
			rt.Fatalf("user %d: entries sum to %d/%d, wallet %+v", u, bal, held, w)
		}
		for ref, po := range orders {
			if po.user != u {
				continue
			}
			k := perRef[ref]
			want := map[flows.EntryKind]int{flows.EntryHold: 1}
			switch po.status {
			case flows.StatusSuccess:
				want[flows.EntryPurchase] = 1
			case flows.StatusFailed:
				want[flows.EntryRefund] = 1
			}
			if len(k) != len(want) || k[flows.EntryHold] != 1 || k[flows.EntryPurchase] != want[flows.EntryPurchase] ||
				k[flows.EntryRefund] != want[flows.EntryRefund] {
				rt.Fatalf("order %s (%q): entries %v, want %v", ref, po.status, k, want)
			}
		}
		for id, pd := range deposits {
			if pd.user != u {
				continue
			}
			got := perDeposit[id]
			var kind flows.EntryKind
			switch {
			case pd.state == flows.DepositCredited:
				kind = flows.EntryDeposit
			case pd.adjusted:
				kind = flows.EntryAdjustment
			}
			if kind == "" && len(got) != 0 || kind != "" && (len(got) != 1 || got[0].Kind != kind || got[0].Balance != pd.amount) {
				rt.Fatalf("deposit %s (%s, adjusted %v, amount %d): entries %+v", id, pd.state, pd.adjusted, pd.amount, got)
			}
			d, err := db.Deposit(bg, id)
			if err != nil || d.State != pd.state {
				rt.Fatalf("deposit %s stored %+v %v, want %s", id, d, err, pd.state)
			}
		}
	}
}
