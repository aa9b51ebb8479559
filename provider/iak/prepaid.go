package iak

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// txData is a prepaid transaction answer (top-up, check-status). Every field
// is decoded liberally: IAK sends numbers in answers, strings in callbacks,
// and v1-style keys (code, hp) from some endpoints.
type txData struct {
	RefID          flex.String `json:"ref_id"`
	Status         flex.Int    `json:"status"`
	ProductCode    flex.String `json:"product_code"`
	Code           flex.String `json:"code"` // v1 name of product_code
	CustomerID     flex.String `json:"customer_id"`
	HP             flex.String `json:"hp"` // v1 name of customer_id
	Price          flex.Int    `json:"price"`
	Message        flex.String `json:"message"`
	SN             flex.String `json:"sn"`
	PIN            flex.String `json:"pin"`
	ActivationCode flex.String `json:"activation_code"`
	Balance        flex.Int    `json:"balance"`
	TrID           flex.String `json:"tr_id"`
	RC             flex.String `json:"rc"`
	ResponseCode   flex.String `json:"response_code"`
}

func (d txData) rc() string {
	if d.RC != "" {
		return string(d.RC)
	}
	return string(d.ResponseCode)
}

// trID returns IAK's transaction id, or "" when the answer carries none:
// refusals that create nothing answer tr_id 0.
func (d txData) trID() string {
	if d.TrID == "" || d.TrID == "0" {
		return ""
	}
	return string(d.TrID)
}

func (d txData) result(status flows.Status, reason flows.Reason) flows.Result {
	return flows.Result{
		Status:         status,
		SN:             string(d.SN),
		PIN:            string(d.PIN),
		ActivationCode: string(d.ActivationCode),
		Price:          d.Price.Value,
		ProviderTxID:   d.trID(),
		Acknowledged:   d.trID() != "",
		RC:             d.rc(),
		Message:        string(d.Message),
		Balance:        d.Balance.Value,
		BalanceKnown:   d.Balance.Set,
		Reason:         reason,
	}
}

type topUpRequest struct {
	Username    string `json:"username"`
	RefID       string `json:"ref_id"`
	CustomerID  string `json:"customer_id"`
	ProductCode string `json:"product_code"`
	Sign        string `json:"sign"`
}

// Place sends an order for the first time. IAK answers a first top-up with
// PROCESS (rc 39); the final state comes from the callback or a check.
func (c *Client) Place(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	op := "iak: top-up " + req.RefID
	d, err := c.topUp(ctx, op, req)
	if err != nil {
		return flows.Result{}, err
	}
	return classifyPrepaid(op, req.RefID, d, false)
}

// Check asks for the state of an order. Until IAK has acknowledged the order
// (returned a tr_id) it re-sends the identical top-up under the same ref_id,
// which IAK documents as a status check that never charges twice — and which
// also places the order if the first send never arrived. Acknowledged orders
// are asked with check-status, whose rc 06 ("not found") comes back as
// flows.KindNotFound and never fails an order.
//
// A re-send refused without a transaction is confirmed with check-status
// (see confirmRefusal): the refusal is about the request, and the first send
// may live on.
func (c *Client) Check(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	if !req.Acknowledged {
		op := "iak: top-up re-send " + req.RefID
		d, err := c.topUp(ctx, op, req)
		if err != nil {
			return flows.Result{}, err
		}
		res, err := classifyPrepaid(op, req.RefID, d, true)
		if rc, refused := resendRefusal(req.RefID, d); refused {
			return c.confirmRefusal(ctx, req, rc, string(d.Message))
		}
		return res, err
	}
	d, err := c.checkStatus(ctx, req.RefID)
	if err != nil {
		return flows.Result{}, err
	}
	return classifyPrepaid("iak: check-status "+req.RefID, req.RefID, d, true)
}

func (c *Client) checkStatus(ctx context.Context, refID string) (txData, error) {
	op := "iak: check-status " + refID
	body := map[string]string{"username": c.username, "ref_id": refID, "sign": c.sign(refID)}
	raw, _, err := c.post(ctx, op, c.prepaidURL+"/api/check-status", body)
	if err != nil {
		return txData{}, err
	}
	return decodeTx(op, raw)
}

