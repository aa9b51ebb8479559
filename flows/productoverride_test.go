package flows_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/storage"
)

// capitals is a provider that writes names in capitals and quotes one
// product's price (as Mesin R1's price endpoint does), with or without
// its name.
type capitals struct {
	shelf
	quoteName bool
}

func (c *capitals) Price(ctx context.Context, code string) (flows.Product, error) {
	ps, _ := c.Products(ctx)
	for _, p := range ps {
		if p.Code == code {
			if !c.quoteName {
				p.Name, p.Brand = "", ""
			}
			return p, nil
		}
	}
	return flows.Product{Code: code}, nil
}

func newCapitals() *capitals {
	return &capitals{shelf: shelf{products: []flows.Product{
		{Code: "TSEL10", Name: "TELKOMSEL 10.000", Brand: "TELKOMSEL", Category: flows.CategoryPulsa, Price: 11300,
			Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone},
		{Code: "ESIMXL15", Name: "ESIM XL 15GB 30 HARI", Brand: "XL", Category: flows.CategoryESIM, Price: 85000,
			Kind: flows.Prepaid, Available: true, Number: flows.NumberAny},
	}}}
}

// TestProductOverrides: the cache serves the providers' names tidied and
// the admins' names and hidden codes over them — in the list, a lookup and
// a price endpoint's quote — keeps the provider's copy as it came, and
// serves the overrides again after a restart.
func TestProductOverrides(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	path := filepath.Join(t.TempDir(), "db")
	db, err := storage.Open(path, storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	src := newCapitals()
	cache := flows.NewProductCache(src, db, clk.Now)
	if err := cache.Load(bg); err != nil {
		t.Fatal(err)
	}
	if p, _ := cache.Lookup("ESIMXL15"); p.Name != "eSIM XL 15GB 30 Hari" || p.Brand != "XL" {
		t.Errorf("tidied: %q / %q", p.Name, p.Brand)
	}
	if p, _ := cache.Lookup("TSEL10"); p.Brand != "Telkomsel" {
		t.Errorf("brand tidied: %q", p.Brand)
	}
	if _, err := cache.SetOverride(bg, "TSEL10", func(o *flows.ProductOverride) { o.Name = "Pulsa Tsel 10rb" }); err != nil {
		t.Fatal(err)
	}
	if _, err := cache.SetOverride(bg, "ESIMXL15", func(o *flows.ProductOverride) { o.Hidden = true }); err != nil {
		t.Fatal(err)
	}
	check := func(when string, cache *flows.ProductCache) {
		t.Helper()
		if p, _ := cache.Lookup("TSEL10"); p.Name != "Pulsa Tsel 10rb" || !p.Available {
			t.Errorf("%s: renamed %+v", when, p)
		}
		if p, _ := cache.Lookup("ESIMXL15"); p.Available || p.Name != "eSIM XL 15GB 30 Hari" {
			t.Errorf("%s: hidden %+v", when, p)
		}
		for _, p := range cache.Products() {
			if p.Code == "ESIMXL15" && p.Available {
				t.Errorf("%s: hidden product listed available", when)
			}
		}
		if p, ok := cache.Provided("TSEL10"); !ok || p.Name != "Telkomsel 10.000" {
			t.Errorf("%s: provided %+v %v", when, p, ok)
		}
		// A quote with its name takes the admins' name; one without stays
		// without (the confirmation fills it in from the list).
		src.quoteName = true
		if p, err := cache.Current(bg, "TSEL10", time.Minute); err != nil || p.Name != "Pulsa Tsel 10rb" {
			t.Errorf("%s: quote %+v %v", when, p, err)
		}
		if p, err := cache.Current(bg, "ESIMXL15", time.Minute); err != nil || p.Available || p.Name != "eSIM XL 15GB 30 Hari" {
			t.Errorf("%s: hidden quote %+v %v", when, p, err)
		}
		src.quoteName = false
		if p, err := cache.Current(bg, "TSEL10", time.Minute); err != nil || p.Name != "" {
			t.Errorf("%s: quote without a name %+v %v", when, p, err)
		}
	}
	check("set", cache)
	if saved, _, err := db.SourceCatalog(bg, "products"); err != nil || len(saved) != 2 || saved[0].Name != "TELKOMSEL 10.000" {
		t.Errorf("the provider's copy: %+v %v, want it saved as it came", saved, err)
	}

	db.Close()
	db, err = storage.Open(path, storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	restarted := flows.NewProductCache(src, db, clk.Now)
	if err := restarted.LoadSaved(bg); err != nil {
		t.Fatal(err)
	}
	check("after a restart", restarted)

	// Taken off again: the provider's name, and for sale.
	restarted.SetOverride(bg, "TSEL10", func(o *flows.ProductOverride) { o.Name = "" })
	restarted.SetOverride(bg, "ESIMXL15", func(o *flows.ProductOverride) { o.Hidden = false })
	if p, _ := restarted.Lookup("TSEL10"); p.Name != "Telkomsel 10.000" {
		t.Errorf("rename removed: %q", p.Name)
	}
	if p, _ := restarted.Lookup("ESIMXL15"); !p.Available {
		t.Errorf("shown again: %+v", p)
	}
	if got, _ := db.ProductOverrides(bg); len(got) != 0 {
		t.Errorf("overrides left in the store: %v", got)
	}
}
