package bot

import (
	"context"
	"sync"
	"time"
)

// tracker knows which received updates are applied. Its watermark is the
// offset we save: one past the highest update id below which every update
// has been applied. Polling goes on past updates still in the workers — and
// Telegram forgets them then — so the watermark may lag the poll offset;
// after a crash the updates not yet applied come back from the inbox (see
// Inbox), and flows ignores any it had applied.
type tracker struct {
	mu      sync.Mutex
	next    int // one past the highest update id received
	pending map[int]struct{}
	changed chan struct{}
}

func newTracker(start int) *tracker {
	return &tracker{next: start, pending: map[int]struct{}{}, changed: make(chan struct{}, 1)}
}

// received records an update handed to a worker (or about to be dropped).
func (t *tracker) received(id int) {
	t.mu.Lock()
	t.pending[id] = struct{}{}
	t.next = max(t.next, id+1)
	t.mu.Unlock()
}

// restart follows Telegram's update ids starting again below the ones we
// saw: the watermark follows the new sequence.
func (t *tracker) restart(id int) {
	t.mu.Lock()
	t.next = id
	t.mu.Unlock()
}

// applied records an update handled, or dropped as not for us.
func (t *tracker) applied(id int) {
	t.mu.Lock()
	delete(t.pending, id)
	t.mu.Unlock()
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

// nextOffset is one past the highest update id received: where polling
// goes on from.
func (t *tracker) nextOffset() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.next
}

func (t *tracker) watermark() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.next
	for id := range t.pending {
		w = min(w, id)
	}
	return w
}

// startOffset is the saved offset, unless it is older than OffsetMaxAge:
// Telegram has dropped what was below it, and after a week of silence it
// may restart update ids lower than the saved offset, which would make us
// skip every new update.
func (b *Bot) startOffset(ctx context.Context) int {
	if b.cfg.Offsets == nil {
		return 0
	}
	off, savedAt, err := b.cfg.Offsets.TelegramOffset(ctx)
	switch {
	case err != nil:
		// Starting from what Telegram holds is safe: flows ignores
		// updates it has applied.
		b.log.Error("reading the saved offset; starting from telegram's", "err", err)
		return 0
	case off == 0:
		return 0
	case b.cfg.Now().Sub(savedAt) > b.cfg.OffsetMaxAge:
		b.log.Info("discarding a stale offset", "offset", off, "saved_at", savedAt)
		return 0
	}
	return off
}

// saveOffsets saves the watermark when it moves, at most once per
// SaveEvery, and a last time when stop is closed.
func (b *Bot) saveOffsets(stop <-chan struct{}, tr *tracker) {
	if b.cfg.Offsets == nil {
		<-stop
		return
	}
	saved := tr.watermark()
	save := func() {
		w := tr.watermark()
		if w == saved {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := b.cfg.Offsets.SaveTelegramOffset(ctx, w); err != nil {
			b.log.Error("saving the offset", "offset", w, "err", err)
			return
		}
		if b.cfg.Inbox != nil {
			// Everything below the watermark is applied.
			if err := b.cfg.Inbox.DropUpdatesBelow(ctx, w); err != nil {
				b.log.Error("clearing applied updates from the inbox", "below", w, "err", err)
			}
		}
		saved = w
	}
	pace := time.NewTimer(b.cfg.SaveEvery)
	pace.Stop()
	defer pace.Stop()
	for {
		select {
		case <-stop:
			save()
			return
		case <-tr.changed:
		}
		save()
		pace.Reset(b.cfg.SaveEvery)
		select {
		case <-stop:
			save()
			return
		case <-pace.C:
		}
	}
}
