package mesinr1

import (
	"context"
	"errors"
	"net/url"
	"time"

	"topupbot/flows"
)

// Place sends the order's first topup. A record decides the Result; rc 94
// (the ref_1 exists already) is answered from status; a refusal is
// KindRejected, KindMisconfigured or KindUnknown as the package doc says.
func (c *Client) Place(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	return c.topup(ctx, req)
}

// Check asks for the state of an order. An order Mesin R1 has not
// acknowledged is re-sent as the identical topup under the same ref_1
// (DESIGN rule 4): the platform answers rc 94 if it holds the ref, and the
// client then asks status. An acknowledged order is looked up with status,
// then history/{ref_1}; KindNotFound when neither shows a record.
func (c *Client) Check(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	if req.Acknowledged {
		if err := checkOrder("mesinr1: status "+req.RefID, req, false); err != nil {
			return flows.Result{}, err
		}
		return c.lookup(ctx, req.RefID, false)
	}
	res, err := c.topup(ctx, req)
	if flows.KindOf(err) != flows.KindRejected || localRefusal(err) {
		return res, err
	}
	// A refusal of a re-send is believed only if no transaction exists under
	// the ref: the first send may have been created (and debited) and the
	// platform may check the deposit before it notices the duplicate.
	found, lerr := c.lookup(ctx, req.RefID, false)
	switch flows.KindOf(lerr) {
	case "":
		return found, nil
	case flows.KindNotFound:
		return flows.Result{}, err
	default:
		return flows.Result{}, lerr
	}
}

func (c *Client) topup(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	op := "mesinr1: topup " + req.RefID
	if err := checkOrder(op, req, true); err != nil {
		return flows.Result{}, err
	}
	env, err := c.call(ctx, op, "topup", map[string]any{
		"product_code": req.ProductCode,
		"customer_id":  req.CustomerNumber,
		"ref_1":        req.RefID,
	})
	if err != nil {
		return flows.Result{}, err
	}
	if env.rc() == rcDuplicate {
		return c.existing(ctx, op, req.RefID, false)
	}
	return c.answer(op, req.RefID, env, false)
}

// existing answers an rc 94 ("ref_1 already used") from status and history.
// The platform has just said the transaction exists, so a lookup that finds
// nothing is unknown, not "not found".
func (c *Client) existing(ctx context.Context, op, ref string, bill bool) (flows.Result, error) {
	res, err := c.lookup(ctx, ref, bill)
	if flows.KindOf(err) == flows.KindNotFound {
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, RC: rcDuplicate,
			Message: "ref_1 exists (rc 94) but status shows no matching record", Err: err}
	}
	return res, err
}

// answer classifies the answer to a topup or a payment.
func (c *Client) answer(op, ref string, env *envelope, bill bool) (flows.Result, error) {
	recs, err := records(env.Data)
	if err != nil {
		return flows.Result{}, c.unknown(op, "undecodable transaction record", err)
	}
	mine, foreign := about(recs, ref)
	if len(mine) == 0 {
		if foreign > 0 {
			return flows.Result{}, c.unknownAnswer(op, env, "the record is about another ref_1")
		}
		return flows.Result{}, c.refusal(op, env)
	}
	rec := mine[0]
	if bill && rec.isInquiry() {
		// The payment answer shows the inquiry: the payment's fate is not
		// in it. CheckBill will tell.
		return flows.Result{}, c.unknownAnswer(op, env, "the payment answer shows the inquiry record only")
	}
	res := c.result(rec, env, bill)
	if env.failed() && res.Status == flows.StatusSuccess {
		return flows.Result{}, c.unknownAnswer(op, env, "error envelope with a successful record")
	}
	return res, nil
}

// lookup asks status, then history/{ref_1} when status shows no record, and
// turns the record into a Result.
func (c *Client) lookup(ctx context.Context, ref string, bill bool) (flows.Result, error) {
	rec, env, err := c.lookupRecord(ctx, ref, bill)
	if err != nil {
		return flows.Result{}, err
	}
	return c.result(rec, env, bill), nil
}

// lookupRecord finds the record about ref with status, falling back to
// history/{ref_1}. When both find nothing it returns status's KindNotFound.
func (c *Client) lookupRecord(ctx context.Context, ref string, bill bool) (record, *envelope, error) {
	rec, env, err := c.find(ctx, "status", ref, bill)
	if flows.KindOf(err) != flows.KindNotFound {
		return rec, env, err
	}
	hrec, henv, herr := c.find(ctx, "history/"+url.PathEscape(ref), ref, bill)
	if flows.KindOf(herr) != flows.KindNotFound {
		return hrec, henv, herr
	}
	if bill && errors.Is(err, errNoRecord) && errors.Is(herr, errNoRecord) {
		// A bill's ref_1 was inquired, so the platform knows it: no record
		// anywhere is not "only the inquiry" (DESIGN rule 8) and must never
		// let a payment that may have gone through be failed.
		return record{}, nil, &flows.ProviderError{Kind: flows.KindUnknown, Op: "mesinr1: status " + ref,
			Message: "neither status nor history shows the inquired ref_1", Err: herr}
	}
	if errors.Is(err, errNoRecord) {
		return record{}, nil, herr // history at least showed the inquiry
	}
	return record{}, nil, err
}

