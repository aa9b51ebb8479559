package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// The customer ledger (DESIGN rules 13–14): a wallet record per user and an
// append-only list of entries, keyed so that one user's entries read in the
// order they were written. applyEntry is the one writer; the order
// transactions that hold, purchase and refund will call it inside their own
// transaction, so the order and its ledger move commit together.

// walletKey is a wallet's and a user's entries' prefix: the user id, sign
// flipped big-endian as everywhere here.
func walletKey(userID int64) []byte { return i64(userID) }

// entryKey is user id | entry id: the id comes from the ledger bucket's
// sequence, so it increases across users and a user's keys sort in the
// order of their entries.
func entryKey(userID int64, id uint64) []byte {
	return binary.BigEndian.AppendUint64(walletKey(userID), id)
}

// errLedgerMissing is a read-only open of a file from before the ledger:
// there are no wallets in it, which is what the readers report.
var errLedgerMissing = errors.New("no ledger buckets")

func getWallet(tx *bolt.Tx, userID int64) (flows.Wallet, error) {
	w := flows.Wallet{UserID: userID}
	b := tx.Bucket(bucketWallets)
	if b == nil {
		return w, errLedgerMissing
	}
	v := b.Get(walletKey(userID))
	if v == nil {
		return w, nil
	}
	// Decoded inside the transaction: v belongs to bbolt.
	if err := json.Unmarshal(v, &w); err != nil {
		return w, fmt.Errorf("decoding wallet %d: %w", userID, err)
	}
	return w, nil
}

// applyEntry applies e to its user's wallet in tx and appends it to the
// ledger, returning the entry as stored (id, time if zero, afters). It
// refuses an entry without its kind's shape, one that would take the
// balance below zero (*flows.BalanceTooLowError) or held below zero
// (*flows.HeldTooLowError), writing nothing; the caller's transaction
// decides whether its other writes still commit. It reads only tx, so a
// Batch function calling it may run again.
//
// A deposit whose id was credited before writes nothing and returns the
// first entry with applied false (DESIGN rule 15).
func applyEntry(tx *bolt.Tx, now time.Time, e flows.LedgerEntry) (stored flows.LedgerEntry, applied bool, err error) {
	if err := e.CheckShape(); err != nil {
		return flows.LedgerEntry{}, false, err
	}
	ledger, credited := tx.Bucket(bucketLedger), tx.Bucket(bucketCredited)
	if e.Kind == flows.EntryDeposit {
		if k := credited.Get([]byte(e.DepositID)); k != nil {
			var first flows.LedgerEntry
			if err := getEntry(ledger, k, &first); err != nil {
				return flows.LedgerEntry{}, false, fmt.Errorf("deposit %s credited before: %w", e.DepositID, err)
			}
			return first, false, nil
		}
	}
	w, err := getWallet(tx, e.UserID)
	if err != nil {
		return flows.LedgerEntry{}, false, err
	}
	if w.Balance+e.Balance < 0 {
		return flows.LedgerEntry{}, false, &flows.BalanceTooLowError{UserID: e.UserID, Balance: w.Balance, Needed: -e.Balance}
	}
	if w.Held+e.Held < 0 {
		return flows.LedgerEntry{}, false, &flows.HeldTooLowError{UserID: e.UserID, Held: w.Held, Needed: -e.Held}
	}
	// Only credits grow the total; refuse one the int64 cannot hold
	// rather than wrap to a negative saldo.
	if e.Balance > 0 && w.Balance+w.Held > math.MaxInt64-e.Balance {
		return flows.LedgerEntry{}, false, fmt.Errorf("user %d: %s of %d would overflow the wallet", e.UserID, e.Kind, e.Balance)
	}
	w.Balance += e.Balance
	w.Held += e.Held
	id, err := ledger.NextSequence()
	if err != nil {
		return flows.LedgerEntry{}, false, err
	}
	e.ID = id
	if e.At.IsZero() {
		e.At = now
	}
	e.BalanceAfter, e.HeldAfter = w.Balance, w.Held
	ev, err := json.Marshal(e)
	if err != nil {
		return flows.LedgerEntry{}, false, fmt.Errorf("encoding entry: %w", err)
	}
	wv, err := json.Marshal(w)
	if err != nil {
		return flows.LedgerEntry{}, false, fmt.Errorf("encoding wallet: %w", err)
	}
	k := entryKey(e.UserID, id)
	if err := ledger.Put(k, ev); err != nil {
		return flows.LedgerEntry{}, false, err
	}
	if err := tx.Bucket(bucketWallets).Put(walletKey(e.UserID), wv); err != nil {
		return flows.LedgerEntry{}, false, err
	}
	if e.Kind == flows.EntryDeposit {
		if err := credited.Put([]byte(e.DepositID), k); err != nil {
			return flows.LedgerEntry{}, false, err
		}
	}
	return e, true, nil
}

