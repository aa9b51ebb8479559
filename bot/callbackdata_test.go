package bot

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"topupbot/flows"
)

func TestButtonDataRoundTrip(t *testing.T) {
	tests := []flows.ButtonData{
		{},
		{Menu: "m1", Action: "buy", Arg: "TSEL10"},
		{Menu: "abcdefgh", Action: "confirm!", Arg: strings.Repeat("x", flows.MaxButtonArg)},
		// The argument may carry the separator: it is the rest of the data.
		{Menu: "m", Action: "a", Arg: "a|b|c"},
		{Menu: "m", Action: "a", Arg: strings.Repeat("|", flows.MaxButtonArg)},
		// Bytes, not characters: 20 two-byte, 13 three-byte, 10 four-byte runes.
		{Menu: "12345678", Action: "abcdefgh", Arg: strings.Repeat("é", flows.MaxButtonArg/2)},
		{Menu: "12345678", Action: "abcdefgh", Arg: strings.Repeat("日", flows.MaxButtonArg/3)},
		{Menu: "12345678", Action: "abcdefgh", Arg: strings.Repeat("😀", flows.MaxButtonArg/4)},
		{Menu: "ménü", Action: "ação", Arg: "Paket Data 10GB — Rp 50.000"},
	}
	for _, d := range tests {
		s, err := EncodeButton(d)
		if err != nil {
			t.Errorf("EncodeButton(%+v): %v", d, err)
			continue
		}
		if len(s) > MaxCallbackData {
			t.Errorf("EncodeButton(%+v) = %d bytes, over %d", d, len(s), MaxCallbackData)
		}
		if got := DecodeButton(s); got != d {
			t.Errorf("DecodeButton(EncodeButton(%+v)) = %+v", d, got)
		}
	}
}

// TestButtonDataWithinBoundsFits: any menu and action of at most 8 bytes and
// argument of at most MaxButtonArg bytes fits Telegram's 64 bytes.
func TestButtonDataWithinBoundsFits(t *testing.T) {
	seed := rand.Uint64()
	rng := rand.New(rand.NewPCG(seed, 0))
	alphabet := []rune("aZ09_-.:é日😀|")
	gen := func(maxBytes int, sep bool) string {
		var b strings.Builder
		for {
			r := alphabet[rng.IntN(len(alphabet))]
			if !sep && r == '|' {
				continue
			}
			if b.Len()+utf8.RuneLen(r) > maxBytes || rng.IntN(12) == 0 {
				return b.String()
			}
			b.WriteRune(r)
		}
	}
	for range 2000 {
		d := flows.ButtonData{Menu: gen(8, false), Action: gen(8, false), Arg: gen(flows.MaxButtonArg, true)}
		s, err := EncodeButton(d)
		if err != nil || len(s) > MaxCallbackData || DecodeButton(s) != d {
			t.Fatalf("seed %d: %+v: encoded %q (%d bytes), err %v, decoded %+v", seed, d, s, len(s), err, DecodeButton(s))
		}
	}
}

func TestEncodeButtonRefuses(t *testing.T) {
	tests := map[string]flows.ButtonData{
		"over 64 bytes":        {Menu: "menu", Action: "act", Arg: strings.Repeat("日", 20)},
		"separator in menu":    {Menu: "a|b", Action: "x"},
		"separator in action":  {Menu: "m", Action: "x|y"},
		"invalid UTF-8 in arg": {Menu: "m", Action: "a", Arg: "\xff"},
	}
	for name, d := range tests {
		if s, err := EncodeButton(d); err == nil {
			t.Errorf("%s: EncodeButton(%+v) = %q, want an error", name, d, s)
		}
	}
}

func TestDecodeButtonGarbage(t *testing.T) {
	for _, s := range []string{"", "x", "menu|action", "\xff|a|b", strings.Repeat("a|", 40)} {
		if got := DecodeButton(s); got != (flows.ButtonData{}) {
			t.Errorf("DecodeButton(%q) = %+v, want empty", s, got)
		}
	}
}
