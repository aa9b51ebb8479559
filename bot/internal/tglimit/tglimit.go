// Package tglimit holds Telegram's limits on what a bot sends, once, for
// the bot and for its fake Bot API (bot/telegramtest) alike. It lives apart
// from bot because bot's own tests import the fake: the fake cannot import
// bot without an import cycle.
//
// Package tglimit decides nothing: splitting a long text is bot's, refusing
// one is the fake's.
package tglimit

// Text is Telegram's limit on a message text: 4096 characters, counted in
// UTF-16 code units after entity parsing
// (https://core.telegram.org/bots/api#sendmessage).
const Text = 4096

// Caption is Telegram's limit on a photo's caption, counted as Text is
// (https://core.telegram.org/bots/api#sendphoto).
const Caption = 1024

// CallbackData is Telegram's limit on an inline button's callback_data, in
// bytes (not characters).
const CallbackData = 64

// Len is the length of s as Telegram counts it: UTF-16 code units.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n += RuneLen(r)
	}
	return n
}

// RuneLen is the number of UTF-16 code units of r: two outside the Basic
// Multilingual Plane, one otherwise (an invalid byte of s is one U+FFFD).
func RuneLen(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}