// errNoRecord marks a look-up that found no record at all, as opposed to
// one that found only a bill's inquiry.
var errNoRecord = errors.New("no record")

// find reads one endpoint's record about ref. An answer without one is
// KindNotFound — it never fails an order — unless it says "still working"
// (68, 96: unknown) or "not allowed" (misconfigured). For a bill only a
// BAYAR record will do: an INQ… record is KindNotFound, a record that is
// neither is unknown.
func (c *Client) find(ctx context.Context, endpoint, ref string, bill bool) (record, *envelope, error) {
	op := "mesinr1: status " + ref
	fields := map[string]any{"ref_1": ref}
	if endpoint != "status" {
		op, fields = "mesinr1: history "+ref, nil
	}
	env, err := c.call(ctx, op, endpoint, fields)
	if err != nil {
		return record{}, nil, err
	}
	recs, err := records(env.Data)
	if err != nil {
		return record{}, nil, c.unknown(op, "undecodable transaction record", err)
	}
	mine, foreign := about(recs, ref)
	if len(mine) == 0 {
		rc, msg := env.rc(), c.scrub(string(env.Message))
		switch {
		case foreign > 0:
			return record{}, nil, c.unknownAnswer(op, env, "the record is about another ref_1")
		case rc == rcTimeout || rc == rcMalfunction:
			return record{}, nil, c.unknownAnswer(op, env, "")
		case misconfigured(rc, env.httpStatus, msg):
			return record{}, nil, &flows.ProviderError{Kind: flows.KindMisconfigured, Op: op, RC: rc, Message: msg}
		case !env.ok() && !env.failed():
			return record{}, nil, c.unknownAnswer(op, env, "answer without a status")
		}
		return record{}, nil, &flows.ProviderError{Kind: flows.KindNotFound, Op: op, RC: rc, Message: msg, Err: errNoRecord}
	}
	if !bill {
		return mine[0], env, nil
	}
	inquiryOnly := true
	for _, r := range mine {
		if r.isPayment() {
			return r, env, nil
		}
		inquiryOnly = inquiryOnly && r.isInquiry()
	}
	if inquiryOnly {
		return record{}, nil, &flows.ProviderError{Kind: flows.KindNotFound, Op: op, RC: env.rc(),
			Message: "inquiry only, no payment: " + c.scrub(mine[0].msg())}
	}
	return record{}, nil, c.unknownAnswer(op, env, "record is neither an inquiry nor a payment: "+c.scrub(mine[0].msg()))
}

// checkOrder refuses locally what cannot be sent. Nothing leaves the
// process, so nothing was created.
func checkOrder(op string, req flows.OrderRequest, full bool) error {
	missing := ""
	switch {
	case req.RefID == "":
		missing = "ref_1"
	case full && req.ProductCode == "":
		missing = "product code"
	case full && req.CustomerNumber == "":
		missing = "customer number"
	}
	if missing == "" {
		return nil
	}
	return &flows.ProviderError{Kind: flows.KindRejected, Op: op, Reason: flows.ReasonFailed,
		Message: "not sent: the order has no " + missing, Err: errLocal}
}

// errLocal marks refusals made before anything was sent.
var errLocal = localError{}

type localError struct{}

func (localError) Error() string { return "refused locally" }

func localRefusal(err error) bool { return errors.Is(err, errLocal) }

// Transaction is one transaction as status and history report it.
type Transaction struct {
	RefID string
	// ProviderTxID is ref_2 or trx_no.
	ProviderTxID string
	ProductCode  string
	ProductName  string
	CustomerID   string
	// Status is the mapped state; StatusCode and StatusLabel are the wire's.
	Status      flows.Status
	StatusCode  string
	StatusLabel string
	RC          string
	Message     string
	SN          string
	Price       int64
	CreatedAt   time.Time
}

func (c *Client) transaction(rec record) (Transaction, error) {
	at, err := parseTime(string(rec.CreatedAt))
	t := Transaction{
		RefID:        rec.ref(),
		ProviderTxID: rec.txID(),
		ProductCode:  rec.code(),
		ProductName:  first(rec.ProductName),
		CustomerID:   rec.customer(),
		Status:       rec.state(),
		StatusCode:   first(rec.Status),
		StatusLabel:  first(rec.StatusLabel),
		RC:           first(rec.RC),
		Message:      c.scrub(rec.msg()),
		SN:           first(rec.SN),
		Price:        rec.price(),
		CreatedAt:    at,
	}
	if t.SN == "" {
		t.SN = snFromMsg(t.Message)
	}
	return t, err
}

// Lookup reports the transaction under ref_1 from status, or from
// history/{ref_1} when status has no record. KindNotFound when neither has.
// It never sends anything that could create a transaction.
func (c *Client) Lookup(ctx context.Context, ref string) (Transaction, error) {
	op := "mesinr1: status " + ref
	if ref == "" {
		return Transaction{}, &flows.ProviderError{Kind: flows.KindRejected, Op: op, Reason: flows.ReasonFailed,
			Message: "not sent: empty ref_1", Err: errLocal}
	}
	rec, _, err := c.lookupRecord(ctx, ref, false)
	if err != nil {
		return Transaction{}, err
	}
	t, err := c.transaction(rec)
	if err != nil {
		return Transaction{}, c.unknown(op, "", err)
	}
	return t, nil
}
