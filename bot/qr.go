package bot

import (
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	qrcode "github.com/skip2/go-qrcode"

	"topupbot/bot/internal/tglimit"
)

// qrSize is the side of a QR code image in pixels: large enough for a
// phone's camera to read a QRIS payload off another screen.
const qrSize = 512

// qrPNG renders payload (a QRIS string, an eSIM activation code) as a PNG.
// Medium error correction is what QRIS payloads are printed with.
func qrPNG(payload string) ([]byte, error) {
	png, err := qrcode.Encode(payload, qrcode.Medium, qrSize)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	return png, nil
}

// qrJob is a QR code as a new photo message, text as its caption. A text
// too long for a caption follows the photo as messages of its own, the
// keyboard on the last.
func qrJob(chatID int64, payload, text string, kb *tgbotapi.InlineKeyboardMarkup) (*job, error) {
	png, err := qrPNG(payload)
	if err != nil {
		return nil, err
	}
	if tglimit.Len(plainText(text)) <= tglimit.Caption {
		return &job{chatID: chatID, done: make(chan struct{}), parts: []part{{photo: png, text: text, markup: kb}}}, nil
	}
	j, err := newJob(chatID, 0, text, kb)
	if err != nil {
		return nil, err
	}
	j.parts = append([]part{{photo: png}}, j.parts...)
	return j, nil
}

// qrArt is payload as a QR code of text for the demo's terminal: two
// modules a character, light on dark, as phone cameras read them off a
// terminal. A payload the encoder refuses is printed as it is.
func qrArt(payload string) string {
	q, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return payload + "\n"
	}
	return q.ToSmallString(false)
}
