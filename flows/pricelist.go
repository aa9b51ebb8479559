package flows

import (
	"context"
	"strings"
)

// /harga: the price list a buyer would pay — their level's prices — of the
// available products, a category at a time, brand by brand, paged. Its
// screens are menus of the conversation (rows in the table), so their
// buttons carry the menu id like the purchase's and a stale one is
// recognised (DESIGN rule 2); they only show, and never order.

// The price list's states.
const (
	StatePriceCats State = "price_cats" // /harga: the categories
	StatePriceList State = "price_list" // a page of a category's prices
)

// priceListPages is how many menu pages (ServiceConfig.PageSize products)
// one page of /harga holds: 24 lines by default, a screenful on a phone,
// well within a message.
const priceListPages = 3

// priceList is /harga [category]: the categories, or with one named (its
// id, or its name in either language) that category's first page.
func (t *turn) priceList(ctx context.Context) (Output, error) {
	t.s.cfg.Products.AwaitLoading(ctx, t.s.cfg.CatalogWait)
	t.restart()
	t.sess.State = StatePriceCats
	if arg := strings.TrimSpace(t.in.Args); arg != "" {
		c, ok := priceCategory(arg)
		switch {
		case !ok:
			t.notes = append(t.notes, text(t.lang, "harga_unknown", shorten(arg, 32)))
		case c == CategoryBill:
			t.notes = append(t.notes, text(t.lang, "harga_bills"))
		case len(t.s.brands(c)) == 0:
			t.notes = append(t.notes, text(t.lang, "no_products", categoryNameIn(t.lang, c)))
		default:
			t.sess.Category, t.sess.State = c, StatePriceList
		}
	}
	return t.render(ctx)
}

// priceCategory finds the category a buyer named: its id, its name in
// Bahasa Indonesia or English, or a word people use for it, in any case,
// with or without spaces and dashes.
func priceCategory(name string) (CategoryID, bool) {
	key := categoryKey(name)
	for _, c := range Categories {
		for _, n := range []string{string(c.ID), text(LangID, Msg("cat_"+string(c.ID))), text(LangEN, Msg("cat_"+string(c.ID)))} {
			if categoryKey(n) == key {
				return c.ID, true
			}
		}
	}
	c, ok := categoryWords[key]
	return c, ok
}

// categoryWords are the other words buyers name a category by.
var categoryWords = map[string]CategoryID{
	"games": CategoryGame, "gaming": CategoryGame, "topupgame": CategoryGame,
	"paket": CategoryData, "paketdata": CategoryData, "internet": CategoryData, "kuota": CategoryData,
	"token": CategoryPLN, "listrik": CategoryPLN, "tokenlistrik": CategoryPLN,
	"ewallet": CategoryEMoney, "dompetdigital": CategoryEMoney,
	"vouchers": CategoryVoucher, "bill": CategoryBill, "bills": CategoryBill, "pascabayar": CategoryBill,
	"credit": CategoryPulsa,
}

// categoryKey is a category name reduced for matching: lower case, no
// spaces, dashes or dots.
func categoryKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '_':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// priceCategories are the categories /harga can list: those with an
// available prepaid product. Bills have no list price (the inquiry makes
// it).
func (s *Service) priceCategories() []CategoryID {
	var out []CategoryID
	for _, c := range Categories {
		if c.ID != CategoryBill && len(s.brands(c.ID)) > 0 {
			out = append(out, c.ID)
		}
	}
	return out
}

// choosePriceCategory opens a category's price list.
func (t *turn) choosePriceCategory(ctx context.Context, arg string) (State, error) {
	c := CategoryID(arg)
	for _, offered := range t.s.priceCategories() {
		if offered == c {
			t.sess.Category, t.sess.Page = c, 0
			return "", nil
		}
	}
	// Gone since the screen was drawn.
	t.notes = append(t.notes, text(t.lang, "no_products", categoryNameIn(t.lang, c)))
	return StatePriceCats, nil
}

// backToPriceCats leaves a price list for the categories.
func (t *turn) backToPriceCats(ctx context.Context, _ string) (State, error) {
	t.sess.Category, t.sess.Page = "", 0
	return "", nil
}

