package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/bot/internal/tglimit"
	"topupbot/flows"
)

// job is one Reply or Notification on its way to Telegram: one call per
// part, a long text being several messages.
type job struct {
	// ctx is Deliver's context; nil for a reply, which lives as long as the
	// queue does.
	ctx    context.Context
	chatID int64
	parts  []part
	next   int // the first part not yet accepted
	// deliver: a Deliver job gives up sooner and reports a DeliveryError;
	// the outbox retries it.
	deliver bool
	attrs   []any // for the log: update_id or ref_id

	done chan struct{}
	err  error // set before done is closed
}

// part is one call: a new message, or an edit of editID.
type part struct {
	text   string
	markup *tgbotapi.InlineKeyboardMarkup
	editID int
	// plain sends text without parse mode, after Telegram could not parse
	// our HTML: the customer gets the SN unformatted rather than not at all.
	plain bool
	// photo, when set, is a PNG sent as a new photo message with text as
	// its caption; caption makes the edit of editID an edit of a photo's
	// caption. sent, when set, is told the new message's id.
	photo   []byte
	caption bool
	sent    func(messageID int)
}

func (j *job) finish(err error) {
	j.err = err
	close(j.done)
}

// errEmpty: Telegram refuses an empty text.
var errEmpty = errors.New("empty text")

// newJob splits text into parts; the first part edits editID when it is not
// zero, the keyboard goes on the last part.
func newJob(chatID int64, editID int, text string, markup *tgbotapi.InlineKeyboardMarkup) (*job, error) {
	if strings.TrimSpace(plainText(text)) == "" {
		return nil, errEmpty
	}
	texts := splitText(text, MaxText)
	j := &job{chatID: chatID, done: make(chan struct{})}
	for i, t := range texts {
		p := part{text: t}
		if i == 0 {
			p.editID = editID
		}
		if i == len(texts)-1 {
			p.markup = markup
		}
		j.parts = append(j.parts, p)
	}
	return j, nil
}

// replyJob is the job of a reply to an input. An edit without a message to
// edit (the input was typed, not tapped) is sent as a new message.
func replyJob(in flows.Input, r flows.Reply) (*job, error) {
	markup, err := keyboard(r.Buttons)
	if err != nil {
		return nil, err
	}
	editID := 0
	if r.Edit {
		editID = in.MessageID
	}
	if r.QR != "" {
		j, err := qrJob(in.ChatID, r.QR, r.Text, markup)
		if err == nil && r.Sent != nil {
			j.parts[0].sent = r.Sent
		}
		return j, err
	}
	return newJob(in.ChatID, editID, r.Text, markup)
}

// notificationJob is the job of an outbox notification. An edit notification
// has no keyboard: the edited message loses the one it had.
func notificationJob(n flows.Notification) (*job, error) {
	editID := 0
	if n.Kind == flows.NotifyEdit {
		if n.MessageID == 0 {
			return nil, &flows.DeliveryError{Permanent: true, Err: errors.New("bot: edit without a message id")}
		}
		editID = n.MessageID
	}
	var markup *tgbotapi.InlineKeyboardMarkup
	if editID == 0 {
		var err error
		if markup, err = keyboard(n.Buttons); err != nil {
			// Retrying cannot fix a button flows built wrong.
			return nil, &flows.DeliveryError{Permanent: true, Err: fmt.Errorf("bot: %w", err)}
		}
	}
	if n.Caption && editID != 0 {
		if tglimit.Len(plainText(n.Text)) > tglimit.Caption {
			return nil, &flows.DeliveryError{Permanent: true, Err: errors.New("bot: caption over Telegram's limit")}
		}
		return &job{chatID: n.ChatID, done: make(chan struct{}), parts: []part{{text: n.Text, editID: editID, caption: true}}}, nil
	}
	if n.QR != "" && editID == 0 {
		// An eSIM's activation code: its QR as a photo, the receipt as the
		// caption (or after it, when too long for one).
		j, err := qrJob(n.ChatID, n.QR, n.Text, markup)
		if err != nil {
			return nil, &flows.DeliveryError{Permanent: true, Err: fmt.Errorf("bot: %w", err)}
		}
		return j, nil
	}
	j, err := newJob(n.ChatID, editID, n.Text, markup)
	if err != nil {
		return nil, &flows.DeliveryError{Permanent: true, Err: fmt.Errorf("bot: %w", err)}
	}
	return j, nil
}

