package flows

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// The bill flow ("Tagihan"): biller → customer number → (months, for BPJS)
// → inquiry → bill card → Pay. Its rows are in the conversation table; the
// payment itself is the engine's CreateBill and SendBill (DESIGN rule 8).

// billers lists the available postpaid products, by name.
func (s *Service) billers() []Product {
	var out []Product
	for _, p := range s.cfg.Products.Products() {
		if p.Kind == Postpaid && p.Available {
			out = append(out, p)
		}
	}
	// The cache sorts by price, meaningless for billers (price 0): by name.
	slices.SortStableFunc(out, func(a, b Product) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out
}

// biller is the biller chosen, while it is still offered: listed,
// available and not hidden by an admin (the cache marks hidden products
// unavailable), up to the moment Pay is tapped.
func (t *turn) biller() (Product, bool) {
	p, ok := t.s.cfg.Products.Lookup(t.sess.Product)
	return p, ok && p.Kind == Postpaid && p.Available
}

// chooseBiller picks a biller and asks for the customer number.
func (t *turn) chooseBiller(ctx context.Context, arg string) (State, error) {
	for _, p := range t.s.billers() {
		if buttonArg(p.Code) == arg {
			t.sess.Product, t.sess.Number, t.sess.Bill, t.sess.Months = p.Code, "", nil, 0
			return "", nil
		}
	}
	t.notes = append(t.notes, text(t.lang, "use_buttons"))
	return StateBillers, nil
}

// backToBillers drops the biller chosen.
func (t *turn) backToBillers(ctx context.Context, _ string) (State, error) {
	t.sess.Product, t.sess.Number, t.sess.Bill, t.sess.Months = "", "", nil, 0
	return StateBillers, nil
}

// backToBillNumber drops the number and the bill, to type another number.
func (t *turn) backToBillNumber(ctx context.Context, _ string) (State, error) {
	t.sess.Number, t.sess.Bill, t.sess.Months, t.sess.Token = "", nil, 0, ""
	return StateBillNumber, nil
}

// enterBillNumber takes the customer number and inquires — or first asks
// for the months, for BPJS.
func (t *turn) enterBillNumber(ctx context.Context, typed string) (State, error) {
	p, ok := t.biller()
	if !ok {
		t.notes = append(t.notes, text(t.lang, "unavailable_now", t.sess.Product))
		return StateBillers, nil
	}
	n, err := NormaliseNumber(p, typed)
	if err != nil {
		t.notes = append(t.notes, text(t.lang, "bad_customer_no"))
		return StateBillNumber, nil
	}
	t.sess.Number = n
	if asksMonths(p) {
		return StateBillMonths, nil
	}
	return t.inquire(ctx, p)
}

// enterMonths takes the months to pay and inquires.
func (t *turn) enterMonths(ctx context.Context, typed string) (State, error) {
	m, err := strconv.Atoi(strings.TrimSpace(typed))
	if err != nil || m < 1 || m > 12 {
		t.notes = append(t.notes, text(t.lang, "bad_months"))
		return StateBillMonths, nil
	}
	p, ok := t.biller()
	if !ok {
		t.notes = append(t.notes, text(t.lang, "unavailable_now", t.sess.Product))
		return StateBillers, nil
	}
	t.sess.Months = m
	return t.inquire(ctx, p)
}

// inquireAgain is the expired bill card's new inquiry.
func (t *turn) inquireAgain(ctx context.Context, _ string) (State, error) {
	p, ok := t.biller()
	if !ok || t.sess.Number == "" {
		return t.backToBillers(ctx, "")
	}
	return t.inquire(ctx, p)
}

// inquire asks the provider for the bill under a fresh ref, which the
// payment will reuse.
func (t *turn) inquire(ctx context.Context, p Product) (State, error) {
	ref, err := NewRefID(t.s.cfg.Now(), t.s.cfg.Random)
	if err != nil {
		return "", err
	}
	bill, err := t.s.cfg.Bills.InquireBill(ctx, BillRequest{RefID: ref, ProductCode: p.Code,
		CustomerNumber: t.sess.Number, Months: t.sess.Months})
	switch KindOf(err) {
	case "":
	case KindRejected:
		t.notes = append(t.notes, text(t.lang, "inquiry_refused", ReasonOf(err).In(t.lang)))
		t.sess.Bill = nil
		return StateBillNumber, nil
	default:
		t.s.log.Warn("bill inquiry failed", "chat_id", t.in.ChatID, "product_code", p.Code, "err", err)
		t.notes = append(t.notes, text(t.lang, "inquiry_failed"))
		t.sess.Bill = nil
		return StateBillNumber, nil
	}
	if bill.ProductCode == "" {
		bill.ProductCode = p.Code
	}
	token, err := randomID(t.s.cfg.Random, 12)
	if err != nil {
		return "", err
	}
	t.sess.Bill, t.sess.Token = &bill, token
	t.sess.Quote = bill.Total + t.pricing.For(CategoryBill)
	return StateBillCard, nil
}

// payBill is the bill card's Pay: write the payment (write-ahead), answer
// "processing", pay after the answer is on screen.
func (t *turn) payBill(ctx context.Context, token string) (State, error) {
	if token == "" || token != t.sess.Token || t.sess.Bill == nil {
		return t.restartState(text(t.lang, "menu_expired"))
	}
	p, ok := t.biller()
	if !ok {
		name := p.Name // hidden by an admin, it is still listed under its name
		if name == "" {
			name = t.sess.Product
		}
		t.notes = append(t.notes, text(t.lang, "unavailable_now", name))
		return StateBillers, nil
	}
	if t.sess.Bill.Expired(t.s.cfg.Now()) {
		// DESIGN rule 8: an expired inquiry is never paid; offer a new one.
		t.notes = append(t.notes, text(t.lang, "bill_expired"))
		t.sess.Token = ""
		return StateBillCard, nil
	}
	o, created, err := t.s.cfg.Engine.CreateBill(ctx, PayRequest{ChatID: t.in.ChatID, UserID: t.in.UserID, Token: token,
		Lang: string(t.lang), Product: p, Bill: *t.sess.Bill, Price: t.sess.Quote, MessageID: t.in.MessageID})
	if short, ok := saldoShort(err); ok {
		return t.noSaldo(t.sess.Quote, short)
	}
	if err != nil {
		return "", err
	}
	t.replies = []Reply{{Edit: true, Text: text(t.lang, "paying", o.RefID, o.ProductName,
		o.CustomerNumber, FormatRupiah(o.Price))}}
	if created {
		engine, ref, log := t.s.cfg.Engine, o.RefID, t.s.log
		t.then = func(ctx context.Context) []Reply {
			if _, err := engine.SendBill(ctx, ref); err != nil {
				log.Error("paying bill; checks will resolve it", "ref_id", ref, "err", err)
			}
			return nil
		}
	}
	t.restart()
	return "", nil
}

// billersPrompt is a page of the billers.
func (t *turn) billersPrompt(menu string) Reply {
	billers := t.s.billers()
	page, pages, from, to := t.page(len(billers))
	var rows [][]Button
	for _, p := range billers[from:to] {
		rows = append(rows, []Button{t.button(p.Name, menu, EvProduct, buttonArg(p.Code))})
	}
	rows = append(rows, t.pageNav(menu, page, pages)...)
	rows = append(rows, t.backCancel(menu))
	return Reply{Text: text(t.lang, "choose_biller", page+1, pages), Buttons: rows}
}

// billNumberPrompt asks for the customer number of the biller chosen.
func (t *turn) billNumberPrompt(menu string) Reply {
	p, _ := t.biller()
	return Reply{Text: text(t.lang, "ask_bill_number", p.Name),
		Buttons: [][]Button{t.backCancel(menu)}, AwaitsText: true}
}

// monthsPrompt asks how many months to pay (BPJS).
func (t *turn) monthsPrompt(menu string) Reply {
	p, _ := t.biller()
	return Reply{Text: text(t.lang, "ask_months", p.Name, t.sess.Number),
		Buttons: [][]Button{t.backCancel(menu)}, AwaitsText: true}
}

// billCardPrompt is the inquired bill with Pay — or, once it expired,
// with a new inquiry. Without a bill it is the billers again.
func (t *turn) billCardPrompt(menu string) Reply {
	b := t.sess.Bill
	if b == nil {
		return t.billersPrompt(menu)
	}
	p, _ := t.biller()
	markup := t.pricing.For(CategoryBill)
	lines := []string{text(t.lang, "bill_title", p.Name)}
	if b.CustomerName != "" {
		lines = append(lines, text(t.lang, "line_name", b.CustomerName))
	}
	lines = append(lines, text(t.lang, "bill_customer", b.CustomerNumber))
	if b.Period != "" {
		lines = append(lines, text(t.lang, "bill_period", b.Period))
	}
	for _, d := range b.Details {
		lines = append(lines, text(t.lang, "bill_detail", d))
	}
	lines = append(lines,
		text(t.lang, "bill_amount", FormatRupiah(b.Amount)),
		text(t.lang, "bill_admin", FormatRupiah(b.Total-b.Amount+markup)),
		text(t.lang, "bill_total", FormatRupiah(t.sess.Quote)))
	if !b.Expires.IsZero() {
		lines = append(lines, text(t.lang, "bill_until", shortTime(b.Expires)))
	}
	cancel := t.button(text(t.lang, "btn_cancel"), menu, EvCancel, "")
	rows := [][]Button{}
	if t.sess.Token != "" {
		rows = append(rows, []Button{t.button(text(t.lang, "btn_pay"), menu, EvConfirm, t.sess.Token), cancel})
	} else {
		rows = append(rows, []Button{t.button(text(t.lang, "btn_inquire_again"), menu, EvRetry, ""), cancel})
	}
	rows = append(rows, []Button{t.button(text(t.lang, "btn_change_number"), menu, EvBack, "")})
	return Reply{Text: strings.Join(lines, "\n"), Buttons: rows}
}
