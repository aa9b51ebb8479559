package mesinr1

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"

	"topupbot/flows"
	"topupbot/provider/sandbox/mesinr1sim"
)

func TestCategories(t *testing.T) {
	w := newWorld(t)
	cats, err := w.client.Categories(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cats) < 8 {
		t.Fatalf("got %d categories: %+v", len(cats), cats)
	}
	if want := (Category{ID: 22, Code: "PULSA", Name: "PULSA", Type: "PRABAYAR"}); cats[0] != want {
		t.Errorf("first category = %+v, want the seed's %+v", cats[0], want)
	}
}

// TestProductsWalksEveryPage: with a small page the catalog spans many
// pages, and Products returns every product exactly once.
func TestProductsWalksEveryPage(t *testing.T) {
	w := newWorld(t, func(o *mesinr1sim.Options, _ *Config) { o.PerPage = 7 })
	ctx := context.Background()
	first, err := w.client.ProductsPage(ctx, ProductFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if first.LastPage < 10 || first.Total <= 50 || first.PerPage != 7 || first.Next == "" {
		t.Fatalf("first page = %+v; want a catalog over 50 products in pages of 7", first)
	}
	before := w.rec.count("products")
	products, err := w.client.Products(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(products) != first.Total {
		t.Errorf("Products returned %d products, want all %d", len(products), first.Total)
	}
	if got := w.rec.count("products") - before; got != first.LastPage {
		t.Errorf("Products made %d products requests, want %d (one per page)", got, first.LastPage)
	}
	seen := map[string]bool{}
	for _, p := range products {
		if seen[p.Code] {
			t.Errorf("product %s listed twice", p.Code)
		}
		seen[p.Code] = true
	}

	byCode := map[string]flows.Product{}
	for _, p := range products {
		byCode[p.Code] = p
	}
	want := map[string]flows.Product{
		"IS5": {Code: "IS5", Name: "INDOSAT SMS 5.000", Category: flows.CategoryPulsa, Brand: "INDOSAT", Price: 5500,
			Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone, Type: flows.TypeTopUp},
		"XLD5":     {Code: "XLD5", Name: "XL DATA 5GB 30 HARI", Category: flows.CategoryData, Brand: "XL", Price: 45800, Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone, Type: flows.TypeTopUp},
		"PLN50":    {Code: "PLN50", Name: "TOKEN PLN 50.000", Category: flows.CategoryPLN, Brand: "PLN", Price: 51500, Kind: flows.Prepaid, Available: true, Number: flows.NumberPLNMeter, Type: flows.TypePLNToken},
		"ML86":     {Code: "ML86", Name: "MOBILE LEGENDS 86 DIAMOND", Category: flows.CategoryGame, Brand: "MOBILE LEGENDS", Price: 22000, Kind: flows.Prepaid, Available: true, Number: flows.NumberGameID, NumberFormat: "{userid}|{zoneid}", Type: flows.TypeTopUp},
		"FF70":     {Code: "FF70", Name: "FREE FIRE 70 DIAMOND", Category: flows.CategoryGame, Brand: "FREE FIRE", Price: 9500, Kind: flows.Prepaid, Available: true, Number: flows.NumberGameID, NumberFormat: "{userid}", Type: flows.TypeTopUp},
		"DANA20":   {Code: "DANA20", Name: "SALDO DANA 20.000", Category: flows.CategoryEMoney, Brand: "DANA", Price: 21000, Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone, Type: flows.TypeTopUp},
		"GPLAY20":  {Code: "GPLAY20", Name: "GOOGLE PLAY 20.000", Category: flows.CategoryVoucher, Brand: "GOOGLE PLAY", Price: 21000, Kind: flows.Prepaid, Available: true, Number: flows.NumberAny, Type: flows.TypeVoucher},
		"ESIMXL15": {Code: "ESIMXL15", Name: "ESIM XL 15GB 30 HARI", Category: flows.CategoryESIM, Brand: "XL", Price: 85000, Kind: flows.Prepaid, Available: true, Number: flows.NumberAny, Type: flows.TypeESIM},
		"PLNPASC":  {Code: "PLNPASC", Name: "PLN PASCABAYAR", Category: flows.CategoryBill, Brand: "PLN", Price: 2750, Kind: flows.Postpaid, Available: true, Number: flows.NumberBill},
		"BPJSKS":   {Code: "BPJSKS", Name: "BPJS KESEHATAN", Category: flows.CategoryBill, Brand: "BPJS", Price: 2500, Kind: flows.Postpaid, Available: true, Number: flows.NumberBill},
		"SM100":    {Code: "SM100", Name: "SMARTFREN 100.000", Category: flows.CategoryPulsa, Brand: "SMARTFREN", Price: 100450, Kind: flows.Prepaid, Available: false, Number: flows.NumberPhone, Type: flows.TypeTopUp},
		"AX100":    {Code: "AX100", Name: "AXIS 100.000", Category: flows.CategoryPulsa, Brand: "AXIS", Price: 100700, Kind: flows.Prepaid, Available: false, Number: flows.NumberPhone, Type: flows.TypeTopUp},
	}
	for code, wp := range want {
		if got := byCode[code]; !reflect.DeepEqual(got, wp) {
			t.Errorf("%s =\n %+v, want\n %+v", code, got, wp)
		}
	}
	cats := map[flows.CategoryID]int{}
	for _, p := range products {
		cats[p.Category]++
	}
	for _, c := range flows.Categories {
		if cats[c.ID] == 0 {
			t.Errorf("no product in category %s", c.ID)
		}
	}
}

func TestProductFilters(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	open, closed := true, false
	codes := func(f ProductFilter) []string {
		t.Helper()
		ps, skipped, err := w.client.SearchProducts(ctx, f)
		if err != nil || len(skipped) > 0 {
			t.Fatalf("SearchProducts(%+v) = %v, skipped %v", f, err, skipped)
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.Code)
		}
		return out
	}
	all := codes(ProductFilter{})
	tests := []struct {
		name   string
		filter ProductFilter
		check  func(codes []string) string
	}{
		{"category", ProductFilter{Category: "PLN"}, exactly("PLN20", "PLN50", "PLN100", "PLN200", "PLN500", "PLN1000")},
		{"category ids", ProductFilter{CategoryIDs: []int64{27, 28}}, exactly("GPLAY20", "GPLAY50", "VIDIO30", "ESIMTSEL25", "ESIMXL15")},
		{"type pascabayar", ProductFilter{Types: []string{"PASCABAYAR"}}, exactly("PLNPASC", "BPJSKS")},
		{"type prabayar includes voucher fisik", ProductFilter{Types: []string{"prabayar"}}, func(c []string) string {
			if !slices.Contains(c, "GPLAY20") || slices.Contains(c, "PLNPASC") || len(c) != len(all)-2 {
				return fmt.Sprintf("got %d products, want all %d but the 2 bills, vouchers included", len(c), len(all))
			}
			return ""
		}},
		{"is_open false", ProductFilter{IsOpen: &closed}, exactly("SM100", "AX100", "FF720")},
		{"is_open true", ProductFilter{IsOpen: &open}, func(c []string) string {
			if len(c) != len(all)-3 || slices.Contains(c, "SM100") {
				return fmt.Sprintf("got %d, want %d open products", len(c), len(all)-3)
			}
			return ""
		}},
		{"operator", ProductFilter{Operator: "indosat", Category: "DATA"}, exactly("ISD1", "ISD5", "ISD10")},
		{"q", ProductFilter{Query: "free fire"}, exactly("FF70", "FF140", "FF355", "FF720")},
		{"sort price desc", ProductFilter{Category: "E-MONEY", Sort: "price|desc"}, func(c []string) string {
			if len(c) != 8 || !strings.HasSuffix(c[0], "50") || !strings.HasSuffix(c[7], "20") {
				return fmt.Sprintf("got %v, want the 50.000s first", c)
			}
			return ""
		}},
		{"sort code asc", ProductFilter{Category: "GAME", Sort: "code|asc"}, func(c []string) string {
			if !slices.IsSorted(c) {
				return fmt.Sprintf("%v is not sorted", c)
			}
			return ""
		}},
	}
	for _, tt := range tests {
		if msg := tt.check(codes(tt.filter)); msg != "" {
			t.Errorf("%s: %s", tt.name, msg)
		}
	}
	page, err := w.client.ProductsPage(ctx, ProductFilter{Category: "PULSA", Page: 2, PerPage: 10})
	if err != nil {
		t.Fatal(err)
	}
	if page.Page != 2 || page.LastPage != 4 || page.Total != 36 || len(page.Products) != 10 {
		t.Errorf("page 2 of pulsa = %d products, meta %d/%d total %d", len(page.Products), page.Page, page.LastPage, page.Total)
	}
	if _, err := w.client.ProductsPage(ctx, ProductFilter{Sort: "harga|naik"}); kindOf(err) != flows.KindRejected {
		t.Errorf("a bad sort = %v, want rejected (rc 30)", err)
	}
}

func exactly(want ...string) func([]string) string {
	return func(got []string) string {
		a, b := slices.Clone(got), slices.Clone(want)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			return fmt.Sprintf("got %v, want %v", got, want)
		}
		return ""
	}
}

