package flows

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// Access: who may do what. Admins (ServiceConfig.Admins) may do everything,
// in a private chat or the ops group. Buyers may buy in a private chat: the
// allowed users (configured, plus /allow at runtime, minus /deny), or
// anyone when the bot is open; a denied user never, an admin always. A
// buyer sees their own chat's orders, an admin every order. Strangers (who
// may not buy) are refused, and the admins are told once, with an Allow
// button. In a group only admins are answered. These rules live here alone.

// isAdmin reports whether user is one of the configured admins.
func (s *Service) isAdmin(user int64) bool { return user != 0 && slices.Contains(s.cfg.Admins, user) }

// allowed says whether a user may buy, reading the runtime lists only as
// far as the rule needs them.
func (s *Service) allowed(ctx context.Context, user int64) (bool, error) {
	if slices.Contains(s.cfg.Admins, user) {
		return true, nil
	}
	denied, err := s.listSetting(ctx, SettingDenied)
	if err != nil {
		return false, err
	}
	var added []int64
	if !slices.Contains(denied, user) && !s.cfg.Open && !slices.Contains(s.cfg.Allowed, user) {
		if added, err = s.listSetting(ctx, SettingAllowed); err != nil {
			return false, err
		}
	}
	return s.mayBuy(user, added, denied), nil
}

// mayBuy is the rule itself, over the runtime lists: an admin always; a
// denied user never; otherwise anyone when open, the configured allowed
// users, and those allowed at runtime.
func (s *Service) mayBuy(user int64, allowed, denied []int64) bool {
	switch {
	case slices.Contains(s.cfg.Admins, user):
		return true
	case slices.Contains(denied, user):
		return false
	}
	return s.cfg.Open || slices.Contains(s.cfg.Allowed, user) || slices.Contains(allowed, user)
}

// seesOrder reports whether the sender of in may see order o: its own
// chat's, and admins every order. Anyone else is told it is not found.
func (s *Service) seesOrder(in Input, o *Order) bool {
	return o.ChatID == in.ChatID || slices.Contains(s.cfg.Admins, in.UserID)
}

// groupInput reports an input the bot answers in a group (the ops group):
// an admin's command, or an admin's tap on a stranger's Allow button or on
// a deposit's Terima, Tolak or credit. Everything else there is silence.
func (s *Service) groupInput(in Input) bool {
	if !s.isAdmin(in.UserID) {
		return false
	}
	if in.Kind == InputCommand {
		return true
	}
	ev := Event(in.Button.Action)
	return in.Kind == InputButton && (ev == EvAllow || slices.Contains(adminDepositEvents, ev))
}

// Settings keys for the runtime access lists (comma-separated user ids),
// written by the admins' /allow and /deny.
const (
	SettingAllowed = "access.allowed"
	SettingDenied  = "access.denied"
)

// listSetting reads a runtime access list.
func (s *Service) listSetting(ctx context.Context, key string) ([]int64, error) {
	v, ok, err := s.cfg.Store.Setting(ctx, key)
	if err != nil || !ok {
		return nil, err
	}
	return parseIDList(v), nil
}

