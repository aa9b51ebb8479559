package flows

import (
	"errors"
	"strings"
)

// ErrorKind classifies a provider answer that is not a Result. The order
// engine acts on the kind alone (DESIGN rules 3–5).
type ErrorKind string

// Error kinds.
const (
	// KindRejected is definitive: the provider refused the order and created
	// nothing (wrong number, unknown product, no deposit…). The order fails
	// with a reason the buyer can read.
	KindRejected ErrorKind = "rejected"
	// KindUnknown means the outcome is not known: timeout, connection error,
	// 5xx, HTML, unparsable body, an rc the tables do not know. The order
	// stays pending and is checked again.
	KindUnknown ErrorKind = "unknown"
	// KindMisconfigured means the account cannot transact: wrong signature or
	// credentials, IP not whitelisted, account suspended. For admins; on a
	// first send the order fails, on a check nothing changes.
	KindMisconfigured ErrorKind = "misconfigured"
	// KindNotFound is a check's answer that the provider holds no such
	// transaction (IAK check-status rc 06, an unpaid bill). It never fails an
	// order by itself.
	KindNotFound ErrorKind = "not_found"
)

// ProviderError is the error every provider client returns. Its Kind decides
// what happens to the order; the rest is for admins and logs.
type ProviderError struct {
	Kind ErrorKind
	// Op names the operation, e.g. "iak: top-up".
	Op string
	// RC and Message are the provider's response code and message, if any.
	RC      string
	Message string
	// Reason is the buyer-readable reason, set for KindRejected.
	Reason Reason
	// Err is the underlying cause (a transport or decoding error), if any.
	Err error
	// Alert, on an answer that changes nothing, asks for an admin once for
	// this order (Digiflazz's rc 49 on a re-send: the provider holds the
	// ref with another request). The order stays as it is.
	Alert AlertKind
}

func (e *ProviderError) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(": ")
	b.WriteString(string(e.Kind))
	if e.RC != "" {
		b.WriteString(": rc ")
		b.WriteString(e.RC)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *ProviderError) Unwrap() error { return e.Err }

// settles reports whether an error of kind k can settle an order: only a
// refusal can (a misconfigured account fails a first send, which raises
// its own alert).
func (k ErrorKind) settles() bool { return k == KindRejected || k == KindMisconfigured }

// KindOf returns the kind of a provider error. Any other error — including a
// cancelled context — is KindUnknown: when in doubt, an order stays pending.
func KindOf(err error) ErrorKind {
	if err == nil {
		return ""
	}
	var pe *ProviderError
	if errors.As(err, &pe) && pe.Kind != "" {
		return pe.Kind
	}
	return KindUnknown
}

// ReasonOf returns the buyer-readable reason carried by err, or ReasonFailed.
func ReasonOf(err error) Reason {
	var pe *ProviderError
	if errors.As(err, &pe) && pe.Reason != "" {
		return pe.Reason
	}
	return ReasonFailed
}

// Reason says why an order or bill failed, in terms the message catalogue
// turns into a sentence for the buyer. Persisted as a string.
type Reason string

// Reasons a buyer can be given.
const (
	ReasonFailed             Reason = "failed"              // the provider failed it; no detail
	ReasonWrongNumber        Reason = "wrong_number"        // incorrect destination / customer number
	ReasonOperatorMismatch   Reason = "operator_mismatch"   // the number belongs to another operator
	ReasonNumberBlocked      Reason = "number_blocked"      // the number is blocked
	ReasonProductUnavailable Reason = "product_unavailable" // unknown, inactive, disturbed or out of stock
	ReasonLimitReached       Reason = "limit_reached"       // daily/monthly limits for the number
	ReasonProviderBalance    Reason = "provider_balance"    // the reseller's deposit is too low
	ReasonInvalidGameID      Reason = "invalid_game_id"     // user/zone/server id refused
	ReasonNumberUnavailable  Reason = "number_unavailable"  // eSIM number not available or in use
	ReasonBillPaid           Reason = "bill_paid"           // the bill has been paid already
	ReasonBillUnavailable    Reason = "bill_unavailable"    // no bill to pay, or billing id blocked
	ReasonBillExpired        Reason = "bill_expired"        // the inquiry expired; inquire again
	ReasonCutOff             Reason = "cut_off"             // the biller's daily cut-off window
	ReasonServiceUnavailable Reason = "service_unavailable" // the provider cannot serve us right now
)
