package telegramtest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/bot/telegramtest"
)

const token = "7000001:AAFakeTokenForTestsOnly_abcdefghijkl"

func newAPI(t *testing.T, srv *telegramtest.Server) *tgbotapi.BotAPI {
	t.Helper()
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(token, srv.Endpoint())
	if err != nil {
		t.Fatalf("NewBotAPIWithAPIEndpoint: %v", err)
	}
	return api
}

func apiErr(t *testing.T, err error) *tgbotapi.Error {
	t.Helper()
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T) is not a *tgbotapi.Error", err, err)
	}
	return te
}

func TestWrongToken(t *testing.T) {
	srv := telegramtest.NewServer(t, token)
	_, err := tgbotapi.NewBotAPIWithAPIEndpoint("1:wrong", srv.Endpoint())
	if te := apiErr(t, err); te.Code != 401 {
		t.Errorf("wrong token: %+v", te)
	}
}

func TestGetUpdates(t *testing.T) {
	srv := telegramtest.NewServer(t, token)
	api := newAPI(t, srv)
	if api.Self.UserName != telegramtest.BotUsername {
		t.Errorf("getMe = %+v", api.Self)
	}

	// Nothing queued: the long poll ends at its timeout, empty.
	began := time.Now()
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
	if err != nil || len(ups) != 0 || time.Since(began) < time.Second {
		t.Fatalf("empty poll = %v, %v after %s", ups, err, time.Since(began))
	}

	// An update arriving during the long poll ends it.
	go func() {
		srv.WaitFor(func() bool { return len(srv.Calls("getUpdates")) == 2 }, time.Second)
		srv.SendText(5, 5, "/start")
	}()
	ups, err = api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 10})
	if err != nil || len(ups) != 1 || ups[0].Message.Text != "/start" || !ups[0].Message.IsCommand() {
		t.Fatalf("poll = %+v, %v", ups, err)
	}
	first := ups[0].UpdateID

	// Until confirmed by a higher offset, it comes again.
	srv.Tap(5, 5, 1, "m|a|")
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{Limit: 1})
	if len(ups) != 1 || ups[0].UpdateID != first {
		t.Fatalf("unconfirmed update not delivered again: %+v", ups)
	}
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{Offset: first + 1})
	if len(ups) != 1 || ups[0].CallbackQuery == nil || ups[0].CallbackQuery.Data != "m|a|" {
		t.Fatalf("after confirming: %+v", ups)
	}
	if !srv.Confirmed(first) || srv.Confirmed(first+1) {
		t.Error("Confirmed is wrong")
	}

	// Resend: the same tap, new update and query ids.
	again := srv.Resend(ups[0].UpdateID)
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID + 1})
	if len(ups) != 1 || ups[0].UpdateID != again || ups[0].CallbackQuery.Data != "m|a|" {
		t.Fatalf("resent: %+v", ups)
	}
	if _, err := api.Request(tgbotapi.NewCallback(ups[0].CallbackQuery.ID, "")); err != nil {
		t.Errorf("answerCallbackQuery: %v", err)
	}
	if !srv.Answered(again) {
		t.Error("Answered = false")
	}
	_, err = api.Request(tgbotapi.NewCallback(ups[0].CallbackQuery.ID, ""))
	if te := apiErr(t, err); !strings.Contains(te.Message, "query is too old") {
		t.Errorf("second answer: %v", te)
	}
}

func TestConcurrentPollsConflict(t *testing.T) {
	srv := telegramtest.NewServer(t, token)
	api := newAPI(t, srv)
	errc := make(chan error, 1)
	go func() {
		_, err := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 10})
		errc <- err
	}()
	// The first poll logged is the one waiting; the bound only keeps a
	// broken fake from hanging the test.
	if !srv.WaitFor(func() bool { return len(srv.Calls("getUpdates")) == 1 }, 30*time.Second) {
		t.Fatal("the first poll never reached the fake")
	}
	go api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
	if te := apiErr(t, <-errc); te.Code != 409 {
		t.Errorf("older poll: %+v", te)
	}
}

func TestSendAndEdit(t *testing.T) {
	srv := telegramtest.NewServer(t, token)
	api := newAPI(t, srv)
	msg := tgbotapi.NewMessage(5, "Hello <b>A&amp;B</b>")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Go", "m|go|")))
	sent, err := api.Send(msg)
	if err != nil || sent.Text != "Hello A&B" || sent.Chat.Type != "private" {
		t.Fatalf("send = %+v, %v", sent, err)
	}

	edit := tgbotapi.NewEditMessageText(5, sent.MessageID, "Bye")
	if _, err := api.Request(edit); err != nil {
		t.Fatalf("edit: %v", err)
	}
	_, err = api.Request(edit)
	if te := apiErr(t, err); !strings.Contains(te.Message, "message is not modified") {
		t.Errorf("identical edit: %v", te)
	}
	_, err = api.Request(tgbotapi.NewEditMessageText(5, 999, "x"))
	if te := apiErr(t, err); !strings.Contains(te.Message, "message to edit not found") {
		t.Errorf("edit of a missing message: %v", te)
	}
	srv.SendText(5, 5, "mine")
	msgs := srv.Messages(5)
	if len(msgs) != 1 || msgs[0].Text != "Bye" || len(msgs[0].Versions) != 2 || len(msgs[0].Buttons) != 0 {
		t.Fatalf("messages = %+v", msgs)
	}
	_, err = api.Request(tgbotapi.NewEditMessageText(5, msgs[0].ID+1, "x"))
	if te := apiErr(t, err); !strings.Contains(te.Message, "message can't be edited") {
		t.Errorf("edit of the user's message: %v", te)
	}
}

