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
	t.Parallel()
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

// TestEndToEndStrangerAllowedFromGroup: through Telegram, a stranger who
// writes twice is one line in the ops group with an Izinkan button; a
// buyer's tap on it does nothing, the admin's lets the stranger buy. The
// admin's /id in the group answers with the group's id.
func TestEndToEndStrangerAllowedFromGroup(t *testing.T) {
	t.Parallel()
	const stranger = int64(5151)
	e := newE2E(t, 0)
	e.start()
	e.fake.SendText(e2eOps, e2eAdmin, "/id")
	e.waitFor(e2eOps, "ID chat ini: <code>-100777</code>")

	e.fake.SendText(stranger, stranger, "/start")
	e.fake.SendText(stranger, stranger, "halo")
	line := e.waitFor(e2eOps, "Pengguna belum terdaftar")
	if len(line.Buttons) != 1 || len(line.Buttons[0]) != 1 || line.Buttons[0][0].Text != "Izinkan" {
		t.Fatalf("stranger line %+v", line)
	}
	data := line.Buttons[0][0].Data
	e.fake.Tap(e2eOps, e2eBuyer, line.ID, data)
	e.fake.Tap(e2eOps, e2eAdmin, line.ID, data)
	e.waitFor(e2eOps, "Pengguna <code>5151</code> sekarang boleh bertransaksi.")
	e.fake.SendText(stranger, stranger, "/start")
	e.waitFor(stranger, "Halo")

	lines := 0
	for _, m := range e.fake.Messages(e2eOps) {
		if strings.Contains(m.Text, "Pengguna belum terdaftar") {
			lines++
		}
	}
	if lines != 1 {
		t.Errorf("%d stranger lines in the ops group, want 1:\n%s", lines, dump(e.fake.Messages(e2eOps)))
	}
	if got := len(e.fake.Messages(e2eOps)); got != 3 { // /id, the line, the admin's tap
		t.Errorf("ops group messages:\n%s\nwant the buyer's tap to get no answer", dump(e.fake.Messages(e2eOps)))
	}
}
