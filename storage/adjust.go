package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

var _ flows.AdjustNotifier = (*DB)(nil)

// AdjustNotify is Adjust with the user's notice queued in the same
// transaction (flows.AdjustNotifier): the entry and its notifications
// commit together, or, refused (*flows.BalanceTooLowError), neither is
// written. notes gets the stored entry; nil queues nothing.
func (db *DB) AdjustNotify(ctx context.Context, userID, amount, by int64, note string,
	notes func(e flows.LedgerEntry) []flows.Notification) (flows.LedgerEntry, error) {
	if err := ctx.Err(); err != nil {
		return flows.LedgerEntry{}, err
	}
	e := flows.LedgerEntry{UserID: userID, Kind: flows.EntryAdjustment, Balance: amount, By: by, Note: note}
	var stored flows.LedgerEntry
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		stored = flows.LedgerEntry{}
		now := db.now()
		s, _, err := applyEntry(tx, now, e)
		if err != nil {
			return err
		}
		stored = s
		if notes == nil {
			return nil
		}
		return enqueue(tx, now, notes(s))
	})
	if err != nil {
		return flows.LedgerEntry{}, fmt.Errorf("storage: adjust %d by %d: %w", userID, amount, err)
	}
	return stored, nil
}
