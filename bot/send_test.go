package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
)

func deliver(t *testing.T, b *running, n flows.Notification) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return b.Deliver(ctx, n)
}

func TestDeliverSendAndEdit(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	b := start(t, fastConfig(t, srv, &recorder{}))
	if err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: 100, Text: "SN <code>123</code>"}); err != nil {
		t.Fatalf("Deliver send: %v", err)
	}
	msgs := srv.Messages(100)
	if len(msgs) != 1 || msgs[0].Text != "SN <code>123</code>" || msgs[0].ParseMode != "HTML" {
		t.Fatalf("messages = %+v", msgs)
	}
	edit := flows.Notification{Kind: flows.NotifyEdit, ChatID: 100, MessageID: msgs[0].ID, Text: "Sukses"}
	if err := deliver(t, b, edit); err != nil {
		t.Fatalf("Deliver edit: %v", err)
	}
	// The same edit again: "message is not modified" is success.
	if err := deliver(t, b, edit); err != nil {
		t.Fatalf("Deliver of an identical edit: %v", err)
	}
	last := srv.Calls("editMessageText")
	if len(last) != 2 || last[1].Status != 400 {
		t.Errorf("the identical edit was not refused by the fake: %+v", last)
	}
	if got := texts(srv, 100); !slices.Equal(got, []string{"Sukses"}) {
		t.Errorf("messages = %q", got)
	}
}

func TestDeliverRefusedForGood(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	b := start(t, fastConfig(t, srv, &recorder{}))
	srv.Block(100)
	var de *flows.DeliveryError
	err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: 100, Text: "hi"})
	if !errors.As(err, &de) || !de.Permanent {
		t.Errorf("Deliver to a user who blocked the bot = %v, want a permanent DeliveryError", err)
	}
	err = deliver(t, b, flows.Notification{Kind: flows.NotifyEdit, ChatID: 200, MessageID: 5, Text: "hi"})
	if !errors.As(err, &de) || !de.Permanent {
		t.Errorf("Deliver of an edit of a missing message = %v, want a permanent DeliveryError", err)
	}
	srv.FailNext("sendMessage", 1, 400, "Bad Request: chat not found", telegramtest.ErrorParams{})
	err = deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: 300, Text: "hi"})
	if !errors.As(err, &de) || !de.Permanent {
		t.Errorf("Deliver to a missing chat = %v, want a permanent DeliveryError", err)
	}
}

func TestDeliverMigrated(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	b := start(t, fastConfig(t, srv, &recorder{}))
	srv.Migrate(-100, -1001234567890)
	var de *flows.DeliveryError
	err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: -100, Text: "ops", ToOps: true})
	if !errors.As(err, &de) || de.MigrateTo != -1001234567890 || de.Permanent {
		t.Fatalf("Deliver to a migrated group = %v, want MigrateTo", err)
	}
	if err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: de.MigrateTo, Text: "ops"}); err != nil {
		t.Errorf("Deliver to the supergroup: %v", err)
	}
}

func TestReplyFollowsMigration(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	start(t, fastConfig(t, srv, &recorder{answer: echo}))
	srv.Migrate(-100, -1009)
	srv.SendText(-100, 5, "hi")
	waitFor(t, srv, "the reply in the supergroup", func() bool { return len(srv.Messages(-1009)) == 1 })
}

// TestFloodWaitHonoured: after a 429 with retry_after 1 the message goes
// out, not before a second later.
func TestFloodWaitHonoured(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	b := start(t, fastConfig(t, srv, &recorder{answer: echo}))
	srv.FailNext("sendMessage", 1, 429, "Too Many Requests: retry after 1", telegramtest.ErrorParams{RetryAfter: 1})

	srv.SendText(100, 100, "reply")
	waitFor(t, srv, "the reply", func() bool { return len(srv.Messages(100)) == 1 })
	calls := srv.Calls("sendMessage")
	if len(calls) != 2 || calls[0].Status != 429 {
		t.Fatalf("sendMessage calls = %+v", calls)
	}
	if d := calls[1].At.Sub(calls[0].At); d < time.Second {
		t.Errorf("retried %s after a 429 with retry_after 1 s", d)
	}

	// Deliver does not wait a flood wait out: it says how long to wait, and
	// the chat's queue holds back what comes next until then.
	srv.FailNext("sendMessage", 1, 429, "Too Many Requests: retry after 1", telegramtest.ErrorParams{RetryAfter: 1})
	err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: 300, Text: "SN"})
	var de *flows.DeliveryError
	if !errors.As(err, &de) || de.RetryAfter != time.Second {
		t.Fatalf("Deliver = %v, want RetryAfter 1s", err)
	}
	flooded := time.Now()
	if err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: 300, Text: "SN"}); err != nil {
		t.Fatalf("Deliver after the flood wait: %v", err)
	}
	if d := time.Since(flooded); d < 900*time.Millisecond {
		t.Errorf("the next message went out %s after a 429 with retry_after 1 s", d)
	}
}

