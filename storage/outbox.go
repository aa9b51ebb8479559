package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// Enqueue adds notifications to the outbox on their own, outside any order
// update (alerts, replies that must survive a restart).
func (db *DB) Enqueue(ctx context.Context, notes ...flows.Notification) error {
	if len(notes) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error { return enqueue(tx, db.now(), notes) })
	if err != nil {
		return fmt.Errorf("storage: enqueue: %w", err)
	}
	return nil
}

// enqueue writes notes under fresh ids, each with its entry in the chat
// index. The id orders the outbox by arrival; it is internal, so the bucket
// sequence is fine for it.
func enqueue(tx *bolt.Tx, now time.Time, notes []flows.Notification) error {
	outbox, chats := tx.Bucket(bucketOutbox), tx.Bucket(bucketChatOutbox)
	for _, n := range notes {
		seq, err := outbox.NextSequence()
		if err != nil {
			return err
		}
		n.ID = fmt.Sprintf("%016x", seq)
		if n.CreatedAt.IsZero() {
			n.CreatedAt = now
		}
		v, err := json.Marshal(n)
		if err != nil {
			return fmt.Errorf("encoding notification: %w", err)
		}
		if err := outbox.Put([]byte(n.ID), v); err != nil {
			return err
		}
		if err := chats.Put(chatOutboxKey(n.ChatID, n.ID), []byte(n.ID)); err != nil {
			return err
		}
	}
	return nil
}

func chatOutboxKey(chatID int64, id string) []byte { return append(i64(chatID), id...) }

// noteChat is the part of a notification the chat index needs.
type noteChat struct {
	ChatID int64 `json:"chat_id"`
}

// DueNotifications returns up to limit notifications whose time has come,
// oldest first, fairly per chat: every chat with something due gets its
// oldest due entry in before any chat gets a second, so one chat's backlog —
// an ops group that keeps refusing, thousands of lines deep — never keeps
// another chat's message out of the read. The rest of limit goes to further
// due entries, chat by chat, in each chat's outbox order. Only when more
// than limit chats have something due at once does a chat wait a read.
func (db *DB) DueNotifications(ctx context.Context, now time.Time, limit int) ([]flows.Notification, error) {
	var out []flows.Notification
	err := db.bolt.View(func(tx *bolt.Tx) error {
		out = nil
		outbox := tx.Bucket(bucketOutbox)
		c := tx.Bucket(bucketChatOutbox).Cursor()
		// due reads the entry an index key points at; ok is false for one
		// not due yet. An index entry without its entry (which writing
		// both in one transaction rules out) is skipped rather than
		// stopping every chat's deliveries.
		due := func(id []byte) (flows.Notification, bool, error) {
			var n flows.Notification
			v := outbox.Get(id)
			if v == nil {
				return n, false, nil
			}
			if err := json.Unmarshal(v, &n); err != nil {
				return n, false, fmt.Errorf("decoding notification %s: %w", id, err)
			}
			return n, !n.NotBefore.After(now), nil
		}
		// First each chat's oldest due entry, remembering where it was.
		var firsts [][]byte
		for k, id := c.First(); k != nil && len(out) < limit; {
			if err := ctx.Err(); err != nil {
				return err
			}
			chat := fromI64(k[:8])
			n, ok, err := due(id)
			if err != nil {
				return err
			}
			if !ok {
				k, id = c.Next()
				continue
			}
			out = append(out, n)
			firsts = append(firsts, append([]byte(nil), k...))
			if chat == math.MaxInt64 {
				break
			}
			k, id = c.Seek(i64(chat + 1)) // on to the next chat
		}
		// Then what room is left, chat by chat.
		for _, first := range firsts {
			prefix := first[:8]
			c.Seek(first)
			for k, id := c.Next(); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, id = c.Next() {
				n, ok, err := due(id)
				if err != nil {
					return err
				}
				if ok {
					out = append(out, n)
				}
			}
			if len(out) >= limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: due notifications: %w", err)
	}
	slices.SortFunc(out, func(a, b flows.Notification) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// OutboxLen returns how many notifications wait in the outbox.
func (db *DB) OutboxLen() (int, error) {
	n := 0
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketOutbox).Stats().KeyN
		return nil
	})
	return n, err
}

// OutboxOldest returns when the oldest notification waiting in the outbox
// was queued; ok is false when the outbox is empty. Ids follow arrival, so
// it is the first key.
func (db *DB) OutboxOldest() (at time.Time, ok bool, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		_, v := tx.Bucket(bucketOutbox).Cursor().First()
		if v == nil {
			return nil
		}
		var n struct {
			CreatedAt time.Time `json:"created_at"`
		}
		if err := json.Unmarshal(v, &n); err != nil {
			return fmt.Errorf("decoding notification: %w", err)
		}
		at, ok = n.CreatedAt, true
		return nil
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("storage: oldest notification: %w", err)
	}
	return at, ok, nil
}

// AckNotification removes a delivered (or given up) notification and its
// chat index entry.
func (db *DB) AckNotification(ctx context.Context, id string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		outbox := tx.Bucket(bucketOutbox)
		v := outbox.Get([]byte(id))
		if v == nil {
			return nil
		}
		var old noteChat
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("decoding notification: %w", err)
		}
		if err := tx.Bucket(bucketChatOutbox).Delete(chatOutboxKey(old.ChatID, id)); err != nil {
			return err
		}
		return outbox.Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("storage: ack notification %s: %w", id, err)
	}
	return nil
}

// RescheduleNotification stores n's new attempt count, time and target.
// A notification acknowledged meanwhile stays gone.
func (db *DB) RescheduleNotification(ctx context.Context, n flows.Notification) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		outbox, chats := tx.Bucket(bucketOutbox), tx.Bucket(bucketChatOutbox)
		v := outbox.Get([]byte(n.ID))
		if v == nil {
			return nil
		}
		var old noteChat
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("decoding notification: %w", err)
		}
		if old.ChatID != n.ChatID { // re-addressed to the supergroup a group became
			if err := chats.Delete(chatOutboxKey(old.ChatID, n.ID)); err != nil {
				return err
			}
			if err := chats.Put(chatOutboxKey(n.ChatID, n.ID), []byte(n.ID)); err != nil {
				return err
			}
		}
		v, err := json.Marshal(n)
		if err != nil {
			return err
		}
		return outbox.Put([]byte(n.ID), v)
	})
	if err != nil {
		return fmt.Errorf("storage: reschedule notification %s: %w", n.ID, err)
	}
	return nil
}
