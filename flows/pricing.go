package flows

// Pricing is the markup added to provider prices. The top-level Pricing is
// the default level; Level holds the named ones.
type Pricing struct {
	// Markup is added to every product, in rupiah; Category overrides it.
	Markup   int64
	Category map[CategoryID]int64
	// Level holds the named price levels ([pricing.level.NAME]). A level's
	// markups replace the default's: its Markup applies to every category
	// its own Category does not name, the default's Category is not
	// inherited. A level has no levels of its own.
	Level map[string]*Pricing `toml:"level"`
	// MinMargin is the least an order may earn, in rupiah ([pricing]
	// min_margin): it sets each order's MaxPrice (see EngineConfig). Only
	// the shop's [pricing] has one; levels do not.
	MinMargin int64 `toml:"min_margin"`
}

// DefaultLevel is the name of the level [pricing] itself describes; it is
// reserved, no [pricing.level] table may take it.
const DefaultLevel = "default"

// For returns the markup for a category at this level.
func (p Pricing) For(c CategoryID) int64 {
	if m, ok := p.Category[c]; ok {
		return m
	}
	return p.Markup
}

// AtLevel returns the pricing of the named level and whether it is
// configured; "" and DefaultLevel, or a name not configured, give the
// default.
func (p Pricing) AtLevel(name string) (Pricing, bool) {
	if name == "" || name == DefaultLevel {
		return p.withoutLevels(), true
	}
	if l, ok := p.Level[name]; ok && l != nil {
		return Pricing{Markup: l.Markup, Category: l.Category}, true
	}
	return p.withoutLevels(), false
}

func (p Pricing) withoutLevels() Pricing {
	return Pricing{Markup: p.Markup, Category: p.Category}
}
