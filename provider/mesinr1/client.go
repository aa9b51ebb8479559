package mesinr1

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
	"topupbot/provider/internal/wire"
)

const (
	// DefaultTimeout bounds one HTTP exchange when Config.HTTPClient is nil.
	DefaultTimeout = 30 * time.Second
	// InquiryHold is how long a postpaid inquiry stays payable (seed 002:
	// "Expires after 15 minutes").
	InquiryHold = 15 * time.Minute

	// maxPages stops a paginator that never ends.
	maxPages = 1000
	// providerName is the Account's Provider.
	providerName = "mesinr1"
)

// Config configures a Client.
type Config struct {
	// BaseURL is the tenant's host, e.g. "https://apiindotel.mesinr1.com";
	// a trailing "/V1/api" is accepted too.
	BaseURL string
	// MMID is the partner's member id, sent in every body.
	MMID string
	// APIKey is the partner's key, sent as the rqid header. It is never
	// logged, printed or put in an error.
	APIKey string
	// HTTPClient defaults to a client with DefaultTimeout.
	HTTPClient *http.Client
	// Now defaults to time.Now; it dates inquiries and their expiry.
	Now func() time.Time
	// Logger receives the catalog entries Products had to skip; nil
	// discards them.
	Logger *slog.Logger
}

// String renders the configuration without the api key.
func (c Config) String() string {
	return fmt.Sprintf("mesinr1.Config{BaseURL:%q MMID:%q APIKey:%s}", c.BaseURL, c.MMID, redact(c.APIKey))
}

// GoString is String: %#v must not print the key either.
func (c Config) GoString() string { return c.String() }

// LogValue keeps the api key out of structured logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", c.BaseURL), slog.String("mmid", c.MMID),
		slog.String("api_key", redact(c.APIKey)))
}

func redact(key string) string {
	if key == "" {
		return `""`
	}
	return "[redacted]"
}

// Client speaks to one Mesin R1 account. It is safe for concurrent use.
type Client struct {
	endpoint string // ".../V1/api/"
	host     string // the tenant's host name, part of the Account
	mmid     string
	apiKey   string
	keyHash  string
	wire     *wire.Client
	now      func() time.Time
	log      *slog.Logger
}

var (
	_ flows.Provider       = (*Client)(nil)
	_ flows.Catalog        = (*Client)(nil)
	_ flows.BalanceChecker = (*Client)(nil)
	_ flows.BillPayer      = (*Client)(nil)
	_ flows.MutationLister = (*Client)(nil)
)

