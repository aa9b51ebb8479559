package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// Deposits (DESIGN rule 15): a record per deposit, an index of the open
// (waiting and sent) ones, which the unique-code choice and the expiry
// sweep read and which stays small, and a per-user index by creation time.
// The money moves in UpdateDeposit's transaction, through applyEntry, with
// the state change that causes it.

// maxUniqueCode is the largest code added to a transfer's base amount.
const maxUniqueCode = 999

func depositUserKey(userID int64, createdAt time.Time, id string) []byte {
	return append(append(i64(userID), i64(nanos(createdAt))...), id...)
}

func getDeposit(tx *bolt.Tx, id []byte, d *flows.Deposit) error {
	b := tx.Bucket(bucketDeposits)
	var v []byte
	if b != nil {
		v = b.Get(id)
	}
	if v == nil {
		return fmt.Errorf("deposit %s: %w", id, flows.ErrNotFound)
	}
	// Decoded inside the transaction: v belongs to bbolt.
	if err := json.Unmarshal(v, d); err != nil {
		return fmt.Errorf("decoding deposit %s: %w", id, err)
	}
	return nil
}

func putDeposit(tx *bolt.Tx, d *flows.Deposit) error {
	v, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encoding deposit %s: %w", d.ID, err)
	}
	return tx.Bucket(bucketDeposits).Put([]byte(d.ID), v)
}

// openDeposits reads every open deposit, oldest first. A file without the
// deposit buckets has none.
func openDeposits(tx *bolt.Tx) ([]flows.Deposit, error) {
	open := tx.Bucket(bucketDepOpen)
	if open == nil {
		return nil, nil
	}
	var out []flows.Deposit
	err := open.ForEach(func(k, _ []byte) error {
		var d flows.Deposit
		if err := getDeposit(tx, k, &d); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b flows.Deposit) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// CreateDeposit writes d as a new waiting deposit, choosing its unique code
// when asked, and replaces the user's other waiting deposits in the same
// transaction (flows.DepositStore).
func (db *DB) CreateDeposit(ctx context.Context, d flows.Deposit, uniqueCode bool) (flows.Deposit, []flows.Deposit, error) {
	if err := ctx.Err(); err != nil {
		return flows.Deposit{}, nil, err
	}
	fail := func(err error) (flows.Deposit, []flows.Deposit, error) {
		return flows.Deposit{}, nil, fmt.Errorf("storage: create deposit %s: %w", d.ID, err)
	}
	now := db.now()
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now
	}
	switch {
	case d.ID == "":
		return fail(errors.New("no id"))
	case d.UserID == 0:
		return fail(errors.New("no user"))
	case d.Base <= 0:
		return fail(fmt.Errorf("base %d is not positive", d.Base))
	case d.Base > math.MaxInt64-maxUniqueCode:
		return fail(fmt.Errorf("base %d is too large", d.Base))
	case d.Method == "":
		return fail(errors.New("no method"))
	case !d.ExpiresAt.After(d.CreatedAt):
		return fail(fmt.Errorf("expires at %s, not after its creation", d.ExpiresAt.Format(time.RFC3339)))
	case d.EntryID != 0 || d.AdjustedBy != 0:
		// Only UpdateDeposit moves money: a new deposit has no entry.
		return fail(errors.New("a new deposit has no ledger entry"))
	}
	d.State = flows.DepositWaiting
	d.UpdatedAt = now
	d.SentAt, d.ClosedAt, d.ClosedBy = time.Time{}, time.Time{}, 0
	d.Wallet = flows.Wallet{}
	start := d.UniqueCode
	if !uniqueCode {
		d.UniqueCode = 0
	}
	d.Amount = d.Base + d.UniqueCode

	var replaced []flows.Deposit
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		replaced = nil
		if tx.Bucket(bucketDeposits).Get([]byte(d.ID)) != nil {
			return errors.New("id already used")
		}
		open, err := openDeposits(tx)
		if err != nil {
			return err
		}
		if uniqueCode {
			// The amounts of every deposit open when the transaction
			// starts are taken, this user's waiting ones (replaced below)
			// included: a transfer for the old one must not match the new.
			taken := make(map[int64]bool, len(open))
			for _, o := range open {
				taken[o.Amount] = true
			}
			start = min(max(start, 1), maxUniqueCode)
			found := false
			for i := range int64(maxUniqueCode) {
				code := (start-1+i)%maxUniqueCode + 1
				if !taken[d.Base+code] {
					d.UniqueCode, d.Amount, found = code, d.Base+code, true
					break
				}
			}
			if !found {
				return fmt.Errorf("base %d: %w", d.Base, flows.ErrDepositCodes)
			}
		}
		for _, o := range open {
			// Only a transfer waits on the buyer alone: a QRIS deposit's
			// payment exists at the gateway and is never replaced.
			if o.UserID != d.UserID || o.State != flows.DepositWaiting || o.Method != flows.MethodTransfer {
				continue
			}
			o.State, o.ClosedAt, o.UpdatedAt = flows.DepositReplaced, now, now
			if err := putDeposit(tx, &o); err != nil {
				return err
			}
			if err := tx.Bucket(bucketDepOpen).Delete([]byte(o.ID)); err != nil {
				return err
			}
			replaced = append(replaced, o)
		}
		if err := putDeposit(tx, &d); err != nil {
			return err
		}
		if err := tx.Bucket(bucketDepOpen).Put([]byte(d.ID), i64(nanos(d.CreatedAt))); err != nil {
			return err
		}
		return tx.Bucket(bucketDepUser).Put(depositUserKey(d.UserID, d.CreatedAt, d.ID), []byte(d.ID))
	})
	if err != nil {
		return fail(err)
	}
	return d, replaced, nil
}

