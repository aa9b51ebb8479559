package telegramtest

import (
	"fmt"
	"html"
	"strconv"
	"strings"
)

// htmlTags are the tags of Telegram's HTML parse mode
// (https://core.telegram.org/bots/api#html-style).
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
}

// checkHTML refuses what Telegram's HTML parser refuses: an unknown tag, a
// tag not closed or closed out of order, a '<' that starts no tag, a named
// entity other than &lt; &gt; &amp; &quot;. A bare '&' is refused too: it
// is how unescaped user text shows.
func checkHTML(s string) error {
	var stack []string
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			inner := s[i+1 : i+j]
			closing := strings.HasPrefix(inner, "/")
			inner = strings.TrimPrefix(inner, "/")
			name := inner
			if k := strings.IndexAny(inner, " \t\n"); k >= 0 {
				name = inner[:k]
			}
			name = strings.ToLower(name)
			if !htmlTags[name] {
				return fmt.Errorf("unsupported start tag %q at byte offset %d", name, i)
			}
			if closing {
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return fmt.Errorf("can't find end tag corresponding to start tag %q", name)
				}
				stack = stack[:len(stack)-1]
			} else {
				stack = append(stack, name)
			}
			i += j
		case '&':
			j := strings.IndexByte(s[i:], ';')
			if j < 0 {
				return fmt.Errorf("unescaped '&' at byte offset %d", i)
			}
			ent := s[i+1 : i+j]
			switch {
			case ent == "lt" || ent == "gt" || ent == "amp" || ent == "quot":
			case strings.HasPrefix(ent, "#x") || strings.HasPrefix(ent, "#X"):
				if _, err := strconv.ParseUint(ent[2:], 16, 32); err != nil {
					return fmt.Errorf("bad entity &%s; at byte offset %d", ent, i)
				}
			case strings.HasPrefix(ent, "#"):
				if _, err := strconv.ParseUint(ent[1:], 10, 32); err != nil {
					return fmt.Errorf("bad entity &%s; at byte offset %d", ent, i)
				}
			default:
				return fmt.Errorf("unsupported HTML entity &%s; at byte offset %d", ent, i)
			}
			i += j
		}
	}
	if len(stack) > 0 {
		return fmt.Errorf("can't find end tag corresponding to start tag %q", stack[len(stack)-1])
	}
	return nil
}

// render is the text a person sees: for HTML, tags removed and entities
// unescaped.
func render(text, mode string) string {
	if mode != "HTML" {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] == '<' {
			if j := strings.IndexByte(text[i:], '>'); j >= 0 {
				i += j
				continue
			}
		}
		b.WriteByte(text[i])
	}
	return html.UnescapeString(b.String())
}

func itoa(n int) string { return strconv.Itoa(n) }