// keyboard builds the inline keyboard of rows; nil when there are no
// buttons. A button whose data cannot be encoded fails the whole reply: a
// keyboard with a button silently missing or cut would mislead.
func keyboard(rows [][]flows.Button) (*tgbotapi.InlineKeyboardMarkup, error) {
	var kb [][]tgbotapi.InlineKeyboardButton
	for _, row := range rows {
		var r []tgbotapi.InlineKeyboardButton
		for _, btn := range row {
			data, err := EncodeButton(btn.Data)
			if err != nil {
				return nil, fmt.Errorf("button %q: %w", btn.Label, err)
			}
			r = append(r, tgbotapi.NewInlineKeyboardButtonData(btn.Label, data))
		}
		if len(r) > 0 {
			kb = append(kb, r)
		}
	}
	if len(kb) == 0 {
		return nil, nil
	}
	return &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: kb}, nil
}

// queueReplies queues the replies to in, in order, and returns their jobs.
// A reply that cannot be built is a bug in flows: it is logged and skipped.
func (b *Bot) queueReplies(in flows.Input, replies []flows.Reply, attrs []any) []*job {
	var jobs []*job
	for _, r := range replies {
		j, err := replyJob(in, r)
		if err != nil {
			b.log.Error("refusing to send a reply", append(attrs, "err", err)...)
			continue
		}
		j.attrs = slices.Clip(attrs) // appended to by the sender's log lines
		if err := b.out.enqueue(j); err != nil {
			b.log.Error("queueing a reply", append(attrs, "err", err)...)
			continue
		}
		jobs = append(jobs, j)
	}
	return jobs
}

// waitJobs waits until every job is finished, at most bound.
func waitJobs(ctx context.Context, jobs []*job, bound time.Duration) {
	t := time.NewTimer(bound)
	defer t.Stop()
	for _, j := range jobs {
		select {
		case <-j.done:
		case <-t.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// Fits reports whether text goes out as one Telegram message: the outbox
// joins ops lines only while they do.
func (b *Bot) Fits(text string) bool { return Fits(text) }

// Deliver sends one outbox notification through the outbound queue and
// waits for Telegram's verdict: nil when accepted (or when an edit changed
// nothing), a *flows.DeliveryError when refused for good or when the chat
// moved to a supergroup, another error (with RetryAfter under a flood wait)
// for the outbox to retry later.
func (b *Bot) Deliver(ctx context.Context, n flows.Notification) error {
	j, err := notificationJob(n)
	if err != nil {
		return err
	}
	j.ctx, j.deliver = ctx, true
	j.attrs = []any{"chat_id", n.ChatID, "ref_id", n.RefID}
	if err := b.out.enqueue(j); err != nil {
		return fmt.Errorf("bot: deliver: %w", err)
	}
	select {
	case <-j.done:
	case <-ctx.Done():
		return fmt.Errorf("bot: deliver: %w", ctx.Err())
	}
	if j.err == nil {
		return nil
	}
	var de *flows.DeliveryError
	if errors.As(j.err, &de) {
		cp := *de
		cp.Err = b.redact.error(fmt.Errorf("bot: deliver: %w", de.Err))
		return &cp
	}
	return b.redact.error(fmt.Errorf("bot: deliver: %w", j.err))
}

// call makes the Bot API call of one part and returns the id of the
// message it sent (0 for an edit).
func (b *Bot) call(ctx context.Context, chatID int64, p part) (int, error) {
	mode := tgbotapi.ModeHTML
	if p.plain {
		mode = ""
	}
	var c tgbotapi.Chattable
	if p.photo != nil {
		ph := tgbotapi.NewPhoto(chatID, tgbotapi.FileBytes{Name: "qr.png", Bytes: p.photo})
		ph.Caption, ph.ParseMode = p.text, mode
		if p.markup != nil {
			ph.ReplyMarkup = p.markup
		}
		m, err := b.api(ctx, b.sendHC).Send(ph)
		return m.MessageID, err
	}
	if p.caption {
		e := tgbotapi.NewEditMessageCaption(chatID, p.editID, p.text)
		e.ParseMode = mode
		_, err := b.api(ctx, b.sendHC).Request(e)
		return 0, err
	}
	if p.editID != 0 {
		e := tgbotapi.NewEditMessageText(chatID, p.editID, p.text)
		e.ParseMode = mode
		e.ReplyMarkup = p.markup
		c = e
	} else {
		m := tgbotapi.NewMessage(chatID, p.text)
		m.ParseMode = mode
		if p.markup != nil {
			m.ReplyMarkup = p.markup
		}
		c = m
	}
	_, err := b.api(ctx, b.sendHC).Request(c)
	return 0, err
}
