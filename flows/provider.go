package flows

import (
	"context"
	"errors"
	"time"
)

// The interfaces below are what the core consumes from a provider client.
// Each is small; a client implements those its API offers, and the core
// discovers the optional ones by type assertion.

// Provider places prepaid orders and checks on them.
//
// Place is the first send of an order. Check asks for its state: for an order
// the provider has not acknowledged, the client re-sends the identical order
// under the same ref (both providers treat that as a status query and never
// charge twice); for an acknowledged one it asks the status API.
//
// Both return a Result for an answer about the transaction, or a
// *ProviderError whose Kind tells the engine what to do.
type Provider interface {
	Account() Account
	Place(ctx context.Context, req OrderRequest) (Result, error)
	Check(ctx context.Context, req OrderRequest) (Result, error)
}

// Catalog lists the products a provider sells, available or not.
type Catalog interface {
	Products(ctx context.Context) ([]Product, error)
}

// CatalogSource is one list a provider's products come from — IAK's prepaid
// pricelist, its postpaid one — fetched, kept and retried on its own, so
// that one failing list never takes the others' products off the menus.
type CatalogSource struct {
	// Name identifies the source in logs, alerts and the store: stable and
	// short ("prepaid", "postpaid").
	Name string
	// Kind is the kind of products the source lists ("" for both).
	Kind ProductKind
	// MinInterval is the least time between two fetches the provider allows
	// (0: none); a rate-limited price list is asked at its own pace.
	MinInterval time.Duration
	// Products fetches the list.
	Products func(ctx context.Context) ([]Product, error)
	// Provider, with several providers (MultiCatalog), is the provider
	// whose products the source lists, under qualified codes; empty with
	// one. The single list older versions saved predates several
	// providers: such a source never takes products from it.
	Provider string
}

// CatalogSources is a Catalog made of several lists that fail on their own.
// A Catalog without it is one source named "products".
type CatalogSources interface {
	CatalogSources() []CatalogSource
}

// ActivationCoder is a provider whose answers carry an eSIM's activation
// code in a field of its own (IAK's activation_code). For such a provider an
// eSIM success without that code has not delivered the eSIM, whatever its SN
// (the ICCID) says; a provider without the field delivers the code as the SN.
type ActivationCoder interface {
	DeliversActivationCodes() bool
}

// ResendLimits is a provider whose prepaid status check is the order sent
// again (Digiflazz has no status call: the same transaction under the same
// ref answers its state) and which sets limits on that. The engine keeps to
// them for every check it starts: the poller's, the quick checks and a
// callback's hint.
type ResendLimits interface {
	// MinCheckGap is the least time between two sends of one order: the
	// provider warns against re-checking sooner. Quick checks are off for
	// such a provider; its webhooks come first.
	MinCheckGap() time.Duration
	// MaxResendAge is the age of the first send after which a re-send would
	// create a new transaction rather than answer the old one: the order is
	// no longer re-sent and an admin is alerted (0: no limit).
	MaxResendAge() time.Duration
}

// BalanceChecker reports the provider deposit in rupiah.
type BalanceChecker interface {
	Balance(ctx context.Context) (int64, error)
}

// MeterInquirer looks up the owner of a PLN prepaid meter before a purchase.
type MeterInquirer interface {
	InquireMeter(ctx context.Context, customerNumber string) (Meter, error)
}

// GameInquirer looks up the nickname of a game account before a purchase:
// game is the product's brand ("Mobile Legend"), accountID the id in the
// product's format ("156378300|8483"). A provider without a check for that
// game answers ErrNoGameCheck; one that knows no such account, an error of
// KindRejected.
type GameInquirer interface {
	InquireGame(ctx context.Context, game, accountID string) (nickname string, err error)
}

// ErrNoGameCheck says the provider cannot check accounts of a game: the
// purchase goes on without a nickname.
var ErrNoGameCheck = errors.New("no account check for this game")

// BillPayer handles postpaid bills: an inquiry, one payment of that inquiry,
// and status checks of the payment. PayBill is never called twice for a bill;
// a lost payment answer is resolved with CheckBill, which answers
// KindNotFound while the provider shows no payment.
type BillPayer interface {
	InquireBill(ctx context.Context, req BillRequest) (Bill, error)
	PayBill(ctx context.Context, bill Bill) (Result, error)
	CheckBill(ctx context.Context, bill Bill) (Result, error)
}

// MutationLister lists deposit movements between two days, inclusive.
type MutationLister interface {
	Mutations(ctx context.Context, from, to time.Time) ([]Mutation, error)
}

// OrderRequest is what a provider needs to place an order or to check on it.
type OrderRequest struct {
	// RefID is the order's own reference: [A-Z0-9], at most 20 characters,
	// the same on every send and check of the order.
	RefID          string
	ProductCode    string
	CustomerNumber string
	// Acknowledged is true once the provider has returned a transaction
	// record for the order (Result.Acknowledged). Until then a check re-sends
	// the identical order, which both providers treat as a status query.
	Acknowledged bool
	// ProviderTxID is the provider's transaction id once known.
	ProviderTxID string
	// MaxPrice is the most the provider may charge for the order, in
	// rupiah (0: no cap): the buyer's price less the minimum margin
	// (DESIGN rule 17). Digiflazz takes it as max_price and answers rc 69,
	// creating nothing, when its price is higher. It is stored with the
	// order and sent unchanged on every re-send.
	MaxPrice int64
	// SentAt is when the order was first sent — or, when the first send's
	// time was never recorded (the process died during it), when a check
	// first re-sent it: never before the real first send. IAK fails an
	// order whose re-send is refused without a transaction only once its
	// first send is old enough to have been processed (DESIGN rule 4).
	SentAt time.Time
}

// Result is a provider's definitive-enough answer about one transaction: a
// placement, a re-send, a status check or a bill payment. Answers that settle
// nothing (timeouts, garbage, refusals) come back as a *ProviderError instead.
type Result struct {
	// Status is StatusPending, StatusSuccess or StatusFailed.
	Status Status
	// SN is the serial number or, for PLN prepaid, the token line; for bill
	// payments the biller's reference.
	SN string
	// PIN is the voucher PIN some game products return.
	PIN string
	// ActivationCode is the eSIM activation code.
	ActivationCode string
	// Price is what the provider charged (or will charge), in rupiah; zero
	// when the answer does not say.
	Price int64
	// ProviderTxID is the provider's id for the transaction, when it gives one.
	ProviderTxID string
	// Acknowledged is true when the answer proves the provider holds a
	// transaction record for this ref.
	Acknowledged bool
	// RC and Message are the provider's response code and message, kept for
	// admins and logs; never shown to a buyer as they are.
	RC      string
	Message string
	// Balance is the deposit left after the transaction when BalanceKnown.
	Balance      int64
	BalanceKnown bool
	// Reason says, for a failed transaction, why in terms a buyer can read.
	Reason Reason
}

// Meter is the owner of a PLN prepaid meter, as an inquiry returns it.
type Meter struct {
	CustomerNumber string
	MeterNumber    string
	SubscriberID   string
	Name           string
	// SegmentPower is the tariff and power, e.g. "R1/1300VA".
	SegmentPower string
}

// Mutation is one movement of the provider deposit, from the reseller's
// side: Debit is money taken from the deposit (a purchase), Credit money
// added to it (a top-up of the deposit, a refund).
type Mutation struct {
	Time    time.Time
	Debit   int64
	Credit  int64
	Balance int64
	Note    string
	// TxNo is the provider's transaction number for the movement, if any.
	TxNo string
}
