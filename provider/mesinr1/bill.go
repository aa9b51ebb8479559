package mesinr1

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// InquireBill asks for a postpaid bill under req.RefID; the payment must use
// the same ref_1 within InquiryHold. Expires is counted from before the
// request was sent, so it is never later than the platform's own hold.
// BillRequest.Months, when set, is sent as `periode` (BPJS) — an assumption:
// the seed shows no such field, community clients send it.
func (c *Client) InquireBill(ctx context.Context, req flows.BillRequest) (flows.Bill, error) {
	op := "mesinr1: inquiry " + req.RefID
	if req.RefID == "" || req.ProductCode == "" || req.CustomerNumber == "" {
		return flows.Bill{}, &flows.ProviderError{Kind: flows.KindRejected, Op: op, Reason: flows.ReasonFailed,
			Message: "not sent: ref_1, product code and customer number are required", Err: errLocal}
	}
	start := c.now()
	fields := map[string]any{"product_code": req.ProductCode, "customer_id": req.CustomerNumber, "ref_1": req.RefID}
	if req.Months > 0 {
		fields["periode"] = strconv.Itoa(req.Months)
	}
	env, err := c.call(ctx, op, "inquiry", fields)
	if err != nil {
		return flows.Bill{}, err
	}
	if env.rc() == rcDuplicate {
		// An inquiry costs nothing: the caller inquires again under a new ref.
		return flows.Bill{}, c.unknownAnswer(op, env, "ref_1 already used (rc 94)")
	}
	recs, err := records(env.Data)
	if err != nil {
		return flows.Bill{}, c.unknown(op, "undecodable inquiry record", err)
	}
	mine, foreign := about(recs, req.RefID)
	switch {
	case foreign > 0 && len(mine) == 0:
		return flows.Bill{}, c.unknownAnswer(op, env, "the record is about another ref_1")
	case len(mine) == 0:
		return flows.Bill{}, c.refusal(op, env)
	}
	rec := mine[0]
	switch rec.state() {
	case flows.StatusFailed:
		rc, msg := first(rec.RC, env.RC), c.scrub(rec.msg())
		return flows.Bill{}, &flows.ProviderError{Kind: flows.KindRejected, Op: op, RC: rc, Message: msg,
			Reason: reasonFor(rc, msg)}
	case flows.StatusPending:
		return flows.Bill{}, c.unknownAnswer(op, env, "inquiry still pending")
	}
	if env.failed() {
		return flows.Bill{}, c.unknownAnswer(op, env, "error envelope with a successful inquiry")
	}
	var d detail
	if err := d.decode(rec.Detail); err != nil {
		return flows.Bill{}, c.unknown(op, "undecodable inquiry detail", err)
	}
	bill := flows.Bill{
		RefID:          req.RefID,
		ProductCode:    req.ProductCode,
		CustomerNumber: req.CustomerNumber,
		CustomerName:   d.name,
		Period:         d.period,
		AdminFee:       rec.Admin.Value,
		Expires:        start.Add(InquiryHold),
		Details:        d.lines,
		ProviderTxID:   rec.txID(),
		Months:         req.Months,
	}
	switch {
	case rec.Price.Set:
		bill.Amount = rec.Price.Value
	case d.amount.Set:
		bill.Amount = d.amount.Value
	}
	bill.Total = bill.Amount + bill.AdminFee
	if rec.TotalPrice.Set {
		bill.Total = rec.TotalPrice.Value
	}
	if bill.Total <= 0 {
		return flows.Bill{}, c.unknownAnswer(op, env, "inquiry without an amount")
	}
	return bill, nil
}

// PayBill pays bill with the inquiry's ref_1 — never a fresh one. A bill
// past its Expires is refused here, without a request (KindRejected,
// ReasonBillExpired). Answers are classified as for topup; rc 94 (a payment
// exists already) is answered by CheckBill. PayBill is one request: a lost
// answer is resolved with CheckBill, never by paying again.
func (c *Client) PayBill(ctx context.Context, bill flows.Bill) (flows.Result, error) {
	op := "mesinr1: payment " + bill.RefID
	switch {
	case bill.RefID == "" || bill.ProductCode == "" || bill.CustomerNumber == "":
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindRejected, Op: op, Reason: flows.ReasonFailed,
			Message: "not sent: the bill has no ref_1, product code or customer number", Err: errLocal}
	case bill.Expired(c.now()):
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindRejected, Op: op, Reason: flows.ReasonBillExpired,
			Message: "not sent: the inquiry expired at " + bill.Expires.In(flows.WIB).Format("15:04:05 MST"), Err: errLocal}
	}
	env, err := c.call(ctx, op, "payment", map[string]any{
		"product_code": bill.ProductCode,
		"customer_id":  bill.CustomerNumber,
		"ref_1":        bill.RefID,
	})
	if err != nil {
		return flows.Result{}, err
	}
	if env.rc() == rcDuplicate {
		return c.existing(ctx, op, bill.RefID, true)
	}
	return c.answer(op, bill.RefID, env, true)
}

// CheckBill reports the payment of bill from status, then history/{ref_1}.
// Only a record whose msg starts with BAYAR is the payment; a record that
// shows only the inquiry (INQ…) is KindNotFound, like no record at all. It
// never sends a payment.
func (c *Client) CheckBill(ctx context.Context, bill flows.Bill) (flows.Result, error) {
	if bill.RefID == "" {
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindRejected, Op: "mesinr1: status",
			Reason: flows.ReasonFailed, Message: "not sent: the bill has no ref_1", Err: errLocal}
	}
	return c.lookup(ctx, bill.RefID, true)
}

// detail is an inquiry's "detail" object: {"no_pelanggan","nama","bl_th",
// "tagihan",…}. Fields other than those become the bill card's extra lines.
type detail struct {
	name, period string
	amount       flex.Int
	lines        []string
}

// detailSkip are the detail fields the Bill carries in its own fields.
var detailSkip = []string{"nama", "no_pelanggan", "bl_th", "periode", "tagihan", "admin", "total", "total_price", "customer_id"}

func (d *detail) decode(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil // no detail, or not an object: nothing to show
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return err
	}
	str := func(key string) (string, error) {
		var s flex.String
		v, ok := fields[key]
		if !ok {
			return "", nil
		}
		err := json.Unmarshal(v, &s)
		return strings.TrimSpace(string(s)), err
	}
	var err error
	if d.name, err = str("nama"); err != nil {
		return fmt.Errorf("nama: %w", err)
	}
	if d.period, err = str("bl_th"); err != nil {
		return fmt.Errorf("bl_th: %w", err)
	}
	if d.period == "" {
		if d.period, err = str("periode"); err != nil {
			return fmt.Errorf("periode: %w", err)
		}
	}
	if v, ok := fields["tagihan"]; ok {
		if err := json.Unmarshal(v, &d.amount); err != nil {
			return fmt.Errorf("tagihan: %w", err)
		}
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		if !slices.Contains(detailSkip, strings.ToLower(k)) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		// Only scalars make a line; nested objects are left out.
		s, err := str(k)
		if err != nil || s == "" {
			continue
		}
		d.lines = append(d.lines, label(k)+": "+s)
	}
	return nil
}

// label turns a detail key into a card label: "jumlah_peserta" → "Jumlah Peserta".
func label(key string) string {
	words := strings.FieldsFunc(key, func(r rune) bool { return r == '_' || r == '-' || r == ' ' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
	}
	return strings.Join(words, " ")
}
