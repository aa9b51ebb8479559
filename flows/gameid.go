package flows

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A game account id as the game itself calls its parts: Mobile Legends asks
// for a "User ID" and a "Zone ID", Free Fire for a "Player ID". The
// product's format ("{userid}|{zoneid}") says which parts the provider wants
// and in what order; this file names them for the buyer, reads them one at
// a time or all at once, and lays them out on the confirm screen and the
// receipt. The order keeps the id joined as the provider wants it.

// gameLabels names a game's id parts as the game does, by the format's
// field names. A brand matches when its letters and digits contain the key
// ("MOBILE LEGENDS", "Mobile Legend" → "mobilelegend…"); a game not here, or
// a part it does not name, takes the part's default label.
var gameLabels = []struct {
	key    string
	labels map[string]string
}{
	{"mobilelegend", map[string]string{"userid": "User ID", "zoneid": "Zone ID"}},
	{"freefire", map[string]string{"userid": "Player ID"}},
	{"pubg", map[string]string{"userid": "Player ID"}},
	{"genshin", map[string]string{"userid": "UID"}},
	{"honkai", map[string]string{"userid": "UID"}},
	{"lordsmobile", map[string]string{"userid": "IGG ID"}},
	{"wildrift", map[string]string{"userid": "Riot ID", "tag": "Tagline"}},
}

// defaultFieldLabels are the labels of the parts a game does not name;
// a character's name is words, so it is in the catalogue.
var defaultFieldLabels = map[string]string{
	"userid":   "User ID",
	"zoneid":   "Zone ID",
	"serverid": "Server ID",
	"tag":      "Tag",
}

// gameField is one part of a game id as the buyer is asked for it.
type gameField struct {
	Name  string // the format's field name: "userid"
	Label string // what the game calls it: "User ID"
}

// formatFields lists a format's field names: "{userid}|{zoneid}" →
// userid, zoneid. A product without a format takes one id.
func formatFields(format string) []string {
	if format == "" {
		return []string{"userid"}
	}
	names := strings.Split(format, "|")
	for i, n := range names {
		names[i] = strings.ToLower(strings.Trim(strings.TrimSpace(n), "{}[]"))
	}
	return names
}

// gameFields names the parts of a game's id for the buyer.
func gameFields(lang Lang, brand, format string) []gameField {
	var own map[string]string
	key := gameKey(brand)
	for _, g := range gameLabels {
		if strings.Contains(key, g.key) {
			own = g.labels
			break
		}
	}
	var out []gameField
	for _, name := range formatFields(format) {
		label, ok := own[name]
		if !ok {
			label, ok = defaultFieldLabels[name]
		}
		if !ok && name == "rolename" {
			label, ok = text(lang, "field_rolename"), true
		}
		if !ok {
			label = name // unknown to us: the format's own word
		}
		out = append(out, gameField{Name: name, Label: label})
	}
	return out
}

// gameKey is a brand's letters and digits, lower case.
func gameKey(brand string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, brand)
}

// fieldExample is a made-up value of a part, for the hints.
func fieldExample(name string) string {
	switch name {
	case "zoneid", "serverid":
		return "1234"
	case "rolename":
		return "NamaKarakter"
	case "tag":
		return "ABC"
	}
	return "12345678"
}

// readGameID reads what a buyer typed for a game id of which the parts in
// have are known: the whole id at once, in any of the forms normaliseGameID
// reads, or else the next part alone. It returns the parts known now; the
// id is complete when there are as many as the format has fields.
func readGameID(format string, have []string, typed string) ([]string, error) {
	names := formatFields(format)
	if id, err := normaliseGameID(format, typed); err == nil {
		// On a later step the whole id is taken only when it repeats the
		// parts already typed: "8483 1" for a Zone ID is a slip, not a new
		// User ID.
		parts := strings.Split(id, "|")
		if len(have) == 0 || slices.Equal(parts[:min(len(have), len(parts))], have) {
			return parts, nil
		}
	}
	if len(have) >= len(names) {
		return nil, NumberBadGameID
	}
	v, ok := readGameField(names[len(have)], typed)
	if !ok {
		return have, NumberBadGameID
	}
	return append(slices.Clip(have), v), nil
}

