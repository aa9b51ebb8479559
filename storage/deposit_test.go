package storage

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

func newDeposit(id string, user, base int64, at time.Time) flows.Deposit {
	return flows.Deposit{ID: id, UserID: user, ChatID: user, Method: flows.MethodTransfer, Base: base, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
}

func create(t *testing.T, db *DB, d flows.Deposit, code bool) (flows.Deposit, []flows.Deposit) {
	t.Helper()
	got, replaced, err := db.CreateDeposit(ctx, d, code)
	if err != nil {
		t.Fatalf("create %s: %v", d.ID, err)
	}
	return got, replaced
}

func setState(s flows.DepositState, by int64) func(d *flows.Deposit) ([]flows.Notification, error) {
	return func(d *flows.Deposit) ([]flows.Notification, error) {
		d.State, d.ClosedBy = s, by
		return nil, nil
	}
}

// approve is how the conversation approves: it decides from d alone.
func approve(by int64) func(d *flows.Deposit) ([]flows.Notification, error) {
	return func(d *flows.Deposit) ([]flows.Notification, error) {
		if !d.State.Open() {
			return nil, flows.ErrDepositClosed
		}
		d.State, d.ClosedBy = flows.DepositCredited, by
		return []flows.Notification{{ChatID: d.ChatID, Text: "masuk"}}, nil
	}
}

func outboxLen(t *testing.T, db *DB) int {
	t.Helper()
	n := 0
	if err := db.bolt.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketOutbox).Stats().KeyN; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDepositCreateReplaces(t *testing.T) {
	db, _, clk := openTest(t)
	now := clk.Now()
	d1, rep := create(t, db, newDeposit("D1", 7, 50000, now), false)
	if len(rep) != 0 || d1.State != flows.DepositWaiting || d1.Amount != 50000 || d1.UniqueCode != 0 || !d1.CreatedAt.Equal(now) {
		t.Fatalf("D1 = %+v, replaced %v", d1, rep)
	}
	create(t, db, newDeposit("O1", 8, 20000, now), false)
	clk.Advance(time.Minute)
	_, rep = create(t, db, newDeposit("D2", 7, 20000, clk.Now()), false)
	if len(rep) != 1 || rep[0].ID != "D1" || rep[0].State != flows.DepositReplaced || !rep[0].ClosedAt.Equal(clk.Now()) {
		t.Fatalf("replaced = %+v, want D1", rep)
	}
	if _, err := db.UpdateDeposit(ctx, "D2", setState(flows.DepositSent, 0)); err != nil {
		t.Fatal(err)
	}
	// A deposit marked sent waits for the admins: a new one leaves it.
	if _, rep = create(t, db, newDeposit("D3", 7, 10000, clk.Now()), false); len(rep) != 0 {
		t.Fatalf("D3 replaced %+v, want nothing", rep)
	}
	if got, _ := db.Deposit(ctx, "D2"); got.State != flows.DepositSent {
		t.Fatalf("sent D2 became %s", got.State)
	}
	if got, _ := db.Deposit(ctx, "O1"); got.State != flows.DepositWaiting {
		t.Fatalf("other user's O1 became %s", got.State)
	}
	// Refusals.
	for _, d := range []flows.Deposit{
		newDeposit("D3", 7, 1, now), newDeposit("", 7, 1, now), newDeposit("X", 0, 1, now),
		newDeposit("X", 7, 0, now), {ID: "X", UserID: 7, Base: 1, CreatedAt: now, ExpiresAt: now.Add(1)},
		{ID: "X", UserID: 7, Base: 1, Method: flows.MethodTransfer, CreatedAt: now, ExpiresAt: now},
	} {
		if _, _, err := db.CreateDeposit(ctx, d, false); err == nil {
			t.Errorf("%+v created", d)
		}
	}
	if _, err := db.Deposit(ctx, "nope"); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("missing deposit: %v", err)
	}
}

