package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
	"topupbot/internal/testclock"
)

var ctx = context.Background()

func openTest(t *testing.T) (*DB, string, *testclock.Clock) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "topupbot.db")
	clk := testclock.New(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	db, err := Open(path, Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path, clk
}

func reopen(t *testing.T, db *DB, clk *testclock.Clock) *DB {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(db.Path(), Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	return db2
}

func newOrder(ref string, chat int64, token string) flows.Order {
	return flows.Order{RefID: ref, ChatID: chat, UserID: chat, Token: token, Status: flows.StatusPlacing,
		Kind: flows.Prepaid, ProductCode: "htelkomsel10000", ProductName: "Telkomsel 10.000",
		CustomerNumber: "081234567890", Price: 11000, Cost: 10850,
		Account: flows.Account{Provider: "iak", ID: "0812", KeyHash: "abc"}}
}

func TestOpenCreatesAndReopens(t *testing.T) {
	db, _, clk := openTest(t)
	if _, _, err := db.CreateOrder(ctx, newOrder("R1", 1, "T1")); err != nil {
		t.Fatal(err)
	}
	db = reopen(t, db, clk)
	o, err := db.Order(ctx, "R1")
	if err != nil || o.ProductCode != "htelkomsel10000" || o.Status != flows.StatusPlacing {
		t.Fatalf("after reopen: %+v %v", o, err)
	}
	if _, err := db.Order(ctx, "NOPE"); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("missing order: %v, want ErrNotFound", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		m, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return m.Put([]byte("schema"), []byte(fmt.Sprint(SchemaVersion+1)))
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open = %v, want ErrNewerSchema", err)
	}
	if got := err.Error(); !bytes.Contains([]byte(got), []byte("newer topupbot")) {
		t.Errorf("message %q does not say what to do", got)
	}
}

// A second process (here: a second open of the same file, which flock
// treats alike) gets a clear error rather than hanging.
func TestOpenHeldDatabase(t *testing.T) {
	db, path, _ := openTest(t)
	_ = db
	_, err := Open(path, Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open = %v, want ErrInUse", err)
	}
	if want := "database is in use by another topupbot"; !bytes.Contains([]byte(err.Error()), []byte(want)) {
		t.Errorf("message %q lacks %q", err, want)
	}
}

func TestCreateOrderConsumesToken(t *testing.T) {
	db, _, clk := openTest(t)
	o, created, err := db.CreateOrder(ctx, newOrder("R1", 42, "TOK"))
	if err != nil || !created || o.RefID != "R1" {
		t.Fatalf("first: %+v %v %v", o, created, err)
	}
	// The same token again — a double tap, a re-delivered update — finds
	// the first order and writes nothing.
	again := newOrder("R2", 42, "TOK")
	again.ProductCode = "other"
	got, created, err := db.CreateOrder(ctx, again)
	if err != nil || created || got.RefID != "R1" || got.ProductCode != "htelkomsel10000" {
		t.Fatalf("second: %+v %v %v", got, created, err)
	}
	if _, err := db.Order(ctx, "R2"); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("R2 was written: %v", err)
	}
	// The token is per chat: another chat's identical token is another order.
	if _, created, err := db.CreateOrder(ctx, newOrder("R3", 43, "TOK")); err != nil || !created {
		t.Errorf("other chat: %v %v", created, err)
	}
	// After a restart the token is still consumed.
	db = reopen(t, db, clk)
	if got, created, _ := db.CreateOrder(ctx, newOrder("R4", 42, "TOK")); created || got.RefID != "R1" {
		t.Errorf("after reopen: %+v %v", got, created)
	}
	if _, _, err := db.CreateOrder(ctx, newOrder("R1", 44, "T9")); err == nil {
		t.Error("a duplicate ref_id must be refused")
	}
	if o, err := db.OrderByToken(ctx, 42, "TOK"); err != nil || o.RefID != "R1" {
		t.Errorf("OrderByToken: %+v %v", o, err)
	}
	if _, err := db.OrderByToken(ctx, 42, "UNUSED"); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("OrderByToken(unused): %v", err)
	}
}

