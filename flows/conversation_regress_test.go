package flows_test

// Regression tests from a review of the money path: Handle's idempotency.

import (
	"path/filepath"
	"testing"
	"time"

	"topupbot/bot"
	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/storage"
)

// TestUpdateIDRestartIsNotIgnored: after a week without updates
// Telegram picks the next update id at random (telegram.md T17: "don't rely
// on a permanent high-water mark for dedupe"); bot/poll.go follows such a
// restart, but Handle compares every update with the chat's LastUpdate,
// kept forever with its session. A returning customer whose new update id
// is below the old mark gets no answer at all, for every message, until the
// new ids pass the old mark.
func TestUpdateIDRestartIsNotIgnored(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	const chat = int64(5151)
	svc := flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: db, Allowed: []int64{chat}, Now: clk.Now})
	help := func(update int) flows.Output {
		t.Helper()
		out, err := svc.Handle(bg, flows.Input{UpdateID: update, ChatID: chat, UserID: chat, Private: true,
			Kind: flows.InputCommand, Command: "help"})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := help(734_000_000); len(out.Replies) == 0 {
		t.Fatal("first /help unanswered")
	}
	// Eight days without a single update to the bot: Telegram's next ids are
	// random, here lower than this chat's mark.
	clk.Advance(8 * 24 * time.Hour)
	for i, id := range []int{12_345_678, 12_345_679, 12_345_680} {
		if out := help(id); len(out.Replies) == 0 {
			t.Errorf("message %d after the id restart (update %d) was silently ignored as a re-delivery", i+1, id)
		}
	}
}
