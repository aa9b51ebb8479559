package flows

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A purchase (a prepaid product): category → brand → product → number →
// confirm. Its rows are in the conversation table; these are their steps and
// the prompts of their states. The order itself is the engine's Create and
// Send (DESIGN rules 1, 2).

// chooseCategory opens a category: its brands, its one brand's products
// straight away, or the billers of "Tagihan".
func (t *turn) chooseCategory(ctx context.Context, arg string) (State, error) {
	c := CategoryID(arg)
	if _, ok := LookupCategory(c); !ok || !t.s.sells(c) {
		t.notes = append(t.notes, text(t.lang, "use_buttons"))
		return StateHome, nil
	}
	if c == CategoryBill {
		t.sess.Category, t.sess.Page = c, 0
		return StateBillers, nil
	}
	t.sess.Category, t.sess.Brand, t.sess.Page = c, "", 0
	brands := t.s.brands(c)
	switch len(brands) {
	case 0:
		t.notes = append(t.notes, text(t.lang, "no_products", categoryNameIn(t.lang, c)))
		return StateHome, nil
	case 1:
		t.sess.Brand = brands[0]
		return StateProducts, nil
	}
	return StateBrand, nil
}

// chooseBrand opens a brand's products.
func (t *turn) chooseBrand(ctx context.Context, arg string) (State, error) {
	for _, b := range t.s.brands(t.sess.Category) {
		if buttonArg(b) == arg {
			t.sess.Brand, t.sess.Page = b, 0
			return "", nil
		}
	}
	t.notes = append(t.notes, text(t.lang, "use_buttons"))
	return StateBrand, nil
}

// backHome leaves a category for the home menu.
func (t *turn) backHome(ctx context.Context, _ string) (State, error) {
	t.sess.Category, t.sess.Brand = "", ""
	return StateHome, nil
}

// turnPage shows another page of the list on screen.
func (t *turn) turnPage(ctx context.Context, arg string) (State, error) {
	if p, err := strconv.Atoi(arg); err == nil && p >= 0 {
		t.sess.Page = p
	}
	return "", nil
}

// backFromProducts goes back to the brands, or home when there is one.
func (t *turn) backFromProducts(ctx context.Context, _ string) (State, error) {
	t.sess.Page = 0
	if len(t.s.brands(t.sess.Category)) > 1 {
		t.sess.Brand = ""
		return StateBrand, nil
	}
	return t.backHome(ctx, "")
}

// chooseProduct picks a product and asks for the number.
func (t *turn) chooseProduct(ctx context.Context, arg string) (State, error) {
	for _, p := range t.s.products(t.sess.Category, t.sess.Brand) {
		if buttonArg(p.Code) == arg {
			t.sess.Product, t.sess.Number, t.sess.Name = p.Code, "", ""
			t.sess.GameParts, t.sess.NameMissing = nil, false
			return "", nil
		}
	}
	// Gone from the list since the page was drawn.
	t.notes = append(t.notes, text(t.lang, "unavailable_now", Markup(text(t.lang, "btn_back"))))
	return StateProducts, nil
}

// backToProducts drops the product chosen.
func (t *turn) backToProducts(ctx context.Context, _ string) (State, error) {
	t.sess.Product, t.sess.Number, t.sess.Name = "", "", ""
	t.sess.GameParts, t.sess.NameMissing = nil, false
	return StateProducts, nil
}

// backToNumber leaves the confirm screen to change the number, or a game
// id's second part for its first.
func (t *turn) backToNumber(ctx context.Context, _ string) (State, error) {
	t.sess.Number, t.sess.Name, t.sess.Token, t.sess.Quote = "", "", "", 0
	t.sess.GameParts, t.sess.NameMissing = nil, false
	return StateNumber, nil
}

