package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
	"topupbot/storage"
)

// The wallet under SIGKILL (issue 11): buyers fund their saldo with a
// deposit an admin approves and spend it on purchases that succeed, fail at
// once, fail later or stay pending until the test settles them at the
// provider, while the bot is killed at seeded moments of their progress.
// Afterwards the ledger on disk keeps DESIGN rules 13–15.

// walletOutcome is what the simulator makes of a purchase, by the last four
// digits of its number (provider/sandbox/iaksim/doc.go).
type walletOutcome int

const (
	walletSucceeds   walletOutcome = iota // accepted, settles to success
	walletFailsLater                      // 1007: accepted, settles to failed
	walletRefused                         // 0014: refused at once, nothing created
	walletPending                         // 1039: in process until the test settles it
)

func (k walletOutcome) suffix(i int) string {
	switch k {
	case walletFailsLater:
		return "1007"
	case walletRefused:
		return "0014"
	case walletPending:
		return "1039"
	}
	return fmt.Sprintf("%04d", 2000+i%1000)
}

// walletBuyer is one user: a deposit, then purchases in turn.
type walletBuyer struct {
	w        *world
	rnd      *lockedRand
	user     int64
	amount   int64 // the deposit's base, typed by the buyer
	plan     []walletOutcome
	patience time.Duration
	progress *walletProgress

	mu       sync.Mutex
	deposits []string // ids of the deposits this buyer's screens named
	approved string   // the deposit the admin approved
	refs     map[string]walletOutcome
	failure  string
}

// walletProgress counts, across buyers, deposits marked sent and credited
// and purchases finished: the log shows where the kills landed.
type walletProgress struct{ sent, credited, bought atomic.Int64 }

func (b *walletBuyer) fail(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failure == "" {
		b.failure = fmt.Sprintf(format, args...)
	}
}

// button returns the newest message of chat holding a button whose data
// starts with prefix, from message index from on.
func button(fake *telegramtest.Server, chat int64, from int, prefix string) (msg int, data string, ok bool) {
	msgs := fake.Messages(chat)
	for i := len(msgs) - 1; i >= from && i >= 0; i-- {
		for _, row := range msgs[i].Buttons {
			for _, btn := range row {
				if strings.HasPrefix(btn.Data, prefix) {
					return msgs[i].ID, btn.Data, true
				}
			}
		}
	}
	return 0, "", false
}

// has reports whether chat holds, from index from on, a message whose text
// contains marker.
func has(fake *telegramtest.Server, chat int64, from int, marker string) bool {
	msgs := fake.Messages(chat)
	for _, m := range msgs[min(from, len(msgs)):] {
		for _, v := range m.Versions {
			if strings.Contains(v, marker) {
				return true
			}
		}
	}
	return false
}

// tapUntil taps data on msg until done holds, as a person and their client
// do: an unanswered query is re-sent, an answered one tapped again after
// patience.
func tapUntil(ctx context.Context, fake *telegramtest.Server, chat, user int64, msg int, data string, patience time.Duration, done func() bool) bool {
	upd := fake.Tap(chat, user, msg, data)
	for ctx.Err() == nil {
		if fake.WaitFor(func() bool { return ctx.Err() != nil || done() }, patience) && ctx.Err() == nil {
			return true
		}
		if !fake.Answered(upd) {
			upd = fake.Resend(upd)
		} else {
			upd = fake.Tap(chat, user, msg, data)
		}
	}
	return false
}

