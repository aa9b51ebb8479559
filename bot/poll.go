package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// allowedUpdates is all the bot reads; Telegram drops the rest for us.
var allowedUpdates = []string{"message", "callback_query"}

// poll is the long-poll loop (telegram.md G2, G4, G5): getUpdates from the
// offset after the last update received — confirming everything before it
// — hand each update to its chat's worker without waiting, repeat. It
// returns nil when ctx ends and an error when Telegram rejects the token.
func (b *Bot) poll(ctx context.Context, tr *tracker, d *dispatcher) error {
	offset := tr.nextOffset()
	timeout := max(1, int((b.cfg.PollTimeout+time.Second-1)/time.Second))
	failures := 0
	for ctx.Err() == nil {
		updates, err := b.api(ctx, b.pollHC).GetUpdates(tgbotapi.UpdateConfig{
			Offset:         offset,
			Limit:          100,
			Timeout:        timeout,
			AllowedUpdates: allowedUpdates,
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			err = b.redact.error(err)
			failures++
			wait := backoff(b.cfg.RetryBase, b.cfg.RetryMax, failures)
			switch v := classify(err); v.outcome {
			case outUnauthorized:
				return fmt.Errorf("bot: getUpdates: telegram rejected the token: %w", err)
			case outFlood:
				wait = v.retryAfter
				b.log.Warn("getUpdates: flood wait", "retry_after", wait)
			case outConflict:
				b.log.Error("getUpdates: conflict: another instance is polling or a webhook is set", "err", err, "retry_in", wait)
			default:
				b.log.Warn("getUpdates failed", "err", err, "retry_in", wait)
			}
			if sleep(ctx, wait) != nil {
				return nil
			}
			continue
		}
		if f := b.cfg.OnUpdates; f != nil && len(updates) > 0 {
			f(len(updates))
		}
		if err := b.keep(ctx, updates); err != nil {
			// Not kept, not confirmed: the same offset asks for them again.
			if ctx.Err() != nil {
				return nil
			}
			failures++
			wait := backoff(b.cfg.RetryBase, b.cfg.RetryMax, failures)
			b.log.Error("saving received updates; asking telegram again", "err", err, "retry_in", wait)
			if sleep(ctx, wait) != nil {
				return nil
			}
			continue
		}
		failures = 0
		for _, u := range updates {
			if u.UpdateID < offset {
				// Telegram returns only updates we have not confirmed:
				// a lower id means it restarted its ids, as it may
				// after a week without updates (telegram.md T17).
				// Skipping it would skip every update from now on.
				b.log.Warn("telegram restarted its update ids", "update_id", u.UpdateID, "offset", offset)
				tr.restart(u.UpdateID)
			}
			offset = u.UpdateID + 1
			tr.received(u.UpdateID)
			d.dispatch(u)
		}
	}
	return nil
}

// keep saves a batch of updates in the inbox before the next getUpdates
// confirms them to Telegram.
func (b *Bot) keep(ctx context.Context, updates []tgbotapi.Update) error {
	if b.cfg.Inbox == nil || len(updates) == 0 {
		return nil
	}
	batch := make(map[int][]byte, len(updates))
	for _, u := range updates {
		raw, err := json.Marshal(u)
		if err != nil {
			return fmt.Errorf("encoding update %d: %w", u.UpdateID, err)
		}
		batch[u.UpdateID] = raw
	}
	return b.cfg.Inbox.SaveUpdates(ctx, batch)
}

// replayInbox hands the workers what the inbox still holds — updates
// received before a crash and maybe never applied — in id order, before
// polling for new ones. flows ignores any it had applied already.
func (b *Bot) replayInbox(ctx context.Context, tr *tracker, d *dispatcher) {
	if b.cfg.Inbox == nil {
		return
	}
	saved, err := b.cfg.Inbox.PendingUpdates(ctx)
	if err != nil {
		b.log.Error("reading the inbox; its updates wait for the next start", "err", err)
		return
	}
	ids := make([]int, 0, len(saved))
	for id := range saved {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		var u tgbotapi.Update
		if err := json.Unmarshal(saved[id], &u); err != nil || u.UpdateID != id {
			b.log.Error("dropping an unreadable saved update", "update_id", id, "err", err)
			continue
		}
		tr.received(id)
		d.dispatch(u)
	}
	if len(ids) > 0 {
		b.log.Info("replaying updates saved before the last stop", "count", len(ids))
	}
}
