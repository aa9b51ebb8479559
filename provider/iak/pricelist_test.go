package iak

import (
	"context"
	"strings"
	"testing"

	"topupbot/flows"
)

// TestCatalogSourcesFailApart: the prepaid and postpaid lists are two
// sources; the postpaid host answering 404 fails that source alone.
func TestCatalogSourcesFailApart(t *testing.T) {
	good := `{"product_code":"htelkomsel10000","product_description":"Telkomsel","product_nominal":"10000","product_price":10850,"product_type":"pulsa","status":"active"}`
	c, _ := newCanned(t, func(path string, _ map[string]any) (int, string) {
		if strings.HasPrefix(path, postpaidPath) {
			return 404, "<html>Not Found</html>"
		}
		return 200, `{"data":{"pricelist":[` + good + `],"rc":"00"}}`
	})
	sources := c.CatalogSources()
	if len(sources) != 2 || sources[0].Name != "prepaid" || sources[1].Name != "postpaid" {
		t.Fatalf("sources %+v", sources)
	}
	products, err := sources[0].Products(context.Background())
	if err != nil || len(products) != 1 || products[0].Code != "htelkomsel10000" {
		t.Errorf("prepaid: %+v, %v", products, err)
	}
	if _, err := sources[1].Products(context.Background()); flows.KindOf(err) != flows.KindUnknown {
		t.Errorf("postpaid on a 404: %v, want unknown", err)
	}
	if _, err := c.Products(context.Background()); err == nil {
		t.Error("Products, the whole list, hid the postpaid failure")
	}
}

// TestPricelistUnpricedListedAtZero: an entry priced 0, below 0 or not at
// all is listed at price 0, for the catalog to hide and count, rather than
// dropped unseen or offered at the markup alone.
func TestPricelistUnpricedListedAtZero(t *testing.T) {
	entry := func(code, price string) string {
		p := ""
		if price != "" {
			p = `,"product_price":` + price
		}
		return `{"product_code":"` + code + `","product_description":"Telkomsel","product_nominal":"10000"` + p + `,"product_type":"pulsa","status":"active"}`
	}
	c, _ := newCanned(t, func(string, map[string]any) (int, string) {
		return 200, `{"data":{"pricelist":[` + entry("hzero", "0") + `,` + entry("hneg", "-5") + `,` + entry("hnone", "") + `,` + entry("hok", "10850") + `],"rc":"00"}}`
	})
	products, err := c.PrepaidProducts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, p := range products {
		got[p.Code] = p.Price
	}
	want := map[string]int64{"hzero": 0, "hneg": 0, "hnone": 0, "hok": 10850}
	for code, price := range want {
		if p, ok := got[code]; !ok || p != price {
			t.Errorf("%s: price %d listed %v, want %d", code, p, ok, price)
		}
	}
}
