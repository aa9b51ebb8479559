package iak

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// PricelistItem is one prepaid product as IAK lists it.
type PricelistItem struct {
	Code        string
	Description string // the operator or brand: "Telkomsel", "Mobile Legend"
	Nominal     string // "10000", "110 Diamonds"
	Details     string
	Price       int64
	Type        string // pulsa, data, pln, game, etoll, voucher, esim, international…
	Category    string
	Active      bool
	ActiveDays  string
}

type pricelistItem struct {
	ProductCode        flex.String `json:"product_code"`
	ProductDescription flex.String `json:"product_description"`
	ProductNominal     flex.String `json:"product_nominal"`
	ProductDetails     flex.String `json:"product_details"`
	ProductPrice       flex.Int    `json:"product_price"`
	ProductType        flex.String `json:"product_type"`
	ActivePeriod       flex.String `json:"active_period"`
	Status             flex.String `json:"status"`
	IconURL            flex.String `json:"icon_url"`
	ProductCategory    flex.String `json:"product_category"`
}

// PricelistStatus filters a pricelist: PricelistAll, PricelistActive or
// PricelistInactive.
type PricelistStatus string

// Pricelist filters, as IAK spells them.
const (
	PricelistAll      PricelistStatus = "all"
	PricelistActive   PricelistStatus = "active"
	PricelistInactive PricelistStatus = "non active"
)

// Pricelist returns IAK's prepaid pricelist: all of it, one product type
// ("pulsa", "data", "game"…), or one operator of a type ("telkomsel").
// IAK has answered both {"data":[…]} and {"data":{"pricelist":[…]}}; both
// are accepted.
func (c *Client) Pricelist(ctx context.Context, productType, operator string, status PricelistStatus) ([]PricelistItem, error) {
	op := "iak: pricelist"
	path := "/api/pricelist"
	if operator != "" && productType == "" {
		return nil, fmt.Errorf("%s: an operator needs a product type", op)
	}
	if productType != "" {
		path += "/" + url.PathEscape(productType)
		op += " " + productType
		if operator != "" {
			path += "/" + url.PathEscape(operator)
			op += "/" + operator
		}
	}
	if status == "" {
		status = PricelistAll
	}
	body := map[string]string{"username": c.username, "sign": c.sign("pl"), "status": string(status)}
	raw, _, err := c.post(ctx, op, c.prepaidURL+path, body)
	if err != nil {
		return nil, err
	}
	var entries []json.RawMessage
	if strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
		err = json.Unmarshal(raw, &entries)
	} else {
		var d struct {
			Pricelist []json.RawMessage `json:"pricelist"`
			RC        flex.String       `json:"rc"`
			Message   flex.String       `json:"message"`
		}
		err = json.Unmarshal(raw, &d)
		if err == nil && d.RC != "" && d.RC != "00" {
			return nil, simpleError(op, string(d.RC), string(d.Message), prepaidCodes)
		}
		entries = d.Pricelist
	}
	if err != nil {
		return nil, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, Err: fmt.Errorf("decoding pricelist: %w", err)}
	}
	// One unreadable entry (a price written "5.500") leaves that product
	// out rather than the whole list; a list of nothing but unreadable
	// entries is an error, so a format change never empties the menus.
	items := make([]pricelistItem, 0, len(entries))
	var firstErr error
	for _, e := range entries {
		var it pricelistItem
		if err := json.Unmarshal(e, &it); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		items = append(items, it)
	}
	if len(items) == 0 && firstErr != nil {
		return nil, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, Err: fmt.Errorf("decoding pricelist: no readable entry: %w", firstErr)}
	}
	out := make([]PricelistItem, 0, len(items))
	for _, it := range items {
		if it.ProductCode == "" {
			continue
		}
		// A product without a price IAK stated (or with one of 0 or less)
		// cannot be quoted: it is listed with price 0, which the catalog
		// hides and counts, rather than offered at the markup alone.
		price := it.ProductPrice.Value
		if !it.ProductPrice.Set || price < 0 {
			price = 0
		}
		out = append(out, PricelistItem{
			Code:        string(it.ProductCode),
			Description: strings.TrimSpace(string(it.ProductDescription)),
			Nominal:     strings.TrimSpace(string(it.ProductNominal)),
			Details:     strings.TrimSpace(string(it.ProductDetails)),
			Price:       price,
			Type:        strings.ToLower(strings.TrimSpace(string(it.ProductType))),
			Category:    strings.ToLower(strings.TrimSpace(string(it.ProductCategory))),
			Active:      strings.EqualFold(strings.TrimSpace(string(it.Status)), "active"),
			ActiveDays:  string(it.ActivePeriod),
		})
	}
	return out, nil
}

var _ flows.CatalogSources = (*Client)(nil)

// CatalogSources are IAK's two lists, on two hosts: the prepaid pricelist
// and the postpaid one. Either can fail alone (an account without postpaid,
// the postpaid host down), so the catalog keeps them apart. IAK documents no
// rate limit on either.
func (c *Client) CatalogSources() []flows.CatalogSource {
	return []flows.CatalogSource{
		{Name: "prepaid", Kind: flows.Prepaid, Products: c.PrepaidProducts},
		{Name: "postpaid", Kind: flows.Postpaid, Products: c.PostpaidProducts},
	}
}

