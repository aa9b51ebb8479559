package storage

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// bucketOverrides holds the admins' product overrides (/rename, /hide):
// product code → flows.ProductOverride JSON. Part of the database format:
// never rename it.
var bucketOverrides = []byte("product_overrides")

var _ flows.OverrideStore = (*DB)(nil)

// ProductOverrides returns every product override the admins set, by
// product code.
func (db *DB) ProductOverrides(ctx context.Context) (map[string]flows.ProductOverride, error) {
	out := map[string]flows.ProductOverride{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOverrides).ForEach(func(k, v []byte) error {
			var o flows.ProductOverride
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			out[string(k)] = o
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: product overrides: %w", err)
	}
	return out, nil
}

// SetProductOverride keeps o for code, replacing what was set; the zero
// override deletes it.
func (db *DB) SetProductOverride(ctx context.Context, code string, o flows.ProductOverride) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if code == "" {
		return fmt.Errorf("storage: product override: empty code")
	}
	v, err := json.Marshal(o)
	if err != nil {
		return err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOverrides)
		if o.IsZero() {
			return b.Delete([]byte(code))
		}
		return b.Put([]byte(code), v)
	})
	if err != nil {
		return fmt.Errorf("storage: product override %s: %w", code, err)
	}
	return nil
}
