package flows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// EngineConfig tunes the order engine. Zero values take the defaults.
type EngineConfig struct {
	// ProviderTimeout bounds one provider call (default 30 s). A placing
	// order younger than this (plus a margin) is left alone by the poller:
	// its first send may still be on the wire.
	ProviderTimeout time.Duration
	// UnackedAfter is how long an order the provider never acknowledged is
	// re-sent; after it, it alerts instead (default 24 h: IAK keeps a ref
	// that long).
	UnackedAfter time.Duration
	// AlertAfter is the age at which a pending order alerts (default 1 h).
	// It is never failed automatically.
	AlertAfter time.Duration
	// CheckConcurrency bounds the provider calls in flight of one poll, and
	// of the hint queue (default 8). Recording an answer does not hold a
	// slot.
	CheckConcurrency int
	// OpsChatID receives settlement lines and alerts; when 0, alerts go to
	// each of Admins and settlement lines nowhere.
	OpsChatID int64
	Admins    []int64
	// Lang is the language of alerts and ops lines (default Bahasa
	// Indonesia); buyers get their own.
	Lang Lang
	// LowBalance, when positive, alerts admins once when a provider answer
	// shows the deposit under it, and again only after it recovered.
	LowBalance int64
	// Wallet makes every new order hold its price from the buyer's saldo
	// in the transaction that writes it ([wallet] enabled, DESIGN rule 13).
	Wallet bool
	// MinMargin is the least an order may earn ([pricing] min_margin): an
	// order's MaxPrice is its price less this, so a provider whose price
	// rose past it refuses rather than sells at a loss (DESIGN rule 17).
	MinMargin int64
	// QuickChecks, when set, are the delays of the extra checks an order
	// pending after an answer gets in its first minute (see
	// DefaultQuickChecks); they run on Run's queue. After schedules them
	// (default time.AfterFunc).
	QuickChecks []time.Duration
	After       func(d time.Duration, f func())
	// OnCreated and OnSettled, when set, are called once an order's
	// creation, or its settlement, has committed: for metrics, so quick
	// and safe for concurrent use.
	OnCreated func(o Order)
	OnSettled func(o Order)
	// OnMoved, when set, is called once an order's move to its next
	// provider has committed (its last Attempts entry is the one left).
	OnMoved func(o Order)
	// Providers, when set, are every provider the shop sells through
	// ([provider] names): an order goes to the provider of its product's
	// legs, and moves to the next leg only after an answer that charged
	// nothing (DESIGN rule 17). NewEngine's provider is then nil.
	Providers []Provider
	// CurrentLeg, when set, is a leg as the catalog lists it now: its
	// cost and availability, ok false when it is not listed. An order
	// moving to its next leg — perhaps long after it was quoted — is
	// compared with it rather than with the costs copied onto the order
	// at Confirm: a provider that takes no max_price (IAK, Mesin R1) would
	// otherwise fill it at a cost past the price less the minimum margin
	// (DESIGN rule 17). ProductCache.CurrentLeg is one.
	CurrentLeg func(l Leg) (Leg, bool)
	// Now defaults to time.Now; Random (for ref ids) to crypto/rand.
	Now    func() time.Time
	Random io.Reader
	Logger *slog.Logger
}

// Engine places orders and drives them to settlement under DESIGN's money
// rules: write-ahead, one confirmation one order, unknown is not failed,
// resume on the account it was placed with, settle once.
type Engine struct {
	store OrderStore
	// provider is the only provider, nil with several; providers holds
	// every one by name, and flags their alert state.
	provider  Provider
	providers map[string]Provider
	flags     map[string]*providerFlags
	cfg       EngineConfig
	log       *slog.Logger

	locks refLocks
	quick quickChecks
	hints chan string
	// opsChat is the ops group, which may become a supergroup under way.
	opsChat atomic.Int64
}

// providerFlags are one provider's alerts in force: misconfigured while
// it refuses our credentials, lowBalance while the deposit is under the
// threshold, so admins hear of each once until it clears (DESIGN rule 11).
type providerFlags struct {
	misconfigured atomic.Bool
	lowBalance    atomic.Bool
	// depositRefused is set while the provider refuses orders for want of
	// deposit (until one of its answers is a success).
	depositRefused atomic.Bool
}

// providerFor is the provider of o's current attempt, if it is configured
// with the account o was placed with (DESIGN rule 4).
func (e *Engine) providerFor(o *Order) (Provider, bool) {
	p, ok := e.providers[o.Account.Provider]
	return p, ok && p.Account() == o.Account
}

