package storage

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"topupbot/flows"
)

// ledgerModel is what the property test expects of one user's wallet.
type ledgerModel struct {
	balance, held int64
	holds         map[string]int64 // open holds: order ref → amount
	entries       int
}

// TestLedgerProperties runs random sequences of deposits (some re-sent),
// holds, purchases, refunds and adjustments on several users — including
// ones the ledger must refuse — and reopens, and checks DESIGN rule 14's
// invariants for every user after every step, from what is stored.
func TestLedgerProperties(t *testing.T) {
	users := []int64{1, 2, 1 << 40}
	rapid.Check(t, func(rt *rapid.T) {
		path := filepath.Join(t.TempDir(), "topupbot.db")
		// The file is real; fsync is left out to keep a hundred runs quick.
		opts := Options{NoSync: true}
		db, err := Open(path, opts)
		if err != nil {
			rt.Fatal(err)
		}
		defer func() { db.Close() }()

		model := map[int64]*ledgerModel{}
		for _, u := range users {
			model[u] = &ledgerModel{holds: map[string]int64{}}
		}
		var deposits []string
		seq := 0
		user := rapid.SampledFrom(users)
		amount := rapid.Int64Range(1, 100_000)

		// refused checks a step the model says must be refused: the typed
		// error, and nothing written (the checks after the step).
		refused := func(err error, wantLow bool) {
			var low *flows.BalanceTooLowError
			var held *flows.HeldTooLowError
			if wantLow && !errors.As(err, &low) || !wantLow && !errors.As(err, &held) {
				rt.Fatalf("want a refusal (balance %v), got %v", wantLow, err)
			}
		}
		steps := map[string]func(*rapid.T){
			"deposit": func(rt *rapid.T) {
				u, a := user.Draw(rt, "user"), amount.Draw(rt, "amount")
				id := fmt.Sprintf("D%d", seq)
				seq++
				_, credited, err := db.Credit(ctx, u, a, id, 1, "")
				if err != nil || !credited {
					rt.Fatalf("credit %s: credited %v, %v", id, credited, err)
				}
				deposits = append(deposits, id)
				model[u].balance += a
				model[u].entries++
			},
			"deposit again": func(rt *rapid.T) {
				if len(deposits) == 0 {
					rt.Skip("no deposit yet")
				}
				id := rapid.SampledFrom(deposits).Draw(rt, "deposit")
				_, credited, err := db.Credit(ctx, user.Draw(rt, "user"), amount.Draw(rt, "amount"), id, 2, "")
				if err != nil || credited {
					rt.Fatalf("credit %s again: credited %v, %v", id, credited, err)
				}
			},
			"hold": func(rt *rapid.T) {
				u := user.Draw(rt, "user")
				m := model[u]
				p := rapid.Int64Range(1, m.balance+20_000).Draw(rt, "price")
				ref := fmt.Sprintf("R%d", seq)
				seq++
				_, _, err := db.record(ctx, flows.LedgerEntry{UserID: u, Kind: flows.EntryHold, Balance: -p, Held: p, Ref: ref})
				if p > m.balance {
					refused(err, true)
					return
				}
				if err != nil {
					rt.Fatalf("hold %s: %v", ref, err)
				}
				m.balance -= p
				m.held += p
				m.holds[ref] = p
				m.entries++
			},
			"settle": func(rt *rapid.T) {
				u := user.Draw(rt, "user")
				m := model[u]
				if len(m.holds) == 0 {
					rt.Skip("no open hold")
				}
				refs := make([]string, 0, len(m.holds))
				for ref := range m.holds {
					refs = append(refs, ref)
				}
				slices.Sort(refs)
				ref := rapid.SampledFrom(refs).Draw(rt, "ref")
				p := m.holds[ref]
				e := flows.LedgerEntry{UserID: u, Kind: flows.EntryPurchase, Held: -p, Ref: ref}
				success := rapid.Bool().Draw(rt, "success")
				if !success {
					e = flows.LedgerEntry{UserID: u, Kind: flows.EntryRefund, Balance: p, Held: -p, Ref: ref}
				}
				if _, _, err := db.record(ctx, e); err != nil {
					rt.Fatalf("%s %s: %v", e.Kind, ref, err)
				}
				if !success {
					m.balance += p
				}
				m.held -= p
				delete(m.holds, ref)
				m.entries++
			},
			"release beyond held": func(rt *rapid.T) {
				u := user.Draw(rt, "user")
				p := model[u].held + amount.Draw(rt, "excess")
				e := flows.LedgerEntry{UserID: u, Kind: flows.EntryPurchase, Held: -p, Ref: "RX"}
				if rapid.Bool().Draw(rt, "refund") {
					e = flows.LedgerEntry{UserID: u, Kind: flows.EntryRefund, Balance: p, Held: -p, Ref: "RX"}
				}
				_, _, err := db.record(ctx, e)
				refused(err, false)
			},
			"adjust": func(rt *rapid.T) {
				u := user.Draw(rt, "user")
				m := model[u]
				a := rapid.Int64Range(-m.balance-20_000, 100_000).Filter(func(a int64) bool { return a != 0 }).Draw(rt, "amount")
				_, err := db.Adjust(ctx, u, a, 9, "koreksi")
				if m.balance+a < 0 {
					refused(err, true)
					return
				}
				if err != nil {
					rt.Fatalf("adjust %d: %v", a, err)
				}
				m.balance += a
				m.entries++
			},
			"reopen": func(rt *rapid.T) {
				if err := db.Close(); err != nil {
					rt.Fatal(err)
				}
				if db, err = Open(path, opts); err != nil {
					rt.Fatal(err)
				}
			},
			"": func(rt *rapid.T) {
				for _, u := range users {
					checkLedger(rt, db, u, model[u])
				}
			},
		}
		rt.Repeat(steps)
	})
}

