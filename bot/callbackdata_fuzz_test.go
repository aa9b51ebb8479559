package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"topupbot/flows"
)

// The seeds of the bot's fuzz targets are in testdata/fuzz/<target>: the
// conversation's real buttons, old and foreign formats, and garbage. go
// test runs them as ordinary tests.

// FuzzDecodeButton: any callback_data a client can send — ours, another
// bot version's, a forged one — decodes without panicking; what decodes to
// a button re-encodes to exactly the same bytes, within 64; the rest
// decodes to the empty button, which flows answers as an expired menu.
func FuzzDecodeButton(f *testing.F) {
	f.Fuzz(func(t *testing.T, data string) {
		d := DecodeButton(data)
		if d == (flows.ButtonData{}) {
			if data != "||" && valid(data) {
				t.Fatalf("DecodeButton(%q) is empty, yet the data is well formed", data)
			}
			return
		}
		s, err := EncodeButton(d)
		if err != nil {
			t.Fatalf("DecodeButton(%q) = %+v, which does not encode: %v", data, d, err)
		}
		if s != data || len(s) > MaxCallbackData {
			t.Fatalf("DecodeButton(%q) = %+v, which encodes as %q", data, d, s)
		}
	})
}

// valid is the oracle's reading of the format: at most 64 bytes of UTF-8
// with at least two separators.
func valid(s string) bool {
	return len(s) <= MaxCallbackData && utf8.ValidString(s) && strings.Count(s, callbackSep) >= 2
}

// FuzzEncodeButton: a button within flows' bounds (menu and action of at
// most 8 bytes without the separator, an argument of at most MaxButtonArg
// bytes, all UTF-8) always encodes, within 64 bytes, and decodes back to
// itself; anything EncodeButton accepts does.
func FuzzEncodeButton(f *testing.F) {
	f.Fuzz(func(t *testing.T, menu, action, arg string) {
		d := flows.ButtonData{Menu: menu, Action: action, Arg: arg}
		s, err := EncodeButton(d)
		inBounds := len(menu) <= 8 && len(action) <= 8 && len(arg) <= flows.MaxButtonArg &&
			!strings.Contains(menu, callbackSep) && !strings.Contains(action, callbackSep) &&
			utf8.ValidString(menu) && utf8.ValidString(action) && utf8.ValidString(arg)
		if err != nil {
			if inBounds {
				t.Fatalf("EncodeButton(%+v): %v", d, err)
			}
			return
		}
		if len(s) > MaxCallbackData || !utf8.ValidString(s) {
			t.Fatalf("EncodeButton(%+v) = %q: %d bytes", d, s, len(s))
		}
		if got := DecodeButton(s); got != d {
			t.Fatalf("DecodeButton(EncodeButton(%+v)) = %+v", d, got)
		}
	})
}

// FuzzParseCommand: a message is a command only if it starts with "/" and
// a name of letters, digits and underscores of at most 32 bytes; the name
// comes back lower-case, the arguments trimmed, and "/Name@bot args" is
// addressed to "bot".
func FuzzParseCommand(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string) {
		cmd, args, to, ok := parseCommand(text)
		if !ok {
			if cmd != "" || args != "" || to != "" {
				t.Fatalf("parseCommand(%q) refused but returned %q %q %q", text, cmd, args, to)
			}
			return
		}
		if !strings.HasPrefix(text, "/") || cmd == "" || len(cmd) > 32 || !isCommandName(cmd) || cmd != strings.ToLower(cmd) {
			t.Fatalf("parseCommand(%q) = command %q", text, cmd)
		}
		if args != strings.TrimSpace(args) || !strings.Contains(text, args) {
			t.Fatalf("parseCommand(%q) = args %q", text, args)
		}
		if !strings.HasPrefix(strings.ToLower(text), "/"+cmd) {
			t.Fatalf("parseCommand(%q) = %q: not the text's first word", text, cmd)
		}
		if to != "" && !strings.Contains(text, "@"+to) {
			t.Fatalf("parseCommand(%q) addressed to %q", text, to)
		}
	})
}
