package flows

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// The poller: checks of pending orders on a schedule that thins out as
// they age, and the checks a provider callback hints at (DESIGN rules 3, 4
// and 7).

// checkInterval spaces checks out as an order ages: a fresh order settles
// within seconds, one pending for hours is a provider problem that polling
// every few seconds will not solve.
func checkInterval(age time.Duration) time.Duration {
	switch {
	case age < 5*time.Minute:
		return 0
	case age < 30*time.Minute:
		return time.Minute
	case age < 2*time.Hour:
		return 5 * time.Minute
	case age < 24*time.Hour:
		return 15 * time.Minute
	}
	return time.Hour
}

// placingGrace is added to ProviderTimeout before the poller touches a
// placing order: the first send's own answer should win.
const placingGrace = 5 * time.Second

// due reports whether the poller should check o now.
func (e *Engine) due(o *Order, now time.Time) bool {
	if o.Status.Final() {
		return false
	}
	if o.Status == StatusPlacing {
		wait := e.cfg.ProviderTimeout + placingGrace
		if gap, _ := e.resendLimits(o); gap > wait {
			// The first send went out at about the last write: keep the
			// provider's gap from it (see check).
			wait = gap
		}
		if now.Sub(o.UpdatedAt) < wait {
			return false
		}
	}
	return !o.NextCheckAt.After(now)
}

// PollStats says what one poll did.
type PollStats struct {
	Pending int // orders in the pending index
	Checked int // orders asked about
	Settled int // orders that settled
	Errors  int // checks that failed to run or record
}

// Poll checks every pending order that is due, at most CheckConcurrency
// provider calls at a time. A check's slot is freed once the provider has
// answered: the answers' records then share batched commits instead of
// holding the provider's slots through one commit window each. It reads
// only the pending index.
func (e *Engine) Poll(ctx context.Context) (PollStats, error) {
	orders, err := e.store.PendingOrders(ctx)
	if err != nil {
		return PollStats{}, fmt.Errorf("orders: poll: %w", err)
	}
	stats := PollStats{Pending: len(orders)}
	now := e.cfg.Now()
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, e.cfg.CheckConcurrency)
	)
	for i := range orders {
		if !e.due(&orders[i], now) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		ref := orders[i].RefID
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			release := releaseOnce(sem)
			defer release()
			o, err := e.check(ctx, ref, release)
			mu.Lock()
			defer mu.Unlock()
			stats.Checked++
			if err != nil {
				stats.Errors++
				e.log.Error("checking order", "ref_id", ref, "err", err)
				return
			}
			if o.Status.Final() {
				stats.Settled++
			}
		}()
	}
	wg.Wait()
	return stats, ctx.Err()
}

