package flows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Notifier delivers one notification to Telegram. The bot implements it; a
// nil error means Telegram accepted the message.
type Notifier interface {
	Deliver(ctx context.Context, n Notification) error
	// Fits reports whether text goes out as one message. Only the transport
	// knows its limit and how it counts, so the drainer asks it before it
	// joins ops lines into one message.
	Fits(text string) bool
}

// DeliveryError says why a delivery failed and what to do about it. Any
// other error is retried with backoff.
type DeliveryError struct {
	// Permanent: Telegram refused for good (blocked by the user, chat not
	// found, message to edit gone). The notification is dropped.
	Permanent bool
	// RetryAfter is Telegram's flood wait (429), if any.
	RetryAfter time.Duration
	// MigrateTo is the supergroup a group chat became; the notification is
	// re-addressed and sent again at once.
	MigrateTo int64
	Err       error
}

func (e *DeliveryError) Error() string {
	switch {
	case e.MigrateTo != 0:
		return fmt.Sprintf("chat migrated to %d: %v", e.MigrateTo, e.Err)
	case e.Permanent:
		return fmt.Sprintf("refused for good: %v", e.Err)
	case e.RetryAfter > 0:
		return fmt.Sprintf("retry after %s: %v", e.RetryAfter, e.Err)
	}
	return fmt.Sprint(e.Err)
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// OutboxStore is the outbox as the drainer needs it.
type OutboxStore interface {
	// DueNotifications returns up to limit entries due at now, oldest
	// first, fairly per chat: every chat with something due has its oldest
	// due entry among them before any chat has a second, so one chat's
	// backlog never keeps another chat's message out of a round.
	DueNotifications(ctx context.Context, now time.Time, limit int) ([]Notification, error)
	AckNotification(ctx context.Context, id string) error
	RescheduleNotification(ctx context.Context, n Notification) error
}

// DrainerConfig tunes the outbox drainer. Zero values take the defaults.
type DrainerConfig struct {
	// Concurrency bounds deliveries in flight (default 16): a chat stalled by
	// its rate limit holds one slot, not the queue.
	Concurrency int
	// Idle is how often the outbox is read when nothing wakes the drainer
	// (default 1 s); entries waiting for a retry are found this way.
	Idle time.Duration
	// BackoffBase and BackoffMax shape retries of failed deliveries
	// (defaults 2 s and 5 min).
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// DrainGrace is how long deliveries in flight may finish after Run's
	// context ended (default 5 s).
	DrainGrace time.Duration
	// OnMigrate, if set, is told when the ops group became a supergroup so
	// the new id is stored.
	OnMigrate func(ctx context.Context, from, to int64) error
	Now       func() time.Time
	Logger    *slog.Logger
}

// Drainer delivers the outbox (DESIGN rule 10): at least once, an entry
// leaving only when Telegram accepted it or refused it for good, retried
// with backoff otherwise, surviving restarts because the outbox is in the
// store.
type Drainer struct {
	store    OutboxStore
	notifier Notifier
	cfg      DrainerConfig
	log      *slog.Logger
	wake     chan struct{}
}

// NewDrainer returns a drainer of store's outbox through notifier.
func NewDrainer(store OutboxStore, notifier Notifier, cfg DrainerConfig) *Drainer {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 16
	}
	if cfg.Idle <= 0 {
		cfg.Idle = time.Second
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = 2 * time.Second
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = 5 * time.Minute
	}
	if cfg.DrainGrace <= 0 {
		cfg.DrainGrace = 5 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Drainer{store: store, notifier: notifier, cfg: cfg, log: log.With("component", "outbox"), wake: make(chan struct{}, 1)}
}

// Wake tells the drainer new entries are queued. It never blocks.
func (d *Drainer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then waits for deliveries in flight. Each
// chat has at most one delivery in flight, so a chat held back by its rate
// limit or a slow answer never holds up another chat.
func (d *Drainer) Run(ctx context.Context) error {
	var (
		mu       sync.Mutex
		inflight = map[string]bool{}
		busyChat = map[int64]bool{}
		// finished holds the deliveries that ended while a read of the
		// outbox may have been under way, with that read's number: such a
		// read can still show the entry (its ack came after the snapshot),
		// and must not send it again.
		finished = map[string]uint64{}
		reads    uint64
		wg       sync.WaitGroup
	)
	defer wg.Wait()
	// Deliveries in flight when ctx ends get DrainGrace to finish: cut off
	// on the wire, one Telegram accepted would be sent again after a
	// restart. New ones stop at once.
	sending, stopSending := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSending()
	go func() {
		select {
		case <-ctx.Done():
		case <-sending.Done():
			return
		}
		t := time.NewTimer(d.cfg.DrainGrace)
		defer t.Stop()
		select {
		case <-t.C:
			stopSending()
		case <-sending.Done():
		}
	}()
	// taken reports an entry delivered or in flight; called with mu held.
	taken := func(n Notification) bool {
		_, ended := finished[n.ID]
		return ended || inflight[n.ID]
	}
	slots := make(chan struct{}, d.cfg.Concurrency)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		case <-timer.C:
		}
		mu.Lock()
		reads++
		read := reads
		for id, r := range finished {
			if r < read { // ended before this read began: the read sees it
				delete(finished, id)
			}
		}
		mu.Unlock()
		due, err := d.store.DueNotifications(ctx, d.cfg.Now(), drainScan)
		if err != nil && ctx.Err() == nil {
			d.log.Error("reading the outbox", "err", err)
		}
		// passed holds the chats this pass skipped an entry of because the
		// chat was busy. Its delivery may end while the pass goes on; the
		// chat's later entries must then still wait, or they would go out
		// before the one skipped.
		passed := map[int64]bool{}
	dispatch:
		for i, n := range due {
			mu.Lock()
			if taken(n) {
				mu.Unlock()
				continue
			}
			if busyChat[n.ChatID] || passed[n.ChatID] {
				passed[n.ChatID] = true
				mu.Unlock()
				continue
			}
			select {
			case slots <- struct{}{}:
			default:
				mu.Unlock()
				break dispatch // every slot busy: a finishing delivery wakes us
			}
			// The chat is idle and none of its entries was passed over, so
			// nothing of it is in flight or left behind: the lines gathered
			// are the ones due now that no delivery has ended.
			b := gather(due, i, taken, d.notifier.Fits)
			for _, m := range b {
				inflight[m.ID] = true
			}
			busyChat[n.ChatID] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.deliver(sending, b)
				mu.Lock()
				for _, m := range b {
					delete(inflight, m.ID)
					finished[m.ID] = reads
				}
				delete(busyChat, n.ChatID)
				<-slots
				mu.Unlock()
				d.Wake()
			}()
		}
		timer.Reset(d.cfg.Idle)
	}
}

