package mesinr1

import (
	"testing"

	"topupbot/flows"
)

// TestProductType: what a product delivers follows its type, not its menu:
// a physical voucher is its code whatever category it is listed in, a game
// is credited to the game id, PLN prepaid is its token.
func TestProductType(t *testing.T) {
	tests := []struct {
		kategori, group string
		want            flows.ProductType
	}{
		{"PULSA", "PRABAYAR", flows.TypeTopUp},
		{"PAKET DATA", "PRABAYAR", flows.TypeTopUp},
		{"VOUCHER DATA", "VOUCHER FISIK", flows.TypeVoucher},
		{"TOKEN PLN", "PRABAYAR", flows.TypePLNToken},
		{"VOUCHER GAME", "PRABAYAR", flows.TypeTopUp},
		{"E-MONEY", "PRABAYAR", flows.TypeTopUp},
		{"VOUCHER", "VOUCHER FISIK", flows.TypeVoucher},
		{"VOUCHER", "PRABAYAR", flows.TypeVoucher},
		{"ESIM", "PRABAYAR", flows.TypeESIM},
		{"PLN PASCABAYAR", "PASCABAYAR", ""},
	}
	for _, tt := range tests {
		cat, _, ok := categoryOf(tt.kategori, tt.group)
		if !ok {
			t.Fatalf("%s: no category", tt.kategori)
		}
		if got := typeOf(cat, tt.group); got != tt.want {
			t.Errorf("%s (%s): type %q, want %q", tt.kategori, tt.group, got, tt.want)
		}
	}
}
