package flows

import (
	"strings"
	"time"
)

// The texts below are what an order's settlement and alerts send. They are
// HTML (Telegram parse mode), so everything that came from a person or a
// provider is escaped; codes a buyer must copy are in <code>.

// MaskNumber hides the middle of a customer number for the ops group:
// "081234567890" → "0812****7890".
func MaskNumber(n string) string {
	r := []rune(n)
	switch {
	case len(r) >= 10:
		return string(r[:4]) + strings.Repeat("*", len(r)-8) + string(r[len(r)-4:])
	case len(r) >= 5:
		return string(r[:2]) + strings.Repeat("*", len(r)-4) + string(r[len(r)-2:])
	}
	return strings.Repeat("*", len(r))
}

// shorten keeps long codes readable on one ops line.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// code is a value a buyer copies: an SN, a token, a ref.
func code(s string) Markup { return markupf("<code>%s</code>", s) }

// plnToken splits IAK's PLN serial "token/NAME/R1/900VA/kWh" into the token
// to type into the meter and the rest.
func plnToken(sn string) (token string, rest []string) {
	parts := strings.Split(sn, "/")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts[0], parts[1:]
}

// SegmentPower tidies PLN's tariff and power as providers write them —
// "R1 /000001300", "R1/1300" — into "R1/1300VA". Anything it cannot read is
// returned as it came.
func SegmentPower(s string) string {
	tariff, power, ok := strings.Cut(s, "/")
	if !ok {
		return strings.TrimSpace(s)
	}
	tariff = strings.TrimSpace(tariff)
	power = strings.TrimSuffix(strings.TrimSpace(strings.ToUpper(power)), "VA")
	power = strings.TrimLeft(power, "0")
	if tariff == "" || !allDigits(power) {
		return strings.TrimSpace(s)
	}
	return tariff + "/" + power + "VA"
}

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
	add("line_number", code(o.CustomerNumber))
	if o.CustomerName != "" {
		add("line_name", o.CustomerName)
	}
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
