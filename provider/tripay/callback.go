package tripay

import (
	"bytes"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// MaxCallbackBody caps a callback body; the handler reads at most this
// (http.MaxBytesReader) and passes what it read. A real one is under a
// kilobyte.
const MaxCallbackBody = 16 << 10

// Callback headers and the one event this package reads.
const (
	SignatureHeader = "X-Callback-Signature"
	EventHeader     = "X-Callback-Event"
	EventPayment    = "payment_status"
)

// Errors of ParseCallback, for the handler to answer by: a bad signature is
// 403 (nothing was proved), a wrong event is 200 and ignored (Tripay would
// only retry it), too large or malformed is 400.
var (
	ErrCallbackSignature = errors.New("tripay: callback signature does not match")
	ErrCallbackEvent     = errors.New("tripay: callback event is not payment_status")
	ErrCallbackTooLarge  = errors.New("tripay: callback body too large")
	ErrCallbackMalformed = errors.New("tripay: malformed callback")
)

// CallbackSignature is the signature Tripay sends for body:
// hex(HMAC-SHA256(raw body, private_key)).
func CallbackSignature(body []byte, privateKey string) string {
	return hmacHex(string(body), privateKey)
}

// ParseCallback verifies and decodes a callback: its signature first, over
// the raw body, so nothing unsigned is parsed; then the event; then the
// body. The HMAC proves Tripay sent this body — but it can be replayed, so
// the caller credits a deposit's own amount once (DESIGN rule 15), never a
// figure from here. Errors wrap one of the ErrCallback values and never
// carry a signature.
func (c *Client) ParseCallback(header http.Header, body []byte) (flows.PaymentCallback, error) {
	if len(body) > MaxCallbackBody {
		return flows.PaymentCallback{}, ErrCallbackTooLarge
	}
	got := strings.ToLower(strings.TrimSpace(header.Get(SignatureHeader)))
	want := CallbackSignature(body, c.privateKey)
	if !hmac.Equal([]byte(got), []byte(want)) {
		return flows.PaymentCallback{}, ErrCallbackSignature
	}
	if ev := strings.TrimSpace(header.Get(EventHeader)); ev != EventPayment {
		return flows.PaymentCallback{}, fmt.Errorf("%w: %q", ErrCallbackEvent, logText(ev))
	}
	return decodeCallback(body)
}

type callbackBody struct {
	Reference         flex.String `json:"reference"`
	MerchantRef       flex.String `json:"merchant_ref"`
	PaymentMethod     flex.String `json:"payment_method"`
	PaymentMethodCode flex.String `json:"payment_method_code"`
	TotalAmount       flex.Int    `json:"total_amount"`
	FeeMerchant       flex.Int    `json:"fee_merchant"`
	FeeCustomer       flex.Int    `json:"fee_customer"`
	TotalFee          flex.Int    `json:"total_fee"`
	AmountReceived    flex.Int    `json:"amount_received"`
	IsClosedPayment   flex.Flag   `json:"is_closed_payment"`
	Status            flex.String `json:"status"`
	PaidAt            flex.Int    `json:"paid_at"`
	Note              flex.String `json:"note"`
}

// decodeCallback reads a verified body. It needs a reference, a merchant
// ref, a status Tripay names and the total amount; fields it does not know
// are ignored, since Tripay adds fields without notice.
func decodeCallback(body []byte) (flows.PaymentCallback, error) {
	malformed := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrCallbackMalformed, fmt.Sprintf(format, a...))
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return flows.PaymentCallback{}, malformed("not a JSON object")
	}
	var b callbackBody
	if err := json.Unmarshal(trimmed, &b); err != nil {
		return flows.PaymentCallback{}, malformed("%v", err)
	}
	st, err := parseStatus(string(b.Status))
	if err != nil {
		return flows.PaymentCallback{}, malformed("%v", err)
	}
	closed, err := flag(string(b.IsClosedPayment))
	if err != nil {
		return flows.PaymentCallback{}, malformed("is_closed_payment: %v", err)
	}
	ref := strings.TrimSpace(string(b.Reference))
	mref := strings.TrimSpace(string(b.MerchantRef))
	if ref == "" || mref == "" {
		return flows.PaymentCallback{}, malformed("reference or merchant_ref missing")
	}
	if !b.TotalAmount.Set || b.TotalAmount.Value < 0 {
		return flows.PaymentCallback{}, malformed("total_amount missing or negative")
	}
	method := string(b.PaymentMethodCode)
	if method == "" {
		method = string(b.PaymentMethod)
	}
	return flows.PaymentCallback{
		Reference:      ref,
		MerchantRef:    mref,
		Method:         method,
		Status:         st,
		TotalAmount:    b.TotalAmount.Value,
		FeeMerchant:    b.FeeMerchant.Value,
		FeeCustomer:    b.FeeCustomer.Value,
		AmountReceived: b.AmountReceived.Value,
		ClosedPayment:  closed,
		PaidAt:         unix(b.PaidAt),
		Note:           string(b.Note),
	}, nil
}

// flag reads is_closed_payment: 1/0, true/false, or absent (false).
func flag(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true":
		return true, nil
	case "", "0", "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a flag", logText(s))
}