// TestDeliverLongFloodWait: a flood wait longer than RetryMax is not waited
// out inside Deliver: the outbox reschedules it.
func TestDeliverLongFloodWait(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	b := start(t, fastConfig(t, srv, &recorder{}))
	srv.FailNext("sendMessage", 1, 429, "Too Many Requests: retry after 30", telegramtest.ErrorParams{RetryAfter: 30})
	began := time.Now()
	err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: 100, Text: "SN"})
	var de *flows.DeliveryError
	if !errors.As(err, &de) || de.RetryAfter != 30*time.Second || de.Permanent {
		t.Fatalf("Deliver = %v, want RetryAfter 30s", err)
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("Deliver took %s", d)
	}
	// The chat is paused, other chats are not.
	if err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: 200, Text: "other"}); err != nil {
		t.Errorf("Deliver to another chat: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := b.Deliver(ctx, flows.Notification{Kind: flows.NotifySend, ChatID: 100, Text: "again"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Deliver to the paused chat = %v, want to wait", err)
	}
}

// TestSendRetriesTransient: a 502 and a reset connection on send are retried
// and the message arrives once.
func TestSendRetriesTransient(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	b := start(t, fastConfig(t, srv, &recorder{answer: echo}))
	srv.FailNext("sendMessage", 1, 502, "Bad Gateway", telegramtest.ErrorParams{})
	srv.DropConnection("sendMessage", 1)
	srv.SendText(100, 100, "once")
	waitFor(t, srv, "the reply", func() bool { return len(srv.Messages(100)) == 1 })

	srv.DropConnection("sendMessage", 1)
	srv.FailNext("sendMessage", 1, 500, "Internal Server Error", telegramtest.ErrorParams{})
	if err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: 200, Text: "SN"}); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	// More failures than Deliver's attempts: a retryable error for the outbox.
	srv.FailNext("sendMessage", 3, 502, "Bad Gateway", telegramtest.ErrorParams{})
	err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: 300, Text: "SN"})
	var de *flows.DeliveryError
	if err == nil || (errors.As(err, &de) && (de.Permanent || de.MigrateTo != 0)) {
		t.Errorf("Deliver after 3 failures = %v, want a retryable error", err)
	}
	if got := texts(srv, 100); !slices.Equal(got, []string{"echo: once"}) {
		t.Errorf("chat 100 = %q", got)
	}
	if got := len(srv.Messages(200)); got != 1 {
		t.Errorf("chat 200 has %d messages", got)
	}
}

func TestBadHTMLFallsBackToPlainText(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	b := start(t, fastConfig(t, srv, &recorder{}))
	if err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: 100, Text: "Token <b>1234 5678</b> for PT. A&B"}); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	msgs := srv.Messages(100)
	if len(msgs) != 1 || msgs[0].Text != "Token 1234 5678 for PT. A&B" || msgs[0].ParseMode != "" {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestReplyWithOversizedButtonIsRefused(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	rec := &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		big := flows.ButtonData{Menu: "m", Action: "a", Arg: string(make([]byte, 70))}
		return flows.Output{Replies: []flows.Reply{
			{Text: "bad", Buttons: [][]flows.Button{{{Label: "x", Data: big}}}},
			{Text: "good"},
		}}, nil
	}}
	start(t, fastConfig(t, srv, rec))
	srv.SendText(100, 100, "go")
	waitFor(t, srv, "the good reply", func() bool { return len(srv.Messages(100)) == 1 })
	if got := texts(srv, 100); !slices.Equal(got, []string{"good"}) {
		t.Errorf("messages = %q", got)
	}
}

