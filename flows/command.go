package flows

import (
	"context"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strings"
)

// command is one row of the command table.
type command struct {
	Name string
	// Who may run it. Anyone else is told the command is unknown, word for
	// word, so that admin commands do not show to buyers.
	Who audience
	// Help is its line in /help (buyers' commands) or in the admins' part
	// of it, in the table's order.
	Help Msg
	Do   func(t *turn, ctx context.Context) (Output, error)
	// InGroup, for a buyers' command, is what it does for an admin in a
	// group; without it a group is told that only admin commands work
	// there (the purchase needs a private chat).
	InGroup func(t *turn, ctx context.Context) (Output, error)
}

// audience is who may run a command.
type audience string

const (
	// forBuyers: anyone who may buy (access.go), in a private chat.
	forBuyers audience = "buyers"
	// forAdmins: admins only, in a private chat or a group.
	forAdmins audience = "admins"
)

// commands is every slash command. They work in any state. It is set in
// init because /help reads it.
var commands []command

func init() {
	commands = []command{
		{"start", forBuyers, "help_start", (*turn).start, (*turn).adminChatID},
		{"history", forBuyers, "help_history", (*turn).history, nil},
		{"harga", forBuyers, "help_harga", (*turn).priceList, nil},
		{"saldo", forBuyers, "help_saldo", (*turn).saldo, (*turn).saldo},
		{"deposit", forBuyers, "help_deposit", (*turn).deposit, nil},
		{"status", forBuyers, "help_status", (*turn).status, nil},
		{"struk", forBuyers, "help_struk", (*turn).struk, nil},
		{"cancel", forBuyers, "help_cancel", (*turn).cancelCommand, nil},
		{"lang", forBuyers, "help_lang", (*turn).setLang, nil},
		{"help", forBuyers, "help_help", (*turn).help, (*turn).adminHelp},

		{"balance", forAdmins, "admin_help_balance", (*turn).adminBalance, nil},
		{"mutations", forAdmins, "admin_help_mutations", (*turn).adminMutations, nil},
		{"orders", forAdmins, "admin_help_orders", (*turn).adminOrders, nil},
		{"order", forAdmins, "admin_help_order", (*turn).adminOrder, nil},
		{"recheck", forAdmins, "admin_help_recheck", (*turn).adminRecheck, nil},
		{"settle", forAdmins, "admin_help_settle", (*turn).adminSettle, nil},
		{"catalog", forAdmins, "admin_help_catalog", (*turn).adminCatalog, nil},
		{"stats", forAdmins, "admin_help_stats", (*turn).adminStats, nil},
		{"level", forAdmins, "admin_help_level", (*turn).adminLevel, nil},
		{"addsaldo", forAdmins, "admin_help_saldo", (*turn).adminAddSaldo, nil},
		{"kurangsaldo", forAdmins, "admin_help_kurangsaldo", (*turn).adminSubtractSaldo, nil},
		{"deposits", forAdmins, "admin_help_deposits", (*turn).adminDeposits, nil},
		{"allow", forAdmins, "admin_help_allow", (*turn).adminAllow, nil},
		{"deny", forAdmins, "admin_help_deny", (*turn).adminDeny, nil},
		{"id", forAdmins, "admin_help_id", (*turn).adminChatID, nil},
		{"rename", forAdmins, "admin_help_rename", (*turn).adminRename, nil},
		{"hide", forAdmins, "admin_help_hide", (*turn).adminHide, nil},
		{"show", forAdmins, "admin_help_show", (*turn).adminShow, nil},
	}
}

// command answers a slash command from the table.
func (t *turn) command(ctx context.Context) (Output, error) {
	c, ok := commandNamed(t.in.Command)
	if ok && c.Who == forAdmins && !t.s.isAdmin(t.in.UserID) {
		ok = false
	}
	switch {
	case !ok && !t.in.Private:
		// Only admins get here (Service.groupInput).
		return t.say(text(t.lang, "admin_group_commands")), nil
	case !ok:
		return t.say(text(t.lang, "unknown_command")), nil
	case c.Who == forAdmins:
		out, err := c.Do(t, ctx)
		if err != nil {
			err = fmt.Errorf("admin /%s: %w", c.Name, err)
		}
		return out, err
	case !t.in.Private && c.InGroup != nil:
		return c.InGroup(t, ctx)
	case !t.in.Private:
		return t.say(text(t.lang, "admin_group_commands")), nil
	}
	return c.Do(t, ctx)
}

func commandNamed(name string) (command, bool) {
	for _, c := range commands {
		if c.Name == name {
			return c, true
		}
	}
	return command{}, false
}

// start is /start: the home menu, from wherever the chat was.
func (t *turn) start(ctx context.Context) (Output, error) {
	t.restart()
	return t.render(ctx)
}

// cancelCommand is /cancel.
func (t *turn) cancelCommand(ctx context.Context) (Output, error) { return t.cancel() }

// help is /help; an admin gets the admin commands too.
func (t *turn) help(ctx context.Context) (Output, error) {
	msg := text(t.lang, "help_title") + "\n" + t.helpLines(forBuyers) + "\n\n" + text(t.lang, "help_how")
	if t.s.isAdmin(t.in.UserID) {
		msg += "\n\n" + t.adminHelpText()
	}
	return t.say(msg), nil
}

