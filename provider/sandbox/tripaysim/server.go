package tripaysim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"topupbot/provider/internal/flex"
	"topupbot/provider/sandbox"
)

// Amount limits of a QRIS payment in the simulator.
const (
	MinAmount = 1_000
	MaxAmount = 5_000_000
)

// Fee model: FeeFlat + FeePermille‰ of the asked amount, rounded up.
const (
	FeeFlat     = 750
	FeePermille = 7
)

// Fee is the QRIS fee of amount.
func Fee(amount int64) int64 { return FeeFlat + (amount*FeePermille+999)/1000 }

// Options configures a simulator. MerchantCode, APIKey and PrivateKey are
// required.
type Options struct {
	MerchantCode string
	APIKey       string
	PrivateKey   string
	// FeeToCustomer charges the fee to the buyer instead of the merchant.
	FeeToCustomer bool
	// CallbackURL is where callbacks go for payments created without a
	// callback_url (Tripay's merchant setting); empty sends none for them.
	CallbackURL string
	// CallbackClient sends callbacks; default a client with a 10s timeout.
	CallbackClient *http.Client
	// Now is the clock (default time.Now): creation, expiry and paid_at.
	Now func() time.Time
	// Logger defaults to discard; keys and signatures are never logged.
	Logger *slog.Logger
}

// Server simulates Tripay's API for one merchant. See the package
// documentation. It is safe for concurrent use.
type Server struct {
	opts Options
	log  *slog.Logger

	// sending serialises DeliverCallbacks, so one queued callback is never
	// in flight twice.
	sending sync.Mutex

	// mu guards everything below: one lock makes "one merchant ref, one
	// payment" and "a status only moves forward" hold under concurrency.
	mu      sync.Mutex
	next    int64
	byRef   map[string]*payment
	byMRef  map[string]*payment
	order   []*payment
	outbox  []*queued
	queueID int64
}

type payment struct {
	reference, merchantRef, method     string
	customerName, customerEmail, phone string
	asked, amount                      int64
	feeMerchant, feeCustomer           int64
	status                             string
	created, expires, paid             time.Time
	callbackURL, returnURL, itemName   string
	outcome                            int64
}

type queued struct {
	id       int64
	ref, url string
	body     []byte
	attempts int
}