// New validates cfg and returns a client. Its errors name every problem and
// never contain the api key.
func New(cfg Config) (*Client, error) {
	var errs []error
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if len(base) >= len("/V1/api") && strings.EqualFold(base[len(base)-len("/V1/api"):], "/V1/api") {
		base = base[:len(base)-len("/V1/api")]
	}
	u, err := url.Parse(base)
	switch {
	case base == "":
		errs = append(errs, errors.New("mesinr1: base_url is empty"))
	case err != nil:
		errs = append(errs, fmt.Errorf("mesinr1: base_url: %w", err))
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		errs = append(errs, fmt.Errorf("mesinr1: base_url %q is not an absolute http(s) URL", u.Redacted()))
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		errs = append(errs, fmt.Errorf("mesinr1: base_url %q must not carry a query, fragment or user info", u.Redacted()))
	}
	mmid := strings.TrimSpace(cfg.MMID)
	if mmid == "" {
		errs = append(errs, errors.New("mesinr1: mmid is empty"))
	} else if strings.ContainsAny(mmid, " \t\r\n") {
		errs = append(errs, fmt.Errorf("mesinr1: mmid %q contains white space", mmid))
	}
	if cfg.APIKey == "" {
		errs = append(errs, errors.New("mesinr1: api key is empty"))
	} else if strings.TrimSpace(cfg.APIKey) != cfg.APIKey || strings.ContainsAny(cfg.APIKey, "\r\n") {
		// The key travels as a header value; say what is wrong without it.
		errs = append(errs, errors.New("mesinr1: api key has surrounding white space or a line break"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c := &Client{
		endpoint: base + "/V1/api/",
		host:     strings.ToLower(u.Hostname()),
		mmid:     mmid,
		apiKey:   cfg.APIKey,
		keyHash:  flows.KeyFingerprint(cfg.APIKey),
		now:      cfg.Now,
		log:      cfg.Logger,
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	c.wire = &wire.Client{HTTP: hc, Header: http.Header{"Rqid": {cfg.APIKey}}, Secret: cfg.APIKey, Accept: accepted}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.log = c.log.With("component", "mesinr1")
	return c, nil
}

// String describes the client without its api key.
func (c *Client) String() string {
	return fmt.Sprintf("mesinr1.Client{endpoint:%q mmid:%q key:%s}", c.endpoint, c.mmid, c.keyHash)
}

// GoString is String: %#v must not print the key either.
func (c *Client) GoString() string { return c.String() }

// Account identifies the account orders are placed with; the key appears
// only as its fingerprint. The tenant's host is part of it: Mesin R1 is
// white-label, and two tenants may know the same mmid and key (DESIGN rule
// 4). The port is not: the in-process sandbox listens on a new one at every
// start.
func (c *Client) Account() flows.Account {
	return flows.Account{Provider: providerName, ID: c.mmid, KeyHash: c.keyHash, Host: c.host}
}

// envelope is every answer's wrapper: {"status","code","message","rc","data"}.
type envelope struct {
	Status flex.String `json:"status"`
	// code (the HTTP status mirrored) is not read: the real status decides,
	// and a garbled copy of it must not make an answer unreadable.
	Message text            `json:"message"`
	RC      flex.String     `json:"rc"`
	Data    json.RawMessage `json:"data"`

	httpStatus int
}

func (e *envelope) rc() string { return strings.TrimSpace(string(e.RC)) }

// ok reports an explicit success envelope.
func (e *envelope) ok() bool {
	return strings.EqualFold(strings.TrimSpace(string(e.Status)), "success")
}

// failed reports an explicit failure envelope. An envelope that says neither
// (no status, "pending", garbage) is not a refusal.
func (e *envelope) failed() bool {
	switch strings.ToLower(strings.TrimSpace(string(e.Status))) {
	case "error", "failed", "fail", "gagal":
		return true
	}
	return false
}

// text is a message that may arrive as a string or, from a framework error
// page, as an object or array; it keeps whatever it got as text.
type text string

func (t *text) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*t = text(s)
		return nil
	}
	if bytes.Equal(data, []byte("null")) {
		*t = ""
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return err
	}
	*t = text(buf.String())
	return nil
}

// call POSTs one request and decodes the envelope of a 2xx or 4xx answer.
// Everything else — transport errors, 5xx, bodies that are not a JSON
// envelope — is KindUnknown: we cannot tell whether anything happened.
func (c *Client) call(ctx context.Context, op, name string, fields map[string]any) (*envelope, error) {
	body := map[string]any{"mmid": c.mmid}
	maps.Copy(body, fields)
	env := &envelope{}
	status, _, err := c.wire.Post(ctx, op, c.endpoint+name, body, env)
	if err != nil {
		return nil, err
	}
	env.httpStatus = status
	return env, nil
}

// accepted reports the statuses whose envelope is read: 2xx, and 4xx,
// which carry Mesin R1's refusals.
func accepted(status int) bool { return status >= 200 && status < 300 || status >= 400 && status < 500 }

// unknown is the error for an answer that settles nothing.
func (c *Client) unknown(op, msg string, err error) *flows.ProviderError {
	return c.wire.Unknown(op, msg, err)
}

// unknownAnswer is unknown with the answer's rc kept for the logs.
func (c *Client) unknownAnswer(op string, env *envelope, msg string) *flows.ProviderError {
	pe := c.unknown(op, msg, nil)
	pe.RC = env.rc()
	if m := c.scrub(string(env.Message)); m != "" && pe.Message != "" {
		pe.Message += ": " + m
	} else if m != "" {
		pe.Message = m
	}
	return pe
}

// refusal classifies an answer that carries no transaction record (DESIGN
// rule 5). Only an explicit failure with an rc that does not mean "exists"
// or "still working" is a rejection.
func (c *Client) refusal(op string, env *envelope) *flows.ProviderError {
	rc := env.rc()
	msg := c.scrub(string(env.Message))
	pe := &flows.ProviderError{Kind: flows.KindUnknown, Op: op, RC: rc, Message: msg}
	switch {
	case rc == rcDuplicate, rc == rcTimeout, rc == rcMalfunction:
		// Exists, or may yet happen: never a failure.
	case misconfigured(rc, env.httpStatus, msg):
		pe.Kind = flows.KindMisconfigured
	case !env.failed():
		// "success" (or nothing) without a record tells us nothing.
		pe.Message = strings.TrimSpace("no transaction record " + msg)
	case rc == rcSuccess:
	case rc == "" && (env.httpStatus == http.StatusRequestTimeout || env.httpStatus == http.StatusConflict ||
		env.httpStatus == http.StatusTooEarly || env.httpStatus == http.StatusTooManyRequests):
		// Throttled or conflicting without an rc: try again later.
	case rc == "" && (env.httpStatus == http.StatusNotFound || env.httpStatus == http.StatusMethodNotAllowed):
		// The route itself is missing: the base URL is wrong.
		pe.Kind = flows.KindMisconfigured
	default:
		pe.Kind = flows.KindRejected
		pe.Reason = reasonFor(rc, msg)
	}
	return pe
}

// scrub removes the api key from text that came from the provider or the
// transport: a platform that echoes the rqid must not leak it into logs.
func (c *Client) scrub(s string) string { return c.wire.Scrub(s) }