const categoriesBody = `{"status":"success","code":200,"message":"success","data":[{"id":22,"code":"PULSA","name":"PULSA","type":"PRABAYAR"},{"id":"31","code":"PLN","name":"PLN PASCABAYAR","type":"PASCABAYAR"}]}`

// TestProductsPagingShapes: meta.last_page wins over null links (the
// seed's own example); without meta links.next leads; a provider ignoring
// page is an error, not an endless loop.
func TestProductsPagingShapes(t *testing.T) {
	item := func(code string) string {
		return `{"kode":"` + code + `","nama":"X","operator":"TELKOMSEL","kategori":"PULSA","gangguan":"Tidak","kosong":"Tidak","harga":"1000","nominal":""}`
	}
	tests := []struct {
		name    string
		page    func(n int) string
		want    int
		wantErr flows.ErrorKind
	}{
		{"null links, meta last_page", func(n int) string {
			return fmt.Sprintf(`{"data":[%s],"links":{"first":null,"last":null,"prev":null,"next":null},"meta":{"current_page":%d,"last_page":3,"per_page":1,"total":3}}`, item(fmt.Sprint("P", n)), n)
		}, 3, ""},
		{"links.next only", func(n int) string {
			next := "null"
			if n < 4 {
				next = `"http://x/V1/api/products?page=` + fmt.Sprint(n+1) + `"`
			}
			return fmt.Sprintf(`{"data":[%s],"links":{"next":%s}}`, item(fmt.Sprint("P", n)), next)
		}, 4, ""},
		{"plain paginator", func(n int) string {
			return fmt.Sprintf(`{"current_page":%d,"last_page":2,"data":[%s]}`, n, item(fmt.Sprint("P", n)))
		}, 2, ""},
		{"flat list", func(n int) string { return "[" + item("A") + "," + item("B") + "]" }, 2, ""},
		{"page ignored", func(n int) string {
			return `{"data":[` + item("P1") + `],"meta":{"current_page":1,"last_page":5}}`
		}, 0, flows.KindUnknown},
		{"data not a list", func(n int) string { return `{"data":"nothing"}` }, 0, flows.KindUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := cannedClient(t, func(path string, body map[string]any) (int, string) {
				if path == "product-categories" {
					return 200, categoriesBody
				}
				n := 1
				if p, ok := body["page"].(float64); ok {
					n = int(p)
				}
				return 200, `{"status":"success","code":200,"message":"success","data":` + tt.page(n) + `}`
			})
			ps, err := c.Products(context.Background())
			if kindOf(err) != tt.wantErr || len(ps) != tt.want {
				t.Errorf("Products = %d products, %v; want %d, kind %q", len(ps), err, tt.want, tt.wantErr)
			}
			if tt.wantErr == "" && tt.name != "flat list" && rec.count("products") != tt.want {
				t.Errorf("%d products requests, want %d", rec.count("products"), tt.want)
			}
		})
	}
}