func TestDepositUniqueCodes(t *testing.T) {
	db, _, clk := openTest(t)
	now := clk.Now()
	d := newDeposit("A", 1, 10000, now)
	d.UniqueCode = 998
	a, _ := create(t, db, d, true)
	if a.UniqueCode != 998 || a.Amount != 10998 {
		t.Fatalf("A = %d/%d", a.UniqueCode, a.Amount)
	}
	// 998 is taken; 999 is free.
	d = newDeposit("B", 2, 10000, now)
	d.UniqueCode = 998
	if b, _ := create(t, db, d, true); b.UniqueCode != 999 {
		t.Fatalf("B code %d, want 999", b.UniqueCode)
	}
	// 998 and 999 taken: wraps to 1. An out-of-range pick clamps.
	d = newDeposit("C", 3, 10000, now)
	d.UniqueCode = 5000
	if c, _ := create(t, db, d, true); c.UniqueCode != 1 {
		t.Fatalf("C code %d, want 1", c.UniqueCode)
	}
	// Codes collide by amount, whatever the base: 9999+999 is A's 10998.
	d = newDeposit("E", 4, 9999, now)
	d.UniqueCode = 999 // 10998 is A's amount
	if e, _ := create(t, db, d, true); e.UniqueCode != 1 || e.Amount != 10000 {
		t.Fatalf("E = %d/%d, want code 1 (999 collides with A)", e.UniqueCode, e.Amount)
	}
	// A closed deposit frees its amount.
	if _, err := db.UpdateDeposit(ctx, "A", setState(flows.DepositRejected, 9)); err != nil {
		t.Fatal(err)
	}
	d = newDeposit("F", 5, 10000, now)
	d.UniqueCode = 998
	if f, _ := create(t, db, d, true); f.UniqueCode != 998 {
		t.Fatalf("F code %d, want the freed 998", f.UniqueCode)
	}

	// Exhaustion: every code of base 500 taken by an open deposit, written
	// in one transaction (999 commits of their own take seconds under -race).
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for i := range int64(999) {
			d := newDeposit(fmt.Sprintf("X%d", i), 100+i, 500, now)
			d.State, d.UniqueCode, d.Amount = flows.DepositWaiting, i+1, 500+i+1
			if err := putDeposit(tx, &d); err != nil {
				return err
			}
			if err := tx.Bucket(bucketDepOpen).Put([]byte(d.ID), i64(nanos(d.CreatedAt))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = db.CreateDeposit(ctx, newDeposit("Z", 99, 500, now), true)
	if !errors.Is(err, flows.ErrDepositCodes) {
		t.Fatalf("all codes taken: err = %v", err)
	}
	if _, err := db.Deposit(ctx, "Z"); !errors.Is(err, flows.ErrNotFound) {
		t.Fatal("refused deposit written")
	}
}

func TestDepositApproveOnce(t *testing.T) {
	db, _, clk := openTest(t)
	db.Credit(ctx, 7, 1000, "OLD", 1, "")
	d := newDeposit("D1", 7, 50000, clk.Now())
	d.UniqueCode = 123
	create(t, db, d, true)
	var seen flows.Wallet
	got, err := db.UpdateDeposit(ctx, "D1", func(d *flows.Deposit) ([]flows.Notification, error) {
		seen = d.Wallet
		return approve(3)(d)
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != (flows.Wallet{UserID: 7, Balance: 1000}) {
		t.Fatalf("fn saw wallet %+v", seen)
	}
	if got.State != flows.DepositCredited || got.EntryID == 0 || !got.ClosedAt.Equal(clk.Now()) {
		t.Fatalf("approved = %+v", got)
	}
	wantWallet(t, db, 7, 51123, 0)
	es := entries(t, db, 7)
	if last := es[len(es)-1]; last.ID != got.EntryID || last.Kind != flows.EntryDeposit || last.DepositID != "D1" || last.By != 3 {
		t.Fatalf("entry %+v", last)
	}
	if n := outboxLen(t, db); n != 1 {
		t.Fatalf("outbox %d, want 1", n)
	}
	if _, err := db.UpdateDeposit(ctx, "D1", approve(4)); !errors.Is(err, flows.ErrDepositClosed) {
		t.Fatalf("second approval: %v", err)
	}
	// Even a function that does not check is refused by the store.
	if _, err := db.UpdateDeposit(ctx, "D1", setState(flows.DepositCredited, 4)); !errors.Is(err, flows.ErrDepositClosed) {
		t.Fatalf("blind second approval: %v", err)
	}
	if _, err := db.UpdateDeposit(ctx, "D1", setState(flows.DepositRejected, 3)); !errors.Is(err, flows.ErrDepositClosed) {
		t.Fatalf("reject after credit: %v", err)
	}
	// No adjustment of a credited deposit.
	if _, err := db.UpdateDeposit(ctx, "D1", func(d *flows.Deposit) ([]flows.Notification, error) { d.AdjustedBy = 3; return nil, nil }); err == nil {
		t.Fatal("credited deposit adjusted")
	}
	wantWallet(t, db, 7, 51123, 0)
	if n := outboxLen(t, db); n != 1 {
		t.Fatalf("outbox %d after refusals, want 1", n)
	}
	// ErrNoChange hands back the stored deposit.
	back, err := db.UpdateDeposit(ctx, "D1", func(d *flows.Deposit) ([]flows.Notification, error) {
		d.Note = "scratch"
		return nil, flows.ErrNoChange
	})
	if err != nil || back.Note != "" || back.EntryID != got.EntryID {
		t.Fatalf("no change: %+v, %v", back, err)
	}
}

func TestDepositConcurrentApprove(t *testing.T) {
	db, _, clk := openTest(t)
	create(t, db, newDeposit("D1", 7, 50000, clk.Now()), false)
	const n = 2
	start := make(chan struct{})
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Blind, so only the store stands between it and a second credit.
			_, err := db.UpdateDeposit(ctx, "D1", setState(flows.DepositCredited, int64(i+1)))
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, flows.ErrDepositClosed):
			t.Fatal(err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d approvals succeeded", ok)
	}
	wantWallet(t, db, 7, 50000, 0)
	if es := entries(t, db, 7); len(es) != 1 {
		t.Fatalf("%d entries", len(es))
	}
}

func TestDepositExpiredAdjust(t *testing.T) {
	db, _, clk := openTest(t)
	create(t, db, newDeposit("D1", 7, 20000, clk.Now()), false)
	if _, err := db.UpdateDeposit(ctx, "D1", func(d *flows.Deposit) ([]flows.Notification, error) {
		d.AdjustedBy = 3
		return nil, nil
	}); err == nil {
		t.Fatal("open deposit adjusted")
	}
	if _, err := db.UpdateDeposit(ctx, "D1", setState(flows.DepositExpired, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateDeposit(ctx, "D1", approve(3)); !errors.Is(err, flows.ErrDepositClosed) {
		t.Fatalf("approve expired: %v", err)
	}
	if _, err := db.UpdateDeposit(ctx, "D1", setState(flows.DepositCredited, 3)); !errors.Is(err, flows.ErrDepositClosed) {
		t.Fatalf("blind approve expired: %v", err)
	}
	wantWallet(t, db, 7, 0, 0)
	adjust := func(by int64) func(d *flows.Deposit) ([]flows.Notification, error) {
		return func(d *flows.Deposit) ([]flows.Notification, error) {
			d.AdjustedBy = by
			return []flows.Notification{{ChatID: 7, Text: "dikoreksi"}}, nil
		}
	}
	got, err := db.UpdateDeposit(ctx, "D1", adjust(3))
	if err != nil {
		t.Fatal(err)
	}
	es := entries(t, db, 7)
	if len(es) != 1 || es[0].Kind != flows.EntryAdjustment || es[0].ID != got.EntryID || es[0].DepositID != "D1" || es[0].By != 3 || es[0].Note != "" {
		t.Fatalf("entries %+v, deposit %+v", es, got)
	}
	wantWallet(t, db, 7, 20000, 0)
	for _, by := range []int64{3, 4} {
		if _, err := db.UpdateDeposit(ctx, "D1", adjust(by)); by != 3 && err == nil {
			t.Fatalf("second adjustment by %d accepted", by)
		}
	}
	wantWallet(t, db, 7, 20000, 0)
	if es := entries(t, db, 7); len(es) != 1 {
		t.Fatalf("%d entries", len(es))
	}
	if n := outboxLen(t, db); n != 2 { // the adjustment's, and the same-admin no-op rewrite's
		t.Fatalf("outbox %d, want 2", n)
	}
}

func TestDepositNotificationsOnlyOnSuccess(t *testing.T) {
	db, _, clk := openTest(t)
	create(t, db, newDeposit("D1", 7, 20000, clk.Now()), false)
	boom := errors.New("boom")
	_, err := db.UpdateDeposit(ctx, "D1", func(d *flows.Deposit) ([]flows.Notification, error) {
		d.State = flows.DepositCredited
		return []flows.Notification{{ChatID: 7, Text: "x"}}, boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	_, err = db.UpdateDeposit(ctx, "D1", func(d *flows.Deposit) ([]flows.Notification, error) {
		d.Amount++
		return []flows.Notification{{ChatID: 7, Text: "x"}}, nil
	})
	if err == nil {
		t.Fatal("amount change accepted")
	}
	if n := outboxLen(t, db); n != 0 {
		t.Fatalf("outbox %d, want 0", n)
	}
	wantWallet(t, db, 7, 0, 0)
	if _, err := db.UpdateDeposit(ctx, "D1", setState(flows.DepositSent, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateDeposit(ctx, "D1", setState(flows.DepositWaiting, 0)); err == nil {
		t.Fatal("sent → waiting accepted")
	}
	if _, err := db.UpdateDeposit(ctx, "D1", setState("bogus", 0)); err == nil {
		t.Fatal("unknown state accepted")
	}
}

func TestDepositOrder(t *testing.T) {
	db, _, clk := openTest(t)
	base := clk.Now()
	// Created out of order on purpose.
	create(t, db, newDeposit("C", 7, 3000, base.Add(2*time.Minute)), false)
	db.UpdateDeposit(ctx, "C", setState(flows.DepositSent, 0))
	create(t, db, newDeposit("A", 8, 1000, base), false)
	create(t, db, newDeposit("B", 9, 2000, base.Add(time.Minute)), false)
	create(t, db, newDeposit("D", 7, 4000, base.Add(3*time.Minute)), false)
	create(t, db, newDeposit("E", 7, 5000, base.Add(4*time.Minute)), false) // replaces D
	open, err := db.OpenDeposits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids string
	for _, d := range open {
		ids += d.ID
	}
	if ids != "ABCE" {
		t.Fatalf("open = %s, want ABCE", ids)
	}
	ud, err := db.UserDeposits(ctx, 7, 2)
	if err != nil || len(ud) != 2 || ud[0].ID != "E" || ud[1].ID != "D" {
		t.Fatalf("user 7 last 2 = %+v, %v", ud, err)
	}
	if all, _ := db.UserDeposits(ctx, 7, 0); len(all) != 3 || all[2].ID != "C" {
		t.Fatalf("user 7 all = %+v", all)
	}
	if none, _ := db.UserDeposits(ctx, 10, 5); len(none) != 0 {
		t.Fatalf("user 10 = %+v", none)
	}
}

func TestDepositReadOnlyOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketDeposits, bucketDepOpen, bucketDepUser, bucketWallets, bucketLedger, bucketCredited} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Deposit(ctx, "D1"); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("deposit: %v", err)
	}
	if open, err := ro.OpenDeposits(ctx); err != nil || len(open) != 0 {
		t.Fatalf("open: %v, %v", open, err)
	}
	if ud, err := ro.UserDeposits(ctx, 7, 5); err != nil || len(ud) != 0 {
		t.Fatalf("user: %v, %v", ud, err)
	}
}