// orderProperties are the refusals a property of the order itself explains
// — wrong number (14), operator prefix (16), unknown product code (20),
// blocked number (13): the first send met them too, so it created nothing.
// Any other refusal of a re-send (17 deposit, 106 out of service, 110
// maintenance, 202 once a day — which even hints that the first send
// exists —, or an rc the table lacks) may be IAK refusing the request while
// the first send's transaction lives on.
var orderProperties = map[string]bool{"13": true, "14": true, "16": true, "20": true}

// resendRefusal reports whether a re-send's answer refuses the request
// rather than reporting a transaction: a failed answer (a failure or outage
// rc, or status 2 with an rc the table lacks or none) without a tr_id. It
// returns the refusal's rc.
func resendRefusal(refID string, d txData) (rc string, refused bool) {
	if d.trID() != "" || (d.RefID != "" && string(d.RefID) != refID) {
		return "", false
	}
	rc = d.rc()
	failedStatus := d.Status.Set && d.Status.Value == 2
	info, known := prepaidCodes[rc]
	switch {
	case rc == "" || !known:
		return rc, failedStatus
	case info.class == classFailed, info.class == classOutage:
		// A status other than 2 contradicts the rc: classifyPrepaid's
		// "unknown" stands.
		return rc, !d.Status.Set || failedStatus
	}
	return "", false
}

// confirmRefusal decides an unacknowledged order whose same-ref re-send IAK
// refused without a transaction (DESIGN rules 4 and 5). The refusal is about
// the request, not the transaction — rc 17 may be the deposit the first send
// was charged — so check-status is asked first. A transaction found there
// decides by its own state. rc 06 fails the order only for a refusal that is
// a property of the order (orderProperties) and a first send older than
// twice the provider timeout, which IAK would have registered by now; any
// other case leaves the order pending.
func (c *Client) confirmRefusal(ctx context.Context, req flows.OrderRequest, rc, message string) (flows.Result, error) {
	op := "iak: top-up re-send " + req.RefID
	csOp := "iak: check-status " + req.RefID
	d, err := c.checkStatus(ctx, req.RefID)
	if err != nil {
		return flows.Result{}, err
	}
	res, err := classifyPrepaid(csOp, req.RefID, d, true)
	switch flows.KindOf(err) {
	case "":
		if res.Status == flows.StatusFailed && !res.Acknowledged {
			// A failure without a tr_id is a refusal again, not a
			// transaction's state.
			return flows.Result{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: csOp, RC: res.RC, Message: res.Message,
				Err: fmt.Errorf("re-send refused (rc %q) and check-status answers a failure without a transaction", rc)}
		}
		return res, nil
	case flows.KindNotFound:
		if d.trID() != "" || d.Status.Set && d.Status.Value != 2 {
			// "Not found" naming a transaction or a state other than
			// failed contradicts itself: no order fails on it.
			return flows.Result{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: csOp, RC: d.rc(), Message: string(d.Message),
				Err: fmt.Errorf("re-send refused (rc %q) and check-status answers rc 06 with tr_id %q, status %d", rc, d.TrID, d.Status.Value)}
		}
	default:
		return flows.Result{}, err
	}
	age := c.now().Sub(req.SentAt)
	if orderProperties[rc] && !req.SentAt.IsZero() && age > 2*c.timeout {
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindRejected, Op: op, RC: rc, Message: message,
			Reason: prepaidCodes[rc].reason}
	}
	why := fmt.Sprintf("re-send refused (rc %q) without a transaction and check-status finds none; such a refusal does not fail an order", rc)
	switch {
	case !orderProperties[rc]:
	case req.SentAt.IsZero():
		why = fmt.Sprintf("re-send refused (rc %s) and check-status finds no transaction, but when the first send went is not known", rc)
	default:
		why = fmt.Sprintf("re-send refused (rc %s) and check-status finds no transaction, but the first send is only %s old", rc, age.Round(time.Second))
	}
	return flows.Result{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, RC: rc, Message: message, Err: errors.New(why)}
}