// New returns a simulator. It panics without the three credentials: that is
// a programming error, not input.
func New(opts Options) *Server {
	if opts.MerchantCode == "" || opts.APIKey == "" || opts.PrivateKey == "" {
		panic("tripaysim: New needs a MerchantCode, an APIKey and a PrivateKey")
	}
	if opts.CallbackClient == nil {
		opts.CallbackClient = &http.Client{Timeout: 10 * time.Second}
	}
	opts.Now = sandbox.Clock(opts.Now)
	return &Server{
		opts:   opts,
		log:    sandbox.Logger(opts.Logger, "sandbox.tripay"),
		next:   1,
		byRef:  make(map[string]*payment),
		byMRef: make(map[string]*payment),
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	for _, prefix := range []string{"/api-sandbox", "/api"} {
		if strings.HasPrefix(p, prefix+"/") {
			p = strings.TrimPrefix(p, prefix)
			break
		}
	}
	switch {
	case p == "/transaction/create" && r.Method == http.MethodPost:
		s.create(w, r)
	case p == "/merchant/transactions" && r.Method == http.MethodGet:
		s.list(w, r)
	case p == "/transaction/detail" && r.Method == http.MethodGet:
		s.detail(w, r)
	case p == "/sandbox/pay" && r.Method == http.MethodPost:
		s.payByHand(w, r)
	default:
		answer(w, http.StatusNotFound, false, "Not found", nil)
	}
}

func answer(w http.ResponseWriter, status int, ok bool, msg string, data any) {
	body := map[string]any{"success": ok, "message": msg}
	if data != nil {
		body["data"] = data
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) authorized(r *http.Request) bool {
	got := []byte(r.Header.Get("Authorization"))
	return hmac.Equal(got, []byte("Bearer "+s.opts.APIKey))
}

func hmacHex(msg []byte, key string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

type createRequest struct {
	Method        flex.String `json:"method"`
	MerchantRef   flex.String `json:"merchant_ref"`
	Amount        flex.Int    `json:"amount"`
	CustomerName  flex.String `json:"customer_name"`
	CustomerEmail flex.String `json:"customer_email"`
	CustomerPhone flex.String `json:"customer_phone"`
	OrderItems    []struct {
		Name     flex.String `json:"name"`
		Price    flex.Int    `json:"price"`
		Quantity flex.Int    `json:"quantity"`
	} `json:"order_items"`
	CallbackURL flex.String `json:"callback_url"`
	ReturnURL   flex.String `json:"return_url"`
	ExpiredTime flex.Int    `json:"expired_time"`
	Signature   flex.String `json:"signature"`
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		answer(w, http.StatusUnauthorized, false, "Invalid API Key", nil)
		return
	}
	raw, err := sandbox.ReadBody(w, r)
	var req createRequest
	if err == nil {
		err = json.Unmarshal(raw, &req)
	}
	if err != nil {
		answer(w, http.StatusBadRequest, false, "Invalid request body", nil)
		return
	}
	mref := string(req.MerchantRef)
	amount := req.Amount.Value
	if mref == "" || !req.Amount.Set || req.Method == "" || req.CustomerName == "" || len(req.OrderItems) == 0 {
		answer(w, http.StatusBadRequest, false, "method, merchant_ref, amount, customer_name and order_items are required", nil)
		return
	}
	want := hmacHex([]byte(s.opts.MerchantCode+mref+strconv.FormatInt(amount, 10)), s.opts.PrivateKey)
	if !hmac.Equal([]byte(strings.ToLower(string(req.Signature))), []byte(want)) {
		answer(w, http.StatusUnauthorized, false, "Invalid signature", nil)
		return
	}
	if string(req.Method) != "QRIS" {
		answer(w, http.StatusBadRequest, false, "Payment channel not available", nil)
		return
	}
	if amount < MinAmount || amount > MaxAmount {
		answer(w, http.StatusBadRequest, false, fmt.Sprintf("Amount must be between %d and %d", MinAmount, MaxAmount), nil)
		return
	}
	var sum int64
	for _, it := range req.OrderItems {
		sum += it.Price.Value * it.Quantity.Value
	}
	if sum != amount {
		answer(w, http.StatusBadRequest, false, "Total price of order_items does not match amount", nil)
		return
	}
	if amount%1000 == 2 {
		answer(w, http.StatusBadRequest, false, "Payment channel is under maintenance", nil)
		return
	}
	now := s.opts.Now()
	expires := now.Add(24 * time.Hour)
	if req.ExpiredTime.Set {
		expires = time.Unix(req.ExpiredTime.Value, 0)
		if !expires.After(now) {
			answer(w, http.StatusBadRequest, false, "expired_time must be in the future", nil)
			return
		}
	}
	s.mu.Lock()
	s.sweepLocked()
	if _, dup := s.byMRef[mref]; dup {
		s.mu.Unlock()
		answer(w, http.StatusBadRequest, false, "Duplicate merchant_ref", nil)
		return
	}
	fee := Fee(amount)
	p := &payment{
		reference:     fmt.Sprintf("DEV-T%s%05d%s", s.opts.MerchantCode, s.next, sandbox.Code(sandbox.Alnum, 5, mref)),
		merchantRef:   mref,
		method:        "QRIS",
		customerName:  string(req.CustomerName),
		customerEmail: string(req.CustomerEmail),
		phone:         string(req.CustomerPhone),
		asked:         amount,
		amount:        amount,
		feeMerchant:   fee,
		status:        "UNPAID",
		created:       now,
		expires:       expires,
		callbackURL:   string(req.CallbackURL),
		returnURL:     string(req.ReturnURL),
		itemName:      string(req.OrderItems[0].Name),
		outcome:       amount % 1000,
	}
	if s.opts.FeeToCustomer {
		p.amount, p.feeMerchant, p.feeCustomer = amount+fee, 0, fee
	}
	if p.callbackURL == "" {
		p.callbackURL = s.opts.CallbackURL
	}
	s.next++
	s.byRef[p.reference] = p
	s.byMRef[mref] = p
	s.order = append(s.order, p)
	rec := s.recordLocked(p)
	s.mu.Unlock()
	s.log.Info("payment created", "reference", p.reference, "merchant_ref", mref, "amount", amount)
	if p.outcome == 1 {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "<html><body><h1>500 Internal Server Error</h1></body></html>")
		return
	}
	answer(w, http.StatusOK, true, "", rec)
}

// record is a payment as Tripay writes it in create, detail, the merchant
// list and callbacks' siblings.
type record struct {
	Reference        string  `json:"reference"`
	MerchantRef      string  `json:"merchant_ref"`
	PaymentSelection string  `json:"payment_selection_type"`
	PaymentMethod    string  `json:"payment_method"`
	PaymentName      string  `json:"payment_name"`
	CustomerName     string  `json:"customer_name"`
	CustomerEmail    string  `json:"customer_email,omitempty"`
	CustomerPhone    string  `json:"customer_phone,omitempty"`
	CallbackURL      string  `json:"callback_url,omitempty"`
	ReturnURL        string  `json:"return_url,omitempty"`
	Amount           int64   `json:"amount"`
	FeeMerchant      int64   `json:"fee_merchant"`
	FeeCustomer      int64   `json:"fee_customer"`
	TotalFee         int64   `json:"total_fee"`
	AmountReceived   int64   `json:"amount_received"`
	PayCode          *string `json:"pay_code"`
	PayURL           *string `json:"pay_url"`
	CheckoutURL      string  `json:"checkout_url"`
	Status           string  `json:"status"`
	// PaidAt is null, or unix seconds: a number, or in detail a string
	// as Tripay's developer page shows it.
	PaidAt          any    `json:"paid_at"`
	ExpiredTime     int64  `json:"expired_time,omitempty"`
	ExpiredAt       int64  `json:"expired_at,omitempty"`
	CreatedAt       int64  `json:"created_at"`
	QRString        string `json:"qr_string"`
	QRURL           string `json:"qr_url"`
	OrderItems      []item `json:"order_items"`
	IsClosedPayment int    `json:"is_closed_payment"`
}

type item struct {
	Name     string `json:"name"`
	Price    int64  `json:"price"`
	Quantity int64  `json:"quantity"`
	Subtotal int64  `json:"subtotal"`
}

func (s *Server) recordLocked(p *payment) record {
	fee := p.feeMerchant + p.feeCustomer
	rec := record{
		Reference:        p.reference,
		MerchantRef:      p.merchantRef,
		PaymentSelection: "static",
		PaymentMethod:    p.method,
		PaymentName:      "QRIS",
		CustomerName:     p.customerName,
		CustomerEmail:    p.customerEmail,
		CustomerPhone:    p.phone,
		CallbackURL:      p.callbackURL,
		ReturnURL:        p.returnURL,
		Amount:           p.amount,
		FeeMerchant:      p.feeMerchant,
		FeeCustomer:      p.feeCustomer,
		TotalFee:         fee,
		AmountReceived:   p.amount - fee,
		CheckoutURL:      "https://tripay.co.id/checkout/" + p.reference,
		Status:           p.status,
		ExpiredTime:      p.expires.Unix(),
		CreatedAt:        p.created.Unix(),
		QRString:         qrString(s.opts.MerchantCode, p),
		QRURL:            "https://tripay.co.id/qr/" + p.reference,
		OrderItems:       []item{{Name: p.itemName, Price: p.asked, Quantity: 1, Subtotal: p.asked}},
		IsClosedPayment:  1,
	}
	if !p.paid.IsZero() {
		rec.PaidAt = p.paid.Unix()
	}
	return rec
}

// qrString is a QRIS-shaped (EMVCo tag-length-value) payload naming the
// reference and amount; its CRC is a placeholder.
func qrString(merchant string, p *payment) string {
	tlv := func(tag, v string) string { return fmt.Sprintf("%s%02d%s", tag, len(v), v) }
	amt := strconv.FormatInt(p.amount, 10)
	return tlv("00", "01") + tlv("01", "12") + tlv("26", tlv("00", "ID.CO.TRIPAY.SANDBOX")+tlv("01", p.reference)) +
		tlv("52", "4829") + tlv("53", "360") + tlv("54", amt) + tlv("58", "ID") + tlv("59", "TRIPAY "+merchant) +
		tlv("60", "JAKARTA") + "6304" + sandbox.Code("0123456789ABCDEF", 4, p.reference)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		answer(w, http.StatusUnauthorized, false, "Invalid API Key", nil)
		return
	}
	mref := r.URL.Query().Get("merchant_ref")
	s.mu.Lock()
	s.sweepLocked()
	recs := []record{}
	for i := len(s.order) - 1; i >= 0; i-- {
		if p := s.order[i]; mref == "" || p.merchantRef == mref {
			// Tripay's list names the expiry expired_at.
			rec := s.recordLocked(p)
			rec.ExpiredAt, rec.ExpiredTime = rec.ExpiredTime, 0
			recs = append(recs, rec)
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"success": true, "message": "Success", "data": recs,
		"pagination": map[string]any{"sort": "desc", "offset": map[string]int{"from": 1, "to": len(recs)},
			"current_page": 1, "previous_page": nil, "next_page": nil, "last_page": 1, "per_page": 50, "total_records": len(recs)},
	})
}