// TestProductDecoding: prices as numbers, strings and decimals; flags in
// any case; entries the bot cannot sell are skipped and logged, never fatal.
func TestProductDecoding(t *testing.T) {
	items := []string{
		`{"kode":"N1","nama":"NUM","operator":"TELKOMSEL","kategori":"PULSA","gangguan":"Tidak","kosong":"Tidak","harga":5500}`,
		`{"kode":"N2","nama":"STR","operator":"TELKOMSEL","kategori":"PULSA","gangguan":"tidak","kosong":"TIDAK","harga":"5500"}`,
		`{"kode":"N3","nama":"DEC","operator":"TELKOMSEL","kategori":"PULSA","harga":5500.0}`,
		`{"kode":"N4","nama":"DECSTR","operator":"TELKOMSEL","kategori":"PULSA","harga":"5500.00","gangguan":"ya"}`,
		`{"kode":"N5","nama":"KOSONG","operator":"TELKOMSEL","kategori":"PULSA","harga":"5500","kosong":"YA"}`,
		`{"kode":"N6","nama":"ODD FLAG","operator":"TELKOMSEL","kategori":"PULSA","harga":"5500","gangguan":"mungkin"}`,
		`{"kode":"N7","nama":"BOOL FLAGS","operator":"TELKOMSEL","kategori":"PULSA","harga":"5500","gangguan":false,"kosong":0}`,
		`{"kode":"N8","nama":"CLOSED","operator":"TELKOMSEL","kategori":"PULSA","harga":"5500","is_open":0}`,
		`{"kode":88,"nama":"NUMERIC CODE","operator":"","kategori":"Paket-Data","harga":"10000"}`,
		`{"kode":"G1","nama":"MLBB 86","operator":"MOBILE LEGENDS","kategori":"VOUCHER GAME","harga":"20000"}`,
		`{"kode":"T1","nama":"TOKEN 20K","operator":"PLN","kategori":"TOKEN PLN","harga":"20500"}`,
		`{"kode":"E1","nama":"OVO 20K","operator":"OVO","kategori":"SALDO OVO","harga":"21000"}`,
		`{"kode":"S1","nama":"ESIM","operator":"XL","kategori":"E-SIM","harga":"80000"}`,
		`{"kode":"PP","nama":"PLN PASCA","operator":"PLN","kategori":"PLN","harga":"2500"}`,
		`{"kode":"X1","nama":"ASURANSI","operator":"","kategori":"ASURANSI","harga":"1000"}`,
		`{"kode":"X2","nama":"DOTTED","operator":"TELKOMSEL","kategori":"PULSA","harga":"5.500"}`,
		`{"kode":"X3","nama":"NO PRICE","operator":"TELKOMSEL","kategori":"PULSA"}`,
		`{"nama":"NO CODE","kategori":"PULSA","harga":"1"}`,
		`{"kode":"X5","nama":"BROKEN","kategori":"PULSA","harga":{"v":1}}`,
	}
	var logs bytes.Buffer
	srvC, _ := cannedClient(t, func(path string, body map[string]any) (int, string) {
		if path == "product-categories" {
			return 200, categoriesBody
		}
		return 200, `{"status":"success","data":{"data":[` + strings.Join(items, ",") + `],"meta":{"current_page":1,"last_page":1}}}`
	})
	c, err := New(Config{BaseURL: strings.TrimSuffix(srvC.endpoint, "/V1/api/"), MMID: testMMID, APIKey: testKey,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := c.Products(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]flows.Product{}
	for _, p := range ps {
		got[p.Code] = p
	}
	wantAvail := map[string]bool{"N1": true, "N2": true, "N3": true, "N4": false, "N5": false, "N6": false, "N7": true, "N8": false}
	for code, avail := range wantAvail {
		p, ok := got[code]
		if !ok || p.Price != 5500 || p.Available != avail || p.Category != flows.CategoryPulsa {
			t.Errorf("%s = %+v (listed %v), want price 5500, available %v", code, p, ok, avail)
		}
	}
	cats := map[string]flows.CategoryID{"88": flows.CategoryData, "G1": flows.CategoryGame, "T1": flows.CategoryPLN,
		"E1": flows.CategoryEMoney, "S1": flows.CategoryESIM, "PP": flows.CategoryBill}
	for code, cat := range cats {
		if got[code].Category != cat {
			t.Errorf("%s category = %q, want %q", code, got[code].Category, cat)
		}
	}
	if got["88"].Brand != "Paket-Data" || got["G1"].NumberFormat != "{userid}|{zoneid}" || got["PP"].Kind != flows.Postpaid {
		t.Errorf("88 = %+v, G1 = %+v, PP = %+v", got["88"], got["G1"], got["PP"])
	}
	for _, code := range []string{"X1", "X2", "X3", "X5"} {
		if _, ok := got[code]; ok {
			t.Errorf("%s was listed; it should be skipped", code)
		}
	}
	if len(ps) != 14 {
		t.Errorf("listed %d products, want 14", len(ps))
	}
	out := logs.String()
	if !strings.Contains(out, "products skipped") || !strings.Contains(out, "count=5") || !strings.Contains(out, "component=mesinr1") {
		t.Errorf("log = %q, want one line counting 5 skipped entries", out)
	}
	if strings.Contains(out, testKey) {
		t.Error("the log contains the api key")
	}
}

func TestPrice(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	p, err := w.client.Price(ctx, "IS5")
	want := flows.Product{Code: "IS5", Name: "INDOSAT SMS 5.000", Price: 5500, Kind: flows.Prepaid, Available: true}
	if err != nil || !reflect.DeepEqual(p, want) {
		t.Errorf("Price(IS5) = %+v, %v; want %+v", p, err, want)
	}
	if p, err := w.client.Price(ctx, "SM100"); err != nil || p.Available {
		t.Errorf("Price(SM100) = %+v, %v; want unavailable (gangguan)", p, err)
	}
	if p, err := w.client.Price(ctx, "FF720"); err != nil || p.Available {
		t.Errorf("Price(FF720) = %+v, %v; want unavailable (kosong)", p, err)
	}
	_, err = w.client.Price(ctx, "NOPE")
	if kindOf(err) != flows.KindRejected || flows.ReasonOf(err) != flows.ReasonProductUnavailable {
		t.Errorf("Price(NOPE) = %v, want rejected product_unavailable", err)
	}
}

func TestPriceGarbageIsUnknown(t *testing.T) {
	for _, body := range []string{
		`<html></html>`,
		`{"status":"success","data":{"kode":"IS5","harga":"5.500"}}`,
		`{"status":"success","data":{"nama":"X"}}`,
		`{"status":"success","data":{"kode":"IS5","nama":"X"}}`,
		`{"status":"success","data":{"kode":"IS10","nama":"X","harga":"10500"}}`,
		`{"status":"success","data":{"kode":"IS5","nama":"X","harga":"-1"}}`,
		`{"status":"success","data":[]}`,
	} {
		c, _ := cannedClient(t, func(string, map[string]any) (int, string) { return 200, body })
		if _, err := c.Price(context.Background(), "IS5"); kindOf(err) != flows.KindUnknown {
			t.Errorf("Price with %s = %v, want unknown", body, err)
		}
	}
}

// TestProductsUnpricedListedAtZero: a product priced 0 or below is listed
// at 0, for the catalog to hide and count, rather than skipped unseen.
func TestProductsUnpricedListedAtZero(t *testing.T) {
	items := `{"kode":"Z0","nama":"ZERO","operator":"TELKOMSEL","kategori":"PULSA","harga":"0"},` +
		`{"kode":"ZN","nama":"NEGATIVE","operator":"TELKOMSEL","kategori":"PULSA","harga":"-500"}`
	srvC, _ := cannedClient(t, func(path string, body map[string]any) (int, string) {
		if path == "product-categories" {
			return 200, categoriesBody
		}
		return 200, `{"status":"success","data":{"data":[` + items + `],"meta":{"current_page":1,"last_page":1}}}`
	})
	c, err := New(Config{BaseURL: strings.TrimSuffix(srvC.endpoint, "/V1/api/"), MMID: testMMID, APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := c.Products(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Price != 0 || ps[1].Price != 0 {
		t.Errorf("products %+v, want both listed at price 0", ps)
	}
}
