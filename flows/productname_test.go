package flows_test

import (
	"testing"

	"topupbot/flows"
)

// TestTidyName: the simulators' names, as the providers write them, read
// as people write them; acronyms, units, brands of their own spelling and
// the provider's own mixed case are kept.
func TestTidyName(t *testing.T) {
	for in, want := range map[string]string{
		// Mesin R1 (provider/sandbox/mesinr1sim) writes capitals.
		"PLN PASCABAYAR":              "PLN Pascabayar",
		"BPJS KESEHATAN":              "BPJS Kesehatan",
		"TELKOMSEL 10.000":            "Telkomsel 10.000",
		"INDOSAT SMS 5.000":           "Indosat SMS 5.000",
		"XL DATA 5GB 30 HARI":         "XL Data 5GB 30 Hari",
		"TOKEN PLN 1.000.000":         "Token PLN 1.000.000",
		"MOBILE LEGENDS 86 DIAMOND":   "Mobile Legends 86 Diamond",
		"FREE FIRE 70 DIAMOND":        "Free Fire 70 Diamond",
		"SALDO DANA 20.000":           "Saldo DANA 20.000",
		"SALDO SHOPEEPAY 50.000":      "Saldo ShopeePay 50.000",
		"SALDO GOPAY 20.000":          "Saldo GoPay 20.000",
		"GOOGLE PLAY 20.000":          "Google Play 20.000",
		"VIDIO PREMIER 30 HARI":       "Vidio Premier 30 Hari",
		"ESIM TELKOMSEL 25GB 30 HARI": "eSIM Telkomsel 25GB 30 Hari",
		"ESIM XL 15GB 30 HARI":        "eSIM XL 15GB 30 Hari",
		"TELKOMSEL":                   "Telkomsel",
		"SMARTFREN":                   "Smartfren",
		// IAK's postpaid pricelist (provider/sandbox/iaksim).
		"PLN POSTPAID":       "PLN Postpaid",
		"PDAM KOTA SURABAYA": "PDAM Kota Surabaya",
		"TELKOM PSTN":        "Telkom PSTN",
		"THREE PASCABAYAR":   "Three Pascabayar",
		"AETRA":              "Aetra",
		"CBN":                "CBN",
		// Digiflazz (provider/sandbox/digiflazzsim) mixes them.
		"MOBILE LEGENDS 86 Diamonds": "Mobile Legends 86 Diamonds",
		"GOOGLE PLAY INDONESIA":      "Google Play Indonesia",
		"DANA 25.000":                "DANA 25.000",
		"OVO 20.000":                 "OVO 20.000",
		// Already written by people: untouched.
		"Telkomsel Data 2GB":            "Telkomsel Data 2GB",
		"Voucher Google Play Rp 20.000": "Voucher Google Play Rp 20.000",
		"by.U 10.000":                   "by.U 10.000",
		"eSIM Japan 3 GB / 7 Hari":      "eSIM Japan 3 GB / 7 Hari",
		// Brands of their own spelling, units, Rp, punctuation.
		"BY.U 10.000":          "by.U 10.000",
		"PUBG MOBILE 60 UC":    "PUBG Mobile 60 UC",
		"ML 86 DIAMONDS":       "ML 86 Diamonds",
		"VOUCHER RP 50.000":    "Voucher Rp 50.000",
		"PULSA RP10.000":       "Pulsa Rp10.000",
		"E-MONEY (PROMO)":      "E-Money (Promo)",
		"KUOTA 1.5GB 500MB 7D": "Kuota 1.5GB 500MB 7D",
		"IM3 FREEDOM 10K":      "IM3 Freedom 10K",
		"":                     "",
		"  TWO  SPACES ":       "  Two  Spaces ",
	} {
		if got := flows.TidyName(in); got != want {
			t.Errorf("TidyName(%q) = %q, want %q", in, got, want)
		}
	}
}
