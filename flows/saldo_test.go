package flows_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
)

// TestSaldoWalletOff: with [wallet] off the saldo is still kept and shown,
// with a line saying purchases do not use it, and orders hold nothing.
func TestSaldoWalletOff(t *testing.T) {
	a := newAdminConvoWallet(t, 0, false)
	a.cmd(adminID, false, "/addsaldo 1001 20000")
	o := a.order("081234561039")
	if o.Hold != 0 {
		t.Errorf("order held %d with the wallet off", o.Hold)
	}
	got := text(a.cmd(buyerID, false, "/saldo"))
	for _, want := range []string{"Saldo Anda: Rp 20.000", "tidak dibayar dari saldo", "Koreksi admin +Rp 20.000"} {
		if !strings.Contains(got, want) {
			t.Errorf("/saldo with the wallet off: %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "Tertahan") {
		t.Errorf("/saldo shows a hold with the wallet off: %q", got)
	}
}

// TestSaldoWithoutLedger: without a ledger every wallet command says the
// saldo is unavailable, and /stats has no wallet lines.
func TestSaldoWithoutLedger(t *testing.T) {
	a := newAdminConvoWallet(t, 0, true)
	a.reconfigure(func(cfg *flows.ServiceConfig) { cfg.Ledger = nil })
	for _, c := range []struct {
		user int64
		line string
	}{{buyerID, "/saldo"}, {adminID, "/saldo 1001"}, {adminID, "/addsaldo 1001 5000"}, {adminID, "/kurangsaldo 1001 5000"}} {
		if got := text(a.cmd(c.user, false, c.line)); got != "Saldo tidak tersedia di bot ini." {
			t.Errorf("%s without a ledger: %q", c.line, got)
		}
	}
	if got := text(a.cmd(adminID, false, "/stats")); strings.Contains(got, "Saldo pelanggan") {
		t.Errorf("/stats without a ledger: %q", got)
	}
}

// TestStatsWithoutWallet: a shop that never used the wallet gets /stats as
// before, without wallet lines or a provider call.
func TestStatsWithoutWallet(t *testing.T) {
	a := newAdminConvoWallet(t, 0, false)
	a.order("081234561039")
	if got := text(a.cmd(adminID, false, "/stats")); strings.Contains(got, "Saldo pelanggan") || strings.Contains(got, "Deposit provider") {
		t.Errorf("/stats without the wallet: %q", got)
	}
}

// failingBalance is a provider whose balance cannot be checked.
type failingBalance struct{}

func (failingBalance) Balance(context.Context) (int64, error) {
	return 0, errors.New("rc 500: timeout")
}

// TestStatsOwedProviderUnknown: /stats shows what customers are owed even
// when the provider deposit is unknown, and then warns of nothing; without
// a balance checker it leaves the provider line out.
func TestStatsOwedProviderUnknown(t *testing.T) {
	a := newAdminConvoWallet(t, 0, true)
	a.cmd(adminID, false, "/addsaldo 1001 99.000.000")
	a.reconfigure(func(cfg *flows.ServiceConfig) { cfg.Balance = failingBalance{} })
	got := text(a.cmd(adminID, false, "/stats"))
	if !strings.Contains(got, "Saldo pelanggan: <b>Rp 99.000.000</b>") || !strings.Contains(got, "Deposit provider: tidak dapat dicek") ||
		strings.Contains(got, "⚠️") {
		t.Errorf("/stats with the provider balance unknown: %q", got)
	}
	a.reconfigure(func(cfg *flows.ServiceConfig) { cfg.Balance = nil })
	got = text(a.cmd(adminID, false, "/stats"))
	if !strings.Contains(got, "Rp 99.000.000") || strings.Contains(got, "Deposit provider") || strings.Contains(got, "⚠️") {
		t.Errorf("/stats without a balance checker: %q", got)
	}
}

// TestAdjustSaldoRecordsAndLogs (DESIGN rule 16): an adjustment is a ledger
// entry with the admin's id and note, logged with the admin, the user and
// the amount; one below zero writes nothing and is logged as refused.
func TestAdjustSaldoRecordsAndLogs(t *testing.T) {
	a := newAdminConvoWallet(t, 0, true)
	var logs bytes.Buffer
	a.reconfigure(func(cfg *flows.ServiceConfig) { cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil)) })
	a.cmd(adminID, false, "/addsaldo 1001 Rp25.000 transfer BCA")
	a.cmd(adminID, false, "/kurangsaldo 1001 1.000")
	refused := text(a.cmd(adminID, false, "/kurangsaldo 1001 30000 terlalu banyak"))
	if !strings.Contains(refused, "hanya Rp 24.000") || !strings.Contains(refused, "dikurangi Rp 30.000") {
		t.Errorf("refused below zero: %q, want the current balance and the amount", refused)
	}
	if got := text(a.cmd(adminID, false, "/addsaldo 1001 10.000.000.000.000")); !strings.HasPrefix(got, "Jumlah <code>10.000.000.000.000</code> tidak valid") {
		t.Errorf("an adjustment of Rp 10 triliun: %q, want it refused as a bad amount", got)
	}
	entries, err := a.db.Entries(bg, buyerID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("entries = %+v, want the two accepted adjustments", entries)
	}
	want := []flows.LedgerEntry{
		{Kind: flows.EntryAdjustment, Balance: 25000, By: adminID, Note: "transfer BCA", BalanceAfter: 25000},
		{Kind: flows.EntryAdjustment, Balance: -1000, By: adminID, BalanceAfter: 24000},
	}
	for i, e := range entries {
		w := want[i]
		if e.Kind != w.Kind || e.Balance != w.Balance || e.By != w.By || e.Note != w.Note || e.BalanceAfter != w.BalanceAfter {
			t.Errorf("entry %d = %+v, want %+v", i, e, w)
		}
	}
	var adjusted, refusals []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		switch rec["msg"] {
		case "saldo adjusted by an admin":
			adjusted = append(adjusted, rec)
		case "saldo adjustment refused: balance too low":
			refusals = append(refusals, rec)
		}
	}
	if len(adjusted) != 2 || len(refusals) != 1 {
		t.Fatalf("logged %d adjustments and %d refusals, want 2 and 1:\n%s", len(adjusted), len(refusals), logs.String())
	}
	for i, amount := range []float64{25000, -1000} {
		r := adjusted[i]
		if r["admin_id"] != float64(adminID) || r["user_id"] != float64(buyerID) || r["amount"] != amount {
			t.Errorf("log %d = %v, want admin %d, user %d, amount %v", i, r, adminID, buyerID, amount)
		}
	}
	if r := refusals[0]; r["amount"] != float64(-30000) || r["balance"] != float64(24000) {
		t.Errorf("refusal logged as %v", r)
	}
}