func (c *Client) topUp(ctx context.Context, op string, req flows.OrderRequest) (txData, error) {
	body := topUpRequest{
		Username:    c.username,
		RefID:       req.RefID,
		CustomerID:  req.CustomerNumber,
		ProductCode: req.ProductCode,
		Sign:        c.sign(req.RefID),
	}
	raw, _, err := c.post(ctx, op, c.prepaidURL+"/api/top-up", body)
	if err != nil {
		return txData{}, err
	}
	return decodeTx(op, raw)
}

func decodeTx(op string, raw json.RawMessage) (txData, error) {
	var d txData
	if err := json.Unmarshal(raw, &d); err != nil {
		return txData{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, Err: fmt.Errorf("decoding answer %s: %w", snippet(raw), err)}
	}
	return d, nil
}

// classifyPrepaid turns a prepaid transaction answer into a Result or a
// *flows.ProviderError per DESIGN rules 3–5. The rc decides; status is used
// only when the rc is absent. A status that contradicts a final rc (rc 00
// with status 2, a failure rc with status 1) makes the answer unknown: money
// never moves on a self-contradicting answer.
//
// check is false for the first send of an order and true for a re-send or a
// check-status: the same code can mean "nothing was created" on a first send
// and "this says nothing about the transaction" on a check.
func classifyPrepaid(op, refID string, d txData, check bool) (flows.Result, error) {
	rc := d.rc()
	perr := func(kind flows.ErrorKind, reason flows.Reason, why string) error {
		e := &flows.ProviderError{Kind: kind, Op: op, RC: rc, Message: string(d.Message), Reason: reason}
		if why != "" {
			e.Err = fmt.Errorf("%s", why)
		}
		return e
	}
	if d.RefID != "" && string(d.RefID) != refID {
		return flows.Result{}, perr(flows.KindUnknown, "", fmt.Sprintf("answer is for ref_id %q", d.RefID))
	}
	status, hasStatus := d.Status.Value, d.Status.Set
	if rc == "" {
		if !hasStatus {
			return flows.Result{}, perr(flows.KindUnknown, "", "answer has neither rc nor status")
		}
		switch status {
		case 0:
			return d.result(flows.StatusPending, ""), nil
		case 1:
			return d.result(flows.StatusSuccess, ""), nil
		case 2:
			if check {
				return d.result(flows.StatusFailed, flows.ReasonFailed), nil
			}
			return flows.Result{}, perr(flows.KindRejected, flows.ReasonFailed, "")
		}
		return flows.Result{}, perr(flows.KindUnknown, "", fmt.Sprintf("unknown status %d", status))
	}
	info, known := prepaidCodes[rc]
	if !known {
		return flows.Result{}, perr(flows.KindUnknown, "", "rc not in IAK's table")
	}
	switch info.class {
	case classSuccess:
		if hasStatus && status != 1 {
			return flows.Result{}, perr(flows.KindUnknown, "", fmt.Sprintf("rc %s contradicts status %d", rc, status))
		}
		return d.result(flows.StatusSuccess, ""), nil
	case classPending:
		return d.result(flows.StatusPending, ""), nil
	case classFailed:
		if hasStatus && status != 2 {
			return flows.Result{}, perr(flows.KindUnknown, "", fmt.Sprintf("rc %s contradicts status %d", rc, status))
		}
		if check {
			// DESIGN rule 5: on a check only the transaction's own failed
			// state fails it. A bare refusal code ({"rc":"17"}) may be IAK
			// validating a re-send of a transaction it holds and still
			// processes: it says nothing about that transaction.
			if !hasStatus {
				return flows.Result{}, perr(flows.KindUnknown, "", "a failure rc without the transaction's status")
			}
			return d.result(flows.StatusFailed, info.reason), nil
		}
		return flows.Result{}, perr(flows.KindRejected, info.reason, "")
	case classNotFound:
		if check {
			return flows.Result{}, perr(flows.KindNotFound, "", "")
		}
	case classMisconfigured:
		return flows.Result{}, perr(flows.KindMisconfigured, info.reason, "")
	case classBadRequest:
		if !check {
			return flows.Result{}, perr(flows.KindMisconfigured, info.reason, "")
		}
	case classOutage:
		if !check {
			return flows.Result{}, perr(flows.KindRejected, info.reason, "")
		}
	}
	return flows.Result{}, perr(flows.KindUnknown, "", "")
}

