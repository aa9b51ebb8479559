package flows

import (
	"context"
	"errors"
	"fmt"
)

// NamedCatalog is one provider's catalog, under the provider's name as its
// Account names it.
type NamedCatalog struct {
	Provider string
	Catalog  Catalog
}

// MultiCatalog is the catalog of several providers at once: the union of
// their products, each renamed QualifiedCode(provider, code) — two
// suppliers may both sell a "pln20" — and carrying itself as its one leg.
// Each provider's sources keep their own life in the ProductCache, named
// "<provider>.<source>" ("digiflazz.prepaid"; "<provider>.products" for a
// catalog without sources).
//
// It deliberately does not implement PriceChecker, even when a provider
// does: the cache would ask it about qualified and route codes it does
// not know. The price re-check reads each provider's list instead.
type MultiCatalog struct {
	sources []CatalogSource
}

// NewMultiCatalog joins the providers' catalogs, in the order given.
func NewMultiCatalog(catalogs ...NamedCatalog) *MultiCatalog {
	m := &MultiCatalog{}
	for _, nc := range catalogs {
		var list []CatalogSource
		if cs, ok := nc.Catalog.(CatalogSources); ok {
			list = cs.CatalogSources()
		}
		if len(list) == 0 {
			list = []CatalogSource{{Name: productsSource, Products: nc.Catalog.Products}}
		}
		for _, s := range list {
			fetch, provider := s.Products, nc.Provider
			s.Name = provider + "." + s.Name
			s.Provider = provider
			s.Products = func(ctx context.Context) ([]Product, error) {
				products, err := fetch(ctx)
				if err != nil {
					return nil, err
				}
				return qualify(provider, products), nil
			}
			m.sources = append(m.sources, s)
		}
	}
	return m
}

// qualify names a provider's products as several providers' catalog
// does, on a copy.
func qualify(provider string, products []Product) []Product {
	out := make([]Product, len(products))
	for i, p := range products {
		// A product vet hides for want of a price is no available leg
		// either.
		p.Legs = []Leg{{Provider: provider, Code: p.Code, Cost: p.Price, Available: p.Available && !Unpriced(p)}}
		p.Code = QualifiedCode(provider, p.Code)
		out[i] = p
	}
	return out
}

// CatalogSources lists every provider's sources, in the providers' order.
func (m *MultiCatalog) CatalogSources() []CatalogSource { return m.sources }

// Products fetches every source; it returns what loaded with the failures
// joined. The ProductCache uses CatalogSources instead.
func (m *MultiCatalog) Products(ctx context.Context) ([]Product, error) {
	var all []Product
	var errs []error
	for _, s := range m.sources {
		products, err := s.Products(ctx)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.Name, err))
			continue
		}
		all = append(all, products...)
	}
	return all, errors.Join(errs...)
}
