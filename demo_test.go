package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"topupbot/internal/testbuf"
)

// TestDemoShowsTheWholeBot: piped into, the demo echoes each input, so the
// output reads as a transcript; its user is an admin, so admin commands
// answer; and the ops group's lines print marked [ops], so an order the
// provider refuses for the account (…0102: IP not whitelisted) shows the
// alert admins would get.
func TestDemoShowsTheWholeBot(t *testing.T) {
	t.Parallel()
	var out testbuf.Buffer // the terminal and the log write to it from their goroutines
	script := "/start\n#1\n#5\n#2\n081234560102\n#1\n/balance\n/deposit\n#2\n50000\n"
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := run(ctx, []string{"demo"}, func(string) string { return "" }, strings.NewReader(script), &out, &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"> /start\n", "> #5\n", "> 081234560102\n", "> /balance\n", // the transcript
		"Saldo deposit provider: Rp ",             // /balance, an admin command
		"[ops] ⚠️ Akun provider menolak",          // the alert
		"rc 102: INVALID IP ADDRESS",              // with the provider's answer
		"[ops] ❌ Telkomsel 10.000 · 0812****0102", // and the settlement line
		"Transaksi gagal",
		"Saldo Rp 10.850 sudah dikembalikan.", // the demo has the wallet
		"QRIS deposit Rp 50.000",              // /deposit by QRIS
		"▀",                                   // its QR code as text
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%s", want, got)
		}
	}
	for line := range strings.Lines(got) {
		if strings.HasPrefix(line, "[ops] ") && strings.Contains(line, "081234560102") {
			t.Errorf("an ops line shows the whole customer number: %q", line)
		}
	}
}

// TestDemoNumberFirstAndBuyAgain: the demo buys by typing the number at
// the home menu, waits for the receipt ("...") and buys the same again
// with its "🔁 Beli lagi".
func TestDemoNumberFirstAndBuyAgain(t *testing.T) {
	t.Parallel()
	var out testbuf.Buffer // the terminal and the log write to it from their goroutines
	script := "/start\n0812 3456 7890\n#2\n#1\n...\n#1\n#1\n"
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := run(ctx, []string{"demo"}, func(string) string { return "" }, strings.NewReader(script), &out, &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"📱 081234567890 · Telkomsel", "[1] 🔁 Beli lagi", "[2] 🏠 Menu"} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "success  Telkomsel 10.000  081234567890"); n != 2 {
		t.Errorf("%d orders succeeded, want 2 (the order and its Beli lagi):\n%s", n, got)
	}
}
