package flows

import (
	"context"
	"strings"
)

// strukChoices is how many of the chat's last settled orders /struk
// without a ref lists.
const strukChoices = 5

// struk is /struk REF: the receipt of one of the chat's own
// orders sent again, as the settlement sent it (receipt.go) but in the
// chat's language now; an admin may
// ask for any order's. Without a ref it lists the chat's last settled
// orders, each with its command to copy.
func (t *turn) struk(ctx context.Context) (Output, error) {
	ref := strings.ToUpper(strings.TrimSpace(t.in.Args))
	if ref == "" {
		return t.strukChoices(ctx)
	}
	o, ok, err := t.orderSeen(ctx, ref)
	if err != nil {
		return Output{}, err
	}
	if !ok {
		return t.orderNotFound(ref), nil
	}
	if !o.Status.Final() {
		return t.say(text(t.lang, "struk_pending", o.RefID)), nil
	}
	// In the asker's language: an admin reads a buyer's receipt in theirs.
	r := receiptIn(t.lang, &o)
	return Output{Replies: []Reply{{Text: r.Text, QR: r.QR}}}, nil
}

// strukChoices lists the chat's last settled orders to ask a receipt of,
// or says how /struk is used when there are none.
func (t *turn) strukChoices(ctx context.Context) (Output, error) {
	orders, err := t.s.cfg.Store.ChatOrders(ctx, t.in.ChatID, 10)
	if err != nil {
		return Output{}, err
	}
	lines := []string{text(t.lang, "struk_choose")}
	for _, o := range orders {
		if !o.Status.Final() {
			continue
		}
		if len(lines) > strukChoices {
			break
		}
		lines = append(lines, text(t.lang, "struk_line", statusIcon(o.Status), shortTime(o.CreatedAt), o.ProductName, o.RefID))
	}
	if len(lines) == 1 {
		return t.say(text(t.lang, "struk_usage")), nil
	}
	return t.say(strings.Join(lines, "\n")), nil
}
