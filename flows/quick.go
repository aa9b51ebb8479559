package flows

import (
	"sync"
	"time"
)

// Quick checks: an order still pending after its first answer is asked
// about again a few seconds apart in its first minute, between the
// poller's rounds, so that a provider without callbacks (Mesin R1) gets
// its SN to the buyer seconds after it settled rather than at the next
// poll. They go through the hint queue (Run), so they share its bounded
// concurrency and stop with it; the poller takes over after the last.

// DefaultQuickChecks are the delays between the quick checks: about ten
// in an order's first minute, thinning out.
var DefaultQuickChecks = []time.Duration{
	2 * time.Second, 2 * time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second,
	4 * time.Second, 5 * time.Second, 6 * time.Second, 8 * time.Second, 10 * time.Second,
}

// quickWindow bounds quick checks to young orders: an order older than
// this (resumed after a restart, say) is the poller's.
const quickWindow = 2 * time.Minute

// quickChecks keeps at most one quick check scheduled per order: checks
// from the poller or a callback meanwhile do not start a second chain.
type quickChecks struct {
	mu        sync.Mutex
	scheduled map[string]bool
}

// scheduleQuick schedules o's next quick check, if it is due one: pending,
// young, fewer checks than QuickChecks has delays, none scheduled already.
func (e *Engine) scheduleQuick(o Order) {
	delays := e.cfg.QuickChecks
	if gap, _ := e.resendLimits(&o); gap > 0 {
		// A provider that asks for a gap between re-sends (Digiflazz)
		// reports by webhook; the poller re-checks once the gap is over.
		return
	}
	if len(delays) == 0 || o.Status != StatusPending || o.Checks >= len(delays) ||
		e.cfg.Now().Sub(o.CreatedAt) > quickWindow {
		return
	}
	e.checkLater(o.RefID, delays[o.Checks])
}

// checkLater queues a check of ref on Run's queue after d, unless one is
// scheduled already.
func (e *Engine) checkLater(ref string, d time.Duration) {
	q := &e.quick
	q.mu.Lock()
	if q.scheduled == nil {
		q.scheduled = make(map[string]bool)
	}
	if q.scheduled[ref] {
		q.mu.Unlock()
		return
	}
	q.scheduled[ref] = true
	q.mu.Unlock()
	e.cfg.After(d, func() {
		q.mu.Lock()
		delete(q.scheduled, ref)
		q.mu.Unlock()
		select {
		case e.hints <- ref:
		default:
			// The queue is full of callbacks' checks: the poller asks soon.
		}
	})
}
