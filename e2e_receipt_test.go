package main

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"topupbot/bot/telegramtest"
)

// TestEndToEndESIMReceipt: an eSIM's receipt reaches Telegram as a photo of
// its activation code's QR, the receipt as the caption with the code to
// copy and the install steps; /struk REF sends the same photo again, and
// another chat's /struk of that ref is told it is not found.
func TestEndToEndESIMReceipt(t *testing.T) {
	const otherBuyer = int64(4343)
	e := newE2E(t, 200*time.Millisecond)
	e.cfg.Telegram.AllowedUsers = append(e.cfg.Telegram.AllowedUsers, otherBuyer)
	e.start()
	e.say("/start")
	e.waitFor(e2eBuyer, "Mau beli apa")
	e.tap("eSIM")
	e.waitFor(e2eBuyer, "Pilih operator")
	e.tap("eSIM Japan")
	e.waitFor(e2eBuyer, "Pilih produk")
	e.tap("eSIM Japan 3 GB")
	e.waitFor(e2eBuyer, "Ketik nomor")
	e.say("081234567890")
	e.waitFor(e2eBuyer, "Konfirmasi pesanan")
	e.tap("✅ Konfirmasi")
	receipt := e.waitFor(e2eBuyer, "Transaksi berhasil")
	if _, err := png.Decode(bytes.NewReader(receipt.Photo)); err != nil {
		t.Fatalf("the eSIM receipt is not a QR photo (%v): %q", err, receipt.Text)
	}
	for _, want := range []string{"Kode aktivasi: <code>LPA:1$", "Waktu: ", "Pindai kode QR ini"} {
		if !strings.Contains(receipt.Text, want) {
			t.Errorf("eSIM receipt lacks %q:\n%s", want, receipt.Text)
		}
	}
	ref := between(receipt.Text, "Ref: <code>", "</code>")
	if ref == "" {
		t.Fatalf("no ref in %q", receipt.Text)
	}

	e.say("/struk " + ref)
	ok := e.fake.WaitFor(func() bool { return countPhotos(e.fake.Messages(e2eBuyer), ref) == 2 }, 30*time.Second)
	if !ok {
		t.Fatalf("/struk %s did not send the QR receipt again:\n%s", ref, dump(e.fake.Messages(e2eBuyer)))
	}

	e.fake.SendText(otherBuyer, otherBuyer, "/struk "+ref)
	e.waitFor(otherBuyer, "tidak ditemukan")
	for _, m := range e.fake.Messages(otherBuyer) {
		if strings.Contains(m.Text, "LPA:") || len(m.Photo) > 0 {
			t.Errorf("another chat got the receipt: %q", m.Text)
		}
	}
}

func countPhotos(msgs []telegramtest.Message, ref string) int {
	n := 0
	for _, m := range msgs {
		if len(m.Photo) > 0 && strings.Contains(m.Text, ref) {
			n++
		}
	}
	return n
}

func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}
