package mesinr1

import (
	"context"
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

// TestPriceKeepsTheListsType: the price answer names no product group, so a
// physical voucher listed under a data or pulsa kategori (group VOUCHER
// FISIK, known only from product-categories) cannot be told from a top-up
// by its kategori alone. Price must then leave the type unsaid — the
// confirm step takes the list's — rather than say "topup": an order typed
// topup settles on a success without the voucher code (DESIGN rule 10).
func TestPriceKeepsTheListsType(t *testing.T) {
	const item = `{"kode":"VDATA10","nama":"VOUCHER DATA 10GB","operator":"TELKOMSEL","kategori":"VOUCHER DATA",` +
		`"gangguan":"Tidak","kosong":"Tidak","harga":"50000"}`
	c, _ := cannedClient(t, func(path string, _ map[string]any) (int, string) {
		switch path {
		case "product-categories":
			return 200, `{"status":"success","code":200,"data":[{"id":31,"code":"VOUCHER DATA","name":"VOUCHER DATA","type":"VOUCHER FISIK"}]}`
		case "products":
			return 200, `{"status":"success","code":200,"data":[` + item + `]}`
		case "price":
			return 200, `{"status":"success","code":200,"rc":"00","data":` + item + `}`
		}
		return 404, `{"status":"error","code":404,"message":"not found"}`
	})
	ctx := context.Background()
	listed, err := c.Products(ctx)
	if err != nil || len(listed) != 1 {
		t.Fatalf("Products = %+v, %v", listed, err)
	}
	if listed[0].Type != flows.TypeVoucher {
		t.Fatalf("listed type %q, want %q (group VOUCHER FISIK)", listed[0].Type, flows.TypeVoucher)
	}
	p, err := c.Price(ctx, "VDATA10")
	if err != nil {
		t.Fatal(err)
	}
	if p.Type != "" && p.Type != listed[0].Type {
		t.Errorf("Price type %q contradicts the list's %q: the order would settle without the voucher code", p.Type, listed[0].Type)
	}
}
