// Package wire is the HTTP plumbing the provider clients share: it marshals
// a request, POSTs it as JSON (or GETs a URL) with the client's headers, reads a capped
// answer, filters it by HTTP status and decodes it. Every failure to get a
// decodable answer is a flows.KindUnknown error: the request may or may not
// have been acted on.
//
// Package wire does not know what an answer means: response codes, envelopes
// and their classification stay in each provider's client.
package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"topupbot/flows"
)

// MaxAnswer caps how much of an answer is read: a full price list is a few
// hundred kilobytes, anything near this is not a provider talking.
const MaxAnswer = 16 << 20

// Client posts JSON to one provider account. Its zero value is not usable:
// HTTP must be set. It is safe for concurrent use.
type Client struct {
	// HTTP sends the requests.
	HTTP *http.Client
	// Header is added to every request, after the JSON content headers.
	Header http.Header
	// Secret, when it is at least 4 bytes long, is replaced by "[redacted]"
	// in answers before they are decoded and in every error: a platform
	// that echoes a key must not carry it into results or logs.
	Secret string
	// Accept reports whether an answer with this HTTP status is decoded;
	// any other status is KindUnknown with a snippet of the body.
	Accept func(status int) bool
	// Max caps the answer for a client whose answers are small; zero means
	// MaxAnswer.
	Max int64
}

// Post sends body as JSON to url and decodes an accepted answer into into.
// It returns the HTTP status and the (scrubbed) body it read, also on error
// once an answer arrived.
func (c *Client) Post(ctx context.Context, op, url string, body, into any) (int, []byte, error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return 0, nil, c.Unknown(op, "encode request", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return 0, nil, c.Unknown(op, "build request", err)
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(op, req, into)
}

// Get sends a GET to url (its query already encoded) and decodes an
// accepted answer into into, like Post.
func (c *Client) Get(ctx context.Context, op, url string, into any) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, c.Unknown(op, "build request", err)
	}
	return c.do(op, req, into)
}

func (c *Client) do(op string, req *http.Request, into any) (int, []byte, error) {
	req.Header.Set("Accept", "application/json")
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	limit := c.Max
	if limit <= 0 {
		limit = MaxAnswer
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, c.Unknown(op, "", err)
	}
	defer resp.Body.Close()
	status := resp.StatusCode
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return status, nil, c.Unknown(op, fmt.Sprintf("read http %d answer", status), err)
	}
	if int64(len(raw)) > limit {
		return status, nil, c.Unknown(op, fmt.Sprintf("http %d answer larger than %d bytes", status, limit), nil)
	}
	// The secret goes before anything is decoded.
	if len(c.Secret) >= 4 {
		raw = bytes.ReplaceAll(raw, []byte(c.Secret), []byte("[redacted]"))
	}
	if !c.Accept(status) {
		return status, raw, c.Unknown(op, fmt.Sprintf("http %d: %s", status, c.Snippet(raw)), nil)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return status, raw, c.Unknown(op, fmt.Sprintf("undecodable http %d answer %s", status, c.Snippet(raw)), err)
	}
	return status, raw, nil
}

// Unknown is the error for an answer that settles nothing, with the secret
// scrubbed from msg and err.
func (c *Client) Unknown(op, msg string, err error) *flows.ProviderError {
	return &flows.ProviderError{Kind: flows.KindUnknown, Op: op, Message: c.Scrub(msg), Err: c.scrubErr(err)}
}

// Scrub removes the secret from text that came from the provider or the
// transport.
func (c *Client) Scrub(s string) string {
	if len(c.Secret) >= 4 {
		s = strings.ReplaceAll(s, c.Secret, "[redacted]")
	}
	return s
}

func (c *Client) scrubErr(err error) error {
	if err == nil || len(c.Secret) < 4 || !strings.Contains(err.Error(), c.Secret) {
		return err
	}
	return errors.New(c.Scrub(err.Error()))
}

// Snippet is the start of a body for an error message, on one line, quoted,
// with the secret scrubbed: HTML error pages say which proxy answered.
func (c *Client) Snippet(raw []byte) string { return snippet(raw, c.Scrub) }

// Snippet is the start of a body for an error message, on one line, quoted.
func Snippet(raw []byte) string { return snippet(raw, func(s string) string { return s }) }

func snippet(raw []byte, scrub func(string) string) string {
	const limit = 160
	// Scrub before cutting: a secret across the cut would leave its first half.
	s := scrub(strings.Join(strings.Fields(strings.ToValidUTF8(scrub(string(raw)), "?")), " "))
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return fmt.Sprintf("%q", s)
}
