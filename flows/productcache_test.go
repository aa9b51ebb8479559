package flows_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/storage"
)

// lists is a provider with a prepaid and a postpaid list, each of which a
// test can make fail, and a count of the fetches of each.
type lists struct {
	mu       sync.Mutex
	prepaid  []flows.Product
	postpaid []flows.Product
	fail     map[string]error
	calls    map[string]int
	interval time.Duration // the postpaid list's MinInterval
}

func newLists() *lists {
	return &lists{
		prepaid: []flows.Product{{Code: "htelkomsel10000", Name: "Telkomsel 10.000", Category: flows.CategoryPulsa, Brand: "Telkomsel",
			Price: 10850, Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone}},
		postpaid: []flows.Product{{Code: "PLNPOSTPAID", Name: "PLN Pascabayar", Category: flows.CategoryBill, Brand: "PLN",
			Kind: flows.Postpaid, Available: true, Number: flows.NumberBill}},
		fail:  map[string]error{},
		calls: map[string]int{},
	}
}

func (l *lists) list(name string, products *[]flows.Product) func(context.Context) ([]flows.Product, error) {
	return func(context.Context) ([]flows.Product, error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.calls[name]++
		if err := l.fail[name]; err != nil {
			return nil, err
		}
		return append([]flows.Product(nil), *products...), nil
	}
}

func (l *lists) CatalogSources() []flows.CatalogSource {
	return []flows.CatalogSource{
		{Name: "prepaid", Kind: flows.Prepaid, Products: l.list("prepaid", &l.prepaid)},
		{Name: "postpaid", Kind: flows.Postpaid, MinInterval: l.interval, Products: l.list("postpaid", &l.postpaid)},
	}
}

// Products is the whole list, failing when either part does (as IAK's).
func (l *lists) Products(ctx context.Context) ([]flows.Product, error) {
	pre, err := l.list("prepaid", &l.prepaid)(ctx)
	if err != nil {
		return nil, err
	}
	post, err := l.list("postpaid", &l.postpaid)(ctx)
	return append(pre, post...), err
}

func (l *lists) set(name string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail[name] = err
}

func (l *lists) count(name string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[name]
}

// alerts records the texts a cache sends the admins.
type alerts struct {
	mu   sync.Mutex
	sent []string
}

func (a *alerts) send(_ context.Context, text string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sent = append(a.sent, text)
	return nil
}

func (a *alerts) all() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.sent...)
}

