package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// RequestAccess records a stranger's request in the settings and queues
// the admins' line with it, in one transaction, the first time only: a
// stranger who writes ten times, or again after a restart, is one line.
func (db *DB) RequestAccess(ctx context.Context, user int64, notes []flows.Notification) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	key := []byte(flows.AccessRequestKey(user))
	first := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSettings)
		if b.Get(key) != nil {
			return nil
		}
		first = true
		if err := b.Put(key, []byte(flows.RequestAsked)); err != nil {
			return err
		}
		return enqueue(tx, db.now(), notes)
	})
	if err != nil {
		return false, fmt.Errorf("storage: access request of %d: %w", user, err)
	}
	return first, nil
}