// parseIDList reads a comma-separated list of ids, skipping what is not
// one.
func parseIDList(v string) []int64 {
	var ids []int64
	for f := range strings.SplitSeq(v, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// formatIDList writes ids sorted and without repeats; empty for none.
func formatIDList(ids []int64) string {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// adminAllow is /allow USERID.
func (t *turn) adminAllow(ctx context.Context) (Output, error) { return t.access(ctx, true) }

// adminDeny is /deny USERID.
func (t *turn) adminDeny(ctx context.Context) (Output, error) { return t.access(ctx, false) }

// access writes the runtime access lists that Service.allowed reads: /allow
// adds to the allowed list and takes the user off the denied one, /deny the
// reverse. Both lists change in one transaction.
func (t *turn) access(ctx context.Context, allow bool) (Output, error) {
	arg := strings.TrimSpace(t.in.Args)
	if arg == "" {
		return t.say(text(t.lang, "admin_access_usage", t.in.Command, t.in.Command)), nil
	}
	user, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || user <= 0 {
		// Telegram user ids are positive; a negative id is a group.
		return t.say(text(t.lang, "admin_bad_user_id", shorten(arg, 24))), nil
	}
	if !allow && t.s.isAdmin(user) {
		return t.say(text(t.lang, "admin_cannot_deny_admin", user)), nil
	}
	store := t.s.reports()
	if store == nil {
		return t.say(text(t.lang, "admin_unavailable")), nil
	}
	add, remove := SettingAllowed, SettingDenied
	if !allow {
		add, remove = SettingDenied, SettingAllowed
	}
	err = store.UpdateSettings(ctx, []string{add, remove}, func(v map[string]string) error {
		v[add] = formatIDList(append(parseIDList(v[add]), user))
		v[remove] = formatIDList(slices.DeleteFunc(parseIDList(v[remove]), func(id int64) bool { return id == user }))
		return nil
	})
	if err != nil {
		return Output{}, err
	}
	t.s.log.Info("access changed by an admin", "admin_id", t.in.UserID, "user_id", user, "allow", allow)
	if allow {
		return t.say(text(t.lang, "admin_allowed", user)), nil
	}
	return t.say(text(t.lang, "admin_denied", user)), nil
}

// EvAllow is the Allow button on a stranger's line to the admins. It
// carries the stranger's user id and no menu id: it outlives every menu,
// acts once however often it is tapped, and only for an admin (DESIGN
// rule 2).
const EvAllow Event = "al"

// AccessRequests remembers the strangers the admins were told about. The
// conversation's store implements it; without it no line is sent.
type AccessRequests interface {
	// RequestAccess records that user was refused and queues notes in the
	// outbox, in one transaction, unless user was recorded before: then
	// nothing is written and first is false.
	RequestAccess(ctx context.Context, user int64, notes []Notification) (first bool, err error)
}

// AccessRequestKey is the setting that records a stranger's request:
// requestAsked once the admins were told, requestAllowed once an admin
// tapped Allow.
func AccessRequestKey(user int64) string { return "access.request." + strconv.FormatInt(user, 10) }

// Values of an AccessRequestKey setting.
const (
	RequestAsked   = "asked"
	RequestAllowed = "allowed"
)

// toAdmins addresses a line for the admins where alerts go: the ops group,
// or each admin privately without one.
func (s *Service) toAdmins(text string) []Notification {
	if s.cfg.Engine != nil {
		return s.cfg.Engine.toAdmins(text, "")
	}
	notes := make([]Notification, 0, len(s.cfg.Admins))
	for _, id := range s.cfg.Admins {
		notes = append(notes, Notification{Kind: NotifySend, ChatID: id, Text: text})
	}
	return notes
}

// requestAccess tells the admins, once per stranger ever, that a user who
// may not buy wrote to the bot, with a button that allows them. A user an
// admin denied is not announced again. It never fails the turn: the
// stranger still gets their answer, and a line that could not be recorded
// is tried again on their next message.
func (t *turn) requestAccess(ctx context.Context) {
	in := t.in
	requests, ok := t.s.cfg.Store.(AccessRequests)
	if !ok || !in.Private || in.UserID <= 0 {
		return
	}
	if v, ok, err := t.s.cfg.Store.Setting(ctx, AccessRequestKey(in.UserID)); err != nil || ok && v != "" {
		return // told before (or unreadable: the next message tries again)
	}
	denied, err := t.s.listSetting(ctx, SettingDenied)
	if err != nil || slices.Contains(denied, in.UserID) {
		return
	}
	lang := t.s.cfg.Lang
	name := strings.TrimSpace(in.FirstName)
	if name == "" {
		name = "-"
	}
	line := text(lang, "access_request", shorten(name, 32), in.UserID)
	allow := [][]Button{{{Label: text(lang, "btn_allow"),
		Data: ButtonData{Action: string(EvAllow), Arg: strconv.FormatInt(in.UserID, 10)}}}}
	notes := t.s.toAdmins(line)
	if len(notes) == 0 {
		return // nobody to tell: not recorded, so admins configured later hear of them
	}
	for i := range notes {
		notes[i].Buttons = allow
	}
	first, err := requests.RequestAccess(ctx, in.UserID, notes)
	if err != nil {
		t.s.log.Warn("telling the admins about a stranger", "user_id", in.UserID, "err", err)
		return
	}
	if first {
		t.s.log.Info("stranger refused; admins told", "user_id", in.UserID)
	}
}

// allowTap is an admin's tap on a stranger's Allow button: /allow for that
// user, once. A second tap — the same line again, another admin's copy —
// says the user is allowed already; a tap after an admin denied the user
// since does not undo the denial.
func (t *turn) allowTap(ctx context.Context) (Output, error) {
	user, err := strconv.ParseInt(t.in.Button.Arg, 10, 64)
	if !t.s.isAdmin(t.in.UserID) || err != nil || user <= 0 {
		return t.stale(ctx)
	}
	store := t.s.reports()
	if store == nil {
		return t.say(text(t.lang, "admin_unavailable")), nil
	}
	key := AccessRequestKey(user)
	var answer Msg
	err = store.UpdateSettings(ctx, []string{SettingAllowed, SettingDenied, key}, func(v map[string]string) error {
		allowed, denied := parseIDList(v[SettingAllowed]), parseIDList(v[SettingDenied])
		switch {
		case t.s.mayBuy(user, allowed, denied):
			answer = "access_already_allowed"
		case v[key] == RequestAllowed:
			answer = "access_allowed_before"
		case slices.Contains(denied, user):
			// Denied after the line went out (a denied user gets no line):
			// an admin decided since, and an old button does not overrule
			// that; /allow does, by name.
			answer = "access_denied_since"
			return nil
		default:
			answer = "admin_allowed"
			v[SettingAllowed] = formatIDList(append(allowed, user))
			v[SettingDenied] = formatIDList(slices.DeleteFunc(denied, func(id int64) bool { return id == user }))
		}
		v[key] = RequestAllowed
		return nil
	})
	if err != nil {
		return Output{}, err
	}
	if answer == "admin_allowed" {
		t.s.log.Info("access changed by an admin", "admin_id", t.in.UserID, "user_id", user, "allow", true, "by", "button")
	}
	if answer == "access_allowed_before" || answer == "access_denied_since" {
		return t.say(text(t.lang, answer, user, user)), nil
	}
	return t.say(text(t.lang, answer, user)), nil
}
