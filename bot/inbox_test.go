package bot

import (
	"context"
	"errors"
	"sync"
	"testing"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
)

// memInbox is an in-memory Inbox whose saves can be made to fail.
type memInbox struct {
	mu       sync.Mutex
	updates  map[int][]byte
	failNext int
	drops    []int
}

func (m *memInbox) SaveUpdates(ctx context.Context, updates map[int][]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failNext > 0 {
		m.failNext--
		return errors.New("disk full")
	}
	if m.updates == nil {
		m.updates = map[int][]byte{}
	}
	for id, raw := range updates {
		m.updates[id] = raw
	}
	return nil
}

func (m *memInbox) PendingUpdates(ctx context.Context) (map[int][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[int][]byte{}
	for id, raw := range m.updates {
		out[id] = raw
	}
	return out, nil
}

func (m *memInbox) DropUpdatesBelow(ctx context.Context, below int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.drops = append(m.drops, below)
	for id := range m.updates {
		if id < below {
			delete(m.updates, id)
		}
	}
	return nil
}

func (m *memInbox) held() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.updates)
}

// TestInboxReplaysUpdatesCutOffByACrash: an update received and confirmed
// to Telegram, but not applied when the bot stopped, is handled by the next
// bot from the inbox; applied ones leave the inbox.
func TestInboxReplaysUpdatesCutOffByACrash(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	inbox, offsets := &memInbox{}, &memOffsets{}
	block := make(chan struct{})
	first := &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		if in.Text == "stuck" {
			select { // the bot dies with this update in hand
			case <-block:
			case <-ctx.Done():
			}
		}
		return echo(ctx, in)
	}}
	cfg := fastConfig(t, srv, first)
	cfg.Inbox, cfg.Offsets = inbox, offsets
	b := start(t, cfg)
	srv.SendText(10, 10, "before")
	waitFor(t, srv, "the first reply", func() bool { return len(srv.Messages(10)) == 1 })
	stuck := srv.SendText(10, 10, "stuck")
	waitFor(t, srv, "the stuck update confirmed to telegram", func() bool { return srv.Confirmed(stuck) })
	b.stop() // the handler never finishes "stuck": it is not applied
	close(block)
	if inbox.held() == 0 {
		t.Fatal("the inbox lost the update in flight")
	}

	second := &recorder{answer: echo}
	cfg = fastConfig(t, srv, second)
	cfg.Inbox, cfg.Offsets = inbox, offsets
	start(t, cfg)
	waitFor(t, srv, "the replayed update handled", func() bool {
		for _, in := range second.seen() {
			if in.Text == "stuck" && in.UpdateID == stuck {
				return true
			}
		}
		return false
	})
	srv.SendText(10, 10, "after")
	waitFor(t, srv, "the inbox emptied", func() bool { return inbox.held() == 0 })
}

// TestInboxSaveFailureKeepsUpdatesAtTelegram: an update the inbox could
// not keep is not confirmed to Telegram: the bot asks for it again, keeps
// it, and handles it once.
func TestInboxSaveFailureKeepsUpdatesAtTelegram(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	inbox := &memInbox{failNext: 2}
	h := &recorder{answer: echo}
	cfg := fastConfig(t, srv, h)
	cfg.Inbox, cfg.Offsets = inbox, &memOffsets{}
	start(t, cfg)
	id := srv.SendText(11, 11, "hello")
	waitFor(t, srv, "the reply", func() bool { return len(srv.Messages(11)) == 1 })
	n := 0
	for _, in := range h.seen() {
		if in.UpdateID == id {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the update was handled %d times, want once", n)
	}
}

func TestInboxNeedsOffsets(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	cfg := fastConfig(t, srv, &recorder{})
	cfg.Inbox = &memInbox{}
	if _, err := New(context.Background(), cfg); err == nil {
		t.Error("an inbox without an offset store was accepted")
	}
}
