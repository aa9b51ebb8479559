package flows

import "unicode/utf16"

// maxText and utf16Len are Telegram's limit on a message, counted as the bot
// counts it (UTF-16 code units of the raw HTML), for the admin commands'
// pages only. The outbox asks its Notifier instead (Notifier.Fits); the
// conversation is not handed the transport yet, so pages keeps this copy
// until ServiceConfig is.
const maxText = 4096

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
