package flows_test

import (
	"context"
	"strings"
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

// TestReviewPlacingOrderProviderRemoved: an order written for alpha but
// never sent (a crash), then a restart with alpha gone from names: the
// order is never sent to beta, the next leg of its route; it stays and
// alerts "account missing" once (rule 4).
func TestReviewPlacingOrderProviderRemoved(t *testing.T) {
	r := newRouteRig(t)
	o, created, err := r.engine.Create(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(),
		Product: routed(10000, 10500), CustomerNumber: "081234567890", Price: 11500, MessageID: 77})
	if err != nil || !created || o.Account.Provider != "alpha" {
		t.Fatalf("create: %+v %v %v", o, created, err)
	}
	r.engine = flows.NewEngine(r.db, nil, flows.EngineConfig{OpsChatID: opsChat, Now: r.clk.Now, Wallet: true, MinMargin: 200,
		ProviderTimeout: 2 * time.Second, Providers: []flows.Provider{r.beta}})
	for range 3 {
		r.clk.Advance(time.Hour)
		r.engine.Poll(bg)
	}
	if _, err := r.engine.Send(bg, o.RefID); err != nil {
		t.Fatal(err)
	}
	if p, c := r.beta.calls(); len(p)+len(c) != 0 {
		t.Errorf("beta got places %+v checks %+v", p, c)
	}
	got, err := r.db.Order(bg, o.RefID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.Final() || !got.HasAlerted(flows.AlertAccountMissing) || got.Hold != 11500 {
		t.Errorf("order %+v: want pending with its hold and account missing", got)
	}
	if n := alertsAbout(t, r.db, o.RefID); n != 1 {
		t.Errorf("%d alerts, want 1", n)
	}
}

// TestReviewFailoverOnEmptyDepositAlerts: alpha refuses every order for
// want of deposit (Digiflazz rc 44, "Saldo tidak cukup": nothing created)
// and each moves to beta and is filled there. With one provider these
// orders fail and the ops group sees them; with a route the buyer is
// served but admins hear nothing — alpha's deposit is a provider-wide
// condition (DESIGN rule 11) and the shop now sells every routed order
// through its second choice, perhaps at a thinner margin. An alert, once
// until it clears, names alpha.
func TestReviewFailoverOnEmptyDepositAlerts(t *testing.T) {
	r := newRouteRig(t)
	broke := legAnswer{err: &flows.ProviderError{Kind: flows.KindRejected, Op: "test: place", RC: "44",
		Message: "Saldo tidak cukup", Reason: flows.ReasonProviderBalance}}
	r.alpha.script = []legAnswer{broke, broke, broke}
	r.beta.script = []legAnswer{success("SN1"), success("SN2"), success("SN3")}
	for range 3 {
		if o := r.place(routed(10000, 10500)); o.Status != flows.StatusSuccess || o.Account.Provider != "beta" {
			t.Fatalf("order %+v", o)
		}
	}
	notes, err := r.db.DueNotifications(bg, r.clk.Now().Add(24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, note := range notes {
		if note.ChatID == opsChat && strings.Contains(note.Text, "alpha") && strings.Contains(note.Text, "⚠️") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d alerts to admins about alpha's deposit, want 1", n)
	}
}
