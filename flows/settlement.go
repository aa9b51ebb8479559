package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ManualSettlement is an admin settling a stuck order by hand after the
// provider's support confirmed its fate (DESIGN rule 16).
type ManualSettlement struct {
	RefID string
	// Status is StatusSuccess or StatusFailed.
	Status Status
	// SN is what the provider's support gave for a success; a product whose
	// value is its code cannot succeed without it.
	SN      string
	AdminID int64
	Note    string
}

// Errors of SettleByHand.
var (
	// ErrSettled: the order is settled already, and settles once (rule 6).
	ErrSettled = errors.New("order already settled")
	// ErrCodeRequired: a success of a code product (PLN token, voucher,
	// eSIM) needs the code the buyer paid for.
	ErrCodeRequired = errors.New("the product is its code: a success needs the SN")
	// ErrNotAnswered: the order is still placing, its first send not yet
	// answered. Its send may be on the wire, or the poller about to resume
	// it, so settling it could refund an order the provider then fills.
	ErrNotAnswered = errors.New("order not yet answered by the provider")
)

// SettleByHand settles a placing or pending order as m says, through the
// same transaction as a provider's answer: the order leaves the pending
// index and its settlement notifications (buyer, edit, ops line) are queued
// with it. The admin and the note are recorded on the order, which marks it
// as settled by hand for any provider answer that arrives later (see
// contradiction).
//
// It does not wait for a check in flight on the order: that check's answer
// then finds the order settled and, if it says otherwise, alerts once.
func (e *Engine) SettleByHand(ctx context.Context, m ManualSettlement) (Order, error) {
	if m.AdminID == 0 || strings.TrimSpace(m.Note) == "" {
		return Order{}, fmt.Errorf("orders: settle %s by hand: an admin and a note are required", m.RefID)
	}
	if m.Status != StatusSuccess && m.Status != StatusFailed {
		return Order{}, fmt.Errorf("orders: settle %s by hand: status %q is not final", m.RefID, m.Status)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	o, err := e.store.UpdateOrder(ctx, m.RefID, func(o *Order) ([]Notification, error) {
		if o.Status.Final() {
			return nil, ErrSettled
		}
		if o.Status == StatusPlacing {
			// The send in flight (or the poller's resume) would reach
			// the provider after the settlement: a refunded order
			// filled anyway. A placing order resolves itself within a
			// poll; only a provider's answer makes it pending.
			return nil, ErrNotAnswered
		}
		now := e.cfg.Now()
		if m.Status == StatusSuccess {
			// The same judgement as a provider's success (Order.delivered);
			// the SN is all an admin types, so an eSIM's code goes in it.
			if !o.delivered(Result{Status: StatusSuccess, SN: m.SN}, false) {
				return nil, ErrCodeRequired
			}
			o.SN = m.SN
			e.settle(o, StatusSuccess, "", now)
		} else {
			e.settle(o, StatusFailed, ReasonFailed, now)
		}
		o.SettledBy, o.SettleNote = m.AdminID, m.Note
		return e.settlementNotes(o), nil
	})
	if err != nil {
		return Order{}, fmt.Errorf("orders: settle %s by hand: %w", m.RefID, err)
	}
	e.log.Warn("order settled by hand", "ref_id", o.RefID, "status", string(o.Status), "admin_id", m.AdminID)
	e.settledHook(o)
	return o, nil
}

// contradiction is what a provider answer for an order settled by hand
// does: nothing to the order, and one alert the first time an answer says
// another final status (DESIGN rule 16). The alert is recorded on the order
// like any other, so later answers are silent.
func (e *Engine) contradiction(o *Order, res Result, perr error) ([]Notification, error) {
	says := res.Status
	switch {
	case perr != nil && KindOf(perr) == KindRejected:
		says = StatusFailed
	case perr != nil:
		return nil, ErrNoChange
	}
	if o.SettledBy == 0 || !says.Final() || says == o.Status || o.HasAlerted(AlertManualContradicted) {
		return nil, ErrNoChange
	}
	o.Alerted = append(o.Alerted, AlertManualContradicted)
	e.log.Warn("provider contradicts a settlement by hand; order unchanged", "ref_id", o.RefID,
		"status", string(o.Status), "provider_says", string(says))
	detail := text(e.cfg.Lang, "manual_contradicted_detail", statusText(e.cfg.Lang, o.Status),
		statusText(e.cfg.Lang, says))
	return e.toAdmins(alertText(e.cfg.Lang, AlertManualContradicted, o, detail), o.RefID), nil
}
