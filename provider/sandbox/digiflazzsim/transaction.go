package digiflazzsim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"topupbot/provider/sandbox"
)

// Digiflazz's transaction states, as its answers spell them.
const (
	StatusSuccess = "Sukses"
	StatusPending = "Pending"
	StatusFailed  = "Gagal"
)

// Transaction is what the simulator holds for one ref_id: a prepaid
// top-up, or a bill's payment.
type Transaction struct {
	RefID      string
	SKU        string
	CustomerNo string
	MaxPrice   int64
	Testing    bool
	Postpaid   bool
	Status     string // StatusSuccess, StatusPending or StatusFailed
	RC         string
	SN         string
	Price      int64
	// Created is when the transaction was made, Settled when it reached
	// its final state (zero while pending), by the simulator's clock.
	Created time.Time
	Settled time.Time
}

type tx struct {
	Transaction
	cbURL   string
	final   string // the state a pending transaction will reach
	balance int64  // the deposit after its last movement, for answers
	timer   *time.Timer
}

// Transaction returns the transaction under ref.
func (s *Server) Transaction(ref string) (Transaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.txs[ref]
	if !ok {
		return Transaction{}, false
	}
	return t.Transaction, true
}

// answer is a transaction's data object.
func (t *tx) answer() map[string]any {
	m := map[string]any{
		"ref_id":           t.RefID,
		"customer_no":      t.CustomerNo,
		"buyer_sku_code":   t.SKU,
		"message":          rcMessage[t.RC],
		"status":           t.Status,
		"rc":               t.RC,
		"sn":               t.SN,
		"buyer_last_saldo": t.balance,
		"price":            t.Price,
		"tele":             "@simdigiflazz",
		"wa":               "081200000000",
	}
	if t.Postpaid {
		m["commands"] = "pay-pasca"
	}
	return m
}

// refusal is the answer to a request that created nothing.
func (s *Server) refusal(req request, rc string) map[string]any {
	return map[string]any{
		"ref_id":           string(req.RefID),
		"customer_no":      string(req.CustomerNo),
		"buyer_sku_code":   string(req.BuyerSKUCode),
		"message":          rcMessage[rc],
		"status":           StatusFailed,
		"rc":               rc,
		"sn":               "",
		"buyer_last_saldo": s.deposit.Balance(),
		"price":            0,
		"tele":             "",
		"wa":               "",
	}
}

// sameRequest reports whether req repeats what created t: only then is a
// re-send a status check.
func sameRequest(t *tx, req request) bool {
	return t.SKU == string(req.BuyerSKUCode) && t.CustomerNo == string(req.CustomerNo) &&
		t.MaxPrice == req.MaxPrice.Value && t.Testing == req.testing()
}

func (s *Server) handleTransaction(w http.ResponseWriter, r *http.Request) {
	req, raw, ok := s.read(w, r)
	if !ok {
		return
	}
	ref := string(req.RefID)
	if ref != "" {
		s.mu.Lock()
		s.requests[ref] = append(s.requests[ref], raw)
		s.mu.Unlock()
	}
	extra := map[string]any{"ref_id": ref, "customer_no": string(req.CustomerNo), "buyer_sku_code": string(req.BuyerSKUCode)}
	if !s.authorized(w, req, ref, extra) {
		return
	}
	if ref == "" || req.BuyerSKUCode == "" || req.CustomerNo == "" {
		s.mu.Lock()
		body := s.refusal(req, "40")
		s.mu.Unlock()
		writeData(w, http.StatusOK, body)
		return
	}
	switch string(req.Commands) {
	case "":
		s.topUp(w, req)
	case "inq-pasca":
		s.inquire(w, req)
	case "pay-pasca":
		s.pay(w, req)
	case "status-pasca":
		s.status(w, req)
	default:
		s.mu.Lock()
		body := s.refusal(req, "40")
		s.mu.Unlock()
		writeData(w, http.StatusOK, body)
	}
}

// outcome is what a test number does: the state of the first answer and
// the final one.
func outcome(customerNo string) (first, final string) {
	switch {
	case strings.HasSuffix(customerNo, "1232"):
		return StatusFailed, StatusFailed
	case strings.HasSuffix(customerNo, "1233"):
		return StatusPending, StatusSuccess
	case strings.HasSuffix(customerNo, "1234"):
		return StatusPending, StatusFailed
	}
	return StatusSuccess, StatusSuccess
}

