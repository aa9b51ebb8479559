package flows

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"
)

// Buying again (issue 14 items 3 and 4): "🔁 Beli lagi" on a receipt,
// "🔄 Coba lagi" on a failure's, and the home menu's last orders. These
// buttons outlive the message they came on (DESIGN rule 2): they carry the
// order's ref, never a menu id, and a tap opens a fresh confirm screen —
// the product as listed now, at the buyer's price now, with a new one-time
// token — never an order. "🏠 Menu" is the home menu, as a new message.

// recentShortcuts is how many of the buyer's last orders the home menu
// offers.
const recentShortcuts = 3

// again is a tap on a button that buys an order's product for its number
// again: the confirm screen (or, for a bill, a fresh inquiry's bill card).
func (t *turn) again(ctx context.Context, ref string) (Output, error) {
	t.restart()
	t.asNew = true // the receipt stays as it is
	o, err := t.s.cfg.Store.Order(ctx, ref)
	if errors.Is(err, ErrNotFound) || err == nil && o.ChatID != t.in.ChatID {
		// Another chat's order is not found, as with /status.
		t.notes = append(t.notes, text(t.lang, "again_unknown"))
		return t.render(ctx)
	}
	if err != nil {
		return Output{}, err
	}
	t.s.cfg.Products.AwaitLoading(ctx, t.s.cfg.CatalogWait)
	p, found, ok := t.s.productByCode(o.ShopProduct())
	if !found || !ok || p.Kind != o.Kind {
		t.notes = append(t.notes, text(t.lang, "code_unavailable", o.ProductName))
		return t.render(ctx)
	}
	next, err := t.buyByCode(ctx, p, o.CustomerNumber)
	if err != nil {
		return Output{}, err
	}
	t.sess.State = next
	return t.render(ctx)
}

// menuTap is "🏠 Menu": the home menu as a new message, from wherever the
// chat was.
func (t *turn) menuTap(ctx context.Context) (Output, error) {
	t.restart()
	t.asNew = true
	return t.render(ctx)
}

// settledButtons go under the buyer's settled message: buy the same again
// ("Coba lagi" after a failure) and the home menu. They carry the ref.
func settledButtons(o *Order) [][]Button {
	lang := Lang(o.Lang)
	again := "btn_again"
	if o.Status == StatusFailed {
		again = "btn_retry"
	}
	return [][]Button{{
		{Label: text(lang, Msg(again)), Data: ButtonData{Action: string(EvAgain), Arg: o.RefID}},
		{Label: text(lang, "btn_menu"), Data: ButtonData{Action: string(EvMenu)}},
	}}
}

// recentOrders are the buyer's last orders of distinct products and
// numbers still on sale, newest first, for the home menu.
func (t *turn) recentOrders(ctx context.Context) []Order {
	if t.s.cfg.Store == nil {
		return nil
	}
	orders, err := t.s.cfg.Store.ChatOrders(ctx, t.in.ChatID, 30)
	if err != nil {
		// The shortcuts are a courtesy: the menu goes on without them.
		t.s.log.Warn("reading the last orders for the home menu", "chat_id", t.in.ChatID, "err", err)
		return nil
	}
	seen := map[string]bool{}
	var out []Order
	for _, o := range orders {
		key := o.ShopProduct() + "\x00" + o.CustomerNumber
		if seen[key] {
			continue
		}
		seen[key] = true
		if p, found, ok := t.s.productByCode(o.ShopProduct()); !found || !ok || p.Kind != o.Kind ||
			p.Kind == Postpaid && !t.s.sells(CategoryBill) {
			continue
		}
		out = append(out, o)
		if len(out) == recentShortcuts {
			break
		}
	}
	return out
}

// shortcutLabel names a last order on its button: "🔁 Telkomsel 10.000 ·
// 081234567890".
func shortcutLabel(o Order) string {
	name := o.ProductName
	if utf8.RuneCountInString(name) > 28 {
		name = strings.TrimSpace(string([]rune(name)[:27])) + "…"
	}
	return "🔁 " + name + " · " + o.CustomerNumber
}
