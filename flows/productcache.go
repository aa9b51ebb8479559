package flows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// CatalogStore caches the product lists between restarts, one per catalog
// source, so a restart serves the last good copy of each.
type CatalogStore interface {
	SaveSourceCatalog(ctx context.Context, source string, products []Product) error
	// SourceCatalog answers an error wrapping ErrNotFound for a source never
	// saved.
	SourceCatalog(ctx context.Context, source string) ([]Product, time.Time, error)
	// Catalog is the single list earlier versions kept for all sources,
	// read once at start for the sources that have no copy of their own.
	Catalog(ctx context.Context) ([]Product, time.Time, error)
}

// PriceChecker quotes one product's current price and availability, for
// providers that can (Mesin R1's price endpoint) — cheaper than a full list.
type PriceChecker interface {
	Price(ctx context.Context, code string) (Product, error)
}

// CacheConfig tunes a ProductCache. Zero values take the defaults.
type CacheConfig struct {
	Now    func() time.Time
	Logger *slog.Logger
	// Alert sends admins a text (the ops group, or each admin): one when a
	// source starts failing, one when it loads again. Nil sends nothing.
	Alert func(ctx context.Context, text string) error
	// Lang is the language of the alerts (default Bahasa Indonesia).
	Lang Lang
	// Routes, with several providers (a MultiCatalog), are the shop
	// products filled by one of several providers' products: each is
	// built from its legs' products where the list is built, and those
	// products leave the menus (they are sold through the route). A route
	// none of whose legs is listed is left out, and logged.
	Routes []Route
	// Overrides keeps the admins' display names and hidden products
	// (/rename, /hide); nil takes the CatalogStore when it is one.
	Overrides OverrideStore
}

// ProductCache holds the provider's products for the menus, refreshed on a
// schedule and, at a purchase's confirmation, on demand. Each catalog
// source is kept on its own: a source that fails keeps its last good copy,
// one that never loaded simply has no products (its categories do not
// show), and the others are served all the same.
type ProductCache struct {
	source  Catalog
	store   CatalogStore
	cfg     CacheConfig
	log     *slog.Logger
	sources []*sourceCache

	mu     sync.RWMutex
	list   []Product
	byCode map[string]Product
	// loaded is set by LoadSaved: from then on a source never fetched is
	// about to be. changed is closed and replaced when a fetch ends.
	loaded  bool
	changed chan struct{}
	// missing are the routes left out of the list last built, so that
	// each is logged once when it goes missing rather than on every build.
	missing map[string]bool
	// overrides are the admins' names and hidden codes, applied to every
	// product the list is built from; setting serialises their changes.
	overrides map[string]ProductOverride
	setting   sync.Mutex
}

// sourceCache is one source's last good copy and its health. Its fields
// below fetch are guarded by the cache's mu.
type sourceCache struct {
	CatalogSource
	fetch sync.Mutex // one fetch of this source at a time

	products []Product
	at       time.Time // when the copy was fetched; zero: never loaded
	tried    time.Time // the last fetch, for MinInterval
	err      error     // the last fetch's failure; nil after a success
	failing  bool      // admins were told it fails, and not yet that it recovered
	busy     bool      // a fetch is under way
}

// SourceStatus is one catalog source as /catalog reports it.
type SourceStatus struct {
	Name string
	// UpdatedAt is when the copy served was fetched; zero when the source
	// never loaded.
	UpdatedAt time.Time
	Products  int
	// Err is the last fetch's failure, nil when it worked.
	Err error
}

// productsSource is the name of the single source of a Catalog that does
// not list its sources.
const productsSource = "products"

// NewProductCache returns an empty cache over source, persisted in store.
func NewProductCache(source Catalog, store CatalogStore, now func() time.Time) *ProductCache {
	return NewProductCacheWith(source, store, CacheConfig{Now: now})
}

