package flows_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
)

// digiflazzList is a provider with one list, as Digiflazz's prepaid one,
// which a test can change or make fail.
type digiflazzList struct {
	mu       sync.Mutex
	products []flows.Product
	err      error
	calls    int
}

func (d *digiflazzList) CatalogSources() []flows.CatalogSource {
	return []flows.CatalogSource{{Name: "prepaid", Kind: flows.Prepaid, Products: d.Products}}
}

func (d *digiflazzList) Products(context.Context) ([]flows.Product, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	if d.err != nil {
		return nil, d.err
	}
	return append([]flows.Product(nil), d.products...), nil
}

func (d *digiflazzList) set(f func(d *digiflazzList)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(d)
}

func newDigiflazzList() *digiflazzList {
	return &digiflazzList{products: []flows.Product{
		{Code: "tsel10", Name: "Telkomsel 10000", Category: flows.CategoryPulsa, Brand: "TELKOMSEL", Price: 10200,
			Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone, Type: flows.TypeTopUp},
		{Code: "pln20", Name: "PLN 20000", Category: flows.CategoryPLN, Brand: "PLN", Price: 20300,
			Kind: flows.Prepaid, Available: true, Number: flows.NumberPLNMeter, Type: flows.TypePLNToken},
	}}
}

// t10 prefers Digiflazz's tsel10, then IAK's htelkomsel10000.
var t10 = flows.Route{Code: "T10", Name: "Pulsa Telkomsel 10rb", Category: flows.CategoryPulsa,
	Legs: []flows.RouteLeg{{Provider: "digiflazz", Code: "tsel10"}, {Provider: "iak", Code: "htelkomsel10000"}}}

func multiCatalog(df *digiflazzList, iak *lists) *flows.MultiCatalog {
	return flows.NewMultiCatalog(flows.NamedCatalog{Provider: "digiflazz", Catalog: df}, flows.NamedCatalog{Provider: "iak", Catalog: iak})
}

func codes(list []flows.Product) []string {
	out := make([]string, len(list))
	for i, p := range list {
		out[i] = p.Code
	}
	return out
}

// TestMultiCatalogUnion: every provider's products, each under its
// qualified code with itself as its one leg; the sources named after their
// provider; a product's own code alone names nothing.
func TestMultiCatalogUnion(t *testing.T) {
	clk := testclock.New(time.Date(2026, 12, 3, 9, 0, 0, 0, flows.WIB))
	db := openCatalogDB(t, filepath.Join(t.TempDir(), "db"), clk)
	cache := flows.NewProductCacheWith(multiCatalog(newDigiflazzList(), newLists()), db, flows.CacheConfig{Now: clk.Now})
	if err := cache.Load(bg); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range cache.Sources() {
		names = append(names, s.Name)
	}
	if want := []string{"digiflazz.prepaid", "iak.prepaid", "iak.postpaid"}; !reflect.DeepEqual(names, want) {
		t.Errorf("sources %q, want %q", names, want)
	}
	if got, want := codes(cache.Products()), []string{"iak:PLNPOSTPAID", "digiflazz:tsel10", "iak:htelkomsel10000", "digiflazz:pln20"}; !reflect.DeepEqual(got, want) {
		t.Errorf("products %q, want %q (cheapest first)", got, want)
	}
	p, ok := cache.Lookup("digiflazz:tsel10")
	want := flows.Leg{Provider: "digiflazz", Code: "tsel10", Cost: 10200, Available: true}
	if !ok || p.Price != 10200 || p.Name != "Telkomsel 10000" || !reflect.DeepEqual(p.Legs, []flows.Leg{want}) {
		t.Errorf("digiflazz:tsel10 = %+v, %v", p, ok)
	}
	// One operator on the menus, however each provider spells it.
	if p.Brand != "Telkomsel" {
		t.Errorf("digiflazz:tsel10's brand %q, want IAK's spelling Telkomsel", p.Brand)
	}
	if has(cache, "tsel10") || has(cache, "htelkomsel10000") {
		t.Error("an unqualified code names a product with several providers")
	}
	provider, code, ok := flows.SplitQualifiedCode(p.Code)
	if provider != "digiflazz" || code != "tsel10" || !ok {
		t.Errorf("SplitQualifiedCode(%q) = %q, %q, %v", p.Code, provider, code, ok)
	}
}

