package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"topupbot/flows"
	"topupbot/internal/config"
	"topupbot/storage"
)

// TestEndToEndQRISDeposit runs a QRIS deposit through the binary with the
// sandbox gateway: the QR arrives as a photo with the amount to pay (fee
// included), the QR is paid by hand, the simulator's signed callback
// credits the deposit's own amount once — a second pay changes nothing —
// and the buyer is told, the QR's caption edited to paid.
func TestEndToEndQRISDeposit(t *testing.T) {
	t.Parallel()
	e := newE2E(t, 0)
	e.cfg.Wallet.Enabled = true
	e.cfg.Wallet.TransferInfo = "BCA 1234567890 a.n. Toko Budi"
	e.cfg.Callback.Listen = freeAddr(t)
	e.cfg.Payment.Gateway = config.GatewaySandbox
	e.start()

	e.say("/deposit")
	e.waitFor(e2eBuyer, "Bayar dengan apa?")
	e.tap("📱 QRIS")
	e.waitFor(e2eBuyer, "ketik jumlah lain")
	e.say("50000")
	qr := e.waitFor(e2eBuyer, "QRIS deposit Rp 50.000")
	if len(qr.Photo) == 0 || !strings.Contains(qr.Text, "(termasuk biaya") {
		t.Fatalf("QR message: photo %d bytes, caption %q", len(qr.Photo), qr.Text)
	}
	i := strings.Index(qr.Text, "ID: <code>")
	if i < 0 {
		t.Fatalf("no deposit id in %q", qr.Text)
	}
	id, _, _ := strings.Cut(qr.Text[i+len("ID: <code>"):], "</code>")

	pay := func() int {
		resp, err := http.Post("http://"+e.cfg.Callback.Listen+"/sandbox/pay?merchant_ref="+id, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := pay(); code != http.StatusOK {
		t.Fatalf("paying by hand: %d", code)
	}
	e.waitFor(e2eBuyer, "Saldo sekarang: <b>Rp 50.000</b>")
	// The QR code's caption says it was paid.
	if paid := e.waitFor(e2eBuyer, "sudah masuk ke saldo Anda"); paid.ID != qr.ID || len(paid.Photo) == 0 {
		t.Errorf("the paid caption is on message %d (photo %d bytes), the QR on %d", paid.ID, len(paid.Photo), qr.ID)
	}
	pay()
	e.say("/saldo")
	e.waitFor(e2eBuyer, "Saldo Anda: Rp 50.000")
	e.stop()

	db, err := storage.Open(filepath.Join(e.dir, "bot.db"), storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d, err := db.Deposit(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := db.Entries(context.Background(), e2eBuyer, 0)
	if d.State != flows.DepositCredited || len(entries) != 1 || entries[0].Balance != 50000 {
		t.Errorf("deposit %s, entries %+v", d.State, entries)
	}
}
