package flows_test

import (
	"testing"
	"time"

	"topupbot/flows"
)

// TestReviewEarlierAttemptAlertKeepsCheckingCurrent: a late success of an
// earlier attempt alerts an admin, but the order's current attempt is
// live at its own provider: its checks must go on as before, not wait an
// hour (alertOnce pushes NextCheckAt out by an hour for every kind, which
// is right for "account missing" and wrong here: the buyer's SN from the
// current provider — Mesin R1 has no callbacks — waits for it).
func TestReviewEarlierAttemptAlertKeepsCheckingCurrent(t *testing.T) {
	r := newRouteRig(t)
	r.alpha.script = []legAnswer{rejected("14")}
	o := r.place(routed(10000, 10500))
	if o.Account.Provider != "beta" || len(o.Attempts) != 1 {
		t.Fatalf("after alpha refused: %+v", o)
	}
	before := o.NextCheckAt
	late := flows.ProviderAnswer{RefID: o.RefID, Matches: func(flows.OrderRequest) bool { return true },
		Result: flows.Result{Status: flows.StatusSuccess, SN: "LATE"}}
	if _, err := r.engine.Answer(bg, late); err != nil {
		t.Fatal(err)
	}
	got, err := r.db.Order(bg, o.RefID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.HasAlerted(flows.AlertEarlierAttempt) {
		t.Fatalf("no alert: %+v", got)
	}
	if limit := r.clk.Now().Add(5 * time.Minute); got.NextCheckAt.After(limit) {
		t.Errorf("the current attempt's next check moved from %v to %v: an hour without checks at beta",
			before.Format(time.TimeOnly), got.NextCheckAt.Format(time.TimeOnly))
	}
	// And the poller indeed leaves it alone meanwhile.
	_, checks := r.beta.calls()
	r.clk.Advance(10 * time.Minute)
	r.engine.Poll(bg)
	if _, after := r.beta.calls(); len(after) == len(checks) {
		t.Errorf("the poller did not check the current attempt 10 minutes on")
	}
}
