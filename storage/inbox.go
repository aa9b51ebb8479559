package storage

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The inbox holds Telegram updates from when they are received until they
// are applied. Telegram forgets an update once the next getUpdates asks for
// a higher offset, which the bot does without waiting for its workers; the
// inbox is what makes a crash in between lose nothing. Values are the raw
// updates as Telegram sent them: storage does not read them.

// SaveUpdates stores received updates, in one transaction, before the bot
// confirms them to Telegram.
func (db *DB) SaveUpdates(ctx context.Context, updates map[int][]byte) error {
	if len(updates) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInbox)
		for id, raw := range updates {
			if len(raw) == 0 {
				return fmt.Errorf("update %d is empty", id)
			}
			if err := b.Put(i64(int64(id)), raw); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: save updates: %w", err)
	}
	return nil
}

// PendingUpdates returns the updates saved and not yet dropped.
func (db *DB) PendingUpdates(ctx context.Context) (map[int][]byte, error) {
	out := map[int][]byte{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketInbox).ForEach(func(k, v []byte) error {
			// Copied: v belongs to bbolt and dies with the transaction.
			out[int(fromI64(k))] = append([]byte(nil), v...)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: pending updates: %w", err)
	}
	return out, nil
}

// DropUpdatesBelow forgets the updates with an id below below: every one of
// them has been applied.
func (db *DB) DropUpdatesBelow(ctx context.Context, below int) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInbox)
		limit := i64(int64(below))
		// Keys first, deletes after: restarting the cursor after each
		// delete re-walks the emptied leaves, quadratic in the backlog.
		var keys [][]byte
		c := b.Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k, limit) < 0; k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: drop updates below %d: %w", below, err)
	}
	return nil
}