// depositMove reports whether a deposit may go from one state to another:
// waiting to sent, and an open one to any closed state.
func depositMove(from, to flows.DepositState) bool {
	switch {
	case from == to:
		return true
	case from == flows.DepositWaiting && to == flows.DepositSent:
		return true
	case from.Open() && !to.Open():
		return true
	}
	return false
}

// UpdateDeposit applies fn to the stored deposit and writes the result with
// its ledger move and fn's notifications in one transaction
// (flows.DepositStore). Transactions are batched: fn may run more than once.
func (db *DB) UpdateDeposit(ctx context.Context, id string, fn func(d *flows.Deposit) ([]flows.Notification, error)) (flows.Deposit, error) {
	if err := ctx.Err(); err != nil {
		return flows.Deposit{}, err
	}
	var out flows.Deposit
	err := db.bolt.Batch(func(tx *bolt.Tx) error {
		out = flows.Deposit{}
		var before flows.Deposit
		if err := getDeposit(tx, []byte(id), &before); err != nil {
			return err
		}
		w, err := getWallet(tx, before.UserID)
		if err != nil && !errors.Is(err, errLedgerMissing) {
			return err
		}
		before.Wallet = w
		d := before
		notes, err := fn(&d)
		if errors.Is(err, flows.ErrNoChange) {
			// Hand back the stored deposit, not fn's scratch copy.
			out = before
			return nil
		}
		if err != nil {
			return err
		}
		if err := checkDepositChange(before, d); err != nil {
			return err
		}
		now := db.now()
		if before.State == flows.DepositWaiting && d.State == flows.DepositSent && d.SentAt.IsZero() {
			d.SentAt = now
		}
		if before.State.Open() && !d.State.Open() && d.ClosedAt.IsZero() {
			d.ClosedAt = now
		}
		switch {
		case before.State.Open() && d.State == flows.DepositCredited:
			e, applied, err := applyEntry(tx, now, flows.LedgerEntry{
				Kind: flows.EntryDeposit, UserID: d.UserID, Balance: d.Amount,
				DepositID: d.ID, By: d.ClosedBy, Note: d.Note,
			})
			if err != nil {
				return fmt.Errorf("crediting: %w", err)
			}
			if !applied {
				// The credited index names an entry for an open deposit:
				// the file is inconsistent, so credit nothing.
				return fmt.Errorf("open deposit already credited by entry %d", e.ID)
			}
			d.EntryID = e.ID
		case before.AdjustedBy == 0 && d.AdjustedBy != 0:
			// The entry names the deposit: that is its note.
			e, _, err := applyEntry(tx, now, flows.LedgerEntry{
				Kind: flows.EntryAdjustment, UserID: d.UserID, Balance: d.Amount,
				DepositID: d.ID, By: d.AdjustedBy, Note: d.Note,
			})
			if err != nil {
				return fmt.Errorf("adjusting: %w", err)
			}
			d.EntryID = e.ID
		}
		d.UpdatedAt = now
		if err := putDeposit(tx, &d); err != nil {
			return err
		}
		if !d.State.Open() {
			if err := tx.Bucket(bucketDepOpen).Delete([]byte(id)); err != nil {
				return err
			}
		}
		if err := enqueue(tx, now, notes); err != nil {
			return err
		}
		out = d
		return nil
	})
	if err != nil {
		return flows.Deposit{}, fmt.Errorf("storage: update deposit %s: %w", id, err)
	}
	return out, nil
}

