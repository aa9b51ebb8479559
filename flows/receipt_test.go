package flows

import (
	"strings"
	"testing"
	"time"
)

func TestGroupToken(t *testing.T) {
	for in, want := range map[string]string{
		"29481840645514703147":      "2948-1840-6455-1470-3147",
		"2948-1840-6455-1470-3147":  "2948-1840-6455-1470-3147",
		"2948 1840 6455 1470 3147":  "2948-1840-6455-1470-3147",
		"1234":                      "1234",
		"2948184064551470314X1234A": "2948184064551470314X1234A",
	} {
		if got := groupToken(in); got != want {
			t.Errorf("groupToken(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecimalComma(t *testing.T) {
	for in, want := range map[string]string{
		"12.5": "12,5", "66.2": "66,2", "1234.56": "1.234,56", "40": "40", "": "", "12,5": "12,5", "1.2.3": "1.2.3", "x": "x",
	} {
		if got := decimalComma(in); got != want {
			t.Errorf("decimalComma(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVoucherExpiry(t *testing.T) {
	c, until, ok := voucherExpiry("BA4B52862X7P / 2027-12-02")
	if !ok || c != "BA4B52862X7P" || until.Format("02-01-2006") != "02-12-2027" {
		t.Errorf("IAK voucher serial: %q %v %v", c, until, ok)
	}
	for _, sn := range []string{"BA4B52862X7P", "2948-1840/NAME/R1/900VA/12.5", " / 2027-12-02", "X / tomorrow"} {
		if _, _, ok := voucherExpiry(sn); ok {
			t.Errorf("voucherExpiry(%q) found an expiry", sn)
		}
	}
}

func TestPeriodWords(t *testing.T) {
	for _, c := range []struct {
		lang   Lang
		period string
		months int
		want   string
	}{
		{LangID, "202611", 0, "Nov 2026"},
		{LangID, "202610", 0, "Okt 2026"},
		{LangEN, "202610", 0, "Oct 2026"},
		{LangID, "202609,202610", 0, "Sep 2026, Okt 2026"},
		{LangID, "APR26", 0, "Apr 2026"},
		{LangEN, "AGU2026", 0, "Aug 2026"},
		{LangID, "02", 2, "2 bulan"},
		{LangEN, "02", 1, "1 month"},
		{LangEN, "02", 3, "3 months"},
		{LangID, "4 bulan", 0, "4 bulan"},
		{LangID, "201613", 0, "201613"},
		{LangID, "", 0, ""},
	} {
		if got := periodWords(c.lang, c.period, c.months); got != c.want {
			t.Errorf("periodWords(%s, %q, %d) = %q, want %q", c.lang, c.period, c.months, got, c.want)
		}
	}
}

// TestReceiptCharge: a failure says whether the buyer paid: with the wallet
// the hold came back and the saldo after; without it nothing was taken. A
// success with the wallet ends with the saldo after, and says nothing of a
// refund.
func TestReceiptCharge(t *testing.T) {
	at := time.Date(2026, 11, 23, 2, 5, 0, 0, time.UTC)
	base := Order{RefID: "R1", ProductName: "Telkomsel 10.000", CustomerNumber: "081234567890", Price: 10_850, SettledAt: at}
	for _, c := range []struct {
		name         string
		status       Status
		hold, wallet int64
		want, absent []string
	}{
		{"failed, no wallet", StatusFailed, 0, 0, []string{"❌ <b>Transaksi gagal</b>", "Tidak ada biaya yang diambil."}, []string{"saldo", "Alasan"}},
		{"failed, wallet", StatusFailed, 10_850, 5_000, []string{"Saldo Rp 10.850 sudah dikembalikan.", "Sisa saldo: Rp 15.850"}, []string{"Tidak ada biaya"}},
		{"success, wallet", StatusSuccess, 10_850, 5_000, []string{"✅ <b>Transaksi berhasil</b>", "Sisa saldo: Rp 5.000"}, []string{"dikembalikan", "Tidak ada biaya"}},
		{"success, no wallet", StatusSuccess, 0, 0, []string{"Waktu: 23-11-2026 09:05 WIB"}, []string{"saldo", "Tidak ada biaya"}},
	} {
		o := base
		o.Status, o.Hold, o.Wallet.Balance = c.status, c.hold, c.wallet
		if c.status == StatusFailed {
			o.Reason = ReasonFailed
		}
		got := receiptOf(&o).Text
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: no %q in\n%s", c.name, w, got)
			}
		}
		for _, a := range c.absent {
			if strings.Contains(got, a) {
				t.Errorf("%s: %q in\n%s", c.name, a, got)
			}
		}
		if strings.Count(got, "gagal") > 1 {
			t.Errorf("%s: the failure said twice:\n%s", c.name, got)
		}
	}
}
