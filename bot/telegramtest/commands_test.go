package telegramtest_test

import (
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/bot/telegramtest"
)

// TestSetMyCommands: menus are kept per scope and language, an empty list
// or deleteMyCommands removes one, and what Telegram refuses is a 400 that
// changes nothing.
func TestSetMyCommands(t *testing.T) {
	srv := telegramtest.NewServer(t, token)
	api := newAPI(t, srv)
	start := tgbotapi.BotCommand{Command: "start", Description: "mulai pembelian"}
	chat := tgbotapi.NewBotCommandScopeChat(42)
	for _, req := range []tgbotapi.SetMyCommandsConfig{
		tgbotapi.NewSetMyCommands(start),
		tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), "en", tgbotapi.BotCommand{Command: "start", Description: "start a purchase"}),
		tgbotapi.NewSetMyCommandsWithScope(chat, start, tgbotapi.BotCommand{Command: "settle", Description: "settle by hand"}),
	} {
		if _, err := api.Request(req); err != nil {
			t.Fatalf("setMyCommands %+v: %v", req, err)
		}
	}
	def := tgbotapi.NewBotCommandScopeDefault()
	if got := srv.Commands(def, ""); len(got) != 1 || got[0] != start {
		t.Errorf("default menu (no scope sent): %v", got)
	}
	if got := srv.Commands(def, "en"); len(got) != 1 || got[0].Description != "start a purchase" {
		t.Errorf("English menu: %v", got)
	}
	if got := srv.Commands(chat, ""); len(got) != 2 || got[1].Command != "settle" {
		t.Errorf("chat 42's menu: %v", got)
	}
	if n := len(srv.CommandMenus()); n != 3 {
		t.Errorf("%d menus, want 3", n)
	}

	bad := []struct {
		name string
		req  tgbotapi.SetMyCommandsConfig
		desc string
	}{
		{"capital letter", tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Start", Description: "x"}), "BOT_COMMAND_INVALID"},
		{"slash", tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "/start", Description: "x"}), "BOT_COMMAND_INVALID"},
		{"33 characters", tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: strings.Repeat("a", 33), Description: "x"}), "BOT_COMMAND_INVALID"},
		{"empty description", tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "start"}), "DESCRIPTION_INVALID"},
		{"257 characters", tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "start", Description: strings.Repeat("é", 257)}), "DESCRIPTION_INVALID"},
		{"101 commands", tgbotapi.NewSetMyCommands(make101()...), "TOO_MUCH"},
		{"bad language", tgbotapi.NewSetMyCommandsWithScopeAndLanguage(def, "english", start), "LANG_CODE_INVALID"},
		{"chat scope without chat", tgbotapi.NewSetMyCommandsWithScope(tgbotapi.BotCommandScope{Type: "chat"}, start), "chat not found"},
		{"unknown scope", tgbotapi.NewSetMyCommandsWithScope(tgbotapi.BotCommandScope{Type: "everyone"}, start), "scope"},
	}
	for _, c := range bad {
		_, err := api.Request(c.req)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if te := apiErr(t, err); te.Code != 400 || !strings.Contains(te.Message, c.desc) {
			t.Errorf("%s: %d %q, want 400 with %q", c.name, te.Code, te.Message, c.desc)
		}
	}
	if got := srv.Commands(def, ""); len(got) != 1 || got[0] != start {
		t.Errorf("a refused call changed the default menu: %v", got)
	}
	// 32 characters and 256 are within the limits.
	if _, err := api.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: strings.Repeat("a_1", 10) + "zz", Description: strings.Repeat("é", 256)})); err != nil {
		t.Errorf("a command at the limits: %v", err)
	}

	if _, err := api.Request(tgbotapi.NewDeleteMyCommandsWithScope(chat)); err != nil {
		t.Fatalf("deleteMyCommands: %v", err)
	}
	if got := srv.Commands(chat, ""); got != nil {
		t.Errorf("chat 42's menu after deleteMyCommands: %v", got)
	}
	if _, err := api.Request(tgbotapi.NewSetMyCommandsWithScopeAndLanguage(def, "en")); err != nil {
		t.Fatalf("setMyCommands with no commands: %v", err)
	}
	if got := srv.Commands(def, "en"); got != nil {
		t.Errorf("English menu after an empty list: %v", got)
	}
}

func make101() []tgbotapi.BotCommand {
	out := make([]tgbotapi.BotCommand, 101)
	for i := range out {
		out[i] = tgbotapi.BotCommand{Command: "c" + strings.Repeat("x", i%30), Description: "x"}
	}
	return out
}
