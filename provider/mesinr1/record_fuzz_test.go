package mesinr1

import (
	"strings"
	"testing"
)

// FuzzSNFromMsg: the SN taken out of a message is a piece of it, trimmed,
// never "-", and never the next part's key ("HRG:"); a message without
// "SN" gives none. Seeds in testdata/fuzz/FuzzSNFromMsg.
func FuzzSNFromMsg(f *testing.F) {
	f.Fuzz(func(t *testing.T, msg string) {
		sn := snFromMsg(msg)
		if sn == "" {
			return
		}
		switch {
		case !strings.Contains(msg, sn):
			t.Fatalf("snFromMsg(%q) = %q: not in the message", msg, sn)
		case sn != strings.TrimSpace(sn) || strings.TrimRight(sn, ".,; ") != sn:
			t.Fatalf("snFromMsg(%q) = %q: untrimmed", msg, sn)
		case sn == "-":
			t.Fatalf("snFromMsg(%q) = %q", msg, sn)
		case !strings.Contains(strings.ToUpper(msg), "N"):
			t.Fatalf("snFromMsg(%q) = %q without an SN marker", msg, sn)
		case snNone.MatchString(sn):
			t.Fatalf("snFromMsg(%q) = %q: the next part's key", msg, sn)
		}
	})
}
