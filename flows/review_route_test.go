package flows_test

import (
	"context"
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

// TestReviewHintByAttemptRef: a callback naming the current attempt's own
// ref (IAK calls back with the ref it was sent) checks that attempt, at
// its provider, under that ref; one naming the earlier attempt's ref
// asks nobody to re-send the earlier one.
func TestReviewHintByAttemptRef(t *testing.T) {
	r := newRouteRig(t)
	r.alpha.script = []legAnswer{rejected("14")}
	o := r.place(routed(10000, 10500))
	if o.ProviderRef == "" || o.Account.Provider != "beta" {
		t.Fatalf("%+v", o)
	}
	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- r.engine.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for _, ref := range []string{o.ProviderRef, o.RefID} {
		if err := r.engine.Hint(bg, ref); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		_, checks := r.beta.calls()
		if len(checks) >= 2 {
			for _, c := range checks {
				if c.RefID != o.ProviderRef || c.ProductCode != "b10" {
					t.Errorf("beta checked %+v, want its own ref %s", c, o.ProviderRef)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("beta got %d checks after two hints", len(checks))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if places, checks := r.alpha.calls(); len(places) != 1 || len(checks) != 0 {
		t.Errorf("alpha, the earlier attempt, got places %+v checks %+v", places, checks)
	}
}