func TestCreateOrderConcurrentTaps(t *testing.T) {
	db, _, _ := openTest(t)
	const taps = 32
	var wg sync.WaitGroup
	createdCount := make(chan string, taps)
	for i := range taps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, created, err := db.CreateOrder(ctx, newOrder(fmt.Sprintf("R%d", i), 7, "SAME"))
			if err != nil {
				t.Error(err)
				return
			}
			if created {
				createdCount <- o.RefID
			}
		}()
	}
	wg.Wait()
	close(createdCount)
	if n := len(createdCount); n != 1 {
		t.Fatalf("%d orders created from one token, want 1", n)
	}
	if n, _ := db.PendingCount(); n != 1 {
		t.Errorf("pending index holds %d, want 1", n)
	}
}

func TestUpdateOrderSettlesOnce(t *testing.T) {
	db, _, clk := openTest(t)
	if _, _, err := db.CreateOrder(ctx, newOrder("R1", 1, "T1")); err != nil {
		t.Fatal(err)
	}
	// placing → pending stays in the pending index.
	o, err := db.UpdateOrder(ctx, "R1", func(o *flows.Order) ([]flows.Notification, error) {
		o.Status, o.Acknowledged, o.ProviderTxID = flows.StatusPending, true, "3482"
		return nil, nil
	})
	if err != nil || o.Status != flows.StatusPending {
		t.Fatalf("to pending: %+v %v", o, err)
	}
	if p, _ := db.PendingOrders(ctx); len(p) != 1 || !p[0].Acknowledged {
		t.Fatalf("pending %+v", p)
	}
	clk.Advance(time.Minute)
	// pending → success leaves the index and queues the notifications.
	o, err = db.UpdateOrder(ctx, "R1", func(o *flows.Order) ([]flows.Notification, error) {
		o.Status, o.SN = flows.StatusSuccess, "SN123"
		return []flows.Notification{
			{Kind: flows.NotifyEdit, ChatID: 1, MessageID: 5, Text: "done", RefID: "R1"},
			{Kind: flows.NotifySend, ChatID: 1, Text: "SN123", RefID: "R1"},
		}, nil
	})
	if err != nil || o.SettledAt.IsZero() || !o.SettledAt.Equal(clk.Now()) {
		t.Fatalf("settle: %+v %v", o, err)
	}
	if p, _ := db.PendingOrders(ctx); len(p) != 0 {
		t.Errorf("settled order still pending: %+v", p)
	}
	notes, _ := db.DueNotifications(ctx, clk.Now(), 10)
	if len(notes) != 2 || notes[0].Kind != flows.NotifyEdit || notes[1].Text != "SN123" || notes[0].ID == "" || notes[0].ID >= notes[1].ID {
		t.Fatalf("outbox %+v", notes)
	}
	// A settled order never changes status, and nothing is queued by the try.
	for _, s := range []flows.Status{flows.StatusFailed, flows.StatusPending, flows.StatusPlacing} {
		_, err = db.UpdateOrder(ctx, "R1", func(o *flows.Order) ([]flows.Notification, error) {
			o.Status = s
			return []flows.Notification{{Kind: flows.NotifySend, ChatID: 1, Text: "bad"}}, nil
		})
		if !errors.Is(err, ErrBackwards) {
			t.Errorf("success → %s: %v, want ErrBackwards", s, err)
		}
	}
	if n, _ := db.OutboxLen(); n != 2 {
		t.Errorf("outbox has %d, want 2", n)
	}
	if o, _ := db.Order(ctx, "R1"); o.Status != flows.StatusSuccess || o.SN != "SN123" {
		t.Errorf("order changed: %+v", o)
	}
}

