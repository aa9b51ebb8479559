package flows

import (
	"strings"
	"time"
)

// Several providers at once (DESIGN rule 17). With more than one provider
// configured every product the menus offer carries its legs: the provider
// products that can fill it, in order of preference. A provider's own
// product has one leg, itself; a route — a shop product the reseller
// defines, e.g. "T10" Telkomsel 10.000 from Digiflazz's tsel10, else from
// IAK's htelkomsel10000 — has one per provider it names. With one provider
// configured products have no legs and orders go to that provider as
// they always did.

// Leg is one provider product that can fill a shop product.
type Leg struct {
	// Provider is the provider's name, as its Account names it.
	Provider string `json:"provider"`
	// Code is the provider's product code.
	Code string `json:"code"`
	// Cost is what the provider charges for it, in rupiah, when the
	// catalog was read.
	Cost int64 `json:"cost"`
	// Available is the provider product's availability then.
	Available bool `json:"available"`
}

// Route is a shop product filled by one of several providers' products,
// tried in the order of Codes ([[route]] in the configuration).
type Route struct {
	// Code is the reseller's own product code.
	Code     string
	Name     string
	Category CategoryID
	// Legs are the providers and their product codes, in order of
	// preference; their costs and availability come from the catalog.
	Legs []RouteLeg
}

// RouteLeg names one provider's product in a Route.
type RouteLeg struct {
	Provider string
	Code     string
}

// Attempt is an order's attempt with one provider that ended without a
// charge — refused, the account misconfigured on the first send, or
// failed by the provider — after which the order moved to its next leg.
type Attempt struct {
	Account      Account   `json:"account"`
	RefID        string    `json:"ref_id"`
	ProductCode  string    `json:"product_code"`
	Cost         int64     `json:"cost"`
	ProviderTxID string    `json:"provider_tx_id,omitempty"`
	SentAt       time.Time `json:"sent_at,omitzero"`
	EndedAt      time.Time `json:"ended_at"`
	// Outcome is how it ended: "rejected", "misconfigured" or "failed".
	Outcome string `json:"outcome"`
	RC      string `json:"rc,omitempty"`
	Message string `json:"message,omitempty"`
}

// providerRef is the ref the current attempt goes to its provider under.
func (o *Order) providerRef() string {
	if o.ProviderRef != "" {
		return o.ProviderRef
	}
	return o.RefID
}

// QualifiedCode is how a provider's own product is named when several
// providers are configured: their codes may collide ("pln20" at two
// suppliers), so the menus, buttons and sessions carry the provider's name
// with it.
func QualifiedCode(provider, code string) string { return provider + ":" + code }

// SplitQualifiedCode undoes QualifiedCode; ok is false for a code without
// a provider (a route's own code, or a product of the only provider).
func SplitQualifiedCode(code string) (provider, providerCode string, ok bool) {
	return strings.Cut(code, ":")
}
