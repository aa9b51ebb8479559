package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"topupbot/flows"
	"topupbot/storage"
)

// TestEndToEndDepositAndPurchase runs the wallet through the binary: the
// buyer's /deposit and typed amount, Sudah transfer, the admin's Terima in
// the ops group (tapped twice), the credit told to the buyer, a purchase
// paid from the saldo whose receipt ends with the saldo left; then the
// ledger on disk holds one deposit entry and one hold turned purchase.
func TestEndToEndDepositAndPurchase(t *testing.T) {
	t.Parallel()
	e := newE2E(t, 0)
	e.cfg.Wallet.Enabled = true
	e.cfg.Wallet.TransferInfo = "BCA 1234567890 a.n. Toko Budi"
	e.start()

	e.say("/deposit")
	e.waitFor(e2eBuyer, "Isi saldo")
	e.say("20000")
	screen := e.waitFor(e2eBuyer, "BCA 1234567890 a.n. Toko Budi")
	if !strings.Contains(screen.Text, "Transfer <b>tepat Rp 2") {
		t.Fatalf("deposit screen: %q", screen.Text)
	}
	e.tap("✅ Sudah transfer")
	e.waitFor(e2eBuyer, "menunggu konfirmasi admin")
	line := e.waitFor(e2eOps, "Cocokkan dengan mutasi bank")
	if len(line.Buttons) != 1 || len(line.Buttons[0]) != 2 || line.Buttons[0][0].Text != "✅ Terima" {
		t.Fatalf("admins' line %+v", line)
	}
	approve := line.Buttons[0][0].Data
	e.fake.Tap(e2eOps, e2eBuyer, line.ID, approve) // a buyer in the group: nothing
	e.fake.Tap(e2eOps, e2eAdmin, line.ID, approve)
	e.waitFor(e2eOps, "diterima untuk pengguna")
	e.fake.Tap(e2eOps, e2eAdmin, line.ID, approve)
	e.waitFor(e2eOps, "Tidak dikreditkan lagi")
	credited := e.waitFor(e2eBuyer, "Saldo sekarang")

	e.say("/start")
	e.tap("Pulsa")
	e.tap("Telkomsel")
	e.tap("Telkomsel 10.000")
	e.say("081234561000")
	e.tap("✅ Konfirmasi")
	receipt := e.waitFor(e2eBuyer, "Transaksi berhasil")
	if !strings.Contains(receipt.Text, "Sisa saldo: Rp ") {
		t.Errorf("receipt without the saldo: %q", receipt.Text)
	}
	e.stop()

	db, err := storage.Open(filepath.Join(e.dir, "bot.db"), storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries, err := db.Entries(context.Background(), e2eBuyer, 0)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[flows.EntryKind]int{}
	var deposit int64
	for _, en := range entries {
		kinds[en.Kind]++
		if en.Kind == flows.EntryDeposit {
			deposit = en.Balance
		}
	}
	if kinds[flows.EntryDeposit] != 1 || kinds[flows.EntryHold] != 1 || kinds[flows.EntryPurchase] != 1 || len(entries) != 3 {
		t.Errorf("entries %+v, want one deposit, one hold, one purchase", entries)
	}
	w, err := db.Wallet(context.Background(), e2eBuyer)
	if err != nil {
		t.Fatal(err)
	}
	if w.Held != 0 || w.Balance >= deposit || !strings.Contains(credited.Text, flows.FormatRupiah(deposit)) {
		t.Errorf("wallet %+v after a deposit of %d (told %q)", w, deposit, credited.Text)
	}
}