// enterNumber checks the typed number — and names a PLN meter's owner —
// and quotes the confirm screen.
func (t *turn) enterNumber(ctx context.Context, typed string) (State, error) {
	p, ok := t.s.cfg.Products.Lookup(t.sess.Product)
	if !ok || !p.Available {
		t.notes = append(t.notes, text(t.lang, "unavailable_now", t.sess.Product))
		return StateProducts, nil
	}
	if p.Number == NumberGameID {
		return t.enterGameID(ctx, p, nil, typed)
	}
	n, err := NormaliseNumber(p, typed)
	var ne NumberError
	if errors.As(err, &ne) {
		t.notes = append(t.notes, t.numberProblem(p, ne))
		return StateNumber, nil
	}
	if err != nil {
		return "", err
	}
	t.sess.Number, t.sess.Name = n, ""
	if p.Number == NumberPLNMeter && t.s.cfg.Meters != nil {
		m, err := t.s.cfg.Meters.InquireMeter(ctx, n)
		switch {
		case err == nil:
			t.sess.Name = m.Name
			if m.SegmentPower != "" {
				t.sess.Name += " · " + SegmentPower(m.SegmentPower)
			}
		case KindOf(err) == KindRejected:
			t.notes = append(t.notes, text(t.lang, "meter_unknown"))
			t.sess.Number = ""
			return StateNumber, nil
		default:
			// The name is a courtesy: an inquiry that times out must not
			// block the purchase.
			t.s.log.Warn("meter inquiry failed; going on without the name", "chat_id", t.in.ChatID, "err", err)
			t.sess.Name = text(t.lang, "name_unknown")
		}
	}
	if err := t.quote(p); err != nil {
		return "", err
	}
	return "", nil
}

// quote sets the confirm screen's price and a fresh one-time token.
func (t *turn) quote(p Product) error {
	token, err := randomID(t.s.cfg.Random, 12)
	if err != nil {
		return err
	}
	t.sess.Quote, t.sess.Token = t.price(p), token
	return nil
}

// confirm is the confirm screen's Confirm: the price checked again, the
// order written (write-ahead), "processing" answered, the order sent once
// that answer is on screen.
func (t *turn) confirm(ctx context.Context, token string) (State, error) {
	if token == "" || token != t.sess.Token {
		return t.restartState(text(t.lang, "menu_expired"))
	}
	current, err := t.s.cfg.Products.Current(ctx, t.sess.Product, t.s.cfg.PriceMaxAge)
	if err != nil {
		t.s.log.Warn("price check failed at confirmation", "chat_id", t.in.ChatID, "product_code", t.sess.Product, "err", err)
		t.notes = append(t.notes, text(t.lang, "price_unknown"))
		return StateConfirm, nil
	}
	if !current.Available {
		t.notes = append(t.notes, text(t.lang, "unavailable_now", t.productName()))
		t.sess.Product, t.sess.Token, t.sess.Quote = "", "", 0
		return StateProducts, nil
	}
	if current.Name == "" {
		// A price endpoint may quote the price alone.
		if cached, ok := t.s.cfg.Products.Lookup(current.Code); ok {
			current.Name, current.Category, current.Brand, current.Kind = cached.Name, cached.Category, cached.Brand, cached.Kind
		}
	}
	if current.Category == "" {
		current.Category = t.sess.Category
	}
	if current.Type == "" {
		// Mesin R1's price answer names no type; the list does, and the
		// order keeps it (what a success must deliver).
		if cached, ok := t.s.cfg.Products.Lookup(current.Code); ok {
			current.Type = cached.Type
		}
	}
	price := t.price(current)
	if price > t.sess.Quote {
		old := t.sess.Quote
		if err := t.quote(current); err != nil {
			return "", err
		}
		t.notes = append(t.notes, text(t.lang, "price_rose", FormatRupiah(old), FormatRupiah(price)))
		return StateConfirm, nil
	}
	req := PlaceRequest{
		ChatID:         t.in.ChatID,
		UserID:         t.in.UserID,
		Token:          token,
		Lang:           string(t.lang),
		Product:        current,
		CustomerNumber: t.sess.Number,
		CustomerName:   t.sess.Name,
		Price:          price, // a price that fell is passed on
		MessageID:      t.in.MessageID,
	}
	o, created, err := t.s.cfg.Engine.Create(ctx, req)
	if short, ok := saldoShort(err); ok {
		return t.noSaldo(price, short)
	}
	if errors.Is(err, ErrNoProvider) {
		// No leg can fill it at this price within the minimum margin
		// (DESIGN rule 17): nothing was written; it cannot be sold now.
		t.s.log.Warn("no provider can fill the product within the minimum margin; not sold", "chat_id", t.in.ChatID,
			"product_code", current.Code, "price", price)
		t.notes = append(t.notes, text(t.lang, "unavailable_now", t.productName()))
		t.sess.Product, t.sess.Token, t.sess.Quote = "", "", 0
		return StateProducts, nil
	}
	if err != nil {
		return "", err
	}
	processing := Reply{Edit: true, Text: text(t.lang, "processing", o.RefID, o.ProductName,
		o.CustomerNumber, FormatRupiah(o.Price))}
	t.replies = []Reply{processing}
	if created {
		engine, ref, log := t.s.cfg.Engine, o.RefID, t.s.log
		t.then = func(ctx context.Context) []Reply {
			if _, err := engine.Send(ctx, ref); err != nil {
				// The order is written: the poller resumes it.
				log.Error("sending order; the poller will resume it", "ref_id", ref, "err", err)
			}
			return nil
		}
	}
	t.restart()
	return "", nil
}

