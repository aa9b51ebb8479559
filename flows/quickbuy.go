package flows

import (
	"context"
	"strings"
)

// Faster paths to an order, typed at the home menu (issue 14 items 1 and
// 2): a customer number first ("0812 3456 7890": that operator's Pulsa and
// Data; an 11–12 digit number without an operator prefix: PLN token), a
// product code with the number ("htelkomsel10000 081234567890", or a
// route's code: straight to the confirm screen), or a word ("pulsa",
// "token", "ml": its category). Every path ends at the same confirm screen
// as the menus, with a fresh one-time token (DESIGN rule 2): nothing typed
// places an order by itself.

// operatorNames are the operators as buyers know them.
var operatorNames = map[string]string{
	"telkomsel": "Telkomsel", "indosat": "Indosat", "xl": "XL", "axis": "Axis",
	"three": "Tri", "smartfren": "Smartfren", "byu": "by.U",
}

// keyword is a word typed at home that opens a category, or one of its
// brands (the brand's name contains Brand, lower case).
type keyword struct {
	Words    []string
	Category CategoryID
	Brand    string
}

// keywords are the words buyers type for what they want, Bahasa and
// English. Longer phrases are matched before their first word.
var keywords = []keyword{
	{[]string{"pulsa", "airtime", "isi pulsa"}, CategoryPulsa, ""},
	{[]string{"data", "paket", "paket data", "kuota", "internet"}, CategoryData, ""},
	{[]string{"token", "pln", "token pln", "listrik"}, CategoryPLN, ""},
	{[]string{"game", "games", "topup game"}, CategoryGame, ""},
	{[]string{"ml", "mlbb", "mobile legends", "mobile legend"}, CategoryGame, "mobile legend"},
	{[]string{"ff", "free fire", "freefire"}, CategoryGame, "free fire"},
	{[]string{"pubg"}, CategoryGame, "pubg"},
	{[]string{"genshin"}, CategoryGame, "genshin"},
	{[]string{"emoney", "e-money", "ewallet", "e-wallet"}, CategoryEMoney, ""},
	{[]string{"dana"}, CategoryEMoney, "dana"},
	{[]string{"ovo"}, CategoryEMoney, "ovo"},
	{[]string{"gopay"}, CategoryEMoney, "gopay"},
	{[]string{"shopeepay"}, CategoryEMoney, "shopee"},
	{[]string{"linkaja"}, CategoryEMoney, "linkaja"},
	{[]string{"voucher", "vouchers"}, CategoryVoucher, ""},
	{[]string{"esim", "e-sim"}, CategoryESIM, ""},
	{[]string{"tagihan", "bills", "bill", "pascabayar", "bpjs"}, CategoryBill, ""},
}

// typedAtHome reads text typed at the home menu: a number, a code, a word.
func (t *turn) typedAtHome(ctx context.Context, typed string) (State, error) {
	// Typed as the bot starts, it waits for the catalog as the home menu
	// does.
	t.s.cfg.Products.AwaitLoading(ctx, t.s.cfg.CatalogWait)
	if phone, meter := numberFits(typed); phone != "" || meter != "" {
		return t.numberFirst(phone, meter, "")
	}
	words := strings.Fields(typed)
	if len(words) == 0 {
		t.notes = append(t.notes, text(t.lang, "home_hint"))
		return StateHome, nil
	}
	if p, found, ok := t.s.productByCode(words[0]); found {
		if !ok {
			t.notes = append(t.notes, text(t.lang, "code_unavailable", p.Name))
			return StateHome, nil
		}
		return t.buyByCode(ctx, p, strings.Join(words[1:], " "))
	}
	if k, rest, ok := matchKeyword(words); ok {
		return t.openKeyword(ctx, k, rest)
	}
	t.notes = append(t.notes, text(t.lang, "home_hint"))
	return StateHome, nil
}

// typedWhileBrowsing reads text typed on a menu of buttons (operators,
// products, billers, a number's offers): a number, a code or a word is a
// new start, read as at the home menu; anything else is a slip, answered
// with the menu on screen, the buyer's place kept.
func (t *turn) typedWhileBrowsing(ctx context.Context, typed string) (State, error) {
	if !t.s.recognised(typed) {
		t.notes = append(t.notes, text(t.lang, "use_buttons"))
		return t.sess.State, nil
	}
	t.restart()
	return t.typedAtHome(ctx, typed)
}

// recognised reports whether typed is something typedAtHome acts on.
func (s *Service) recognised(typed string) bool {
	if phone, meter := numberFits(typed); phone != "" || meter != "" {
		return true
	}
	words := strings.Fields(typed)
	if len(words) == 0 {
		return false
	}
	if _, found, _ := s.productByCode(words[0]); found {
		return true
	}
	_, _, ok := matchKeyword(words)
	return ok
}