// adminHelp is an admin's /help in a group: the admin commands alone.
func (t *turn) adminHelp(ctx context.Context) (Output, error) {
	return t.say(t.adminHelpText()), nil
}

func (t *turn) adminHelpText() string {
	return text(t.lang, "admin_help_title") + "\n" + t.helpLines(forAdmins)
}

// helpLines lists the help lines of who's commands, one a line.
func (t *turn) helpLines(who audience) string {
	var lines []string
	for _, c := range commands {
		if c.Name == "deposit" && !t.s.depositsOn() {
			continue // nothing to deposit into: /deposit only says so
		}
		if c.Who == who && c.Help != "" {
			lines = append(lines, text(t.lang, c.Help))
		}
	}
	return strings.Join(lines, "\n")
}

// setLang is /lang en|id: the chat's language, kept with its session (and
// through its expiry), used for every text it gets from now on, the
// settlement messages of its new orders included.
func (t *turn) setLang(ctx context.Context) (Output, error) {
	switch l := Lang(strings.ToLower(strings.TrimSpace(t.in.Args))); l {
	case LangEN, LangID:
		t.sess.Lang, t.lang = l, l
		return t.say(text(l, "lang_set")), nil
	}
	return t.say(text(t.lang, "lang_usage")), nil
}

// history is /history: the chat's last ten orders.
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
		lines = append(lines, text(t.lang, "history_line", statusIcon(o.Status), shortTime(o.CreatedAt), o.ProductName,
			o.CustomerNumber, FormatRupiah(o.Price), o.RefID))
	}
	return t.say(strings.Join(lines, "\n")), nil
}

// orderSeen reads the order ref names, when the asker may see it (its
// buyer's chat, or an admin): another buyer's order reads as unknown, so a
// ref proves nothing.
func (t *turn) orderSeen(ctx context.Context, ref string) (Order, bool, error) {
	if !ValidRefID(ref) {
		return Order{}, false, nil
	}
	o, err := t.s.cfg.Store.Order(ctx, ref)
	if errors.Is(err, ErrNotFound) {
		return Order{}, false, nil
	}
	if err != nil {
		return Order{}, false, err
	}
	return o, t.s.seesOrder(t.in, &o), nil
}

// orderNotFound answers a ref orderSeen did not find.
func (t *turn) orderNotFound(ref string) Output {
	return t.say(text(t.lang, "status_not_found", shorten(ref, 24)))
}

// status is /status REF: one order of the chat, as its buyer saw it.
func (t *turn) status(ctx context.Context) (Output, error) {
	ref := strings.ToUpper(strings.TrimSpace(t.in.Args))
	if ref == "" {
		return t.say(text(t.lang, "status_usage")), nil
	}
	o, ok, err := t.orderSeen(ctx, ref)
	if err != nil {
		return Output{}, err
	}
	if !ok {
		return t.orderNotFound(ref), nil
	}
	if o.Status.Final() {
		return t.say(buyerSettledText(&o)), nil
	}
	return t.say(text(t.lang, "processing", o.RefID, o.ProductName,
		o.CustomerNumber, FormatRupiah(o.Price))), nil
}

// statusIcon marks an order's status in a list.
func statusIcon(s Status) string {
	switch s {
	case StatusSuccess:
		return "✅"
	case StatusFailed:
		return "❌"
	}
	return "⏳"
}

// statusText names an order's status in lang.
func statusText(lang Lang, s Status) Markup { return Markup(text(lang, Msg("status_"+string(s)))) }

// MenuCommand is a command as Telegram's command menu (setMyCommands) shows
// it: its name without the slash and a one-line description.
type MenuCommand struct {
	Name        string
	Description string
}

// CommandMenu is the command menu of a buyer or, with admin, of an admin's
// private chat, in lang. It is read from the command table and the /help
// lines, so the menu and /help never disagree. An admin's menu holds the
// buyers' commands too: Telegram shows a chat the menu of its narrowest
// scope only.
func (s *Service) CommandMenu(admin bool, lang Lang) []MenuCommand {
	var menu []MenuCommand
	seen := map[string]bool{}
	for _, c := range commands {
		if c.Who == forAdmins && !admin || c.Help == "" || seen[c.Name] {
			continue
		}
		if c.Name == "deposit" && !s.depositsOn() {
			continue // as in /help: nothing to deposit into
		}
		if d := menuDescription(text(lang, c.Help), c.Name); d != "" {
			seen[c.Name] = true
			menu = append(menu, MenuCommand{Name: c.Name, Description: d})
		}
	}
	return menu
}

// menuDescription is the description of /name in a help text: the plain
// text after the dash of its line ("/status <i>REF</i> — the status of one
// order" gives "the status of one order"). A help text may hold the lines
// of several commands (/saldo's admin text also has /addsaldo's).
func menuDescription(help, name string) string {
	for line := range strings.SplitSeq(help, "\n") {
		rest, ok := strings.CutPrefix(line, "/"+name)
		if !ok || rest != "" && rest[0] != ' ' {
			continue // another command, or one whose name starts with name
		}
		_, desc, ok := strings.Cut(rest, " — ")
		if !ok {
			continue
		}
		return strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(desc, "")))
	}
	return ""
}

// tagRE matches an HTML tag of the help texts (<i>, </code>, …).
var tagRE = regexp.MustCompile(`<[^>]*>`)