// readGameField reads one part typed alone: digits for ids (the spaces and
// brackets people type around them dropped), text for a character's name
// or a tag — valid, printable, and without the provider's separator.
func readGameField(name, typed string) (string, bool) {
	if name == "rolename" || name == "tag" {
		v := strings.TrimSpace(typed)
		if v == "" || len(v) > 32 || !printable(v) || strings.Contains(v, "|") {
			return "", false
		}
		return v, true
	}
	// One id, bracketed or not: two numbers where one is wanted are a
	// mistake to point out, not digits to run together.
	parts := strings.FieldsFunc(typed, gameIDSeparator)
	if len(parts) != 1 || !allDigits(parts[0]) || len(parts[0]) > 20 {
		return "", false
	}
	return parts[0], true
}

// gameFieldLines lays a game id out one labelled part a line, "User ID:
// 12345678", or returns "" when the id does not have the format's parts.
func gameFieldLines(lang Lang, fields []gameField, id string) Markup {
	values := strings.Split(id, "|")
	if len(values) != len(fields) {
		return ""
	}
	lines := make([]string, len(fields))
	for i, f := range fields {
		lines[i] = text(lang, "line_field", f.Label, code(values[i]))
	}
	return Markup(strings.Join(lines, "\n"))
}

// fieldLabels joins the labels of a game id's parts for a sentence:
// "User ID dan Zone ID".
func fieldLabels(lang Lang, fields []gameField) string {
	labels := make([]string, len(fields))
	for i, f := range fields {
		labels[i] = f.Label
	}
	if len(labels) < 2 {
		return strings.Join(labels, "")
	}
	return strings.Join(labels[:len(labels)-1], ", ") + " " + text(lang, "word_and") + " " + labels[len(labels)-1]
}

// allAtOnceExample shows a game id typed at once, in the form players
// know from the game's own profile screen: "12345678 (1234)" for an id and
// a zone, the provider's form otherwise.
func allAtOnceExample(fields []gameField) string {
	if len(fields) == 2 && fields[0].Name == "userid" && (fields[1].Name == "zoneid" || fields[1].Name == "serverid") {
		return fieldExample(fields[0].Name) + " (" + fieldExample(fields[1].Name) + ")"
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = fieldExample(f.Name)
	}
	return strings.Join(parts, "|")
}

// gameIDLines are a game order's lines about whom it was for, in lang:
// the game id's parts labelled as the game calls them and the account's
// nickname; nil for any other order (and orders written before the
// format was kept), which show the number.
func gameIDLines(lang Lang, o *Order) []string {
	if o.NumberFormat == "" {
		return nil
	}
	lines := gameFieldLines(lang, gameFields(lang, o.Brand, o.NumberFormat), o.CustomerNumber)
	if lines == "" {
		return nil
	}
	out := []string{string(lines)}
	if o.CustomerName != "" {
		out = append(out, text(lang, "line_nickname", o.CustomerName))
	}
	return out
}

// gameFormat is the format of a game id product ("{userid}" when the
// provider names none), "" for any other product.
func (p Product) gameFormat() string {
	if p.Number != NumberGameID {
		return ""
	}
	if p.NumberFormat == "" {
		return "{userid}"
	}
	return p.NumberFormat
}

// The purchase's steps for a game id (rows in the conversation table).

// enterGamePart takes the next part of a game id typed one at a time.
func (t *turn) enterGamePart(ctx context.Context, typed string) (State, error) {
	p, ok := t.s.cfg.Products.Lookup(t.sess.Product)
	if !ok || !p.Available {
		t.notes = append(t.notes, text(t.lang, "unavailable_now", t.sess.Product))
		t.sess.GameParts = nil
		return StateProducts, nil
	}
	return t.enterGameID(ctx, p, t.sess.GameParts, typed)
}

