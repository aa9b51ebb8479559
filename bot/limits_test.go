package bot

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// TestChatTokenTakenWithGlobal: a chat's token is taken when the global one
// is, just before the call. Taken before a long wait for the global token,
// the chat's bucket would refill during the wait and let the chat send
// more at once than Telegram, counting from the call, allows.
func TestChatTokenTakenWithGlobal(t *testing.T) {
	cfg := Config{GlobalRate: 2, GlobalBurst: 1, ChatRate: 2, ChatBurst: 2, GroupRate: 1, GroupBurst: 1}
	s := newSender(&Bot{}, cfg, slog.New(slog.DiscardHandler))
	defer s.close(time.Second)
	if !s.global.Allow() { // the global bucket is empty: the next token is 500 ms away
		t.Fatal("global bucket empty from the start")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	began := time.Now()
	if err := s.wait(ctx, 42); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	if waited := sent.Sub(began); waited < 400*time.Millisecond {
		t.Fatalf("waited %s for the global token", waited)
	}
	s.mu.Lock()
	q := s.chats[42]
	s.mu.Unlock()
	// One of the chat's two tokens went with this call; the 500 ms wait
	// must not have given it back.
	if tokens := q.lim.TokensAt(sent); tokens > 1.5 {
		t.Errorf("the chat has %.2f tokens after one call, want about 1", tokens)
	}
}