// numberFits reads typed as a customer number: phone is the normalised
// mobile number when it is one with a known operator prefix; meter is the
// digits when they could be a PLN meter or customer id (11–12 digits). A
// number may fit both (an 11–12 digit 08… number): both are offered.
func numberFits(typed string) (phone, meter string) {
	digits := stripSeparators(typed)
	if n, err := NormalisePhone(typed); err == nil && OperatorOf(n) != "" {
		phone = n
	}
	if allDigits(digits) && len(digits) >= 11 && len(digits) <= 12 {
		meter = digits
	}
	return phone, meter
}

// numberFirst offers what fits a typed number: its operator's Pulsa and
// Data, PLN token; only (a keyword typed with the number) narrows it to
// one category.
func (t *turn) numberFirst(phone, meter string, only CategoryID) (State, error) {
	t.sess.QuickPhone, t.sess.QuickMeter = phone, meter
	t.sess.Brand, t.sess.Product, t.sess.Number, t.sess.Name, t.sess.Page = "", "", "", "", 0
	cats := t.quickCategories()
	if only != "" {
		if !containsCategory(cats, only) {
			t.notes = append(t.notes, text(t.lang, "quick_nothing", categoryNameIn(t.lang, only)))
			t.sess.QuickPhone, t.sess.QuickMeter = "", ""
			return StateHome, nil
		}
		cats = []CategoryID{only}
	}
	if len(cats) == 0 {
		t.notes = append(t.notes, text(t.lang, "quick_none"))
		t.sess.QuickPhone, t.sess.QuickMeter = "", ""
		return StateHome, nil
	}
	t.sess.Category = cats[0]
	return StateQuick, nil
}

