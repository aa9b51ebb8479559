// Package iak is a client for the IAK (ex Mobile Pulsa) host-to-host API:
// prepaid v2 (top-up, check-status, check-balance, pricelist, inquiry-pln),
// postpaid (pricelist, inquiry, payment, check-status) and the prepaid
// callback. It translates IAK's wire format and response codes into flows'
// vocabulary: a flows.Result for an answer about a transaction, or a
// *flows.ProviderError whose Kind tells the order engine what to do.
//
// Package iak decides nothing about orders: it never retries, never fails an
// order and keeps no state. It never logs, except in the callback handler,
// which is an edge of the program.
package iak

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"topupbot/flows"
	"topupbot/provider/internal/wire"
)

// IAK's base URLs. Sandbox and production differ only by URL and api key.
const (
	ProductionPrepaidURL  = "https://prepaid.iak.id"
	SandboxPrepaidURL     = "https://prepaid.iak.dev"
	ProductionPostpaidURL = "https://mobilepulsa.net"
	SandboxPostpaidURL    = "https://testpostpaid.mobilepulsa.net"
)

// DefaultTimeout is the request timeout when Config.HTTPClient is nil; IAK
// recommends 30 s.
const DefaultTimeout = 30 * time.Second

// Config configures a Client.
type Config struct {
	// PrepaidURL and PostpaidURL default to production.
	PrepaidURL  string
	PostpaidURL string
	// Username is the account's registered phone number.
	Username string
	APIKey   string
	// HTTPClient defaults to a client with DefaultTimeout.
	HTTPClient *http.Client
	// Timeout is the provider timeout: how long one call may take. A re-send
	// refused without a transaction fails an order only once the order's
	// first send is older than twice this (DESIGN rule 4). Default: the
	// HTTPClient's Timeout, or DefaultTimeout.
	Timeout time.Duration
	// Now defaults to time.Now; bill expiry is computed from it, and the age
	// of a first send.
	Now func() time.Time
}

// Client talks to one IAK account. It is safe for concurrent use.
type Client struct {
	prepaidURL  string
	postpaidURL string
	username    string
	apiKey      string
	http        *http.Client
	wire        *wire.Client
	timeout     time.Duration
	now         func() time.Time
}

var (
	_ flows.Provider        = (*Client)(nil)
	_ flows.Catalog         = (*Client)(nil)
	_ flows.BalanceChecker  = (*Client)(nil)
	_ flows.MeterInquirer   = (*Client)(nil)
	_ flows.BillPayer       = (*Client)(nil)
	_ flows.ActivationCoder = (*Client)(nil)
)

// DeliversActivationCodes reports that IAK gives an eSIM's activation code
// in activation_code (check-status and callbacks), its ICCID in sn: an eSIM
// success without the code has not delivered it.
func (c *Client) DeliversActivationCodes() bool { return true }

// New returns a client for the account in cfg.
func New(cfg Config) (*Client, error) {
	c := &Client{
		prepaidURL:  strings.TrimRight(cfg.PrepaidURL, "/"),
		postpaidURL: strings.TrimRight(cfg.PostpaidURL, "/"),
		username:    cfg.Username,
		apiKey:      cfg.APIKey,
		http:        cfg.HTTPClient,
		timeout:     cfg.Timeout,
		now:         cfg.Now,
	}
	if c.prepaidURL == "" {
		c.prepaidURL = ProductionPrepaidURL
	}
	if c.postpaidURL == "" {
		c.postpaidURL = ProductionPostpaidURL
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultTimeout}
	}
	if c.timeout <= 0 {
		c.timeout = c.http.Timeout
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.wire = &wire.Client{HTTP: c.http, Accept: accepted}
	var problems []error
	if c.username == "" {
		problems = append(problems, errors.New("iak: username is required"))
	}
	if c.apiKey == "" {
		problems = append(problems, errors.New("iak: api key is required"))
	}
	for _, u := range []string{c.prepaidURL, c.postpaidURL} {
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			problems = append(problems, fmt.Errorf("iak: base url %q must start with https://", u))
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return c, nil
}

// Account identifies the account orders are placed with.
func (c *Client) Account() flows.Account {
	return flows.Account{Provider: "iak", ID: c.username, KeyHash: flows.KeyFingerprint(c.apiKey)}
}

// String describes the client without its api key.
func (c *Client) String() string { return "iak(" + c.username + "@" + c.prepaidURL + ")" }

// sign is IAK's request signature: md5(username + api_key + additional), in
// lowercase hex. What "additional" is depends on the call.
func sign(username, apiKey, additional string) string {
	sum := md5.Sum([]byte(username + apiKey + additional))
	return hex.EncodeToString(sum[:])
}

func (c *Client) sign(additional string) string { return sign(c.username, c.apiKey, additional) }

// post sends body as JSON and returns the "data" member of the answer.
// Every failure to get a readable IAK answer is KindUnknown: the request may
// or may not have been acted on.
func (c *Client) post(ctx context.Context, op, url string, body any) (json.RawMessage, int, error) {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	status, raw, err := c.wire.Post(ctx, op, url, body, &env)
	if err != nil {
		return nil, status, err
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return nil, status, c.wire.Unknown(op, fmt.Sprintf("http %d answer without data: %s", status, snippet(raw)), nil)
	}
	return env.Data, status, nil
}

// accepted reports the statuses IAK answers with: business results, failed
// ones included, with 200 and validation errors with 400, both as
// {"data":{...}}. Anything else (5xx, a gateway's HTML page) says nothing
// about the transaction.
func accepted(status int) bool { return status == http.StatusOK || status == http.StatusBadRequest }

// snippet returns the start of a body for an error message, on one line.
func snippet(b []byte) string { return wire.Snippet(b) }
