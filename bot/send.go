package bot

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"topupbot/flows"
)

// errStopped is returned for messages queued after the bot stopped.
var errStopped = errors.New("bot stopped")

// sender is the one outbound queue (telegram.md G1). Each chat has a FIFO
// of jobs and, while it has any, one goroutine sending them in order. A job
// takes its chat's token (1/s for a person, 20/min for a group), then a
// global one (30/s): a chat held back by its own limit or a flood wait
// never holds up another chat, and all chats together stay under the global
// rate.
type sender struct {
	call func(ctx context.Context, chatID int64, p part) (int, error)
	cfg  Config
	log  *slog.Logger

	global *rate.Limiter
	// ctx ends the queue's calls and waits; close cancels it after the
	// flush.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	chats  map[int64]*chatQueue
	closed bool
	// globalUntil pauses every chat after a flood wait that was not one
	// chat's.
	globalUntil time.Time
	// lastFlood is the latest 429: another chat's flood wait while it is
	// still running means the limit hit is the bot's, not a chat's.
	lastFlood struct {
		chatID int64
		until  time.Time
	}
	lastSweep time.Time
}

type chatQueue struct {
	jobs    []*job
	running bool
	lim     *rate.Limiter
	until   time.Time // flood wait of this chat
}

func newSender(b *Bot, cfg Config, log *slog.Logger) *sender {
	ctx, cancel := context.WithCancel(context.Background())
	return &sender{
		call:   b.call,
		cfg:    cfg,
		log:    log,
		global: rate.NewLimiter(cfg.GlobalRate, cfg.GlobalBurst),
		ctx:    ctx,
		cancel: cancel,
		chats:  map[int64]*chatQueue{},
	}
}

// queue returns chatID's state, creating it. s.mu must be held.
func (s *sender) queue(chatID int64) *chatQueue {
	q := s.chats[chatID]
	if q == nil {
		lim := rate.NewLimiter(s.cfg.ChatRate, s.cfg.ChatBurst)
		if chatID < 0 {
			lim = rate.NewLimiter(s.cfg.GroupRate, s.cfg.GroupBurst)
		}
		q = &chatQueue{lim: lim}
		s.chats[chatID] = q
	}
	return q
}

// enqueue adds j to its chat's queue without waiting.
func (s *sender) enqueue(j *job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errStopped
	}
	q := s.queue(j.chatID)
	q.jobs = append(q.jobs, j)
	if !q.running {
		q.running = true
		s.wg.Add(1)
		go s.drain(j.chatID)
	}
	s.sweep()
	return nil
}

// sweep forgets idle chats whose limiter is full again, at most once a
// minute: keeping a chat's limiter while it refills is what stops a chat
// from getting a fresh burst each time its queue empties. s.mu must be held.
func (s *sender) sweep() {
	now := time.Now()
	if now.Sub(s.lastSweep) < time.Minute {
		return
	}
	s.lastSweep = now
	for id, q := range s.chats {
		if !q.running && len(q.jobs) == 0 && now.After(q.until) && q.lim.TokensAt(now) >= float64(q.lim.Burst()) {
			delete(s.chats, id)
		}
	}
}

// drain sends chatID's jobs in order and exits when its queue is empty.
func (s *sender) drain(chatID int64) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		q := s.chats[chatID]
		if len(q.jobs) == 0 {
			q.running = false
			s.mu.Unlock()
			return
		}
		j := q.jobs[0]
		q.jobs[0] = nil
		q.jobs = q.jobs[1:]
		s.mu.Unlock()

		err := s.process(j)
		if err != nil && !j.deliver { // Deliver's caller logs its own failures
			var de *flows.DeliveryError
			if errors.As(err, &de) && de.Permanent {
				s.log.Warn("reply refused for good", append(j.attrs, "err", err)...)
			} else {
				s.log.Error("reply not sent", append(j.attrs, "err", err)...)
			}
		}
		j.finish(err)
	}
}