func TestUpdateOrderRules(t *testing.T) {
	db, _, _ := openTest(t)
	db.CreateOrder(ctx, newOrder("R1", 1, "T1"))
	db.UpdateOrder(ctx, "R1", func(o *flows.Order) ([]flows.Notification, error) {
		o.Status = flows.StatusPending
		return nil, nil
	})
	if _, err := db.UpdateOrder(ctx, "R1", func(o *flows.Order) ([]flows.Notification, error) {
		o.Status = flows.StatusPlacing
		return nil, nil
	}); !errors.Is(err, ErrBackwards) {
		t.Errorf("pending → placing: %v", err)
	}
	if _, err := db.UpdateOrder(ctx, "R1", func(o *flows.Order) ([]flows.Notification, error) {
		o.Status = "bogus"
		return nil, nil
	}); !errors.Is(err, ErrBackwards) {
		t.Errorf("invalid status: %v", err)
	}
	// ErrNoChange writes nothing and returns the stored order.
	got, err := db.UpdateOrder(ctx, "R1", func(o *flows.Order) ([]flows.Notification, error) {
		o.SN = "scratch"
		return []flows.Notification{{Text: "x"}}, flows.ErrNoChange
	})
	if err != nil || got.SN != "" {
		t.Errorf("no change: %+v %v", got, err)
	}
	if n, _ := db.OutboxLen(); n != 0 {
		t.Errorf("ErrNoChange queued %d notifications", n)
	}
	boom := errors.New("boom")
	if _, err := db.UpdateOrder(ctx, "R1", func(*flows.Order) ([]flows.Notification, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("fn error: %v", err)
	}
	if _, err := db.UpdateOrder(ctx, "NOPE", func(*flows.Order) ([]flows.Notification, error) { return nil, nil }); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
	if _, err := db.UpdateOrder(ctx, "R1", func(o *flows.Order) ([]flows.Notification, error) {
		o.RefID = "R9"
		return nil, nil
	}); err == nil {
		t.Error("changing the ref_id must be refused")
	}
}

func TestChatOrders(t *testing.T) {
	db, _, clk := openTest(t)
	for i := range 15 {
		clk.Advance(time.Second)
		o := newOrder(fmt.Sprintf("A%02d", i), -100123, fmt.Sprintf("T%d", i)) // a group chat: negative id
		if _, _, err := db.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	db.CreateOrder(ctx, newOrder("B1", -100122, "X"))
	db.CreateOrder(ctx, newOrder("C1", -100124, "X"))
	got, err := db.ChatOrders(ctx, -100123, 10)
	if err != nil || len(got) != 10 {
		t.Fatalf("ChatOrders: %d %v", len(got), err)
	}
	for i, o := range got {
		if want := fmt.Sprintf("A%02d", 14-i); o.RefID != want {
			t.Errorf("order %d = %s, want %s (newest first)", i, o.RefID, want)
		}
	}
	if got, _ := db.ChatOrders(ctx, 555, 10); len(got) != 0 {
		t.Errorf("unknown chat: %+v", got)
	}
}

func TestOutbox(t *testing.T) {
	db, _, clk := openTest(t)
	now := clk.Now()
	err := db.Enqueue(ctx,
		flows.Notification{Kind: flows.NotifySend, ChatID: 1, Text: "a"},
		flows.Notification{Kind: flows.NotifySend, ChatID: 2, Text: "b", NotBefore: now.Add(time.Minute)},
	)
	if err != nil {
		t.Fatal(err)
	}
	due, _ := db.DueNotifications(ctx, now, 10)
	if len(due) != 1 || due[0].Text != "a" || !due[0].CreatedAt.Equal(now) {
		t.Fatalf("due now: %+v", due)
	}
	n := due[0]
	n.Attempts, n.NotBefore = 1, now.Add(2*time.Minute)
	if err := db.RescheduleNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueNotifications(ctx, now.Add(time.Minute), 10); len(due) != 1 || due[0].Text != "b" {
		t.Fatalf("due in a minute: %+v", due)
	}
	db = reopen(t, db, clk) // the outbox survives a restart
	due, _ = db.DueNotifications(ctx, now.Add(3*time.Minute), 10)
	if len(due) != 2 || due[0].Attempts != 1 {
		t.Fatalf("after reopen: %+v", due)
	}
	for _, n := range due {
		if err := db.AckNotification(ctx, n.ID); err != nil {
			t.Fatal(err)
		}
	}
	// Rescheduling an acknowledged notification does not resurrect it.
	db.RescheduleNotification(ctx, due[0])
	if n, _ := db.OutboxLen(); n != 0 {
		t.Errorf("outbox has %d after acks", n)
	}
}

func TestStateRoundTrips(t *testing.T) {
	db, _, clk := openTest(t)
	if off, at, err := db.TelegramOffset(ctx); err != nil || off != 0 || !at.IsZero() {
		t.Fatalf("empty offset: %d %v %v", off, at, err)
	}
	db.SaveTelegramOffset(ctx, 123456)
	db.SetSetting(ctx, "notify_chat_id", "-100999")
	db.SaveCatalog(ctx, []flows.Product{{Code: "X", Price: 1000, Available: true}})
	type session struct{ State string }
	db.SaveSession(ctx, -5, session{State: "ask_number"})
	db = reopen(t, db, clk)

	if off, at, _ := db.TelegramOffset(ctx); off != 123456 || !at.Equal(clk.Now()) {
		t.Errorf("offset %d at %v", off, at)
	}
	if v, ok, _ := db.Setting(ctx, "notify_chat_id"); !ok || v != "-100999" {
		t.Errorf("setting %q %v", v, ok)
	}
	db.SetSetting(ctx, "notify_chat_id", "")
	if _, ok, _ := db.Setting(ctx, "notify_chat_id"); ok {
		t.Error("empty value should delete the setting")
	}
	if ps, at, err := db.Catalog(ctx); err != nil || len(ps) != 1 || ps[0].Code != "X" || at.IsZero() {
		t.Errorf("catalog %+v %v %v", ps, at, err)
	}
	var s session
	if ok, err := db.Session(ctx, -5, &s); !ok || err != nil || s.State != "ask_number" {
		t.Errorf("session %+v %v %v", s, ok, err)
	}
	db.SaveSession(ctx, -5, nil)
	if ok, _ := db.Session(ctx, -5, &s); ok {
		t.Error("nil should delete the session")
	}
}

func TestCatalogMissing(t *testing.T) {
	db, _, _ := openTest(t)
	if _, _, err := db.Catalog(ctx); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("empty catalog: %v", err)
	}
}

func TestBackup(t *testing.T) {
	db, _, _ := openTest(t)
	for i := range 50 {
		db.CreateOrder(ctx, newOrder(fmt.Sprintf("R%d", i), 1, fmt.Sprintf("T%d", i)))
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "copy.db")
	n, err := db.BackupFile(out)
	if err != nil || n == 0 {
		t.Fatalf("BackupFile: %d %v", n, err)
	}
	if _, err := db.BackupFile(out); err == nil {
		t.Error("BackupFile overwrote an existing file")
	}
	copyDB, err := Open(out, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if o, err := copyDB.Order(ctx, "R49"); err != nil || o.RefID != "R49" {
		t.Errorf("backup lacks R49: %v", err)
	}
	copyDB.Close()

	// A snapshot, while the bot keeps writing: the size it announces is
	// the size it writes (the ops listener sends it as Content-Length).
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 50; i < 100; i++ {
			db.CreateOrder(ctx, newOrder(fmt.Sprintf("R%d", i), 1, fmt.Sprintf("T%d", i)))
		}
	}()
	var buf bytes.Buffer
	size := int64(-1)
	n, err = db.Snapshot(&buf, func(s int64) { size = s })
	<-done
	if err != nil || n != size || int64(buf.Len()) != n {
		t.Fatalf("Snapshot: %d bytes, %d announced, %d written, %v", n, size, buf.Len(), err)
	}
	snapshot := filepath.Join(dir, "snapshot.db")
	os.WriteFile(snapshot, buf.Bytes(), 0o600)
	c2, err := Open(snapshot, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the snapshot does not open: %v", err)
	}
	defer c2.Close()
	if _, err := c2.Order(ctx, "R0"); err != nil {
		t.Error(err)
	}
}

func TestKeyEncodingOrder(t *testing.T) {
	vals := []int64{-1 << 62, -100123, -1, 0, 1, 5, 1 << 40}
	for i := 1; i < len(vals); i++ {
		if bytes.Compare(i64(vals[i-1]), i64(vals[i])) >= 0 {
			t.Errorf("i64(%d) does not sort before i64(%d)", vals[i-1], vals[i])
		}
		if fromI64(i64(vals[i])) != vals[i] {
			t.Errorf("round trip of %d", vals[i])
		}
	}
}
