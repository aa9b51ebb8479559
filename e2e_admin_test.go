package main

import (
	"strings"
	"testing"

	"topupbot/bot/telegramtest"
)

// TestEndToEndAdminCommands: through Telegram, an admin's commands are
// answered in the ops group (addressed to the bot or not) and in private;
// a buyer's admin command in the group gets silence and in private the
// unknown-command answer; the balance comes from the provider wired in.
func TestEndToEndAdminCommands(t *testing.T) {
	e := newE2E(t, 0)
	e.start()
	e.fake.SendText(e2eOps, e2eBuyer, "/balance")
	e.fake.SendText(e2eOps, e2eAdmin, "/balance@"+telegramtest.BotUsername)
	e.waitFor(e2eOps, "Saldo deposit provider: <b>Rp 5.000.000</b>")
	e.fake.SendText(e2eOps, e2eAdmin, "/mutations")
	e.waitFor(e2eOps, "Mutasi saldo tidak ditawarkan oleh provider ini.")
	// The group's chat is served in order: by now the buyer's command, the
	// first, would have had its answer.
	if msgs := e.fake.Messages(e2eOps); len(msgs) != 2 {
		t.Errorf("ops group messages:\n%s\nwant only the admin's two answers", dump(msgs))
	}

	e.fake.SendText(e2eAdmin, e2eAdmin, "/orders")
	e.waitFor(e2eAdmin, "Pesanan diproses</b>: 0")
	e.say("/balance")
	unknown := e.waitFor(e2eBuyer, "Perintah tidak dikenal")
	if strings.Contains(unknown.Text, "Saldo") {
		t.Errorf("buyer's /balance: %q", unknown.Text)
	}
}
