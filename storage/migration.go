package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// migrationBatch is how many orders one transaction of a migration indexes:
// a history of a million orders is not rewritten in one transaction (its
// dirty pages would all sit in memory until the commit).
const migrationBatch = 10_000

// prepare creates every bucket, refuses a file from a newer schema and
// upgrades one from an older schema, so that the bot's first start on a new
// binary already sees every index complete.
func (db *DB) prepare() error {
	var version int
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("creating bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		v := meta.Get([]byte("schema"))
		if v == nil {
			if k, _ := tx.Bucket(bucketOrders).Cursor().First(); k == nil {
				// A new file: nothing to upgrade.
				version = SchemaVersion
				return meta.Put([]byte("schema"), []byte(strconv.Itoa(SchemaVersion)))
			}
			// Orders but no version: the first layout.
			v = []byte("1")
		}
		var err error
		version, err = schemaOf(v)
		return err
	})
	if err != nil {
		return err
	}
	if version < 2 {
		if err := db.indexCreated(version); err != nil {
			return fmt.Errorf("upgrading schema %d to 2: %w", version, err)
		}
	}
	return nil
}

// indexCreated is the upgrade to schema 2: it builds the creation-time
// index of the orders already stored, then records schema 2. It rebuilds
// the index from scratch, so running it again — after a crash half way, or
// after an older binary wrote orders without index entries — leaves the
// same index.
func (db *DB) indexCreated(from int) error {
	start := time.Now()
	db.log.Info("schema upgrade: indexing orders by creation time", "from_schema", from, "to_schema", 2)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketCreated); err != nil {
			return err
		}
		_, err := tx.CreateBucket(bucketCreated)
		return err
	})
	if err != nil {
		return fmt.Errorf("emptying %s: %w", bucketCreated, err)
	}
	n, skipped := 0, 0
	var last []byte // the last ref indexed; bbolt's copy is gone with its transaction
	for done := false; !done; {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			created := tx.Bucket(bucketCreated)
			c := tx.Bucket(bucketOrders).Cursor()
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
				var h orderHead
				if err := json.Unmarshal(v, &h); err != nil {
					// Reports cannot show a record nobody can read either;
					// refusing to start over it would stop the bot.
					db.log.Warn("schema upgrade: order not indexed, unreadable", "ref_id", string(k), "err", err)
					skipped++
				} else {
					o := flows.Order{RefID: string(k), CreatedAt: h.CreatedAt}
					if err := created.Put(createdKey(&o), []byte(o.RefID)); err != nil {
						return err
					}
					n++
				}
				last = append(last[:0], k...)
				k, v = c.Next()
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("indexing orders after %q: %w", last, err)
		}
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put([]byte("schema"), []byte("2"))
	})
	if err != nil {
		return fmt.Errorf("recording schema 2: %w", err)
	}
	db.log.Info("schema upgrade done", "from_schema", from, "to_schema", 2, "orders_indexed", n, "orders_unreadable", skipped,
		"duration_ms", time.Since(start).Milliseconds())
	return nil
}
