package flows_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
)

// stuckGroup queues 5,000 ops lines for a group the bot may no longer post
// in, then one buyer's SN.
func stuckGroup(t *testing.T) (*testclock.Clock, flows.OutboxStore, func() (int, error)) {
	t.Helper()
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db := openDB(t, filepath.Join(t.TempDir(), "db"), clk)
	var lines []flows.Notification
	for i := range 5000 {
		lines = append(lines, flows.Notification{Kind: flows.NotifySend, ChatID: opsChat, ToOps: true,
			Text: fmt.Sprintf("✅ <code>R%04d</code> Telkomsel 10.000 · 0812****1039", i)})
	}
	if err := db.Enqueue(bg, lines...); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(bg, flows.Notification{Kind: flows.NotifySend, ChatID: buyer, Text: "SN 1234567890"}); err != nil {
		t.Fatal(err)
	}
	return clk, db, db.OutboxLen
}

// noRights is Telegram's answer to a group that took the bot's right to
// post: a 400 the bot does not take as permanent, so the outbox retries.
var noRights = errors.New("Bad Request: not enough rights to send text messages to the chat")

// TestDrainerStuckGroupDoesNotStarveBuyers (issue 9, item 7): a group that
// keeps refusing piles up 5,000 lines ahead of a buyer's SN; the buyer's SN
// is delivered in the first drain round, and the group's lines stay queued
// for their retry (nothing is lost, nothing dropped).
func TestDrainerStuckGroupDoesNotStarveBuyers(t *testing.T) {
	t.Run("DrainOnce", func(t *testing.T) {
		clk, db, outboxLen := stuckGroup(t)
		rec := &recorder{answer: func(n flows.Notification) error {
			if n.ChatID == opsChat {
				return noRights
			}
			return nil
		}}
		d := flows.NewDrainer(db, rec, flows.DrainerConfig{Now: clk.Now})
		if _, err := d.DrainOnce(bg); err != nil {
			t.Fatal(err)
		}
		got := rec.got()
		if len(got) != 1 || got[0].ChatID != buyer || got[0].Text != "SN 1234567890" {
			t.Fatalf("first round delivered %+v, want the buyer's SN", got)
		}
		if n, _ := outboxLen(); n != 5000 {
			t.Errorf("outbox %d, want the group's 5,000 lines waiting", n)
		}
	})

	// Run: the buyer's SN goes out while the group's first delivery is
	// still in flight — the round that read the group's backlog read the
	// SN too.
	t.Run("Run", func(t *testing.T) {
		clk, db, outboxLen := stuckGroup(t)
		delivered := make(chan struct{})
		var once sync.Once
		rec := &recorder{answer: func(n flows.Notification) error {
			if n.ChatID != opsChat {
				once.Do(func() { close(delivered) })
				return nil
			}
			select {
			case <-delivered:
			case <-time.After(10 * time.Second): // a deadline, so a failure does not hang
			}
			return noRights
		}}
		d := flows.NewDrainer(db, rec, flows.DrainerConfig{Now: clk.Now})
		ctx, cancel := context.WithCancel(bg)
		done := make(chan struct{})
		go func() { defer close(done); d.Run(ctx) }()
		select {
		case <-delivered:
		case <-time.After(10 * time.Second):
			t.Error("the buyer's SN was not delivered while the group's first delivery was in flight")
		}
		cancel()
		<-done
		if n, _ := outboxLen(); n != 5000 {
			t.Errorf("outbox %d, want the group's 5,000 lines waiting", n)
		}
	})
}