func (s *Server) topUp(w http.ResponseWriter, req request) {
	ref := string(req.RefID)
	s.mu.Lock()
	if t, ok := s.txs[ref]; ok {
		body := s.refusal(req, "49")
		if sameRequest(t, req) && !t.Postpaid {
			body = t.answer()
		}
		s.mu.Unlock()
		writeData(w, http.StatusOK, body)
		return
	}
	if _, ok := s.bills[ref]; ok {
		body := s.refusal(req, "49")
		s.mu.Unlock()
		writeData(w, http.StatusOK, body)
		return
	}
	p, known := lookup(string(req.BuyerSKUCode), false)
	rc := ""
	switch {
	case !known || !p.BuyerActive:
		rc = "43"
	case req.MaxPrice.Value > 0 && p.Price > req.MaxPrice.Value:
		rc = "69"
	case !s.deposit.Covers(p.Price):
		rc = "44"
	}
	if rc != "" {
		body := s.refusal(req, rc)
		s.mu.Unlock()
		writeData(w, http.StatusOK, body)
		return
	}
	now := s.opts.Now()
	first, final := outcome(string(req.CustomerNo))
	if !p.SellerActive {
		first, final = StatusFailed, StatusFailed
	}
	t := &tx{
		Transaction: Transaction{
			RefID: ref, SKU: p.SKU, CustomerNo: string(req.CustomerNo), MaxPrice: req.MaxPrice.Value,
			Testing: req.testing(), Status: StatusPending, RC: "03", Price: p.Price, Created: now,
		},
		cbURL: string(req.CallbackURL),
		final: final,
	}
	t.balance = s.deposit.Debit(p.Price)
	s.txs[ref] = t
	pending := false
	switch first {
	case StatusSuccess:
		s.finish(t, StatusSuccess, now)
	case StatusFailed:
		s.finish(t, StatusFailed, now)
		if !p.SellerActive {
			t.RC = "53"
		}
	default:
		pending = true
	}
	body, status := t.answer(), t.Status
	s.mu.Unlock()
	// A transaction final at once is reported before its answer leaves,
	// so that whoever reads the answer can count on the report.
	if !pending && s.onSettle != nil {
		s.onSettle(ref, status, now)
	}
	writeData(w, http.StatusOK, body)
	if pending {
		s.schedule(ref)
	}
}

// finish moves t to its final state under s.mu: an SN on success, the
// refund on failure.
func (s *Server) finish(t *tx, status string, now time.Time) {
	t.Status, t.Settled = status, now
	if status == StatusSuccess {
		t.RC, t.SN = "00", s.serial(t)
		return
	}
	t.RC, t.SN = "02", ""
	t.balance = s.deposit.Credit(t.Price)
}

// serial is the SN Digiflazz's sellers give: a PLN token line for PLN
// tokens, a voucher code for vouchers, a reference number for the rest.
func (s *Server) serial(t *tx) string {
	if t.Postpaid {
		return sandbox.Code(sandbox.Digits, 20, "bill", t.RefID)
	}
	p, _ := lookup(t.SKU, false)
	switch p.Category {
	case "PLN":
		name, segment, power, rc := meterOwner(t.CustomerNo)
		if rc != "00" {
			name, segment, power = "PELANGGAN", "R1", "1300"
		}
		d := sandbox.Code(sandbox.Digits, 20, "token", t.RefID)
		token := d[0:4] + "-" + d[4:8] + "-" + d[8:12] + "-" + d[12:16] + "-" + d[16:20]
		kwh := fmt.Sprintf("%d.%d", p.Price/1500, p.Price%10)
		return token + "/" + name + "/" + segment + "/" + power + "/" + kwh
	case "Games":
		if strings.Contains(p.Brand, "GOOGLE") {
			return sandbox.Code(sandbox.Alnum, 16, "voucher", t.RefID)
		}
	}
	return sandbox.Code(sandbox.Digits, 20, "sn", t.RefID)
}

// schedule arranges a pending transaction's settlement after
// Options.SettleAfter's delay for it, else Options.Settle (never, when
// negative).
func (s *Server) schedule(ref string) {
	if s.opts.Settle < 0 && s.opts.SettleAfter == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.txs[ref]
	if !ok || s.closed || t.Status != StatusPending || t.timer != nil {
		return
	}
	d := s.opts.Settle
	if s.opts.SettleAfter != nil {
		d = s.opts.SettleAfter(ref)
	}
	t.timer = s.life.AfterFunc(d, func() { _ = s.Settle(ref) })
}

// Settle brings a pending transaction to its final state now, calls
// Options.OnSettle and sends the webhook. It is how a test settles when
// Options.Settle is negative.
func (s *Server) Settle(ref string) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	t, ok := s.txs[ref]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("digiflazzsim: no transaction %q", ref)
	}
	if t.Status != StatusPending {
		s.mu.Unlock()
		return fmt.Errorf("digiflazzsim: transaction %q is %s, not pending", ref, t.Status)
	}
	t.timer = nil
	now := s.opts.Now()
	s.finish(t, t.final, now)
	if t.Postpaid && t.final == StatusFailed {
		if b := s.bills[ref]; b != nil {
			b.paid = false
		}
	}
	status, body, url := t.Status, t.answer(), t.cbURL
	if url == "" {
		url = s.opts.WebhookURL
	}
	postpaid := t.Postpaid
	s.mu.Unlock()
	if s.onSettle != nil {
		s.onSettle(ref, status, now)
	}
	if url != "" {
		s.life.Go(func() { s.sendWebhook(url, body, postpaid) })
	}
	return nil
}

// sendWebhook POSTs one settlement webhook, signed when a secret is set.
// It is tried once: the simulator's webhooks are a convenience, the
// re-send check is what settles.
func (s *Server) sendWebhook(url string, data map[string]any, postpaid bool) {
	body, err := json.Marshal(map[string]any{"data": data})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(s.life.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		s.log.Warn("building webhook", "err", err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Digiflazz-Event", "update")
	agent := "Digiflazz-Hookshot"
	if postpaid {
		agent = "Digiflazz-Pasca-Hookshot"
	}
	req.Header.Set("User-Agent", agent)
	if s.opts.WebhookSecret != "" {
		req.Header.Set("X-Hub-Signature", Signature(s.opts.WebhookSecret, body))
	}
	resp, err := s.webhookCl.Do(req)
	if err != nil {
		s.log.Warn("webhook not delivered", "ref_id", data["ref_id"], "err", err)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	s.log.Info("webhook delivered", "ref_id", data["ref_id"], "http_status", resp.StatusCode)
}