// NewProductCacheWith returns an empty cache over source, persisted in
// store, tuned by cfg.
func NewProductCacheWith(source Catalog, store CatalogStore, cfg CacheConfig) *ProductCache {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Lang == "" {
		cfg.Lang = LangID
	}
	if cfg.Overrides == nil {
		cfg.Overrides, _ = store.(OverrideStore)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &ProductCache{source: source, store: store, cfg: cfg, log: log.With("component", "catalog"), byCode: map[string]Product{},
		changed: make(chan struct{})}
	var list []CatalogSource
	if cs, ok := source.(CatalogSources); ok {
		list = cs.CatalogSources()
	}
	if len(list) == 0 {
		list = []CatalogSource{{Name: productsSource, Products: source.Products}}
	}
	for _, s := range list {
		c.sources = append(c.sources, &sourceCache{CatalogSource: s})
	}
	return c
}

// Load fills the cache from the store, then asks the provider for each
// source the store has no copy of. It returns the failures joined; what
// loaded is served either way.
func (c *ProductCache) Load(ctx context.Context) error {
	if err := c.LoadSaved(ctx); err != nil {
		return err
	}
	return c.RefreshMissing(ctx)
}

// LoadSaved fills the cache with the copies the store holds, without asking
// the provider: quick, so the bot can start serving them at once.
func (c *ProductCache) LoadSaved(ctx context.Context) error {
	defer func() {
		c.mu.Lock()
		c.loaded = true // even on a failed read: the provider is asked next
		c.mu.Unlock()
	}()
	if c.cfg.Overrides != nil {
		overrides, err := c.cfg.Overrides.ProductOverrides(ctx)
		if err != nil {
			return fmt.Errorf("catalog: load product overrides: %w", err)
		}
		c.mu.Lock()
		c.overrides = overrides
		c.rebuildLocked()
		c.mu.Unlock()
	}
	var legacy []Product
	var legacyAt time.Time
	legacyRead := false
	for _, s := range c.sources {
		products, at, err := c.store.SourceCatalog(ctx, s.Name)
		if errors.Is(err, ErrNotFound) {
			// Saved by an earlier version as one list: each source takes
			// its kind of products from it until it is fetched itself.
			if s.Provider != "" {
				continue // the single old list predates several providers: its codes are not qualified
			}
			if !legacyRead {
				legacyRead = true
				var lerr error
				if legacy, legacyAt, lerr = c.store.Catalog(ctx); errors.Is(lerr, ErrNotFound) {
					legacy = nil
				} else if lerr != nil {
					return fmt.Errorf("catalog: load: %w", lerr)
				}
			}
			products, at = nil, legacyAt
			for _, p := range legacy {
				if s.Kind == "" || p.Kind == s.Kind {
					products = append(products, p)
				}
			}
			if len(products) == 0 {
				continue
			}
		} else if err != nil {
			return fmt.Errorf("catalog: load %s: %w", s.Name, err)
		}
		products, _ = vet(products)
		c.mu.Lock()
		// Fetched at "at", as far as a rate limit is concerned too.
		s.products, s.at, s.tried = products, at, at
		c.rebuildLocked() // a source shows as loaded only with its products served
		c.mu.Unlock()
	}
	return nil
}

// AwaitLoading waits, up to max, while a source that never loaded is still
// to be fetched for the first time: a buyer writing just as the bot starts
// gets the menu it is about to have rather than an empty one. It returns at
// once when nothing is loading, and never waits on a retry.
func (c *ProductCache) AwaitLoading(ctx context.Context, max time.Duration) {
	var timer <-chan time.Time
	for {
		c.mu.RLock()
		loading := false
		for _, s := range c.sources {
			if c.loaded && s.at.IsZero() && (s.busy || s.tried.IsZero()) {
				loading = true
			}
		}
		changed := c.changed
		c.mu.RUnlock()
		if !loading {
			return
		}
		if timer == nil {
			t := time.NewTimer(max)
			defer t.Stop()
			timer = t.C
		}
		select {
		case <-changed:
		case <-timer:
			return
		case <-ctx.Done():
			return
		}
	}
}

// Refresh asks the provider for every source it allows asking now. A source
// that fails keeps its previous copy; the failures are returned joined.
func (c *ProductCache) Refresh(ctx context.Context) error {
	return c.refreshAll(ctx, func(*sourceCache) bool { return true }, false)
}

// RefreshMissing asks the provider for the sources that never loaded — a
// provider down at start, an account without postpaid — at each source's
// own pace. A fetch of the same source already under way is not repeated.
func (c *ProductCache) RefreshMissing(ctx context.Context) error {
	return c.refreshAll(ctx, func(s *sourceCache) bool { return s.at.IsZero() }, true)
}

func (c *ProductCache) refreshAll(ctx context.Context, want func(*sourceCache) bool, skipBusy bool) error {
	errs := make([]error, len(c.sources))
	var wg sync.WaitGroup
	for i, s := range c.sources {
		c.mu.RLock()
		wanted := want(s)
		c.mu.RUnlock()
		if !wanted {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if skipBusy {
				if !s.fetch.TryLock() {
					return
				}
			} else {
				s.fetch.Lock()
			}
			defer s.fetch.Unlock()
			if !c.due(s) {
				return
			}
			errs[i] = c.fetchLocked(ctx, s)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// due reports whether the source's MinInterval has passed since its last
// fetch.
func (c *ProductCache) due(s *sourceCache) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return s.tried.IsZero() || c.cfg.Now().Sub(s.tried) >= s.MinInterval
}

// fetchLocked asks the provider for one source; s.fetch is held.
func (c *ProductCache) fetchLocked(ctx context.Context, s *sourceCache) error {
	c.mu.Lock()
	s.busy = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		s.busy = false
		close(c.changed) // wakes AwaitLoading
		c.changed = make(chan struct{})
		c.mu.Unlock()
	}()
	products, err := s.Products(ctx)
	now := c.cfg.Now()
	if err != nil {
		err = fmt.Errorf("catalog: %s: %w", s.Name, err)
		c.mu.Lock()
		s.tried, s.err = now, err
		raise := !s.failing && ctx.Err() == nil // a shutdown is no failure
		s.failing = s.failing || raise
		kept, at := len(s.products), s.at
		c.mu.Unlock()
		if raise {
			consequence := Markup(text(c.cfg.Lang, "catalog_source_hidden"))
			if !at.IsZero() {
				consequence = Markup(text(c.cfg.Lang, "catalog_source_kept", kept, shortTime(at)))
			}
			msg := text(c.cfg.Lang, "catalog_source_failing", s.Name, consequence) +
				"\n" + string(code(shorten(err.Error(), 300))) + "\n" + shortTime(now) + " WIB"
			if !c.alert(ctx, msg) {
				c.mu.Lock()
				s.failing = false // not told: tell on the next failure
				c.mu.Unlock()
			}
		}
		return err
	}
	products, unpriced := vet(products)
	if len(unpriced) > 0 {
		c.log.Warn("products without a price hidden", "source", s.Name, "count", len(unpriced), "examples", unpriced[:min(5, len(unpriced))])
	}
	// The source is marked loaded (s.at) in the critical section that
	// builds the lookup from it: AwaitLoading, woken or not, returns only
	// once the menus can see the products.
	c.mu.Lock()
	s.products, s.at, s.tried, s.err = products, now, now, nil
	recovered := s.failing
	s.failing = false
	c.rebuildLocked()
	c.mu.Unlock()
	if recovered {
		c.log.Info("catalog source loads again", "source", s.Name, "products", len(products))
		c.alert(ctx, text(c.cfg.Lang, "catalog_source_recovered", s.Name, len(products)))
	}
	// Served from memory even if the store refuses it: only a restart
	// would miss the copy.
	if err := c.store.SaveSourceCatalog(ctx, s.Name, products); err != nil {
		return fmt.Errorf("catalog: save %s: %w", s.Name, err)
	}
	return nil
}

// alert sends admins msg and reports whether it was queued.
func (c *ProductCache) alert(ctx context.Context, msg string) bool {
	if c.cfg.Alert == nil {
		return true
	}
	if err := c.cfg.Alert(ctx, msg); err != nil {
		c.log.Error("queueing a catalog alert", "err", err)
		return false
	}
	return true
}

// vet marks the prepaid products without a positive price unavailable — a
// price of 0 would sell for the markup alone — and returns their codes.
// Bills are priced by their inquiry, so their list price means nothing.
func vet(products []Product) ([]Product, []string) {
	var unpriced []string
	for i, p := range products {
		if p.Kind != Postpaid && p.Price <= 0 {
			if unpriced == nil {
				products = append([]Product(nil), products...) // never change the caller's slice
			}
			products[i].Available = false
			unpriced = append(unpriced, p.Code)
		}
	}
	return products, unpriced
}

// Unpriced reports whether p is a product hidden for want of a price.
func Unpriced(p Product) bool { return p.Kind != Postpaid && p.Price <= 0 }

// rebuildLocked merges the sources' copies into the list the menus read;
// c.mu is held.
func (c *ProductCache) rebuildLocked() {
	byCode := map[string]Product{}
	var merged []Product
	for _, s := range c.sources {
		for _, p := range s.products {
			if _, dup := byCode[p.Code]; dup {
				continue // listed by an earlier source
			}
			// The source's copy stays as the provider wrote it (and is
			// saved so): the buyers' spelling is made here, each build.
			p.Name, p.Brand = TidyName(p.Name), TidyName(p.Brand)
			p = c.overriddenLocked(p)
			byCode[p.Code] = p
			merged = append(merged, p)
		}
	}
	c.sameBrandsLocked(merged, byCode)
	merged = c.routeLocked(merged, byCode)
	sort.SliceStable(merged, func(i, j int) bool {
		if merged[i].Price != merged[j].Price {
			return merged[i].Price < merged[j].Price
		}
		return merged[i].Name < merged[j].Name
	})
	c.list, c.byCode = merged, byCode
}

// sameBrandsLocked, with several providers, spells each brand one way
// across them — Digiflazz's "TELKOMSEL" and IAK's "Telkomsel" are one
// operator on the menus, which group by brand — preferring a spelling
// with lower-case letters, else the first provider's. list and byCode hold
// copies: the sources' own are untouched. c.mu is held.
func (c *ProductCache) sameBrandsLocked(list []Product, byCode map[string]Product) {
	if len(c.sources) == 0 || c.sources[0].Provider == "" {
		return // one provider: its brands as it spells them
	}
	spelling := map[string]string{}
	for _, p := range list {
		key := strings.ToLower(p.Brand)
		if cur, ok := spelling[key]; !ok || cur == strings.ToUpper(cur) && p.Brand != strings.ToUpper(p.Brand) {
			spelling[key] = p.Brand
		}
	}
	for i, p := range list {
		if b := spelling[strings.ToLower(p.Brand)]; b != p.Brand {
			list[i].Brand = b
			byCode[p.Code] = list[i]
		}
	}
}

// routeLocked adds the routes to the list and to byCode, built from the
// products byCode holds, and takes the products that are a route's legs
// off the list (byCode keeps them: an old button or a receipt's "Beli
// lagi" still finds them). c.mu is held.
func (c *ProductCache) routeLocked(list []Product, byCode map[string]Product) []Product {
	if len(c.cfg.Routes) == 0 {
		return list
	}
	legOf := map[string]bool{}
	missing := map[string]bool{}
	var routes []Product
	for _, r := range c.cfg.Routes {
		if _, dup := byCode[r.Code]; dup {
			c.log.Warn("route left out: a product has its code", "route", r.Code)
			continue
		}
		p, legs := routeProduct(r, byCode)
		if len(legs) == 0 {
			// Told once its providers' lists are in: not while the first
			// of them is still loading at start.
			if c.listsInLocked(r) {
				missing[r.Code] = true
				if !c.missing[r.Code] {
					c.log.Warn("route left out: none of its providers' products is listed", "route", r.Code, "legs", r.Legs)
				}
			}
			continue
		}
		for _, q := range legs {
			legOf[q] = true
		}
		p = c.overriddenLocked(p)
		byCode[p.Code] = p
		routes = append(routes, p)
	}
	c.missing = missing
	kept := list[:0:0]
	for _, p := range list {
		if !legOf[p.Code] {
			kept = append(kept, p)
		}
	}
	return append(kept, routes...)
}

// listsInLocked reports whether every source of the providers r names has
// loaded or failed. c.mu is held.
func (c *ProductCache) listsInLocked(r Route) bool {
	for _, s := range c.sources {
		named := s.Provider == ""
		for _, l := range r.Legs {
			named = named || l.Provider == s.Provider
		}
		if named && s.at.IsZero() && s.err == nil {
			return false
		}
	}
	return true
}

// routeProduct builds r from the products in byCode its legs name, in
// order, and returns with it those products' codes. Bills are not routed:
// a postpaid product is no leg.
func routeProduct(r Route, byCode map[string]Product) (Product, []string) {
	p := Product{Code: r.Code, Name: r.Name, Category: r.Category}
	var codes []string
	for _, rl := range r.Legs {
		q, ok := byCode[QualifiedCode(rl.Provider, rl.Code)]
		if !ok || q.Kind == Postpaid {
			continue
		}
		if len(codes) == 0 {
			p.Brand, p.Kind, p.Number, p.NumberFormat, p.Type = q.Brand, q.Kind, q.Number, q.NumberFormat, q.Type
		}
		codes = append(codes, q.Code)
		p.Legs = append(p.Legs, Leg{Provider: rl.Provider, Code: rl.Code, Cost: q.Price, Available: q.Available})
	}
	priceRoute(&p)
	return p, codes
}

// priceRoute sets a route's price and availability from its legs: the
// first available leg's cost (the first leg's when none is), available
// when any leg is.
func priceRoute(p *Product) {
	p.Available, p.Price = false, 0
	for _, l := range p.Legs {
		if l.Available {
			p.Available, p.Price = true, l.Cost
			return
		}
	}
	if len(p.Legs) > 0 {
		p.Price = p.Legs[0].Cost
	}
}

// Products returns the cached list, cheapest first. The slice is shared:
// callers must not modify it.
func (c *ProductCache) Products() []Product {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.list
}

// Lookup returns a cached product.
func (c *ProductCache) Lookup(code string) (Product, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.byCode[code]
	return p, ok
}

// CurrentLeg is leg l as the list holds it now, with several providers
// (see EngineConfig.CurrentLeg): its product's cost and availability;
// false when the product is not listed.
func (c *ProductCache) CurrentLeg(l Leg) (Leg, bool) {
	p, ok := c.Lookup(QualifiedCode(l.Provider, l.Code))
	if !ok || len(p.Legs) != 1 {
		return Leg{}, false
	}
	return p.Legs[0], true
}

// UpdatedAt is when the oldest of the copies served was fetched from the
// provider; zero when none ever loaded.
func (c *ProductCache) UpdatedAt() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var oldest time.Time
	for _, s := range c.sources {
		if !s.at.IsZero() && (oldest.IsZero() || s.at.Before(oldest)) {
			oldest = s.at
		}
	}
	return oldest
}

// Sources reports each source's copy and health, in the provider's order.
func (c *ProductCache) Sources() []SourceStatus {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]SourceStatus, len(c.sources))
	for i, s := range c.sources {
		out[i] = SourceStatus{Name: s.Name, UpdatedAt: s.at, Products: len(s.products), Err: s.err}
	}
	return out
}

