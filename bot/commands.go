package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/bot/internal/tglimit"
	"topupbot/flows"
)

// CommandMenu is one command menu for setMyCommands: the commands shown in
// a scope to clients in a language.
type CommandMenu struct {
	// ChatID, when set, is the one private chat the menu is for (scope
	// "chat", an admin's); zero is everyone (scope "default").
	ChatID int64
	// Lang is the client language it is for ("en"); empty is every
	// language without a menu of its own.
	Lang     string
	Commands []flows.MenuCommand
}

// Telegram's limits on setMyCommands (https://core.telegram.org/bots/api#botcommand).
const (
	maxMenuCommands    = 100
	maxMenuDescription = 256
)

var menuCommandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// SetCommands sets each menu with setMyCommands, in order. Menus are a
// convenience: a menu that fails — out of Telegram's limits, a network
// error, a refusal (an admin who never opened the bot is "chat not found")
// — is logged and the others are still set. A 429 is retried once after
// its retry_after; the menus are set once at start, so there is no queue
// to wait in. It returns the failures joined.
func (b *Bot) SetCommands(ctx context.Context, menus []CommandMenu) error {
	var errs []error
	for _, m := range menus {
		if err := b.setCommands(ctx, m); err != nil {
			err = b.redact.error(err)
			if ctx.Err() != nil {
				return errors.Join(append(errs, err)...)
			}
			b.log.Warn("setting the command menu failed; the bot goes on without it", "chat_id", m.ChatID, "lang", m.Lang, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (b *Bot) setCommands(ctx context.Context, m CommandMenu) error {
	if err := checkMenu(m.Commands); err != nil {
		return fmt.Errorf("setMyCommands chat %d lang %q: %w", m.ChatID, m.Lang, err)
	}
	scope := tgbotapi.NewBotCommandScopeDefault()
	if m.ChatID != 0 {
		scope = tgbotapi.NewBotCommandScopeChat(m.ChatID)
	}
	cmds := make([]tgbotapi.BotCommand, len(m.Commands))
	for i, c := range m.Commands {
		cmds[i] = tgbotapi.BotCommand{Command: c.Name, Description: c.Description}
	}
	req := tgbotapi.NewSetMyCommandsWithScopeAndLanguage(scope, m.Lang, cmds...)
	for attempt := 1; ; attempt++ {
		_, err := b.api(ctx, b.sendHC).Request(req)
		if err == nil {
			return nil
		}
		if v := classify(err); v.outcome == outFlood && attempt == 1 {
			if err := sleep(ctx, v.retryAfter); err != nil {
				return fmt.Errorf("setMyCommands chat %d lang %q: waiting out a 429: %w", m.ChatID, m.Lang, err)
			}
			continue
		}
		return fmt.Errorf("setMyCommands chat %d lang %q: %w", m.ChatID, m.Lang, err)
	}
}

// checkMenu refuses a menu Telegram would refuse, before asking it.
func checkMenu(cmds []flows.MenuCommand) error {
	if len(cmds) > maxMenuCommands {
		return fmt.Errorf("%d commands, Telegram takes at most %d", len(cmds), maxMenuCommands)
	}
	for _, c := range cmds {
		if !menuCommandName.MatchString(c.Name) {
			return fmt.Errorf("command %q: Telegram takes 1–32 characters of a–z, 0–9 and _", c.Name)
		}
		if n := tglimit.Len(c.Description); n < 1 || n > maxMenuDescription {
			return fmt.Errorf("command %q: a description of %d characters, Telegram takes 1–%d", c.Name, n, maxMenuDescription)
		}
	}
	return nil
}

// menuLangs maps the language codes menus are set for to the bot's
// languages: Bahasa Indonesia for every client without a menu of its own
// (no language_code), English for clients set to English.
var menuLangs = []struct {
	code string
	lang flows.Lang
}{{"", flows.LangID}, {"en", flows.LangEN}}

// Menus is the bot's command menus: the buyers' for everyone (scope
// default), and the admins' in each admin's private chat (scope chat, the
// admin's user id being that chat's id), each in every language of
// menuLangs. menu gives a menu's commands (flows.Service.CommandMenu).
func Menus(admins []int64, menu func(admin bool, lang flows.Lang) []flows.MenuCommand) []CommandMenu {
	var out []CommandMenu
	for _, l := range menuLangs {
		out = append(out, CommandMenu{Lang: l.code, Commands: menu(false, l.lang)})
	}
	seen := map[int64]bool{}
	for _, id := range admins {
		if id <= 0 || seen[id] {
			continue // a user id is positive; a group's menu is not an admin's
		}
		seen[id] = true
		for _, l := range menuLangs {
			out = append(out, CommandMenu{ChatID: id, Lang: l.code, Commands: menu(true, l.lang)})
		}
	}
	return out
}
