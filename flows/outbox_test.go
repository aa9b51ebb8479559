package flows_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"topupbot/bot"
	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/storage"
)

// recorder is a Notifier that records deliveries and answers with a script.
type recorder struct {
	mu        sync.Mutex
	delivered []flows.Notification
	answer    func(n flows.Notification) error
}

func (r *recorder) Deliver(ctx context.Context, n flows.Notification) error {
	var err error
	if r.answer != nil {
		err = r.answer(n)
	}
	if err == nil {
		r.mu.Lock()
		r.delivered = append(r.delivered, n)
		r.mu.Unlock()
	}
	return err
}

// Fits is the bot's: the ops lines batch as they would for Telegram.
func (r *recorder) Fits(text string) bool { return bot.Fits(text) }

func (r *recorder) got() []flows.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]flows.Notification(nil), r.delivered...)
}

func openDB(t *testing.T, path string, clk *testclock.Clock) *storage.DB {
	t.Helper()
	db, err := storage.Open(path, storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestOutboxSurvivesRestart: a settled order's notifications queued before a
// crash are delivered after the restart.
func TestOutboxSurvivesRestart(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	o := h.place("081212341000")
	h.sim.Settle(o.RefID, true)
	h.pollUntil(o.RefID, 5*time.Second)
	if n := len(h.outbox()); n != 3 {
		t.Fatalf("outbox %d", n)
	}
	h.restart()
	rec := &recorder{}
	d := flows.NewDrainer(h.db, rec, flows.DrainerConfig{Now: h.clk.Now})
	if _, err := d.DrainOnce(bg); err != nil {
		t.Fatal(err)
	}
	if got := rec.got(); len(got) != 3 {
		t.Fatalf("delivered %d, want 3", len(got))
	}
	if n, _ := h.db.OutboxLen(); n != 0 {
		t.Errorf("%d left in the outbox", n)
	}
}

func TestDrainerOutcomes(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db := openDB(t, filepath.Join(t.TempDir(), "db"), clk)
	db.Enqueue(bg,
		flows.Notification{Kind: flows.NotifySend, ChatID: 1, Text: "blocked user"},
		flows.Notification{Kind: flows.NotifySend, ChatID: 2, Text: "flooded"},
		flows.Notification{Kind: flows.NotifySend, ChatID: -100, ToOps: true, Text: "to a migrated group"},
		flows.Notification{Kind: flows.NotifySend, ChatID: 3, Text: "network error"},
	)
	var migrated [2]int64
	rec := &recorder{answer: func(n flows.Notification) error {
		switch n.ChatID {
		case 1:
			return &flows.DeliveryError{Permanent: true, Err: errors.New("Forbidden: bot was blocked by the user")}
		case 2:
			return &flows.DeliveryError{RetryAfter: 30 * time.Second, Err: errors.New("Too Many Requests")}
		case -100:
			return &flows.DeliveryError{MigrateTo: -1009999, Err: errors.New("group chat was upgraded")}
		case 3:
			return errors.New("connection reset")
		}
		return nil
	}}
	d := flows.NewDrainer(db, rec, flows.DrainerConfig{Now: clk.Now, BackoffBase: time.Second,
		OnMigrate: func(_ context.Context, from, to int64) error { migrated = [2]int64{from, to}; return nil }})
	d.DrainOnce(bg)
	if migrated != [2]int64{-100, -1009999} {
		t.Errorf("OnMigrate got %v", migrated)
	}
	// The migrated one is due again at once, at its new address.
	d.DrainOnce(bg)
	got := rec.got()
	if len(got) != 1 || got[0].ChatID != -1009999 {
		t.Fatalf("delivered %+v", got)
	}
	left, _ := db.DueNotifications(bg, clk.Now().Add(time.Hour), 10)
	if len(left) != 2 {
		t.Fatalf("left %+v, want the flooded and the network error", left)
	}
	for _, n := range left {
		switch n.ChatID {
		case 2:
			if n.Attempts != 1 || n.NotBefore.Sub(clk.Now()) != 30*time.Second {
				t.Errorf("flooded: %+v, want retry in retry_after", n)
			}
		case 3:
			if n.Attempts != 1 || n.NotBefore.Sub(clk.Now()) != time.Second {
				t.Errorf("network error: %+v, want backoff", n)
			}
		default:
			t.Errorf("unexpected %+v", n)
		}
	}
	// Nothing is due before its time; after it, they go out.
	rec.answer = nil
	if n, _ := d.DrainOnce(bg); n != 0 {
		t.Errorf("%d delivered before their time", n)
	}
	clk.Advance(time.Minute)
	d.DrainOnce(bg)
	if n, _ := db.OutboxLen(); n != 0 {
		t.Errorf("%d left", n)
	}
}

// TestDrainerStalledChat: a chat whose delivery hangs does not hold up
// another chat's messages.
func TestDrainerStalledChat(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db := openDB(t, filepath.Join(t.TempDir(), "db"), clk)
	release := make(chan struct{})
	rec := &recorder{answer: func(n flows.Notification) error {
		if n.ChatID == 1 {
			<-release
		}
		return nil
	}}
	for range 5 {
		db.Enqueue(bg, flows.Notification{Kind: flows.NotifySend, ChatID: 1, Text: "slow chat"})
	}
	d := flows.NewDrainer(db, rec, flows.DrainerConfig{Now: clk.Now, Idle: 10 * time.Millisecond, Concurrency: 2})
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	for i := range 5 {
		db.Enqueue(bg, flows.Notification{Kind: flows.NotifySend, ChatID: int64(10 + i), Text: "fast chat"})
		d.Wake()
	}
	waitFor(t, func() bool { return len(rec.got()) == 5 })
	for _, n := range rec.got() {
		if n.ChatID == 1 {
			t.Fatal("the stalled chat was delivered")
		}
	}
	close(release)
	waitFor(t, func() bool { return len(rec.got()) == 10 })
	cancel()
	<-done
	if n, _ := db.OutboxLen(); n != 0 {
		t.Errorf("%d left", n)
	}
}

// TestDrainerDeliversOnce: many notifications over many chats, delivered
// concurrently while more arrive: each goes out exactly once. (A read of the
// outbox taken just before an ack could show the entry again after its
// delivery ended; the drainer must not send it twice.)
func TestDrainerDeliversOnce(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db := openDB(t, filepath.Join(t.TempDir(), "db"), clk)
	rec := &recorder{}
	d := flows.NewDrainer(db, rec, flows.DrainerConfig{Now: clk.Now, Idle: time.Millisecond, Concurrency: 4})
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	const total = 300
	for i := range total {
		db.Enqueue(bg, flows.Notification{Kind: flows.NotifySend, ChatID: int64(i % 37), Text: "n"})
		d.Wake()
	}
	waitFor(t, func() bool { n, _ := db.OutboxLen(); return n == 0 && len(rec.got()) >= total })
	cancel()
	<-done
	seen := map[string]int{}
	for _, n := range rec.got() {
		seen[n.ID]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("notification %s delivered %d times", id, n)
		}
	}
	if len(seen) != total {
		t.Errorf("%d distinct deliveries, want %d", len(seen), total)
	}
}