// drainScan is how much of the outbox one pass reads. The store gives every
// chat its oldest due entry first, so a long backlog for one chat (an ops
// group that keeps refusing) does not hide other chats' entries; what is
// left of it fills ops batches.
const drainScan = 1000

// DrainOnce delivers what is due now, ops lines batched as Run batches
// them, and waits for it; for tests and tools. It returns how many
// notifications it handled.
func (d *Drainer) DrainOnce(ctx context.Context) (int, error) {
	due, err := d.store.DueNotifications(ctx, d.cfg.Now(), drainScan)
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	batched := map[string]bool{}
	taken := func(n Notification) bool { return batched[n.ID] }
	var batches []batch
	for i, n := range due {
		if batched[n.ID] {
			continue
		}
		b := gather(due, i, taken, d.notifier.Fits)
		for _, m := range b {
			batched[m.ID] = true
		}
		batches = append(batches, b)
	}
	// A chat's batches go one after another, in outbox order, as Run sends
	// them: an ops run split over several messages must arrive in order.
	var chats []int64
	perChat := map[int64][]batch{}
	for _, b := range batches {
		c := b[0].ChatID
		if _, ok := perChat[c]; !ok {
			chats = append(chats, c)
		}
		perChat[c] = append(perChat[c], b)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, d.cfg.Concurrency)
	for _, c := range chats {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			for _, b := range perChat[c] {
				d.deliver(ctx, b)
			}
		}()
	}
	wg.Wait()
	return len(due), nil
}

// batch is what one delivery sends: a notification, or several ops-group
// lines for one chat that go out as one message. The ops group may get
// only 20 messages a minute, and orders that settle together would
// otherwise queue behind each other for minutes.
type batch []Notification