func (s *Server) detail(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		answer(w, http.StatusUnauthorized, false, "Invalid API Key", nil)
		return
	}
	ref := r.URL.Query().Get("reference")
	s.mu.Lock()
	s.sweepLocked()
	p, ok := s.byRef[ref]
	var rec record
	if ok {
		rec = s.recordLocked(p)
		if t := paidAt(p); t != nil {
			rec.PaidAt = strconv.FormatInt(*t, 10)
		}
	}
	s.mu.Unlock()
	if !ok {
		answer(w, http.StatusNotFound, false, "Transaction not found", nil)
		return
	}
	answer(w, http.StatusOK, true, "Transaction found", rec)
}

func (s *Server) payByHand(w http.ResponseWriter, r *http.Request) {
	ref := r.URL.Query().Get("reference")
	if ref == "" {
		ref = r.URL.Query().Get("merchant_ref")
	}
	if err := s.Pay(ref); err != nil {
		answer(w, http.StatusBadRequest, false, err.Error(), nil)
		return
	}
	s.DeliverCallbacks(r.Context())
	s.mu.Lock()
	rec := s.recordLocked(s.findLocked(ref))
	s.mu.Unlock()
	answer(w, http.StatusOK, true, "Paid", rec)
}

// ErrNoPayment is returned by Pay, Expire and Refund for a ref the
// simulator does not know.
var ErrNoPayment = errors.New("tripaysim: no such payment")

