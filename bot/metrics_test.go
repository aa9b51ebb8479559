package bot

import (
	"context"
	"sync"
	"testing"
	"time"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
)

// TestOnReplyQueued: the hook is called once per handled update, an output
// with a Then included, with the time the update was received.
func TestOnReplyQueued(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	var (
		mu    sync.Mutex
		calls = map[int]time.Time{}
	)
	rec := &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		out, _ := echo(ctx, in)
		if in.Text == "then" {
			out.Then = func(ctx context.Context) []flows.Reply { return []flows.Reply{{Text: "after"}} }
		}
		return out, nil
	}}
	cfg := fastConfig(t, srv, rec)
	cfg.OnReplyQueued = func(id int, received time.Time) {
		now := time.Now()
		mu.Lock()
		defer mu.Unlock()
		if received.IsZero() || received.After(now) {
			t.Errorf("update %d: received %v, called at %v", id, received, now)
		}
		if _, dup := calls[id]; dup {
			t.Errorf("update %d: called twice", id)
		}
		calls[id] = received
	}
	start(t, cfg)

	ids := []int{srv.SendText(100, 100, "one"), srv.SendText(100, 100, "then"), srv.SendText(100, 100, "three")}
	waitFor(t, srv, "four messages", func() bool { return len(srv.Messages(100)) == 4 })
	waitFor(t, srv, "three calls", func() bool { mu.Lock(); defer mu.Unlock(); return len(calls) >= 3 })
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != len(ids) {
		t.Errorf("hook called for %v, want %v", calls, ids)
	}
	for _, id := range ids {
		if _, ok := calls[id]; !ok {
			t.Errorf("hook not called for update %d", id)
		}
	}
}

// TestOnSendOnUpdates: every send reports its outcome, a 429 as a flood;
// every batch of updates its size.
func TestOnSendOnUpdates(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	var (
		mu       sync.Mutex
		outcomes = map[SendOutcome]int{}
		updates  int
	)
	cfg := fastConfig(t, srv, &recorder{answer: echo})
	cfg.OnSend = func(o SendOutcome) { mu.Lock(); outcomes[o]++; mu.Unlock() }
	cfg.OnUpdates = func(n int) { mu.Lock(); updates += n; mu.Unlock() }
	srv.FailNext("sendMessage", 1, 429, "Too Many Requests: retry after 1", telegramtest.ErrorParams{RetryAfter: 1})
	start(t, cfg)
	srv.SendText(100, 100, "one")
	srv.SendText(100, 100, "two")
	waitFor(t, srv, "two echoes reported", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(srv.Messages(100)) == 2 && outcomes[SendOK] == 2
	})
	mu.Lock()
	defer mu.Unlock()
	if outcomes[SendOK] != 2 || outcomes[SendFlood] != 1 || updates != 2 {
		t.Errorf("outcomes %v, updates %d", outcomes, updates)
	}
}
