package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
	"topupbot/internal/testbuf"
)

// writeV1 writes a database as schema 1 left it, by hand: orders with their
// pending, per-chat and confirm indexes, no creation-time index, schema "1".
func writeV1(t *testing.T, path string, orders []flows.Order, notes ...flows.Notification) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"orders", "pending", "chat_orders", "confirm", "sessions", "outbox", "catalog", "settings", "meta", "inbox"} {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		for _, o := range orders {
			v, err := json.Marshal(o)
			if err != nil {
				return err
			}
			if err := tx.Bucket([]byte("orders")).Put([]byte(o.RefID), v); err != nil {
				return err
			}
			if !o.Status.Final() {
				if err := tx.Bucket([]byte("pending")).Put([]byte(o.RefID), i64(o.CreatedAt.UnixNano())); err != nil {
					return err
				}
			}
			if err := tx.Bucket([]byte("chat_orders")).Put(chatOrderKey(&o), []byte(o.RefID)); err != nil {
				return err
			}
			if err := tx.Bucket([]byte("confirm")).Put(confirmKey(o.ChatID, o.Token), []byte(o.RefID)); err != nil {
				return err
			}
		}
		outbox := tx.Bucket([]byte("outbox"))
		for _, n := range notes {
			seq, _ := outbox.NextSequence()
			n.ID = fmt.Sprintf("%016x", seq)
			v, err := json.Marshal(n)
			if err != nil {
				return err
			}
			if err := outbox.Put([]byte(n.ID), v); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte("1"))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkCreatedIndex fails unless every order has exactly its creation-time
// index entry and every entry points at an order created then.
func checkCreatedIndex(t *testing.T, tx *bolt.Tx) int {
	t.Helper()
	orders, created := tx.Bucket(bucketOrders), tx.Bucket(bucketCreated)
	n := 0
	err := orders.ForEach(func(k, v []byte) error {
		var o flows.Order
		if err := json.Unmarshal(v, &o); err != nil {
			return err
		}
		if got := created.Get(createdKey(&o)); !bytes.Equal(got, k) {
			t.Errorf("order %s (created %s) has no index entry", k, o.CreatedAt)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = created.ForEach(func(k, ref []byte) error {
		var o flows.Order
		if err := getOrder(tx, ref, &o); err != nil {
			t.Errorf("index entry %x: %v", k, err)
			return nil
		}
		if !bytes.Equal(createdKey(&o), k) {
			t.Errorf("index entry %x does not match order %s created %s", k, ref, o.CreatedAt)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := created.Stats().KeyN; got != n {
		t.Errorf("%d index entries for %d orders", got, n)
	}
	return n
}

func schemaOfFile(t *testing.T, db *DB) string {
	t.Helper()
	var v string
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		v = string(tx.Bucket(bucketMeta).Get([]byte("schema")))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestOpenUpgradesSchema1: a schema 1 file is upgraded at Open, in
// batches, and the reports of its first start are complete — a bill
// inquired before midnight and paid after it included. A second Open
// upgrades nothing.
func TestOpenUpgradesSchema1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	rnd := rand.New(rand.NewSource(11))
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, flows.WIB)
	var stored []flows.Order
	var today []string
	wantYesterday := 0
	// More orders than one migration transaction indexes.
	for i := range migrationBatch + 500 {
		at := day.Add(-time.Duration(migrationBatch+500-i) * time.Minute)
		if i%1000 == 0 {
			at = day.Add(time.Duration(i) * time.Second) // a few today
		}
		ref, err := flows.NewRefID(at, rnd)
		if err != nil {
			t.Fatal(err)
		}
		o := newOrder(ref, int64(i%50), fmt.Sprintf("T%d", i))
		o.Status, o.CreatedAt, o.UpdatedAt = flows.StatusSuccess, at, at
		stored = append(stored, o)
		if !at.Before(day) {
			today = append(today, ref)
		} else if !at.Before(day.AddDate(0, 0, -1)) {
			wantYesterday++
		}
	}
	// The bill: ref minted at the inquiry, 23:55 yesterday; written when
	// its payment was confirmed, 00:05 today; failed.
	billRef, _ := flows.NewRefID(day.Add(-5*time.Minute), rnd)
	bill := newOrder(billRef, 7, "TBILL")
	bill.Kind, bill.Status, bill.CreatedAt = flows.Postpaid, flows.StatusFailed, day.Add(5*time.Minute)
	stored = append(stored, bill)
	today = append(today, billRef)
	// The outbox as schema 1 left it: a stuck group's lines, then an SN.
	var notes []flows.Notification
	for range 3 {
		notes = append(notes, flows.Notification{Kind: flows.NotifySend, ChatID: -100, ToOps: true, Text: "line"})
	}
	notes = append(notes, flows.Notification{Kind: flows.NotifySend, ChatID: 7, Text: "SN"})
	writeV1(t, path, stored, notes...)

	var logs testbuf.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	db, err := Open(path, Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if got := schemaOfFile(t, db); got != "2" {
		t.Errorf("schema after the upgrade: %q, want 2", got)
	}
	if want := fmt.Sprintf("orders_indexed=%d", len(stored)); !strings.Contains(logs.String(), want) {
		t.Errorf("upgrade log lacks %s:\n%s", want, logs.String())
	}
	if err := db.bolt.View(func(tx *bolt.Tx) error { checkCreatedIndex(t, tx); return nil }); err != nil {
		t.Fatal(err)
	}
	checkChatOutbox(t, db)
	if due, err := db.DueNotifications(ctx, time.Now(), 2); err != nil || len(due) != 2 || due[1].Text != "SN" {
		t.Errorf("the outbox after the upgrade: %+v %v, want a line and the SN", due, err)
	}
	if want := "outbox_indexed=4"; !strings.Contains(logs.String(), want) {
		t.Errorf("upgrade log lacks %s:\n%s", want, logs.String())
	}
	got, total, err := db.OrdersCreated(ctx, day, day.AddDate(0, 0, 1), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(today)
	gotRefs := refs(got)
	slices.Sort(gotRefs)
	if total != len(today) || !slices.Equal(gotRefs, today) {
		t.Errorf("today after the upgrade: %d %v, want %v", total, gotRefs, today)
	}
	failed, total, err := db.OrdersCreated(ctx, day.Add(-7*24*time.Hour), day.AddDate(0, 0, 1), flows.StatusFailed, 100)
	if err != nil || total != 1 || !slices.Equal(refs(failed), []string{billRef}) {
		t.Errorf("failed after the upgrade: %d %v %v, want the bill %s", total, refs(failed), err, billRef)
	}
	yesterday := 0
	if err := db.EachOrderCreated(ctx, day.AddDate(0, 0, -1), day, func(o *flows.Order) error {
		if o.RefID == billRef {
			t.Errorf("the bill is in yesterday's report too")
		}
		yesterday++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if yesterday != wantYesterday {
		t.Errorf("yesterday: %d orders, want %d", yesterday, wantYesterday)
	}
	db.Close()

	logs = testbuf.Buffer{}
	db, err = Open(path, Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if strings.Contains(logs.String(), "schema upgrade") {
		t.Errorf("a second Open upgraded again:\n%s", logs.String())
	}
}

// TestUpgradeAgain: the upgrade rebuilds the index whole, so running it
// again — after a crash half way, or after an older binary added orders
// without index entries — leaves it exact.
func TestUpgradeAgain(t *testing.T) {
	db, path, clk := openTest(t)
	rnd := rand.New(rand.NewSource(12))
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, flows.WIB)
	for i := range 5 {
		createAt(t, db, rnd, day.Add(time.Duration(i)*time.Hour), flows.StatusSuccess)
	}
	// An older binary's order (no index entry), a stale entry, schema 1.
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		o := newOrder("OLDBINARY1", 3, "T-OLD")
		o.CreatedAt = day.Add(90 * time.Minute)
		if err := putOrder(tx, &o); err != nil {
			return err
		}
		stale := newOrder("GONE", 3, "T-GONE")
		if err := tx.Bucket(bucketCreated).Put(createdKey(&stale), []byte("GONE")); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put([]byte("schema"), []byte("1"))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(path, Options{Now: clk.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		if n := checkCreatedIndex(t, tx); n != 6 {
			t.Errorf("%d orders, want 6", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, total, err := db.OrdersCreated(ctx, day, day.AddDate(0, 0, 1), "", 10); err != nil || total != 6 {
		t.Errorf("today: %d, %v; want 6", total, err)
	}
}

// TestOpenNewFileIsCurrent: a new file starts at the current schema.
func TestOpenNewFileIsCurrent(t *testing.T) {
	db, _, _ := openTest(t)
	if got := schemaOfFile(t, db); got != fmt.Sprint(SchemaVersion) {
		t.Errorf("new file at schema %q, want %d", got, SchemaVersion)
	}
}

// TestCreatedIndexInTransaction: an order exists if and only if its
// creation-time entry does, in every state a crash can leave — every
// committed transaction, here read as consistent snapshots taken while
// confirmations (some refused in the same batch) are being written.
func TestCreatedIndexInTransaction(t *testing.T) {
	db, _, _ := openTest(t)
	oneBatch(db)
	db.bolt.MaxBatchDelay = 2 * time.Millisecond
	if _, _, err := db.CreateOrder(ctx, newOrder("TAKEN", 1, "T-TAKEN")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	stop := make(chan struct{})
	var snaps []string
	snapped := make(chan struct{})
	go func() {
		defer close(snapped)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			p := filepath.Join(dir, fmt.Sprintf("snap%d.db", i))
			if _, err := db.BackupFile(p); err != nil {
				t.Error(err)
				return
			}
			snaps = append(snaps, p)
		}
	}()
	var wg sync.WaitGroup
	for c := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref := fmt.Sprintf("R%d", c)
			if c%10 == 0 {
				ref = "TAKEN" // refused: writes nothing
			}
			db.CreateOrder(ctx, newOrder(ref, int64(100+c), fmt.Sprintf("T%d", c)))
		}()
	}
	wg.Wait()
	close(stop)
	<-snapped
	p := filepath.Join(dir, "final.db")
	if _, err := db.BackupFile(p); err != nil {
		t.Fatal(err)
	}
	snaps = append(snaps, p)
	for _, p := range snaps {
		b, err := bolt.Open(p, 0o600, &bolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		if err := b.View(func(tx *bolt.Tx) error { n = checkCreatedIndex(t, tx); return nil }); err != nil {
			t.Fatal(err)
		}
		b.Close()
		if p == snaps[len(snaps)-1] && n != 181 {
			t.Errorf("final: %d orders, want 181", n)
		}
	}
	t.Logf("%d snapshots", len(snaps))
}

// TestUpdateOrderKeepsCreatedAt: an order has one creation time; an update
// cannot move it (its indexes and its report day hang on it).
func TestUpdateOrderKeepsCreatedAt(t *testing.T) {
	db, _, _ := openTest(t)
	o, _, err := db.CreateOrder(ctx, newOrder("R1", 1, "T1"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.UpdateOrder(ctx, "R1", func(o *flows.Order) ([]flows.Notification, error) {
		o.Status, o.CreatedAt = flows.StatusPending, o.CreatedAt.Add(time.Hour)
		return nil, nil
	})
	if err == nil {
		t.Fatal("an update moved created_at")
	}
	got, _ := db.Order(ctx, "R1")
	if !got.CreatedAt.Equal(o.CreatedAt) || got.Status != flows.StatusPlacing {
		t.Errorf("after a refused update: %+v", got)
	}
}