// flagsOf are the alert flags of the provider named name; a provider not
// configured (an order of an account gone) shares a scratch set.
func (e *Engine) flagsOf(name string) *providerFlags {
	if f, ok := e.flags[name]; ok {
		return f
	}
	return &providerFlags{}
}

// several reports whether the shop sells through more than one provider:
// alerts then name the provider.
func (e *Engine) several() bool { return e.provider == nil }

// activationCodes reports whether o's provider's answers carry an eSIM's
// activation code in a field of its own (see ActivationCoder).
func (e *Engine) activationCodes(o *Order) bool {
	ac, ok := e.providers[o.Account.Provider].(ActivationCoder)
	return ok && ac.DeliversActivationCodes()
}

// resendLimits are o's provider's limits on re-sending an order (see
// ResendLimits); zero when it has none.
func (e *Engine) resendLimits(o *Order) (gap, maxAge time.Duration) {
	if rl, ok := e.providers[o.Account.Provider].(ResendLimits); ok {
		return rl.MinCheckGap(), rl.MaxResendAge()
	}
	return 0, 0
}

// NewEngine returns an engine placing orders with provider and keeping them
// in store.
func NewEngine(store OrderStore, provider Provider, cfg EngineConfig) *Engine {
	if cfg.ProviderTimeout <= 0 {
		cfg.ProviderTimeout = 30 * time.Second
	}
	if cfg.UnackedAfter <= 0 {
		cfg.UnackedAfter = 24 * time.Hour
	}
	if cfg.AlertAfter <= 0 {
		cfg.AlertAfter = time.Hour
	}
	if cfg.CheckConcurrency <= 0 {
		cfg.CheckConcurrency = 8
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Lang == "" {
		cfg.Lang = LangID
	}
	if cfg.After == nil {
		cfg.After = func(d time.Duration, f func()) { time.AfterFunc(d, f) }
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{
		store:     store,
		provider:  provider,
		providers: map[string]Provider{},
		flags:     map[string]*providerFlags{},
		cfg:       cfg,
		log:       log.With("component", "orders"),
		hints:     make(chan string, 256),
	}
	all := cfg.Providers
	if len(all) == 0 {
		all = []Provider{provider}
	} else {
		e.provider = nil
	}
	for _, p := range all {
		name := p.Account().Provider
		e.providers[name], e.flags[name] = p, &providerFlags{}
	}
	e.opsChat.Store(cfg.OpsChatID)
	return e
}

// SetOpsChat re-addresses the ops group's lines and alerts from now on: a
// group upgraded to a supergroup has a new id.
func (e *Engine) SetOpsChat(id int64) { e.opsChat.Store(id) }

// PlaceRequest is a confirmed purchase.
type PlaceRequest struct {
	ChatID int64
	UserID int64
	// Token is the one-time token of the Confirm button (DESIGN rule 2).
	Token string
	Lang  string
	// Product is the product as quoted on the confirm screen.
	Product        Product
	CustomerNumber string
	CustomerName   string
	// Price is what the buyer agreed to pay.
	Price int64
	// MessageID is the "processing" message to edit on settlement.
	MessageID int
}

func (o *Order) request() OrderRequest {
	return OrderRequest{
		RefID:          o.providerRef(),
		ProductCode:    o.ProductCode,
		CustomerNumber: o.CustomerNumber,
		Acknowledged:   o.Acknowledged,
		ProviderTxID:   o.ProviderTxID,
		MaxPrice:       o.MaxPrice,
		SentAt:         o.SentAt,
	}
}

// maxPrice is the cap on what the provider may charge for an order of
// price: the price less the minimum margin. A margin at or above the price
// leaves a cap of 1 rupiah, which every provider refuses: the order fails
// as unavailable rather than earning less than the margin.
func (e *Engine) maxPrice(price int64) int64 {
	return max(price-e.cfg.MinMargin, 1)
}

// Place records the order before anything else (write-ahead), then sends it
// to the provider and records the answer. A token that already made an order
// returns that order without calling the provider.
func (e *Engine) Place(ctx context.Context, req PlaceRequest) (Order, error) {
	o, created, err := e.Create(ctx, req)
	if err != nil || !created {
		return o, err
	}
	return e.Send(ctx, o.RefID)
}

// Create writes the order as placing with its confirm token, in one
// transaction (DESIGN rules 1 and 2). If the token made an order before,
// that order is returned with created false. Nothing is sent: Send does, and
// if the process dies in between, the poller resumes the order once the
// provider timeout has passed.
func (e *Engine) Create(ctx context.Context, req PlaceRequest) (o Order, created bool, err error) {
	if req.Token == "" {
		return Order{}, false, errors.New("orders: create: no confirm token")
	}
	if req.Product.Kind == Postpaid {
		return Order{}, false, errors.New("orders: create: postpaid products are paid through a bill")
	}
	now := e.cfg.Now()
	ref, err := NewRefID(now, e.cfg.Random)
	if err != nil {
		return Order{}, false, fmt.Errorf("orders: create: new ref: %w", err)
	}
	code, cost, account := req.Product.Code, req.Product.Price, Account{}
	leg := 0
	if e.provider != nil && len(req.Product.Legs) == 0 {
		account = e.provider.Account()
	} else {
		// Several providers: the first leg that can fill it at this price
		// (DESIGN rule 17).
		var ok bool
		if leg, ok = e.nextLeg(req.Product.Legs, -1, req.Price); !ok {
			return Order{}, false, fmt.Errorf("orders: create %s: %w", req.Product.Code, ErrNoProvider)
		}
		l := req.Product.Legs[leg]
		code, cost, account = l.Code, l.Cost, e.providers[l.Provider].Account()
	}
	o = Order{
		RefID:          ref,
		ChatID:         req.ChatID,
		UserID:         req.UserID,
		Token:          req.Token,
		Lang:           req.Lang,
		Kind:           Prepaid,
		ProductCode:    code,
		ShopCode:       req.Product.Code,
		ProductName:    req.Product.Name,
		Category:       req.Product.Category,
		ProductType:    req.Product.Type,
		CustomerNumber: req.CustomerNumber,
		CustomerName:   req.CustomerName,
		Brand:          req.Product.Brand,
		NumberFormat:   req.Product.gameFormat(),
		Price:          req.Price,
		MaxPrice:       e.maxPrice(req.Price),
		Hold:           e.hold(req.Price),
		Cost:           cost,
		Account:        account,
		Legs:           req.Product.Legs,
		Leg:            leg,
		Status:         StatusPlacing,
		MessageID:      req.MessageID,
		CreatedAt:      now,
	}
	existing, created, err := e.store.CreateOrder(ctx, o)
	if tooLow := (*BalanceTooLowError)(nil); errors.As(err, &tooLow) {
		e.log.Info("saldo too low; no order written", "chat_id", req.ChatID, "user_id", req.UserID,
			"price", o.Price, "balance", tooLow.Balance)
	}
	if err != nil {
		return Order{}, false, fmt.Errorf("orders: create: %w", err)
	}
	if !created {
		e.log.Info("confirm token already used; returning its order", "chat_id", req.ChatID, "ref_id", existing.RefID)
		return existing, false, nil
	}
	e.log.Info("order written", "ref_id", ref, "chat_id", req.ChatID, "product_code", o.ProductCode)
	e.created(existing)
	return existing, true, nil
}

// ErrNoProvider is Create's refusal of a product none of whose legs can
// fill it now: no provider configured for it has it available at a cost
// within the buyer's price less the minimum margin. Nothing is written.
var ErrNoProvider = errors.New("no provider can fill the product at this price")

// nextLeg is the first leg after after that may take an order of price:
// its provider configured, the product available, its cost within the
// price less the minimum margin (DESIGN rule 17).
func (e *Engine) nextLeg(legs []Leg, after int, price int64) (int, bool) {
	for i := after + 1; i < len(legs); i++ {
		l := legs[i]
		if _, ok := e.providers[l.Provider]; ok && l.Available && l.Cost > 0 && l.Cost <= price-e.cfg.MinMargin {
			return i, true
		}
	}
	return 0, false
}

// currentLegs is legs with those after after as the catalog lists them
// now (see EngineConfig.CurrentLeg), on a copy; legs itself without a
// CurrentLeg.
func (e *Engine) currentLegs(legs []Leg, after int) []Leg {
	if e.cfg.CurrentLeg == nil || after+1 >= len(legs) {
		return legs
	}
	out := slices.Clone(legs)
	for i := after + 1; i < len(out); i++ {
		if cur, ok := e.cfg.CurrentLeg(out[i]); ok {
			out[i].Cost, out[i].Available = cur.Cost, cur.Available
		} else {
			out[i].Available = false
		}
	}
	return out
}

// hold is what a new order of price takes from the buyer's saldo: all of
// it with the wallet on, nothing without.
func (e *Engine) hold(price int64) int64 {
	if e.cfg.Wallet {
		return price
	}
	return 0
}

// Send is an order's first send to the provider, and records the answer. It
// does nothing to an order that is no longer placing: the poller may have
// resumed it meanwhile.
func (e *Engine) Send(ctx context.Context, refID string) (Order, error) {
	unlock := e.locks.lock(refID)
	defer unlock()
	o, err := e.store.Order(ctx, refID)
	if err != nil {
		return Order{}, fmt.Errorf("orders: send %s: %w", refID, err)
	}
	if o.Status != StatusPlacing {
		return o, nil
	}
	return e.sendLocked(ctx, o)
}

// sendLocked is the first send of o's current attempt, and of each attempt
// an answer that charged nothing moves it to (DESIGN rule 17); the caller
// holds o's lock. Each attempt was written, with its ref, before its send.
func (e *Engine) sendLocked(ctx context.Context, o Order) (Order, error) {
	for {
		p, ok := e.providerFor(&o)
		if !ok {
			return e.alertOnce(ctx, o, AlertAccountMissing, "")
		}
		req := o.request()
		req.SentAt = e.cfg.Now()
		pctx, cancel := context.WithTimeout(ctx, e.cfg.ProviderTimeout)
		res, perr := p.Place(pctx, req)
		cancel()
		attempts := len(o.Attempts)
		var err error
		if o, err = e.recordSent(ctx, o.RefID, res, perr, true, req.SentAt); err != nil || !e.movedOn(o, attempts) {
			return o, err
		}
	}
}

// movedOn reports whether o, which had attempts earlier attempts, moved to
// a new one that is still to be sent; it logs the move.
func (e *Engine) movedOn(o Order, attempts int) bool {
	if len(o.Attempts) == attempts || o.Status.Final() {
		return false
	}
	last := o.Attempts[len(o.Attempts)-1]
	if e.cfg.OnMoved != nil {
		e.cfg.OnMoved(o)
	}
	e.log.Info("order moves to its next provider", "ref_id", o.RefID, "from", last.Account.Provider,
		"outcome", last.Outcome, "rc", last.RC, "to", o.Account.Provider, "provider_ref", o.providerRef())
	return true
}

// Check asks the provider about one order and records the answer (the
// poller, a callback hint, an admin's /recheck). It never re-sends an order
// to an account other than the one it was placed with, nor one the provider
// has not acknowledged for UnackedAfter, and never re-sends a payment: a
// bill is only asked about (see checkBill).
func (e *Engine) Check(ctx context.Context, refID string) (Order, error) {
	return e.check(ctx, refID, func() {})
}

// check is Check calling answered once the provider has answered, before
// the answer is recorded: the poller and the hint queue bound the calls to
// the provider, not the commits, so a check frees its slot while its
// record waits for the batched transaction it shares with the others
// (with a slot held through the commit, the 8 checks in flight were all a
// batch ever held, and settling crawled at 8 orders per batch window).
// answered may not be called (no provider call was made); the caller
// frees the slot when check returns then.
func (e *Engine) check(ctx context.Context, refID string, answered func()) (Order, error) {
	unlock := e.locks.lock(refID)
	defer unlock()
	o, err := e.store.Order(ctx, refID)
	if err != nil {
		return Order{}, fmt.Errorf("orders: check %s: %w", refID, err)
	}
	if o.Status.Final() {
		return o, nil
	}
	now := e.cfg.Now()
	p, ok := e.providerFor(&o)
	if !ok {
		// DESIGN rule 4: the account is gone (or changed: sandbox ↔
		// production). Re-sending elsewhere could place it twice.
		detail := ""
		if other, ok := e.providers[o.Account.Provider]; ok {
			detail = "akun sekarang: " + other.Account().String()
		}
		return e.alertOnce(ctx, o, AlertAccountMissing, detail)
	}
	if o.Kind == Postpaid {
		return e.checkBill(ctx, o, answered)
	}
	if gap, _ := e.resendLimits(&o); gap > 0 {
		// The provider asks for a gap between sends of an order (Digiflazz
		// re-checks by re-sending): this check waits for the gap's end,
		// whoever asked for it — a hint, a poll, an admin's /recheck. A
		// placing order found after a restart had its first send cut off
		// without its time recorded: it went out at about its last write.
		if earliest := sendableAt(&o, gap); earliest.After(now) {
			e.checkLater(refID, earliest.Sub(now))
			return o, nil
		}
	}
	_, maxAge := e.resendLimits(&o)
	if maxAge > 0 && now.Sub(firstSend(o)) > maxAge {
		// A re-send this late would be a new transaction: charged twice.
		return e.alertOnce(ctx, o, AlertResendTooOld, "")
	}
	if !o.Acknowledged && maxAge == 0 && now.Sub(o.CreatedAt) > e.cfg.UnackedAfter {
		// UnackedAfter is IAK's ref lifetime; a provider that states its
		// own re-send age (Digiflazz: 89 days) is bound by that instead.
		return e.alertOnce(ctx, o, AlertUnacknowledged, "")
	}
	req := o.request()
	if req.SentAt.IsZero() {
		// The first send's time was never recorded (the process died during
		// it, or an older version wrote the order): it went before now.
		req.SentAt = now
	}
	pctx, cancel := context.WithTimeout(ctx, e.cfg.ProviderTimeout)
	res, perr := p.Check(pctx, req)
	cancel()
	answered()
	attempts := len(o.Attempts)
	if o, err = e.recordSent(ctx, o.RefID, res, perr, false, req.SentAt); err != nil || !e.movedOn(o, attempts) {
		return o, err
	}
	return e.sendLocked(ctx, o)
}

// firstSend is when o was first sent, as far as the re-send age limit is
// concerned: its SentAt, or — when that was never recorded (the process
// died during the first send, or a webhook answered before any check) —
// its creation, which the first send followed within moments. Erring early
// stops re-sends sooner, never later.
func firstSend(o Order) time.Time {
	if o.SentAt.IsZero() {
		return o.CreatedAt
	}
	return o.SentAt
}

// sendableAt is when o's current attempt may be sent again under a gap
// between sends: gap after its last send. Without a recorded last send —
// a placing order found after a restart, whose first send was cut off; an
// order written before the time was kept — its last write stands in: the
// send went out at about then or before.
func sendableAt(o *Order, gap time.Duration) time.Time {
	last := o.LastSentAt
	if last.IsZero() || o.Status == StatusPlacing {
		last = laterOf(last, laterOf(o.CreatedAt, o.UpdatedAt))
	}
	return last.Add(gap)
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// recordTimeout bounds the write of a provider answer.
const recordTimeout = 10 * time.Second

// record writes a provider answer to the order in one transaction. The
// write outlives the caller's context: once the provider has answered, a
// definitive answer (an SN, a refusal) must not be dropped because the
// caller gave up (a shutdown, an update's deadline).
func (e *Engine) record(ctx context.Context, refID string, res Result, perr error, first bool) (Order, error) {
	return e.recordSent(ctx, refID, res, perr, first, time.Time{})
}

// recordSent is record for a send or re-send that went at sentAt: the
// order keeps the first such time as its SentAt (see OrderRequest.SentAt).
func (e *Engine) recordSent(ctx context.Context, refID string, res Result, perr error, first bool, sentAt time.Time) (Order, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	var raised []*atomic.Bool
	settled := false
	o, err := e.store.UpdateOrder(ctx, refID, func(o *Order) ([]Notification, error) {
		// The store may run this again when its batched transaction did
		// not commit: the alerts that run raised were not written.
		for _, flag := range raised {
			flag.Store(false)
		}
		settled = !o.Status.Final()
		unanswered := o.sendUnanswered()
		if o.SentAt.IsZero() && !o.Status.Final() {
			o.SentAt = sentAt
		}
		if !sentAt.IsZero() && !o.Status.Final() {
			// Our own send or re-send (a webhook's answer has none).
			o.LastSentAt = e.cfg.Now()
		}
		notes, r, err := e.apply(o, res, perr, first, unanswered)
		raised = r
		return notes, err
	})
	if err != nil {
		for _, flag := range raised {
			flag.Store(false) // the alert was not written: raise it next time
		}
		return Order{}, fmt.Errorf("orders: record %s: %w", refID, err)
	}
	if settled && o.Status.Final() {
		e.settledHook(o)
	}
	e.logAnswer(o, res, perr, first)
	e.scheduleQuick(o)
	return o, nil
}

func (e *Engine) created(o Order) {
	if e.cfg.OnCreated != nil {
		e.cfg.OnCreated(o)
	}
}

func (e *Engine) settledHook(o Order) {
	if e.cfg.OnSettled != nil {
		e.cfg.OnSettled(o)
	}
}

func (e *Engine) logAnswer(o Order, res Result, perr error, first bool) {
	attrs := []any{"ref_id", o.RefID, "status", string(o.Status), "first_send", first}
	switch kind := KindOf(perr); {
	case perr == nil && res.Status == StatusSuccess && o.Status == StatusPending:
		e.log.Warn("provider reports success without the code the buyer paid for; order stays pending",
			append(attrs, "rc", o.RC, "product_type", string(o.ProductType), "category", string(o.Category))...)
	case perr == nil:
		e.log.Info("provider answered", append(attrs, "rc", o.RC)...)
	case kind == KindMisconfigured:
		e.log.Error("provider refuses the account", append(attrs, "err", perr)...)
	case kind == KindUnknown:
		e.log.Warn("provider answer unknown; order stays pending", append(attrs, "err", perr)...)
	default:
		e.log.Info("provider answered", append(attrs, "kind", string(kind), "err", perr)...)
	}
}

// sendUnanswered reports whether no answer to our own send of o's current
// attempt was ever recorded: a placing order, or an attempt an order moved
// to — whose status stays pending — before its first send's answer came
// back (the process may have died during it). A transaction may exist for
// it at the provider.
func (o *Order) sendUnanswered() bool {
	return o.Status == StatusPlacing || len(o.Attempts) > 0 && o.LastSentAt.IsZero()
}

// apply folds one provider answer into o (DESIGN rules 3–6) and returns the
// notifications that go with it. It runs inside the store's transaction;
// unanswered is o.sendUnanswered before this answer's record.
//
// raised lists the provider-wide alert flags this answer raised, so that a
// failed write can lower them again.
func (e *Engine) apply(o *Order, res Result, perr error, first, unanswered bool) (notes []Notification, raised []*atomic.Bool, err error) {
	if o.Status.Final() {
		// Settled meanwhile (a callback's check raced this one, or an admin
		// settled it by hand): settle once.
		notes, err := e.contradiction(o, res, perr)
		return notes, nil, err
	}
	now := e.cfg.Now()
	if !first {
		o.Checks++
	}
	next := checkInterval(now.Sub(o.CreatedAt))
	if gap, _ := e.resendLimits(o); gap > next {
		next = gap
	}
	o.NextCheckAt = now.Add(next)
	// The answer's provider: a move to the next leg below changes o's.
	provider := o.Account.Provider
	flags := e.flagsOf(provider)
	if !first && unanswered || KindOf(perr) == KindUnknown {
		// A check of a send whose answer never came, or an answer that
		// says nothing: a transaction may exist at this provider.
		o.Uncertain = true
	}
	if perr != nil {
		var pe *ProviderError
		if errors.As(perr, &pe) {
			if pe.RC != "" {
				o.RC = pe.RC
			}
			if pe.Message != "" {
				o.Message = pe.Message
			}
			if pe.Alert != "" && !o.HasAlerted(pe.Alert) && !pe.Kind.settles() {
				o.Alerted = append(o.Alerted, pe.Alert)
				notes = append(notes, e.toAdmins(alertText(e.cfg.Lang, pe.Alert, o, perr.Error()), o.RefID)...)
			}
		}
		switch KindOf(perr) {
		case KindRejected:
			if ReasonOf(perr) == ReasonProviderBalance && !flags.depositRefused.Swap(true) {
				// The deposit does not cover an order: with a route the
				// order moves on, and the shop would sell through its
				// second choice without anyone hearing (DESIGN rule 11).
				raised = append(raised, &flags.depositRefused)
				notes = append(notes, e.toAdmins(e.providerAlert(AlertLowBalance, provider,
					text(e.cfg.Lang, "deposit_refused_detail", perr.Error()), now), "")...)
			}
			e.fail(o, ReasonOf(perr), "rejected", now)
		case KindMisconfigured:
			if !flags.misconfigured.Swap(true) {
				raised = append(raised, &flags.misconfigured)
				notes = append(notes, e.toAdmins(e.providerAlert(AlertMisconfigured, provider, perr.Error(), now), o.RefID)...)
			}
			if first {
				e.fail(o, ReasonServiceUnavailable, "misconfigured", now)
			}
		default: // unknown, not found: keep pending
			if o.Status == StatusPlacing {
				o.Status = StatusPending
			}
		}
	} else {
		flags.misconfigured.Store(false)
		if res.Status == StatusSuccess {
			flags.depositRefused.Store(false) // the deposit covered this one
		}
		if alert := e.watchBalance(flags, provider, res, now); alert != nil {
			notes, raised = append(notes, alert...), append(raised, &flags.lowBalance)
		}
		if res.Acknowledged {
			o.Acknowledged = true
		}
		if res.ProviderTxID != "" {
			o.ProviderTxID = res.ProviderTxID
		}
		if res.RC != "" || res.Message != "" {
			o.RC, o.Message = res.RC, res.Message
		}
		if res.Price > 0 {
			o.Cost = res.Price
		}
		switch {
		case res.Status == StatusSuccess && !o.delivered(res, e.activationCodes(o)):
			// A success without the token, voucher code or activation code
			// has given the buyer nothing: it stays pending, and checked,
			// until the code arrives (and alerts as any pending order).
			if o.Status == StatusPlacing {
				o.Status = StatusPending
			}
		case res.Status == StatusSuccess:
			o.SN, o.PIN, o.ActivationCode = res.SN, res.PIN, res.ActivationCode
			e.settle(o, StatusSuccess, "", now)
		case res.Status == StatusFailed:
			reason := res.Reason
			if reason == "" {
				reason = ReasonFailed
			}
			e.fail(o, reason, "failed", now)
		default:
			if o.Status == StatusPlacing {
				o.Status = StatusPending
			}
		}
	}
	if o.Status.Final() {
		return append(notes, e.settlementNotes(o)...), raised, nil
	}
	if now.Sub(o.CreatedAt) > e.cfg.AlertAfter && !o.HasAlerted(AlertPendingTooLong) {
		o.Alerted = append(o.Alerted, AlertPendingTooLong)
		notes = append(notes, e.toAdmins(alertText(e.cfg.Lang, AlertPendingTooLong, o, ""), o.RefID)...)
	}
	return notes, raised, nil
}

// watchBalance raises the provider's low-deposit alert when an answer
// shows its deposit under the threshold, once until an answer shows it
// recovered.
func (e *Engine) watchBalance(flags *providerFlags, provider string, res Result, now time.Time) []Notification {
	if e.cfg.LowBalance <= 0 || !res.BalanceKnown {
		return nil
	}
	if res.Balance >= e.cfg.LowBalance {
		flags.lowBalance.Store(false)
		return nil
	}
	if flags.lowBalance.Swap(true) {
		return nil
	}
	detail := text(e.cfg.Lang, "low_balance_detail", FormatRupiah(res.Balance), FormatRupiah(e.cfg.LowBalance))
	return e.toAdmins(e.providerAlert(AlertLowBalance, provider, detail, now), "")
}

// providerAlert is an alert about one provider account; with several
// providers it names which.
func (e *Engine) providerAlert(kind AlertKind, provider, detail string, now time.Time) string {
	if e.several() {
		detail = "[" + provider + "] " + detail
	}
	return providerAlertText(e.cfg.Lang, kind, detail, now)
}

// fail ends o's current attempt on an answer that charged nothing — a
// refusal, a misconfigured account on the first send, the provider's own
// failure. An order with another leg that can fill it moves there under a
// new ref, written with this answer before anything is sent (DESIGN rule
// 17): the caller sends it once the write has committed, and a restart
// resumes it like any order whose send was not recorded. The wallet hold
// stays with the order. Without such a leg the order fails, and the hold
// is returned once.
func (e *Engine) fail(o *Order, reason Reason, outcome string, now time.Time) {
	legs := e.currentLegs(o.Legs, o.Leg)
	next, ok := e.nextLeg(legs, o.Leg, o.Price)
	if !ok || o.Uncertain {
		e.settle(o, StatusFailed, reason, now)
		return
	}
	ref, err := NewRefID(now, e.cfg.Random)
	if err != nil {
		e.log.Error("no ref for the next provider; the order fails", "ref_id", o.RefID, "err", err)
		e.settle(o, StatusFailed, reason, now)
		return
	}
	o.Attempts = append(o.Attempts, Attempt{Account: o.Account, RefID: o.providerRef(), ProductCode: o.ProductCode,
		Cost: o.Cost, ProviderTxID: o.ProviderTxID, SentAt: o.SentAt, EndedAt: now, Outcome: outcome, RC: o.RC, Message: o.Message})
	l := legs[next]
	o.Leg, o.ProviderRef = next, ref
	o.Account, o.ProductCode, o.Cost = e.providers[l.Provider].Account(), l.Code, l.Cost
	o.Acknowledged, o.ProviderTxID, o.SentAt, o.LastSentAt, o.RC, o.Message, o.Checks, o.Uncertain = false, "", time.Time{}, time.Time{}, "", "", 0, false
	// Sent at once by the caller; should the process die first, the
	// poller resumes it once a send could have been answered.
	o.NextCheckAt = now.Add(e.cfg.ProviderTimeout + placingGrace)
}

func (e *Engine) settle(o *Order, s Status, reason Reason, now time.Time) {
	o.Status, o.Reason, o.SettledAt = s, reason, now
	o.NextCheckAt = time.Time{}
}

// settlementNotes are what a settled order sends (DESIGN rule 10): a new
// message to the buyer with the SN or the failure — queued first, so it
// never waits on the edit — then the edit of the "processing" message, then
// the ops group's line.
func (e *Engine) settlementNotes(o *Order) []Notification {
	notes := []Notification{buyerSettled(o)}
	if o.MessageID != 0 {
		notes = append(notes, Notification{Kind: NotifyEdit, ChatID: o.ChatID, MessageID: o.MessageID, Text: buyerEditText(o), RefID: o.RefID})
	}
	if ops := e.opsChat.Load(); ops != 0 {
		notes = append(notes, Notification{Kind: NotifySend, ChatID: ops, ToOps: true, Text: opsLineText(e.cfg.Lang, o), RefID: o.RefID})
	}
	return notes
}

// toAdmins addresses an alert: the ops group, or each admin without one.
func (e *Engine) toAdmins(text, refID string) []Notification {
	if ops := e.opsChat.Load(); ops != 0 {
		return []Notification{{Kind: NotifySend, ChatID: ops, ToOps: true, Text: text, RefID: refID}}
	}
	notes := make([]Notification, 0, len(e.cfg.Admins))
	for _, id := range e.cfg.Admins {
		notes = append(notes, Notification{Kind: NotifySend, ChatID: id, Text: text, RefID: refID})
	}
	return notes
}

// AlertNotes addresses an alert that belongs to no order (a catalog source
// failing): the ops group, or each admin without one.
func (e *Engine) AlertNotes(text string) []Notification { return e.toAdmins(text, "") }

// alertOnce raises an order's alert of kind k unless it was raised before,
// changing nothing else. Only AlertEarlierAttempt is raised on a settled
// order too: an earlier attempt's provider claiming a success after the
// order was filled elsewhere, or failed and refunded, is a double fill or
// a fill after the refund, for an admin to reconcile (DESIGN rule 17).
func (e *Engine) alertOnce(ctx context.Context, o Order, k AlertKind, detail string) (Order, error) {
	if o.HasAlerted(k) {
		return o, nil
	}
	e.log.Warn("order needs an admin", "ref_id", o.RefID, "alert", string(k))
	updated, err := e.store.UpdateOrder(ctx, o.RefID, func(o *Order) ([]Notification, error) {
		settled := o.Status.Final()
		if settled && k != AlertEarlierAttempt || o.HasAlerted(k) {
			return nil, ErrNoChange
		}
		o.Alerted = append(o.Alerted, k)
		if !settled && k != AlertEarlierAttempt {
			// Nothing to ask until an admin acts. An earlier attempt's
			// alert is not about the current one, which is checked on.
			o.NextCheckAt = e.cfg.Now().Add(time.Hour)
		}
		return e.toAdmins(alertText(e.cfg.Lang, k, o, detail), o.RefID), nil
	})
	if err != nil {
		return Order{}, fmt.Errorf("orders: alert %s on %s: %w", k, o.RefID, err)
	}
	return updated, nil
}

// refLocks serialises work on one order in this process, so a callback's
// check and the poller's do not ask the provider at the same time. The store
// keeps settlement exactly-once regardless.
type refLocks struct {
	mu sync.Mutex
	m  map[string]*refLock
}

type refLock struct {
	mu   sync.Mutex
	refs int
}

func (l *refLocks) lock(ref string) (unlock func()) {
	l.mu.Lock()
	if l.m == nil {
		l.m = make(map[string]*refLock)
	}
	rl := l.m[ref]
	if rl == nil {
		rl = &refLock{}
		l.m[ref] = rl
	}
	rl.refs++
	l.mu.Unlock()
	rl.mu.Lock()
	return func() {
		rl.mu.Unlock()
		l.mu.Lock()
		if rl.refs--; rl.refs == 0 {
			delete(l.m, ref)
		}
		l.mu.Unlock()
	}
}