// A line with buttons goes alone: the buttons belong to it.
func batchable(n Notification) bool { return n.ToOps && n.Kind == NotifySend && len(n.Buttons) == 0 }

// gather returns the batch that starts with due[i]. For an ops line it adds
// the same chat's later ops lines that are not taken (delivered or in
// flight), in outbox order, while the joined text fits one message (fits
// is the Notifier's); it stops at that chat's first entry that is not an
// ops line, so the chat still gets everything in order.
func gather(due []Notification, i int, taken func(Notification) bool, fits func(text string) bool) batch {
	first := due[i]
	b := batch{first}
	if !batchable(first) {
		return b
	}
	text := first.Text
	for _, n := range due[i+1:] {
		if n.ChatID != first.ChatID || taken(n) {
			continue
		}
		if !batchable(n) {
			break
		}
		joined := text + "\n" + n.Text // as message joins them
		if !fits(joined) {
			break
		}
		b, text = append(b, n), joined
	}
	return b
}

// message is the notification delivered for b: its first entry with every
// entry's text, one per line.
func (b batch) message() Notification {
	n := b[0]
	if len(b) > 1 {
		texts := make([]string, len(b))
		for i, m := range b {
			texts[i] = m.Text
		}
		n.Text = strings.Join(texts, "\n")
	}
	return n
}

// deliver sends b as one message and settles every entry of it the same
// way: acknowledged when Telegram accepted it or refused it for good,
// re-addressed after a migration, rescheduled otherwise.
func (d *Drainer) deliver(ctx context.Context, b batch) {
	n := b.message()
	attrs := []any{"id", n.ID, "chat_id", n.ChatID, "kind", string(n.Kind), "ref_id", n.RefID}
	if len(b) > 1 {
		attrs = append(attrs, "batch", len(b))
	}
	err := d.notifier.Deliver(ctx, n)
	if err == nil {
		for _, m := range b {
			if err := d.store.AckNotification(ctx, m.ID); err != nil {
				// Delivered but not acknowledged: it will go out again (the
				// one duplicate DESIGN rule 10 allows).
				d.log.Error("acknowledging a delivered notification", append(attrs, "acked_id", m.ID, "err", err)...)
			}
		}
		return
	}
	if ctx.Err() != nil {
		return // shutting down: it stays queued as it was
	}
	var de *DeliveryError
	errors.As(err, &de)
	switch {
	case de != nil && de.MigrateTo != 0:
		d.log.Info("chat became a supergroup; re-addressing", append(attrs, "new_chat_id", de.MigrateTo)...)
		if n.ToOps && d.cfg.OnMigrate != nil {
			if err := d.cfg.OnMigrate(ctx, n.ChatID, de.MigrateTo); err != nil {
				d.log.Error("storing the migrated ops chat", append(attrs, "err", err)...)
			}
		}
		for i := range b {
			b[i].ChatID = de.MigrateTo
			b[i].NotBefore = time.Time{}
		}
	case de != nil && de.Permanent:
		d.log.Warn("telegram refused a notification for good; dropping it", append(attrs, "err", err)...)
		for _, m := range b {
			if err := d.store.AckNotification(ctx, m.ID); err != nil {
				d.log.Error("dropping a refused notification", append(attrs, "acked_id", m.ID, "err", err)...)
			}
		}
		return
	default:
		// The entries wait together, so they go out together again.
		attempts := 0
		for _, m := range b {
			attempts = max(attempts, m.Attempts+1)
		}
		wait := d.backoff(attempts)
		if de != nil && de.RetryAfter > wait {
			wait = de.RetryAfter
		}
		at := d.cfg.Now().Add(wait)
		for i := range b {
			b[i].Attempts++
			b[i].NotBefore = at
		}
		d.log.Warn("delivery failed; will retry", append(attrs, "attempts", attempts, "retry_in", wait, "err", err)...)
	}
	for _, m := range b {
		if err := d.store.RescheduleNotification(ctx, m); err != nil {
			d.log.Error("rescheduling a notification", append(attrs, "rescheduled_id", m.ID, "err", err)...)
		}
	}
}

func (d *Drainer) backoff(attempts int) time.Duration {
	wait := d.cfg.BackoffBase
	for i := 1; i < attempts && wait < d.cfg.BackoffMax; i++ {
		wait *= 2
	}
	return min(wait, d.cfg.BackoffMax)
}
