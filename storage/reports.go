package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// createdRange returns the creation-time index keys a report walks between
// for orders created in [from, to): every key of an order created at or
// after from sorts at or after lo, and every key of one created before to
// sorts before hi (a key is the creation time's 8 bytes, then the ref).
func createdRange(from, to time.Time) (lo, hi []byte) {
	return i64(nanos(from)), i64(nanos(to))
}

// orderHead is the part of an order a report filters on, decoded before
// the whole order is.
type orderHead struct {
	Status    flows.Status `json:"status"`
	CreatedAt time.Time    `json:"created_at"`
}

// OrdersCreated returns the orders created in [from, to) with the given
// status (any status when it is empty), newest first, at most limit of
// them, and how many match in all. It walks the creation-time index over
// the range only, so its cost grows with the orders of the range, not with
// the history. An order belongs to the moment it was first written
// (CreatedAt, which never changes): a bill to the moment its payment was
// confirmed, whenever its inquiry was made and its ref minted.
func (db *DB) OrdersCreated(ctx context.Context, from, to time.Time, status flows.Status, limit int) ([]flows.Order, int, error) {
	var (
		out   []flows.Order
		total int
	)
	lo, hi := createdRange(from, to)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		out, total = nil, 0
		orders := tx.Bucket(bucketOrders)
		c := tx.Bucket(bucketCreated).Cursor()
		k, ref := c.Seek(hi)
		if k == nil {
			k, ref = c.Last()
		} else {
			k, ref = c.Prev()
		}
		for ; k != nil && bytes.Compare(k, lo) >= 0; k, ref = c.Prev() {
			if err := ctx.Err(); err != nil {
				return err
			}
			v := orders.Get(ref)
			if v == nil {
				return fmt.Errorf("indexed order %s: %w", ref, flows.ErrNotFound)
			}
			if status != "" {
				var h orderHead
				if err := json.Unmarshal(v, &h); err != nil {
					return fmt.Errorf("decoding order %s: %w", ref, err)
				}
				if h.Status != status {
					continue
				}
			}
			total++
			if len(out) >= limit {
				continue
			}
			var o flows.Order
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("decoding order %s: %w", ref, err)
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("storage: orders created %s – %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return out, total, nil
}

// EachOrderCreated calls fn with every order created in [from, to), oldest
// first, until fn returns an error, which it returns. fn runs inside a read
// transaction: it must not use the database. Like OrdersCreated it walks
// the creation-time index over the range only.
func (db *DB) EachOrderCreated(ctx context.Context, from, to time.Time, fn func(o *flows.Order) error) error {
	lo, hi := createdRange(from, to)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketCreated).Cursor()
		for k, ref := c.Seek(lo); k != nil && bytes.Compare(k, hi) < 0; k, ref = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var o flows.Order
			if err := getOrder(tx, ref, &o); err != nil {
				return fmt.Errorf("indexed %w", err)
			}
			if err := fn(&o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: each order created %s – %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return nil
}

// UpdateSettings reads the settings named by keys into a map (unset keys
// are absent), lets fn change it and writes those keys back, all in one
// transaction, so two admins changing the access lists at once do not undo
// each other. An empty or deleted value deletes the key. If fn fails,
// nothing is written.
func (db *DB) UpdateSettings(ctx context.Context, keys []string, fn func(values map[string]string) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSettings)
		values := make(map[string]string, len(keys))
		for _, k := range keys {
			if v := b.Get([]byte(k)); v != nil {
				values[k] = string(v)
			}
		}
		if err := fn(values); err != nil {
			return err
		}
		for _, k := range keys {
			if v := values[k]; v != "" {
				if err := b.Put([]byte(k), []byte(v)); err != nil {
					return err
				}
			} else if err := b.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: update settings %v: %w", keys, err)
	}
	return nil
}