// process sends j's parts, from the first not yet accepted, and says how it
// ended. Flood waits, 5xx and network errors are retried within the job's
// attempts; a Deliver job has fewer and returns at a flood wait, leaving the
// rest to the outbox.
func (s *sender) process(j *job) error {
	ctx, cancel := s.jobContext(j)
	defer cancel()
	maxAttempts := s.cfg.SendAttempts
	if j.deliver {
		maxAttempts = s.cfg.DeliverAttempts
	}
	attempts, migrations := 0, 0
	for j.next < len(j.parts) {
		if err := s.wait(ctx, j.chatID); err != nil {
			return err
		}
		p := &j.parts[j.next]
		id, err := s.call(ctx, j.chatID, *p)
		v := classify(err)
		if s.cfg.OnSend != nil {
			s.cfg.OnSend(v.outcome.sendOutcome())
		}
		switch v.outcome {
		case outOK:
			if p.sent != nil && id != 0 {
				// Off the chat's queue: the hook writes to the database,
				// and a slow write or a panic must not hold up or end the
				// sender.
				go func(sent func(int), id int, attrs []any) {
					defer func() {
						if r := recover(); r != nil {
							s.log.Error("reply's sent hook panicked", append(attrs, "panic", r)...)
						}
					}()
					sent(id)
				}(p.sent, id, slices.Clone(j.attrs))
			}
			j.next++
			attempts = 0
			continue
		case outEditGone:
			if j.deliver {
				return &flows.DeliveryError{Permanent: true, Err: err}
			}
			p.editID = 0 // the menu is gone or too old: send a new one
			continue
		case outBadHTML:
			if p.plain {
				return err
			}
			s.log.Error("telegram could not parse our HTML; sending plain text", append(j.attrs, "err", err)...)
			p.text, p.plain = plainText(p.text), true
			continue
		case outMigrated:
			if j.deliver {
				return &flows.DeliveryError{MigrateTo: v.migrateTo, Err: err}
			}
			if migrations++; migrations > 2 {
				return err
			}
			s.log.Info("chat became a supergroup; sending there", append(j.attrs, "new_chat_id", v.migrateTo)...)
			j.chatID = v.migrateTo
			for i := j.next; i < len(j.parts); i++ {
				j.parts[i].editID = 0 // message ids do not carry over
			}
			continue
		case outGone:
			return &flows.DeliveryError{Permanent: true, Err: err}
		case outFlood:
			s.pause(j.chatID, v.retryAfter)
			if j.deliver {
				// The outbox reschedules it after the wait; the chat's
				// pause holds back whatever is queued behind it.
				return &flows.DeliveryError{RetryAfter: v.retryAfter, Err: err}
			}
			if attempts++; attempts >= maxAttempts {
				return err
			}
			continue // wait honours the pause
		case outTransient:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			attempts++
			if attempts >= maxAttempts {
				return err
			}
			if err := sleep(ctx, backoff(s.cfg.RetryBase, s.cfg.RetryMax, attempts)); err != nil {
				return err
			}
			continue
		}
		// 401, other 4xx: the same request would fail the same way.
		return err
	}
	return nil
}

// jobContext is the queue's context, also ended by Deliver's.
func (s *sender) jobContext(j *job) (context.Context, context.CancelFunc) {
	if j.ctx == nil {
		return s.ctx, func() {}
	}
	ctx, cancel := context.WithCancel(j.ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// wait blocks until chatID may send: its flood wait and the global one are
// over and both token buckets gave a token.
func (s *sender) wait(ctx context.Context, chatID int64) error {
	for {
		s.mu.Lock()
		q := s.queue(chatID)
		until := later(q.until, s.globalUntil)
		s.mu.Unlock()
		if d := time.Until(until); d > 0 {
			if err := sleep(ctx, d); err != nil {
				return err
			}
			continue
		}
		// The chat's token is taken with the global one, just before the
		// call: taken first, while the global one was still seconds away,
		// it would be counted from a moment Telegram never saw, and the
		// chat would get a fresh burst on top of what Telegram counts.
		if err := awaitToken(ctx, q.lim); err != nil {
			return err
		}
		if err := s.global.Wait(ctx); err != nil {
			return err
		}
		// This chat's goroutine is the only one taking its tokens: the one
		// awaited is still there.
		q.lim.ReserveN(time.Now(), 1)
		// A 429 may have come in while we waited for the tokens.
		s.mu.Lock()
		until = later(q.until, s.globalUntil)
		s.mu.Unlock()
		if !time.Now().Before(until) {
			return nil
		}
	}
}

// awaitToken waits until l has a token, without taking it.
func awaitToken(ctx context.Context, l *rate.Limiter) error {
	for {
		tokens := l.TokensAt(time.Now())
		if tokens >= 1 || l.Limit() == rate.Inf {
			return nil
		}
		if l.Limit() <= 0 {
			return errors.New("send limit is zero")
		}
		d := time.Duration((1 - tokens) / float64(l.Limit()) * float64(time.Second))
		if err := sleep(ctx, max(d, time.Millisecond)); err != nil {
			return err
		}
	}
}

// pause holds chatID for Telegram's flood wait d; everything when another
// chat is in a flood wait too.
func (s *sender) pause(chatID int64, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	until := now.Add(d)
	q := s.queue(chatID)
	q.until = later(q.until, until)
	if s.lastFlood.chatID != chatID && s.lastFlood.until.After(now) {
		s.globalUntil = later(s.globalUntil, until)
		s.log.Warn("flood wait on several chats; pausing all sends", "retry_after", d)
	}
	s.lastFlood.chatID, s.lastFlood.until = chatID, until
}

// close stops taking jobs, lets the queued ones go out for up to bound,
// then cancels what is left and waits for the chat goroutines to end.
func (s *sender) close(bound time.Duration) {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(bound)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		s.log.Warn("outbound queue not flushed in time; dropping the rest")
	}
	s.cancel()
	<-done
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
