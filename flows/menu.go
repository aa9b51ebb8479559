package flows

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// Drawing menus: buttons, rows, pages of a list, names on buttons.

// button is one of a menu's buttons: its event and argument, under the
// menu's id.
func (t *turn) button(label string, menu string, ev Event, arg string) Button {
	return Button{Label: label, Data: ButtonData{Menu: menu, Action: string(ev), Arg: arg}}
}

// pairUp lays single-button rows out two to a row.
func pairUp(rows [][]Button) [][]Button {
	var out [][]Button
	for i := 0; i < len(rows); i += 2 {
		if i+1 < len(rows) {
			out = append(out, []Button{rows[i][0], rows[i+1][0]})
		} else {
			out = append(out, rows[i])
		}
	}
	return out
}

// categoryNameIn is a category's name in lang.
func categoryNameIn(lang Lang, c CategoryID) string {
	if _, ok := LookupCategory(c); ok {
		return text(lang, Msg("cat_"+string(c)))
	}
	return string(c)
}

// backCancel is the row under most screens: Back and Cancel.
func (t *turn) backCancel(menu string) []Button {
	return []Button{t.button(text(t.lang, "btn_back"), menu, EvBack, ""), t.button(text(t.lang, "btn_cancel"), menu, EvCancel, "")}
}

// page clamps the session's page to a list of n items and says which page
// it is, of how many, and the items it shows, [from, to).
func (t *turn) page(n int) (page, pages, from, to int) {
	size := t.s.cfg.PageSize
	pages = max(1, (n+size-1)/size)
	page = min(t.sess.Page, pages-1)
	t.sess.Page = page
	return page, pages, min(page*size, n), min((page+1)*size, n)
}

// pageNav is the row of Previous and Next for a page, if either applies.
func (t *turn) pageNav(menu string, page, pages int) [][]Button {
	var nav []Button
	if page > 0 {
		nav = append(nav, t.button(text(t.lang, "btn_prev"), menu, EvPage, strconv.Itoa(page-1)))
	}
	if page < pages-1 {
		nav = append(nav, t.button(text(t.lang, "btn_next"), menu, EvPage, strconv.Itoa(page+1)))
	}
	if nav == nil {
		return nil
	}
	return [][]Button{nav}
}

// shortKey names a value too long for a button (a brand, a long product
// code) by a hash prefix.
func shortKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "#" + hex.EncodeToString(sum[:5])
}

// buttonArg is s itself when it fits a button, else its shortKey.
func buttonArg(s string) string {
	if len(s) <= MaxButtonArg && (s == "" || s[0] != '#') {
		return s
	}
	return shortKey(s)
}
