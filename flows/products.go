package flows

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// CatalogStore caches the product list between restarts.
type CatalogStore interface {
	SaveCatalog(ctx context.Context, products []Product) error
	Catalog(ctx context.Context) ([]Product, time.Time, error)
}

// PriceChecker quotes one product's current price and availability, for
// providers that can (Mesin R1's price endpoint) — cheaper than a full list.
type PriceChecker interface {
	Price(ctx context.Context, code string) (Product, error)
}

// ProductCache holds the provider's product list for the menus, refreshed
// on a schedule and, at a purchase's confirmation, on demand.
type ProductCache struct {
	source Catalog
	store  CatalogStore
	now    func() time.Time

	refresh sync.Mutex // one provider refresh at a time
	mu      sync.RWMutex
	list    []Product
	byCode  map[string]Product
	at      time.Time
}

// NewProductCache returns an empty cache over source, persisted in store.
func NewProductCache(source Catalog, store CatalogStore, now func() time.Time) *ProductCache {
	if now == nil {
		now = time.Now
	}
	return &ProductCache{source: source, store: store, now: now, byCode: map[string]Product{}}
}

// Load fills the cache from the store, or from the provider when the store
// has none.
func (c *ProductCache) Load(ctx context.Context) error {
	products, at, err := c.store.Catalog(ctx)
	if err == nil {
		c.set(products, at)
		return nil
	}
	return c.Refresh(ctx)
}

// Refresh asks the provider for the whole list and keeps it. On failure the
// previous list stays.
func (c *ProductCache) Refresh(ctx context.Context) error {
	c.refresh.Lock()
	defer c.refresh.Unlock()
	return c.refreshLocked(ctx)
}

func (c *ProductCache) refreshLocked(ctx context.Context) error {
	products, err := c.source.Products(ctx)
	if err != nil {
		return fmt.Errorf("catalog: refresh: %w", err)
	}
	if err := c.store.SaveCatalog(ctx, products); err != nil {
		return fmt.Errorf("catalog: refresh: %w", err)
	}
	c.set(products, c.now())
	return nil
}

func (c *ProductCache) set(products []Product, at time.Time) {
	byCode := make(map[string]Product, len(products))
	for _, p := range products {
		byCode[p.Code] = p
	}
	sorted := append([]Product(nil), products...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Price != sorted[j].Price {
			return sorted[i].Price < sorted[j].Price
		}
		return sorted[i].Name < sorted[j].Name
	})
	c.mu.Lock()
	c.list, c.byCode, c.at = sorted, byCode, at
	c.mu.Unlock()
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

// UpdatedAt is when the list was fetched from the provider.
func (c *ProductCache) UpdatedAt() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.at
}

// Current returns a product as the provider sells it now, for the price
// re-check at confirmation: from the provider's price endpoint when it has
// one, else from a list no older than maxAge.
func (c *ProductCache) Current(ctx context.Context, code string, maxAge time.Duration) (Product, error) {
	if pc, ok := c.source.(PriceChecker); ok {
		p, err := pc.Price(ctx, code)
		if err != nil {
			return Product{}, fmt.Errorf("catalog: price %s: %w", code, err)
		}
		return p, nil
	}
	c.refresh.Lock()
	if c.now().Sub(c.UpdatedAt()) > maxAge {
		if err := c.refreshLocked(ctx); err != nil {
			c.refresh.Unlock()
			return Product{}, err
		}
	}
	c.refresh.Unlock()
	p, ok := c.Lookup(code)
	if !ok {
		return Product{Code: code}, nil // gone from the list: not available
	}
	return p, nil
}
