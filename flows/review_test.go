package flows_test

import (
	"testing"
	"time"

	"topupbot/flows"
)

// Review findings on the Digiflazz integration (re-send limits). Each test
// states the rule it defends.

// createOnly writes an order as placing without sending it: the state a
// restart finds when the process died while the first send was on the wire.
func (r *resendRig) createOnly(t *testing.T) flows.Order {
	t.Helper()
	o, created, err := r.engine.Create(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(),
		Product: telkomsel10k(), CustomerNumber: "087800001233", Price: 11500, MessageID: 77})
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	return o
}

// After a restart, a placing order (its first send went out just before the
// process died) is resumed by the poller once ProviderTimeout + 5 s have
// passed: 35 s with the default timeout, inside Digiflazz's 60 s gap. The gap
// in check() applies only to pending orders, so the resumed re-send goes
// within the minute of the first send.
func TestReviewRestartedPlacingOrderKeepsGapOnPoll(t *testing.T) {
	r := newResendRig(t, 0)
	o := r.createOnly(t)
	r.clk.Advance(40 * time.Second)
	if _, err := r.engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	if n := len(r.p.requests()); n != 0 {
		t.Errorf("placing order re-sent %d time(s) 40s after its first send; the provider's gap is 1m", n)
	}
	r.clk.Advance(21 * time.Second)
	if _, err := r.engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	if n := len(r.p.requests()); n != 1 {
		t.Errorf("after the gap: %d sends, want 1", n)
	}
	_ = o
}

// The same order, asked about by an admin's /recheck (or a hint: Hint
// queues a placing order at once since its NextCheckAt is zero) seconds
// after the restart, is re-sent immediately.
func TestReviewRestartedPlacingOrderKeepsGapOnRecheck(t *testing.T) {
	r := newResendRig(t, 0)
	o := r.createOnly(t)
	r.clk.Advance(5 * time.Second)
	if _, err := r.engine.Check(bg, o.RefID); err != nil {
		t.Fatal(err)
	}
	if n := len(r.p.requests()); n != 0 {
		t.Errorf("placing order re-sent %d time(s) 5s after its first send; the provider's gap is 1m", n)
	}
}

// A placing order acknowledged by a verified webhook (the first send's own
// answer was lost in the crash) has no SentAt: the engine's MaxResendAge
// guard skips orders with a zero SentAt, the unacknowledged guard no longer
// applies, and Check fills in SentAt = now, so the client's own 89-day guard
// passes too. A re-send 90 days after the first send is a new purchase
// (DESIGN rule 3/4: never create a new transaction on a check).
func TestReviewResendTooOldWithoutSentAt(t *testing.T) {
	r := newResendRig(t, 0)
	o := r.createOnly(t)
	r.clk.Advance(30 * time.Second)
	match := func(req flows.OrderRequest) bool { return req.RefID == o.RefID }
	got, err := r.engine.Answer(bg, flows.ProviderAnswer{RefID: o.RefID, Matches: match,
		Result: flows.Result{Status: flows.StatusPending, RC: "03", Acknowledged: true}})
	if err != nil || got.Status != flows.StatusPending || !got.Acknowledged {
		t.Fatalf("answer: %+v %v", got, err)
	}
	r.clk.Advance(90 * 24 * time.Hour)
	got, err = r.engine.Check(bg, o.RefID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.p.requests()); n != 0 {
		t.Errorf("order first sent 90 days ago was re-sent (%d): a new purchase", n)
	}
	if !got.HasAlerted(flows.AlertResendTooOld) {
		t.Errorf("no resend_too_old alert: %+v", got.Alerted)
	}
}

// An unsigned webhook (a hint) for an order a few hours old is put off to
// the order's NextCheckAt — 15 minutes after its last re-send — although
// Digiflazz's gap (1 minute after the last send) is long over: rule 7 asks
// for the check "no sooner than 60 s after the last send", not for the
// poller's thinned-out schedule. Latency only: the buyer waits up to 15 min
// (an hour for orders over a day old) for an SN the webhook announced.
func TestReviewHintAfterGapIsNotDeferredToSchedule(t *testing.T) {
	r := newResendRig(t, 0)
	o := r.place(t)
	r.clk.Advance(3 * time.Hour)
	got, err := r.engine.Check(bg, o.RefID)
	if err != nil || len(r.p.requests()) != 2 {
		t.Fatalf("re-send: %+v %v", got, err)
	}
	r.clk.Advance(2 * time.Minute)
	if err := r.engine.Hint(bg, o.RefID); err != nil {
		t.Fatal(err)
	}
	select {
	case tm := <-r.timers:
		t.Errorf("hint 2m after the last send put off by %s; the gap is 1m", tm.d)
	default:
	}
}
