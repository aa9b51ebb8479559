package sandbox

import (
	"context"
	"sync"
	"time"
)

// Life is a simulator's background work: settle timers and goroutines it
// starts, and stalled answers it holds. Close stops the timers, cancels the
// context and waits for what still runs. The zero value is not usable: use
// NewLife.
type Life struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// NewLife returns a Life that is running.
func NewLife() *Life {
	ctx, cancel := context.WithCancel(context.Background())
	return &Life{ctx: ctx, cancel: cancel}
}

// Context is cancelled by Close: it stops callbacks and stalled answers.
func (l *Life) Context() context.Context { return l.ctx }

// Go runs f in a goroutine that Close waits for.
func (l *Life) Go(f func()) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		f()
	}()
}

// AfterFunc runs f after d, counted until it has run or is stopped with Stop.
func (l *Life) AfterFunc(d time.Duration, f func()) *time.Timer {
	l.wg.Add(1)
	return time.AfterFunc(d, func() {
		defer l.wg.Done()
		f()
	})
}

// Stop stops a timer from AfterFunc; a timer whose function will now never
// run stops being waited for. It is a no-op for nil.
func (l *Life) Stop(t *time.Timer) {
	if t != nil && t.Stop() {
		l.wg.Done()
	}
}

// Close calls stop (the simulator stops its timers and marks itself closed,
// under its own lock), cancels the context and waits for the timers and
// goroutines still running. Only the first call does anything.
func (l *Life) Close(stop func()) {
	l.once.Do(func() {
		if stop != nil {
			stop()
		}
		l.cancel()
		l.wg.Wait()
	})
}

// Stall waits d unless the client gives up (ctx) or the simulator closes
// first. It reports whether the answer should still be written.
func (l *Life) Stall(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-l.ctx.Done():
		return false
	}
}