func openCatalogDB(t *testing.T, path string, clk *testclock.Clock) *storage.DB {
	t.Helper()
	db, err := storage.Open(path, storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func has(c *flows.ProductCache, code string) bool { _, ok := c.Lookup(code); return ok }

// TestCatalogSourceFailingKeepsTheOthers: the postpaid list failing leaves
// the prepaid products served; the postpaid list is asked again on every
// retry until it loads; the admins hear of it once, and once that it
// recovered; a later failure keeps its last good copy; a restart serves the
// copies saved.
func TestCatalogSourceFailingKeepsTheOthers(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	path := filepath.Join(t.TempDir(), "db")
	db := openCatalogDB(t, path, clk)
	src := newLists()
	src.set("postpaid", errors.New("iak: pricelist-pasca: unknown: HTTP 404"))
	var sent alerts
	cache := flows.NewProductCacheWith(src, db, flows.CacheConfig{Now: clk.Now, Alert: sent.send})

	err := cache.Load(bg)
	if err == nil || !strings.Contains(err.Error(), "postpaid") {
		t.Errorf("Load = %v, want the postpaid failure", err)
	}
	if !has(cache, "htelkomsel10000") || has(cache, "PLNPOSTPAID") {
		t.Fatalf("catalog %v: want the prepaid products alone", cache.Products())
	}
	for range 3 {
		clk.Advance(15 * time.Second)
		cache.RefreshMissing(bg)
	}
	if n := src.count("postpaid"); n != 4 {
		t.Errorf("postpaid asked %d times, want 4: once at load and on each retry", n)
	}
	if n := src.count("prepaid"); n != 1 {
		t.Errorf("prepaid asked %d times, want 1: it loaded", n)
	}
	got := sent.all()
	if len(got) != 1 || !strings.Contains(got[0], "<b>postpaid</b> gagal dimuat") || !strings.Contains(got[0], "disembunyikan") {
		t.Fatalf("alerts %q, want one about the postpaid list, its categories hidden", got)
	}

	src.set("postpaid", nil)
	if err := cache.RefreshMissing(bg); err != nil {
		t.Fatal(err)
	}
	if !has(cache, "PLNPOSTPAID") {
		t.Error("the postpaid list loaded but is not served")
	}
	if got := sent.all(); len(got) != 2 || !strings.Contains(got[1], "<b>postpaid</b> dimuat lagi: 1 produk") {
		t.Errorf("alerts %q, want the recovery second", got)
	}
	cache.RefreshMissing(bg)
	if n := src.count("postpaid"); n != 5 {
		t.Errorf("postpaid asked %d times, want 5: a loaded list waits for the refresh schedule", n)
	}

	// Failing after it loaded: the last good copy stays.
	clk.Advance(30 * time.Minute)
	src.set("postpaid", errors.New("iak: pricelist-pasca: unknown: HTTP 502"))
	if err := cache.Refresh(bg); err == nil {
		t.Error("Refresh hid the postpaid failure")
	}
	if !has(cache, "PLNPOSTPAID") || !has(cache, "htelkomsel10000") {
		t.Errorf("catalog %v: want the last good postpaid copy and the fresh prepaid one", cache.Products())
	}
	if got := sent.all(); len(got) != 3 || !strings.Contains(got[2], "Daftar terakhir (1 produk") {
		t.Errorf("alerts %q, want a third saying the last copy is kept", got)
	}
	var failing []string
	for _, s := range cache.Sources() {
		if s.Err != nil {
			failing = append(failing, s.Name)
		}
	}
	if strings.Join(failing, ",") != "postpaid" {
		t.Errorf("failing sources %v, want postpaid", failing)
	}

	// A restart with the provider down serves both saved copies.
	db.Close()
	db = openCatalogDB(t, path, clk)
	src.set("prepaid", errors.New("down"))
	restarted := flows.NewProductCacheWith(src, db, flows.CacheConfig{Now: clk.Now})
	if err := restarted.LoadSaved(bg); err != nil {
		t.Fatal(err)
	}
	if !has(restarted, "PLNPOSTPAID") || !has(restarted, "htelkomsel10000") {
		t.Errorf("after a restart: %v, want both saved lists", restarted.Products())
	}
}

// TestCatalogSourceMinInterval: a source that limits how often its list may
// be asked is asked at its own pace — by the retries and by the price
// check at confirmation alike.
func TestCatalogSourceMinInterval(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db := openCatalogDB(t, filepath.Join(t.TempDir(), "db"), clk)
	src := newLists()
	src.interval = 5 * time.Minute
	src.set("postpaid", errors.New("rate limited"))
	cache := flows.NewProductCacheWith(src, db, flows.CacheConfig{Now: clk.Now})
	cache.Load(bg)
	clk.Advance(time.Minute)
	cache.RefreshMissing(bg)
	if n := src.count("postpaid"); n != 1 {
		t.Errorf("postpaid asked %d times within its interval, want 1", n)
	}
	clk.Advance(4 * time.Minute)
	src.set("postpaid", nil)
	cache.RefreshMissing(bg)
	if n := src.count("postpaid"); n != 2 || !has(cache, "PLNPOSTPAID") {
		t.Errorf("postpaid asked %d times once its interval passed, want 2 and loaded", n)
	}
	clk.Advance(2 * time.Minute) // the copy is older than maxAge, younger than the interval
	if _, err := cache.Current(bg, "PLNPOSTPAID", time.Minute); err != nil {
		t.Fatal(err)
	}
	if n := src.count("postpaid"); n != 2 {
		t.Errorf("the price check asked postpaid within its interval (%d fetches)", n)
	}
}

// TestCatalogCurrentAsksOnlyItsSource: the price check at confirmation
// refreshes the product's own list; another list failing does not stop the
// sale.
func TestCatalogCurrentAsksOnlyItsSource(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db := openCatalogDB(t, filepath.Join(t.TempDir(), "db"), clk)
	src := newLists()
	src.set("postpaid", errors.New("down"))
	cache := flows.NewProductCacheWith(src, db, flows.CacheConfig{Now: clk.Now})
	cache.Load(bg)
	clk.Advance(2 * time.Minute)
	p, err := cache.Current(bg, "htelkomsel10000", time.Minute)
	if err != nil || !p.Available || p.Price != 10850 {
		t.Fatalf("Current = %+v, %v; want the product, available", p, err)
	}
	if n := src.count("prepaid"); n != 2 {
		t.Errorf("prepaid asked %d times, want 2: its copy was stale", n)
	}
	if n := src.count("postpaid"); n != 1 {
		t.Errorf("postpaid asked %d times by a prepaid price check", n)
	}
}

// TestCatalogLegacyListIsKept: the single list an earlier version saved is
// served, split by kind, until each source loads on its own.
func TestCatalogLegacyListIsKept(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db := openCatalogDB(t, filepath.Join(t.TempDir(), "db"), clk)
	src := newLists()
	if err := db.SaveCatalog(bg, append(append([]flows.Product(nil), src.prepaid...), src.postpaid...)); err != nil {
		t.Fatal(err)
	}
	src.set("prepaid", errors.New("down"))
	src.set("postpaid", errors.New("down"))
	cache := flows.NewProductCache(src, db, clk.Now)
	if err := cache.Load(bg); err != nil {
		t.Fatal(err) // both copies came from the store: the provider was not asked
	}
	if !has(cache, "htelkomsel10000") || !has(cache, "PLNPOSTPAID") {
		t.Errorf("catalog %v: want the saved list", cache.Products())
	}
	if src.count("prepaid")+src.count("postpaid") != 0 {
		t.Error("the provider was asked though the store had a copy")
	}
}

// TestUnpricedProductsHidden: a prepaid product the provider lists at 0 or
// less is not for sale — not on the menus, unavailable at the price check —
// and /catalog counts it. A bill's list price of 0 means nothing.
func TestUnpricedProductsHidden(t *testing.T) {
	s := newShelf()
	s.products = append(s.products,
		flows.Product{Code: "hzero", Name: "Zero 5.000", Category: flows.CategoryPulsa, Brand: "Zero", Price: 0,
			Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone},
		flows.Product{Code: "hneg", Name: "Neg 5.000", Category: flows.CategoryPulsa, Brand: "Neg", Price: -100,
			Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone},
		flows.Product{Code: "BPJS", Name: "BPJS Kesehatan", Category: flows.CategoryBill, Brand: "BPJS",
			Kind: flows.Postpaid, Available: true, Number: flows.NumberBill})
	c := newConvo(t, convoOptions{catalog: s})
	for _, code := range []string{"hzero", "hneg"} {
		if p, ok := c.cache.Lookup(code); !ok || p.Available {
			t.Errorf("%s: %+v, want listed and unavailable", code, p)
		}
	}
	if p, _ := c.cache.Lookup("BPJS"); !p.Available {
		t.Error("a biller was hidden for its list price of 0")
	}
	c.play("/start")
	c.play("tap Pulsa")
	if log := c.log.String(); strings.Contains(log, "[Zero") || strings.Contains(log, "[Neg") {
		t.Errorf("unpriced brands offered:\n%s", log)
	}
	out, err := c.service.Handle(bg, flows.Input{ChatID: 9, UserID: 9, Private: true, Kind: flows.InputCommand, Command: "catalog"})
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for _, r := range out.Replies {
		got.WriteString(r.Text)
	}
	if !strings.Contains(got.String(), "Tanpa harga dari provider (disembunyikan): 2 produk") {
		t.Errorf("/catalog:\n%s\nwant the 2 unpriced products counted", got.String())
	}
}

// priced is a catalog with a price endpoint that quotes 0.
type priced struct{ *shelf }

func (p priced) Price(_ context.Context, code string) (flows.Product, error) {
	return flows.Product{Code: code, Price: 0, Kind: flows.Prepaid, Available: true}, nil
}

// TestPriceCheckOfZeroIsUnavailable: a price endpoint answering 0 at the
// confirmation does not sell the product for the markup alone.
func TestPriceCheckOfZeroIsUnavailable(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db := openCatalogDB(t, filepath.Join(t.TempDir(), "db"), clk)
	cache := flows.NewProductCache(priced{newShelf()}, db, clk.Now)
	if err := cache.Load(bg); err != nil {
		t.Fatal(err)
	}
	p, err := cache.Current(bg, "htelkomsel10000", time.Minute)
	if err != nil || p.Available {
		t.Errorf("Current = %+v, %v; want unavailable", p, err)
	}
}

// TestEmptyCatalogOffersRetry: with no products to offer, /start says so
// and offers a retry — never a question without buttons; the retry shows
// the categories once they exist.
func TestEmptyCatalogOffersRetry(t *testing.T) {
	s := &shelf{}
	c := newConvo(t, convoOptions{catalog: s})
	for _, lang := range []string{"", "en"} {
		if lang != "" {
			c.play("/lang " + lang)
		}
		c.play("/start")
		out := c.outputs[len(c.outputs)-1]
		if len(out) != 1 || len(out[0].Buttons) != 1 || len(out[0].Buttons[0]) != 1 {
			t.Fatalf("empty home %+v: want one retry button", out)
		}
		want := map[string]string{"": "produk belum bisa ditampilkan", "en": "products are unavailable right now"}[lang]
		if !strings.Contains(out[0].Text, want) {
			t.Errorf("empty home %q, want %q", out[0].Text, want)
		}
	}
	c.play("/lang id")
	c.play("/start")
	c.play("tap 🔄 Coba lagi")
	if got := lastText(c); !strings.Contains(got, "belum bisa ditampilkan") {
		t.Errorf("retry with still nothing: %q", got)
	}
	s.mu.Lock()
	s.products = newShelf().products
	s.mu.Unlock()
	if err := c.cache.Refresh(bg); err != nil {
		t.Fatal(err)
	}
	c.play("tap 🔄 Coba lagi")
	out := c.outputs[len(c.outputs)-1]
	if !strings.Contains(lastText(c), "Mau beli apa") || len(out[0].Buttons) == 0 || out[0].Buttons[0][0].Label != "Pulsa" || !out[0].Edit {
		t.Errorf("retry with products: %+v, want the categories in place of the empty screen", out)
	}
}

// gate is a catalog whose list is answered only once the test opens it.
type gate struct {
	open    chan struct{}
	asked   chan struct{}
	product flows.Product
}

func (g *gate) Products(ctx context.Context) ([]flows.Product, error) {
	g.asked <- struct{}{}
	select {
	case <-g.open:
		return []flows.Product{g.product}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestAwaitLoading: the home menu of a bot just started waits for the first
// fetch of a catalog it has no copy of — bounded — and never waits on a
// cache nobody loads.
func TestAwaitLoading(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db := openCatalogDB(t, filepath.Join(t.TempDir(), "db"), clk)
	g := &gate{open: make(chan struct{}), asked: make(chan struct{}, 1), product: newShelf().products[0]}
	cache := flows.NewProductCache(g, db, clk.Now)

	done := make(chan struct{})
	go func() { cache.AwaitLoading(bg, time.Hour); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("AwaitLoading waited on a cache never loaded")
	}

	if err := cache.LoadSaved(bg); err != nil {
		t.Fatal(err)
	}
	go cache.RefreshMissing(bg)
	<-g.asked
	bounded := make(chan struct{})
	go func() { cache.AwaitLoading(bg, time.Millisecond); close(bounded) }()
	select {
	case <-bounded:
	case <-time.After(10 * time.Second):
		t.Fatal("AwaitLoading did not stop at its bound")
	}
	waited := make(chan struct{})
	go func() { cache.AwaitLoading(bg, time.Hour); close(waited) }()
	select {
	case <-waited:
		t.Fatal("AwaitLoading returned while the first fetch was under way")
	default:
	}
	close(g.open)
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		t.Fatal("AwaitLoading did not return once the fetch ended")
	}
	if !has(cache, "htelkomsel10000") {
		t.Error("the fetched list is not served")
	}
}
