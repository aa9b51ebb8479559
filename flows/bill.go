package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// BillRequest asks a provider for a postpaid bill.
type BillRequest struct {
	// RefID is the reference the inquiry is made under; Mesin R1 pays with the
	// same ref, IAK with the inquiry's transaction id.
	RefID          string
	ProductCode    string
	CustomerNumber string
	// Months is the number of months to pay, for billers that ask (BPJS);
	// zero otherwise.
	Months int
}

// Bill is the answer to a postpaid inquiry: what the customer owes and the
// provider state needed to pay it.
type Bill struct {
	RefID          string
	ProductCode    string
	CustomerNumber string
	CustomerName   string
	// Period is the billed period as the provider states it (e.g. "APR26",
	// "201608", or a number of months).
	Period string
	// Amount is the bill itself, AdminFee the provider's fee and Total what
	// the provider asks for both, all in rupiah.
	Amount   int64
	AdminFee int64
	Total    int64
	// Cost is what the provider deducts from the deposit when that differs
	// from Total (IAK selling_price: total minus commission); zero if unknown.
	Cost int64
	// Expires is when the inquiry stops being payable.
	Expires time.Time
	// Details are extra lines for the bill card ("Tarif/Daya: R1/1300VA").
	Details []string
	// ProviderTxID is the provider's inquiry id (IAK pays with it).
	ProviderTxID string
	// Months echoes BillRequest.Months.
	Months int
}

// Expired reports whether the bill can no longer be paid at now.
func (b Bill) Expired(now time.Time) bool { return !b.Expires.IsZero() && !now.Before(b.Expires) }

// asksMonths reports whether a biller bills a chosen number of months: BPJS
// Kesehatan does (IAK "BPJS", Mesin R1 "BPJSKS"); employment BPJS does not.
func asksMonths(p Product) bool {
	code, name := strings.ToUpper(p.Code), strings.ToUpper(p.Name)
	if strings.Contains(code, "BPJSTK") || strings.Contains(name, "KETENAGAKERJAAN") {
		return false
	}
	return code == "BPJS" || strings.HasPrefix(code, "BPJSKS") || strings.Contains(name, "BPJS KESEHATAN")
}

// billGrace is added to a bill's expiry before "the payment never arrived"
// fails an order: the provider's clock and ours differ a little, and an
// inquiry paid in its last second must not be failed by us.
const billGrace = 2 * time.Minute

// billPlacingGrace is how long past the provider timeout a written bill
// payment may wait for its send: the bot sends the payment only once the
// "paying" reply is on screen, which can take a while when Telegram is
// slow (bot.Config.ThenWait, 30 s by default).
const billPlacingGrace = time.Minute

// PayRequest is a confirmed bill payment.
type PayRequest struct {
	ChatID int64
	UserID int64
	// Token is the one-time token of the Pay button (DESIGN rule 2).
	Token string
	Lang  string
	// Product is the biller; Bill the inquiry to pay.
	Product Product
	Bill    Bill
	// Price is what the buyer agreed to pay: the bill's total plus markup.
	Price int64
	// MessageID is the "processing" message to edit on settlement.
	MessageID int
}

// billPayer is the provider that pays o's bill: the one it was inquired
// at, with the account it was written with (bills are not routed).
func (e *Engine) billPayer(o *Order) (BillPayer, error) {
	p, ok := e.providerFor(o)
	if !ok {
		return nil, fmt.Errorf("the bill's provider account %s is not configured", o.Account)
	}
	payer, ok := p.(BillPayer)
	if !ok {
		return nil, errors.New("the provider pays no bills")
	}
	return payer, nil
}

// billProvider is the provider a bill of product is paid at and the
// product's code there: with several providers, the product's own (its
// first leg); with one, that one.
func (e *Engine) billProvider(product Product) (Account, string, error) {
	if len(product.Legs) == 0 {
		if e.provider == nil {
			return Account{}, "", fmt.Errorf("bill product %s names no provider", product.Code)
		}
		return e.provider.Account(), product.Code, nil
	}
	l := product.Legs[0]
	p, ok := e.providers[l.Provider]
	if !ok {
		return Account{}, "", fmt.Errorf("bill product %s: provider %q is not configured", product.Code, l.Provider)
	}
	return p.Account(), l.Code, nil
}

