package flows

import (
	"context"
	"errors"
)

// ErrNotFound is returned by a Store for a missing record.
var ErrNotFound = errors.New("not found")

// ErrNoChange, returned by an update function, leaves the record as it was.
var ErrNoChange = errors.New("no change")

// OrderStore persists orders and the outbox. Each method is one transaction.
type OrderStore interface {
	// CreateOrder writes o (write-ahead, DESIGN rule 1) and consumes its
	// confirm token in the same transaction. If the token was consumed
	// before, nothing is written and the existing order is returned with
	// created false (DESIGN rule 2).
	CreateOrder(ctx context.Context, o Order) (existing Order, created bool, err error)
	// UpdateOrder applies fn to the stored order and, unless fn returns
	// ErrNoChange, writes it back with fn's notifications queued in the
	// outbox, all in one transaction. A settled order never changes status.
	UpdateOrder(ctx context.Context, refID string, fn func(o *Order) ([]Notification, error)) (Order, error)
	Order(ctx context.Context, refID string) (Order, error)
	// PendingOrders returns the orders in the pending index (placing
	// included), reading nothing else.
	PendingOrders(ctx context.Context) ([]Order, error)
}