// Current returns a product as the provider sells it now, for the price
// re-check at confirmation: from the provider's price endpoint when it has
// one, else from its source's list no older than maxAge (or than the
// source's MinInterval allows). Only that source is asked: another one
// failing does not stop a sale.
func (c *ProductCache) Current(ctx context.Context, code string, maxAge time.Duration) (Product, error) {
	if pc, ok := c.source.(PriceChecker); ok {
		p, err := pc.Price(ctx, code)
		if err != nil {
			return Product{}, fmt.Errorf("catalog: price %s: %w", code, err)
		}
		if Unpriced(p) {
			c.log.Warn("price check answered no price; not selling", "product_code", code, "price", p.Price)
			p.Available = false
		}
		p.Name, p.Brand = TidyName(p.Name), TidyName(p.Brand)
		named := p.Name != ""
		c.mu.RLock()
		p = c.overriddenLocked(p)
		c.mu.RUnlock()
		if !named {
			p.Name = "" // a price alone: the confirmation takes the rest from the list
		}
		return p, nil
	}
	owners := c.owners(code)
	if len(owners) == 0 {
		return Product{Code: code}, nil // in no list: not available
	}
	var errs []error
	failed := map[*sourceCache]bool{}
	for _, s := range owners {
		if err := c.fresh(ctx, s, maxAge); err != nil {
			errs, failed[s] = append(errs, err), true
		}
	}
	if len(failed) == len(owners) {
		return Product{}, errors.Join(errs...)
	}
	p, ok := c.Lookup(code)
	if !ok {
		return Product{Code: code}, nil // gone from the list: not available
	}
	if len(failed) > 0 && len(p.Legs) > 0 {
		// A route one of whose legs' lists could not be read afresh: that
		// leg's price is not vouched for, so it is not offered now.
		p.Legs = slices.Clone(p.Legs)
		for i, l := range p.Legs {
			if s := c.owner(QualifiedCode(l.Provider, l.Code)); s == nil || failed[s] {
				p.Legs[i].Available = false
			}
		}
		priceRoute(&p)
		c.mu.RLock()
		p = c.overriddenLocked(p) // a hidden route stays hidden
		c.mu.RUnlock()
	}
	return p, nil
}

