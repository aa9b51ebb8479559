package flows

import (
	"context"
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

// BalanceChecker reports the provider deposit in rupiah.
type BalanceChecker interface {
	Balance(ctx context.Context) (int64, error)
}

// MeterInquirer looks up the owner of a PLN prepaid meter before a purchase.
type MeterInquirer interface {
	InquireMeter(ctx context.Context, customerNumber string) (Meter, error)
}

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
