package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// ErrBackwards is returned when an update would move an order's status
// backwards or change a settled order's status (DESIGN rule 6).
var ErrBackwards = errors.New("order status cannot move backwards")

// rank orders statuses; a status never moves to a lower rank, and a final
// status never changes.
func rank(s flows.Status) int {
	switch s {
	case flows.StatusPlacing:
		return 1
	case flows.StatusPending:
		return 2
	case flows.StatusSuccess, flows.StatusFailed:
		return 3
	}
	return 0
}

func confirmKey(chatID int64, token string) []byte {
	return append(i64(chatID), token...)
}

func chatOrderKey(o *flows.Order) []byte {
	k := append(i64(o.ChatID), i64(o.CreatedAt.UnixNano())...)
	return append(k, o.RefID...)
}

// createdKey is an order's key in the creation-time index: reports find a
// day's orders by seeking to its first nanosecond, whatever their refs say.
func createdKey(o *flows.Order) []byte {
	return append(i64(nanos(o.CreatedAt)), o.RefID...)
}

// CreateOrder writes a new order with its indexes and consumes its confirm
// token, all in one transaction. If the token was consumed before, the
// order it created is returned and nothing is written.
func (db *DB) CreateOrder(ctx context.Context, o flows.Order) (flows.Order, bool, error) {
	if o.RefID == "" || o.Token == "" {
		return flows.Order{}, false, fmt.Errorf("storage: create order: ref_id and token are required")
	}
	if o.Status != flows.StatusPlacing && o.Status != flows.StatusPending {
		return flows.Order{}, false, fmt.Errorf("storage: create order %s: status %q is not a starting status", o.RefID, o.Status)
	}
	if o.Hold < 0 || (o.Hold > 0 && o.UserID == 0) {
		return flows.Order{}, false, fmt.Errorf("storage: create order %s: hold %d for user %d", o.RefID, o.Hold, o.UserID)
	}
	if err := ctx.Err(); err != nil {
		return flows.Order{}, false, err
	}
	now := db.now()
	if o.CreatedAt.IsZero() {
		o.CreatedAt = now
	}
	o.UpdatedAt = now
	var existing flows.Order
	created := false
	// refused is a saldo short of the hold: nothing is written, and the
	// batch's function returns nil so that the other confirmations of the
	// batch commit without being run again.
	var refused error
	// Confirmations from many chats come at once: Batch commits them
	// together. Its function may run again in a new transaction (when
	// another function of the batch fails), so it sets its results afresh
	// from what that transaction holds; the caller sees them only once
	// the transaction that produced them has committed.
	err := db.bolt.Batch(func(tx *bolt.Tx) error {
		created, existing, refused = false, flows.Order{}, nil
		ck := confirmKey(o.ChatID, o.Token)
		if ref := tx.Bucket(bucketConfirm).Get(ck); ref != nil {
			return getOrder(tx, ref, &existing)
		}
		orders := tx.Bucket(bucketOrders)
		if orders.Get([]byte(o.RefID)) != nil || tx.Bucket(bucketAttempts).Get([]byte(o.RefID)) != nil {
			return fmt.Errorf("ref_id %s exists already", o.RefID)
		}
		if o.Hold > 0 {
			// The price leaves the balance in the transaction that
			// writes the order (DESIGN rule 13): a balance short of it
			// refuses here, and no order exists to send.
			_, _, err := applyEntry(tx, now, flows.LedgerEntry{
				Kind: flows.EntryHold, UserID: o.UserID, Balance: -o.Hold, Held: o.Hold, Ref: o.RefID,
			})
			if short := (*flows.BalanceTooLowError)(nil); errors.As(err, &short) {
				refused = err // applyEntry wrote nothing
				return nil
			}
			if err != nil {
				return err
			}
		}
		if err := putOrder(tx, &o); err != nil {
			return err
		}
		if err := tx.Bucket(bucketPending).Put([]byte(o.RefID), i64(o.CreatedAt.UnixNano())); err != nil {
			return err
		}
		if err := tx.Bucket(bucketChatOrders).Put(chatOrderKey(&o), []byte(o.RefID)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketCreated).Put(createdKey(&o), []byte(o.RefID)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketConfirm).Put(ck, []byte(o.RefID)); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return flows.Order{}, false, fmt.Errorf("storage: create order %s: %w", o.RefID, err)
	}
	if !created {
		return existing, false, nil
	}
	return o, true, nil
}

// UpdateOrder applies fn to the stored order and writes the result, its
// pending-index entry and fn's notifications in one transaction. fn returning
// flows.ErrNoChange leaves everything as it was. A status moving backwards,
// or a settled order changing status, is refused with ErrBackwards.
func (db *DB) UpdateOrder(ctx context.Context, refID string, fn func(o *flows.Order) ([]flows.Notification, error)) (flows.Order, error) {
	if err := ctx.Err(); err != nil {
		return flows.Order{}, err
	}
	var out flows.Order
	// Answers for many orders arrive at once: Batch commits them together
	// instead of one fsync each. Its function may run again, so it sets
	// out afresh and reads only tx; fn must be safe to run twice.
	err := db.bolt.Batch(func(tx *bolt.Tx) error {
		out = flows.Order{}
		var o flows.Order
		if err := getOrder(tx, []byte(refID), &o); err != nil {
			return err
		}
		if o.Hold > 0 {
			w, err := getWallet(tx, o.UserID)
			if err != nil {
				return err
			}
			o.Wallet = w
		}
		before, createdAt, hold, providerRef := o.Status, o.CreatedAt, o.Hold, o.ProviderRef
		notes, err := fn(&o)
		if errors.Is(err, flows.ErrNoChange) {
			// Hand back the stored order, not fn's scratch copy.
			return getOrder(tx, []byte(refID), &out)
		}
		if err != nil {
			return err
		}
		if o.RefID != refID {
			return fmt.Errorf("update changed ref_id to %s", o.RefID)
		}
		// An order has one creation time: the chat and creation-time
		// indexes are keyed by it, and a report must not move it to
		// another day.
		if !o.CreatedAt.Equal(createdAt) {
			return fmt.Errorf("update changed created_at to %s", o.CreatedAt.Format(time.RFC3339Nano))
		}
		if !o.Status.Valid() || rank(o.Status) < rank(before) || (before.Final() && o.Status != before) {
			return fmt.Errorf("%w: %s → %s", ErrBackwards, before, o.Status)
		}
		if o.Hold != hold {
			return fmt.Errorf("update changed the hold %d to %d", hold, o.Hold)
		}
		if o.ProviderRef != providerRef {
			// A new attempt under its own ref (DESIGN rule 17): indexed in
			// the transaction that writes it, before it can be sent, so
			// its provider's callbacks find the order.
			if err := putAttemptRef(tx, o.ProviderRef, refID); err != nil {
				return err
			}
		}
		now := db.now()
		if o.Status.Final() && !before.Final() && hold > 0 {
			// The hold settles with the order, in its transaction
			// (DESIGN rule 13): a success spends it, a failure returns
			// it to the balance. A final order never settles again, so
			// this runs once per order.
			e := flows.LedgerEntry{Kind: flows.EntryPurchase, UserID: o.UserID, Held: -hold, Ref: refID}
			if o.Status == flows.StatusFailed {
				e = flows.LedgerEntry{Kind: flows.EntryRefund, UserID: o.UserID, Balance: hold, Held: -hold, Ref: refID}
			}
			if _, _, err := applyEntry(tx, now, e); err != nil {
				return fmt.Errorf("settling the hold: %w", err)
			}
		}
		o.UpdatedAt = now
		if o.Status.Final() && !before.Final() && o.SettledAt.IsZero() {
			o.SettledAt = now
		}
		if err := putOrder(tx, &o); err != nil {
			return err
		}
		pending := tx.Bucket(bucketPending)
		if o.Status.Final() {
			if err := pending.Delete([]byte(refID)); err != nil {
				return err
			}
		}
		if err := enqueue(tx, now, notes); err != nil {
			return err
		}
		out = o
		return nil
	})
	if err != nil {
		return flows.Order{}, fmt.Errorf("storage: update order %s: %w", refID, err)
	}
	return out, nil
}

// Order returns the order with refID — its own or one of its attempts'
// (several providers) —, or an error wrapping flows.ErrNotFound.
func (db *DB) Order(ctx context.Context, refID string) (flows.Order, error) {
	var o flows.Order
	err := db.bolt.View(func(tx *bolt.Tx) error {
		err := getOrder(tx, []byte(refID), &o)
		if !errors.Is(err, flows.ErrNotFound) {
			return err
		}
		// A read-only file of an older version has no attempts bucket.
		if b := tx.Bucket(bucketAttempts); b != nil {
			if ref := b.Get([]byte(refID)); ref != nil {
				return getOrder(tx, ref, &o)
			}
		}
		return err
	})
	if err != nil {
		return flows.Order{}, fmt.Errorf("storage: order %s: %w", refID, err)
	}
	return o, nil
}

// OrderByToken returns the order a chat's confirm token created, or an
// error wrapping flows.ErrNotFound if the token made none.
func (db *DB) OrderByToken(ctx context.Context, chatID int64, token string) (flows.Order, error) {
	var o flows.Order
	err := db.bolt.View(func(tx *bolt.Tx) error {
		ref := tx.Bucket(bucketConfirm).Get(confirmKey(chatID, token))
		if ref == nil {
			return fmt.Errorf("token: %w", flows.ErrNotFound)
		}
		return getOrder(tx, ref, &o)
	})
	if err != nil {
		return flows.Order{}, fmt.Errorf("storage: order of chat %d token: %w", chatID, err)
	}
	return o, nil
}

// PendingOrders returns every order in the pending index — placing and
// pending ones. It reads the index and those orders only, so its cost does
// not grow with the number of settled orders.
func (db *DB) PendingOrders(ctx context.Context) ([]flows.Order, error) {
	var out []flows.Order
	err := db.bolt.View(func(tx *bolt.Tx) error {
		pending := tx.Bucket(bucketPending)
		out = make([]flows.Order, 0, pending.Stats().KeyN)
		return pending.ForEach(func(ref, _ []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var o flows.Order
			if err := getOrder(tx, ref, &o); err != nil {
				return err
			}
			out = append(out, o)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: pending orders: %w", err)
	}
	return out, nil
}

// PendingCount returns how many orders are pending.
func (db *DB) PendingCount() (int, error) {
	n := 0
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketPending).Stats().KeyN
		return nil
	})
	return n, err
}

// ChatOrders returns a chat's most recent orders, newest first, at most limit.
func (db *DB) ChatOrders(ctx context.Context, chatID int64, limit int) ([]flows.Order, error) {
	var out []flows.Order
	prefix := i64(chatID)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketChatOrders).Cursor()
		// Start just past this chat's keys and walk back.
		var k []byte
		if chatID < math.MaxInt64 {
			k, _ = c.Seek(i64(chatID + 1))
		}
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, _ = c.Prev() {
			var o flows.Order
			if err := getOrder(tx, k[16:], &o); err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: orders of chat %d: %w", chatID, err)
	}
	return out, nil
}