// TestMultiCatalogRoutes: a route is priced from its first available leg,
// lists its legs in the order of preference, hides them from the menus,
// and is left out — logged once — when none of its legs is listed.
func TestMultiCatalogRoutes(t *testing.T) {
	clk := testclock.New(time.Date(2026, 12, 3, 9, 0, 0, 0, flows.WIB))
	db := openCatalogDB(t, filepath.Join(t.TempDir(), "db"), clk)
	df, iak := newDigiflazzList(), newLists()
	var logs bytes.Buffer
	var logMu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil))
	ghost := flows.Route{Code: "GHOST", Name: "Nowhere", Category: flows.CategoryData,
		Legs: []flows.RouteLeg{{Provider: "digiflazz", Code: "nope"}, {Provider: "iak", Code: "nada"}}}
	half := flows.Route{Code: "PLN20", Name: "Token PLN 20rb", Category: flows.CategoryPLN,
		Legs: []flows.RouteLeg{{Provider: "iak", Code: "hpln20000"}, {Provider: "digiflazz", Code: "pln20"}}}
	cache := flows.NewProductCacheWith(multiCatalog(df, iak), db, flows.CacheConfig{Now: clk.Now, Logger: log,
		Routes: []flows.Route{t10, ghost, half}})
	if err := cache.Load(bg); err != nil {
		t.Fatal(err)
	}

	p, ok := cache.Lookup("T10")
	wantLegs := []flows.Leg{{Provider: "digiflazz", Code: "tsel10", Cost: 10200, Available: true},
		{Provider: "iak", Code: "htelkomsel10000", Cost: 10850, Available: true}}
	if !ok || p.Name != "Pulsa Telkomsel 10rb" || p.Category != flows.CategoryPulsa || p.Brand != "Telkomsel" ||
		p.Kind != flows.Prepaid || p.Number != flows.NumberPhone || p.Type != flows.TypeTopUp ||
		p.Price != 10200 || !p.Available || !reflect.DeepEqual(p.Legs, wantLegs) {
		t.Errorf("T10 = %+v, %v", p, ok)
	}
	// The legs are sold through the route, not beside it; they are still
	// found by their codes (an old button, "Beli lagi").
	if got, want := codes(cache.Products()), []string{"iak:PLNPOSTPAID", "T10", "PLN20"}; !reflect.DeepEqual(got, want) {
		t.Errorf("menus %q, want %q", got, want)
	}
	if !has(cache, "digiflazz:tsel10") || !has(cache, "iak:htelkomsel10000") {
		t.Error("a route's leg cannot be looked up")
	}
	// A missing leg is no leg; its brand and kind come from the first leg
	// found.
	p, _ = cache.Lookup("PLN20")
	if want := []flows.Leg{{Provider: "digiflazz", Code: "pln20", Cost: 20300, Available: true}}; !reflect.DeepEqual(p.Legs, want) ||
		p.Brand != "PLN" || p.Type != flows.TypePLNToken || p.Number != flows.NumberPLNMeter || p.Price != 20300 {
		t.Errorf("PLN20 = %+v", p)
	}
	if has(cache, "GHOST") {
		t.Error("a route none of whose legs exists is listed")
	}

	// The preferred provider out of stock: still on sale, at the next
	// one's cost.
	df.set(func(d *digiflazzList) { d.products[0].Available = false })
	if err := cache.Refresh(bg); err != nil {
		t.Fatal(err)
	}
	p, _ = cache.Lookup("T10")
	if !p.Available || p.Price != 10850 || p.Legs[0].Available || !p.Legs[1].Available || p.Legs[0].Provider != "digiflazz" {
		t.Errorf("T10 with its first leg out = %+v", p)
	}
	// Every leg out: unavailable, at the first leg's cost.
	iak.mu.Lock()
	iak.prepaid[0].Available = false
	iak.mu.Unlock()
	if err := cache.Refresh(bg); err != nil {
		t.Fatal(err)
	}
	p, _ = cache.Lookup("T10")
	if p.Available || p.Price != 10200 {
		t.Errorf("T10 with every leg out = %+v", p)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if n := strings.Count(logs.String(), "route=GHOST"); n != 1 {
		t.Errorf("the missing route was logged %d times over %d builds, want once:\n%s", n, 9, logs.String())
	}
	if strings.Contains(logs.String(), "route=T10") || strings.Contains(logs.String(), "route=PLN20") {
		t.Errorf("a listed route was logged as missing:\n%s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestMultiCatalogSourceFailsOnItsOwn: one provider's list down leaves the
// other's products, and the routes through it, on sale; a route gains its
// leg back when the list loads; a restart serves every saved copy, routes
// included, without asking anyone.
func TestMultiCatalogSourceFailsOnItsOwn(t *testing.T) {
	clk := testclock.New(time.Date(2026, 12, 3, 9, 0, 0, 0, flows.WIB))
	path := filepath.Join(t.TempDir(), "db")
	db := openCatalogDB(t, path, clk)
	df, iak := newDigiflazzList(), newLists()
	iak.set("prepaid", errors.New("iak down"))
	var sent alerts
	cache := flows.NewProductCacheWith(multiCatalog(df, iak), db, flows.CacheConfig{Now: clk.Now, Alert: sent.send, Routes: []flows.Route{t10}})
	if err := cache.Load(bg); err == nil || !strings.Contains(err.Error(), "iak.prepaid") {
		t.Fatalf("Load = %v, want iak.prepaid's failure", err)
	}
	p, ok := cache.Lookup("T10")
	if !ok || !p.Available || len(p.Legs) != 1 || p.Legs[0].Provider != "digiflazz" {
		t.Errorf("T10 with IAK's list down = %+v, %v", p, ok)
	}
	if !has(cache, "iak:PLNPOSTPAID") || !has(cache, "digiflazz:pln20") {
		t.Error("a source that loaded is not served")
	}
	if a := sent.all(); len(a) != 1 || !strings.Contains(a[0], "iak.prepaid") {
		t.Errorf("alerts %q, want one naming iak.prepaid", a)
	}
	iak.set("prepaid", nil)
	if err := cache.RefreshMissing(bg); err != nil {
		t.Fatal(err)
	}
	if p, _ := cache.Lookup("T10"); len(p.Legs) != 2 {
		t.Errorf("T10 after IAK's list loaded = %+v", p)
	}
	if df.calls != 1 {
		t.Errorf("Digiflazz asked %d times; only IAK's missing list was to be", df.calls)
	}
	db.Close()

	// A restart with every provider down serves what was saved.
	db = openCatalogDB(t, path, clk)
	df.set(func(d *digiflazzList) { d.err = errors.New("down") })
	iak.set("prepaid", errors.New("down"))
	iak.set("postpaid", errors.New("down"))
	again := flows.NewProductCacheWith(multiCatalog(df, iak), db, flows.CacheConfig{Now: clk.Now, Routes: []flows.Route{t10}})
	if err := again.LoadSaved(bg); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Products(), cache.Products()) {
		t.Errorf("after a restart:\n got %+v\nwant %+v", again.Products(), cache.Products())
	}
}

// TestMultiCatalogIgnoresTheOldSingleList: the one list an earlier version
// saved has unqualified codes: several providers' sources never take it.
func TestMultiCatalogIgnoresTheOldSingleList(t *testing.T) {
	clk := testclock.New(time.Date(2026, 12, 3, 9, 0, 0, 0, flows.WIB))
	db := openCatalogDB(t, filepath.Join(t.TempDir(), "db"), clk)
	iak := newLists()
	if err := db.SaveCatalog(bg, iak.prepaid); err != nil {
		t.Fatal(err)
	}
	cache := flows.NewProductCacheWith(multiCatalog(newDigiflazzList(), iak), db, flows.CacheConfig{Now: clk.Now})
	if err := cache.LoadSaved(bg); err != nil {
		t.Fatal(err)
	}
	if n := len(cache.Products()); n != 0 {
		t.Errorf("%d products from the old single list: %+v", n, cache.Products())
	}
}

// TestMultiCatalogCurrent: the price re-check of a route reads its legs'
// lists afresh; a leg whose list cannot be read is not offered, the others
// are; a provider's own product asks only its own list.
func TestMultiCatalogCurrent(t *testing.T) {
	clk := testclock.New(time.Date(2026, 12, 3, 9, 0, 0, 0, flows.WIB))
	db := openCatalogDB(t, filepath.Join(t.TempDir(), "db"), clk)
	df, iak := newDigiflazzList(), newLists()
	cache := flows.NewProductCacheWith(multiCatalog(df, iak), db, flows.CacheConfig{Now: clk.Now, Routes: []flows.Route{t10}})
	if err := cache.Load(bg); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Minute)
	df.set(func(d *digiflazzList) { d.products[0].Price = 10400 })
	p, err := cache.Current(bg, "T10", time.Minute)
	if err != nil || !p.Available || p.Price != 10400 {
		t.Fatalf("Current(T10) = %+v, %v; want Digiflazz's new cost", p, err)
	}
	if df.calls != 2 || iak.count("prepaid") != 2 || iak.count("postpaid") != 1 {
		t.Errorf("asked digiflazz %d, iak prepaid %d, postpaid %d times; want 2, 2, 1", df.calls, iak.count("prepaid"), iak.count("postpaid"))
	}

	clk.Advance(2 * time.Minute)
	df.set(func(d *digiflazzList) { d.err = errors.New("down") })
	p, err = cache.Current(bg, "T10", time.Minute)
	if err != nil || !p.Available || p.Price != 10850 || p.Legs[0].Available {
		t.Errorf("Current(T10), Digiflazz down = %+v, %v; want IAK's leg alone", p, err)
	}
	if cached, _ := cache.Lookup("T10"); !cached.Legs[0].Available {
		t.Error("Current changed the cached route")
	}
	clk.Advance(2 * time.Minute)
	iak.set("prepaid", errors.New("down"))
	if _, err := cache.Current(bg, "T10", time.Minute); err == nil {
		t.Error("Current(T10) with every leg's list down answered a price")
	}

	clk.Advance(2 * time.Minute)
	iak.set("prepaid", nil)
	before := df.calls
	p, err = cache.Current(bg, "iak:htelkomsel10000", time.Minute)
	if err != nil || !p.Available || p.Price != 10850 || df.calls != before {
		t.Errorf("Current(iak:htelkomsel10000) = %+v, %v; Digiflazz asked %d times", p, err, df.calls-before)
	}
	if p, err := cache.Current(bg, "htelkomsel10000", time.Minute); err != nil || p.Available {
		t.Errorf("Current of an unqualified code = %+v, %v; want unavailable", p, err)
	}
}
