package storage

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// AdoptAccountHost gives the pending orders written before accounts recorded
// their host — same provider, id and key hash as acct, and no host — the
// host of acct, the account configured now, all in one transaction, and
// returns how many it changed. Without it such an order would never match
// the configured account again, and would only alert (DESIGN rule 4).
//
// It is a migration that identifies its own work: it touches only orders
// with an empty host, so running it at every start changes nothing after
// the first, and it changes nothing for an acct without a host (IAK).
// Settled orders are left as they are: nothing checks them again.
func (db *DB) AdoptAccountHost(ctx context.Context, acct flows.Account) (int, error) {
	if acct.Host == "" {
		return 0, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		n = 0
		// The walk is over the pending index; the writes go to the orders
		// bucket, so nothing changes under the cursor.
		return tx.Bucket(bucketPending).ForEach(func(ref, _ []byte) error {
			var o flows.Order
			if err := getOrder(tx, ref, &o); err != nil {
				return err
			}
			a := o.Account
			if a.Host != "" || a.Provider != acct.Provider || a.ID != acct.ID || a.KeyHash != acct.KeyHash {
				return nil
			}
			o.Account.Host = acct.Host
			n++
			return putOrder(tx, &o)
		})
	})
	if err != nil {
		return 0, fmt.Errorf("storage: adopt account host %s: %w", acct, err)
	}
	return n, nil
}