// Balance returns the deposit.
func (c *Client) Balance(ctx context.Context) (int64, error) {
	const op = "iak: check-balance"
	body := map[string]string{"username": c.username, "sign": c.sign("bl")}
	raw, _, err := c.post(ctx, op, c.prepaidURL+"/api/check-balance", body)
	if err != nil {
		return 0, err
	}
	var d struct {
		Balance flex.Int    `json:"balance"`
		Message flex.String `json:"message"`
		RC      flex.String `json:"rc"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return 0, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, Err: fmt.Errorf("decoding answer %s: %w", snippet(raw), err)}
	}
	// v1 answers carry only the balance; v2 adds rc 00.
	if d.RC != "" && d.RC != "00" {
		return 0, simpleError(op, string(d.RC), string(d.Message), prepaidCodes)
	}
	if !d.Balance.Set {
		return 0, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, Err: fmt.Errorf("answer without balance: %s", snippet(raw))}
	}
	return d.Balance.Value, nil
}

// simpleError classifies a refusal of a call that is not a transaction
// (balance, pricelist, inquiries): misconfigured codes are for admins,
// failures are rejections with a reason, the rest is unknown.
func simpleError(op, rc, message string, table map[string]code) error {
	e := &flows.ProviderError{Kind: flows.KindUnknown, Op: op, RC: rc, Message: message}
	info, ok := table[rc]
	if !ok {
		return e
	}
	switch info.class {
	case classMisconfigured, classBadRequest:
		e.Kind, e.Reason = flows.KindMisconfigured, info.reason
	case classFailed, classOutage:
		e.Kind, e.Reason = flows.KindRejected, info.reason
	}
	return e
}

// InquireMeter looks up the owner of a PLN prepaid meter (inquiry-pln).
func (c *Client) InquireMeter(ctx context.Context, customerNumber string) (flows.Meter, error) {
	op := "iak: inquiry-pln " + customerNumber
	body := map[string]string{"username": c.username, "customer_id": customerNumber, "sign": c.sign(customerNumber)}
	raw, _, err := c.post(ctx, op, c.prepaidURL+"/api/inquiry-pln", body)
	if err != nil {
		return flows.Meter{}, err
	}
	var d struct {
		Status       flex.String `json:"status"`
		CustomerID   flex.String `json:"customer_id"`
		HP           flex.String `json:"hp"`
		MeterNo      flex.String `json:"meter_no"`
		SubscriberID flex.String `json:"subscriber_id"`
		Name         flex.String `json:"name"`
		SegmentPower flex.String `json:"segment_power"`
		Message      flex.String `json:"message"`
		RC           flex.String `json:"rc"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return flows.Meter{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, Err: fmt.Errorf("decoding answer %s: %w", snippet(raw), err)}
	}
	// Here status is a string: "1" success, "2" failed.
	if d.RC != "00" || (d.Status != "" && d.Status != "1") {
		if d.RC == "" || d.RC == "00" {
			return flows.Meter{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, RC: string(d.RC), Message: string(d.Message), Err: fmt.Errorf("status %q", d.Status)}
		}
		return flows.Meter{}, simpleError(op, string(d.RC), string(d.Message), prepaidCodes)
	}
	customer := string(d.CustomerID)
	if customer == "" {
		customer = string(d.HP)
	}
	return flows.Meter{
		CustomerNumber: customer,
		MeterNumber:    string(d.MeterNo),
		SubscriberID:   string(d.SubscriberID),
		Name:           string(d.Name),
		SegmentPower:   string(d.SegmentPower),
	}, nil
}