func (s *Server) findLocked(ref string) *payment {
	if p, ok := s.byRef[ref]; ok {
		return p
	}
	return s.byMRef[ref]
}

// Pay pays the payment with this reference or merchant ref, as a buyer
// scanning its QR would: PAID (FAILED for amounts ending in 003), paid_at
// now, and its callback queued. A payment that is not UNPAID is an error.
func (s *Server) Pay(ref string) error {
	return s.move(ref, "UNPAID", func(p *payment) {
		p.status = "PAID"
		if p.outcome == 3 {
			p.status = "FAILED"
			return
		}
		p.paid = s.opts.Now()
	})
}

// Expire expires an UNPAID payment before its time.
func (s *Server) Expire(ref string) error {
	return s.move(ref, "UNPAID", func(p *payment) { p.status = "EXPIRED" })
}

// Refund refunds a PAID payment.
func (s *Server) Refund(ref string) error {
	return s.move(ref, "PAID", func(p *payment) { p.status = "REFUND" })
}

func (s *Server) move(ref, from string, change func(*payment)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	p := s.findLocked(ref)
	if p == nil {
		return fmt.Errorf("%w: %q", ErrNoPayment, ref)
	}
	if p.status != from {
		return fmt.Errorf("tripaysim: payment %s is %s, not %s", p.reference, p.status, from)
	}
	change(p)
	s.log.Info("payment changed", "reference", p.reference, "status", p.status)
	s.queueLocked(p)
	return nil
}

// sweepLocked expires the UNPAID payments whose time has passed.
func (s *Server) sweepLocked() {
	now := s.opts.Now()
	for _, p := range s.order {
		if p.status == "UNPAID" && !now.Before(p.expires) {
			p.status = "EXPIRED"
			s.queueLocked(p)
		}
	}
}

