// Package tripay is a client for Tripay's payment gateway API: closed QRIS
// payments (transaction/create), look-ups by our merchant ref
// (merchant/transactions) and by Tripay's reference (transaction/detail),
// and the signed payment_status callback. It translates Tripay's wire format
// into flows' payment vocabulary, with every failure a *flows.ProviderError
// whose Kind tells the deposit flow what it may conclude.
//
// Package tripay decides nothing about deposits: it never retries, never
// credits, never creates a payment twice and keeps no state. It never logs,
// and no error it returns carries the api key, the private key or a
// signature (DESIGN rule 12).
package tripay

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
	"topupbot/provider/internal/wire"
)

// Tripay's base URLs; the sandbox differs by URL and credentials.
const (
	ProductionURL = "https://tripay.co.id/api/"
	SandboxURL    = "https://tripay.co.id/api-sandbox/"
)

// DefaultTimeout is the request timeout when Config.HTTPClient is nil.
const DefaultTimeout = 30 * time.Second

// MaxAnswer caps an answer. A transaction record is a few kilobytes (its
// payment instructions included); a look-up by merchant ref lists a handful.
const MaxAnswer = 1 << 20

// Config configures a Client.
type Config struct {
	// BaseURL defaults to ProductionURL.
	BaseURL      string
	MerchantCode string
	// APIKey goes in every request's Authorization: Bearer header.
	APIKey string
	// PrivateKey signs requests and verifies callbacks; it is never sent.
	PrivateKey string
	// HTTPClient defaults to a client with DefaultTimeout.
	HTTPClient *http.Client
	// Now defaults to time.Now. It is read when a request carries no
	// expiry of its own.
	Now func() time.Time
}

// Client talks to one Tripay merchant. It is safe for concurrent use.
type Client struct {
	base         string
	merchantCode string
	privateKey   string
	wire         *wire.Client
	now          func() time.Time
}

var _ flows.PaymentGateway = (*Client)(nil)

