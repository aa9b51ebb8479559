package flows

import (
	"strings"
	"time"
)

// NotificationKind tells a new message from an edit of an existing one.
type NotificationKind string

// Notification kinds.
const (
	NotifySend NotificationKind = "send"
	NotifyEdit NotificationKind = "edit"
)

// Notification is one outbound Telegram message waiting in the outbox
// (DESIGN rule 10). It is persisted as JSON.
type Notification struct {
	// ID is assigned by the store and orders the outbox.
	ID   string           `json:"id"`
	Kind NotificationKind `json:"kind"`
	// ChatID is the target; for an edit, MessageID the message to edit.
	ChatID    int64 `json:"chat_id"`
	MessageID int   `json:"message_id,omitempty"`
	// Caption makes an edit one of a photo's caption (a QR code's).
	Caption bool `json:"caption,omitempty"`
	// ToOps marks a notification for the ops group: its chat may migrate
	// to a supergroup and is re-read at delivery.
	ToOps bool `json:"to_ops,omitempty"`
	// Text is HTML (Telegram parse mode HTML), already escaped.
	Text string `json:"text"`
	// Buttons go under a new message. They outlive any menu, so they carry
	// what they act on (a user id), never a menu id (DESIGN rule 2).
	Buttons [][]Button `json:"buttons,omitempty"`
	// RefID is the order it is about, if any, for logs.
	RefID     string    `json:"ref_id,omitempty"`
	Attempts  int       `json:"attempts,omitempty"`
	NotBefore time.Time `json:"not_before,omitzero"`
	CreatedAt time.Time `json:"created_at"`
}

// The texts the engine's notifications carry: an order's settlement, for
// its buyer and the ops group, and the alerts for admins. They are HTML
// (Telegram parse mode) built from the catalogue, which escapes what came
// from a person or a provider; codes a buyer must copy are in <code>.

// buyerSettledText is the new message the buyer gets when an order settles:
// everything needed to use the product, ready to copy, in the buyer's
// language.
func buyerSettledText(o *Order) string {
	lang := Lang(o.Lang)
	var lines []string
	add := func(key Msg, args ...any) { lines = append(lines, text(lang, key, args...)) }
	if o.Status == StatusSuccess {
		add("settled_ok")
	} else {
		add("settled_failed")
	}
	add("line_product", o.ProductName)
	lines = append(lines, customerLines(o)...)
	add("line_price", FormatRupiah(o.Price))
	if o.Status == StatusSuccess {
		switch {
		case o.Category == CategoryPLN && o.SN != "":
			token, rest := plnToken(o.SN)
			add("line_token", code(token))
			if len(rest) == 4 { // name / segment / power / kWh
				add("line_tariff", SegmentPower(rest[1]+"/"+rest[2]))
				add("line_kwh", rest[3])
			} else if len(rest) > 0 {
				add("line_info", strings.Join(rest, " / "))
			}
		case o.SN != "" && o.Kind == Postpaid:
			add("line_reference", code(o.SN))
		case o.SN != "":
			add("line_sn", code(o.SN))
		}
		if o.PIN != "" {
			add("line_pin", code(o.PIN))
		}
		if o.ActivationCode != "" {
			add("line_activation", code(o.ActivationCode))
		}
	} else {
		add("line_reason", o.Reason.In(lang))
	}
	add("line_ref", code(o.RefID))
	if o.Hold > 0 {
		// Paid from the saldo (DESIGN rule 13): a failure says the hold
		// came back; every receipt ends with the balance after.
		if o.Status == StatusFailed {
			add("line_refunded", FormatRupiah(o.Hold))
		}
		add("line_saldo", FormatRupiah(o.SaldoAfter()))
	}
	return strings.Join(lines, "\n")
}

// buyerEditText replaces the "processing" message once the order settles.
func buyerEditText(o *Order) string {
	if o.Status == StatusSuccess {
		return text(Lang(o.Lang), "edit_ok", code(o.RefID))
	}
	return text(Lang(o.Lang), "edit_failed", code(o.RefID))
}

// opsLineText is the ops group's line for a settled order: the number
// and the SN masked (DESIGN rule 12).
func opsLineText(lang Lang, o *Order) string {
	icon := "✅"
	if o.Status != StatusSuccess {
		icon = "❌"
	}
	var sn, reason Markup
	if o.Status == StatusSuccess && o.SN != "" {
		sn = markupf(" · SN %s", maskedSN(o.SN))
	}
	if o.Status == StatusFailed {
		reason = markupf(" · %s", o.Reason.In(lang))
	}
	return string(markupf("%s %s · %s · %s%s%s · %s · %s", icon, o.ProductName, MaskNumber(o.CustomerNumber),
		FormatRupiah(o.Price), sn, reason, clockTime(o.SettledAt), code(o.RefID)))
}

// alertText is an alert for admins about one order.
func alertText(lang Lang, kind AlertKind, o *Order, detail string) string {
	var what Markup
	switch kind {
	case AlertPendingTooLong:
		what = Markup(text(lang, "alert_pending_too_long", shortTime(o.CreatedAt)))
	case AlertAccountMissing:
		what = Markup(text(lang, "alert_account_missing", o.Account.String()))
	default:
		what = Markup(text(lang, Msg("alert_"+string(kind))))
	}
	msg := text(lang, "alert_order", code(o.RefID), o.ProductName,
		MaskNumber(o.CustomerNumber), what)
	if detail != "" {
		// Alerts may go to the ops group: the provider's words are scrubbed.
		msg += string(markupf("\n%s", scrub(detail, o)))
	}
	return msg
}

// providerAlertText is an alert about the provider account as a whole.
func providerAlertText(lang Lang, kind AlertKind, detail string, at time.Time) string {
	msg := "⚠️ " + text(lang, Msg("provider_alert_"+string(kind)))
	if detail != "" {
		msg += string(markupf("\n%s", scrub(detail, nil)))
	}
	return msg + "\n" + shortTime(at) + " WIB"
}