func containsCategory(cs []CategoryID, c CategoryID) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// quickCategories are the categories with products for the typed number,
// in the menu's order.
func (t *turn) quickCategories() []CategoryID {
	var out []CategoryID
	for _, c := range []CategoryID{CategoryPulsa, CategoryData, CategoryPLN} {
		if len(t.quickProducts(c)) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// quickProducts are category c's products the typed number fits: the
// operator's own for a phone (the same check as an order's), PLN token for
// a meter.
func (t *turn) quickProducts(c CategoryID) []Product {
	var out []Product
	for _, p := range t.s.products(c, "") {
		switch {
		case c == CategoryPLN && p.Number == NumberPLNMeter && t.sess.QuickMeter != "":
			out = append(out, p)
		case (c == CategoryPulsa || c == CategoryData) && p.Number == NumberPhone && t.sess.QuickPhone != "" &&
			Operator(p.Brand) != "":
			if _, err := NormaliseNumber(p, t.sess.QuickPhone); err == nil {
				out = append(out, p)
			}
		}
	}
	return out
}

// quickNumber is the typed number as product p wants it.
func (t *turn) quickNumber(p Product) string {
	if p.Number == NumberPLNMeter {
		return t.sess.QuickMeter
	}
	return t.sess.QuickPhone
}

// chooseQuickProduct takes a product offered for the typed number to the
// confirm screen, the number checked as if typed there (a PLN meter's
// owner named).
func (t *turn) chooseQuickProduct(ctx context.Context, arg string) (State, error) {
	for _, p := range t.quickProducts(t.sess.Category) {
		if buttonArg(p.Code) == arg {
			t.sess.Product, t.sess.Brand = p.Code, p.Brand
			return t.enterNumber(ctx, t.quickNumber(p))
		}
	}
	t.notes = append(t.notes, text(t.lang, "unavailable_now", Markup(text(t.lang, "btn_back"))))
	return StateQuick, nil
}

// switchQuick shows another category offered for the typed number.
func (t *turn) switchQuick(ctx context.Context, arg string) (State, error) {
	c := CategoryID(arg)
	if containsCategory(t.quickCategories(), c) {
		t.sess.Category, t.sess.Page = c, 0
	} else {
		t.notes = append(t.notes, text(t.lang, "use_buttons"))
	}
	return StateQuick, nil
}

// quickPrompt is the products offered for the typed number, a page of one
// category, with the other categories that fit a tap away.
func (t *turn) quickPrompt(menu string) Reply {
	products := t.quickProducts(t.sess.Category)
	page, pages, from, to := t.page(len(products))
	var rows [][]Button
	for _, p := range products[from:to] {
		label := p.Name + " · " + FormatRupiah(t.price(p))
		rows = append(rows, []Button{t.button(label, menu, EvProduct, buttonArg(p.Code))})
	}
	rows = append(rows, t.pageNav(menu, page, pages)...)
	var other []Button
	for _, c := range t.quickCategories() {
		if c != t.sess.Category {
			other = append(other, t.button(categoryNameIn(t.lang, c), menu, EvCategory, string(c)))
		}
	}
	if len(other) > 0 {
		rows = append(rows, other)
	}
	rows = append(rows, t.backCancel(menu))
	var head string
	if t.sess.Category == CategoryPLN {
		head = text(t.lang, "quick_meter", t.sess.QuickMeter)
	} else {
		head = text(t.lang, "quick_phone", t.sess.QuickPhone, operatorNames[OperatorOf(t.sess.QuickPhone)])
	}
	return Reply{Text: head + "\n" + text(t.lang, "quick_choose", categoryNameIn(t.lang, t.sess.Category), page+1, pages),
		Buttons: rows}
}

// backFromQuick leaves the typed number's offers for the home menu.
func (t *turn) backFromQuick(ctx context.Context, _ string) (State, error) {
	t.sess.QuickPhone, t.sess.QuickMeter, t.sess.Category, t.sess.Page = "", "", "", 0
	return StateHome, nil
}

// productByCode finds the product a typed code names: a code as listed
// (a route's, or qualified "provider:code"), or a provider's own code
// without the provider — in any case. The code of a provider product a
// route sells (off the menus) names the route: the route's price, order of
// providers and /hide apply to it too. found says a product has the code;
// ok that it is on sale now.
func (s *Service) productByCode(code string) (p Product, found, ok bool) {
	list := s.cfg.Products.Products() // cheapest first
	for _, p := range list {
		if p.Code == code {
			return p, true, p.Available
		}
	}
	var gone Product
	for _, p := range list {
		if !namesCode(p, code) {
			continue
		}
		if p.Available {
			return p, true, true
		}
		gone, found = p, true
	}
	return gone, found, false
}

// namesCode reports whether a listed product goes by code: its own, its
// provider's code without the provider, or (a route) one of its legs'.
func namesCode(p Product, code string) bool {
	if strings.EqualFold(p.Code, code) {
		return true
	}
	if _, own, qualified := SplitQualifiedCode(p.Code); qualified && strings.EqualFold(own, code) {
		return true
	}
	for _, l := range p.Legs {
		if strings.EqualFold(QualifiedCode(l.Provider, l.Code), code) || strings.EqualFold(l.Code, code) {
			return true
		}
	}
	return false
}

// buyByCode goes from a typed code to the confirm screen when the number
// came with it, else to the number's prompt; a biller's code to its bill.
func (t *turn) buyByCode(ctx context.Context, p Product, number string) (State, error) {
	t.sess.QuickPhone, t.sess.QuickMeter, t.sess.Page = "", "", 0
	if p.Kind == Postpaid {
		if !t.s.sells(CategoryBill) {
			t.notes = append(t.notes, text(t.lang, "code_unavailable", p.Name))
			return StateHome, nil
		}
		t.sess.Category, t.sess.Product, t.sess.Number, t.sess.Bill, t.sess.Months = CategoryBill, p.Code, "", nil, 0
		if number == "" {
			return StateBillNumber, nil
		}
		return t.billFor(ctx, number)
	}
	t.sess.Category, t.sess.Brand, t.sess.Product, t.sess.Number, t.sess.Name = p.Category, p.Brand, p.Code, "", ""
	if number == "" {
		return StateNumber, nil
	}
	return t.confirmFor(ctx, number)
}

// confirmFor checks number for the session's product and goes to the
// confirm screen, or back to the number's prompt saying what is wrong.
func (t *turn) confirmFor(ctx context.Context, number string) (State, error) {
	next, err := t.enterNumber(ctx, number)
	if next == "" {
		next = StateConfirm
	}
	return next, err
}

// billFor inquires the session's biller for number: the bill card, or the
// months' question (BPJS), or the number's prompt again.
func (t *turn) billFor(ctx context.Context, number string) (State, error) {
	next, err := t.enterBillNumber(ctx, number)
	if next == "" {
		next = StateBillCard
	}
	return next, err
}

// matchKeyword finds the longest keyword the typed words start with.
func matchKeyword(words []string) (keyword, string, bool) {
	for n := min(len(words), 2); n >= 1; n-- {
		phrase := strings.ToLower(strings.Join(words[:n], " "))
		for _, k := range keywords {
			for _, w := range k.Words {
				if w == phrase {
					return k, strings.Join(words[n:], " "), true
				}
			}
		}
	}
	return keyword{}, "", false
}

// openKeyword opens a keyword's category — or its brand's products — or,
// with a number typed after it ("pulsa 0812…"), what fits the number in
// that category.
func (t *turn) openKeyword(ctx context.Context, k keyword, rest string) (State, error) {
	if rest != "" && containsCategory([]CategoryID{CategoryPulsa, CategoryData, CategoryPLN}, k.Category) {
		// Only these are offered for a number (quickCategories); another
		// word's products are opened as if typed alone.
		if phone, meter := numberFits(rest); phone != "" || meter != "" {
			return t.numberFirst(phone, meter, k.Category)
		}
	}
	if _, ok := LookupCategory(k.Category); !ok || !t.s.sells(k.Category) {
		t.notes = append(t.notes, text(t.lang, "home_hint"))
		return StateHome, nil
	}
	next, err := t.chooseCategory(ctx, string(k.Category))
	if err != nil || next != StateBrand || k.Brand == "" {
		return next, err
	}
	for _, b := range t.s.brands(k.Category) {
		if strings.Contains(strings.ToLower(b), k.Brand) {
			t.sess.Brand, t.sess.Page = b, 0
			return StateProducts, nil
		}
	}
	return StateBrand, nil
}