// New returns a client for the merchant in cfg.
func New(cfg Config) (*Client, error) {
	base := cfg.BaseURL
	if base == "" {
		base = ProductionURL
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	var problems []error
	if !strings.HasPrefix(base, "https://") && !strings.HasPrefix(base, "http://") {
		problems = append(problems, fmt.Errorf("tripay: base url %q must start with https://", base))
	}
	if cfg.MerchantCode == "" {
		problems = append(problems, errors.New("tripay: merchant code is required"))
	}
	if cfg.APIKey == "" {
		problems = append(problems, errors.New("tripay: api key is required"))
	}
	if cfg.PrivateKey == "" {
		problems = append(problems, errors.New("tripay: private key is required"))
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Client{
		base:         base,
		merchantCode: cfg.MerchantCode,
		privateKey:   cfg.PrivateKey,
		now:          now,
		wire: &wire.Client{
			HTTP:   hc,
			Header: http.Header{"Authorization": {"Bearer " + cfg.APIKey}},
			Secret: cfg.APIKey,
			Accept: accepted,
			Max:    MaxAnswer,
		},
	}, nil
}

// String describes the client without its keys.
func (c *Client) String() string { return "tripay(" + c.merchantCode + "@" + c.base + ")" }

// accepted are the statuses whose JSON body is read for Tripay's envelope:
// 2xx and the 4xx refusals. 5xx, 429 and anything else say nothing.
func accepted(status int) bool {
	switch status {
	case http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden,
		http.StatusNotFound, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// Sign is Tripay's closed-payment signature:
// hex(HMAC-SHA256(merchant_code + merchant_ref + amount, private_key)).
func Sign(merchantCode, merchantRef string, amount int64, privateKey string) string {
	return hmacHex(merchantCode+merchantRef+strconv.FormatInt(amount, 10), privateKey)
}

func hmacHex(msg, key string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// envelope is every Tripay answer: success, message, and data (an object,
// or a list for merchant/transactions).
type envelope struct {
	Success *bool           `json:"success"`
	Message flex.String     `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// record is a transaction as create, detail and the merchant list write it.
// Numbers may come as strings; what cannot be read is an unknown answer.
type record struct {
	Reference      flex.String `json:"reference"`
	MerchantRef    flex.String `json:"merchant_ref"`
	PaymentMethod  flex.String `json:"payment_method"`
	Amount         flex.Int    `json:"amount"`
	FeeMerchant    flex.Int    `json:"fee_merchant"`
	FeeCustomer    flex.Int    `json:"fee_customer"`
	TotalFee       flex.Int    `json:"total_fee"`
	AmountReceived flex.Int    `json:"amount_received"`
	QRString       flex.String `json:"qr_string"`
	QRURL          flex.String `json:"qr_url"`
	CheckoutURL    flex.String `json:"checkout_url"`
	Status         flex.String `json:"status"`
	ExpiredTime    flex.Int    `json:"expired_time"`
	// ExpiredAt is what merchant/transactions names the expiry.
	ExpiredAt flex.Int `json:"expired_at"`
	PaidAt    flex.Int `json:"paid_at"`
}

func (r record) payment() (flows.Payment, error) {
	st, err := parseStatus(string(r.Status))
	if err != nil {
		return flows.Payment{}, err
	}
	if strings.TrimSpace(string(r.Reference)) == "" {
		return flows.Payment{}, errors.New("record without reference")
	}
	if !r.Amount.Set {
		return flows.Payment{}, errors.New("record without amount")
	}
	expires := r.ExpiredTime
	if !expires.Set {
		expires = r.ExpiredAt
	}
	return flows.Payment{
		Reference:      strings.TrimSpace(string(r.Reference)),
		MerchantRef:    strings.TrimSpace(string(r.MerchantRef)),
		Method:         string(r.PaymentMethod),
		Status:         st,
		Amount:         r.Amount.Value,
		FeeMerchant:    r.FeeMerchant.Value,
		FeeCustomer:    r.FeeCustomer.Value,
		TotalFee:       r.TotalFee.Value,
		AmountReceived: r.AmountReceived.Value,
		QRString:       string(r.QRString),
		QRURL:          string(r.QRURL),
		CheckoutURL:    string(r.CheckoutURL),
		ExpiresAt:      unix(expires),
		PaidAt:         unix(r.PaidAt),
	}, nil
}

func unix(n flex.Int) time.Time {
	if !n.Set || n.Value <= 0 {
		return time.Time{}
	}
	return time.Unix(n.Value, 0)
}

// parseStatus reads Tripay's status; one it does not name is an error, never
// a guess.
func parseStatus(s string) (flows.PaymentStatus, error) {
	switch st := flows.PaymentStatus(strings.ToUpper(strings.TrimSpace(s))); st {
	case flows.PaymentUnpaid, flows.PaymentPaid, flows.PaymentExpired, flows.PaymentFailed, flows.PaymentRefund:
		return st, nil
	}
	return "", fmt.Errorf("unknown status %q", logText(s))
}

// logText bounds provider text put in an error.
func logText(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}

// misconfiguredWords mark a refusal of our credentials rather than of the
// request, whatever HTTP status it came with.
var misconfiguredWords = []string{"signature", "api key", "apikey", "api-key", "unauthorized",
	"unauthenticated", "authorization", "merchant code", "kode merchant", "whitelist", "ip address"}

func contains(msg string, words ...string) bool {
	m := strings.ToLower(msg)
	for _, w := range words {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// CreatePayment creates a closed payment of req.Amount under req.MerchantRef.
// A definite refusal (HTTP 400/422 with success false) is KindRejected;
// refused credentials (401/403, or a message about the signature or key)
// KindMisconfigured; everything else that is not a readable record — and a
// refusal that says the merchant ref is taken, which means an earlier
// create may have succeeded — is KindUnknown.
func (c *Client) CreatePayment(ctx context.Context, req flows.PaymentRequest) (flows.Payment, error) {
	const op = "tripay: create payment"
	if req.Amount <= 0 || req.MerchantRef == "" || req.Method == "" {
		return flows.Payment{}, &flows.ProviderError{Kind: flows.KindRejected, Op: op, Reason: flows.ReasonFailed,
			Message: "request needs a merchant ref, a method and a positive amount"}
	}
	expires := req.ExpiresAt
	if expires.IsZero() {
		expires = c.now().Add(24 * time.Hour)
	}
	sig := Sign(c.merchantCode, req.MerchantRef, req.Amount, c.privateKey)
	body := createBody{
		Method:        req.Method,
		MerchantRef:   req.MerchantRef,
		Amount:        req.Amount,
		CustomerName:  req.CustomerName,
		CustomerEmail: req.CustomerEmail,
		CustomerPhone: req.CustomerPhone,
		OrderItems:    []orderItem{{Name: req.ItemName, Price: req.Amount, Quantity: 1}},
		CallbackURL:   req.CallbackURL,
		ReturnURL:     req.ReturnURL,
		ExpiredTime:   expires.Unix(),
		Signature:     sig,
	}
	var env envelope
	status, _, err := c.wire.Post(ctx, op, c.base+"transaction/create", body, &env)
	if err != nil {
		return flows.Payment{}, scrubSig(err, sig)
	}
	if env.Success == nil {
		return flows.Payment{}, c.wire.Unknown(op, fmt.Sprintf("http %d answer without success", status), nil)
	}
	if !*env.Success {
		msg := scrubText(string(env.Message), sig)
		pe := &flows.ProviderError{Op: op, RC: strconv.Itoa(status), Message: c.wire.Scrub(logText(msg))}
		switch {
		case status == http.StatusUnauthorized || status == http.StatusForbidden || contains(msg, misconfiguredWords...):
			pe.Kind = flows.KindMisconfigured
		case contains(msg, "merchant_ref", "merchant ref", "duplicate", "already", "sudah"):
			// A taken merchant ref may be our own earlier create whose answer
			// was lost: the payment may exist, so look it up.
			pe.Kind = flows.KindUnknown
		case status == http.StatusOK || status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
			pe.Kind, pe.Reason = flows.KindRejected, flows.ReasonServiceUnavailable
		default:
			pe.Kind = flows.KindUnknown
		}
		return flows.Payment{}, pe
	}
	if status != http.StatusOK {
		return flows.Payment{}, c.wire.Unknown(op, fmt.Sprintf("http %d answer with success true", status), nil)
	}
	p, err := decodeRecord(env.Data)
	if err != nil {
		return flows.Payment{}, c.wire.Unknown(op, "reading the created payment", err)
	}
	if p.MerchantRef != "" && p.MerchantRef != req.MerchantRef {
		return flows.Payment{}, c.wire.Unknown(op, fmt.Sprintf("answer for merchant ref %q, not ours", logText(p.MerchantRef)), nil)
	}
	p.MerchantRef = req.MerchantRef
	return p, nil
}

type createBody struct {
	Method        string      `json:"method"`
	MerchantRef   string      `json:"merchant_ref"`
	Amount        int64       `json:"amount"`
	CustomerName  string      `json:"customer_name"`
	CustomerEmail string      `json:"customer_email,omitempty"`
	CustomerPhone string      `json:"customer_phone,omitempty"`
	OrderItems    []orderItem `json:"order_items"`
	CallbackURL   string      `json:"callback_url,omitempty"`
	ReturnURL     string      `json:"return_url,omitempty"`
	ExpiredTime   int64       `json:"expired_time"`
	Signature     string      `json:"signature"`
}

type orderItem struct {
	Name     string `json:"name"`
	Price    int64  `json:"price"`
	Quantity int    `json:"quantity"`
}

func decodeRecord(data json.RawMessage) (flows.Payment, error) {
	if len(data) == 0 || string(data) == "null" {
		return flows.Payment{}, errors.New("answer without data")
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return flows.Payment{}, err
	}
	return r.payment()
}

// FindPayment looks a payment up by our merchant ref. An empty list is
// KindNotFound. Should Tripay list several for one ref, a paid one wins:
// a paid deposit is never lost (DESIGN rule 15).
func (c *Client) FindPayment(ctx context.Context, merchantRef string) (flows.Payment, error) {
	const op = "tripay: find payment"
	data, err := c.lookup(ctx, op, "merchant/transactions?"+url.Values{"merchant_ref": {merchantRef}}.Encode())
	if err != nil {
		return flows.Payment{}, err
	}
	var list []record
	if err := json.Unmarshal(data, &list); err != nil {
		return flows.Payment{}, c.wire.Unknown(op, "reading the list", err)
	}
	var found []flows.Payment
	for _, r := range list {
		p, err := r.payment()
		if err != nil {
			return flows.Payment{}, c.wire.Unknown(op, "reading a listed payment", err)
		}
		if p.MerchantRef == merchantRef {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		return flows.Payment{}, &flows.ProviderError{Kind: flows.KindNotFound, Op: op, Message: "no payment for merchant ref " + logText(merchantRef)}
	}
	best := found[0]
	for _, p := range found[1:] {
		if rank(p.Status) > rank(best.Status) {
			best = p
		}
	}
	return best, nil
}

// rank orders the statuses a look-up prefers: money that moved first.
func rank(s flows.PaymentStatus) int {
	switch s {
	case flows.PaymentPaid:
		return 4
	case flows.PaymentRefund:
		return 3
	case flows.PaymentUnpaid:
		return 2
	}
	return 1
}

// PaymentDetail is the current record of the payment with Tripay's
// reference; a reference Tripay does not know is KindNotFound.
func (c *Client) PaymentDetail(ctx context.Context, reference string) (flows.Payment, error) {
	const op = "tripay: payment detail"
	data, err := c.lookup(ctx, op, "transaction/detail?"+url.Values{"reference": {reference}}.Encode())
	if err != nil {
		return flows.Payment{}, err
	}
	p, err := decodeRecord(data)
	if err != nil {
		return flows.Payment{}, c.wire.Unknown(op, "reading the payment", err)
	}
	if p.Reference != reference {
		return flows.Payment{}, c.wire.Unknown(op, fmt.Sprintf("answer for reference %q, not ours", logText(p.Reference)), nil)
	}
	return p, nil
}

// lookup GETs path and returns the data of a successful answer. Refusals of
// a look-up are never KindRejected: it creates nothing to refuse.
func (c *Client) lookup(ctx context.Context, op, path string) (json.RawMessage, error) {
	var env envelope
	status, _, err := c.wire.Get(ctx, op, c.base+path, &env)
	if err != nil {
		return nil, err
	}
	if env.Success == nil {
		return nil, c.wire.Unknown(op, fmt.Sprintf("http %d answer without success", status), nil)
	}
	msg := string(env.Message)
	if !*env.Success {
		pe := &flows.ProviderError{Op: op, RC: strconv.Itoa(status), Message: c.wire.Scrub(logText(msg))}
		switch {
		case status == http.StatusUnauthorized || status == http.StatusForbidden || contains(msg, misconfiguredWords...):
			pe.Kind = flows.KindMisconfigured
		case status == http.StatusNotFound || contains(msg, "not found", "tidak ditemukan"):
			pe.Kind = flows.KindNotFound
		default:
			pe.Kind = flows.KindUnknown
		}
		return nil, pe
	}
	if status != http.StatusOK {
		return nil, c.wire.Unknown(op, fmt.Sprintf("http %d answer with success true", status), nil)
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return nil, c.wire.Unknown(op, "answer without data", nil)
	}
	return env.Data, nil
}

// scrubSig removes a request's signature from an error: Tripay's validation
// messages may echo what they were sent.
func scrubSig(err error, sig string) error {
	var pe *flows.ProviderError
	if errors.As(err, &pe) {
		pe.Message = scrubText(pe.Message, sig)
		if pe.Err != nil && strings.Contains(pe.Err.Error(), sig) {
			pe.Err = errors.New(scrubText(pe.Err.Error(), sig))
		}
	}
	return err
}

func scrubText(s, sig string) string { return strings.ReplaceAll(s, sig, "[redacted]") }