// deposit walks /deposit, the typed amount and Sudah transfer; an admin
// (a seeded one, sometimes both, sometimes tapping twice) taps Terima
// until the buyer is told the saldo came in.
func (b *walletBuyer) deposit(ctx context.Context, admins []int64) bool {
	fake := b.w.fake
	from := len(fake.Messages(b.user))
	var msg int
	var data string
	for ctx.Err() == nil {
		n := len(fake.Messages(b.user))
		fake.SendText(b.user, b.user, "/deposit")
		if !fake.WaitFor(func() bool { return ctx.Err() != nil || has(fake, b.user, n, "Isi saldo") }, b.patience) {
			continue
		}
		fake.SendText(b.user, b.user, fmt.Sprint(b.amount))
		var ok bool
		if fake.WaitFor(func() bool {
			msg, data, ok = button(fake, b.user, from, "|ds|")
			return ctx.Err() != nil || ok
		}, b.patience) && ok {
			break
		}
	}
	if ctx.Err() != nil {
		return false
	}
	id := strings.TrimPrefix(data, "|ds|")
	b.mu.Lock()
	b.deposits = append(b.deposits, id)
	b.approved = id
	b.mu.Unlock()
	if !tapUntil(ctx, fake, b.user, b.user, msg, data, b.patience, func() bool {
		return has(fake, b.user, from, "menunggu konfirmasi admin")
	}) {
		return false
	}
	b.progress.sent.Add(1)
	// The admins' lines: each admin's chat gets one.
	approve := "|da|" + id
	admin := admins[b.rnd.IntN(len(admins))]
	var line int
	if !fake.WaitFor(func() bool {
		var ok bool
		line, _, ok = button(fake, admin, 0, approve)
		return ctx.Err() != nil || ok
	}, 60*time.Second) || ctx.Err() != nil {
		b.fail("no Terima %s in admin %d's chat", approve, admin)
		return false
	}
	credited := func() bool { return has(fake, b.user, from, "Saldo sekarang") }
	if b.rnd.IntN(3) == 0 {
		// A second tap at once: the same admin's, or another admin's on
		// their own line.
		other := admins[b.rnd.IntN(len(admins))]
		if l, _, ok := button(fake, other, 0, approve); ok {
			fake.Tap(other, other, l, approve)
		}
	}
	if !tapUntil(ctx, fake, admin, admin, line, approve, b.patience, credited) {
		return false
	}
	b.progress.credited.Add(1)
	return true
}

// run funds the buyer, then makes its purchases one after another; pending
// ones are settled at the provider by settle.
func (b *walletBuyer) run(ctx context.Context, admins []int64, i int, settle func(ref string)) {
	if !b.deposit(ctx, admins) {
		b.fail("the deposit never came in")
		return
	}
	fake := b.w.fake
	products := []string{"Telkomsel 5.000 ·", "Telkomsel 10.000 ·", "Telkomsel 20.000 ·", "Telkomsel 25.000 ·"}
	seen := map[string]bool{}
	for k, outcome := range b.plan {
		from := len(fake.Messages(b.user))
		p := &buyer{w: b.w, rnd: b.rnd, chat: b.user, retry: true, patience: b.patience, from: from, seen: seen,
			path:   []string{"Pulsa", "Telkomsel", products[b.rnd.IntN(len(products))]},
			number: fmt.Sprintf("0812%04d%s", 1000+i*10+k, outcome.suffix(i*10+k))}
		// The purchase's view starts empty: the buyer begins with /start.
		done := make(chan struct{})
		go func() { defer close(done); p.run(ctx) }()
		ref := ""
		if outcome == walletPending {
			fake.WaitFor(func() bool {
				for _, m := range p.view() {
					for _, v := range m.Versions {
						// After a kill the "processing" edit may be lost and
						// the buyer's re-sent Confirm answered "already made".
						if strings.Contains(v, markOrdered1) || strings.Contains(v, markOrdered2) {
							ref = refIn(v)
						}
					}
				}
				return ctx.Err() != nil || ref != ""
			}, 90*time.Second)
			if ref != "" {
				settle(ref)
			}
		}
		<-done
		if ok, _ := p.state(); !ok {
			b.fail("purchase %d (%s) never finished; chat:\n%s", k, p.number, describe(fake, b.user))
			return
		}
		for _, m := range p.view() {
			for _, v := range m.Versions {
				if r := refIn(v); r != "" {
					ref = r
				}
			}
		}
		if ref == "" {
			b.fail("purchase %d (%s) finished without a ref", k, p.number)
			return
		}
		seen[ref] = true
		b.progress.bought.Add(1)
		b.mu.Lock()
		b.refs[ref] = outcome
		b.mu.Unlock()
	}
}

