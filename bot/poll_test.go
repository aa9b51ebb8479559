package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
)

// TestOffsetIsContiguousApplied: the saved offset is one past the highest
// update below which every update was applied, whatever order the chats
// finish in.
func TestOffsetIsContiguousApplied(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	release := make(chan struct{})
	rec := &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		if in.ChatID == 100 {
			<-release
		}
		return flows.Output{}, nil
	}}
	offsets := &memOffsets{}
	cfg := fastConfig(t, srv, rec)
	cfg.Offsets = offsets
	b := start(t, cfg)

	slow := srv.SendText(100, 100, "slow")
	srv.SendText(200, 200, "a")
	last := srv.SendText(200, 200, "b")
	waitFor(t, srv, "the fast chat handled", func() bool { return rec.count() == 3 })
	// Updates after the slow one are applied, but not the slow one: the
	// offset stays at it.
	waitFor(t, srv, "the offset at the slow update", func() bool { return offsets.get() == slow })
	close(release)
	waitFor(t, srv, "the offset past the last update", func() bool { return offsets.get() == last+1 })

	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	for i, off := range offsets.saves {
		if i > 0 && off < offsets.saves[i-1] {
			t.Errorf("the saved offset went back: %v", offsets.saves)
		}
	}
}

func TestOffsetRestoredOnRestart(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	rec := &recorder{}
	offsets := &memOffsets{}
	cfg := fastConfig(t, srv, rec)
	cfg.Offsets = offsets
	first := start(t, cfg)
	last := srv.SendText(100, 100, "one")
	waitFor(t, srv, "the update handled", func() bool { return rec.count() == 1 })
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	if got := offsets.get(); got != last+1 {
		t.Fatalf("saved offset after shutdown = %d, want %d", got, last+1)
	}

	calls := len(srv.Calls("getUpdates"))
	start(t, cfg)
	waitFor(t, srv, "the restarted bot polling", func() bool { return len(srv.Calls("getUpdates")) > calls })
	if got := srv.Calls("getUpdates")[calls].Params.Get("offset"); got != fmt.Sprint(last+1) {
		t.Errorf("first getUpdates after restart has offset %q, want %d", got, last+1)
	}
	srv.SendText(100, 100, "two")
	waitFor(t, srv, "the new update handled", func() bool { return rec.count() == 2 })
}

// TestStaleOffsetDiscarded: Telegram restarts update ids after a week of
// silence; a day-old offset above them would skip every new update.
func TestStaleOffsetDiscarded(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	rec := &recorder{}
	offsets := &memOffsets{off: 900000, at: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg := fastConfig(t, srv, rec)
	cfg.Offsets = offsets
	cfg.Now = func() time.Time { return offsets.at.Add(25 * time.Hour) }
	srv.SetNextUpdateID(5)
	id := srv.SendText(100, 100, "after a long silence")
	start(t, cfg)
	waitFor(t, srv, "the update handled", func() bool { return rec.count() == 1 })
	if got := srv.Calls("getUpdates")[0].Params.Get("offset"); got != "" {
		t.Errorf("first getUpdates has offset %q, want none", got)
	}
	waitFor(t, srv, "the new offset saved", func() bool { return offsets.get() == id+1 })
}

func TestFreshOffsetKept(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	offsets := &memOffsets{off: 77, at: now.Add(-23 * time.Hour)}
	cfg := fastConfig(t, srv, &recorder{})
	cfg.Offsets = offsets
	cfg.Now = func() time.Time { return now }
	start(t, cfg)
	waitFor(t, srv, "a poll", func() bool { return len(srv.Calls("getUpdates")) > 0 })
	if got := srv.Calls("getUpdates")[0].Params.Get("offset"); got != "77" {
		t.Errorf("first getUpdates has offset %q, want 77", got)
	}
}

// TestPollRecovers: 502, a reset connection, 409 and 429 on getUpdates are
// waited out; no update is lost or handled twice.
func TestPollRecovers(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	rec := &recorder{}
	cfg := fastConfig(t, srv, rec)
	srv.FailNext("getUpdates", 1, 502, "Bad Gateway", telegramtest.ErrorParams{})
	srv.DropConnection("getUpdates", 1)
	srv.FailNext("getUpdates", 2, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", telegramtest.ErrorParams{})
	srv.FailNext("getUpdates", 1, 429, "Too Many Requests: retry after 1", telegramtest.ErrorParams{RetryAfter: 1})
	var want []string
	for i := range 5 {
		srv.SendText(100, 100, fmt.Sprint(i))
		want = append(want, fmt.Sprint(i))
	}
	began := time.Now()
	start(t, cfg)
	waitFor(t, srv, "five inputs", func() bool { return rec.count() == 5 })
	if d := time.Since(began); d < time.Second {
		t.Errorf("polling resumed %s after a 429 with retry_after 1 s", d)
	}
	srv.SendText(100, 100, "5")
	want = append(want, "5")
	waitFor(t, srv, "the sixth input", func() bool { return rec.count() == 6 })

	var got []string
	for _, in := range rec.seen() {
		got = append(got, in.Text)
	}
	if !slices.Equal(got, want) {
		t.Errorf("inputs = %q, want %q", got, want)
	}
	statuses := map[string]int{}
	for _, c := range srv.Calls("getUpdates") {
		statuses[fmt.Sprint(c.Status, " ", c.Description)]++
	}
	conflict := "409 Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	if statuses["0 connection dropped"] != 1 || statuses["502 Bad Gateway"] != 1 || statuses[conflict] != 2 || statuses["429 Too Many Requests: retry after 1"] != 1 {
		t.Errorf("getUpdates answers = %v", statuses)
	}
}

func TestUnauthorizedIsFatal(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	cfg := fastConfig(t, srv, &recorder{})

	t.Run("New", func(t *testing.T) {
		cfg := cfg
		cfg.Token = "7000001:AAWrongTokenWrongTokenWrongToken_xyz"
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := New(ctx, cfg)
		if err == nil || ctx.Err() != nil {
			t.Fatalf("New with a wrong token = %v; want a fast error", err)
		}
		if strings.Contains(err.Error(), "WrongToken") {
			t.Errorf("the error shows the token: %v", err)
		}
	})

	t.Run("Run", func(t *testing.T) {
		b := start(t, cfg)
		srv.FailNext("getUpdates", 1, 401, "Unauthorized", telegramtest.ErrorParams{})
		srv.SendText(100, 100, "ends the long poll in flight")
		select {
		case err := <-b.done:
			close(b.done)
			if err == nil || !strings.Contains(err.Error(), "rejected the token") {
				t.Errorf("Run = %v, want the token rejected", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return after a 401")
		}
	})
}

func TestNewRetriesGetMe(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	srv.FailNext("getMe", 2, 502, "Bad Gateway", telegramtest.ErrorParams{})
	srv.DropConnection("getMe", 1)
	cfg := fastConfig(t, srv, &recorder{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := New(ctx, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if b.Username() != telegramtest.BotUsername {
		t.Errorf("Username = %q", b.Username())
	}

	// Unreachable for good: New gives up when its context ends.
	srv.FailNext("getMe", 1000, 502, "Bad Gateway", telegramtest.ErrorParams{})
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := New(ctx, cfg); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("New against a dead API = %v, want the context's deadline", err)
	}
}
