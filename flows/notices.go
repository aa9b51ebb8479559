package flows

import (
	"fmt"
	"html"
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

func code(s string) string { return "<code>" + html.EscapeString(s) + "</code>" }

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
// everything needed to use the product, ready to copy.
func buyerSettledText(o *Order) string {
	var b strings.Builder
	if o.Status == StatusSuccess {
		b.WriteString("✅ <b>Transaksi berhasil</b>\n")
	} else {
		b.WriteString("❌ <b>Transaksi gagal</b>\n")
	}
	fmt.Fprintf(&b, "Produk: %s\n", html.EscapeString(o.ProductName))
	fmt.Fprintf(&b, "Nomor: %s\n", code(o.CustomerNumber))
	if o.CustomerName != "" {
		fmt.Fprintf(&b, "Nama: %s\n", html.EscapeString(o.CustomerName))
	}
	fmt.Fprintf(&b, "Harga: %s\n", FormatRupiah(o.Price))
	if o.Status == StatusSuccess {
		switch {
		case o.Category == CategoryPLN && o.SN != "":
			token, rest := plnToken(o.SN)
			fmt.Fprintf(&b, "Token: %s\n", code(token))
			if len(rest) == 4 { // name / segment / power / kWh
				fmt.Fprintf(&b, "Tarif/Daya: %s\n", html.EscapeString(SegmentPower(rest[1]+"/"+rest[2])))
				fmt.Fprintf(&b, "kWh: %s\n", html.EscapeString(rest[3]))
			} else if len(rest) > 0 {
				fmt.Fprintf(&b, "Info: %s\n", html.EscapeString(strings.Join(rest, " / ")))
			}
		case o.SN != "":
			label := "SN"
			if o.Kind == Postpaid {
				label = "No. Referensi"
			}
			fmt.Fprintf(&b, "%s: %s\n", label, code(o.SN))
		}
		if o.PIN != "" {
			fmt.Fprintf(&b, "PIN: %s\n", code(o.PIN))
		}
		if o.ActivationCode != "" {
			fmt.Fprintf(&b, "Kode aktivasi: %s\n", code(o.ActivationCode))
		}
	} else {
		fmt.Fprintf(&b, "Alasan: %s\n", html.EscapeString(o.Reason.Text()))
	}
	fmt.Fprintf(&b, "Ref: %s", code(o.RefID))
	return b.String()
}

// buyerEditText replaces the "processing" message once the order settles.
func buyerEditText(o *Order) string {
	if o.Status == StatusSuccess {
		return fmt.Sprintf("✅ Pesanan %s berhasil. Detail ada di pesan berikut.", code(o.RefID))
	}
	return fmt.Sprintf("❌ Pesanan %s gagal. Detail ada di pesan berikut.", code(o.RefID))
}

// opsLineText is the ops group's line for a settled order.
func opsLineText(o *Order) string {
	icon := "✅"
	if o.Status != StatusSuccess {
		icon = "❌"
	}
	parts := []string{
		icon + " " + html.EscapeString(o.ProductName),
		html.EscapeString(MaskNumber(o.CustomerNumber)),
		FormatRupiah(o.Price),
	}
	if o.Status == StatusSuccess && o.SN != "" {
		parts = append(parts, "SN "+html.EscapeString(shorten(o.SN, 16)))
	}
	if o.Status == StatusFailed {
		parts = append(parts, html.EscapeString(o.Reason.Text()))
	}
	parts = append(parts, o.SettledAt.In(WIB).Format("15:04"), code(o.RefID))
	return strings.Join(parts, " · ")
}

// alertText is an alert for admins about one order.
func alertText(kind AlertKind, o *Order, detail string) string {
	var what string
	switch kind {
	case AlertPendingTooLong:
		what = "masih menunggu sejak " + o.CreatedAt.In(WIB).Format("02/01 15:04") + " WIB"
	case AlertUnacknowledged:
		what = "tidak pernah dikonfirmasi provider dalam 24 jam; tidak dikirim ulang otomatis. Cek manual di provider"
	case AlertMisconfigured:
		what = "ditolak karena konfigurasi akun provider (sign, IP, atau akun ditangguhkan)"
	case AlertAccountMissing:
		what = "dibuat dengan akun provider " + html.EscapeString(o.Account.String()) + " yang tidak lagi dikonfigurasi; tidak dikirim ulang"
	case AlertBillUnresolved:
		what = "pembayaran tagihan belum pasti setelah batas waktu"
	default:
		what = string(kind)
	}
	text := fmt.Sprintf("⚠️ Pesanan %s (%s, %s) %s.", code(o.RefID), html.EscapeString(o.ProductName),
		html.EscapeString(MaskNumber(o.CustomerNumber)), what)
	if detail != "" {
		text += "\n" + html.EscapeString(detail)
	}
	return text
}

// providerAlertText is an alert about the provider account as a whole.
func providerAlertText(kind AlertKind, detail string, at time.Time) string {
	var what string
	switch kind {
	case AlertMisconfigured:
		what = "Akun provider menolak permintaan (sign, IP belum di-whitelist, atau akun ditangguhkan). Periksa konfigurasi."
	case AlertLowBalance:
		what = "Saldo deposit provider menipis."
	default:
		what = string(kind)
	}
	text := "⚠️ " + what
	if detail != "" {
		text += "\n" + html.EscapeString(detail)
	}
	return text + "\n" + at.In(WIB).Format("02/01 15:04") + " WIB"
}
