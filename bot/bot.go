package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"

	"topupbot/flows"
)

// OffsetStore keeps the getUpdates offset across restarts.
type OffsetStore interface {
	// TelegramOffset returns the saved offset and when it was saved; zero
	// values if none was.
	TelegramOffset(ctx context.Context) (int, time.Time, error)
	SaveTelegramOffset(ctx context.Context, offset int) error
}

// Inbox keeps updates from their arrival until they are applied. Telegram
// forgets an update as soon as the next getUpdates asks for a higher offset,
// which the bot does without waiting for its workers: an update in flight at
// a crash survives only here.
type Inbox interface {
	// SaveUpdates stores received updates (raw, as Telegram sent them).
	SaveUpdates(ctx context.Context, updates map[int][]byte) error
	// PendingUpdates returns what was saved and not dropped.
	PendingUpdates(ctx context.Context) (map[int][]byte, error)
	// DropUpdatesBelow forgets the updates below an id, all applied.
	DropUpdatesBelow(ctx context.Context, below int) error
}

// Config configures a Bot. Zero values take the defaults; every delay and
// limit is here so tests can shrink them.
type Config struct {
	// Token is the bot token. It never appears in a log line or an error.
	Token string
	// APIEndpoint is tgbotapi's endpoint format, "…/bot%s/%s" (default
	// tgbotapi.APIEndpoint, Telegram itself).
	APIEndpoint string
	// PollTimeout is getUpdates' long-poll timeout (default 50 s).
	PollTimeout time.Duration
	// RequestTimeout bounds every other call (default 30 s).
	RequestTimeout time.Duration

	Handler flows.Handler
	// Offsets, when set, keeps the offset across restarts.
	Offsets OffsetStore
	// Inbox, when set, keeps received updates until applied, so a crash
	// loses none; updates left in it are handled first on start.
	Inbox Inbox
	// OffsetMaxAge: a saved offset older than this is discarded (default
	// 24 h: Telegram keeps updates no longer).
	OffsetMaxAge time.Duration
	// SaveEvery spaces offset saves (default 500 ms); the last one is
	// always saved at shutdown.
	SaveEvery time.Duration

	// UpdateDeadline bounds the handling of one update, Output.Then
	// included; it must exceed the provider timeout (default 2 min).
	UpdateDeadline time.Duration
	// ThenWait bounds the wait for an output's replies to be accepted
	// before its Then runs (default 30 s).
	ThenWait time.Duration
	// ShutdownGrace is how long workers may go on handling queued updates
	// after Run's context ended (default 10 s); FlushTimeout then bounds
	// the sending of what they queued (default 5 s).
	ShutdownGrace time.Duration
	FlushTimeout  time.Duration

	// Outbound limits: overall, per private chat, per group (negative chat
	// id). Defaults 29/s burst 20, 1/s burst 2, 20/min burst 4: a margin
	// under Telegram's 30/s, 1/s and 20/min (bursts of 30, 3 and 5 in
	// telegramtest). Telegram counts a message when it arrives, and
	// arrivals jitter: buckets exactly as full as Telegram's turn a
	// request that was slow and the next one that was not into a 429.
	GlobalRate  rate.Limit
	GlobalBurst int
	ChatRate    rate.Limit
	ChatBurst   int
	GroupRate   rate.Limit
	GroupBurst  int

	// RetryBase and RetryMax shape the backoff of failed calls: sends on
	// 5xx and network errors, getMe and getUpdates on anything but 401
	// (defaults 1 s and 30 s).
	RetryBase time.Duration
	RetryMax  time.Duration
	// SendAttempts bounds the tries of one reply (default 6);
	// DeliverAttempts those of one Deliver call on 5xx and network errors,
	// after which the outbox reschedules it (default 3). A Deliver call
	// returns at the first 429, with its retry_after.
	SendAttempts    int
	DeliverAttempts int

	// OnReplyQueued, when set, is called once for each update handled,
	// right after the replies of its output (not those of Then) were
	// queued for sending, with the time the poll loop received it: the
	// bot's intake latency, for benchmarks and metrics. It runs on the
	// chat's worker, so it must be quick and safe for concurrent use. Unset,
	// it costs nothing.
	OnReplyQueued func(updateID int, received time.Time)
	// OnSend, when set, is called after every sendMessage or
	// editMessageText call with its outcome: SendOK, SendFlood (a 429) or
	// SendFailed. OnUpdates is called with the size of every non-empty
	// batch getUpdates returned. Both are for metrics: quick, safe for
	// concurrent use.
	OnSend    func(outcome SendOutcome)
	OnUpdates func(n int)

	Now    func() time.Time
	Logger *slog.Logger
}

