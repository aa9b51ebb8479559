package storage

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"topupbot/flows"
)

// walletOrder is newOrder paid from the saldo: it holds its price.
func walletOrder(ref string, user int64, token string, price int64) flows.Order {
	o := newOrder(ref, user, token)
	o.Price, o.Hold = price, price
	return o
}

func fund(t *testing.T, db *DB, user, amount int64) {
	t.Helper()
	if _, err := db.Adjust(ctx, user, amount, 1, "test"); err != nil {
		t.Fatal(err)
	}
}

func wallet(t *testing.T, db *DB, user int64) flows.Wallet {
	t.Helper()
	w, err := db.Wallet(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func settleTo(s flows.Status, seen *flows.Wallet) func(o *flows.Order) ([]flows.Notification, error) {
	return func(o *flows.Order) ([]flows.Notification, error) {
		if seen != nil {
			*seen = o.Wallet
		}
		o.Status = s
		return []flows.Notification{{ChatID: o.ChatID, Text: fmt.Sprintf("saldo %d", o.SaldoAfter())}}, nil
	}
}

// DESIGN rule 13: the order and its hold are one transaction; a short
// balance writes neither, and leaves the token unused.
func TestCreateOrderHolds(t *testing.T) {
	db, _, _ := openTest(t)
	fund(t, db, 7, 30000)
	if _, created, err := db.CreateOrder(ctx, walletOrder("R1", 7, "T1", 25000)); err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if w := wallet(t, db, 7); w.Balance != 5000 || w.Held != 25000 {
		t.Fatalf("after hold: %+v", w)
	}
	es, _ := db.Entries(ctx, 7, 0)
	if last := es[len(es)-1]; last.Kind != flows.EntryHold || last.Ref != "R1" || last.Held != 25000 {
		t.Fatalf("hold entry %+v", last)
	}
	// The same token again: the first order, no second hold.
	if o, created, err := db.CreateOrder(ctx, walletOrder("R1b", 7, "T1", 25000)); err != nil || created || o.RefID != "R1" {
		t.Fatalf("retap: %s %v %v", o.RefID, created, err)
	}
	_, _, err := db.CreateOrder(ctx, walletOrder("R2", 7, "T2", 6000))
	var short *flows.BalanceTooLowError
	if !errors.As(err, &short) || short.Balance != 5000 || short.Missing() != 1000 {
		t.Fatalf("short create: %v", err)
	}
	if _, err := db.Order(ctx, "R2"); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("refused order written: %v", err)
	}
	if _, err := db.OrderByToken(ctx, 7, "T2"); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("refused order's token consumed: %v", err)
	}
	if w := wallet(t, db, 7); w.Balance != 5000 || w.Held != 25000 {
		t.Fatalf("after refusal: %+v", w)
	}
	// A hold needs a user; a negative one is nonsense.
	o := walletOrder("R3", 7, "T3", 100)
	o.UserID = 0
	if _, _, err := db.CreateOrder(ctx, o); err == nil {
		t.Fatal("hold without a user accepted")
	}
	o = walletOrder("R3", 7, "T3", 100)
	o.Hold = -1
	if _, _, err := db.CreateOrder(ctx, o); err == nil {
		t.Fatal("negative hold accepted")
	}
}

// Two confirmations at once that together exceed the balance: exactly one
// order (DESIGN rule 13).
func TestCreateOrderHoldRace(t *testing.T) {
	db, _, _ := openTest(t)
	fund(t, db, 7, 30000)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, _, errs[i] = db.CreateOrder(ctx, walletOrder(fmt.Sprintf("R%d", i), 7, fmt.Sprintf("T%d", i), 20000))
		})
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		var short *flows.BalanceTooLowError
		switch {
		case err == nil:
			created++
		case !errors.As(err, &short):
			t.Fatalf("unexpected error %v", err)
		}
	}
	if created != 1 {
		t.Fatalf("%d orders created from 30.000 at 20.000 each", created)
	}
	if w := wallet(t, db, 7); w.Balance != 10000 || w.Held != 20000 {
		t.Fatalf("wallet %+v", w)
	}
}