// TestFloodedChatDoesNotDelayOthers: one chat in a flood wait, the others'
// messages go out meanwhile.
func TestFloodedChatDoesNotDelayOthers(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	b := start(t, fastConfig(t, srv, &recorder{answer: echo}))
	srv.FailNext("sendMessage", 1, 429, "Too Many Requests: retry after 1", telegramtest.ErrorParams{RetryAfter: 1})
	srv.SendText(100, 100, "flooded")
	waitFor(t, srv, "the 429", func() bool { return len(srv.Calls("sendMessage")) == 1 })
	began := time.Now()
	for i := range 5 {
		if err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: int64(200 + i), Text: "fast"}); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(began); d > 500*time.Millisecond {
		t.Errorf("other chats took %s behind a flooded chat", d)
	}
	if len(srv.Messages(100)) != 0 {
		t.Error("the flooded chat's reply went out before its flood wait")
	}
	waitFor(t, srv, "the flooded chat's reply", func() bool { return len(srv.Messages(100)) == 1 })
}

// TestRateLimits: at the configured rates the fake's limits, a little
// looser, never answer 429; and the rates do hold the messages back.
func TestRateLimits(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	srv.Limits(
		telegramtest.Limit{Rate: 40, Burst: 6},
		telegramtest.Limit{Rate: 20, Burst: 3},
		telegramtest.Limit{Rate: 10, Burst: 2},
	)
	cfg := fastConfig(t, srv, &recorder{})
	cfg.GlobalRate, cfg.GlobalBurst = 40, 5
	cfg.ChatRate, cfg.ChatBurst = 20, 2
	cfg.GroupRate, cfg.GroupBurst = 10, 1
	b := start(t, cfg)

	chats := []int64{1, 2, 3, -4}
	const perChat = 10
	began := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(chats)*perChat)
	for _, chat := range chats {
		for i := range perChat {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				errs <- b.Deliver(ctx, flows.Notification{Kind: flows.NotifySend, ChatID: chat, Text: fmt.Sprint(chat, "/", i)})
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Deliver: %v", err)
		}
	}
	elapsed := time.Since(began)
	if n := srv.TooMany(); n != 0 {
		t.Errorf("%d answers 429 at the configured rates", n)
	}
	// The group: 10 messages at 10/s, burst 1, take at least 0.9 s.
	if elapsed < 850*time.Millisecond {
		t.Errorf("40 messages went out in %s: the limits were not applied", elapsed)
	}
	for _, chat := range chats {
		if n := len(srv.Messages(chat)); n != perChat {
			t.Errorf("chat %d got %d messages", chat, n)
		}
	}
}

func TestDeliverAfterStop(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	b := start(t, fastConfig(t, srv, &recorder{}))
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	var de *flows.DeliveryError
	err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: 100, Text: "late"})
	if err == nil || errors.As(err, &de) {
		t.Errorf("Deliver after Run returned = %v, want a plain retryable error", err)
	}
}

// TestDeliverButtons: a notification's buttons (a stranger's Allow) reach
// Telegram as its inline keyboard, encoded as replies' buttons are.
func TestDeliverButtons(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	b := start(t, fastConfig(t, srv, &recorder{}))
	allow := [][]flows.Button{{{Label: "Izinkan", Data: flows.ButtonData{Action: string(flows.EvAllow), Arg: "123456789012"}}}}
	if err := deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: -100, ToOps: true, Text: "stranger", Buttons: allow}); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	msgs := srv.Messages(-100)
	if len(msgs) != 1 || len(msgs[0].Buttons) != 1 || len(msgs[0].Buttons[0]) != 1 {
		t.Fatalf("messages = %+v", msgs)
	}
	btn := msgs[0].Buttons[0][0]
	if btn.Text != "Izinkan" || len(btn.Data) > MaxCallbackData || DecodeButton(btn.Data) != allow[0][0].Data {
		t.Errorf("button %+v decodes to %+v", btn, DecodeButton(btn.Data))
	}
}