// callbackBody is Tripay's callback: the payment's state with
// total_amount for what the buyer paid.
type callbackBody struct {
	Reference         string  `json:"reference"`
	MerchantRef       string  `json:"merchant_ref"`
	PaymentMethod     string  `json:"payment_method"`
	PaymentMethodCode string  `json:"payment_method_code"`
	TotalAmount       int64   `json:"total_amount"`
	FeeMerchant       int64   `json:"fee_merchant"`
	FeeCustomer       int64   `json:"fee_customer"`
	TotalFee          int64   `json:"total_fee"`
	AmountReceived    int64   `json:"amount_received"`
	IsClosedPayment   int     `json:"is_closed_payment"`
	Status            string  `json:"status"`
	PaidAt            *int64  `json:"paid_at"`
	Note              *string `json:"note"`
}

func paidAt(p *payment) *int64 {
	if p.paid.IsZero() {
		return nil
	}
	t := p.paid.Unix()
	return &t
}

func (s *Server) queueLocked(p *payment) {
	if p.callbackURL == "" || p.outcome == 4 {
		return
	}
	rec := s.recordLocked(p)
	body, err := json.Marshal(callbackBody{
		Reference: rec.Reference, MerchantRef: rec.MerchantRef, PaymentMethod: rec.PaymentName,
		PaymentMethodCode: rec.PaymentMethod, TotalAmount: rec.Amount, FeeMerchant: rec.FeeMerchant,
		FeeCustomer: rec.FeeCustomer, TotalFee: rec.TotalFee, AmountReceived: rec.AmountReceived,
		IsClosedPayment: 1, Status: rec.Status, PaidAt: paidAt(p),
	})
	if err != nil {
		s.log.Error("encoding callback", "reference", p.reference, "err", err)
		return
	}
	copies := 1
	if p.outcome == 5 {
		copies = 2
	}
	for range copies {
		s.queueID++
		s.outbox = append(s.outbox, &queued{id: s.queueID, ref: p.reference, url: p.callbackURL, body: body})
	}
}

// DeliverCallbacks makes one attempt at every queued callback, oldest
// first, and returns how many are still queued: those not answered with
// {"success":true}. Calling it again retries them.
func (s *Server) DeliverCallbacks(ctx context.Context) int {
	s.sending.Lock()
	defer s.sending.Unlock()
	s.mu.Lock()
	s.sweepLocked()
	due := append([]*queued(nil), s.outbox...)
	s.mu.Unlock()
	done := make(map[int64]bool)
	for _, q := range due {
		if ctx.Err() != nil {
			break
		}
		q.attempts++
		if err := s.post(ctx, q); err != nil {
			s.log.Warn("callback not accepted", "reference", q.ref, "attempt", q.attempts, "err", err)
			continue
		}
		s.log.Info("callback delivered", "reference", q.ref, "attempt", q.attempts)
		done[q.id] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.outbox[:0]
	for _, q := range s.outbox {
		if !done[q.id] {
			kept = append(kept, q)
		}
	}
	clear(s.outbox[len(kept):])
	s.outbox = kept
	return len(s.outbox)
}

// Queued reports how many callbacks wait for delivery.
func (s *Server) Queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.outbox)
}

func (s *Server) post(ctx context.Context, q *queued) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, q.url, bytes.NewReader(q.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Callback-Event", "payment_status")
	req.Header.Set("X-Callback-Signature", hmacHex(q.body, s.opts.PrivateKey))
	resp, err := s.opts.CallbackClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return err
	}
	var ack struct {
		Success bool `json:"success"`
	}
	if resp.StatusCode/100 != 2 || json.Unmarshal(raw, &ack) != nil || !ack.Success {
		return fmt.Errorf("HTTP %d, not {\"success\":true}", resp.StatusCode)
	}
	return nil
}

// Payments maps each merchant ref to its payment's status, for the demo's
// and tests' eyes.
func (s *Server) Payments() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	out := make(map[string]string, len(s.order))
	for _, p := range s.order {
		out[p.merchantRef] = p.status
	}
	return out
}
