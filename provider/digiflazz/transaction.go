package digiflazz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// MaxRecheckAge is how old a first send may be for Check to re-send it.
// Digiflazz has no status endpoint for prepaid: the check is the identical
// request under the same ref_id, and Digiflazz forgets refs after 90 days —
// a re-send after that would be a new purchase. A day's margin covers clock
// differences and a check that takes long.
const MaxRecheckAge = 89 * 24 * time.Hour

// ErrTooOldToRecheck is the cause of the KindMisconfigured error Check
// returns, without sending anything, for an order first sent more than
// MaxRecheckAge ago: re-sending it could buy the product again. The order
// stays as it is and admins are alerted.
var ErrTooOldToRecheck = errors.New("ref is too old to re-check: Digiflazz forgets refs after 90 days and a re-send would be a new purchase")

// ErrRefNotUnique is the cause of the KindUnknown error for rc 49 "Ref ID
// tidak unik". On a re-send it means the request we stored differs from the
// first send (product, number, max_price or testing): Digiflazz refuses to
// treat it as a status check, and the first send's fate is not known.
var ErrRefNotUnique = errors.New("rc 49 ref id not unique: this request differs from the first send under this ref, whose state is unknown")

// IsRefNotUnique reports whether err is Digiflazz's rc 49 on a transaction:
// the integrator alerts on it, since re-checking the same way will keep
// answering 49.
func IsRefNotUnique(err error) bool { return errors.Is(err, ErrRefNotUnique) }

// txRequest is the body of a transaction call. Place, Check and the
// postpaid commands build it in one place (orderRequest, billRequest) so a
// re-send cannot drift from the first send: Digiflazz answers rc 49 when it
// does.
type txRequest struct {
	Commands     string `json:"commands,omitempty"`
	Username     string `json:"username"`
	BuyerSKUCode string `json:"buyer_sku_code"`
	CustomerNo   string `json:"customer_no"`
	RefID        string `json:"ref_id"`
	Sign         string `json:"sign"`
	Testing      bool   `json:"testing,omitempty"`
	MaxPrice     int64  `json:"max_price,omitempty"`
	CallbackURL  string `json:"cb_url,omitempty"`
}

// orderRequest is the top-up request for req, identical on every send.
func (c *Client) orderRequest(req flows.OrderRequest) txRequest {
	body := txRequest{
		Username:     c.username,
		BuyerSKUCode: req.ProductCode,
		CustomerNo:   wireCustomerNo(req.CustomerNumber),
		RefID:        req.RefID,
		Sign:         c.sign(req.RefID),
		Testing:      c.testing,
		CallbackURL:  c.cbURL,
	}
	if req.MaxPrice > 0 {
		body.MaxPrice = req.MaxPrice
	}
	return body
}

// wireCustomerNo is the customer number as Digiflazz takes it: a game id
// the bot keeps as "userid|zoneid" is sent as the two written together.
func wireCustomerNo(n string) string { return strings.ReplaceAll(n, "|", "") }

// expect is what an answer to this request must be about.
func (r txRequest) expect() expect { return expect{r.RefID, r.BuyerSKUCode, r.CustomerNo} }

// txData is a transaction answer (top-up, re-send, postpaid commands) and
// a webhook's data. Fields are decoded liberally: numbers arrive as strings
// and the other way round.
type txData struct {
	RefID          flex.String     `json:"ref_id"`
	CustomerNo     flex.String     `json:"customer_no"`
	BuyerSKUCode   flex.String     `json:"buyer_sku_code"`
	Message        flex.String     `json:"message"`
	Status         flex.String     `json:"status"`
	RC             flex.String     `json:"rc"`
	SN             flex.String     `json:"sn"`
	BuyerLastSaldo flex.Int        `json:"buyer_last_saldo"`
	Price          flex.Int        `json:"price"`
	Commands       flex.String     `json:"commands"`
	CustomerName   flex.String     `json:"customer_name"`
	Admin          flex.Int        `json:"admin"`
	SellingPrice   flex.Int        `json:"selling_price"`
	Periode        flex.String     `json:"periode"`
	Desc           json.RawMessage `json:"desc"`
}

func (d txData) result(status flows.Status, reason flows.Reason) flows.Result {
	return flows.Result{
		Status:       status,
		SN:           strings.TrimSpace(string(d.SN)),
		Price:        d.Price.Value,
		Acknowledged: true,
		RC:           string(d.RC),
		Message:      string(d.Message),
		Balance:      d.BuyerLastSaldo.Value,
		BalanceKnown: d.BuyerLastSaldo.Set,
		Reason:       reason,
	}
}

// Place sends an order for the first time. Digiflazz processes it
// synchronously: the answer may already be final.
func (c *Client) Place(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	op := "digiflazz: transaction " + req.RefID
	body := c.orderRequest(req)
	d, err := c.transaction(ctx, op, body)
	if err != nil {
		return flows.Result{}, err
	}
	return classify(op, body.expect(), d, false)
}