// CreateBill writes a bill payment as placing, under the inquiry's ref (IAK
// checks the payment by it; Mesin R1 pays with it), consuming the Pay
// button's token in the same transaction (DESIGN rules 1, 2 and 8).
func (e *Engine) CreateBill(ctx context.Context, req PayRequest) (Order, bool, error) {
	if req.Token == "" {
		return Order{}, false, errors.New("orders: create bill: no confirm token")
	}
	if !ValidRefID(req.Bill.RefID) {
		return Order{}, false, fmt.Errorf("orders: create bill: inquiry ref %q is not a valid ref", req.Bill.RefID)
	}
	account, code, err := e.billProvider(req.Product)
	if err != nil {
		return Order{}, false, fmt.Errorf("orders: create bill: %w", err)
	}
	bill := req.Bill
	cost := bill.Cost
	if cost == 0 {
		cost = bill.Total
	}
	o := Order{
		RefID:          bill.RefID,
		ChatID:         req.ChatID,
		UserID:         req.UserID,
		Token:          req.Token,
		Lang:           req.Lang,
		Kind:           Postpaid,
		ProductCode:    code,
		ShopCode:       req.Product.Code,
		ProductName:    req.Product.Name,
		Category:       CategoryBill,
		CustomerNumber: bill.CustomerNumber,
		CustomerName:   bill.CustomerName,
		Price:          req.Price,
		Hold:           e.hold(req.Price),
		Cost:           cost,
		Bill:           &bill,
		Account:        account,
		Status:         StatusPlacing,
		MessageID:      req.MessageID,
		CreatedAt:      e.cfg.Now(),
	}
	existing, created, err := e.store.CreateOrder(ctx, o)
	if err != nil {
		return Order{}, false, fmt.Errorf("orders: create bill: %w", err)
	}
	if created {
		e.log.Info("bill payment written", "ref_id", o.RefID, "chat_id", req.ChatID, "product_code", o.ProductCode)
		e.created(existing)
	}
	return existing, created, nil
}

// SendBill pays a written bill: the one and only payment request for it
// (DESIGN rule 8). A lost answer is resolved by checks, never by paying again.
func (e *Engine) SendBill(ctx context.Context, refID string) (Order, error) {
	unlock := e.locks.lock(refID)
	defer unlock()
	o, err := e.store.Order(ctx, refID)
	if err != nil {
		return Order{}, fmt.Errorf("orders: pay %s: %w", refID, err)
	}
	if o.Status != StatusPlacing || o.Kind != Postpaid || o.Bill == nil {
		return o, nil
	}
	payer, err := e.billPayer(&o)
	if err != nil {
		return o, fmt.Errorf("orders: pay %s: %w", refID, err)
	}
	// Past this point the payment may reach the provider: whatever happens,
	// the order must never be paid again. Mark it pending first, so that a
	// crash during the call leaves an order that checks resolve.
	marked := false
	o, err = e.store.UpdateOrder(ctx, refID, func(o *Order) ([]Notification, error) {
		marked = false
		if o.Status != StatusPlacing {
			return nil, ErrNoChange
		}
		o.Status, marked = StatusPending, true
		return nil, nil
	})
	if err != nil {
		return Order{}, fmt.Errorf("orders: pay %s: %w", refID, err)
	}
	if !marked {
		// Someone else moved it on (failed it as never sent, or sent it):
		// paying now could pay twice or pay a failed order.
		return o, nil
	}
	pctx, cancel := context.WithTimeout(ctx, e.cfg.ProviderTimeout)
	res, perr := payer.PayBill(pctx, *o.Bill)
	cancel()
	return e.record(ctx, refID, res, perr, true)
}

// checkBill asks whether a bill payment went through; it never pays
// (DESIGN rule 8). "No payment" (KindNotFound: IAK status 0, a Mesin R1
// record of the inquiry alone) fails the order only once the inquiry can no
// longer be paid; a payment still unresolved then alerts once. answered is
// called once the provider has answered (see check).
func (e *Engine) checkBill(ctx context.Context, o Order, answered func()) (Order, error) {
	payer, err := e.billPayer(&o)
	if err != nil {
		return o, fmt.Errorf("orders: check bill %s: %w", o.RefID, err)
	}
	if o.Bill == nil {
		return o, fmt.Errorf("orders: check bill %s: the order holds no bill", o.RefID)
	}
	now := e.cfg.Now()
	if o.Status == StatusPlacing {
		// SendBill marks an order pending before the payment can leave, so a
		// placing one was never sent. Fresh, it may be about to be; stale
		// (a crash between writing it and paying), it is failed without
		// asking anyone: sending it late is not what the buyer confirmed.
		if now.Sub(o.UpdatedAt) < e.cfg.ProviderTimeout+billPlacingGrace {
			return o, nil
		}
		return e.record(ctx, o.RefID, Result{}, &ProviderError{Kind: KindRejected, Op: "orders: bill " + o.RefID,
			Reason: ReasonServiceUnavailable, Message: "the payment was never sent"}, false)
	}
	pctx, cancel := context.WithTimeout(ctx, e.cfg.ProviderTimeout)
	res, perr := payer.CheckBill(pctx, *o.Bill)
	cancel()
	answered()
	expired := !o.Bill.Expires.IsZero() && now.After(o.Bill.Expires.Add(billGrace))
	if KindOf(perr) == KindNotFound && expired {
		perr = &ProviderError{Kind: KindRejected, Op: "orders: bill " + o.RefID, Reason: ReasonBillExpired,
			Message: "no payment by the end of the inquiry's validity", Err: perr}
	}
	updated, err := e.record(ctx, o.RefID, res, perr, false)
	if err != nil {
		return Order{}, err
	}
	if expired && !updated.Status.Final() {
		return e.alertOnce(ctx, updated, AlertBillUnresolved, "")
	}
	return updated, nil
}
