package bot

import (
	"html"
	"strings"
	"testing"

	"topupbot/bot/internal/tglimit"
)

// fuzzTags are what a control byte in a fuzzed text opens: the tags the
// message catalogue uses, with a link whose href is long enough to matter
// at a cut.
var fuzzTags = []struct{ open, close string }{
	{"<b>", "</b>"},
	{"<i>", "</i>"},
	{"<code>", "</code>"},
	{"<pre>", "</pre>"},
	{`<a href="https://example.com/order?ref=R261123090000ABCD&amp;chat=1">`, "</a>"},
}

// fuzzHTML turns fuzzed text into valid Telegram HTML: the text is escaped,
// \x01..\x05 open a tag, \x06 closes the innermost open one; tags still open
// at the end are closed.
func fuzzHTML(s string) string {
	var b strings.Builder
	var stack []int
	var run strings.Builder
	flush := func() { b.WriteString(html.EscapeString(run.String())); run.Reset() }
	for _, r := range s {
		switch {
		case r >= 1 && r <= 5 && len(stack) < 4:
			flush()
			stack = append(stack, int(r-1))
			b.WriteString(fuzzTags[r-1].open)
		case r == 6 && len(stack) > 0:
			flush()
			b.WriteString(fuzzTags[stack[len(stack)-1]].close)
			stack = stack[:len(stack)-1]
		case r >= 1 && r <= 6:
		default:
			run.WriteRune(r)
		}
	}
	flush()
	for i := len(stack) - 1; i >= 0; i-- {
		b.WriteString(fuzzTags[stack[i]].close)
	}
	return b.String()
}

// balanced reports whether every tag in s is closed, in order.
func balanced(s string) bool {
	var stack []string
	for _, tok := range tokenize(s) {
		if tok.kind != tokTag || tok.selfClosing {
			continue
		}
		if !tok.closing {
			stack = append(stack, tok.name)
			continue
		}
		if len(stack) == 0 || stack[len(stack)-1] != tok.name {
			return false
		}
		stack = stack[:len(stack)-1]
	}
	return len(stack) == 0
}

// FuzzSplitText: a reply of any length (a huge message text, a long SN, a
// list) is cut into parts that each fit Telegram's limit and parse on their
// own (tags balanced), and together show every visible character of the
// text in order; only white space at the cuts may go.
func FuzzSplitText(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, repeat uint8, small bool) {
		text := fuzzHTML(strings.Repeat(s, 1+int(repeat)))
		limit := MaxText
		if small {
			limit = 300
		}
		parts := splitText(text, limit)
		var got strings.Builder
		for i, p := range parts {
			// Telegram counts what is shown, not the tags: reopened tags
			// may take a part's markup past the limit, never its text.
			if n := tglimit.Len(plainText(p)); n > limit {
				t.Fatalf("part %d of %d: %d characters, over %d", i, len(parts), n, limit)
			}
			if !balanced(p) {
				t.Fatalf("part %d is not balanced: %q", i, p)
			}
			got.WriteString(plainText(p))
		}
		squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if squeeze(got.String()) != squeeze(plainText(text)) {
			t.Fatalf("the parts show %q, the text %q", squeeze(got.String()), squeeze(plainText(text)))
		}
	})
}