// TestAdjustNoticeInBuyerLanguage: the buyer's notice of an adjustment is
// queued in the outbox in the language the buyer chose, and a refused one
// queues nothing.
func TestAdjustNoticeInBuyerLanguage(t *testing.T) {
	a := newAdminConvoWallet(t, 0, true)
	a.cmd(buyerID, false, "/lang en")
	a.cmd(adminID, false, "/addsaldo 1001 7500 bonus")
	a.cmd(adminID, false, "/kurangsaldo 1001 8000")
	notes, err := a.db.DueNotifications(bg, a.clk.Now().Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range notes {
		if n.ChatID == buyerID {
			got = append(got, n.Text)
		}
	}
	want := "💰 An admin added Rp 7.500 to your saldo.\nSaldo now: <b>Rp 7.500</b>\nNote: bonus"
	if len(got) != 1 || got[0] != want {
		t.Errorf("notices to the buyer = %q, want only %q", got, want)
	}
}

// TestKurangSaldoConcurrent: two admins taking from one saldo at once,
// together more than it holds: exactly one adjustment is written.
func TestKurangSaldoConcurrent(t *testing.T) {
	a := newAdminConvoWallet(t, 0, true)
	const second = int64(10)
	a.reconfigure(func(cfg *flows.ServiceConfig) { cfg.Admins = []int64{adminID, second} })
	a.cmd(adminID, false, "/addsaldo 1001 50000")
	var wg sync.WaitGroup
	answers := make([]string, 2)
	for i, admin := range []int64{adminID, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := a.service.Handle(bg, flows.Input{UpdateID: 1000 + i, ChatID: admin, UserID: admin, Private: true,
				Kind: flows.InputCommand, Command: "kurangsaldo", Args: "1001 30000"})
			if err != nil {
				t.Error(err)
				return
			}
			answers[i] = text(out.Replies)
		}()
	}
	wg.Wait()
	done := 0
	for _, s := range answers {
		if strings.Contains(s, "Saldo sekarang: <b>Rp 20.000</b>") {
			done++
		}
	}
	w, err := a.db.Wallet(bg, buyerID)
	if err != nil {
		t.Fatal(err)
	}
	if done != 1 || w.Balance != 20000 {
		t.Errorf("answers %q, balance %d: want exactly one adjustment, balance 20.000", answers, w.Balance)
	}
}

// TestSaldoShowsLastTen: /saldo lists the ten newest entries, newest first.
func TestSaldoShowsLastTen(t *testing.T) {
	a := newAdminConvoWallet(t, 0, true)
	for i := 1; i <= 12; i++ {
		a.cmd(adminID, false, fmt.Sprintf("/addsaldo 1001 %d n%d", i*1000, i))
	}
	got := text(a.cmd(buyerID, false, "/saldo"))
	if !strings.Contains(got, "10 mutasi terakhir") || strings.Count(got, "Koreksi admin") != 10 {
		t.Fatalf("/saldo after 12 entries: %q", got)
	}
	if strings.Contains(got, "· n1 ·") || strings.Contains(got, "· n2 ·") || strings.Index(got, "n12") > strings.Index(got, "n3") {
		t.Errorf("/saldo should show n12 … n3, newest first: %q", got)
	}
}
