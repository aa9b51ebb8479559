package flows

import "time"

// WIB is Asia/Jakarta time. Indonesia has kept UTC+7 without daylight saving
// since 1964, so a fixed zone is exact and needs no tz database.
var WIB = time.FixedZone("WIB", 7*60*60)

// BillRequest asks a provider for a postpaid bill.
type BillRequest struct {
	// RefID is the reference the inquiry is made under; Mesin R1 pays with the
	// same ref, IAK with the inquiry's transaction id.
	RefID          string
	ProductCode    string
	CustomerNumber string
	// Months is the number of months to pay, for billers that ask (BPJS);
	// zero otherwise.
	Months int
}

// Bill is the answer to a postpaid inquiry: what the customer owes and the
// provider state needed to pay it.
type Bill struct {
	RefID          string
	ProductCode    string
	CustomerNumber string
	CustomerName   string
	// Period is the billed period as the provider states it (e.g. "APR26",
	// "201608", or a number of months).
	Period string
	// Amount is the bill itself, AdminFee the provider's fee and Total what
	// the provider asks for both, all in rupiah.
	Amount   int64
	AdminFee int64
	Total    int64
	// Cost is what the provider deducts from the deposit when that differs
	// from Total (IAK selling_price: total minus commission); zero if unknown.
	Cost int64
	// Expires is when the inquiry stops being payable.
	Expires time.Time
	// Details are extra lines for the bill card ("Tarif/Daya: R1/1300VA").
	Details []string
	// ProviderTxID is the provider's inquiry id (IAK pays with it).
	ProviderTxID string
	// Months echoes BillRequest.Months.
	Months int
}

// Expired reports whether the bill can no longer be paid at now.
func (b Bill) Expired(now time.Time) bool { return !b.Expires.IsZero() && !now.Before(b.Expires) }

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
