package storage

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// apply writes e in a transaction of its own, as the order transactions
// will inside theirs.
func apply(t *testing.T, db *DB, e flows.LedgerEntry) flows.LedgerEntry {
	t.Helper()
	stored, applied, err := db.record(ctx, e)
	if err != nil {
		t.Fatalf("%s %+d/%+d: %v", e.Kind, e.Balance, e.Held, err)
	}
	if !applied {
		t.Fatalf("%s %+d/%+d: not applied", e.Kind, e.Balance, e.Held)
	}
	return stored
}

func wantWallet(t *testing.T, db *DB, user, balance, held int64) {
	t.Helper()
	w, err := db.Wallet(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if want := (flows.Wallet{UserID: user, Balance: balance, Held: held}); w != want {
		t.Fatalf("wallet = %+v, want %+v", w, want)
	}
}

func entries(t *testing.T, db *DB, user int64) []flows.LedgerEntry {
	t.Helper()
	es, err := db.Entries(ctx, user, 0)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestLedgerKinds(t *testing.T) {
	db, _, clk := openTest(t)
	wantWallet(t, db, 7, 0, 0)
	steps := []struct {
		e             flows.LedgerEntry
		balance, held int64
	}{
		{flows.LedgerEntry{UserID: 7, Kind: flows.EntryDeposit, Balance: 50000, DepositID: "D1", By: 1}, 50000, 0},
		{flows.LedgerEntry{UserID: 7, Kind: flows.EntryHold, Balance: -11000, Held: 11000, Ref: "R1"}, 39000, 11000},
		{flows.LedgerEntry{UserID: 7, Kind: flows.EntryHold, Balance: -21000, Held: 21000, Ref: "R2"}, 18000, 32000},
		{flows.LedgerEntry{UserID: 7, Kind: flows.EntryPurchase, Held: -11000, Ref: "R1"}, 18000, 21000},
		{flows.LedgerEntry{UserID: 7, Kind: flows.EntryRefund, Balance: 21000, Held: -21000, Ref: "R2"}, 39000, 0},
		{flows.LedgerEntry{UserID: 7, Kind: flows.EntryAdjustment, Balance: -9000, By: 1, Note: "salah transfer"}, 30000, 0},
		{flows.LedgerEntry{UserID: 7, Kind: flows.EntryAdjustment, Balance: 500, By: 2}, 30500, 0},
	}
	var want []flows.LedgerEntry
	for i, s := range steps {
		clk.Advance(1e9)
		got := apply(t, db, s.e)
		e := s.e
		e.ID, e.At, e.BalanceAfter, e.HeldAfter = got.ID, clk.Now(), s.balance, s.held
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("step %d: stored %+v, want %+v", i, got, e)
		}
		if i > 0 && got.ID <= want[i-1].ID {
			t.Fatalf("step %d: id %d after %d", i, got.ID, want[i-1].ID)
		}
		want = append(want, got)
		wantWallet(t, db, 7, s.balance, s.held)
	}
	// Read back oldest first, and a limit keeps the newest.
	got := entries(t, db, 7)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("entries = %+v\nwant %+v", got, want)
	}
	last2, err := db.Entries(ctx, 7, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(last2, want[len(want)-2:]) {
		t.Fatalf("last 2 = %+v, want %+v", last2, want[len(want)-2:])
	}
	// Another user's ledger is apart.
	wantWallet(t, db, 8, 0, 0)
	if es := entries(t, db, 8); len(es) != 0 {
		t.Fatalf("user 8 entries = %+v", es)
	}
	// A wrong shape writes nothing.
	for _, e := range []flows.LedgerEntry{
		{UserID: 7, Kind: flows.EntryHold, Balance: -100, Held: 200, Ref: "R3"},
		{UserID: 7, Kind: flows.EntryAdjustment, Balance: 100},
		{UserID: 7, Kind: flows.EntryDeposit, Balance: 100},
	} {
		if _, _, err := db.record(ctx, e); !errors.Is(err, flows.ErrEntryShape) {
			t.Errorf("%+v: err = %v, want ErrEntryShape", e, err)
		}
	}
	wantWallet(t, db, 7, 30500, 0)
	if got := entries(t, db, 7); !reflect.DeepEqual(got, want) {
		t.Fatalf("entries changed by refused shapes: %+v", got)
	}
}

func TestLedgerRefusesBelowZero(t *testing.T) {
	db, _, _ := openTest(t)
	if _, _, err := db.Credit(ctx, 7, 10000, "D1", 1, ""); err != nil {
		t.Fatal(err)
	}
	apply(t, db, flows.LedgerEntry{UserID: 7, Kind: flows.EntryHold, Balance: -4000, Held: 4000, Ref: "R1"})
	before := entries(t, db, 7)

	_, _, err := db.record(ctx, flows.LedgerEntry{UserID: 7, Kind: flows.EntryHold, Balance: -6001, Held: 6001, Ref: "R2"})
	var low *flows.BalanceTooLowError
	if !errors.As(err, &low) || *low != (flows.BalanceTooLowError{UserID: 7, Balance: 6000, Needed: 6001}) {
		t.Fatalf("hold beyond the balance: err = %v", err)
	}
	_, err = db.Adjust(ctx, 7, -6001, 1, "")
	if !errors.As(err, &low) || low.Balance != 6000 || low.Needed != 6001 {
		t.Fatalf("adjustment below zero: err = %v", err)
	}
	_, _, err = db.record(ctx, flows.LedgerEntry{UserID: 7, Kind: flows.EntryPurchase, Held: -4001, Ref: "R1"})
	var held *flows.HeldTooLowError
	if !errors.As(err, &held) || *held != (flows.HeldTooLowError{UserID: 7, Held: 4000, Needed: 4001}) {
		t.Fatalf("purchase beyond held: err = %v", err)
	}
	_, _, err = db.record(ctx, flows.LedgerEntry{UserID: 7, Kind: flows.EntryRefund, Balance: 4001, Held: -4001, Ref: "R1"})
	if !errors.As(err, &held) {
		t.Fatalf("refund beyond held: err = %v", err)
	}
	_, _, err = db.record(ctx, flows.LedgerEntry{UserID: 8, Kind: flows.EntryHold, Balance: -1, Held: 1, Ref: "R3"})
	if !errors.As(err, &low) || low.Balance != 0 {
		t.Fatalf("hold from an empty wallet: err = %v", err)
	}
	_, _, err = db.Credit(ctx, 7, math.MaxInt64, "D2", 1, "")
	if err == nil {
		t.Fatal("a credit overflowing the wallet was written")
	}

	wantWallet(t, db, 7, 6000, 4000)
	wantWallet(t, db, 8, 0, 0)
	if got := entries(t, db, 7); !reflect.DeepEqual(got, before) {
		t.Fatalf("refusals wrote entries: %+v", got)
	}
	// Exactly to zero is allowed.
	if _, err := db.Adjust(ctx, 7, -6000, 1, "tutup"); err != nil {
		t.Fatal(err)
	}
	wantWallet(t, db, 7, 0, 4000)
}

func TestLedgerCreditOnce(t *testing.T) {
	db, _, _ := openTest(t)
	first, credited, err := db.Credit(ctx, 7, 50123, "D1", 1, "BCA")
	if err != nil || !credited {
		t.Fatalf("first credit: credited %v, err %v", credited, err)
	}
	// A second approval of the same deposit, by another admin or for
	// another figure, credits nothing.
	again, credited, err := db.Credit(ctx, 7, 99999, "D1", 2, "")
	if err != nil || credited {
		t.Fatalf("second credit: credited %v, err %v", credited, err)
	}
	if !reflect.DeepEqual(again, first) {
		t.Fatalf("second credit returned %+v, want the first %+v", again, first)
	}
	wantWallet(t, db, 7, 50123, 0)
	if es := entries(t, db, 7); len(es) != 1 {
		t.Fatalf("entries = %+v", es)
	}
	// An adjustment naming the deposit is not a deposit: it is written.
	apply(t, db, flows.LedgerEntry{UserID: 7, Kind: flows.EntryAdjustment, Balance: 1000, DepositID: "D1", By: 1})
	wantWallet(t, db, 7, 51123, 0)
}

// TestLedgerEntriesNeverEdited: later entries, refusals and other users'
// entries leave every stored entry byte for byte as it was written.
func TestLedgerEntriesNeverEdited(t *testing.T) {
	db, _, _ := openTest(t)
	raw := func() map[string]string {
		m := map[string]string{}
		err := db.bolt.View(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketLedger).ForEach(func(k, v []byte) error {
				m[string(k)] = string(v)
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	db.Credit(ctx, 7, 10000, "D1", 1, "")
	apply(t, db, flows.LedgerEntry{UserID: 7, Kind: flows.EntryHold, Balance: -3000, Held: 3000, Ref: "R1"})
	before := raw()
	apply(t, db, flows.LedgerEntry{UserID: 7, Kind: flows.EntryPurchase, Held: -3000, Ref: "R1"})
	db.Credit(ctx, 8, 5000, "D2", 1, "")
	db.Credit(ctx, 7, 5000, "D1", 1, "")
	db.Adjust(ctx, 7, -100000, 1, "")
	after := raw()
	if len(after) != len(before)+2 {
		t.Fatalf("%d entries after, want %d", len(after), len(before)+2)
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("entry %x changed:\n%s\n→ %s", k, v, after[k])
		}
	}
}

func TestLedgerReopen(t *testing.T) {
	db, _, clk := openTest(t)
	db.Credit(ctx, 7, 10000, "D1", 1, "")
	apply(t, db, flows.LedgerEntry{UserID: 7, Kind: flows.EntryHold, Balance: -3000, Held: 3000, Ref: "R1"})
	db.Credit(ctx, 8, 5000, "D2", 0, "gateway")
	want7, want8 := entries(t, db, 7), entries(t, db, 8)
	db = reopen(t, db, clk)
	wantWallet(t, db, 7, 7000, 3000)
	wantWallet(t, db, 8, 5000, 0)
	if got := entries(t, db, 7); !reflect.DeepEqual(got, want7) {
		t.Fatalf("user 7 after reopen: %+v, want %+v", got, want7)
	}
	if got := entries(t, db, 8); !reflect.DeepEqual(got, want8) {
		t.Fatalf("user 8 after reopen: %+v, want %+v", got, want8)
	}
	// The id sequence and the credited deposits survive too.
	if _, credited, _ := db.Credit(ctx, 7, 10000, "D1", 1, ""); credited {
		t.Fatal("deposit D1 credited again after reopen")
	}
	e := apply(t, db, flows.LedgerEntry{UserID: 7, Kind: flows.EntryRefund, Balance: 3000, Held: -3000, Ref: "R1"})
	if e.ID <= want8[0].ID {
		t.Fatalf("id %d after reopen, not after %d", e.ID, want8[0].ID)
	}
	wantWallet(t, db, 7, 10000, 0)
}

// TestLedgerInCallersTransaction: applyEntry inside a transaction that
// fails later leaves nothing, as an order's Confirm transaction will need.
func TestLedgerInCallersTransaction(t *testing.T) {
	db, _, _ := openTest(t)
	db.Credit(ctx, 7, 10000, "D1", 1, "")
	boom := errors.New("order write failed")
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if _, _, err := applyEntry(tx, db.now(), flows.LedgerEntry{UserID: 7, Kind: flows.EntryHold, Balance: -3000, Held: 3000, Ref: "R1"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	wantWallet(t, db, 7, 10000, 0)
	if es := entries(t, db, 7); len(es) != 1 {
		t.Fatalf("entries = %+v", es)
	}
	// Two entries in one transaction see each other.
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		for _, ref := range []string{"R1", "R2"} {
			if _, _, err := applyEntry(tx, db.now(), flows.LedgerEntry{UserID: 7, Kind: flows.EntryHold, Balance: -6000, Held: 6000, Ref: ref}); err != nil {
				return err
			}
		}
		return nil
	})
	var low *flows.BalanceTooLowError
	if !errors.As(err, &low) || low.Balance != 4000 {
		t.Fatalf("second hold in the same transaction: err = %v", err)
	}
	wantWallet(t, db, 7, 10000, 0)
}

func TestLedgerUserKeys(t *testing.T) {
	db, _, _ := openTest(t)
	users := []int64{math.MinInt64, -1, 0, 1, 255, 256, 1 << 40, math.MaxInt64}
	for round := range 3 {
		for i, u := range users {
			db.Credit(ctx, u, int64(i+1), string(rune('a'+round))+string(rune('A'+i)), 1, "")
		}
	}
	for i, u := range users {
		es := entries(t, db, u)
		if len(es) != 3 {
			t.Fatalf("user %d: %d entries, want 3", u, len(es))
		}
		for _, e := range es {
			if e.UserID != u || e.Balance != int64(i+1) {
				t.Fatalf("user %d: entry %+v", u, e)
			}
		}
		last, err := db.Entries(ctx, u, 1)
		if err != nil || len(last) != 1 || last[0] != es[2] {
			t.Fatalf("user %d: last entry %+v, %v", u, last, err)
		}
		wantWallet(t, db, u, 3*int64(i+1), 0)
	}
}

// TestLedgerBatchedHolds: holds committed together by db.Batch, as order
// creation is, whose sum exceeds the balance: exactly as many succeed as
// the balance covers, even though Batch runs a function again when another
// in its batch fails.
func TestLedgerBatchedHolds(t *testing.T) {
	db, _, _ := openTest(t)
	db.Credit(ctx, 7, 20000, "D1", 1, "")
	const n = 8
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.bolt.Batch(func(tx *bolt.Tx) error {
				_, _, err := applyEntry(tx, db.now(), flows.LedgerEntry{UserID: 7, Kind: flows.EntryHold, Balance: -6000, Held: 6000, Ref: fmt.Sprintf("R%d", i)})
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		var low *flows.BalanceTooLowError
		switch {
		case err == nil:
			ok++
		case !errors.As(err, &low):
			t.Fatal(err)
		}
	}
	if ok != 3 {
		t.Fatalf("%d holds of 6.000 from 20.000 succeeded, want 3", ok)
	}
	wantWallet(t, db, 7, 2000, 18000)
	if es := entries(t, db, 7); len(es) != 4 {
		t.Fatalf("%d entries, want 4", len(es))
	}
}