// numberProblem says what is wrong with a typed number.
func (t *turn) numberProblem(p Product, ne NumberError) string {
	switch ne {
	case NumberWrongOperator:
		return text(t.lang, "wrong_operator", p.Brand)
	}
	return text(t.lang, Msg(ne))
}

// homePrompt is the category menu: the categories with something to sell.
func (t *turn) homePrompt(menu string) Reply {
	s := t.s
	var rows [][]Button
	for _, c := range Categories {
		if s.sells(c.ID) && (len(s.brands(c.ID)) > 0 || c.ID == CategoryBill && len(s.billers()) > 0) {
			rows = append(rows, []Button{t.button(categoryNameIn(t.lang, c.ID), menu, EvCategory, string(c.ID))})
		}
	}
	name := firstName(t.lang, t.in.FirstName)
	if len(rows) == 0 {
		// No products to offer (the provider down since the start, say): a
		// question without buttons would be a dead end.
		return Reply{Text: text(t.lang, "catalog_empty", name),
			Buttons: [][]Button{{t.button(text(t.lang, "btn_retry"), menu, EvRetry, "")}}}
	}
	rows = pairUp(rows)
	for _, o := range t.recent {
		// A last order's shortcut carries its ref, not this menu's id: it
		// opens a fresh confirm screen from any old home menu too.
		rows = append(rows, []Button{{Label: shortcutLabel(o), Data: ButtonData{Action: string(EvAgain), Arg: o.RefID}}})
	}
	return Reply{Text: text(t.lang, "welcome", name) + "\n" + text(t.lang, "welcome_quick"), Buttons: rows}
}

// brandPrompt is a category's operators or brands.
func (t *turn) brandPrompt(menu string) Reply {
	var rows [][]Button
	for _, b := range t.s.brands(t.sess.Category) {
		rows = append(rows, []Button{t.button(b, menu, EvBrand, buttonArg(b))})
	}
	rows = pairUp(rows)
	rows = append(rows, t.backCancel(menu))
	return Reply{Text: text(t.lang, "choose_brand", categoryNameIn(t.lang, t.sess.Category)), Buttons: rows}
}

// productsPrompt is a page of a brand's products with their prices.
func (t *turn) productsPrompt(menu string) Reply {
	s := t.s
	products := s.products(t.sess.Category, t.sess.Brand)
	page, pages, from, to := t.page(len(products))
	var rows [][]Button
	for _, p := range products[from:to] {
		label := p.Name + " · " + FormatRupiah(t.price(p))
		rows = append(rows, []Button{t.button(label, menu, EvProduct, buttonArg(p.Code))})
	}
	rows = append(rows, t.pageNav(menu, page, pages)...)
	rows = append(rows, t.backCancel(menu))
	title := categoryNameIn(t.lang, t.sess.Category)
	if t.sess.Brand != "" {
		title += " · " + t.sess.Brand
	}
	return Reply{Text: text(t.lang, "choose_product", title, page+1, pages), Buttons: rows}
}

