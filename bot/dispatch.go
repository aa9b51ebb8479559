package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/flows"
)

// dispatcher runs one worker goroutine per chat with inputs waiting. A
// chat's inputs are handled in update order; chats never wait for each
// other; the poll loop never waits for any of them (the queues are
// unbounded: a person types slower than we handle).
type dispatcher struct {
	b  *Bot
	tr *tracker
	// ctx is the workers' context. It outlives Run's context by
	// ShutdownGrace so that queued updates are still handled.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	chats   map[int64][]queued
	workers sync.WaitGroup
	answers sync.WaitGroup
}

// queued is an input waiting for its chat's worker; answered is closed when
// its callback query was answered (or at once for messages). received is
// set only for Config.OnReplyQueued.
type queued struct {
	in       flows.Input
	answered <-chan struct{}
	received time.Time
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func newDispatcher(b *Bot, tr *tracker) *dispatcher {
	ctx, cancel := context.WithCancel(context.Background())
	return &dispatcher{b: b, tr: tr, ctx: ctx, cancel: cancel, chats: map[int64][]queued{}}
}

// dispatch hands u to its chat's worker without waiting. A callback query is
// answered at once, outside the send queue and even while the chat's
// worker is busy: the client shows a spinner until then and may re-send an
// unanswered query (telegram.md T10).
func (d *dispatcher) dispatch(u tgbotapi.Update) {
	var received time.Time
	if d.b.cfg.OnReplyQueued != nil {
		received = time.Now()
	}
	answered := (<-chan struct{})(closedChan)
	if q := u.CallbackQuery; q != nil {
		answered = d.answer(u.UpdateID, q.ID)
	}
	in, ok := decodeUpdate(u, d.b.Username())
	if !ok {
		d.tr.applied(u.UpdateID)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	_, busy := d.chats[in.ChatID]
	d.chats[in.ChatID] = append(d.chats[in.ChatID], queued{in: in, answered: answered, received: received})
	if !busy {
		d.workers.Add(1)
		go d.work(in.ChatID)
	}
}

// answer answers a callback query in the background and returns a channel
// closed when done.
func (d *dispatcher) answer(updateID int, queryID string) <-chan struct{} {
	done := make(chan struct{})
	d.answers.Add(1)
	go func() {
		defer d.answers.Done()
		defer close(done)
		// An answer later than about 15 s is refused as too old anyway.
		ctx, cancel := context.WithTimeout(d.ctx, min(d.b.cfg.RequestTimeout, 15*time.Second))
		defer cancel()
		_, err := d.b.api(ctx, d.b.sendHC).Request(tgbotapi.NewCallback(queryID, ""))
		switch v := classify(err); v.outcome {
		case outOK, outTooOld:
		default:
			d.b.log.Warn("answering a callback query", "update_id", updateID, "err", d.b.redact.error(err))
		}
	}()
	return done
}

// work handles chatID's inputs in order and exits when there are none left,
// or when the grace after shutdown is over.
func (d *dispatcher) work(chatID int64) {
	defer d.workers.Done()
	for {
		d.mu.Lock()
		q := d.chats[chatID]
		if len(q) == 0 || d.ctx.Err() != nil {
			delete(d.chats, chatID)
			d.mu.Unlock()
			return
		}
		next := q[0]
		q[0] = queued{}
		d.chats[chatID] = q[1:]
		d.mu.Unlock()

		d.awaitAnswer(next.answered)
		d.handle(next.in, next.received)
		// An update cut short by the shutdown is not applied: the saved
		// offset stays below it.
		if d.ctx.Err() == nil {
			d.tr.applied(next.in.UpdateID)
		}
	}
}

// answerWait bounds how long a tap waits for its callback query's answer
// before it is handled: the answer comes first when Telegram answers
// promptly, and a slow answer does not hold up the chat.
const answerWait = 3 * time.Second

func (d *dispatcher) awaitAnswer(answered <-chan struct{}) {
	select {
	case <-answered:
		return
	default:
	}
	t := time.NewTimer(answerWait)
	defer t.Stop()
	select {
	case <-answered:
	case <-t.C:
	case <-d.ctx.Done():
	}
}

// handle runs the handler on one input under UpdateDeadline and queues its
// replies. When the output has a Then, it first waits (at most ThenWait) for
// the replies to be accepted, so the "processing" message is on screen
// before the order is placed.
func (d *dispatcher) handle(in flows.Input, received time.Time) {
	ctx, cancel := context.WithTimeout(d.ctx, d.b.cfg.UpdateDeadline)
	defer cancel()
	attrs := []any{"chat_id", in.ChatID, "update_id", in.UpdateID}

	var out flows.Output
	err := protect(func() error {
		var err error
		out, err = d.b.cfg.Handler.Handle(ctx, in)
		return err
	})
	if err != nil {
		// flows puts its apology in the output; the details go here.
		d.b.log.Error("handling an update", append(attrs, "err", err)...)
	}
	jobs := d.b.queueReplies(in, out.Replies, attrs)
	if f := d.b.cfg.OnReplyQueued; f != nil {
		f(in.UpdateID, received)
	}
	if out.Then == nil {
		return
	}
	waitJobs(ctx, jobs, d.b.cfg.ThenWait)
	var more []flows.Reply
	err = protect(func() error {
		more = out.Then(ctx)
		return nil
	})
	if err != nil {
		d.b.log.Error("running an output's Then", append(attrs, "err", err)...)
	}
	d.b.queueReplies(in, more, attrs)
}

// stop waits up to grace for the workers to handle what is queued, then
// cancels their context and waits a little more for handlers to notice.
// Workers that still do not return are left behind with a log line: Run
// must return.
func (d *dispatcher) stop(grace time.Duration) {
	done := make(chan struct{})
	go func() {
		d.workers.Wait()
		d.answers.Wait()
		close(done)
	}()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
		d.cancel()
		return
	case <-t.C:
	}
	d.cancel()
	t.Reset(min(grace, 5*time.Second))
	select {
	case <-done:
	case <-t.C:
		d.b.log.Error("workers did not stop after their context ended")
	}
}

// protect runs f, turning a panic into an error: one bad update must not end
// the process.
func protect(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return f()
}
