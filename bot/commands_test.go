package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
)

// newIdleBot connects a bot to srv without running it.
func newIdleBot(t *testing.T, srv *telegramtest.Server) *Bot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := New(ctx, fastConfig(t, srv, &recorder{}))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return b
}

// wantMenu is menu as the fake should hold it.
func wantMenu(menu []flows.MenuCommand) []tgbotapi.BotCommand {
	out := make([]tgbotapi.BotCommand, len(menu))
	for i, c := range menu {
		out[i] = tgbotapi.BotCommand{Command: c.Name, Description: c.Description}
	}
	return out
}

func sameMenu(got, want []tgbotapi.BotCommand) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// TestSetCommands: the buyers' menu for everyone and the admins' in each
// admin's chat, each in Indonesian (no language code) and English ("en"),
// described by the command table's /help lines; the fake, which refuses
// what Telegram refuses, accepts them all.
func TestSetCommands(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	b := newIdleBot(t, srv)
	svc := flows.NewService(flows.ServiceConfig{Admins: []int64{42, 43}})
	// A repeated admin gets one menu, a group id none.
	if err := b.SetCommands(context.Background(), Menus([]int64{42, 43, 42, -100}, svc.CommandMenu)); err != nil {
		t.Fatalf("SetCommands: %v", err)
	}
	scopes := []struct {
		scope tgbotapi.BotCommandScope
		admin bool
	}{
		{tgbotapi.NewBotCommandScopeDefault(), false},
		{tgbotapi.NewBotCommandScopeChat(42), true},
		{tgbotapi.NewBotCommandScopeChat(43), true},
	}
	langs := map[string]flows.Lang{"": flows.LangID, "en": flows.LangEN}
	for _, sc := range scopes {
		for code, lang := range langs {
			got := srv.Commands(sc.scope, code)
			if want := wantMenu(svc.CommandMenu(sc.admin, lang)); len(want) == 0 || !sameMenu(got, want) {
				t.Errorf("scope %+v lang %q: %v, want %v", sc.scope, code, got, want)
			}
		}
	}
	if n := len(srv.CommandMenus()); n != len(scopes)*len(langs) {
		t.Errorf("%d menus set, want %d: %v", n, len(scopes)*len(langs), srv.CommandMenus())
	}

	find := func(menu []tgbotapi.BotCommand, name string) (string, bool) {
		for _, c := range menu {
			if c.Command == name {
				return c.Description, true
			}
		}
		return "", false
	}
	if d, _ := find(srv.Commands(tgbotapi.NewBotCommandScopeDefault(), ""), "status"); d != "status satu pesanan" {
		t.Errorf("default /status: %q, want the Indonesian /help line", d)
	}
	if d, _ := find(srv.Commands(tgbotapi.NewBotCommandScopeDefault(), "en"), "status"); d != "the status of one order" {
		t.Errorf("English /status: %q, want the English /help line", d)
	}
	if _, ok := find(srv.Commands(tgbotapi.NewBotCommandScopeDefault(), ""), "settle"); ok {
		t.Error("buyers' menu shows the admin command /settle")
	}
	for _, name := range []string{"start", "settle", "allow"} {
		if _, ok := find(srv.Commands(tgbotapi.NewBotCommandScopeChat(42), "en"), name); !ok {
			t.Errorf("admin's menu lacks /%s", name)
		}
	}
}

// TestSetCommandsFailures: a 429 is waited out once; a refused menu (an
// admin who never opened the bot) does not keep the others from being set;
// a menu out of Telegram's limits is never sent.
func TestSetCommandsFailures(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	b := newIdleBot(t, srv)
	menu := []flows.MenuCommand{{Name: "start", Description: "mulai"}}
	srv.FailNext("setMyCommands", 1, 429, "Too Many Requests: retry after 1", telegramtest.ErrorParams{RetryAfter: 1})
	if err := b.SetCommands(context.Background(), []CommandMenu{{Commands: menu}}); err != nil {
		t.Errorf("SetCommands after one 429: %v", err)
	}
	srv.FailNext("setMyCommands", 1, 400, "Bad Request: chat not found", telegramtest.ErrorParams{})
	err := b.SetCommands(context.Background(), []CommandMenu{
		{ChatID: 42, Commands: menu}, // refused
		{ChatID: 43, Lang: "en", Commands: menu},
		{ChatID: 44, Commands: []flows.MenuCommand{{Name: "Start", Description: "x"}}},
		{ChatID: 45, Commands: []flows.MenuCommand{{Name: "start", Description: strings.Repeat("x", 257)}}},
		{ChatID: 46, Commands: []flows.MenuCommand{{Name: "start"}}},
	})
	if err == nil || !strings.Contains(err.Error(), "chat not found") || !strings.Contains(err.Error(), `"Start"`) {
		t.Errorf("SetCommands: %v, want the refusal and the bad menus", err)
	}
	calls := srv.Calls("setMyCommands")
	if len(calls) != 4 {
		t.Errorf("%d setMyCommands calls, want 4 (a retry after the 429; none for menus out of limits)", len(calls))
	}
	if len(calls) >= 2 && calls[1].At.Sub(calls[0].At) < time.Second {
		t.Errorf("retried %s after a 429 asking for 1 s", calls[1].At.Sub(calls[0].At))
	}
	if srv.Commands(tgbotapi.NewBotCommandScopeDefault(), "") == nil {
		t.Error("the default menu was not set after the 429")
	}
	if srv.Commands(tgbotapi.NewBotCommandScopeChat(43), "en") == nil {
		t.Error("a refused menu kept the next one from being set")
	}
	if n := len(srv.CommandMenus()); n != 2 {
		t.Errorf("%d menus set, want 2", n)
	}

	// A second 429 in a row is not waited out again.
	srv.FailNext("setMyCommands", 2, 429, "Too Many Requests: retry after 1", telegramtest.ErrorParams{RetryAfter: 1})
	before := len(srv.Calls("setMyCommands"))
	if err := b.SetCommands(context.Background(), []CommandMenu{{ChatID: 47, Commands: menu}}); err == nil {
		t.Error("SetCommands after two 429s: no error")
	}
	if n := len(srv.Calls("setMyCommands")) - before; n != 2 {
		t.Errorf("%d calls after two 429s, want 2", n)
	}
}