// TestFaultWalletKills: 40 buyers each deposit and make 5 purchases — 200
// in all, from their saldo — while the bot is SIGKILLed at seeded points
// of their progress and restarted. Afterwards the database holds every
// invariant of the wallet (checkWalletInvariants), every purchase is one
// order placed at most once with the provider and settled as the provider
// settled it, every failed order refunded once, every deposit credited
// once.
func TestFaultWalletKills(t *testing.T) {
	t.Parallel()
	rnd := seeded(t)
	const users, perUser, kills = 40, 5, 6
	admins := []int64{faultAdmin, faultAdmin + 1}
	var ids []int64
	for i := range users {
		ids = append(ids, int64(12001+i))
	}
	w := newWorld(t, worldOptions{buyers: ids, settle: 300 * time.Millisecond, providerTimeout: 500 * time.Millisecond,
		callbacks: true, wallet: true, alertAdmins: true, moreAdmins: admins[1:]})
	runs := newBotRuns(w)

	buyers := make([]*walletBuyer, users)
	progress := &walletProgress{}
	for i, id := range ids {
		b := &walletBuyer{w: w, progress: progress, rnd: rnd.Child(), user: id, amount: int64(150000 + 1000*rnd.IntN(50)), refs: map[string]walletOutcome{}}
		b.patience = b.rnd.Between(2*time.Second, 3*time.Second)
		for k := range perUser {
			outcome := walletSucceeds
			switch r := b.rnd.IntN(10); {
			case k == perUser-1 && r < 3:
				// Pending only last: the buyer waits for its settlement.
				outcome = walletPending
			case r < 2:
				outcome = walletFailsLater
			case r < 4:
				outcome = walletRefused
			}
			b.plan = append(b.plan, outcome)
		}
		buyers[i] = b
	}

	// The provider settles the pending orders a seeded while after they
	// reached it, to success or failure.
	settler := rnd.Child()
	var settling sync.WaitGroup
	settledAt := map[string]bool{}
	var settledMu sync.Mutex
	settle := func(ref string) {
		success := settler.IntN(2) == 0
		delay := settler.Between(500*time.Millisecond, 3*time.Second)
		settling.Add(1)
		go func() {
			defer settling.Done()
			deadline := time.Now().Add(delay)
			// The order may not have reached the provider yet (a kill cut its
			// first send): wait until it has.
			w.fake.WaitFor(func() bool {
				tx, ok := w.sim.Transaction(ref)
				return ok && tx.Status == 0 && !time.Now().Before(deadline)
			}, 60*time.Second)
			if err := w.sim.Settle(ref, success); err != nil {
				t.Errorf("settling %s at the provider: %v", ref, err)
				return
			}
			settledMu.Lock()
			settledAt[ref] = success
			settledMu.Unlock()
		}()
	}

	began := time.Now()
	ctx, stopBuyers := context.WithTimeout(context.Background(), 150*time.Second)
	defer stopBuyers()
	runs.start()
	var wg sync.WaitGroup
	for i, b := range buyers {
		delay := b.rnd.Between(0, 2*time.Second)
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return
			}
			b.run(ctx, admins, i, settle)
		}()
	}
	after := func(lo, hi int) {
		from, n := w.steps.Load(), lo+rnd.IntN(hi-lo)
		if !w.awaitSteps(from, n, 30*time.Second) {
			t.Logf("the bot sent no %d messages in 30s; going on", n)
		}
	}
	// A purchase is about eight messages and edits, a deposit about six:
	// some 2000 in all. The kills come within the first half.
	var at []string
	for range kills {
		after(60, 250)
		runs.kill()
		at = append(at, fmt.Sprintf("%d sent/%d credited/%d bought", progress.sent.Load(), progress.credited.Load(), progress.bought.Load()))
		runs.start()
	}
	killedFor := time.Since(began)
	wg.Wait()
	settling.Wait()
	stopBuyers()
	runs.stop()
	t.Logf("%d kills in the first %s, at deposits and purchases %v; all buyers done after %s", kills, killedFor.Round(time.Millisecond), at, time.Since(began).Round(time.Millisecond))
	var already int
	for _, a := range admins {
		for _, m := range w.fake.Messages(a) {
			if strings.Contains(m.Text, "Tidak dikreditkan lagi") {
				already++
			}
		}
	}
	t.Logf("%d approvals answered \"not credited again\" (a second tap, or a tap re-sent after a kill)", already)
	for _, b := range buyers {
		if b.failure != "" {
			t.Errorf("buyer %d: %s", b.user, b.failure)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	orders := w.orders()
	byUser := map[int64][]flows.Order{}
	for _, o := range orders {
		byUser[o.UserID] = append(byUser[o.UserID], o)
	}
	var created, outcomes = 0, map[flows.Status]int{}
	for _, b := range buyers {
		if got := byUser[b.user]; len(got) != perUser {
			t.Errorf("buyer %d confirmed %d purchases and has %d orders", b.user, perUser, len(got))
		}
		for _, o := range byUser[b.user] {
			outcome, known := b.refs[o.RefID]
			tx, ok := w.sim.Transaction(o.RefID)
			if ok {
				created++
			}
			outcomes[o.Status]++
			want := flows.StatusSuccess
			switch {
			case !known:
				t.Errorf("order %s of buyer %d is none the buyer was told of", o.RefID, b.user)
				continue
			case outcome == walletRefused:
				want = flows.StatusFailed
				if ok {
					t.Errorf("order %s: a refused number created a transaction", o.RefID)
				}
			case outcome == walletFailsLater:
				want = flows.StatusFailed
			case outcome == walletPending:
				if !settledAt[o.RefID] {
					want = flows.StatusFailed
				}
			}
			if o.Status != want {
				t.Errorf("order %s (%s): %s, want %s; provider: %v %+v", o.RefID, o.CustomerNumber, o.Status, want, ok, tx)
			}
			if o.Hold != o.Price || o.Price <= 0 {
				t.Errorf("order %s: hold %d for price %d", o.RefID, o.Hold, o.Price)
			}
		}
	}
	// Each order is at most one transaction at the provider: the simulator
	// keys them by ref, so more transactions than created orders is an
	// order placed twice, or one placed for nothing.
	if n := w.sim.TransactionCount(); n != created {
		t.Errorf("the simulator holds %d transactions for %d orders it created", n, created)
	}
	allUsers := append(append([]int64{}, ids...), admins...)
	deposits := checkWalletInvariants(t, w, allUsers, orders)
	for _, b := range buyers {
		if d, ok := deposits[b.approved]; !ok || d.State != flows.DepositCredited {
			t.Errorf("buyer %d: the approved deposit %s is %+v", b.user, b.approved, d)
		}
	}
	t.Logf("%d orders (%v), %d at the provider, %d deposits", len(orders), outcomes, created, len(deposits))
}

// checkWalletInvariants opens the stopped bot's database and checks the
// ledger of every user against DESIGN rules 13–15; it returns the
// deposits by id.
func checkWalletInvariants(t *testing.T, w *world, users []int64, orders []flows.Order) map[string]flows.Deposit {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(w.dbPath, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	orderOf := map[string]flows.Order{}
	for _, o := range orders {
		orderOf[o.RefID] = o
	}
	deposits := map[string]flows.Deposit{}
	depositEntries := map[string][]flows.LedgerEntry{} // deposit id → the entries naming it
	type refKinds = map[flows.EntryKind][]flows.LedgerEntry
	byRef := map[string]refKinds{}
	for _, user := range users {
		wallet, err := db.Wallet(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := db.Entries(ctx, user, 0)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := db.UserDeposits(ctx, user, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			deposits[d.ID] = d
		}
		if wallet.Balance < 0 || wallet.Held < 0 {
			t.Errorf("user %d: wallet %+v below zero", user, wallet)
		}
		var balance, held, credits, purchases int64
		var last uint64
		for _, e := range entries {
			if e.UserID != user || e.ID <= last {
				t.Errorf("user %d: entry %+v out of place (after id %d)", user, e, last)
			}
			last = e.ID
			balance += e.Balance
			held += e.Held
			if e.BalanceAfter != balance || e.HeldAfter != held {
				t.Errorf("user %d: entry %d says balance %d held %d after, the chain %d and %d", user, e.ID, e.BalanceAfter, e.HeldAfter, balance, held)
				balance, held = e.BalanceAfter, e.HeldAfter
			}
			if err := e.CheckShape(); err != nil {
				t.Errorf("user %d: entry %+v: %v", user, e, err)
			}
			switch e.Kind {
			case flows.EntryDeposit:
				credits += e.Balance
				depositEntries[e.DepositID] = append(depositEntries[e.DepositID], e)
			case flows.EntryAdjustment:
				credits += e.Balance
				if e.DepositID != "" {
					depositEntries[e.DepositID] = append(depositEntries[e.DepositID], e)
				}
			case flows.EntryPurchase:
				purchases -= e.Held
			}
			if e.Ref != "" {
				if byRef[e.Ref] == nil {
					byRef[e.Ref] = refKinds{}
				}
				byRef[e.Ref][e.Kind] = append(byRef[e.Ref][e.Kind], e)
				if o, ok := orderOf[e.Ref]; !ok || o.UserID != user {
					t.Errorf("user %d: entry %d names order %s, not theirs", user, e.ID, e.Ref)
				}
			}
		}
		if balance != wallet.Balance || held != wallet.Held {
			t.Errorf("user %d: entries sum to balance %d held %d, the wallet is %+v", user, balance, held, wallet)
		}
		if credits-purchases != wallet.Balance+wallet.Held {
			t.Errorf("user %d: credits %d − purchases %d ≠ balance %d + held %d", user, credits, purchases, wallet.Balance, wallet.Held)
		}
		var holding int64
		for _, o := range orders {
			if o.UserID == user && !o.Status.Final() {
				holding += o.Hold
			}
		}
		if holding != wallet.Held {
			t.Errorf("user %d: held %d, the open orders hold %d", user, wallet.Held, holding)
		}
	}
	for _, o := range orders {
		kinds := byRef[o.RefID]
		one := func(k flows.EntryKind, want int) {
			if got := len(kinds[k]); got != want {
				t.Errorf("order %s (%s): %d %s entries, want %d", o.RefID, o.Status, got, k, want)
				return
			}
			for _, e := range kinds[k] {
				if e.Held != o.Hold && e.Held != -o.Hold {
					t.Errorf("order %s: %s entry moves %d held, the order holds %d", o.RefID, k, e.Held, o.Hold)
				}
			}
		}
		one(flows.EntryHold, 1)
		switch o.Status {
		case flows.StatusSuccess:
			one(flows.EntryPurchase, 1)
			one(flows.EntryRefund, 0)
		case flows.StatusFailed:
			one(flows.EntryRefund, 1)
			one(flows.EntryPurchase, 0)
		default:
			one(flows.EntryPurchase, 0)
			one(flows.EntryRefund, 0)
		}
	}
	for id, es := range depositEntries {
		d, ok := deposits[id]
		switch {
		case !ok:
			t.Errorf("entries %+v name deposit %s, which does not exist", es, id)
		case len(es) != 1:
			t.Errorf("deposit %s is named by %d entries: %+v", id, len(es), es)
		case d.State != flows.DepositCredited || es[0].ID != d.EntryID || es[0].Balance != d.Amount || es[0].UserID != d.UserID:
			t.Errorf("deposit %+v: its entry %+v", d, es[0])
		}
	}
	for id, d := range deposits {
		if d.State == flows.DepositCredited && len(depositEntries[id]) != 1 {
			t.Errorf("deposit %s is credited with %d entries", id, len(depositEntries[id]))
		}
	}
	return deposits
}
