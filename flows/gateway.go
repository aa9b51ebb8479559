package flows

import (
	"context"
	"time"
)

// The payment gateway contract for deposits paid by QRIS (issue 12, DESIGN
// rule 15). A gateway client (provider/tripay) implements PaymentGateway;
// the deposit conversation and the poller consume it. Errors are
// *ProviderError: KindUnknown for an answer that says nothing (timeout, 5xx,
// garbage) — the payment may exist —, KindRejected for a refusal that
// created nothing, KindMisconfigured for credentials or signatures the
// gateway refuses, KindNotFound for a look-up that finds no payment.

// PaymentStatus is a gateway payment's state.
type PaymentStatus string

// Payment statuses, as Tripay names them.
const (
	PaymentUnpaid  PaymentStatus = "UNPAID"
	PaymentPaid    PaymentStatus = "PAID"
	PaymentExpired PaymentStatus = "EXPIRED"
	PaymentFailed  PaymentStatus = "FAILED"
	PaymentRefund  PaymentStatus = "REFUND"
)

// PaymentRequest asks the gateway for a closed payment of Amount (the
// deposit's amount) under our MerchantRef (the deposit id).
type PaymentRequest struct {
	MerchantRef string
	Method      string // "QRIS"
	Amount      int64
	// ItemName names the one order item ("Deposit saldo").
	ItemName      string
	CustomerName  string
	CustomerEmail string
	CustomerPhone string
	CallbackURL   string
	ReturnURL     string
	ExpiresAt     time.Time
}

// Payment is the gateway's record of a payment.
type Payment struct {
	Reference   string // the gateway's id
	MerchantRef string // ours
	Method      string
	Status      PaymentStatus
	// Amount is what the buyer pays, customer fees included; FeeMerchant,
	// FeeCustomer and TotalFee the fees; AmountReceived what reaches the
	// merchant after fees. A deposit credits its own amount, never these.
	Amount         int64
	FeeMerchant    int64
	FeeCustomer    int64
	TotalFee       int64
	AmountReceived int64
	QRString       string // the QRIS payload to render
	QRURL          string
	CheckoutURL    string
	ExpiresAt      time.Time
	PaidAt         time.Time
}

// PaymentGateway creates and looks up payments.
type PaymentGateway interface {
	// CreatePayment creates a closed payment. An error of KindUnknown
	// leaves its existence open: look it up by merchant ref, never create
	// it again.
	CreatePayment(ctx context.Context, req PaymentRequest) (Payment, error)
	// FindPayment looks a payment up by our merchant ref (KindNotFound
	// when the gateway has none).
	FindPayment(ctx context.Context, merchantRef string) (Payment, error)
	// PaymentDetail is the payment's current record by the gateway's
	// reference.
	PaymentDetail(ctx context.Context, reference string) (Payment, error)
}

// PaymentCallback is a gateway's signed notice that a payment changed.
type PaymentCallback struct {
	Reference   string
	MerchantRef string
	Method      string
	Status      PaymentStatus
	// TotalAmount is what the buyer paid (fees included), compared with
	// the stored create answer's Amount before anything is credited.
	TotalAmount    int64
	FeeMerchant    int64
	FeeCustomer    int64
	AmountReceived int64
	ClosedPayment  bool
	PaidAt         time.Time
	Note           string
}
