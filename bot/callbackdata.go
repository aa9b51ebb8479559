package bot

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"topupbot/bot/internal/tglimit"
	"topupbot/flows"
)

// MaxCallbackData is Telegram's limit on an inline button's callback_data,
// in bytes (not characters).
const MaxCallbackData = tglimit.CallbackData

// callbackSep separates the menu id, the action and the argument. The menu
// and the action may not contain it; the argument is the rest of the data
// and may contain anything, so no escaping is needed and the encoding of a
// ButtonData within flows' bounds (8 + 8 + MaxButtonArg bytes) never passes
// 64 bytes: 8+1+8+1+40 = 58.
const callbackSep = "|"

// EncodeButton encodes d as callback_data "menu|action|arg". It refuses,
// rather than truncates, data that Telegram would reject: a separator in the
// menu or action, invalid UTF-8, or more than 64 bytes. Such data is a
// programming error in flows.
func EncodeButton(d flows.ButtonData) (string, error) {
	switch {
	case strings.Contains(d.Menu, callbackSep):
		return "", fmt.Errorf("callback data: menu %q contains %q", d.Menu, callbackSep)
	case strings.Contains(d.Action, callbackSep):
		return "", fmt.Errorf("callback data: action %q contains %q", d.Action, callbackSep)
	case !utf8.ValidString(d.Menu) || !utf8.ValidString(d.Action) || !utf8.ValidString(d.Arg):
		return "", fmt.Errorf("callback data: invalid UTF-8 in %q/%q", d.Menu, d.Action)
	}
	s := d.Menu + callbackSep + d.Action + callbackSep + d.Arg
	if len(s) > MaxCallbackData {
		return "", fmt.Errorf("callback data: menu %q action %q: %d bytes, over Telegram's %d", d.Menu, d.Action, len(s), MaxCallbackData)
	}
	return s, nil
}

// DecodeButton is the inverse of EncodeButton. Anything it did not produce —
// a button of another bot version, a forged query — decodes to the empty
// ButtonData, which flows answers as an expired menu.
func DecodeButton(s string) flows.ButtonData {
	if len(s) > MaxCallbackData || !utf8.ValidString(s) {
		return flows.ButtonData{}
	}
	menu, rest, ok := strings.Cut(s, callbackSep)
	if !ok {
		return flows.ButtonData{}
	}
	action, arg, ok := strings.Cut(rest, callbackSep)
	if !ok {
		return flows.ButtonData{}
	}
	return flows.ButtonData{Menu: menu, Action: action, Arg: arg}
}