// checkLedger checks DESIGN rule 14's invariants for user u from the
// stored wallet and entries, and that they are what the model expects.
func checkLedger(rt *rapid.T, db *DB, u int64, m *ledgerModel) {
	w, err := db.Wallet(ctx, u)
	if err != nil {
		rt.Fatal(err)
	}
	es, err := db.Entries(ctx, u, 0)
	if err != nil {
		rt.Fatal(err)
	}
	if w.Balance < 0 || w.Held < 0 {
		rt.Fatalf("user %d: negative wallet %+v", u, w)
	}
	if w.Balance != m.balance || w.Held != m.held || len(es) != m.entries {
		rt.Fatalf("user %d: wallet %+v with %d entries, model balance %d held %d with %d", u, w, len(es), m.balance, m.held, m.entries)
	}
	var sumBalance, sumHeld, credits, purchases int64
	for i, e := range es {
		if e.UserID != u {
			rt.Fatalf("user %d: entry of user %d", u, e.UserID)
		}
		if err := e.CheckShape(); err != nil {
			rt.Fatalf("user %d: entry %d: %v", u, i, err)
		}
		if i > 0 && e.ID <= es[i-1].ID {
			rt.Fatalf("user %d: entry ids out of order: %d after %d", u, e.ID, es[i-1].ID)
		}
		sumBalance += e.Balance
		sumHeld += e.Held
		if e.BalanceAfter != sumBalance || e.HeldAfter != sumHeld {
			rt.Fatalf("user %d: entry %d after %d/%d, running sums %d/%d", u, i, e.BalanceAfter, e.HeldAfter, sumBalance, sumHeld)
		}
		switch e.Kind {
		case flows.EntryDeposit, flows.EntryAdjustment:
			credits += e.Balance
		case flows.EntryPurchase:
			purchases += -e.Held
		}
	}
	if sumBalance != w.Balance || sumHeld != w.Held {
		rt.Fatalf("user %d: Σ changes %d/%d, wallet %+v", u, sumBalance, sumHeld, w)
	}
	if w.Balance+w.Held != credits-purchases {
		rt.Fatalf("user %d: balance+held %d, Σ deposits+adjustments−purchases %d", u, w.Balance+w.Held, credits-purchases)
	}
	if len(es) > 0 {
		if last := es[len(es)-1]; last.BalanceAfter != w.Balance || last.HeldAfter != w.Held {
			rt.Fatalf("user %d: last entry after %d/%d, wallet %+v", u, last.BalanceAfter, last.HeldAfter, w)
		}
	}
}
