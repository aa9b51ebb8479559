package bot

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"strings"
	"testing"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
)

// TestQRReplyIsAPhoto: a reply with a QR payload is a PNG photo whose
// caption is the reply's text, its keyboard under it; a text too long for
// a caption follows the photo as a message of its own.
func TestQRReplyIsAPhoto(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	long := strings.Repeat("Bayar sebelum 03/12 15:00 WIB. ", 60)
	h := handlerFunc(func(ctx context.Context, in flows.Input) (flows.Output, error) {
		r := flows.Reply{QR: "00020101021226610016ID.CO.QRIS.WWW" + in.Text, Text: "📱 <b>QRIS deposit Rp 50.000</b>",
			Buttons: [][]flows.Button{{{Label: "🏠 Menu", Data: flows.ButtonData{Menu: "m1", Action: "x"}}}}}
		if in.Text == "long" {
			r.Text = long
		}
		return flows.Output{Replies: []flows.Reply{r}}, nil
	})
	start(t, fastConfig(t, srv, h))
	srv.SendText(100, 100, "short")
	waitFor(t, srv, "the photo", func() bool { return len(srv.Messages(100)) == 1 })
	m := srv.Messages(100)[0]
	img, err := png.Decode(bytes.NewReader(m.Photo))
	if err != nil {
		t.Fatalf("photo is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != qrSize || b.Dy() != qrSize {
		t.Errorf("QR image %v, want %d×%d", b, qrSize, qrSize)
	}
	if m.Text != "📱 <b>QRIS deposit Rp 50.000</b>" || m.ParseMode != "HTML" || len(m.Buttons) != 1 {
		t.Errorf("caption %q (%s), buttons %+v", m.Text, m.ParseMode, m.Buttons)
	}

	srv.SendText(200, 200, "long")
	waitFor(t, srv, "the photo and its text", func() bool { return len(srv.Messages(200)) == 2 })
	ms := srv.Messages(200)
	if len(ms[0].Photo) == 0 || ms[0].Text != "" || len(ms[1].Photo) != 0 || ms[1].Text != strings.TrimSpace(long) && ms[1].Text != long || len(ms[1].Buttons) != 1 {
		t.Errorf("long caption: photo %d bytes caption %q, then %q with %d button rows", len(ms[0].Photo), ms[0].Text, ms[1].Text, len(ms[1].Buttons))
	}
}

// TestQRArt: the terminal's QR is block characters, a square of them.
func TestQRArt(t *testing.T) {
	art := qrArt("00020101021226610016ID.CO.QRIS.WWW")
	lines := strings.Split(strings.TrimRight(art, "\n"), "\n")
	if len(lines) < 10 || !strings.ContainsAny(art, "█▀▄") {
		t.Fatalf("QR art:\n%s", art)
	}
}

// TestQRCaptionEdited: the photo's message id reaches Reply.Sent, and an
// edit notification with Caption edits that photo's caption.
func TestQRCaptionEdited(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	ids := make(chan int, 1)
	h := handlerFunc(func(ctx context.Context, in flows.Input) (flows.Output, error) {
		return flows.Output{Replies: []flows.Reply{{QR: "0002010102", Text: "📱 Bayar", Sent: func(id int) { ids <- id }}}}, nil
	})
	b := start(t, fastConfig(t, srv, h))
	srv.SendText(100, 100, "qr")
	var id int
	select {
	case id = <-ids:
	case <-t.Context().Done():
		t.Fatal("Sent was never called")
	}
	if err := b.Deliver(t.Context(), flows.Notification{Kind: flows.NotifyEdit, Caption: true, ChatID: 100, MessageID: id, Text: "✅ Dibayar"}); err != nil {
		t.Fatal(err)
	}
	m := srv.Messages(100)[0]
	if m.ID != id || m.Text != "✅ Dibayar" || len(m.Photo) == 0 {
		t.Errorf("after the caption edit: id %d (want %d), caption %q, photo %d bytes", m.ID, id, m.Text, len(m.Photo))
	}
	// A text edit of the photo is refused by Telegram, for good.
	err := b.Deliver(t.Context(), flows.Notification{Kind: flows.NotifyEdit, ChatID: 100, MessageID: id, Text: "x"})
	var de *flows.DeliveryError
	if !errors.As(err, &de) {
		t.Errorf("text edit of a photo: %v", err)
	}
}

// TestQRNotificationIsAPhoto: an outbox notification with a QR payload (an
// eSIM's activation code) is delivered as a PNG photo whose caption is the
// receipt, its buttons under it.
func TestQRNotificationIsAPhoto(t *testing.T) {
	srv := telegramtest.NewServer(t, testToken)
	b := start(t, fastConfig(t, srv, handlerFunc(func(ctx context.Context, in flows.Input) (flows.Output, error) {
		return flows.Output{}, nil
	})))
	n := flows.Notification{Kind: flows.NotifySend, ChatID: 300, QR: "LPA:1$smdp.sandbox.example$ABCDE-FGHIJ",
		Text:    "✅ <b>Transaksi berhasil</b>\nKode aktivasi: <code>LPA:1$smdp.sandbox.example$ABCDE-FGHIJ</code>",
		Buttons: [][]flows.Button{{{Label: "🏠 Menu", Data: flows.ButtonData{Action: "x"}}}}}
	if err := b.Deliver(t.Context(), n); err != nil {
		t.Fatal(err)
	}
	ms := srv.Messages(300)
	if len(ms) != 1 {
		t.Fatalf("%d messages, want the one photo", len(ms))
	}
	if _, err := png.Decode(bytes.NewReader(ms[0].Photo)); err != nil {
		t.Fatalf("photo is not a PNG: %v", err)
	}
	if ms[0].Text != n.Text || ms[0].ParseMode != "HTML" || len(ms[0].Buttons) != 1 {
		t.Errorf("caption %q (%s), buttons %+v", ms[0].Text, ms[0].ParseMode, ms[0].Buttons)
	}
}