func getEntry(ledger *bolt.Bucket, k []byte, e *flows.LedgerEntry) error {
	v := ledger.Get(k)
	if v == nil {
		return fmt.Errorf("ledger entry %x: %w", k, flows.ErrNotFound)
	}
	if err := json.Unmarshal(v, e); err != nil {
		return fmt.Errorf("decoding ledger entry %x: %w", k, err)
	}
	return nil
}

// Wallet returns userID's wallet; a user with no entries has an empty one.
func (db *DB) Wallet(ctx context.Context, userID int64) (flows.Wallet, error) {
	if err := ctx.Err(); err != nil {
		return flows.Wallet{}, err
	}
	var w flows.Wallet
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		w, err = getWallet(tx, userID)
		return err
	})
	if errors.Is(err, errLedgerMissing) {
		return flows.Wallet{UserID: userID}, nil
	}
	if err != nil {
		return flows.Wallet{}, fmt.Errorf("storage: wallet %d: %w", userID, err)
	}
	return w, nil
}

// Entries returns userID's last limit entries (every one for limit ≤ 0),
// oldest first: the newest is last, as a statement reads.
func (db *DB) Entries(ctx context.Context, userID int64, limit int) ([]flows.LedgerEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []flows.LedgerEntry
	err := db.bolt.View(func(tx *bolt.Tx) error {
		out = nil
		ledger := tx.Bucket(bucketLedger)
		if ledger == nil {
			return nil
		}
		prefix := walletKey(userID)
		// Walk back from the user's last key: the newest entries are the
		// ones a limit keeps.
		c := ledger.Cursor()
		k, v := c.Seek(entryKey(userID, math.MaxUint64))
		if k == nil {
			k, v = c.Last()
		} else if !bytes.Equal(k, entryKey(userID, math.MaxUint64)) {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
			if limit > 0 && len(out) == limit {
				break
			}
			var e flows.LedgerEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decoding ledger entry %x: %w", k, err)
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: entries of %d: %w", userID, err)
	}
	slices.Reverse(out)
	return out, nil
}

// Adjust records an admin's (by) adjustment of amount, positive or
// negative, to userID's balance, refused with *flows.BalanceTooLowError if
// it would take the balance below zero.
func (db *DB) Adjust(ctx context.Context, userID, amount, by int64, note string) (flows.LedgerEntry, error) {
	e := flows.LedgerEntry{UserID: userID, Kind: flows.EntryAdjustment, Balance: amount, By: by, Note: note}
	stored, _, err := db.record(ctx, e)
	if err != nil {
		return flows.LedgerEntry{}, fmt.Errorf("storage: adjust %d by %d: %w", userID, amount, err)
	}
	return stored, nil
}

// Credit records deposit depositID of amount to userID, once: a second
// credit of the same id writes nothing and returns the first entry with
// credited false, whatever its user and amount. by is the approving admin
// (0 for the system, e.g. a gateway).
func (db *DB) Credit(ctx context.Context, userID, amount int64, depositID string, by int64, note string) (flows.LedgerEntry, bool, error) {
	e := flows.LedgerEntry{UserID: userID, Kind: flows.EntryDeposit, Balance: amount, DepositID: depositID, By: by, Note: note}
	stored, credited, err := db.record(ctx, e)
	if err != nil {
		return flows.LedgerEntry{}, false, fmt.Errorf("storage: credit deposit %s to %d: %w", depositID, userID, err)
	}
	return stored, credited, nil
}

// record applies e in a transaction of its own.
func (db *DB) record(ctx context.Context, e flows.LedgerEntry) (stored flows.LedgerEntry, applied bool, err error) {
	if err := ctx.Err(); err != nil {
		return flows.LedgerEntry{}, false, err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		stored, applied, err = applyEntry(tx, db.now(), e)
		return err
	})
	return stored, applied, err
}

// WalletTotals sums every wallet, and the deposit entries written at or
// after since. It reads the whole ledger: for admin reports.
func (db *DB) WalletTotals(ctx context.Context, since time.Time) (flows.WalletTotals, error) {
	var t flows.WalletTotals
	err := db.bolt.View(func(tx *bolt.Tx) error {
		t = flows.WalletTotals{}
		wallets, ledger := tx.Bucket(bucketWallets), tx.Bucket(bucketLedger)
		if wallets == nil || ledger == nil {
			return nil
		}
		if err := wallets.ForEach(func(k, v []byte) error {
			var w flows.Wallet
			if err := json.Unmarshal(v, &w); err != nil {
				return fmt.Errorf("decoding wallet %x: %w", k, err)
			}
			t.Balance += w.Balance
			t.Held += w.Held
			return nil
		}); err != nil {
			return err
		}
		t.Owed = t.Balance + t.Held
		return ledger.ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var e flows.LedgerEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decoding ledger entry %x: %w", k, err)
			}
			if e.Kind == flows.EntryDeposit && !e.At.Before(since) {
				t.Deposits += e.Balance
				t.DepositCount++
			}
			return nil
		})
	})
	if err != nil {
		return flows.WalletTotals{}, fmt.Errorf("storage: wallet totals: %w", err)
	}
	return t, nil
}
