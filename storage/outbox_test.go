package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// checkChatOutbox fails unless every outbox entry has exactly its chat
// index entry, at the chat it is addressed to, and the index nothing else.
func checkChatOutbox(t *testing.T, db *DB) {
	t.Helper()
	err := db.bolt.View(func(tx *bolt.Tx) error {
		outbox, chats := tx.Bucket(bucketOutbox), tx.Bucket(bucketChatOutbox)
		if err := outbox.ForEach(func(id, v []byte) error {
			var n flows.Notification
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			if got := chats.Get(chatOutboxKey(n.ChatID, string(id))); !bytes.Equal(got, id) {
				t.Errorf("notification %s to chat %d is not in the chat index", id, n.ChatID)
			}
			return nil
		}); err != nil {
			return err
		}
		if a, b := outbox.Stats().KeyN, chats.Stats().KeyN; a != b {
			t.Errorf("%d notifications, %d chat index entries", a, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDueNotificationsFairPerChat (issue 9, item 7): 5,000 lines for an ops
// group that keeps refusing come first in the outbox; a buyer's SN queued
// after them is in the very first read, and so is every other chat's
// oldest due entry, before the group's backlog fills the rest.
func TestDueNotificationsFairPerChat(t *testing.T) {
	db, _, clk := openTest(t)
	const ops = int64(-1001234)
	var lines []flows.Notification
	for i := range 5000 {
		lines = append(lines, flows.Notification{Kind: flows.NotifySend, ChatID: ops, ToOps: true,
			Text: fmt.Sprintf("✅ R%04d Telkomsel 10.000 0812****1039", i)})
	}
	if err := db.Enqueue(ctx, lines...); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(ctx,
		flows.Notification{Kind: flows.NotifySend, ChatID: 4242, Text: "SN 1234567890"},
		flows.Notification{Kind: flows.NotifySend, ChatID: 4243, Text: "later", NotBefore: clk.Now().Add(time.Hour)},
		flows.Notification{Kind: flows.NotifySend, ChatID: 4243, Text: "due"},
	); err != nil {
		t.Fatal(err)
	}
	due, err := db.DueNotifications(ctx, clk.Now(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1000 {
		t.Fatalf("%d due, want the limit", len(due))
	}
	per := map[int64][]string{}
	for _, n := range due {
		per[n.ChatID] = append(per[n.ChatID], n.Text)
	}
	if !slices.Equal(per[4242], []string{"SN 1234567890"}) || !slices.Equal(per[4243], []string{"due"}) {
		t.Errorf("the buyers' entries in the first read: %v, %v", per[4242], per[4243])
	}
	if len(per[ops]) != 998 || per[ops][0] != lines[0].Text || per[ops][997] != fmt.Sprintf("✅ R%04d Telkomsel 10.000 0812****1039", 997) {
		t.Errorf("the group's share: %d lines from %q", len(per[ops]), per[ops][0])
	}
	if !slices.IsSortedFunc(due, func(a, b flows.Notification) int { return bytes.Compare([]byte(a.ID), []byte(b.ID)) }) {
		t.Error("due entries are not oldest first")
	}

	// The group's refused lines wait for their retry; the read skips them.
	for _, n := range due[:500] {
		if n.ChatID == ops {
			n.Attempts, n.NotBefore = 1, clk.Now().Add(time.Minute)
			if err := db.RescheduleNotification(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
	}
	due, _ = db.DueNotifications(ctx, clk.Now(), 3)
	if len(due) != 3 || due[0].ChatID != ops || due[0].Text != lines[500].Text || due[1].ChatID != 4242 || due[2].Text != "due" {
		t.Errorf("after the retries were scheduled: %+v", due)
	}
	// A read smaller than the number of chats still gets one a chat.
	due, _ = db.DueNotifications(ctx, clk.Now(), 2)
	if len(due) != 2 || due[0].ChatID != ops || due[1].ChatID != 4242 {
		t.Errorf("limit 2: %+v", due)
	}
	checkChatOutbox(t, db)
}

// TestChatOutboxIndex: the chat index follows every outbox write — enqueue,
// acknowledgement, a retry, a retry re-addressed to the supergroup a group
// became — in the same transaction.
func TestChatOutboxIndex(t *testing.T) {
	db, _, clk := openTest(t)
	if err := db.Enqueue(ctx,
		flows.Notification{Kind: flows.NotifySend, ChatID: -100, ToOps: true, Text: "a"},
		flows.Notification{Kind: flows.NotifySend, ChatID: -100, ToOps: true, Text: "b"},
		flows.Notification{Kind: flows.NotifySend, ChatID: 7, Text: "c"},
	); err != nil {
		t.Fatal(err)
	}
	checkChatOutbox(t, db)
	due, _ := db.DueNotifications(ctx, clk.Now(), 10)
	if len(due) != 3 {
		t.Fatalf("due %+v", due)
	}
	if err := db.AckNotification(ctx, due[2].ID); err != nil {
		t.Fatal(err)
	}
	checkChatOutbox(t, db)
	moved := due[0]
	moved.ChatID = -1009999
	if err := db.RescheduleNotification(ctx, moved); err != nil {
		t.Fatal(err)
	}
	retry := due[1]
	retry.Attempts, retry.NotBefore = 1, clk.Now().Add(time.Minute)
	if err := db.RescheduleNotification(ctx, retry); err != nil {
		t.Fatal(err)
	}
	checkChatOutbox(t, db)
	due, _ = db.DueNotifications(ctx, clk.Now(), 10)
	if len(due) != 1 || due[0].ChatID != -1009999 || due[0].Text != "a" {
		t.Errorf("after re-addressing: %+v", due)
	}
	// Acknowledged twice, or rescheduled after its ack: nothing comes back.
	for range 2 {
		if err := db.AckNotification(ctx, moved.ID); err != nil {
			t.Fatal(err)
		}
	}
	db.RescheduleNotification(ctx, moved)
	checkChatOutbox(t, db)
	if n, _ := db.OutboxLen(); n != 1 {
		t.Errorf("outbox %d, want the retry only", n)
	}
}