// Check asks for the state of an order by re-sending the identical request
// under the same ref_id, which Digiflazz answers with the transaction's
// state and never charges twice (it also places the order if the first
// send never arrived). An order first sent more than MaxRecheckAge ago is
// not re-sent: see ErrTooOldToRecheck. A zero SentAt is taken as just sent.
func (c *Client) Check(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	op := "digiflazz: transaction re-send " + req.RefID
	if !req.SentAt.IsZero() {
		if age := c.now().Sub(req.SentAt); age > MaxRecheckAge {
			return flows.Result{}, &flows.ProviderError{Kind: flows.KindMisconfigured, Op: op,
				Message: fmt.Sprintf("ref is too old to re-check: first sent %s ago", age.Round(time.Hour)), Err: ErrTooOldToRecheck}
		}
	}
	body := c.orderRequest(req)
	d, err := c.transaction(ctx, op, body)
	if err != nil {
		return flows.Result{}, err
	}
	return classify(op, body.expect(), d, true)
}

// MinCheckGap is the least time between two sends of one order: Digiflazz
// warns against re-checking a transaction within a minute of the last
// send. The engine keeps to it (flows.ResendLimits); webhooks come first.
const MinCheckGap = time.Minute

// MinCheckGap implements flows.ResendLimits.
func (c *Client) MinCheckGap() time.Duration { return MinCheckGap }

// MaxResendAge implements flows.ResendLimits: the engine stops re-sending
// an order at MaxRecheckAge, before Check would refuse it.
func (c *Client) MaxResendAge() time.Duration { return MaxRecheckAge }

func (c *Client) transaction(ctx context.Context, op string, body txRequest) (txData, error) {
	raw, err := c.post(ctx, op, "transaction", body)
	if err != nil {
		return txData{}, err
	}
	var d txData
	if err := c.decode(op, raw, &d); err != nil {
		return txData{}, err
	}
	return d, nil
}

// expect is what an answer must be about; an empty field is not checked.
type expect struct{ refID, sku, customerNo string }

// classify turns a transaction answer into a Result or a
// *flows.ProviderError per DESIGN rules 3–5. Status and rc must agree: a
// Sukses needs rc 00, a Pending 03 or 99, a Gagal a failure rc; anything
// else is unknown, and money never moves on a self-contradicting answer.
//
// check is false for the first send and true for a re-send (and a
// webhook): a Gagal whose rc creates no transaction rejects a first send,
// but on a re-send it is Digiflazz refusing the request, not the state of
// the transaction the first send made.
func classify(op string, want expect, d txData, check bool) (flows.Result, error) {
	rc := string(d.RC)
	perr := func(kind flows.ErrorKind, reason flows.Reason, cause error) error {
		return &flows.ProviderError{Kind: kind, Op: op, RC: rc, Message: string(d.Message), Reason: reason, Err: cause}
	}
	for _, f := range []struct{ name, got, want string }{
		{"ref_id", string(d.RefID), want.refID},
		{"buyer_sku_code", string(d.BuyerSKUCode), want.sku},
		{"customer_no", string(d.CustomerNo), want.customerNo},
	} {
		if f.got != "" && f.want != "" && !strings.EqualFold(strings.TrimSpace(f.got), f.want) {
			return flows.Result{}, perr(flows.KindUnknown, "", fmt.Errorf("answer is for %s %q", f.name, shorten(f.got)))
		}
	}
	info, known := codes[rc]
	if !known {
		return flows.Result{}, perr(flows.KindUnknown, "", errors.New("rc not in Digiflazz's table"))
	}
	status := strings.ToLower(strings.TrimSpace(string(d.Status)))
	if d.RefID == "" && (info.class == classSuccess || info.class == classPending || info.class == classFailed) {
		// Digiflazz echoes the ref_id in every transaction record: a record
		// that names none is not known to be about this order.
		return flows.Result{}, perr(flows.KindUnknown, "", errors.New("a transaction answer without ref_id"))
	}
	contradiction := func() error {
		return perr(flows.KindUnknown, "", fmt.Errorf("status %q contradicts rc %s", shorten(string(d.Status)), rc))
	}
	switch status {
	case "sukses":
		if info.class != classSuccess {
			return flows.Result{}, contradiction()
		}
		return d.result(flows.StatusSuccess, ""), nil
	case "pending":
		if info.class != classPending {
			return flows.Result{}, contradiction()
		}
		return d.result(flows.StatusPending, ""), nil
	case "gagal":
	default:
		return flows.Result{}, perr(flows.KindUnknown, "", fmt.Errorf("unknown status %q", shorten(string(d.Status))))
	}
	switch info.class {
	case classFailed:
		return d.result(flows.StatusFailed, info.reason), nil
	case classNoTx:
		if check {
			return flows.Result{}, perr(flows.KindUnknown, "", errors.New("a re-send refused without a transaction says nothing about the first send's"))
		}
		return flows.Result{}, perr(flows.KindRejected, info.reason, nil)
	case classMisconfigured:
		return flows.Result{}, perr(flows.KindMisconfigured, info.reason, nil)
	case classRefNotUnique:
		// Checking the same way keeps answering 49: an admin must look,
		// once per order (the engine raises Alert once).
		pe := perr(flows.KindUnknown, "", ErrRefNotUnique).(*flows.ProviderError)
		pe.Alert = flows.AlertRefConflict
		return flows.Result{}, pe
	case classSuccess, classPending:
		return flows.Result{}, contradiction()
	}
	return flows.Result{}, perr(flows.KindUnknown, "", nil)
}

// shorten bounds what a provider sent before it goes into an error.
func shorten(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}
