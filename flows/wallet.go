package flows

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Wallet is a customer's saldo (DESIGN rule 13): Balance is what they can
// spend, Held what orders in process have taken from it and not yet
// settled. Both are rupiah and never negative. A user with no entries has
// an empty wallet.
type Wallet struct {
	UserID  int64 `json:"user_id"`
	Balance int64 `json:"balance"`
	Held    int64 `json:"held"`
}

// EntryKind is a ledger entry's kind. Its value is the persisted string:
// never rename one.
type EntryKind string

// The ledger's kinds (DESIGN rule 14), each with its one allowed change.
const (
	EntryHold       EntryKind = "hold"       // balance −P, held +P: an order took its price
	EntryPurchase   EntryKind = "purchase"   // held −P: the order succeeded
	EntryRefund     EntryKind = "refund"     // held −P, balance +P: the order failed
	EntryDeposit    EntryKind = "deposit"    // balance +A: a deposit was credited
	EntryAdjustment EntryKind = "adjustment" // balance ±A: an admin corrected it
)

// LedgerEntry is one change to a wallet (DESIGN rule 14). Entries are
// append-only: a mistake is corrected by a new entry, never by editing one.
type LedgerEntry struct {
	ID        uint64    `json:"id"` // unique across users, increasing in the order entries were written
	At        time.Time `json:"at"`
	UserID    int64     `json:"user_id"`
	Kind      EntryKind `json:"kind"`
	Balance   int64     `json:"balance"` // the change to the balance
	Held      int64     `json:"held"`    // the change to held
	Ref       string    `json:"ref,omitempty"`
	DepositID string    `json:"deposit_id,omitempty"`
	// BalanceAfter and HeldAfter are the wallet once this entry applied.
	BalanceAfter int64  `json:"balance_after"`
	HeldAfter    int64  `json:"held_after"`
	By           int64  `json:"by,omitempty"` // the admin who made it; 0 is the system
	Note         string `json:"note,omitempty"`
}

// ErrEntryShape is wrapped by CheckShape's errors: an entry whose changes
// are not its kind's, a bug in the caller and never the buyer's doing.
var ErrEntryShape = errors.New("ledger entry does not have its kind's shape")

// CheckShape reports whether e's changes are the ones its kind allows and
// it names what its kind needs: an order ref for hold, purchase and
// refund, a deposit id for a deposit, an admin for an adjustment.
func (e LedgerEntry) CheckShape() error {
	bad := func(why string) error {
		return fmt.Errorf("%w: %s balance %+d held %+d: %s", ErrEntryShape, e.Kind, e.Balance, e.Held, why)
	}
	switch e.Kind {
	case EntryHold:
		if e.Held <= 0 || e.Balance != -e.Held {
			return bad("a hold moves a positive amount from balance to held")
		}
	case EntryPurchase:
		if e.Held >= 0 || e.Balance != 0 {
			return bad("a purchase takes a positive amount from held only")
		}
	case EntryRefund:
		if e.Balance <= 0 || e.Held != -e.Balance {
			return bad("a refund moves a positive amount from held back to balance")
		}
	case EntryDeposit:
		if e.Balance <= 0 || e.Held != 0 {
			return bad("a deposit adds a positive amount to balance only")
		}
		if e.DepositID == "" {
			return bad("a deposit names its deposit id")
		}
	case EntryAdjustment:
		if e.Balance == 0 || e.Held != 0 {
			return bad("an adjustment changes balance only, by a non-zero amount")
		}
		if e.By == 0 {
			return bad("an adjustment names the admin who made it")
		}
	default:
		return bad("unknown kind")
	}
	switch e.Kind {
	case EntryHold, EntryPurchase, EntryRefund:
		if e.Ref == "" {
			return bad("it names the order ref")
		}
	}
	return nil
}

// BalanceTooLowError refuses an entry that would take the balance below
// zero; nothing was written. It carries what the "Saldo kurang" screen
// shows: the balance and what the entry needed from it.
type BalanceTooLowError struct {
	UserID  int64
	Balance int64
	Needed  int64
}

func (e *BalanceTooLowError) Error() string {
	return fmt.Sprintf("balance too low: user %d has %s, needs %s", e.UserID, FormatRupiah(e.Balance), FormatRupiah(e.Needed))
}

// Missing is what the balance lacks for the entry.
func (e *BalanceTooLowError) Missing() int64 { return e.Needed - e.Balance }

// HeldTooLowError refuses an entry that would take held below zero (a
// purchase or refund of more than the order held); nothing was written.
// Unlike BalanceTooLowError it is a bug, never the buyer's doing.
type HeldTooLowError struct {
	UserID int64
	Held   int64
	Needed int64
}

func (e *HeldTooLowError) Error() string {
	return fmt.Sprintf("held too low: user %d has %s held, entry releases %s", e.UserID, FormatRupiah(e.Held), FormatRupiah(e.Needed))
}

// WalletStore keeps the customer ledger. Each method is one transaction.
// The order transactions that hold, purchase and refund are the store's own
// (DESIGN rule 13); these are the wallet's own reads and the admin's and
// deposits' writes.
type WalletStore interface {
	// Wallet returns userID's wallet, empty for a user with no entries.
	Wallet(ctx context.Context, userID int64) (Wallet, error)
	// Entries returns userID's last limit entries (all for limit ≤ 0),
	// oldest first: the newest is last.
	Entries(ctx context.Context, userID int64, limit int) ([]LedgerEntry, error)
	// Adjust records an admin's adjustment of amount (±) to the balance,
	// refused with *BalanceTooLowError below zero.
	Adjust(ctx context.Context, userID, amount, by int64, note string) (LedgerEntry, error)
	// Credit records deposit depositID of amount once: a second credit of
	// the same id writes nothing and returns the first entry with credited
	// false.
	Credit(ctx context.Context, userID, amount int64, depositID string, by int64, note string) (e LedgerEntry, credited bool, err error)
	// WalletTotals sums every wallet and the deposit entries written at or
	// after since: what /stats reports beside the provider deposit.
	WalletTotals(ctx context.Context, since time.Time) (WalletTotals, error)
}

// WalletTotals is what the reseller owes its customers and what came in.
type WalletTotals struct {
	// Balance and Held are summed over every wallet; Owed is their sum.
	Balance, Held, Owed int64
	// Deposits is the sum of deposit entries since the asked time, Count
	// how many there were.
	Deposits     int64
	DepositCount int
}