// buyFromPriceList is a price list's "🛒 Beli …": the purchase, at the
// category on screen (its brands, or its one brand's products).
func (t *turn) buyFromPriceList(ctx context.Context, _ string) (State, error) {
	c := t.sess.Category
	t.restart()
	return t.chooseCategory(ctx, string(c))
}

// goHome is "🏠 Menu": the purchase's home menu.
func (t *turn) goHome(ctx context.Context, _ string) (State, error) {
	t.restart()
	return StateHome, nil
}

// priceCatsPrompt is /harga's first screen: the categories to list.
func (t *turn) priceCatsPrompt(menu string) Reply {
	var rows [][]Button
	for _, c := range t.s.priceCategories() {
		rows = append(rows, []Button{t.button(categoryNameIn(t.lang, c), menu, EvCategory, string(c))})
	}
	home := []Button{t.button(text(t.lang, "btn_menu"), menu, EvMenu, "")}
	if len(rows) == 0 {
		return Reply{Text: text(t.lang, "harga_empty"), Buttons: [][]Button{home}}
	}
	return Reply{Text: text(t.lang, "harga_choose"), Buttons: append(pairUp(rows), home)}
}

// priceListPrompt is a page of a category's price list.
func (t *turn) priceListPrompt(menu string) Reply {
	c := t.sess.Category
	pages := t.pricePages(c)
	if len(pages) == 0 {
		// Every product of the category went since: its categories again.
		t.sess.State, t.sess.Category, t.sess.Page = StatePriceCats, "", 0
		r := t.priceCatsPrompt(menu)
		r.Text = text(t.lang, "no_products", categoryNameIn(t.lang, c)) + "\n\n" + r.Text
		return r
	}
	page := min(max(t.sess.Page, 0), len(pages)-1)
	t.sess.Page = page
	head := text(t.lang, "harga_title", categoryNameIn(t.lang, c), page+1, len(pages))
	rows := t.pageNav(menu, page, len(pages))
	rows = append(rows, []Button{t.button(text(t.lang, "btn_buy_category", Markup(categoryNameIn(t.lang, c))), menu, EvCategory, string(c))})
	rows = append(rows, []Button{t.button(text(t.lang, "btn_back"), menu, EvBack, ""), t.button(text(t.lang, "btn_menu"), menu, EvMenu, "")})
	return Reply{Text: head + "\n" + strings.Join(pages[page], "\n") + "\n\n" + text(t.lang, "harga_footer"), Buttons: rows}
}

// pricePages lays a category's price list out in pages: each brand under
// its name, cheapest first, a brand kept on one page when it fits one
// (else continued on the next, its name repeated), at most priceListPages
// menu pages of products and one message a page.
func (t *turn) pricePages(c CategoryID) [][]string {
	var (
		pages [][]string
		cur   []string
		n     int
	)
	flush := func() {
		if len(cur) > 0 {
			pages = append(pages, cur)
		}
		cur, n = nil, 0
	}
	// The frame around a page's lines, at its longest, so a page measured
	// with it stays one message.
	frame := text(t.lang, "harga_title", categoryNameIn(t.lang, c), 999, 999) + "\n\n" + text(t.lang, "harga_footer")
	fits := func(lines []string) bool {
		return t.s.cfg.Fits == nil || t.s.cfg.Fits(frame+"\n"+strings.Join(lines, "\n"))
	}
	limit := priceListPages * t.s.cfg.PageSize
	for _, b := range t.s.brands(c) {
		products := t.s.products(c, b)
		if n > 0 && n+len(products) > limit && len(products) <= limit {
			flush() // the whole brand on the next page rather than split
		}
		head := text(t.lang, "harga_brand", b)
		if len(cur) > 0 {
			cur = append(cur, "")
		}
		cur = append(cur, head)
		for _, p := range products {
			line := text(t.lang, "harga_line", p.Name, FormatRupiah(t.price(p)))
			if n >= limit || !fits(append(cur, line)) {
				flush()
				cur = []string{text(t.lang, "harga_brand_more", b)}
			}
			cur = append(cur, line)
			n++
		}
	}
	flush()
	return pages
}