// Products returns every prepaid and postpaid product the account can sell,
// available or not, mapped to flows' categories; it fails when either list
// does. Product types the bot does not sell (international top-ups, for
// one) are left out.
func (c *Client) Products(ctx context.Context) ([]flows.Product, error) {
	out, err := c.PrepaidProducts(ctx)
	if err != nil {
		return nil, err
	}
	bills, err := c.PostpaidProducts(ctx)
	if err != nil {
		return nil, err
	}
	return append(out, bills...), nil
}

// PrepaidProducts returns the prepaid pricelist mapped to flows' categories.
func (c *Client) PrepaidProducts(ctx context.Context) ([]flows.Product, error) {
	items, err := c.Pricelist(ctx, "", "", PricelistAll)
	if err != nil {
		return nil, err
	}
	var out []flows.Product
	for _, it := range items {
		if p, ok := prepaidProduct(it); ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// PostpaidProducts returns the billers of the postpaid pricelist.
func (c *Client) PostpaidProducts(ctx context.Context) ([]flows.Product, error) {
	bills, err := c.PostpaidPricelist(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]flows.Product, 0, len(bills))
	for _, b := range bills {
		out = append(out, b.product())
	}
	return out, nil
}

// gameFormats are the customer id formats of IAK's direct top-up games, by
// product_description (docs/prepaid/game-format.md). Games not listed sell
// vouchers, bought with a phone number.
var gameFormats = map[string]string{
	"mobile legend":   "{userid}|{zoneid}",
	"mobile legends":  "{userid}|{zoneid}",
	"free fire":       "{userid}",
	"ragnarok":        "{userid}|{serverid}",
	"point blank":     "{userid}",
	"speed drifters":  "{userid}",
	"arena of valor":  "{userid}",
	"call of duty":    "{userid}",
	"genshin impact":  "{userid}|{serverid}",
	"lifeafter":       "{userid}|{serverid}",
	"lords mobile":    "{userid}",
	"dragon nest":     "{rolename}|{serverid}",
	"wild rift":       "{userid}|{tag}",
	"lol wild rift":   "{userid}|{tag}",
	"marvel superwar": "{userid}",
}

// prepaidProduct maps a pricelist item onto flows' vocabulary.
func prepaidProduct(it PricelistItem) (flows.Product, bool) {
	p := flows.Product{
		Code:      it.Code,
		Name:      productName(it),
		Brand:     it.Description,
		Price:     it.Price,
		Kind:      flows.Prepaid,
		Available: it.Active,
		Number:    flows.NumberPhone,
		Type:      flows.TypeTopUp,
	}
	switch it.Type {
	case "pulsa":
		p.Category = flows.CategoryPulsa
	case "data":
		p.Category = flows.CategoryData
	case "pln":
		p.Category, p.Number, p.Type = flows.CategoryPLN, flows.NumberPLNMeter, flows.TypePLNToken
	case "game":
		p.Category = flows.CategoryGame
		if f, ok := gameFormats[strings.ToLower(it.Description)]; ok {
			p.Number, p.NumberFormat = flows.NumberGameID, f
		} else {
			// Bought with a phone number, a game voucher (Google Play,
			// Steam Wallet) is its code: sn-format.md, "+ pin".
			p.Type = flows.TypeVoucher
		}
	case "etoll", "emoney", "e-money":
		p.Category = flows.CategoryEMoney
		// Card top-ups (Mandiri e-Toll, Indomaret card) take a card number.
		if d := strings.ToLower(it.Description); strings.Contains(d, "toll") || strings.Contains(d, "card") {
			p.Number = flows.NumberAny
		}
	case "voucher":
		p.Category, p.Number, p.Type = flows.CategoryVoucher, flows.NumberAny, flows.TypeVoucher
	case "esim", "esim-international":
		p.Category, p.Number, p.Type = flows.CategoryESIM, flows.NumberAny, flows.TypeESIM
	default:
		return flows.Product{}, false
	}
	return p, true
}

// productName renders "Telkomsel 10.000" from a description and a nominal
// that is a bare number, "Mobile Legend 110 Diamonds" from a nominal that
// does not name the brand, the nominal alone when it does, and the code when
// IAK gives neither.
func productName(it PricelistItem) string {
	nominal := it.Nominal
	if n, err := strconv.ParseInt(nominal, 10, 64); err == nil {
		nominal = strings.TrimPrefix(flows.FormatRupiah(n), "Rp ")
	}
	if nominal == "" || nominal == "-" {
		if it.Description == "" {
			return it.Code // a button needs a label
		}
		return it.Description
	}
	// "Voucher Alfamart Rp 100.000" already names its brand.
	words := strings.Fields(strings.ToLower(it.Description))
	if len(words) == 0 || strings.Contains(strings.ToLower(nominal), words[0]) {
		return nominal
	}
	return it.Description + " " + nominal
}
