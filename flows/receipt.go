package flows

import (
	"strconv"
	"strings"
	"time"
)

// The receipt (struk) of a settled order: what the buyer keeps (issue 14
// items 7–9). One renderer serves the settlement message and /struk, so a
// receipt asked for later reads as the one that came first.

// receipt is a settled order's receipt, rendered in one language.
type receipt struct {
	Text string
	// QR, for an eSIM, is the activation code to show as a QR image, Text
	// being its caption.
	QR string
}

// receiptOf renders the receipt of o, which must be settled, in its
// buyer's language.
func receiptOf(o *Order) receipt { return receiptIn(Lang(o.Lang), o) }

// receiptIn renders the receipt of o in lang: the heading, then a line
// each, codes to copy in <code>, and last what it cost the buyer.
func receiptIn(lang Lang, o *Order) receipt {
	r := receiptLines{lang: lang, o: o}
	r.heading()
	r.add("line_time", wibStamp(r.settledAt()))
	r.add("line_product", o.ProductName)
	r.customer()
	if o.Kind == Postpaid {
		r.bill()
	} else {
		r.add("line_price", FormatRupiah(o.Price))
	}
	if o.Status == StatusSuccess {
		r.delivered()
	} else if o.Reason != "" && o.Reason != ReasonFailed {
		// The generic reason only repeats the heading ("gagal").
		r.add("line_reason", o.Reason.In(r.lang))
	}
	r.add("line_ref", code(o.RefID))
	r.money()
	out := receipt{Text: strings.Join(r.lines, "\n")}
	if o.Status == StatusSuccess && strings.TrimSpace(o.ActivationCode) != "" {
		out.Text += "\n\n" + text(r.lang, "esim_steps")
		out.QR = strings.TrimSpace(o.ActivationCode)
	}
	return out
}

// receiptLines builds a receipt line by line.
type receiptLines struct {
	lang  Lang
	o     *Order
	lines []string
}

func (r *receiptLines) add(key Msg, args ...any) {
	r.lines = append(r.lines, text(r.lang, key, args...))
}

// heading is the receipt's one line about the outcome: a bill is a
// payment ("Pembayaran"), anything else a transaction.
func (r *receiptLines) heading() {
	switch ok := r.o.Status == StatusSuccess; {
	case r.o.Kind == Postpaid && ok:
		r.add("settled_bill_ok")
	case r.o.Kind == Postpaid:
		r.add("settled_bill_failed")
	case ok:
		r.add("settled_ok")
	default:
		r.add("settled_failed")
	}
}

func (r *receiptLines) settledAt() time.Time {
	if r.o.SettledAt.IsZero() {
		return r.o.UpdatedAt
	}
	return r.o.SettledAt
}

// customer is the customer number (and, when known, the name) the order
// was for: the one place the receipt says whom it served.
func (r *receiptLines) customer() {
	if lines := gameIDLines(r.lang, r.o); lines != nil {
		r.lines = append(r.lines, lines...)
		return
	}
	if r.o.Kind == Postpaid {
		r.add("bill_customer", r.o.CustomerNumber)
	} else {
		r.add("line_number", code(r.o.CustomerNumber))
	}
	if r.o.CustomerName != "" {
		r.add("line_name", r.o.CustomerName)
	}
}

// bill is what a payment paid: the period, the bill's lines as the
// provider gave them (a penalty, "denda", among them), the bill, the fee and the
// total. The fee is the rest of the price, as on the bill card the buyer
// agreed to, so the lines add up to what was paid.
func (r *receiptLines) bill() {
	b := r.o.Bill
	if b == nil {
		r.add("bill_total", FormatRupiah(r.o.Price))
		return
	}
	if p := periodWords(r.lang, b.Period, b.Months); p != "" {
		r.add("bill_period", p)
	}
	for _, d := range b.Details {
		// A row per period ("Periode 202610: Rp 187.000") repeats the
		// period and the bill below, unless it carries a penalty.
		if strings.HasPrefix(d, "Periode ") && !strings.Contains(strings.ToLower(d), "denda") {
			continue
		}
		r.add("bill_detail", d)
	}
	r.add("bill_amount", FormatRupiah(b.Amount))
	r.add("bill_admin", FormatRupiah(r.o.Price-b.Amount))
	r.add("bill_total", FormatRupiah(r.o.Price))
}

// delivered is what a success gave the buyer, ready to copy.
func (r *receiptLines) delivered() {
	o := r.o
	sn := strings.TrimSpace(o.SN)
	switch {
	case o.Category == CategoryPLN && sn != "":
		token, rest := plnToken(sn)
		r.add("line_token", code(groupToken(token)))
		if len(rest) == 4 { // name / segment / power / kWh
			r.add("line_tariff", SegmentPower(rest[1]+"/"+rest[2]))
			r.add("line_kwh", decimalComma(rest[3]))
		} else if len(rest) > 0 {
			r.add("line_info", strings.Join(rest, " / "))
		}
	case sn != "" && o.Kind == Postpaid:
		r.add("line_reference", code(sn))
	case sn != "":
		if c, until, ok := voucherExpiry(sn); ok {
			r.add("line_voucher", code(c))
			r.add("line_valid_until", until.Format("02-01-2006"))
		} else {
			r.add("line_sn", code(sn))
		}
	}
	if o.PIN != "" {
		r.add("line_pin", code(o.PIN))
	}
	if o.ActivationCode != "" {
		r.add("line_activation", code(o.ActivationCode))
	}
}