// Hint is what a verified provider callback triggers (DESIGN rule 7): a
// prompt check of the order, whose answer — not the callback — settles it.
// An unknown ref is logged and acknowledged. The check itself runs in Run.
func (e *Engine) Hint(ctx context.Context, refID string) error {
	o, err := e.store.Order(ctx, refID)
	if errors.Is(err, ErrNotFound) {
		e.log.Warn("callback for an unknown ref", "ref_id", refID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("orders: hint %s: %w", refID, err)
	}
	if o.Status.Final() {
		return nil
	}
	// refID may be an attempt's own ref (several providers): the order is
	// checked, locked and queued by its RefID.
	if gap, _ := e.resendLimits(&o); gap > 0 {
		// The provider asks for a gap between re-sends (an unsigned
		// Digiflazz webhook is such a hint): the check waits for it.
		if wait := sendableAt(&o, gap).Sub(e.cfg.Now()); wait > 0 {
			e.checkLater(o.RefID, wait)
			return nil
		}
	}
	select {
	case e.hints <- o.RefID:
	default:
		e.log.Warn("callback hints backlog full; the poller will check the order", "ref_id", refID)
	}
	return nil
}

// ProviderAnswer is an answer about an order that the provider sent on its
// own and that proves itself: a Digiflazz webhook whose HMAC-SHA1 over the
// body verified with a secret only the provider and we hold (DESIGN rule
// 7). Matches reports whether it is about the order's request as it was
// sent (the provider knows how it writes a number); Result or Err is its
// body read as a check's answer, so it settles no more than a check could.
type ProviderAnswer struct {
	RefID   string
	Matches func(OrderRequest) bool
	Result  Result
	Err     error
}

// Answer records a verified provider answer as a check's answer would be.
// One that does not match the order it names (another product or number),
// or names a bill, settles nothing: it becomes a hint, and the provider's
// answer to our own check decides. An unknown ref is logged and
// acknowledged.
func (e *Engine) Answer(ctx context.Context, a ProviderAnswer) (Order, error) {
	// a.RefID may be an attempt's own ref: find the order, then lock it
	// by its RefID and read it again under the lock.
	o, err := e.store.Order(ctx, a.RefID)
	if err == nil {
		unlock := e.locks.lock(o.RefID)
		defer unlock()
		o, err = e.store.Order(ctx, o.RefID)
	}
	if errors.Is(err, ErrNotFound) {
		e.log.Warn("provider answer for an unknown ref", "ref_id", a.RefID)
		return Order{}, nil
	}
	if err != nil {
		return Order{}, fmt.Errorf("orders: answer %s: %w", a.RefID, err)
	}
	p, ok := e.providerFor(&o)
	switch {
	case a.RefID != o.providerRef():
		// About an attempt that ended without a charge: its provider now
		// says otherwise only if it claims a success, which an admin must
		// reconcile (the order may be filled twice). It settles nothing.
		if a.Err == nil && a.Result.Status == StatusSuccess {
			return e.alertOnce(ctx, o, AlertEarlierAttempt, "ref "+a.RefID)
		}
		e.log.Info("provider answer about an earlier attempt; ignored", "ref_id", o.RefID, "attempt_ref", a.RefID)
		return o, nil
	case o.Kind == Postpaid:
		// A bill is paid only by the payment's own answer or a status
		// record of it (DESIGN rule 8): ask.
		return o, e.hintLocked(o)
	case !ok || p.Account() != o.Account, a.Matches == nil || !a.Matches(o.request()):
		e.log.Warn("provider answer does not match its order; checking instead", "ref_id", o.RefID,
			"provider", o.Account.Provider, "product_code", o.ProductCode)
		return o, e.hintLocked(o)
	}
	attempts := len(o.Attempts)
	if o, err = e.record(ctx, o.RefID, a.Result, a.Err, false); err != nil || !e.movedOn(o, attempts) {
		return o, err
	}
	return e.sendLocked(ctx, o)
}

// hintLocked queues a check of o, which the caller holds the lock of (the
// check itself runs in Run, after the lock is released).
func (e *Engine) hintLocked(o Order) error {
	if o.Status.Final() {
		return nil
	}
	var wait time.Duration
	if gap, _ := e.resendLimits(&o); gap > 0 {
		wait = max(sendableAt(&o, gap).Sub(e.cfg.Now()), 0)
	}
	e.checkLater(o.RefID, wait)
	return nil
}

// Run checks hinted orders until ctx ends, then waits for checks in flight.
func (e *Engine) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, e.cfg.CheckConcurrency)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ref := <-e.hints:
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				release := releaseOnce(sem)
				defer release()
				if _, err := e.check(ctx, ref, release); err != nil {
					e.log.Error("checking hinted order", "ref_id", ref, "err", err)
				}
			}()
		}
	}
}

// releaseOnce returns a function that frees one slot of sem the first time
// it is called and does nothing after: a check frees its slot when the
// provider has answered, or when it returns without asking.
func releaseOnce(sem chan struct{}) func() {
	var once sync.Once
	return func() { once.Do(func() { <-sem }) }
}
