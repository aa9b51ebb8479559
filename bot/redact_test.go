package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
	"topupbot/internal/testbuf"
)

func TestRedactError(t *testing.T) {
	r := redactor{token: testToken}
	ue := &url.Error{Op: "Post", URL: "https://api.telegram.org/bot" + testToken + "/sendMessage", Err: errors.New("EOF")}
	got := r.error(ue)
	if strings.Contains(got.Error(), testToken) {
		t.Errorf("redacted error shows the token: %v", got)
	}
	var back *url.Error
	if !errors.As(got, &back) {
		t.Errorf("redacted *url.Error lost its type: %T", got)
	}
	wrapped := r.error(fmt.Errorf("sending: %w", ue))
	if strings.Contains(wrapped.Error(), testToken) || !strings.Contains(wrapped.Error(), redacted) {
		t.Errorf("redacted wrapped error = %v", wrapped)
	}
	// A token of another bot, by its shape.
	other := r.error(errors.New("GET /bot123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/getMe"))
	if strings.Contains(other.Error(), "AAAAAAAAAA") {
		t.Errorf("a token-shaped string survived: %v", other)
	}
}

func TestRedactHandler(t *testing.T) {
	buf := &testbuf.Buffer{}
	log := slog.New(&redactHandler{r: redactor{token: testToken}, inner: slog.NewTextHandler(buf, nil)})
	log = log.With("url", "https://x/bot"+testToken+"/getMe")
	log.WithGroup("g").Error("token "+testToken,
		"err", errors.New("Post https://x/bot"+testToken+"/y: EOF"),
		"s", testToken,
		"any", struct{ T string }{testToken},
		slog.Group("grp", "inner", testToken))
	if strings.Contains(buf.String(), testToken) {
		t.Errorf("the log shows the token:\n%s", buf)
	}
	if n := strings.Count(buf.String(), redacted); n != 6 {
		t.Errorf("%d redactions, want 6:\n%s", n, buf)
	}
}

// TestTokenNeverShown runs the bot through failures whose errors carry the
// request URL, and checks every log line and returned error.
func TestTokenNeverShown(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	cfg := fastConfig(t, srv, &recorder{answer: func(ctx context.Context, in flows.Input) (flows.Output, error) {
		if in.Kind == flows.InputButton {
			return flows.Output{}, nil
		}
		return echo(ctx, in)
	}})
	log, buf := testLogger(t)
	cfg.Logger = log
	cfg.SendAttempts = 2
	cfg.DeliverAttempts = 2
	srv.DropConnection("getMe", 1)
	srv.DropConnection("getUpdates", 2)
	srv.FailNext("getUpdates", 1, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", telegramtest.ErrorParams{})
	srv.DropConnection("sendMessage", 2)
	srv.DropConnection("answerCallbackQuery", 1)
	b := start(t, cfg)

	var errs []error
	srv.SendText(100, 100, "a reply that never arrives")
	srv.Tap(100, 100, 1, "m|a|")
	waitFor(t, srv, "the reply given up", func() bool { return strings.Contains(buf.String(), "reply not sent") })
	waitFor(t, srv, "the tap handled", func() bool { return strings.Contains(buf.String(), "answering a callback query") })

	srv.DropConnection("sendMessage", 2)
	errs = append(errs, deliver(t, b, flows.Notification{Kind: flows.NotifySend, ChatID: 100, Text: "x"}))

	// tgbotapi's own logger, which prints URLs.
	tgLogAdapter{}.Printf("Post %s: EOF", "https://api.telegram.org/bot"+testToken+"/getUpdates")

	// An API that is not there at all.
	dead := cfg
	dead.APIEndpoint = "http://127.0.0.1:1/bot%s/%s"
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := New(ctx, dead)
	errs = append(errs, err)

	// A revoked token ends Run.
	srv.FailNext("getUpdates", 1, 401, "Unauthorized", telegramtest.ErrorParams{})
	srv.SendText(100, 100, "ends the long poll in flight")
	select {
	case err := <-b.done:
		close(b.done)
		errs = append(errs, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not end after a 401")
	}

	for _, err := range errs {
		if err == nil {
			t.Error("an expected error is missing")
		} else if strings.Contains(err.Error(), testToken) {
			t.Errorf("error shows the token: %v", err)
		}
	}
	logs := buf.String()
	for _, want := range []string{"getMe failed", "getUpdates failed", "conflict", "reply not sent", "answering a callback query", "source=tgbotapi", redacted} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q: the failures were not exercised", want)
		}
	}
	// testLogger's cleanup checks the log for the token.
}
