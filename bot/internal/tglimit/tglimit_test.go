package tglimit

import (
	"testing"
	"unicode/utf16"
)

// TestLen counts as Telegram does: a character outside the BMP (an emoji)
// is two code units, an invalid byte one.
func TestLen(t *testing.T) {
	for _, s := range []string{"", "abc", "Rp10.000 ✓", "😀", "a😀b", "\xff", "<b>x</b>"} {
		want := len(utf16.Encode([]rune(s)))
		if got := Len(s); got != want {
			t.Errorf("Len(%q) = %d, want %d", s, got, want)
		}
	}
}