// fresh fetches s again when its copy is older than maxAge and its
// MinInterval allows.
func (c *ProductCache) fresh(ctx context.Context, s *sourceCache, maxAge time.Duration) error {
	s.fetch.Lock()
	defer s.fetch.Unlock()
	c.mu.RLock()
	stale := c.cfg.Now().Sub(s.at) > maxAge
	c.mu.RUnlock()
	if stale && c.due(s) {
		return c.fetchLocked(ctx, s)
	}
	return nil
}

// owners are the sources a product's current state depends on: the one
// listing it or, for a route, those listing its legs.
func (c *ProductCache) owners(code string) []*sourceCache {
	if s := c.owner(code); s != nil {
		return []*sourceCache{s}
	}
	var out []*sourceCache
	for _, r := range c.cfg.Routes {
		if r.Code != code {
			continue
		}
		for _, l := range r.Legs {
			if s := c.owner(QualifiedCode(l.Provider, l.Code)); s != nil && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// owner is the source whose copy lists code.
func (c *ProductCache) owner(code string) *sourceCache {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, s := range c.sources {
		for _, p := range s.products {
			if p.Code == code {
				return s
			}
		}
	}
	return nil
}

// overriddenLocked is p with the admins' override of its code: their name,
// and unavailable when hidden. c.mu is held (read or write).
func (c *ProductCache) overriddenLocked(p Product) Product {
	o, ok := c.overrides[p.Code]
	if !ok {
		return p
	}
	if o.Name != "" {
		p.Name = o.Name
	}
	if o.Hidden {
		p.Available = false
	}
	return p
}

// Overrides returns a copy of the admins' overrides, by product code.
func (c *ProductCache) Overrides() map[string]ProductOverride {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make(map[string]ProductOverride, len(c.overrides))
	for code, o := range c.overrides {
		out[code] = o
	}
	return out
}

// Provided returns a product as its provider lists it, before the admins'
// override (the name tidied): what /rename and /show restore. A code no
// list holds is not found.
func (c *ProductCache) Provided(code string) (Product, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, s := range c.sources {
		for _, p := range s.products {
			if p.Code == code {
				p.Name, p.Brand = TidyName(p.Name), TidyName(p.Brand)
				return p, true
			}
		}
	}
	for _, r := range c.cfg.Routes {
		if r.Code == code {
			if p, ok := c.byCode[code]; ok {
				p.Name = r.Name
				p.Available = false
				for _, l := range p.Legs {
					p.Available = p.Available || l.Available
				}
				return p, true
			}
		}
	}
	return Product{}, false
}

// SetOverride changes the admins' override of code with change, keeps it
// in the store and rebuilds the list with it: the menus, /harga and the
// purchase see it from the next input. It returns the override now set.
func (c *ProductCache) SetOverride(ctx context.Context, code string, change func(o *ProductOverride)) (ProductOverride, error) {
	if c.cfg.Overrides == nil {
		return ProductOverride{}, errors.New("catalog: no store for product overrides")
	}
	c.setting.Lock()
	defer c.setting.Unlock()
	c.mu.RLock()
	o := c.overrides[code]
	c.mu.RUnlock()
	change(&o)
	// Kept first: an override the store refused would be gone at the
	// next restart, so it is not applied either.
	if err := c.cfg.Overrides.SetProductOverride(ctx, code, o); err != nil {
		return ProductOverride{}, fmt.Errorf("catalog: override %s: %w", code, err)
	}
	c.mu.Lock()
	if c.overrides == nil {
		c.overrides = map[string]ProductOverride{}
	}
	if o.IsZero() {
		delete(c.overrides, code)
	} else {
		c.overrides[code] = o
	}
	c.rebuildLocked()
	c.mu.Unlock()
	return o, nil
}
