package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
	"topupbot/internal/testlog"
)

// testToken has the shape of a real token; every test checks its log for it.
const testToken = "7000001:AAFakeTokenForTestsOnly_abcdefghijkl"

// handlerFunc adapts a function to flows.Handler.
type handlerFunc func(ctx context.Context, in flows.Input) (flows.Output, error)

func (f handlerFunc) Handle(ctx context.Context, in flows.Input) (flows.Output, error) {
	return f(ctx, in)
}

// recorder is a handler that records inputs and answers through answer
// (nil: no replies).
type recorder struct {
	mu     sync.Mutex
	inputs []flows.Input
	answer func(ctx context.Context, in flows.Input) (flows.Output, error)
}

func (r *recorder) Handle(ctx context.Context, in flows.Input) (flows.Output, error) {
	r.mu.Lock()
	r.inputs = append(r.inputs, in)
	answer := r.answer
	r.mu.Unlock()
	if answer == nil {
		return flows.Output{}, nil
	}
	return answer(ctx, in)
}

func (r *recorder) seen() []flows.Input {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]flows.Input(nil), r.inputs...)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.inputs)
}

// echo answers every input with one reply quoting it.
func echo(ctx context.Context, in flows.Input) (flows.Output, error) {
	text := in.Text
	if in.Kind == flows.InputCommand {
		text = "/" + in.Command + " " + in.Args
	}
	return flows.Output{Replies: []flows.Reply{{Text: "echo: " + escape(text)}}}, nil
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// testLogger logs to a testlog.Log, which fails the test if the token (or
// its secret half) appears in any line, and prints the log when the test
// failed.
func testLogger(t *testing.T) (*slog.Logger, *testlog.Log) {
	t.Helper()
	logs := testlog.New(t, testToken, "AAFakeTokenForTestsOnly")
	return logs.Logger(), logs
}

// fastConfig is a Config for srv with every delay small and limits out of
// the way.
func fastConfig(t *testing.T, srv *telegramtest.Server, h flows.Handler) Config {
	log, _ := testLogger(t)
	return Config{
		Token:         testToken,
		APIEndpoint:   srv.Endpoint(),
		PollTimeout:   5 * time.Second,
		Handler:       h,
		SaveEvery:     5 * time.Millisecond,
		ShutdownGrace: 2 * time.Second,
		FlushTimeout:  2 * time.Second,
		GlobalRate:    10000,
		GlobalBurst:   1000,
		ChatRate:      10000,
		ChatBurst:     1000,
		GroupRate:     10000,
		GroupBurst:    1000,
		RetryBase:     5 * time.Millisecond,
		RetryMax:      50 * time.Millisecond,
		Logger:        log,
	}
}

// running is a Bot whose Run runs in the background.
type running struct {
	*Bot
	cancel context.CancelFunc
	done   chan error
}

// start builds a bot and runs it until the test ends (or stop is called).
func start(t *testing.T, cfg Config) *running {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := New(ctx, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	r := &running{Bot: b, cancel: stop, done: make(chan error, 1)}
	go func() { r.done <- b.Run(runCtx) }()
	t.Cleanup(func() {
		if err := r.stop(); err != nil && !errors.Is(err, errRunDone) {
			t.Errorf("Run: %v", err)
		}
	})
	return r
}

var errRunDone = errors.New("run already returned")

// stop ends Run and returns its error; Run must return within a few
// seconds of its context ending.
func (r *running) stop() error {
	r.cancel()
	select {
	case err, ok := <-r.done:
		if !ok {
			return errRunDone
		}
		close(r.done)
		return err
	case <-time.After(10 * time.Second):
		return errors.New("Run did not return within 10 s of its context ending")
	}
}

// waitFor fails the test unless cond holds within a deadline. It returns
// as soon as cond holds; the deadline is generous because the full suite
// under -race on 2 cores (the fault tests beside it) once took over 5 s to
// answer a 200 KB message.
func waitFor(t *testing.T, srv *telegramtest.Server, what string, cond func() bool) {
	t.Helper()
	if !srv.WaitFor(cond, 20*time.Second) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// texts is the final text of each bot message in chatID.
func texts(srv *telegramtest.Server, chatID int64) []string {
	var out []string
	for _, m := range srv.Messages(chatID) {
		out = append(out, m.Text)
	}
	return out
}

// memOffsets is an in-memory OffsetStore.
type memOffsets struct {
	mu    sync.Mutex
	off   int
	at    time.Time
	saves []int
}

func (m *memOffsets) TelegramOffset(ctx context.Context) (int, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.off, m.at, nil
}

func (m *memOffsets) SaveTelegramOffset(ctx context.Context, off int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.off, m.at = off, time.Now()
	m.saves = append(m.saves, off)
	return nil
}

func (m *memOffsets) get() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.off
}