// numberPrompt asks for the customer number.
func (t *turn) numberPrompt(menu string) Reply {
	p, _ := t.s.cfg.Products.Lookup(t.sess.Product)
	return Reply{
		Text:       text(t.lang, "ask_number", p.Name, FormatRupiah(t.price(p)), t.numberHint(p)),
		Buttons:    [][]Button{t.backCancel(menu)},
		AwaitsText: true,
	}
}

// confirmPrompt is the confirm screen, its Confirm button carrying the
// one-time token.
func (t *turn) confirmPrompt(menu string) Reply {
	if p, ok := t.s.cfg.Products.Lookup(t.sess.Product); ok && p.Number == NumberGameID {
		if r, ok := t.gameConfirmPrompt(menu, p); ok {
			return r
		}
	}
	var name Markup
	if t.sess.Name != "" {
		name = Markup(text(t.lang, "confirm_name", t.sess.Name))
	}
	return Reply{
		Text: text(t.lang, "confirm", t.productName(), t.sess.Number, name, FormatRupiah(t.sess.Quote)),
		Buttons: [][]Button{
			{t.button(text(t.lang, "btn_confirm"), menu, EvConfirm, t.sess.Token), t.button(text(t.lang, "btn_cancel"), menu, EvCancel, "")},
			{t.button(text(t.lang, "btn_change_number"), menu, EvBack, "")},
		},
	}
}

// productName is the chosen product's name, or its code once it is gone.
func (t *turn) productName() string {
	if p, ok := t.s.cfg.Products.Lookup(t.sess.Product); ok {
		return p.Name
	}
	return t.sess.Product
}

// numberHint says what number to type for p.
func (t *turn) numberHint(p Product) Markup {
	switch {
	case (p.Number == NumberPhone || p.Number == NumberAny) && p.Category == CategoryVoucher && Operator(p.Brand) == "":
		// A shop voucher (Alfamart, Google Play) goes to no phone: the
		// provider wants a mobile number only to tell the order apart.
		return Markup(text(t.lang, "hint_voucher"))
	case (p.Number == NumberPhone || p.Number == NumberAny) && p.Category == CategoryESIM:
		return Markup(text(t.lang, "hint_esim"))
	}
	switch p.Number {
	case NumberPhone:
		return Markup(text(t.lang, "hint_phone"))
	case NumberPLNMeter:
		return Markup(text(t.lang, "hint_meter"))
	case NumberGameID:
		return t.gameHint(p)
	}
	return Markup(text(t.lang, "hint_any"))
}

// firstName is how the welcome addresses the buyer.
func firstName(lang Lang, n string) string {
	n = strings.TrimSpace(n)
	if n == "" {
		return text(lang, "default_name")
	}
	if utf8.RuneCountInString(n) > 32 {
		n = string([]rune(n)[:32])
	}
	return n
}

// What the menus offer.

// sells reports whether the conversation has a flow for a category: bills
// ("Tagihan") need a provider that pays them.
func (s *Service) sells(c CategoryID) bool { return c != CategoryBill || s.cfg.Bills != nil }

// products lists a category's available prepaid products of one brand (or
// all brands), cheapest first.
func (s *Service) products(c CategoryID, brand string) []Product {
	var out []Product
	for _, p := range s.cfg.Products.Products() {
		if p.Category == c && p.Available && p.Kind == Prepaid && (brand == "" || p.Brand == brand) {
			out = append(out, p)
		}
	}
	return out
}

// brands lists a category's brands that have an available product, in
// alphabetical order.
func (s *Service) brands(c CategoryID) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range s.products(c, "") {
		if !seen[p.Brand] {
			seen[p.Brand] = true
			out = append(out, p.Brand)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}
