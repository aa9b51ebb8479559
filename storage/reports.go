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

var _ flows.AdminStore = (*DB)(nil)

// refTimeLayout is the time prefix of every ref flows.NewRefID makes:
// YYMMDDhhmmss in Asia/Jakarta. The orders bucket is keyed by ref_id, so it
// is already in creation order and a time range is a key range.
const refTimeLayout = "060102150405"

// refRange returns the keys to seek between for orders created in
// [from, to): lo is the prefix of from's second, hi sorts after every ref
// of the last second before to (refs are [A-Z0-9], '~' is above them).
// Orders are filtered by created_at as well, so the ends are exact.
func refRange(from, to time.Time) (lo, hi []byte) {
	last := to.Add(-time.Nanosecond)
	return []byte(from.In(flows.WIB).Format(refTimeLayout)), []byte(last.In(flows.WIB).Format(refTimeLayout) + "~")
}

// orderHead is the part of an order a report filters on, decoded before
// the whole order is.
type orderHead struct {
	Status    flows.Status `json:"status"`
	CreatedAt time.Time    `json:"created_at"`
}

func (h *orderHead) in(from, to time.Time) bool {
	return !h.CreatedAt.Before(from) && h.CreatedAt.Before(to)
}

// OrdersCreated returns the orders created in [from, to) with the given
// status (any status when it is empty), newest first, at most limit of
// them, and how many match in all. It seeks to the range through the
// refs' time prefix instead of reading the whole history; an order whose
// ref does not start with its creation time (none made by flows.NewRefID)
// is not found.
func (db *DB) OrdersCreated(ctx context.Context, from, to time.Time, status flows.Status, limit int) ([]flows.Order, int, error) {
	var (
		out   []flows.Order
		total int
	)
	lo, hi := refRange(from, to)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		out, total = nil, 0
		c := tx.Bucket(bucketOrders).Cursor()
		k, v := c.Seek(hi)
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.Compare(k, lo) >= 0; k, v = c.Prev() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var h orderHead
			if err := json.Unmarshal(v, &h); err != nil {
				return fmt.Errorf("decoding order %s: %w", k, err)
			}
			if !h.in(from, to) || (status != "" && h.Status != status) {
				continue
			}
			total++
			if len(out) >= limit {
				continue
			}
			var o flows.Order
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("decoding order %s: %w", k, err)
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
// ref first, until fn returns an error, which it returns. fn runs inside a
// read transaction: it must not use the database.
func (db *DB) EachOrderCreated(ctx context.Context, from, to time.Time, fn func(o *flows.Order) error) error {
	lo, hi := refRange(from, to)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOrders).Cursor()
		for k, v := c.Seek(lo); k != nil && bytes.Compare(k, hi) < 0; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var h orderHead
			if err := json.Unmarshal(v, &h); err != nil {
				return fmt.Errorf("decoding order %s: %w", k, err)
			}
			if !h.in(from, to) {
				continue
			}
			var o flows.Order
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("decoding order %s: %w", k, err)
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
