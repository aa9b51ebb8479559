package flows

import (
	"context"
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
)

// command handles the slash commands, which work in any state.
func (t *turn) command(ctx context.Context) (Output, error) {
	// Admin commands exist for admins alone: for anyone else they fall
	// through to the unknown-command answer below, word for word.
	if out, ok, err := t.admin(ctx); ok {
		return out, err
	}
	if !t.in.Private {
		// Only admins get here: the purchase commands need a private chat.
		return t.say(text(t.lang, "admin_group_commands")), nil
	}
	switch t.in.Command {
	case "start":
		*t.sess = Session{State: StateHome, Lang: t.sess.Lang, LastUpdate: t.sess.LastUpdate}
		return t.render(ctx)
	case "cancel":
		return t.cancel()
	case "help":
		return t.say(text(t.lang, "help")), nil
	case "history":
		return t.history(ctx)
	case "status":
		return t.status(ctx)
	case "lang":
		return t.setLang(), nil
	}
	return t.say(text(t.lang, "unknown_command")), nil
}

// setLang is /lang en|id: the chat's language, kept with its session (and
// through its expiry), used for every text it gets from now on, the
// settlement messages of its new orders included.
func (t *turn) setLang() Output {
	switch l := Lang(strings.ToLower(strings.TrimSpace(t.in.Args))); l {
	case LangEN, LangID:
		t.sess.Lang, t.lang = l, l
		return t.say(text(l, "lang_set"))
	}
	return t.say(text(t.lang, "lang_usage"))
}

func (t *turn) history(ctx context.Context) (Output, error) {
	orders, err := t.s.cfg.Store.ChatOrders(ctx, t.in.ChatID, 10)
	if err != nil {
		return Output{}, err
	}
	if len(orders) == 0 {
		return t.say(text(t.lang, "history_empty")), nil
	}
	lines := []string{text(t.lang, "history_title")}
	for _, o := range orders {
		lines = append(lines, fmt.Sprintf("%s %s %s · %s · %s\n<code>%s</code>", statusIcon(o.Status),
			shortTime(o.CreatedAt), html.EscapeString(o.ProductName),
			html.EscapeString(o.CustomerNumber), FormatRupiah(o.Price), o.RefID))
	}
	return t.say(strings.Join(lines, "\n")), nil
}

func (t *turn) status(ctx context.Context) (Output, error) {
	ref := strings.ToUpper(strings.TrimSpace(t.in.Args))
	if ref == "" {
		return t.say(text(t.lang, "status_usage")), nil
	}
	notFound := t.say(text(t.lang, "status_not_found", html.EscapeString(shorten(ref, 24))))
	if !ValidRefID(ref) {
		return notFound, nil
	}
	o, err := t.s.cfg.Store.Order(ctx, ref)
	if errors.Is(err, ErrNotFound) {
		return notFound, nil
	}
	if err != nil {
		return Output{}, err
	}
	// Another chat's order is not found, to everyone but admins.
	if o.ChatID != t.in.ChatID && !slices.Contains(t.s.cfg.Admins, t.in.UserID) {
		return notFound, nil
	}
	if o.Status.Final() {
		return t.say(buyerSettledText(&o)), nil
	}
	return t.say(text(t.lang, "processing", o.RefID, html.EscapeString(o.ProductName),
		html.EscapeString(o.CustomerNumber), FormatRupiah(o.Price))), nil
}

func statusIcon(s Status) string {
	switch s {
	case StatusSuccess:
		return "✅"
	case StatusFailed:
		return "❌"
	}
	return "⏳"
}

func statusText(lang Lang, s Status) string { return text(lang, Msg("status_"+string(s))) }
