package digiflazz

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"topupbot/flows"
)

// MaxWebhookBody caps a webhook body. A real one is under a kilobyte.
const MaxWebhookBody = 64 << 10

// Webhook is one delivery of Digiflazz's webhook: a transaction's state,
// shaped like the transaction answer.
type Webhook struct {
	// Event is X-Digiflazz-Event: "create" or "update".
	Event string
	// Verified is true when X-Hub-Signature matched the configured secret.
	// A verified webhook is Digiflazz's word on the transaction (DESIGN rule
	// 7); an unverified one (no secret configured) is only a hint to check.
	Verified bool
	RefID    string
	// SKU and CustomerNo are what the body says the transaction is; the
	// receiver matches them against the order before believing it.
	SKU        string
	CustomerNo string
	// Postpaid is true for a pasca transaction (the Pasca user agent or a
	// commands field).
	Postpaid bool
	// Result and Err are the body read as a check's answer: the same
	// classifier as Check, so a webhook never fails an order on a refusal
	// that created no transaction. Exactly one is set.
	Result flows.Result
	Err    error
}

// Matches reports whether the webhook is about req: the same ref_id, sku
// and customer number as they were sent (a game id "userid|zoneid" goes
// out written together). A verified webhook settles an order only when it
// matches (DESIGN rule 7).
func (wh Webhook) Matches(req flows.OrderRequest) bool {
	return wh.RefID == req.RefID && strings.EqualFold(wh.SKU, req.ProductCode) &&
		wh.CustomerNo == wireCustomerNo(req.CustomerNumber)
}

// WebhookOptions configures WebhookHandler.
type WebhookOptions struct {
	// Secret is the webhook secret set at Digiflazz. With it, a delivery
	// without a matching X-Hub-Signature gets 403 and never reaches Handle.
	// Without it every delivery reaches Handle with Verified false.
	Secret string
	// Handle receives every readable delivery. A non-nil error answers 500
	// so that Digiflazz sends it again.
	Handle func(ctx context.Context, wh Webhook) error
	// Logger defaults to discarding.
	Logger *slog.Logger
}

type webhookHandler struct {
	secret []byte
	handle func(context.Context, Webhook) error
	log    *slog.Logger
}

// WebhookHandler returns the http.Handler for Digiflazz's webhook: a POST
// of {"data":{…}} signed with X-Hub-Signature: sha1=<hex HMAC-SHA1 of the
// raw body>. A forged or missing signature (with a Secret) gets 403, an
// unreadable body 400, an oversized one 413, a ping 200; Handle sees none of
// them.
func WebhookHandler(opts WebhookOptions) (http.Handler, error) {
	if opts.Handle == nil {
		return nil, errors.New("digiflazz: webhook handler needs a Handle function")
	}
	h := &webhookHandler{secret: []byte(opts.Secret), handle: opts.Handle, log: opts.Logger}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.log = h.log.With("component", "digiflazz_webhook")
	return h, nil
}

// webhookSignature is the X-Hub-Signature value for body under secret.
func webhookSignature(secret, body []byte) string {
	m := hmac.New(sha1.New, secret)
	m.Write(body)
	return "sha1=" + hex.EncodeToString(m.Sum(nil))
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.log.Warn("webhook body over the limit", "remote", r.RemoteAddr, "limit", MaxWebhookBody)
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		h.log.Warn("reading webhook body", "remote", r.RemoteAddr, "err", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	agent := r.Header.Get("User-Agent")
	verified := false
	if len(h.secret) > 0 {
		got := strings.TrimSpace(r.Header.Get("X-Hub-Signature"))
		want := webhookSignature(h.secret, raw)
		// hmac.Equal compares in constant time; the signature itself is
		// never logged.
		if !hmac.Equal([]byte(strings.ToLower(got)), []byte(want)) {
			h.log.Warn("webhook with a missing or bad signature", "remote", r.RemoteAddr, "user_agent", logText(agent), "signed", got != "")
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		verified = true
	}
	wh, ping, err := ParseWebhook(r.Header.Get("X-Digiflazz-Event"), agent, raw)
	switch {
	case err != nil:
		h.log.Warn("undecodable webhook", "remote", r.RemoteAddr, "user_agent", logText(agent), "err", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	case ping:
		h.log.Info("webhook ping", "remote", r.RemoteAddr, "user_agent", logText(agent), "verified", verified)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
		return
	}
	wh.Verified = verified
	if err := h.handle(r.Context(), wh); err != nil {
		h.log.Error("handling webhook", "ref_id", logText(wh.RefID), "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	h.log.Info("webhook accepted", "ref_id", logText(wh.RefID), "event", logText(wh.Event), "verified", verified,
		"user_agent", logText(agent), "status", string(wh.Result.Status), "kind", string(flows.KindOf(wh.Err)))
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"status":"ok"}`)
}

// ParseWebhook reads a webhook body, given its X-Digiflazz-Event and
// User-Agent headers. ping reports Digiflazz's ping event ({"hook_id":…}),
// which carries no transaction. A body without a data object naming a
// ref_id is an error; so is anything undecodable. Verified is left false:
// the signature is the handler's business.
func ParseWebhook(event, userAgent string, body []byte) (wh Webhook, ping bool, err error) {
	var env struct {
		HookID json.RawMessage `json:"hook_id"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return Webhook{}, false, fmt.Errorf("digiflazz: webhook: %w", err)
	}
	if len(env.HookID) > 0 && string(env.HookID) != "null" && len(env.Data) == 0 {
		return Webhook{}, true, nil
	}
	if len(env.Data) == 0 || env.Data[0] != '{' {
		return Webhook{}, false, errors.New("digiflazz: webhook: no data object")
	}
	var d txData
	if err := json.Unmarshal(env.Data, &d); err != nil {
		return Webhook{}, false, fmt.Errorf("digiflazz: webhook data: %w", err)
	}
	ref := strings.TrimSpace(string(d.RefID))
	if ref == "" {
		return Webhook{}, false, errors.New("digiflazz: webhook without ref_id")
	}
	wh = Webhook{
		Event:      strings.ToLower(strings.TrimSpace(event)),
		RefID:      ref,
		SKU:        strings.TrimSpace(string(d.BuyerSKUCode)),
		CustomerNo: strings.TrimSpace(string(d.CustomerNo)),
		Postpaid:   strings.Contains(strings.ToLower(userAgent), "pasca") || d.Commands != "",
	}
	wh.Result, wh.Err = classify("digiflazz: webhook "+logText(ref), expect{refID: ref}, d, true)
	return wh, false, nil
}

// logText bounds what a caller chose before it is logged: an unsigned body
// of 64 KB must not make a log line of 64 KB.
func logText(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}
