package main

import (
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/bot/telegramtest"
)

// TestEndToEndCommandMenus: at start the bot sets the buyers' menu for
// everyone and the admins' in the admin's chat, in Bahasa Indonesia (no
// language code) and English; the purchase works as before.
func TestEndToEndCommandMenus(t *testing.T) {
	t.Parallel()
	e := newE2E(t, 200*time.Millisecond)
	e.start()
	def, admin := tgbotapi.NewBotCommandScopeDefault(), tgbotapi.NewBotCommandScopeChat(e2eAdmin)
	if !e.fake.WaitFor(func() bool { return len(e.fake.CommandMenus()) == 4 }, 30*time.Second) {
		t.Fatalf("menus set: %v; log:\n%s", e.fake.CommandMenus(), e.out.String())
	}
	for _, c := range []struct {
		scope       tgbotapi.BotCommandScope
		lang        string
		has, hasNot string // a command and its description's start
		desc        string
	}{
		{def, "", "status", "settle", "status satu pesanan"},
		{def, "en", "status", "settle", "the status of one order"},
		{admin, "", "settle", "", "selesaikan manual"},
		{admin, "en", "settle", "", "settle a stuck order"},
	} {
		menu := e.fake.Commands(c.scope, c.lang)
		found := false
		for _, cmd := range menu {
			if cmd.Command == c.hasNot && c.hasNot != "" {
				t.Errorf("scope %+v lang %q shows /%s", c.scope, c.lang, c.hasNot)
			}
			if cmd.Command == c.has {
				found = true
				if !strings.HasPrefix(cmd.Description, c.desc) {
					t.Errorf("scope %+v lang %q: /%s is %q, want %q…", c.scope, c.lang, c.has, cmd.Description, c.desc)
				}
			}
		}
		if !found {
			t.Errorf("scope %+v lang %q: no /%s in %v", c.scope, c.lang, c.has, menu)
		}
	}
	e.purchase()
}

// TestEndToEndCommandMenusRefused: Telegram refusing every menu is logged
// and nothing more: the bot answers and sells.
func TestEndToEndCommandMenusRefused(t *testing.T) {
	t.Parallel()
	e := newE2E(t, 200*time.Millisecond)
	e.fake.FailNext("setMyCommands", 4, 400, "Bad Request: chat not found", telegramtest.ErrorParams{})
	e.start()
	if !e.fake.WaitFor(func() bool {
		return len(e.fake.Calls("setMyCommands")) == 4 && strings.Count(e.out.String(), "setting the command menu failed") == 4
	}, 30*time.Second) {
		t.Fatalf("%d setMyCommands calls; log:\n%s", len(e.fake.Calls("setMyCommands")), e.out.String())
	}
	if n := len(e.fake.CommandMenus()); n != 0 {
		t.Errorf("%d menus set though every call was refused", n)
	}
	e.purchase()
}

// purchase buys Telkomsel 10.000 through the menu and waits for the SN.
func (e *e2e) purchase() {
	e.t.Helper()
	e.say("/start")
	e.waitFor(e2eBuyer, "Mau beli apa")
	e.tap("Pulsa")
	e.waitFor(e2eBuyer, "Pilih operator")
	e.tap("Telkomsel")
	e.waitFor(e2eBuyer, "Pilih produk")
	e.tap("Telkomsel 10.000")
	e.waitFor(e2eBuyer, "Ketik nomor HP")
	e.say("0812-1234-5678")
	e.waitFor(e2eBuyer, "Konfirmasi pesanan")
	e.tap("✅ Konfirmasi")
	sn := e.waitFor(e2eBuyer, "Transaksi berhasil")
	if !strings.Contains(sn.Text, "SN: <code>") {
		e.t.Errorf("SN message %q", sn.Text)
	}
}
