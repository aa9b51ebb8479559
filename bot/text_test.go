package bot

import (
	"fmt"
	"strings"
	"testing"

	"topupbot/bot/internal/tglimit"
)

func TestSplitTextShortIsOnePart(t *testing.T) {
	s := strings.Repeat("a", MaxText)
	if got := splitText(s, MaxText); len(got) != 1 || got[0] != s {
		t.Errorf("a text of exactly %d characters was split into %d parts", MaxText, len(got))
	}
}

func TestSplitTextAtLines(t *testing.T) {
	var lines []string
	for i := range 400 {
		lines = append(lines, fmt.Sprintf("<b>%03d</b> Pulsa Telkomsel 10.000 — Rp 10.500 &amp; bonus", i))
	}
	text := strings.Join(lines, "\n")
	parts := splitText(text, MaxText)
	if len(parts) < 2 {
		t.Fatalf("got %d parts, want several", len(parts))
	}
	var got []string
	for i, p := range parts {
		if n := tglimit.Len(p); n > MaxText {
			t.Errorf("part %d: %d characters", i, n)
		}
		if strings.HasPrefix(p, "\n") || strings.HasSuffix(p, "\n") {
			t.Errorf("part %d starts or ends with a blank line", i)
		}
		got = append(got, strings.Split(p, "\n")...)
	}
	if strings.Join(got, "\n") != text {
		t.Error("the parts joined at line boundaries differ from the text")
	}
}

func TestSplitTextBalancesTags(t *testing.T) {
	body := strings.Repeat("line of a receipt\n", 600)
	text := "<b>History</b>\n<pre>" + body + "</pre>\n<i>end</i>"
	parts := splitText(text, MaxText)
	if len(parts) < 2 {
		t.Fatalf("got %d parts", len(parts))
	}
	for i, p := range parts {
		if strings.Count(p, "<pre>") != strings.Count(p, "</pre>") {
			t.Errorf("part %d: unbalanced <pre>:\n%.80s…%s", i, p, p[max(0, len(p)-40):])
		}
		if tglimit.Len(p) > MaxText {
			t.Errorf("part %d: %d characters", i, tglimit.Len(p))
		}
	}
	if !strings.HasPrefix(parts[1], "<pre>") {
		t.Errorf("part 2 does not reopen <pre>: %.40q", parts[1])
	}
}

func TestSplitTextLongLine(t *testing.T) {
	// One line, emoji (two UTF-16 units each) and entities, no newline.
	text := strings.Repeat("😀 &amp; ", 3000)
	parts := splitText(text, MaxText)
	var joined strings.Builder
	for i, p := range parts {
		if tglimit.Len(p) > MaxText {
			t.Errorf("part %d: %d characters", i, tglimit.Len(p))
		}
		if strings.Count(p, "&") != strings.Count(p, "&amp;") {
			t.Errorf("part %d cuts an entity", i)
		}
		joined.WriteString(p)
	}
	if strings.ReplaceAll(joined.String(), " ", "") != strings.ReplaceAll(text, " ", "") {
		t.Error("text lost in the split")
	}
}

func TestPlainText(t *testing.T) {
	tests := map[string]string{
		"<b>Pulsa</b> 10.000":                          "Pulsa 10.000",
		"SN: <code>1234-5678</code>":                   "SN: 1234-5678",
		"a &lt;b&gt; &amp; &quot;c&quot;":              `a <b> & "c"`,
		`<a href="https://x.id/?a=1&amp;b=2">link</a>`: "link",
		"5 < 6 & 7": "5 < 6 & 7",
	}
	for in, want := range tests {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
}
