package bot

import (
	"errors"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// outcome is what an answer of the Bot API means for the call that got it.
type outcome int

// SendOutcome is what a send did, for Config.OnSend.
type SendOutcome string

// Send outcomes.
const (
	SendOK     SendOutcome = "ok"
	SendFlood  SendOutcome = "flood" // a 429
	SendFailed SendOutcome = "failed"
)

func (o outcome) sendOutcome() SendOutcome {
	switch o {
	case outOK:
		return SendOK
	case outFlood:
		return SendFlood
	}
	return SendFailed
}

const (
	// outOK: accepted, including "message is not modified" (an identical
	// edit changes nothing, which is what we wanted).
	outOK outcome = iota
	// outFlood: 429, wait retry_after and try again.
	outFlood
	// outTransient: 5xx, a network error or an unreadable answer; retry
	// with backoff.
	outTransient
	// outMigrated: the group became a supergroup; send to migrateTo.
	outMigrated
	// outEditGone: the message to edit is gone or too old to edit.
	outEditGone
	// outBadHTML: Telegram could not parse our HTML.
	outBadHTML
	// outGone: refused for good — the user blocked the bot, the chat is
	// gone, the bot was kicked.
	outGone
	// outRejected: any other 4xx; the same request will fail again.
	outRejected
	// outConflict: 409, another instance polls or a webhook is set.
	outConflict
	// outUnauthorized: 401, the token is wrong or was revoked.
	outUnauthorized
	// outTooOld: an answerCallbackQuery came too late; nothing to do.
	outTooOld
)

// verdict is a classified answer.
type verdict struct {
	outcome    outcome
	retryAfter time.Duration
	migrateTo  int64
}

// classify reads an error returned by tgbotapi. tgbotapi does not classify
// Telegram's errors (telegram.md G10), so we match the error code and the
// documented descriptions.
func classify(err error) verdict {
	if err == nil {
		return verdict{outcome: outOK}
	}
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		return verdict{outcome: outTransient}
	}
	desc := strings.ToLower(te.Message)
	switch {
	case te.MigrateToChatID != 0:
		return verdict{outcome: outMigrated, migrateTo: te.MigrateToChatID}
	case te.Code == 429:
		return verdict{outcome: outFlood, retryAfter: retryAfter(te)}
	case te.Code == 401:
		return verdict{outcome: outUnauthorized}
	case te.Code == 409:
		return verdict{outcome: outConflict}
	case te.Code == 403:
		return verdict{outcome: outGone}
	case te.Code >= 500 || te.Code == 0:
		// Code 0: an answer without error_code is not one Telegram
		// gives; whatever sent it may answer properly next time.
		return verdict{outcome: outTransient}
	case strings.Contains(desc, "message is not modified"):
		return verdict{outcome: outOK}
	case strings.Contains(desc, "message to edit not found"),
		strings.Contains(desc, "message can't be edited"),
		strings.Contains(desc, "message_id_invalid"),
		// A text edit of a photo, or a caption edit of a text: the message
		// is not the kind the edit was for, and never will be.
		strings.Contains(desc, "there is no text in the message to edit"),
		strings.Contains(desc, "there is no caption in the message to edit"):
		return verdict{outcome: outEditGone}
	case strings.Contains(desc, "query is too old"),
		strings.Contains(desc, "query id is invalid"):
		return verdict{outcome: outTooOld}
	case strings.Contains(desc, "can't parse entities"):
		return verdict{outcome: outBadHTML}
	case strings.Contains(desc, "chat not found"),
		strings.Contains(desc, "peer_id_invalid"),
		strings.Contains(desc, "bot was blocked"),
		strings.Contains(desc, "bot was kicked"),
		strings.Contains(desc, "user is deactivated"):
		return verdict{outcome: outGone}
	}
	return verdict{outcome: outRejected}
}

// retryAfter is the flood wait of a 429: the parameter, or the number in
// "Too Many Requests: retry after N", or one second.
func retryAfter(te *tgbotapi.Error) time.Duration {
	if te.RetryAfter > 0 {
		return time.Duration(te.RetryAfter) * time.Second
	}
	if _, n, ok := strings.Cut(strings.ToLower(te.Message), "retry after "); ok {
		if s, err := strconv.Atoi(strings.TrimSpace(n)); err == nil && s > 0 {
			return time.Duration(s) * time.Second
		}
	}
	return time.Second
}

// backoff is base doubled attempt-1 times, capped at limit.
func backoff(base, limit time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}
