package storage

import (
	"context"
	"encoding/json"
	"fmt"
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

// enqueue writes notes under fresh ids. The id orders the outbox by arrival;
// it is internal, so the bucket sequence is fine for it.
func enqueue(tx *bolt.Tx, now time.Time, notes []flows.Notification) error {
	outbox := tx.Bucket(bucketOutbox)
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
	}
	return nil
}

// DueNotifications returns up to limit notifications whose time has come,
// oldest first.
func (db *DB) DueNotifications(ctx context.Context, now time.Time, limit int) ([]flows.Notification, error) {
	var out []flows.Notification
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.First(); k != nil && len(out) < limit; k, v = c.Next() {
			var n flows.Notification
			if err := json.Unmarshal(v, &n); err != nil {
				return fmt.Errorf("decoding notification %s: %w", k, err)
			}
			if n.NotBefore.After(now) {
				continue
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: due notifications: %w", err)
	}
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

// AckNotification removes a delivered (or given up) notification.
func (db *DB) AckNotification(ctx context.Context, id string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketOutbox).Delete([]byte(id)) })
	if err != nil {
		return fmt.Errorf("storage: ack notification %s: %w", id, err)
	}
	return nil
}

// RescheduleNotification stores n's new attempt count, time and target.
// A notification acknowledged meanwhile stays gone.
func (db *DB) RescheduleNotification(ctx context.Context, n flows.Notification) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		outbox := tx.Bucket(bucketOutbox)
		if outbox.Get([]byte(n.ID)) == nil {
			return nil
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
