package telegramtest

import (
	"encoding/json"
	"regexp"
	"slices"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/bot/internal/tglimit"
)

// MenuKey names one command menu, as setMyCommands addresses it: a scope
// and a language code ("" for every language without a menu of its own).
type MenuKey struct {
	Scope tgbotapi.BotCommandScope
	Lang  string
}

var (
	commandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	langCode    = regexp.MustCompile(`^[a-z]{2}$`)
)

// Commands returns the menu set for scope and lang, nil if none is.
func (s *Server) Commands(scope tgbotapi.BotCommandScope, lang string) []tgbotapi.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.menus[MenuKey{Scope: scope, Lang: lang}])
}

// CommandMenus returns every menu set, by scope and language.
func (s *Server) CommandMenus() map[MenuKey][]tgbotapi.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[MenuKey][]tgbotapi.BotCommand, len(s.menus))
	for k, v := range s.menus {
		out[k] = slices.Clone(v)
	}
	return out
}

// setMyCommands records a menu, refusing what Telegram refuses: more than
// 100 commands, a name out of [a-z0-9_]{1,32}, a description out of 1–256
// characters, an unknown scope, a malformed language code. An empty list
// deletes the menu, as Telegram does.
func (s *Server) setMyCommands(p map[string][]string) (any, *apiError) {
	key, e := menuKey(p)
	if e != nil {
		return nil, e
	}
	var cmds []tgbotapi.BotCommand
	if err := json.Unmarshal([]byte(first(p, "commands")), &cmds); err != nil {
		return nil, &apiError{status: 400, desc: "Bad Request: can't parse commands JSON object"}
	}
	if len(cmds) > 100 {
		return nil, &apiError{status: 400, desc: "Bad Request: BOT_COMMANDS_TOO_MUCH"}
	}
	for _, c := range cmds {
		if !commandName.MatchString(c.Command) {
			return nil, &apiError{status: 400, desc: "Bad Request: BOT_COMMAND_INVALID"}
		}
		if n := tglimit.Len(c.Description); n < 1 || n > 256 {
			return nil, &apiError{status: 400, desc: "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(cmds) == 0 {
		delete(s.menus, key)
	} else {
		s.menus[key] = cmds
	}
	return true, nil
}

// deleteMyCommands forgets a menu.
func (s *Server) deleteMyCommands(p map[string][]string) (any, *apiError) {
	key, e := menuKey(p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.menus, key)
	return true, nil
}

// menuKey reads the scope (default when absent) and language_code of a
// menu call.
func menuKey(p map[string][]string) (MenuKey, *apiError) {
	key := MenuKey{Scope: tgbotapi.NewBotCommandScopeDefault(), Lang: first(p, "language_code")}
	if raw := first(p, "scope"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &key.Scope); err != nil {
			return MenuKey{}, &apiError{status: 400, desc: "Bad Request: can't parse BotCommandScope JSON object"}
		}
	}
	sc := key.Scope
	switch sc.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
		if sc.ChatID != 0 || sc.UserID != 0 {
			return MenuKey{}, &apiError{status: 400, desc: "Bad Request: scope " + sc.Type + " takes no chat_id or user_id"}
		}
	case "chat", "chat_administrators":
		if sc.ChatID == 0 || sc.UserID != 0 {
			return MenuKey{}, &apiError{status: 400, desc: "Bad Request: chat not found"}
		}
	case "chat_member":
		if sc.ChatID == 0 || sc.UserID == 0 {
			return MenuKey{}, &apiError{status: 400, desc: "Bad Request: chat not found"}
		}
	default:
		return MenuKey{}, &apiError{status: 400, desc: "Bad Request: unsupported bot command scope type"}
	}
	if key.Lang != "" && !langCode.MatchString(key.Lang) {
		return MenuKey{}, &apiError{status: 400, desc: "Bad Request: LANG_CODE_INVALID"}
	}
	return key, nil
}
