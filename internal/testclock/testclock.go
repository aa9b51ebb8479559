// Package testclock is the tests' time: a clock every component under test
// reads and the test moves by hand. It keeps no timers; code that waits on
// time in tests is handed this clock's Now and a deadline, never a sleep.
//
// It is for tests only; nothing in the binary imports it.
package testclock

import (
	"sync"
	"time"
)

// Clock is a settable clock safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock standing at t.
func New(t time.Time) *Clock { return &Clock{now: t} }

// Now reports the clock's time. Its signature matches time.Now so it can be
// passed wherever a func() time.Time is injected.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backward for a negative d).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}
