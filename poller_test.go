package main

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"topupbot/internal/testbuf"
)

func eventually(t *testing.T, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPollerSkipsAndRecovers: a run that panics is logged and the schedule
// goes on; a run still going when the next is due makes that one skip.
func TestPollerSkipsAndRecovers(t *testing.T) {
	t.Parallel()
	var logs testbuf.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var (
		runs    atomic.Int32
		running atomic.Int32
		most    atomic.Int32
	)
	release := make(chan struct{})
	p, err := newPoller("@every 1s", time.UTC, log, func(ctx context.Context) {
		n := runs.Add(1)
		if cur := running.Add(1); cur > most.Load() {
			most.Store(cur)
		}
		defer running.Add(-1)
		switch n {
		case 1:
			panic("provider client bug")
		case 2:
			select { // hold this run past the next tick
			case <-release:
			case <-ctx.Done():
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.loop(ctx) }()
	eventually(t, 10*time.Second, func() bool { return strings.Contains(logs.String(), "provider client bug") })
	eventually(t, 10*time.Second, func() bool { return strings.Contains(logs.String(), "cron: skip") })
	close(release)
	eventually(t, 10*time.Second, func() bool { return runs.Load() >= 3 })
	cancel()
	<-done
	if most.Load() != 1 {
		t.Errorf("%d runs overlapped", most.Load())
	}
}

func TestPollerRejectsBadSchedule(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"", "every 15s", "@every", "61 * * * *", "TZ=Asia/Jakarta"} {
		if _, err := newPoller(spec, time.UTC, slog.New(slog.DiscardHandler), func(context.Context) {}); err == nil {
			t.Errorf("schedule %q accepted", spec)
		}
	}
	// The spec cron panics on is refused in words, not by a crash.
	_, err := newPoller("TZ=Asia/Jakarta", time.UTC, slog.New(slog.DiscardHandler), func(context.Context) {})
	if want := `poller: schedule "TZ=Asia/Jakarta" is not a cron spec`; err == nil || err.Error() != want {
		t.Errorf("newPoller(TZ=Asia/Jakarta) = %v, want %q", err, want)
	}
	for _, spec := range []string{"@every 15s", "*/5 * * * *", "@hourly"} {
		if _, err := newPoller(spec, time.UTC, slog.New(slog.DiscardHandler), func(context.Context) {}); err != nil {
			t.Errorf("schedule %q: %v", spec, err)
		}
	}
}
