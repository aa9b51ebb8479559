package flows

import (
	"strings"
	"testing"
)

// TestScrub checks provider texts of both providers as a group sees them:
// the customer number, SN, PLN token, PIN and activation code never appear,
// refs and prices do.
func TestScrub(t *testing.T) {
	const token = "0123-4567-8901-2345-6789"
	tests := []struct {
		name string
		in   string
		o    *Order
		want string
		gone []string // must not appear in the result
	}{
		{
			name: "mesin r1 success",
			in:   "TRX IS5.081234567890 SUKSES, HRG:5500 SN:ABC REFID:TEST-1.",
			o:    &Order{CustomerNumber: "081234567890", SN: "ABC"},
			want: "TRX IS5.0812****7890 SUKSES, HRG:5500 SN:**** REFID:TEST-1.",
			gone: []string{"081234567890", "ABC"},
		},
		{
			name: "mesin r1 success, SN before HRG",
			in:   "TRX T1.089652137194 SUKSES, SN:0357706684037416 HRG:2000 REFID:261123090103HW1XPK0.",
			o:    &Order{CustomerNumber: "089652137194", SN: "0357706684037416"},
			want: "TRX T1.0896****7194 SUKSES, SN:****7416 HRG:2000 REFID:261123090103HW1XPK0.",
			gone: []string{"089652137194", "0357706684037416"},
		},
		{
			name: "mesin r1 PLN token with name and kWh",
			in:   "TRX PLN20.12345678901 SUKSES, SN:" + token + "/PT INDOBEST ARTHA KREASI/R1 /000001300/66.2 HRG:20500 REFID:X1.",
			o:    &Order{CustomerNumber: "12345678901", SN: token + "/PT INDOBEST ARTHA KREASI/R1 /000001300/66.2"},
			gone: []string{"12345678901", token, "01234567890123456789", "0123-4567", "8901-2345"},
		},
		{
			name: "a token the order does not know, grouped and plain",
			in:   "TOKEN 1234-5678-9012-3456-7890 / 98765432109876543210 OK",
			want: "TOKEN ****7890 / ****3210 OK",
		},
		{
			name: "mesin r1 mutation note, no order",
			in:   "REFUND TRX IS5.081234567890 REF:261123090103HW1XPK0",
			want: "REFUND TRX IS5.0812****7890 REF:261123090103HW1XPK0",
		},
		{
			name: "mesin r1 payment note",
			in:   "BAYAR PLNPASC.546302215889 REF:P1",
			want: "BAYAR PLNPASC.5463****5889 REF:P1",
		},
		{
			name: "iak message with the number in the other form",
			in:   "NUMBER 6281234567890 WRONG",
			o:    &Order{CustomerNumber: "081234567890"},
			gone: []string{"81234567890"},
		},
		{
			name: "iak game PIN and eSIM code",
			in:   "SUCCESS pin 7751 2233 4455 code LPA:1$rsp.example$ABCDEF12",
			o:    &Order{CustomerNumber: "12345678|1234", SN: "X9", PIN: "7751 2233 4455", ActivationCode: "LPA:1$rsp.example$ABCDEF12"},
			gone: []string{"7751 2233 4455", "LPA:1$rsp.example$ABCDEF12", "ABCDEF12"},
		},
		{
			name: "a short game id of the order",
			in:   "ID 5123456 ZONE 1234 TIDAK DITEMUKAN",
			o:    &Order{CustomerNumber: "5123456"},
			gone: []string{"5123456"},
		},
		{
			name: "mesin r1 note with a short game id, no order",
			in:   "TRX FF70.5123456 REF:261123090103HW1XPK0",
			want: "TRX FF70.51***56 REF:261123090103HW1XPK0",
		},
		{
			name: "mesin r1 inquiry",
			in:   "CEK PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.",
			want: "CEK PLNPASC.5463****5889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.",
		},
		{
			name: "dates, times and prices stay",
			in:   "Saldo Rp 4.978.300 pada 2026-11-23 09:01:03, HRG:5500",
			want: "Saldo Rp 4.978.300 pada 2026-11-23 09:01:03, HRG:5500",
		},
		{
			name: "SN empty",
			in:   "TRX IS5.081234567890 SEDANG DIPROSES. SN: HRG:5500",
			want: "TRX IS5.0812****7890 SEDANG DIPROSES. SN: HRG:5500",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scrub(tt.in, tt.o)
			if tt.want != "" && got != tt.want {
				t.Errorf("scrub(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			for _, g := range tt.gone {
				if strings.Contains(got, g) {
					t.Errorf("scrub(%q) = %q: %q still there", tt.in, got, g)
				}
			}
		})
	}
}

func TestOpsLineMasksSN(t *testing.T) {
	o := &Order{ProductName: "PLN 20.000", CustomerNumber: "12345678901", Status: StatusSuccess,
		SN: "0123-4567-8901-2345-6789/BUDI/R1/900VA/13.2", RefID: "261123090103HW1XPK0"}
	got := opsLineText(LangID, o)
	for _, g := range []string{"12345678901", "0123-4567-8901-2345", "BUDI"} {
		if strings.Contains(got, g) {
			t.Errorf("ops line %q shows %q", got, g)
		}
	}
	if !strings.Contains(got, "6789") || !strings.Contains(got, o.RefID) {
		t.Errorf("ops line %q lost the token's tail or the ref", got)
	}
}

// TestScrubLabelledPIN: a PIN a provider writes into its text ("PIN:5931")
// is masked for a group even when the order does not know it — Mesin R1
// records no PIN of its own, and a mutation note has no order at all. A PIN
// glued to its SN ("SN:…/PIN:5931") must not survive as the SN's last four.
func TestScrubLabelledPIN(t *testing.T) {
	for _, tt := range []struct {
		in   string
		o    *Order
		gone string
	}{
		{"TRX GPLAY20.081234567890 SUKSES, SN:ABCD1234EFGH PIN:5931 HRG:21000 REFID:X1.",
			&Order{CustomerNumber: "081234567890", SN: "ABCD1234EFGH"}, "5931"},
		{"TRX GPLAY20.081234567890 SUKSES, SN:ABCD1234EFGH PIN:5931 HRG:21000 REFID:X1.", nil, "5931"},
		{"TRX GPLAY20.081234567890 SUKSES, SN:ABCD-EFGH-IJKL/PIN:5931", nil, "5931"},
		{"SUKSES pin = 7751 2233 4455, HRG:50000", nil, "7751 2233 4455"},
	} {
		got := scrub(tt.in, tt.o)
		if strings.Contains(got, tt.gone) {
			t.Errorf("scrub(%q) = %q: the PIN %q is still there", tt.in, got, tt.gone)
		}
		if strings.Contains(tt.in, "HRG:") && !strings.Contains(got, "HRG:") {
			t.Errorf("scrub(%q) = %q lost the price", tt.in, got)
		}
	}
}