// ForEachOrder calls fn with every order, oldest ref first, until fn
// returns an error. For admin reports; it reads the whole history.
func (db *DB) ForEachOrder(ctx context.Context, fn func(o flows.Order) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOrders).ForEach(func(_, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var o flows.Order
			if err := json.Unmarshal(v, &o); err != nil {
				return err
			}
			return fn(o)
		})
	})
}

// putAttemptRef indexes an attempt's own ref to its order. A ref is unique
// across orders and attempts: one a provider may already hold for another
// order is refused.
func putAttemptRef(tx *bolt.Tx, attemptRef, orderRef string) error {
	if attemptRef == "" || attemptRef == orderRef {
		return fmt.Errorf("attempt ref %q of order %s", attemptRef, orderRef)
	}
	b := tx.Bucket(bucketAttempts)
	if tx.Bucket(bucketOrders).Get([]byte(attemptRef)) != nil || b.Get([]byte(attemptRef)) != nil {
		return fmt.Errorf("attempt ref %s is in use already", attemptRef)
	}
	return b.Put([]byte(attemptRef), []byte(orderRef))
}

func getOrder(tx *bolt.Tx, ref []byte, o *flows.Order) error {
	v := tx.Bucket(bucketOrders).Get(ref)
	if v == nil {
		return fmt.Errorf("order %s: %w", ref, flows.ErrNotFound)
	}
	// Decoded inside the transaction: v belongs to bbolt.
	if err := json.Unmarshal(v, o); err != nil {
		return fmt.Errorf("decoding order %s: %w", ref, err)
	}
	return nil
}

func putOrder(tx *bolt.Tx, o *flows.Order) error {
	v, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("encoding order %s: %w", o.RefID, err)
	}
	return tx.Bucket(bucketOrders).Put([]byte(o.RefID), v)
}
