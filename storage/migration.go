package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// migrationBatch is how many records one transaction of an upgrade indexes:
// a history of a million orders is not indexed in one transaction (its dirty
// pages would all sit in memory until the commit).
const migrationBatch = 10_000

// upgrade2 is the upgrade to schema 2: it builds the creation-time index of
// the orders and the chat index of the outbox entries already stored, then
// records schema 2. Each index is rebuilt from scratch, so running it again
// — after a crash half way, or after an older binary wrote records without
// index entries — leaves the same indexes.
func (db *DB) upgrade2(from int) error {
	start := time.Now()
	db.log.Info("schema upgrade: indexing orders by creation time and the outbox by chat", "from_schema", from, "to_schema", 2)
	orders, unreadable, err := db.rebuildIndex(bucketOrders, bucketCreated, func(k, v []byte) ([]byte, error) {
		var h orderHead
		if err := json.Unmarshal(v, &h); err != nil {
			return nil, err
		}
		return createdKey(&flows.Order{RefID: string(k), CreatedAt: h.CreatedAt}), nil
	})
	if err != nil {
		return err
	}
	notes, badNotes, err := db.rebuildIndex(bucketOutbox, bucketChatOutbox, func(k, v []byte) ([]byte, error) {
		var n noteChat
		if err := json.Unmarshal(v, &n); err != nil {
			return nil, err
		}
		return chatOutboxKey(n.ChatID, string(k)), nil
	})
	if err != nil {
		return err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put([]byte("schema"), []byte("2"))
	})
	if err != nil {
		return fmt.Errorf("recording schema 2: %w", err)
	}
	db.log.Info("schema upgrade done", "from_schema", from, "to_schema", 2, "orders_indexed", orders,
		"outbox_indexed", notes, "unreadable", unreadable+badNotes, "duration_ms", time.Since(start).Milliseconds())
	return nil
}

// rebuildIndex empties index and fills it with keyOf(k, v) → k for every
// record of source, migrationBatch records a transaction. A record keyOf
// cannot read is logged and left out: nothing could show it anyway, and
// refusing to start over it would stop the bot.
func (db *DB) rebuildIndex(source, index []byte, keyOf func(k, v []byte) ([]byte, error)) (indexed, unreadable int, err error) {
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(index); err != nil {
			return err
		}
		_, err := tx.CreateBucket(index)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("emptying %s: %w", index, err)
	}
	var last []byte // the last key done; bbolt's copy is gone with its transaction
	for done := false; !done; {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			idx := tx.Bucket(index)
			c := tx.Bucket(source).Cursor()
			k, v := c.First()
			if last != nil {
				if k, v = c.Seek(last); k != nil && bytes.Equal(k, last) {
					k, v = c.Next()
				}
			}
			for i := 0; i < migrationBatch; i++ {
				if k == nil {
					done = true
					return nil
				}
				if ik, err := keyOf(k, v); err != nil {
					db.log.Warn("schema upgrade: record not indexed, unreadable", "bucket", string(source), "key", string(k), "err", err)
					unreadable++
				} else {
					if err := idx.Put(ik, append([]byte(nil), k...)); err != nil {
						return err
					}
					indexed++
				}
				last = append(last[:0], k...)
				k, v = c.Next()
			}
			return nil
		})
		if err != nil {
			return 0, 0, fmt.Errorf("indexing %s after %q: %w", source, last, err)
		}
	}
	return indexed, unreadable, nil
}
