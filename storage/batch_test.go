package storage

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
)

// oneBatch makes every write started within a test's burst land in the same
// bbolt batch, so the tests below exercise coalescing and the re-run of a
// batch after one of its functions failed, not only writes in turn.
func oneBatch(db *DB) {
	db.bolt.MaxBatchDelay = 200 * time.Millisecond
}

// TestCreateOrderBatched: confirmations from many chats at once, double taps
// among them and calls that fail (a ref_id taken already) in the same batch:
// every token makes exactly one order, the failures write nothing, and what
// each caller is told matches what was committed.
func TestCreateOrderBatched(t *testing.T) {
	db, _, clk := openTest(t)
	oneBatch(db)
	if _, _, err := db.CreateOrder(ctx, newOrder("TAKEN", 1, "T-TAKEN")); err != nil {
		t.Fatal(err)
	}
	type result struct {
		chat    int64
		token   string
		ref     string
		created bool
		err     error
	}
	const chats, taps, failures = 40, 3, 5
	results := make(chan result, chats*taps+failures)
	var wg sync.WaitGroup
	for c := range chats {
		for tap := range taps { // a double (triple) tap of one Confirm
			wg.Add(1)
			go func() {
				defer wg.Done()
				chat, token := int64(100+c), fmt.Sprintf("T%d", c)
				o, created, err := db.CreateOrder(ctx, newOrder(fmt.Sprintf("R%d-%d", c, tap), chat, token))
				results <- result{chat, token, o.RefID, created, err}
			}()
		}
	}
	for f := range failures {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chat, token := int64(900+f), fmt.Sprintf("F%d", f)
			o, created, err := db.CreateOrder(ctx, newOrder("TAKEN", chat, token))
			results <- result{chat, token, o.RefID, created, err}
		}()
	}
	wg.Wait()
	close(results)

	made := map[string]string{} // token → the ref it made
	told := map[string][]string{}
	for r := range results {
		switch {
		case r.token[0] == 'F':
			if r.err == nil {
				t.Errorf("chat %d: a taken ref_id was accepted", r.chat)
			}
			continue
		case r.err != nil:
			t.Errorf("chat %d: %v", r.chat, r.err)
			continue
		case r.created:
			if prev, dup := made[r.token]; dup {
				t.Errorf("token %s made two orders: %s and %s", r.token, prev, r.ref)
			}
			made[r.token] = r.ref
		}
		told[r.token] = append(told[r.token], r.ref)
	}
	if len(made) != chats {
		t.Fatalf("%d tokens made an order, want %d", len(made), chats)
	}
	for token, refs := range told {
		for _, ref := range refs {
			if ref != made[token] {
				t.Errorf("token %s: a caller was told %s, the order is %s", token, ref, made[token])
			}
		}
	}

	// What was committed, after a restart: one order per token, indexed.
	db = reopen(t, db, clk)
	if n, _ := db.PendingCount(); n != chats+1 {
		t.Errorf("pending index holds %d, want %d", n, chats+1)
	}
	for c := range chats {
		chat := int64(100 + c)
		o, err := db.OrderByToken(ctx, chat, fmt.Sprintf("T%d", c))
		if err != nil || o.RefID != made[fmt.Sprintf("T%d", c)] {
			t.Errorf("chat %d: token's order %q %v, want %s", chat, o.RefID, err, made[fmt.Sprintf("T%d", c)])
		}
		if orders, _ := db.ChatOrders(ctx, chat, 10); len(orders) != 1 {
			t.Errorf("chat %d has %d orders, want 1", chat, len(orders))
		}
	}
	for f := range failures {
		if _, err := db.OrderByToken(ctx, int64(900+f), fmt.Sprintf("F%d", f)); !errors.Is(err, flows.ErrNotFound) {
			t.Errorf("failed call %d consumed its token: %v", f, err)
		}
	}
	if o, err := db.Order(ctx, "TAKEN"); err != nil || o.ChatID != 1 {
		t.Errorf("the taken order changed: %+v %v", o, err)
	}
}

// TestSaveSessionBatched: concurrent saves and deletes of many chats'
// sessions all commit, and survive a restart.
func TestSaveSessionBatched(t *testing.T) {
	db, _, clk := openTest(t)
	type session struct{ State string }
	for c := range 50 {
		db.SaveSession(ctx, int64(c), session{State: "old"})
	}
	oneBatch(db)
	var wg sync.WaitGroup
	for c := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if c%2 == 0 {
				err = db.SaveSession(ctx, int64(c), nil)
			} else {
				err = db.SaveSession(ctx, int64(c), session{State: fmt.Sprint("s", c)})
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	db = reopen(t, db, clk)
	for c := range 100 {
		var s session
		ok, err := db.Session(ctx, int64(c), &s)
		switch {
		case err != nil:
			t.Errorf("chat %d: %v", c, err)
		case c%2 == 0 && ok:
			t.Errorf("chat %d: deleted session is back: %+v", c, s)
		case c%2 == 1 && (!ok || s.State != fmt.Sprint("s", c)):
			t.Errorf("chat %d: session %+v %v", c, s, ok)
		}
	}
}
