package bot

import (
	"html"
	"strings"

	"topupbot/bot/internal/tglimit"
)

// MaxText is Telegram's limit on a message text: 4096 characters after
// entity parsing. We count the UTF-16 code units of the raw HTML, tags
// included, which is never less than what Telegram counts.
const MaxText = tglimit.Text

// Fits reports whether text goes out as one Telegram message, counted as
// splitText counts it. The outbox asks it (through Bot and Terminal, its
// flows.Notifier) before it joins ops lines into one message.
func Fits(text string) bool { return tglimit.Len(text) <= MaxText }

// tagReserve is the room left in each part for the tags that splitText
// closes at the end of a part and reopens at the start of the next.
const tagReserve = 256

// splitText cuts an HTML text into parts of at most limit characters,
// preferring line boundaries. A tag open across a cut (a <pre> block, a <b>
// spanning lines) is closed at the end of the part and reopened at the start
// of the next, so every part parses on its own.
func splitText(s string, limit int) []string {
	if tglimit.Len(s) <= limit {
		return []string{s}
	}
	budget := max(limit-tagReserve, limit/2)

	var pieces []string
	for _, line := range strings.SplitAfter(s, "\n") {
		pieces = append(pieces, cutLine(line, budget)...)
	}

	var chunks []string
	var cur strings.Builder
	curLen := 0
	for _, p := range pieces {
		n := tglimit.Len(p)
		if curLen > 0 && curLen+n > budget {
			chunks = append(chunks, cur.String())
			cur.Reset()
			curLen = 0
		}
		cur.WriteString(p)
		curLen += n
	}
	if curLen > 0 {
		chunks = append(chunks, cur.String())
	}
	return balanceTags(chunks)
}

// cutLine cuts one line longer than budget at token boundaries, never inside
// a tag or an entity.
func cutLine(line string, budget int) []string {
	if tglimit.Len(line) <= budget {
		return []string{line}
	}
	var out []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if curLen > 0 {
			out = append(out, cur.String())
			cur.Reset()
			curLen = 0
		}
	}
	for _, tok := range tokenize(line) {
		if tok.kind != tokText {
			n := tglimit.Len(tok.raw)
			if curLen+n > budget {
				flush()
			}
			cur.WriteString(tok.raw)
			curLen += n
			continue
		}
		for _, r := range tok.raw {
			n := tglimit.RuneLen(r)
			if curLen+n > budget {
				flush()
			}
			cur.WriteRune(r)
			curLen += n
		}
	}
	flush()
	return out
}

// balanceTags closes, at the end of each chunk, the tags still open there and
// reopens them at the start of the next chunk. Chunks left empty are dropped.
func balanceTags(chunks []string) []string {
	type open struct{ name, raw string }
	var stack []open
	var out []string
	for _, c := range chunks {
		var b strings.Builder
		for _, o := range stack {
			b.WriteString(o.raw)
		}
		body := strings.TrimRight(c, " \t\n")
		b.WriteString(body)
		for _, tok := range tokenize(body) {
			if tok.kind != tokTag {
				continue
			}
			switch {
			case tok.closing:
				for i := len(stack) - 1; i >= 0; i-- {
					if stack[i].name == tok.name {
						stack = append(stack[:i], stack[i+1:]...)
						break
					}
				}
			case !tok.selfClosing:
				stack = append(stack, open{tok.name, tok.raw})
			}
		}
		for i := len(stack) - 1; i >= 0; i-- {
			b.WriteString("</" + stack[i].name + ">")
		}
		if strings.TrimSpace(plainText(body)) == "" {
			continue
		}
		out = append(out, b.String())
	}
	return out
}

// plainText turns Telegram HTML into what a person reads: tags dropped,
// entities unescaped.
func plainText(s string) string {
	var b strings.Builder
	for _, tok := range tokenize(s) {
		if tok.kind != tokTag {
			b.WriteString(tok.raw)
		}
	}
	return html.UnescapeString(b.String())
}

type tokenKind int

const (
	tokText tokenKind = iota
	tokTag
	tokEntity
)

type token struct {
	kind        tokenKind
	raw         string
	name        string // lower-case tag name, for tokTag
	closing     bool
	selfClosing bool
}

// tokenize splits HTML into tags, entities and runs of text. A '<' without
// its '>' and a '&' that starts no entity are text.
func tokenize(s string) []token {
	var toks []token
	text := 0 // start of the pending text run
	flushText := func(end int) {
		if end > text {
			toks = append(toks, token{kind: tokText, raw: s[text:end]})
		}
	}
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				i++
				continue
			}
			flushText(i)
			raw := s[i : i+j+1]
			toks = append(toks, parseTag(raw))
			i += j + 1
			text = i
		case '&':
			j := strings.IndexByte(s[i:], ';')
			if j < 2 || j > 10 || !isEntityName(s[i+1:i+j]) {
				i++
				continue
			}
			flushText(i)
			toks = append(toks, token{kind: tokEntity, raw: s[i : i+j+1]})
			i += j + 1
			text = i
		default:
			i++
		}
	}
	flushText(len(s))
	return toks
}

func parseTag(raw string) token {
	t := token{kind: tokTag, raw: raw}
	inner := strings.TrimSuffix(strings.TrimPrefix(raw, "<"), ">")
	if strings.HasPrefix(inner, "/") {
		t.closing = true
		inner = inner[1:]
	}
	if strings.HasSuffix(inner, "/") {
		t.selfClosing = true
	}
	end := strings.IndexAny(inner, " \t\n/")
	if end < 0 {
		end = len(inner)
	}
	t.name = strings.ToLower(inner[:end])
	return t
}

func isEntityName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '#') {
			return false
		}
	}
	return true
}