func TestRefusals(t *testing.T) {
	srv := telegramtest.NewServer(t, token)
	api := newAPI(t, srv)
	html := func(text string) tgbotapi.MessageConfig {
		m := tgbotapi.NewMessage(5, text)
		m.ParseMode = tgbotapi.ModeHTML
		return m
	}
	bigButton := html("ok")
	bigButton.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("x", strings.Repeat("é", 33))))
	tests := map[string]struct {
		msg  tgbotapi.MessageConfig
		want string
	}{
		"unescaped <":    {html("5 < 6"), "can't parse entities"},
		"unescaped &":    {html("A & B"), "can't parse entities"},
		"unclosed tag":   {html("<b>bold"), "can't parse entities"},
		"unknown tag":    {html("<div>x</div>"), "can't parse entities"},
		"too long":       {tgbotapi.NewMessage(5, strings.Repeat("😀", 2049)), "message is too long"},
		"empty":          {html("<b> </b>"), "message text is empty"},
		"66-byte button": {bigButton, "BUTTON_DATA_INVALID"},
	}
	for name, tt := range tests {
		_, err := api.Send(tt.msg)
		if te := apiErr(t, err); te.Code != 400 || !strings.Contains(te.Message, tt.want) {
			t.Errorf("%s: %v, want 400 %q", name, te, tt.want)
		}
	}
	if _, err := api.Send(html(strings.Repeat("a", 4096))); err != nil {
		t.Errorf("4096 characters: %v", err)
	}
}

func TestFaults(t *testing.T) {
	srv := telegramtest.NewServer(t, token)
	api := newAPI(t, srv)
	srv.FailNext("sendMessage", 2, 429, "Too Many Requests: retry after 3", telegramtest.ErrorParams{RetryAfter: 3})
	srv.DropConnection("sendMessage", 1)
	for range 2 {
		_, err := api.Send(tgbotapi.NewMessage(5, "x"))
		if te := apiErr(t, err); te.Code != 429 || te.RetryAfter != 3 {
			t.Errorf("flood: %+v", te)
		}
	}
	if _, err := api.Send(tgbotapi.NewMessage(5, "x")); err == nil || errors.As(err, new(*tgbotapi.Error)) {
		t.Errorf("dropped connection: %v", err)
	}
	srv.Block(6)
	_, err := api.Send(tgbotapi.NewMessage(6, "x"))
	if te := apiErr(t, err); te.Code != 403 {
		t.Errorf("blocked: %+v", te)
	}
	srv.Migrate(-7, -1007)
	_, err = api.Send(tgbotapi.NewMessage(-7, "x"))
	if te := apiErr(t, err); te.Code != 400 || te.MigrateToChatID != -1007 {
		t.Errorf("migrated: %+v", te)
	}
	if _, err := api.Send(tgbotapi.NewMessage(5, "x")); err != nil {
		t.Errorf("after the faults: %v", err)
	}
}

func TestLimits(t *testing.T) {
	srv := telegramtest.NewServer(t, token)
	api := newAPI(t, srv)
	srv.Limits(telegramtest.Limit{Rate: 100, Burst: 100}, telegramtest.Limit{Rate: 1, Burst: 2}, telegramtest.Limit{Rate: 1.0 / 3, Burst: 1})
	for i, want := range []int{0, 0, 429} {
		_, err := api.Send(tgbotapi.NewMessage(5, "x"))
		if want == 0 && err != nil {
			t.Errorf("message %d: %v", i, err)
		}
		if want != 0 {
			if te := apiErr(t, err); te.Code != 429 || te.RetryAfter != 1 {
				t.Errorf("message %d: %+v", i, te)
			}
		}
	}
	if _, err := api.Send(tgbotapi.NewMessage(-9, "x")); err != nil {
		t.Errorf("group: %v", err)
	}
	_, err := api.Send(tgbotapi.NewMessage(-9, "x"))
	if te := apiErr(t, err); te.Code != 429 || te.RetryAfter != 3 {
		t.Errorf("group: %+v", te)
	}
	if srv.TooMany() != 2 {
		t.Errorf("TooMany = %d", srv.TooMany())
	}
}