// enterGameID reads a game id, or its next part, and once it is complete
// names the account and quotes the confirm screen.
func (t *turn) enterGameID(ctx context.Context, p Product, have []string, typed string) (State, error) {
	format := p.gameFormat()
	fields := gameFields(t.lang, p.Brand, format)
	here := StateNumber
	if len(have) > 0 {
		here = StateGameField
	}
	parts, err := readGameID(format, have, typed)
	if err != nil {
		next := fields[min(len(have), len(fields)-1)]
		t.notes = append(t.notes, text(t.lang, "bad_game_part", next.Label))
		return here, nil
	}
	if len(parts) < len(fields) {
		t.sess.GameParts = parts
		return StateGameField, nil
	}
	t.sess.GameParts = nil
	t.sess.Number, t.sess.Name, t.sess.NameMissing = strings.Join(parts, "|"), "", false
	t.checkGame(ctx, p)
	if err := t.quote(p); err != nil {
		return "", err
	}
	return StateConfirm, nil
}

// checkGame asks the provider whose account the id is. The nickname is a
// courtesy: a check that is not offered, times out or fails lets the
// purchase go on without it. An account the provider says does not exist
// is a warning on the confirm screen, not a refusal: the check is
// documented as possibly disabled in production (providers.md §1.2.8), and
// a top-up to a wrong id is refused by the provider and refunded.
func (t *turn) checkGame(ctx context.Context, p Product) {
	if t.s.cfg.Games == nil {
		return
	}
	name, err := t.s.cfg.Games.InquireGame(ctx, p.Brand, t.sess.Number)
	switch {
	case err == nil:
		name = strings.TrimSpace(name)
		if utf8.RuneCountInString(name) > 64 {
			name = string([]rune(name)[:64])
		}
		t.sess.Name = name
	case errors.Is(err, ErrNoGameCheck):
	case KindOf(err) == KindRejected:
		t.s.log.Info("game account check found no account; warning the buyer", "chat_id", t.in.ChatID, "product_code", p.Code, "err", err)
		t.sess.NameMissing = true
	default:
		t.s.log.Warn("game account check failed; going on without the nickname", "chat_id", t.in.ChatID, "product_code", p.Code, "err", err)
	}
}

// gameHint asks for a game id's first part, and offers typing it whole.
func (t *turn) gameHint(p Product) Markup {
	fields := gameFields(t.lang, p.Brand, p.gameFormat())
	first := fields[0]
	if len(fields) == 1 {
		return Markup(text(t.lang, "hint_game_one", first.Label, fieldExample(first.Name)))
	}
	return Markup(text(t.lang, "hint_game_more", first.Label, fieldExample(first.Name),
		fieldLabels(t.lang, fields), allAtOnceExample(fields)))
}

// gamePartPrompt shows the parts typed so far and asks for the next.
func (t *turn) gamePartPrompt(menu string) Reply {
	p, _ := t.s.cfg.Products.Lookup(t.sess.Product)
	fields := gameFields(t.lang, p.Brand, p.gameFormat())
	have := t.sess.GameParts
	if len(have) > len(fields) {
		have = nil
	}
	next := fields[min(len(have), len(fields)-1)]
	return Reply{
		Text: text(t.lang, "ask_game_part", p.Name, FormatRupiah(t.price(p)),
			gameFieldLines(t.lang, fields[:len(have)], strings.Join(have, "|")), next.Label, fieldExample(next.Name)),
		Buttons:    [][]Button{t.backCancel(menu)},
		AwaitsText: true,
	}
}

// gameConfirmPrompt is the confirm screen of a game id: its parts
// labelled, the account's nickname or a warning that none was found.
func (t *turn) gameConfirmPrompt(menu string, p Product) (Reply, bool) {
	lines := gameFieldLines(t.lang, gameFields(t.lang, p.Brand, p.gameFormat()), t.sess.Number)
	if lines == "" {
		return Reply{}, false
	}
	var name Markup
	switch {
	case t.sess.Name != "":
		name = Markup(text(t.lang, "confirm_nickname", t.sess.Name))
	case t.sess.NameMissing:
		name = Markup(text(t.lang, "game_no_account"))
	}
	return Reply{
		Text: text(t.lang, "confirm_game", t.productName(), lines, name, FormatRupiah(t.sess.Quote)),
		Buttons: [][]Button{
			{t.button(text(t.lang, "btn_confirm"), menu, EvConfirm, t.sess.Token), t.button(text(t.lang, "btn_cancel"), menu, EvCancel, "")},
			{t.button(text(t.lang, "btn_change_id"), menu, EvBack, "")},
		},
	}, true
}