// money says what the order cost the buyer: with the wallet, the saldo
// after (and, for a failure, that the hold came back, DESIGN rule 13);
// without it a failure says that nothing was taken.
func (r *receiptLines) money() {
	o := r.o
	if o.Hold <= 0 {
		if o.Status == StatusFailed {
			r.add("line_not_charged")
		}
		return
	}
	if o.Status == StatusFailed {
		r.add("line_refunded", FormatRupiah(o.Hold))
	}
	r.add("line_saldo", FormatRupiah(o.SaldoAfter()))
}

// wibStamp is a receipt's date and time: "23-11-2026 09:00" (WIB).
func wibStamp(t time.Time) string { return t.In(WIB).Format("02-01-2006 15:04") }

// groupToken writes a PLN token of digits in groups of four, as the meter
// and PLN's own receipts show it, whatever grouping the provider sent.
// Anything but 20 digits (with separators) is returned as it came.
func groupToken(token string) string {
	digits := strings.Map(func(c rune) rune {
		switch {
		case c >= '0' && c <= '9':
			return c
		case c == '-' || c == ' ':
			return -1
		}
		return 'x'
	}, token)
	if len(digits) != 20 || !allDigits(digits) {
		return token
	}
	groups := make([]string, 0, 5)
	for i := 0; i < len(digits); i += 4 {
		groups = append(groups, digits[i:i+4])
	}
	return strings.Join(groups, "-")
}

// decimalComma writes a decimal number the Indonesian way, "12.5" as
// "12,5" and "1234.5" as "1.234,5"; anything else is returned as it came.
func decimalComma(s string) string {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || frac != "" && !allDigits(frac) || strings.Contains(frac, ".") {
		return s
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return s
	}
	out := strings.TrimPrefix(FormatRupiah(n), "Rp ")
	if frac != "" {
		out += "," + frac
	}
	return out
}

// voucherExpiry reads IAK's voucher serial "CODE / 2027-12-02" (providers.md,
// SN formats) into the code and the last day it is valid. Serials without a
// date — every other provider's — are not vouchers with an expiry.
func voucherExpiry(sn string) (string, time.Time, bool) {
	c, date, ok := strings.Cut(sn, "/")
	if !ok {
		return "", time.Time{}, false
	}
	c, date = strings.TrimSpace(c), strings.TrimSpace(date)
	until, err := time.ParseInLocation("2006-01-02", date, WIB)
	if err != nil || c == "" {
		return "", time.Time{}, false
	}
	return c, until, true
}

// periodWords writes a bill's period as words: "202611" and "NOV26" as
// "Nov 2026", a list of them joined, and a number of months paid (BPJS
// Kesehatan) as "2 bulan". What it cannot read it returns as it came.
func periodWords(lang Lang, period string, months int) string {
	switch {
	case months == 1:
		return text(lang, "period_month")
	case months > 1:
		return text(lang, "period_months", months)
	}
	period = strings.TrimSpace(period)
	if period == "" {
		return ""
	}
	parts := strings.Split(period, ",")
	for i, p := range parts {
		m, y, ok := readPeriod(strings.TrimSpace(p))
		if !ok {
			return period
		}
		parts[i] = monthName(lang, m) + " " + strconv.Itoa(y)
	}
	return strings.Join(parts, ", ")
}

// readPeriod reads one billed month as providers write it: "202611"
// (IAK), "NOV26" or "NOV2026" (Mesin R1, in English or Bahasa).
func readPeriod(p string) (time.Month, int, bool) {
	if len(p) == 6 && allDigits(p) {
		y, _ := strconv.Atoi(p[:4])
		m, _ := strconv.Atoi(p[4:])
		if y >= 2000 && m >= 1 && m <= 12 {
			return time.Month(m), y, true
		}
		return 0, 0, false
	}
	if len(p) != 5 && len(p) != 7 || !allDigits(p[3:]) {
		return 0, 0, false
	}
	y, _ := strconv.Atoi(p[3:])
	if len(p) == 5 {
		y += 2000
	}
	abbr := strings.ToUpper(p[:3])
	for _, lang := range []Lang{LangEN, LangID} {
		for i, name := range monthNames(lang) {
			if strings.ToUpper(name) == abbr {
				return time.Month(i + 1), y, true
			}
		}
	}
	return 0, 0, false
}

// monthNames are the short month names of lang, January first.
func monthNames(lang Lang) []string { return strings.Fields(text(lang, "months")) }

func monthName(lang Lang, m time.Month) string {
	if names := monthNames(lang); len(names) == 12 {
		return names[m-1]
	}
	return m.String()[:3]
}
