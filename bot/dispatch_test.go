package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
)

func TestDecodesUpdates(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	rec := &recorder{}
	b := start(t, fastConfig(t, srv, rec))
	if b.Username() != telegramtest.BotUsername {
		t.Errorf("Username() = %q", b.Username())
	}

	menu, _ := EncodeButton(flows.ButtonData{Menu: "m7", Action: "buy", Arg: "Paket 日本 10GB"})
	ids := []int{
		srv.SendText(100, 100, "/Start@"+telegramtest.BotUsername+"  ref-1 "),
		srv.SendText(-200, 100, "/saldo@SomeOtherBot"), // another bot's command: not ours
		srv.SendText(-200, 100, "hello there"),
		srv.SendUpdate(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: 50, From: &tgbotapi.User{ID: 100}, Chat: &tgbotapi.Chat{ID: 100, Type: "private"}, Photo: []tgbotapi.PhotoSize{{FileID: "x"}}}}),
		srv.SendUpdate(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: 51, Chat: &tgbotapi.Chat{ID: -200, Type: "group"}, NewChatMembers: []tgbotapi.User{{ID: 5}}}}),
		srv.Tap(100, 100, 42, menu),
		srv.Tap(100, 100, 43, "garbage from an old version"),
	}
	waitFor(t, srv, "five inputs", func() bool { return rec.count() == 5 })

	want := []flows.Input{
		{UpdateID: ids[0], ChatID: 100, UserID: 100, Private: true, FirstName: "User100", LanguageCode: "id", Kind: flows.InputCommand, Command: "start", Args: "ref-1"},
		{UpdateID: ids[2], ChatID: -200, UserID: 100, FirstName: "User100", LanguageCode: "id", Kind: flows.InputText, Text: "hello there"},
		{UpdateID: ids[3], ChatID: 100, UserID: 100, Private: true, Kind: flows.InputText},
		{UpdateID: ids[5], ChatID: 100, UserID: 100, Private: true, FirstName: "User100", LanguageCode: "id", Kind: flows.InputButton, Button: flows.ButtonData{Menu: "m7", Action: "buy", Arg: "Paket 日本 10GB"}, MessageID: 42},
		{UpdateID: ids[6], ChatID: 100, UserID: 100, Private: true, FirstName: "User100", LanguageCode: "id", Kind: flows.InputButton, MessageID: 43},
	}
	got := rec.seen()
	slices.SortFunc(got, func(a, b flows.Input) int { return a.UpdateID - b.UpdateID })
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("input %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	for _, id := range ids[5:] {
		if !srv.Answered(id) {
			t.Errorf("callback query of update %d not answered", id)
		}
	}
	gu := srv.Calls("getUpdates")[0].Params
	if gu.Get("allowed_updates") != `["message","callback_query"]` || gu.Get("limit") != "100" || gu.Get("timeout") != "5" {
		t.Errorf("getUpdates params = %v", gu)
	}
}

func TestCallbackAnsweredBeforeHandler(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	release := make(chan struct{})
	var mu sync.Mutex
	answeredAtEntry := map[int]bool{}
	rec := &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		mu.Lock()
		answeredAtEntry[in.UpdateID] = in.Kind != flows.InputButton || srv.Answered(in.UpdateID)
		mu.Unlock()
		if in.Text == "block" {
			<-release
		}
		return flows.Output{}, nil
	}}
	start(t, fastConfig(t, srv, rec))

	tap1 := srv.Tap(100, 100, 1, "m|a|")
	waitFor(t, srv, "the first tap handled", func() bool { return rec.count() == 1 })
	srv.SendText(100, 100, "block")
	waitFor(t, srv, "the handler to block", func() bool { return rec.count() == 2 })
	// The chat's worker is stuck; the tap is answered all the same.
	tap2 := srv.Tap(100, 100, 1, "m|b|")
	waitFor(t, srv, "the second tap answered while the handler blocks", func() bool { return srv.Answered(tap2) })
	if rec.count() != 2 {
		t.Fatalf("the second tap reached the handler while the first input blocked it")
	}
	close(release)
	waitFor(t, srv, "the second tap handled", func() bool { return rec.count() == 3 })
	mu.Lock()
	defer mu.Unlock()
	for _, id := range []int{tap1, tap2} {
		if !answeredAtEntry[id] {
			t.Errorf("update %d reached the handler before its callback query was answered", id)
		}
	}
}

