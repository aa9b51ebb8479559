package flows_test

import (
	"context"
	"testing"
	"time"

	"topupbot/flows"
)

type timer struct {
	d time.Duration
	f func()
}

// quickHarness is the harness with quick checks scheduled on a fake timer
// and Run consuming them.
func quickHarness(t *testing.T, delays []time.Duration) (*harness, chan timer, chan flows.Order) {
	t.Helper()
	h := newHarness(t, harnessOptions{})
	timers, settled := make(chan timer, 16), make(chan flows.Order, 16)
	h.engine = flows.NewEngine(h.db, h.client, flows.EngineConfig{ProviderTimeout: h.timeout, OpsChatID: opsChat, Now: h.clk.Now,
		QuickChecks: delays, After: func(d time.Duration, f func()) { timers <- timer{d, f} },
		OnSettled: func(o flows.Order) { settled <- o }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.engine.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return h, timers, settled
}

func next(t *testing.T, timers chan timer) timer {
	t.Helper()
	select {
	case tm := <-timers:
		return tm
	case <-time.After(5 * time.Second):
		t.Fatal("no quick check scheduled")
	}
	return timer{}
}

func none(t *testing.T, timers chan timer) {
	t.Helper()
	select {
	case tm := <-timers:
		t.Fatalf("unexpected quick check in %s", tm.d)
	default:
	}
}

// A pending order is checked again after each delay, one chain per order
// whatever the poller does meanwhile, until it settles; the settling
// check schedules nothing.
func TestQuickChecksUntilSettled(t *testing.T) {
	h, timers, settled := quickHarness(t, []time.Duration{2 * time.Second, 3 * time.Second, 5 * time.Second})
	o := h.place("081212341020")
	first := next(t, timers)
	if first.d != 2*time.Second {
		t.Fatalf("first quick check in %s", first.d)
	}
	// The poller checks meanwhile: no second chain.
	if _, err := h.engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	none(t, timers)
	calls := h.hits.count("/api/check-status")
	first.f() // → Run checks it; still pending → the next one
	second := next(t, timers)
	if h.hits.count("/api/check-status") != calls+1 {
		t.Fatalf("quick check asked %d times", h.hits.count("/api/check-status")-calls)
	}
	// Checks counts the poller's check too, so the chain moves on past it.
	if second.d != 5*time.Second {
		t.Fatalf("next quick check in %s, want the third delay", second.d)
	}
	if err := h.sim.Settle(o.RefID, true); err != nil {
		t.Fatal(err)
	}
	second.f()
	select {
	case s := <-settled:
		if s.RefID != o.RefID || s.Status != flows.StatusSuccess {
			t.Fatalf("settled %s %s", s.RefID, s.Status)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the quick check did not settle the order")
	}
	none(t, timers)
}

// Old orders (a restart's resume) and orders past the last delay are the
// poller's alone.
func TestQuickChecksStop(t *testing.T) {
	h, timers, _ := quickHarness(t, []time.Duration{time.Second})
	h.place("081212341021")
	tm := next(t, timers)
	tm.f()
	// One delay only: the check that follows schedules nothing more.
	h.clk.Advance(time.Minute)
	if _, err := h.engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	none(t, timers)
	// An order older than the window gets none.
	h2, timers2, _ := quickHarness(t, []time.Duration{time.Second})
	o := h2.place("081212341022")
	next(t, timers2).f()
	h2.clk.Advance(10 * time.Minute)
	if _, err := h2.engine.Check(bg, o.RefID); err != nil {
		t.Fatal(err)
	}
	none(t, timers2)
}