// checkDepositChange refuses what UpdateDeposit's function may not do to a
// deposit: change what it is (id, user, amounts, creation, method), move
// its state other than forward, reopen or rewrite a closed one, set its
// entry, or adjust one that was ever credited or is still open.
func checkDepositChange(before, d flows.Deposit) error {
	switch {
	case d.ID != before.ID || d.UserID != before.UserID:
		return fmt.Errorf("update changed id or user to %s/%d", d.ID, d.UserID)
	case d.Amount != before.Amount || d.Base != before.Base || d.UniqueCode != before.UniqueCode:
		return fmt.Errorf("update changed the amount to %d+%d=%d", d.Base, d.UniqueCode, d.Amount)
	case !d.CreatedAt.Equal(before.CreatedAt) || d.Method != before.Method:
		return errors.New("update changed created_at or method")
	case !d.State.Valid():
		return fmt.Errorf("unknown deposit state %q", d.State)
	case d.EntryID != before.EntryID:
		return errors.New("update changed entry_id: the store sets it")
	}
	if !before.State.Open() {
		// A closed deposit is final: its state and how it closed stay.
		if d.State != before.State || !d.ClosedAt.Equal(before.ClosedAt) || d.ClosedBy != before.ClosedBy ||
			!d.SentAt.Equal(before.SentAt) || !d.ExpiresAt.Equal(before.ExpiresAt) {
			return fmt.Errorf("%w: %s → %s", flows.ErrDepositClosed, before.State, d.State)
		}
	} else if !depositMove(before.State, d.State) {
		return fmt.Errorf("deposit state %s → %s", before.State, d.State)
	}
	if d.AdjustedBy != before.AdjustedBy {
		switch {
		case before.AdjustedBy != 0:
			return fmt.Errorf("deposit already adjusted by %d", before.AdjustedBy)
		case before.State == flows.DepositCredited || before.EntryID != 0:
			return errors.New("adjusting a deposit that was credited")
		case before.State.Open():
			return errors.New("adjusting an open deposit: approve it instead")
		}
	}
	return nil
}

// Deposit returns the deposit with id, or an error wrapping
// flows.ErrNotFound.
func (db *DB) Deposit(ctx context.Context, id string) (flows.Deposit, error) {
	if err := ctx.Err(); err != nil {
		return flows.Deposit{}, err
	}
	var d flows.Deposit
	err := db.bolt.View(func(tx *bolt.Tx) error { return getDeposit(tx, []byte(id), &d) })
	if err != nil {
		return flows.Deposit{}, fmt.Errorf("storage: deposit %s: %w", id, err)
	}
	return d, nil
}

// OpenDeposits returns the waiting and sent deposits, oldest first.
func (db *DB) OpenDeposits(ctx context.Context) ([]flows.Deposit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []flows.Deposit
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		out, err = openDeposits(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: open deposits: %w", err)
	}
	return out, nil
}

// UserDeposits returns userID's last limit deposits (every one for limit ≤
// 0), newest first.
func (db *DB) UserDeposits(ctx context.Context, userID int64, limit int) ([]flows.Deposit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []flows.Deposit
	err := db.bolt.View(func(tx *bolt.Tx) error {
		out = nil
		idx := tx.Bucket(bucketDepUser)
		if idx == nil {
			return nil
		}
		prefix := i64(userID)
		c := idx.Cursor()
		// Walk back from past the user's last key.
		var k, v []byte
		if userID == math.MaxInt64 {
			k, v = c.Last()
		} else if k, v = c.Seek(i64(userID + 1)); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
			if limit > 0 && len(out) == limit {
				break
			}
			var d flows.Deposit
			if err := getDeposit(tx, v, &d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: deposits of %d: %w", userID, err)
	}
	return out, nil
}