func TestResentCallbackIsANewInput(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	rec := &recorder{}
	start(t, fastConfig(t, srv, rec))
	first := srv.Tap(100, 100, 9, "m|ok|tok")
	again := srv.Resend(first)
	waitFor(t, srv, "both taps", func() bool { return rec.count() == 2 })
	in := rec.seen()
	if in[0].UpdateID != first || in[1].UpdateID != again || in[0].Button != in[1].Button {
		t.Errorf("inputs = %+v", in)
	}
	if !srv.Answered(first) || !srv.Answered(again) {
		t.Error("a callback query left unanswered")
	}
}

func TestPerChatOrder(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	rec := &recorder{answer: echo}
	start(t, fastConfig(t, srv, rec))
	var want []string
	for i := range 30 {
		srv.SendText(100, 100, fmt.Sprint(i))
		srv.SendText(101, 101, fmt.Sprint(i))
		want = append(want, fmt.Sprintf("echo: %d", i))
	}
	waitFor(t, srv, "60 replies", func() bool { return len(srv.Messages(100)) == 30 && len(srv.Messages(101)) == 30 })
	for _, chat := range []int64{100, 101} {
		if got := texts(srv, chat); !slices.Equal(got, want) {
			t.Errorf("chat %d replies out of order: %v", chat, got)
		}
		var seen []string
		for _, in := range rec.seen() {
			if in.ChatID == chat {
				seen = append(seen, in.Text)
			}
		}
		for i, s := range seen {
			if s != fmt.Sprint(i) {
				t.Fatalf("chat %d handled out of order: %v", chat, seen)
			}
		}
	}
}

func TestSlowChatDoesNotDelayOthers(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	release := make(chan struct{})
	defer close(release)
	rec := &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		if in.ChatID == 100 {
			<-release
		}
		return echo(ctx, in)
	}}
	start(t, fastConfig(t, srv, rec))
	srv.SendText(100, 100, "slow")
	srv.SendText(100, 100, "queued behind")
	srv.SendText(200, 200, "fast")
	waitFor(t, srv, "chat 200's reply", func() bool { return len(srv.Messages(200)) == 1 })
	if n := len(srv.Messages(100)); n != 0 {
		t.Errorf("chat 100 got %d replies while its handler blocks", n)
	}
}

func TestEditInPlaceAndFallback(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	rec := &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		if in.Kind == flows.InputCommand {
			return flows.Output{Replies: []flows.Reply{{Text: "Choose", Buttons: [][]flows.Button{{{Label: "A", Data: flows.ButtonData{Menu: "m1", Action: "a"}}}}}}}, nil
		}
		return flows.Output{Replies: []flows.Reply{{Edit: true, Text: "Chosen " + in.Button.Action}}}, nil
	}}
	start(t, fastConfig(t, srv, rec))

	srv.SendText(100, 100, "/menu")
	waitFor(t, srv, "the menu", func() bool { return len(srv.Messages(100)) == 1 })
	menu := srv.Messages(100)[0]
	if len(menu.Buttons) != 1 || menu.Buttons[0][0].Data != "m1|a|" {
		t.Fatalf("menu buttons = %+v", menu.Buttons)
	}
	srv.Tap(100, 100, menu.ID, menu.Buttons[0][0].Data)
	waitFor(t, srv, "the edit", func() bool { return srv.Messages(100)[0].Text == "Chosen a" })
	if m := srv.Messages(100)[0]; len(m.Buttons) != 0 || len(m.Versions) != 2 {
		t.Errorf("edited menu = %+v, want the keyboard gone and two versions", m)
	}

	// A tap on a message that is gone, or too old to edit: the reply comes
	// as a new message.
	srv.Tap(100, 100, 999, "m1|b|")
	waitFor(t, srv, "the first fallback", func() bool { return len(srv.Messages(100)) == 2 })
	srv.FailNext("editMessageText", 1, 400, "Bad Request: message can't be edited", telegramtest.ErrorParams{})
	srv.Tap(100, 100, menu.ID, "m1|c|")
	waitFor(t, srv, "the second fallback", func() bool { return len(srv.Messages(100)) == 3 })
	if got := texts(srv, 100); !slices.Equal(got, []string{"Chosen a", "Chosen b", "Chosen c"}) {
		t.Errorf("messages = %q", got)
	}
}

