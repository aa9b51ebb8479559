package bot

import (
	"context"
	"fmt"
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
	offset := tr.watermark()
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
