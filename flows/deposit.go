package flows

import (
	"context"
	"errors"
	"time"
)

// DepositState is where a deposit is in its life. Its value is the
// persisted string: never rename one.
type DepositState string

// Deposit states (DESIGN rule 15). Waiting and sent are open; the others
// are closed and final: a closed deposit never opens again.
const (
	// DepositWaiting: created, the buyer has not said they transferred. It
	// expires on its own at ExpiresAt, and a new deposit of the buyer
	// replaces it.
	DepositWaiting DepositState = "waiting"
	// DepositSent: the buyer tapped "Sudah transfer". It waits for an admin
	// and never expires on its own.
	DepositSent DepositState = "sent"
	// DepositCredited: an admin approved it (or its gateway said paid) and
	// its amount was credited, in the transaction that set this state.
	DepositCredited DepositState = "credited"
	DepositRejected DepositState = "rejected"
	DepositExpired  DepositState = "expired"
	// DepositReplaced: the buyer started a new deposit before marking this
	// one sent.
	DepositReplaced  DepositState = "replaced"
	DepositCancelled DepositState = "cancelled"
	// DepositFailed: the gateway refused to create its payment, or its
	// payment could not be matched to it (another amount, found nowhere):
	// nothing was credited.
	DepositFailed DepositState = "failed"
)

// Open reports whether the deposit can still be credited by approval.
func (s DepositState) Open() bool { return s == DepositWaiting || s == DepositSent }

// Valid reports whether s is a known state.
func (s DepositState) Valid() bool {
	switch s {
	case DepositWaiting, DepositSent, DepositCredited, DepositRejected, DepositExpired, DepositReplaced, DepositCancelled,
		DepositFailed:
		return true
	}
	return false
}

// DepositMethod is how the buyer pays a deposit. Persisted.
type DepositMethod string

// Deposit methods.
const (
	MethodTransfer DepositMethod = "transfer"
	// MethodQRIS is paid through the payment gateway, which calls back when
	// the buyer has paid (issue 12). Its ID is the gateway's merchant_ref.
	MethodQRIS DepositMethod = "qris"
)

// GatewayPayment is what a QRIS deposit knows of its gateway payment: the
// create answer (or the look-up that found it), and the poller's marks.
// Persisted as JSON inside the deposit.
type GatewayPayment struct {
	// AskedAt is when the create was sent: written before the call, so a
	// crash or a lost answer leaves a deposit the poller looks up by its
	// merchant ref instead of creating it again.
	AskedAt time.Time `json:"asked_at"`
	// Reference is the gateway's id; "" while the create answer is
	// unknown.
	Reference string `json:"reference,omitempty"`
	// PayAmount is what the buyer pays, fees included: a PAID notice is
	// credited only when its total is exactly this.
	PayAmount      int64     `json:"pay_amount,omitempty"`
	FeeMerchant    int64     `json:"fee_merchant,omitempty"`
	FeeCustomer    int64     `json:"fee_customer,omitempty"`
	AmountReceived int64     `json:"amount_received,omitempty"`
	QRString       string    `json:"qr_string,omitempty"`
	CheckoutURL    string    `json:"checkout_url,omitempty"`
	ExpiresAt      time.Time `json:"expires_at,omitzero"`
	// CheckedAt is the poller's last detail call.
	CheckedAt time.Time `json:"checked_at,omitzero"`
	// Alerted records that the admins were told of a payment that could
	// not be credited (or was refunded after the credit): once is enough.
	Alerted bool `json:"alerted,omitempty"`
	// RefundAlerted records that the admins were told of a refund after
	// ForeignAlerted is the last other payment under this merchant ref
	// the admins were told of.
	ForeignAlerted string `json:"foreign_alerted,omitempty"`
	// QRMessageID is the buyer's message showing the QR code, whose
	// caption is edited when the deposit is paid or closes.
	QRMessageID int `json:"qr_message_id,omitempty"`
	// the credit: apart from Alerted, which an uncredited payment's alert
	// (before a one-tap credit) may have set.
	RefundAlerted bool `json:"refund_alerted,omitempty"`
}