func TestLongReplyIsSplit(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("%03d. <b>Voucher game</b> %s", i, strings.Repeat("x", 20)))
	}
	text := strings.Join(lines, "\n")
	rec := &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		return flows.Output{Replies: []flows.Reply{{Text: text, Buttons: [][]flows.Button{{{Label: "Next", Data: flows.ButtonData{Menu: "p", Action: "next"}}}}}}}, nil
	}}
	start(t, fastConfig(t, srv, rec))
	srv.SendText(100, 100, "/list")
	waitFor(t, srv, "the last part, with the keyboard", func() bool {
		msgs := srv.Messages(100)
		return len(msgs) > 0 && len(msgs[len(msgs)-1].Buttons) > 0
	})
	msgs := srv.Messages(100)
	if len(msgs) < 3 {
		t.Fatalf("%d parts, want at least 3", len(msgs))
	}
	var joined []string
	for i, m := range msgs {
		if (len(m.Buttons) > 0) != (i == len(msgs)-1) {
			t.Errorf("message %d of %d has buttons %v: the keyboard goes on the last part only", i+1, len(msgs), m.Buttons)
		}
		joined = append(joined, m.Text)
	}
	if strings.Join(joined, "\n") != text {
		t.Error("the parts do not add up to the text")
	}
}

func TestThenRunsAfterRepliesAccepted(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	var processingOnScreen bool
	rec := &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		return flows.Output{
			Replies: []flows.Reply{{Text: "Processing…"}},
			Then: func(ctx context.Context) []flows.Reply {
				processingOnScreen = slices.Equal(texts(srv, in.ChatID), []string{"Processing…"})
				return []flows.Reply{{Text: "Done"}}
			},
		}, nil
	}}
	start(t, fastConfig(t, srv, rec))
	srv.FailNext("sendMessage", 1, 502, "Bad Gateway", telegramtest.ErrorParams{})
	srv.SendText(100, 100, "/buy")
	waitFor(t, srv, "both messages", func() bool { return len(srv.Messages(100)) == 2 })
	if !processingOnScreen {
		t.Error("Then ran before the processing message was accepted")
	}
	if got := texts(srv, 100); !slices.Equal(got, []string{"Processing…", "Done"}) {
		t.Errorf("messages = %q", got)
	}
}

func TestHandlerPanicIsContained(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	rec := &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		if in.Text == "boom" {
			panic("boom")
		}
		return echo(ctx, in)
	}}
	start(t, fastConfig(t, srv, rec))
	srv.SendText(100, 100, "boom")
	srv.SendText(100, 100, "after")
	waitFor(t, srv, "the reply after the panic", func() bool { return len(srv.Messages(100)) == 1 })
}

func TestShutdownIsBounded(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	stuck := make(chan struct{})
	defer close(stuck)
	rec := &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		if in.Text == "stuck" {
			<-stuck // ignores its context: Run must return anyway
		}
		return echo(ctx, in)
	}}
	cfg := fastConfig(t, srv, rec)
	cfg.ShutdownGrace = 100 * time.Millisecond
	b := start(t, cfg)
	srv.SendText(100, 100, "stuck")
	waitFor(t, srv, "the stuck handler", func() bool { return rec.count() == 1 })
	began := time.Now()
	if err := b.stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Errorf("Run took %s to return", d)
	}
}

func TestQueuedUpdatesHandledInGrace(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	release := make(chan struct{})
	rec := &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		if in.Text == "first" {
			<-release
		}
		return echo(ctx, in)
	}}
	b := start(t, fastConfig(t, srv, rec))
	srv.SendText(100, 100, "first")
	last := srv.SendText(100, 100, "second")
	waitFor(t, srv, "both updates received", func() bool { return rec.count() == 1 && srv.Confirmed(last) })
	stopped := make(chan error, 1)
	go func() { stopped <- b.stop() }()
	close(release)
	if err := <-stopped; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := texts(srv, 100); !slices.Equal(got, []string{"echo: first", "echo: second"}) {
		t.Errorf("after shutdown, messages = %q", got)
	}
}
