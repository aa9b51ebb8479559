package main

import (
	"strings"
	"testing"
	"time"
)

// TestEndToEndNumberFirstAndBuyAgain: through the binary, a number typed
// at the home menu offers its operator's products, a product tap goes to
// the confirm screen, and the receipt's "🔁 Beli lagi" opens a fresh
// confirm screen for the same product and number — one order per Confirm.
func TestEndToEndNumberFirstAndBuyAgain(t *testing.T) {
	t.Parallel()
	e := newE2E(t, 200*time.Millisecond)
	e.start()
	e.say("/start")
	e.waitFor(e2eBuyer, "Mau beli apa")
	e.say("+62 812-1234-5678")
	e.waitFor(e2eBuyer, "Telkomsel")
	e.tap("Telkomsel 10.000")
	confirm := e.waitFor(e2eBuyer, "Konfirmasi pesanan")
	if !strings.Contains(confirm.Text, "081212345678") {
		t.Errorf("confirm screen %q lacks the typed number", confirm.Text)
	}
	e.tap("✅ Konfirmasi")
	receipt := e.waitFor(e2eBuyer, "Transaksi berhasil")
	e.tap("🔁 Beli lagi")
	e.waitAfter(receipt.ID, "Konfirmasi pesanan")
	e.tap("✅ Konfirmasi")
	waitCount(e, "Transaksi berhasil", 2)

	// The last orders on /start, one tap from a confirm screen.
	e.say("/start")
	home := e.waitAfter(receipt.ID, "Mau beli apa")
	e.tap("🔁 Telkomsel 10.000")
	e.waitAfter(home.ID, "Konfirmasi pesanan")
	e.stop()
	if n := e.orders(); n != 2 {
		t.Errorf("%d orders, want 2: taps of Beli lagi must not order", n)
	}
}

// TestEndToEndCodeBuying: with two providers, a route's code and a
// provider's own code (without its provider) typed with the number go
// straight to the confirm screen.
func TestEndToEndCodeBuying(t *testing.T) {
	t.Parallel()
	e := newMultiE2E(t, 0)
	e.start()
	e.say("T10 0812-1234-5678")
	confirm := e.waitFor(e2eBuyer, "Konfirmasi pesanan")
	if !strings.Contains(confirm.Text, "Pulsa Telkomsel 10rb") || !strings.Contains(confirm.Text, "081212345678") {
		t.Errorf("route code's confirm screen %q", confirm.Text)
	}
	e.tap("✅ Konfirmasi")
	receipt := e.waitFor(e2eBuyer, "Transaksi berhasil")
	e.tap("🔁 Beli lagi")
	again := e.waitAfter(receipt.ID, "Konfirmasi pesanan")
	if !strings.Contains(again.Text, "Pulsa Telkomsel 10rb") {
		t.Errorf("Beli lagi of the route: %q", again.Text)
	}
	e.tap("❌ Batal")
	e.say("dana25 0878 0000 1230")
	dana := e.waitAfter(again.ID, "DANA 25.000")
	if !strings.Contains(dana.Text, "Konfirmasi pesanan") {
		t.Errorf("a provider's code: %q", dana.Text)
	}
	e.tap("✅ Konfirmasi")
	waitCount(e.e2e, "Transaksi berhasil", 2)
	e.stop()
	orders := byProduct(e.e2e)
	if o := orders["Pulsa Telkomsel 10rb"]; o.ShopCode != "T10" || o.ProductCode != "tsel10" {
		t.Errorf("the route's order: shop code %q, provider code %q", o.ShopCode, o.ProductCode)
	}
	if o := orders["DANA 25.000"]; o.Account.Provider != "digiflazz" || o.ProductCode != "dana25" {
		t.Errorf("the code's order: %+v", o)
	}
}