// Deposit is a buyer's request to add saldo. It is persisted as JSON; field
// names are part of the database format.
type Deposit struct {
	// ID is unique (NewDepositID); the ledger's deposit entry names it.
	ID     string `json:"id"`
	UserID int64  `json:"user_id"`
	ChatID int64  `json:"chat_id"`
	// Name is the buyer's Telegram first name when they made it, for the
	// admins' line.
	Name   string        `json:"name,omitempty"`
	Lang   string        `json:"lang,omitempty"`
	Method DepositMethod `json:"method"`
	// Base is the amount the buyer chose; UniqueCode the rupiah added so
	// a bank transfer can be matched by its amount; Amount = Base +
	// UniqueCode is what they transfer and what is credited.
	Base       int64 `json:"base"`
	UniqueCode int64 `json:"unique_code,omitempty"`
	Amount     int64 `json:"amount"`

	State     DepositState `json:"state"`
	CreatedAt time.Time    `json:"created_at"`
	// ExpiresAt is when a waiting deposit expires on its own.
	ExpiresAt time.Time `json:"expires_at"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at"`
	// ClosedAt, ClosedBy (the admin, 0 for the buyer or the system) and Note
	// say how it closed.
	ClosedAt time.Time `json:"closed_at,omitzero"`
	ClosedBy int64     `json:"closed_by,omitempty"`
	Note     string    `json:"note,omitempty"`
	// EntryID is the ledger entry that credited it: the deposit entry of
	// its approval, or the adjustment an admin made for money that arrived
	// after it closed (AdjustedBy).
	EntryID    uint64 `json:"entry_id,omitempty"`
	AdjustedBy int64  `json:"adjusted_by,omitempty"`
	// MessageID is the buyer's deposit message, edited as it moves.
	MessageID int `json:"message_id,omitempty"`
	// Gateway is a QRIS deposit's payment (nil for a transfer).
	Gateway *GatewayPayment `json:"gateway,omitempty"`

	// Wallet is the buyer's wallet as the transaction updating the deposit
	// read it, before that transaction's own ledger move. Set by the store
	// for UpdateDeposit's function; never persisted.
	Wallet Wallet `json:"-"`
}

// Errors of the deposit store.
var (
	// ErrDepositClosed: the change needs an open deposit and this one is
	// closed (credited, rejected, expired, replaced, cancelled).
	ErrDepositClosed = errors.New("deposit is closed")
	// ErrDepositCodes: every unique code for this base amount is taken by
	// an open deposit; the buyer picks another amount.
	ErrDepositCodes = errors.New("no free unique code for this amount")
)

// DepositStore keeps deposits. Each method is one transaction.
//
// The money moves with the state, in the transaction that changes it, and
// nowhere else (DESIGN rule 15): UpdateDeposit moving a deposit from open
// to DepositCredited writes its deposit entry of Amount; setting AdjustedBy
// (from 0) on a closed deposit that was never credited writes an
// adjustment of Amount naming it. Both record the entry's id in EntryID.
type DepositStore interface {
	// CreateDeposit writes d (state DepositWaiting). With uniqueCode it
	// chooses d.UniqueCode in 1–999, starting at d.UniqueCode (the caller's
	// random pick) and moving on past codes whose Base+code is the Amount of
	// another open deposit, and sets Amount; ErrDepositCodes when none is
	// free. Without it UniqueCode is 0 and Amount is Base. In the same
	// transaction every waiting (not sent) deposit of d.UserID becomes
	// DepositReplaced; those are returned, as they now are, so their
	// messages can be edited.
	CreateDeposit(ctx context.Context, d Deposit, uniqueCode bool) (created Deposit, replaced []Deposit, err error)
	// UpdateDeposit applies fn to the stored deposit (d.Wallet set) and
	// writes the result, its ledger move and fn's notifications in one
	// transaction; fn returning ErrNoChange writes nothing and returns the
	// stored deposit. fn may run more than once: it must decide from d
	// alone. A closed deposit changing state, an unknown state, a change
	// of ID, UserID or Amount, or AdjustedBy on a deposit ever credited is
	// refused.
	UpdateDeposit(ctx context.Context, id string, fn func(d *Deposit) ([]Notification, error)) (Deposit, error)
	// Deposit returns the deposit with id, or an error wrapping ErrNotFound.
	Deposit(ctx context.Context, id string) (Deposit, error)
	// OpenDeposits returns the waiting and sent deposits, oldest first.
	OpenDeposits(ctx context.Context) ([]Deposit, error)
	// UserDeposits returns userID's last limit deposits, newest first.
	UserDeposits(ctx context.Context, userID int64, limit int) ([]Deposit, error)
}