func (c *Config) defaults() {
	setDefault(&c.APIEndpoint, tgbotapi.APIEndpoint)
	setDefault(&c.PollTimeout, 50*time.Second)
	setDefault(&c.RequestTimeout, 30*time.Second)
	setDefault(&c.OffsetMaxAge, 24*time.Hour)
	setDefault(&c.SaveEvery, 500*time.Millisecond)
	setDefault(&c.UpdateDeadline, 2*time.Minute)
	setDefault(&c.ThenWait, 30*time.Second)
	setDefault(&c.ShutdownGrace, 10*time.Second)
	setDefault(&c.FlushTimeout, 5*time.Second)
	setDefault(&c.GlobalRate, 29)
	setDefault(&c.GlobalBurst, 20)
	setDefault(&c.ChatRate, 1)
	setDefault(&c.ChatBurst, 2)
	setDefault(&c.GroupRate, rate.Every(3*time.Second))
	setDefault(&c.GroupBurst, 4)
	setDefault(&c.RetryBase, time.Second)
	setDefault(&c.RetryMax, 30*time.Second)
	setDefault(&c.SendAttempts, 6)
	setDefault(&c.DeliverAttempts, 3)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// Bot is the Telegram transport: it polls updates, hands them to the
// handler one chat at a time, and sends the replies and the outbox's
// notifications through one rate-limited queue.
type Bot struct {
	cfg    Config
	log    *slog.Logger
	redact redactor
	tg     *tgbotapi.BotAPI

	transport *http.Transport
	// pollHC and sendHC differ in their timeout: a long poll holds its
	// answer for PollTimeout.
	pollHC *http.Client
	sendHC *http.Client

	out     *sender
	running atomic.Bool
}

var _ flows.Notifier = (*Bot)(nil)

// New connects to the Bot API: it calls getMe, retrying with backoff until
// ctx ends, except when Telegram rejects the token (401, or 404 for a token
// it cannot even parse), which is fatal.
func New(ctx context.Context, cfg Config) (*Bot, error) {
	if cfg.Token == "" {
		return nil, errors.New("bot: no token")
	}
	if cfg.Handler == nil {
		return nil, errors.New("bot: no handler")
	}
	if cfg.Inbox != nil && cfg.Offsets == nil {
		// The inbox is cleared up to the saved offset.
		return nil, errors.New("bot: an inbox needs an offset store")
	}
	cfg.defaults()
	r := redactor{token: cfg.Token}
	log := slog.New(&redactHandler{r: r, inner: cfg.Logger.Handler()}).With("component", "bot")
	routeLibraryLog(log)

	b := &Bot{cfg: cfg, log: log, redact: r, transport: newTransport()}
	b.pollHC = &http.Client{Transport: b.transport, Timeout: cfg.PollTimeout + 15*time.Second}
	b.sendHC = &http.Client{Transport: b.transport, Timeout: cfg.RequestTimeout}
	b.out = newSender(b, cfg, log)

	for attempt := 1; ; attempt++ {
		tg, err := tgbotapi.NewBotAPIWithClient(cfg.Token, cfg.APIEndpoint, doer{ctx: ctx, hc: b.sendHC, r: r})
		if err == nil {
			tg.Debug = false // it would log every parameter and answer (telegram.md G11)
			b.tg = tg
			log.Info("connected to telegram", "username", tg.Self.UserName)
			return b, nil
		}
		err = r.error(err)
		if ctx.Err() != nil {
			b.transport.CloseIdleConnections()
			return nil, fmt.Errorf("bot: getMe: %w", ctx.Err())
		}
		var te *tgbotapi.Error
		if errors.As(err, &te) && te.Code == 401 {
			b.transport.CloseIdleConnections()
			return nil, fmt.Errorf("bot: getMe: telegram rejected the token: %w", err)
		}
		if errors.As(err, &te) && te.Code == 404 {
			b.transport.CloseIdleConnections()
			return nil, fmt.Errorf("bot: getMe: not found: a malformed token or a wrong API endpoint: %w", err)
		}
		wait := backoff(cfg.RetryBase, cfg.RetryMax, attempt)
		if v := classify(err); v.outcome == outFlood {
			wait = v.retryAfter
		}
		log.Warn("getMe failed; retrying", "err", err, "retry_in", wait)
		if err := sleep(ctx, wait); err != nil {
			b.transport.CloseIdleConnections()
			return nil, fmt.Errorf("bot: getMe: %w", err)
		}
	}
}

// Username is the bot's @username, without the @.
func (b *Bot) Username() string { return b.tg.Self.UserName }

// Run polls updates and handles them until ctx ends, then stops polling,
// gives the workers ShutdownGrace to finish what they have, sends what they
// queued within FlushTimeout, saves the offset and returns. It returns an
// error only when Telegram rejects the token. Run may be called once.
func (b *Bot) Run(ctx context.Context) error {
	if !b.running.CompareAndSwap(false, true) {
		return errors.New("bot: Run called twice")
	}
	defer b.transport.CloseIdleConnections()

	tr := newTracker(b.startOffset(ctx))
	saverStop := make(chan struct{})
	saverDone := make(chan struct{})
	go func() {
		defer close(saverDone)
		b.saveOffsets(saverStop, tr)
	}()

	d := newDispatcher(b, tr)
	b.replayInbox(ctx, tr, d)
	err := b.poll(ctx, tr, d)

	d.stop(b.cfg.ShutdownGrace)
	b.out.close(b.cfg.FlushTimeout)
	close(saverStop)
	<-saverDone
	return err
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
