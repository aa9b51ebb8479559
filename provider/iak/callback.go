package iak

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// MaxCallbackBody caps a callback body. A real one is under a kilobyte.
const MaxCallbackBody = 64 << 10

// Callback is what an IAK prepaid callback claims about an order. Its sign
// proves only that it was made with our api key for this ref_id — not the
// status or the SN, and it can be replayed — so it is a hint to check the
// order, never a settlement (DESIGN rule 7).
type Callback struct {
	RefID string
	// Claimed is the status the callback claims: success, failed, pending,
	// or "" when unreadable.
	Claimed        flows.Status
	ProductCode    string
	CustomerID     string
	Price          int64
	Message        string
	SN             string
	PIN            string
	ActivationCode string
	Balance        int64
	TrID           string
	RC             string
}

// CallbackOptions configures CallbackHandler.
type CallbackOptions struct {
	// AllowedIPs, when not empty, are the only peers whose callbacks are
	// accepted: addresses ("52.220.38.194") or prefixes ("52.220.38.0/24").
	// They are matched against the TCP peer, never a forwarded header: behind
	// a proxy, leave this empty.
	AllowedIPs []string
	// Handle receives every callback with a valid sign, including ones for
	// refs the bot does not know. A non-nil error answers 500 so that IAK
	// sends the callback again.
	Handle func(ctx context.Context, cb Callback) error
	// Logger defaults to discarding.
	Logger *slog.Logger
}

type callbackHandler struct {
	username, apiKey string
	allowed          []netip.Prefix
	handle           func(context.Context, Callback) error
	log              *slog.Logger
}

// CallbackHandler returns the http.Handler for IAK's prepaid callbacks:
// a POST of {"data":{...}} with string values and sign =
// md5(username+api_key+ref_id). A forged sign or a disallowed peer gets 403,
// an unreadable body 400, an oversized one 413; nothing reaches Handle then.
func (c *Client) CallbackHandler(opts CallbackOptions) (http.Handler, error) {
	if opts.Handle == nil {
		return nil, errors.New("iak: callback handler needs a Handle function")
	}
	h := &callbackHandler{username: c.username, apiKey: c.apiKey, handle: opts.Handle, log: opts.Logger}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.log = h.log.With("component", "iak_callback")
	for _, s := range opts.AllowedIPs {
		p, err := parsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("iak: callback allowed ip %q: %w", s, err)
		}
		h.allowed = append(h.allowed, p)
	}
	return h, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (h *callbackHandler) peerAllowed(remoteAddr string) bool {
	if len(h.allowed) == 0 {
		return true
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range h.allowed {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

type callbackBody struct {
	Data struct {
		RefID          flex.String `json:"ref_id"`
		Status         flex.String `json:"status"`
		ProductCode    flex.String `json:"product_code"`
		Code           flex.String `json:"code"` // v1 accounts
		CustomerID     flex.String `json:"customer_id"`
		HP             flex.String `json:"hp"` // v1 accounts
		Price          flex.Int    `json:"price"`
		Message        flex.String `json:"message"`
		SN             flex.String `json:"sn"`
		PIN            flex.String `json:"pin"`
		ActivationCode flex.String `json:"activation_code"`
		Balance        flex.Int    `json:"balance"`
		TrID           flex.String `json:"tr_id"`
		RC             flex.String `json:"rc"`
		Sign           flex.String `json:"sign"`
	} `json:"data"`
}

func (h *callbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !h.peerAllowed(r.RemoteAddr) {
		h.log.Warn("callback from a peer not allowed", "remote", r.RemoteAddr)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxCallbackBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.log.Warn("callback body over the limit", "remote", r.RemoteAddr, "limit", MaxCallbackBody)
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		h.log.Warn("reading callback body", "remote", r.RemoteAddr, "err", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var body callbackBody
	if err := json.Unmarshal(raw, &body); err != nil {
		h.log.Warn("undecodable callback", "remote", r.RemoteAddr, "err", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	d := body.Data
	refID := strings.TrimSpace(string(d.RefID))
	if refID == "" || d.Sign == "" {
		h.log.Warn("callback without ref_id or sign", "remote", r.RemoteAddr)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	want := sign(h.username, h.apiKey, refID)
	got := strings.ToLower(strings.TrimSpace(string(d.Sign)))
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		// The sign itself is never logged: a valid one would be a credential.
		h.log.Warn("callback with a bad sign", "remote", r.RemoteAddr, "ref_id", logRef(refID))
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	cb := Callback{
		RefID:          refID,
		Claimed:        claimedStatus(string(d.Status)),
		ProductCode:    firstOf(string(d.ProductCode), string(d.Code)),
		CustomerID:     firstOf(string(d.CustomerID), string(d.HP)),
		Price:          d.Price.Value,
		Message:        string(d.Message),
		SN:             string(d.SN),
		PIN:            string(d.PIN),
		ActivationCode: string(d.ActivationCode),
		Balance:        d.Balance.Value,
		TrID:           string(d.TrID),
		RC:             string(d.RC),
	}
	if err := h.handle(r.Context(), cb); err != nil {
		h.log.Error("handling callback", "ref_id", logRef(refID), "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	h.log.Info("callback accepted", "ref_id", logRef(refID), "claimed", string(cb.Claimed), "rc", logRef(cb.RC))
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"status":"ok"}`)
}

// logRef bounds what a caller chose (our refs are at most 20 characters)
// before it is logged: an unsigned body of 64 KB must not make a log line
// of 64 KB.
func logRef(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}

func claimedStatus(s string) flows.Status {
	switch strings.TrimSpace(s) {
	case "0":
		return flows.StatusPending
	case "1":
		return flows.StatusSuccess
	case "2":
		return flows.StatusFailed
	}
	return ""
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
