package flows

// Pricing is the markup added to provider prices.
type Pricing struct {
	// Markup is added to every product, in rupiah; Category overrides it.
	Markup   int64
	Category map[CategoryID]int64
}

// For returns the markup for a category.
func (p Pricing) For(c CategoryID) int64 {
	if m, ok := p.Category[c]; ok {
		return m
	}
	return p.Markup
}
