package bot

import (
	"context"
	"html"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
)

// TestOversizedAndForgedInputs: what a client (or someone speaking the Bot
// API at us through a compromised proxy) can send beyond Telegram's limits —
// 200 KB of text, a first name of kilobytes, callback data of a
// kilobyte, invalid UTF-8, JSON from another bot — reaches the handler as a
// defined input (garbage buttons as the empty button), gets an answer cut
// to Telegram's limits, and the bot goes on serving.
func TestOversizedAndForgedInputs(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	rec := &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		what := in.Text
		if in.Kind == flows.InputButton {
			what = "button " + in.Button.Menu + "/" + in.Button.Action + "/" + in.Button.Arg
		}
		if in.Kind == flows.InputCommand {
			what = "/" + in.Command + " " + in.Args
		}
		return flows.Output{Replies: []flows.Reply{{Text: "Halo " + html.EscapeString(in.FirstName) + ": " + html.EscapeString(what)}}}, nil
	}}
	start(t, fastConfig(t, srv, rec))

	huge := strings.Repeat("0812 3456 7890 <b>&amp;</b> ", 8000) // 200 KB
	srv.SendText(100, 100, huge)
	longName := tgbotapi.Update{Message: &tgbotapi.Message{MessageID: 900, Text: "hi",
		From: &tgbotapi.User{ID: 100, FirstName: strings.Repeat("<b>Budi</b> &", 1000)},
		Chat: &tgbotapi.Chat{ID: 100, Type: "private"}}}
	srv.SendUpdate(longName)
	taps := []int{
		srv.Tap(100, 100, 1, strings.Repeat("m|ok|", 200)),           // 1 KB
		srv.Tap(100, 100, 1, "m|ok|\xff\xfe"),                        // invalid UTF-8
		srv.Tap(100, 100, 1, `{"menu":"m","action":"ok","t":"tok"}`), // another bot's format
		srv.Tap(100, 100, 1, ""),
	}
	srv.SendText(100, 100, "/ping")

	waitFor(t, srv, "the answer to /ping", func() bool {
		for _, m := range srv.Messages(100) {
			if strings.Contains(m.Text, "/ping") {
				return true
			}
		}
		return false
	})
	// Invalid UTF-8 arrives as U+FFFD (JSON carries no invalid bytes): a
	// well-formed button whose argument matches no token.
	want := map[int]flows.ButtonData{taps[0]: {}, taps[1]: {Menu: "m", Action: "ok", Arg: "\ufffd\ufffd"}, taps[2]: {}, taps[3]: {}}
	for _, in := range rec.seen() {
		if w, ok := want[in.UpdateID]; ok && in.Button != w {
			t.Errorf("callback data of update %d decoded as %+v, want %+v", in.UpdateID, in.Button, w)
		}
	}
	for _, id := range taps {
		if !srv.Answered(id) {
			t.Errorf("the callback query of update %d was not answered", id)
		}
	}
	// The fake refuses what Telegram would (over 4096 characters, bad
	// HTML); every message it holds was accepted.
	msgs := srv.Messages(100)
	if len(msgs) < 10 {
		t.Errorf("%d messages: the long echo was not delivered in parts", len(msgs))
	}
	for _, m := range msgs {
		if strings.Contains(m.Text, "<b>Budi") {
			t.Errorf("a first name's HTML reached a message unescaped: %.80q", m.Text)
		}
	}
}