// Settling moves the hold once: success spends it, failure refunds it; the
// update's function sees the wallet before the move; a settled order never
// moves money again; the hold cannot be rewritten.
func TestUpdateOrderSettlesHold(t *testing.T) {
	db, _, _ := openTest(t)
	fund(t, db, 7, 50000)
	for _, ref := range []string{"OK", "NO", "UNK"} {
		if _, _, err := db.CreateOrder(ctx, walletOrder(ref, 7, "T"+ref, 10000)); err != nil {
			t.Fatal(err)
		}
	}
	var seen flows.Wallet
	if _, err := db.UpdateOrder(ctx, "OK", settleTo(flows.StatusSuccess, &seen)); err != nil {
		t.Fatal(err)
	}
	if seen.Balance != 20000 || seen.Held != 30000 {
		t.Fatalf("fn saw %+v, want the wallet before the move", seen)
	}
	if w := wallet(t, db, 7); w.Balance != 20000 || w.Held != 20000 {
		t.Fatalf("after success: %+v", w)
	}
	if _, err := db.UpdateOrder(ctx, "NO", settleTo(flows.StatusFailed, nil)); err != nil {
		t.Fatal(err)
	}
	if w := wallet(t, db, 7); w.Balance != 30000 || w.Held != 10000 {
		t.Fatalf("after failure: %+v", w)
	}
	// Unknown (pending) keeps the hold.
	if _, err := db.UpdateOrder(ctx, "UNK", settleTo(flows.StatusPending, nil)); err != nil {
		t.Fatal(err)
	}
	if w := wallet(t, db, 7); w.Balance != 30000 || w.Held != 10000 {
		t.Fatalf("after pending: %+v", w)
	}
	// Settled orders: the same status again moves nothing; another is refused.
	if _, err := db.UpdateOrder(ctx, "NO", settleTo(flows.StatusFailed, nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateOrder(ctx, "OK", settleTo(flows.StatusFailed, nil)); !errors.Is(err, ErrBackwards) {
		t.Fatalf("success → failed: %v", err)
	}
	if w := wallet(t, db, 7); w.Balance != 30000 || w.Held != 10000 {
		t.Fatalf("after re-settles: %+v", w)
	}
	_, err := db.UpdateOrder(ctx, "UNK", func(o *flows.Order) ([]flows.Notification, error) {
		o.Hold, o.Status = 0, flows.StatusFailed
		return nil, nil
	})
	if err == nil {
		t.Fatal("hold rewritten")
	}
	es, _ := db.Entries(ctx, 7, 0)
	kinds := ""
	for _, e := range es {
		kinds += string(e.Kind) + " "
	}
	if kinds != "adjustment hold hold hold purchase refund " {
		t.Fatalf("entries: %s", kinds)
	}
}

// Concurrent settlements of one order through Batch: one ledger move.
func TestUpdateOrderSettlesOnceConcurrently(t *testing.T) {
	db, _, _ := openTest(t)
	fund(t, db, 7, 10000)
	if _, _, err := db.CreateOrder(ctx, walletOrder("R", 7, "T", 10000)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 6 {
		s := flows.StatusFailed
		if i%2 == 0 {
			s = flows.StatusSuccess
		}
		wg.Go(func() { db.UpdateOrder(ctx, "R", settleTo(s, nil)) })
	}
	wg.Wait()
	o, _ := db.Order(ctx, "R")
	w := wallet(t, db, 7)
	want := flows.Wallet{UserID: 7, Balance: 0}
	if o.Status == flows.StatusFailed {
		want.Balance = 10000
	}
	if w.Balance != want.Balance || w.Held != 0 {
		t.Fatalf("order %s, wallet %+v", o.Status, w)
	}
	es, _ := db.Entries(ctx, 7, 0)
	if len(es) != 3 {
		t.Fatalf("%d entries, want adjustment, hold and one settlement", len(es))
	}
}
