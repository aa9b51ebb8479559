package telegramtest_test

import (
	"sync"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/bot/telegramtest"
)

// TestOnBotMessage: the observer sees each accepted send and edit, and
// nothing that was refused.
func TestOnBotMessage(t *testing.T) {
	srv := telegramtest.NewServer(t, token)
	var (
		mu   sync.Mutex
		seen []telegramtest.Message
	)
	srv.OnBotMessage(func(m telegramtest.Message) {
		mu.Lock()
		seen = append(seen, m)
		mu.Unlock()
	})
	api := newAPI(t, srv)
	msg := tgbotapi.NewMessage(5, "hello")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("A", "a")))
	sent, err := api.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.Send(tgbotapi.NewEditMessageText(5, sent.MessageID, "bye")); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Send(tgbotapi.NewEditMessageText(5, sent.MessageID, "bye")); err == nil {
		t.Fatal("an edit changing nothing was accepted")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 {
		t.Fatalf("observed %d messages, want 2: %+v", len(seen), seen)
	}
	first, edit := seen[0], seen[1]
	if first.ID != sent.MessageID || first.ChatID != 5 || first.Text != "hello" || len(first.Buttons) != 1 || first.Buttons[0][0].Data != "a" {
		t.Errorf("sent message observed as %+v", first)
	}
	if edit.ID != sent.MessageID || edit.Text != "bye" || len(edit.Versions) != 2 || edit.Buttons != nil {
		t.Errorf("edit observed as %+v", edit)
	}
}
