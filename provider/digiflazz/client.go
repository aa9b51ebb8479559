// Package digiflazz is a client for Digiflazz's buyer API: cek-saldo,
// price-list (prepaid and pasca), transaction (prepaid top-ups and their
// same-ref re-send checks; postpaid inq-pasca, pay-pasca, status-pasca),
// inquiry-pln, and the webhook. It translates Digiflazz's wire format and
// response codes into flows' vocabulary: a flows.Result for an answer about a
// transaction, or a *flows.ProviderError whose Kind tells the order engine
// what to do.
//
// Digiflazz has no prepaid status endpoint: Check re-sends the identical
// top-up under the same ref_id (never for a first send older than
// MaxRecheckAge), and on a re-send only a made transaction's failure fails
// an order. rc 49 is recognised with IsRefNotUnique, rc 83 on a price list
// with ErrTooSoon. A game id the bot keeps as "userid|zoneid" is sent as
// the two written together, as Digiflazz takes it.
//
// Package digiflazz decides nothing about orders: it never retries, never
// fails an order and keeps no state. It never logs, except in the webhook
// handler, which is an edge of the program.
package digiflazz

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

// ProductionURL is Digiflazz's buyer API. Development keys use the same URL
// with testing:true.
const ProductionURL = "https://api.digiflazz.com/v1"

// DefaultTimeout is the request timeout when Config.HTTPClient is nil.
// Digiflazz answers a transaction synchronously, so a slow biller makes a
// slow answer.
const DefaultTimeout = 60 * time.Second

// Config configures a Client.
type Config struct {
	// BaseURL defaults to ProductionURL.
	BaseURL  string
	Username string
	APIKey   string
	// Testing sends testing:true with every transaction: Digiflazz's test
	// cases (a development key) instead of real top-ups.
	Testing bool
	// CallbackURL, when set, is sent as cb_url with every top-up: the webhook
	// for this account's transactions, instead of the one configured at
	// Digiflazz.
	CallbackURL string
	// HTTPClient defaults to a client with DefaultTimeout.
	HTTPClient *http.Client
	// Now defaults to time.Now; the age of a first send and bill expiry are
	// computed from it.
	Now func() time.Time
}

// Client talks to one Digiflazz account. It is safe for concurrent use.
type Client struct {
	baseURL  string
	username string
	apiKey   string
	testing  bool
	cbURL    string
	wire     *wire.Client
	now      func() time.Time
}

var (
	_ flows.Provider       = (*Client)(nil)
	_ flows.CatalogSources = (*Client)(nil)
	_ flows.Catalog        = (*Client)(nil)
	_ flows.BalanceChecker = (*Client)(nil)
	_ flows.MeterInquirer  = (*Client)(nil)
	_ flows.BillPayer      = (*Client)(nil)
	_ flows.ResendLimits   = (*Client)(nil)
)

// New returns a client for the account in cfg.
func New(cfg Config) (*Client, error) {
	c := &Client{
		baseURL:  strings.TrimRight(cfg.BaseURL, "/"),
		username: cfg.Username,
		apiKey:   cfg.APIKey,
		testing:  cfg.Testing,
		cbURL:    cfg.CallbackURL,
		now:      cfg.Now,
	}
	if c.baseURL == "" {
		c.baseURL = ProductionURL
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.wire = &wire.Client{HTTP: hc, Accept: accepted, Secret: c.apiKey}
	var problems []error
	if c.username == "" {
		problems = append(problems, errors.New("digiflazz: username is required"))
	}
	if c.apiKey == "" {
		problems = append(problems, errors.New("digiflazz: api key is required"))
	}
	if !strings.HasPrefix(c.baseURL, "https://") && !strings.HasPrefix(c.baseURL, "http://") {
		problems = append(problems, fmt.Errorf("digiflazz: base url %q must start with https://", c.baseURL))
	}
	if c.cbURL != "" && !strings.HasPrefix(c.cbURL, "https://") && !strings.HasPrefix(c.cbURL, "http://") {
		problems = append(problems, fmt.Errorf("digiflazz: callback url %q must start with https://", c.cbURL))
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return c, nil
}

// Account identifies the account orders are placed with.
//
// Testing mode is part of it: an order placed with "testing": true is never
// re-sent without it (a real purchase, or rc 49) after the operator turns
// testing off — it stays with the testing account and alerts (DESIGN rule 4).
func (c *Client) Account() flows.Account {
	id := c.username
	if c.testing {
		id += "+testing"
	}
	return flows.Account{Provider: "digiflazz", ID: id, KeyHash: flows.KeyFingerprint(c.apiKey)}
}

// String describes the client without its api key.
func (c *Client) String() string { return "digiflazz(" + c.username + "@" + c.baseURL + ")" }

// sign is Digiflazz's request signature: md5(username + api_key + x) in
// lowercase hex; x is "depo", "pricelist", the ref_id or the customer number
// depending on the call.
func sign(username, apiKey, x string) string {
	sum := md5.Sum([]byte(username + apiKey + x))
	return hex.EncodeToString(sum[:])
}

func (c *Client) sign(x string) string { return sign(c.username, c.apiKey, x) }

// post sends body as JSON to endpoint and returns the "data" member of the
// answer, an object or (price-list) an array. Every failure to get a
// readable answer is KindUnknown: the request may or may not have been acted
// on.
func (c *Client) post(ctx context.Context, op, endpoint string, body any) (json.RawMessage, error) {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	status, raw, err := c.wire.Post(ctx, op, c.baseURL+"/"+endpoint, body, &env)
	if err != nil {
		return nil, err
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return nil, c.wire.Unknown(op, fmt.Sprintf("http %d answer without data: %s", status, c.wire.Snippet(raw)), nil)
	}
	return env.Data, nil
}

// accepted reports the statuses whose bodies are read. Digiflazz answers
// business results with 200 and some refusals (a bad sign, a payload error)
// with 400 and the same {"data":{…}} envelope. Anything else says nothing
// about the transaction.
func accepted(status int) bool { return status == http.StatusOK || status == http.StatusBadRequest }

// decode reads a data object into v; a body of the wrong shape is unknown.
func (c *Client) decode(op string, raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return c.wire.Unknown(op, "undecodable answer "+c.wire.Snippet(raw), err)
	}
	return nil
}
