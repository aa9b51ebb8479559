package flows

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Status is the state of an order. Persisted as its string value; a status
// only ever moves forward: placing → pending → success|failed.
type Status string

// Order statuses.
const (
	// StatusPlacing: the order is committed (write-ahead) and the provider has
	// not answered the first send yet.
	StatusPlacing Status = "placing"
	// StatusPending: the provider has it (or might have it) and it has not
	// reached a final state.
	StatusPending Status = "pending"
	StatusSuccess Status = "success"
	StatusFailed  Status = "failed"
)

// Final reports whether s is a settled state that never changes again.
func (s Status) Final() bool { return s == StatusSuccess || s == StatusFailed }

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPlacing, StatusPending, StatusSuccess, StatusFailed:
		return true
	}
	return false
}

// Account identifies the provider account an order was placed with. Checks on
// an order go only to the account it was placed with (DESIGN rule 4): an order
// placed on a sandbox key is never re-sent to production.
type Account struct {
	// Provider is the provider's name: "iak" or "mesinr1".
	Provider string
	// ID is the account's login: the IAK username or the Mesin R1 mmid.
	ID string
	// KeyHash is a short, non-reversible fingerprint of the api key
	// (see KeyFingerprint); it tells a sandbox key from a production key
	// without storing either.
	KeyHash string
	// Host is the API host, for providers whose tenants share mmids and
	// keys (Mesin R1 is white-label: each tenant has its own host). Empty
	// for IAK, whose key tells sandbox from production, and in orders
	// written before the host was recorded (see storage's AdoptAccountHost).
	Host string `json:",omitempty"`
}

// String renders the account for logs: it holds no secret.
func (a Account) String() string {
	s := a.Provider + ":" + a.ID + ":" + a.KeyHash
	if a.Host != "" {
		s += "@" + a.Host
	}
	return s
}

// KeyFingerprint returns a short fingerprint of an api key: the first 12 hex
// digits of its SHA-256. It identifies the key without revealing it.
func KeyFingerprint(apiKey string) string {
	sum := sha256.Sum256([]byte(apiKey))
	return hex.EncodeToString(sum[:6])
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
