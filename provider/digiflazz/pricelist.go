package digiflazz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// PriceListInterval is the least time between two full price lists of one
// kind Digiflazz allows; asked sooner, it answers rc 83.
const PriceListInterval = 5 * time.Minute

// Price list kinds, Digiflazz's cmd values.
const (
	ListPrepaid  = "prepaid"
	ListPostpaid = "pasca"
)

// PriceFilter narrows a price list; an empty field is not sent. Filtered
// lists are not the full list Digiflazz rate-limits.
type PriceFilter struct {
	Code     string
	Category string
	Brand    string
	Type     string
}

// PriceItem is one product as Digiflazz lists it.
type PriceItem struct {
	Code     string // buyer_sku_code
	Name     string // product_name
	Category string // "Pulsa", "Data", "PLN", "Games", "Pascabayar"…
	Brand    string // "TELKOMSEL", "PLN", "MOBILE LEGENDS", "BPJS KESEHATAN"
	Type     string // "Umum", "Membership"…
	Price    int64  // prepaid price; 0 for postpaid
	Admin    int64  // postpaid admin fee
	// Available is true when both the buyer's and the seller's status are
	// true: a product either side switched off cannot be bought.
	Available      bool
	UnlimitedStock bool
	Stock          int64
	// StartCutOff and EndCutOff are the daily window ("23:45", "00:15")
	// in which the product is not sold.
	StartCutOff string
	EndCutOff   string
	Desc        string
}

type priceRow struct {
	ProductName         flex.String `json:"product_name"`
	Category            flex.String `json:"category"`
	Brand               flex.String `json:"brand"`
	Type                flex.String `json:"type"`
	Price               flex.Int    `json:"price"`
	Admin               flex.Int    `json:"admin"`
	BuyerSKUCode        flex.String `json:"buyer_sku_code"`
	BuyerProductStatus  flex.Flag   `json:"buyer_product_status"`
	SellerProductStatus flex.Flag   `json:"seller_product_status"`
	UnlimitedStock      flex.Flag   `json:"unlimited_stock"`
	Stock               flex.Int    `json:"stock"`
	StartCutOff         flex.String `json:"start_cut_off"`
	EndCutOff           flex.String `json:"end_cut_off"`
	Desc                flex.String `json:"desc"`
}

// ErrTooSoon is the cause of the error for rc 83: the full list was asked
// again within PriceListInterval. It is never an empty list, so a cache
// keeps the copy it has.
var ErrTooSoon = errors.New("rc 83: full price list asked again too soon (Digiflazz allows one every 5 minutes)")

// PriceList returns a price list: cmd is ListPrepaid or ListPostpaid. A
// full list without a readable product is an error, never an empty list.
func (c *Client) PriceList(ctx context.Context, cmd string, f PriceFilter) ([]PriceItem, error) {
	op := "digiflazz: price-list " + cmd
	body := map[string]string{"cmd": cmd, "username": c.username, "sign": c.sign("pricelist")}
	for k, v := range map[string]string{"code": f.Code, "category": f.Category, "brand": f.Brand, "type": f.Type} {
		if v != "" {
			body[k] = v
		}
	}
	full := f == PriceFilter{}
	raw, err := c.post(ctx, op, "price-list", body)
	if err != nil {
		return nil, err
	}
	// A list is {"data":[…]}; a refusal is {"data":{"rc":…,"message":…}}.
	if t := strings.TrimSpace(string(raw)); !strings.HasPrefix(t, "[") {
		var d struct {
			RC      flex.String `json:"rc"`
			Message flex.String `json:"message"`
		}
		if err := c.decode(op, raw, &d); err != nil {
			return nil, err
		}
		if d.RC == "83" {
			return nil, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, RC: "83", Message: string(d.Message), Err: ErrTooSoon}
		}
		if d.RC == "" {
			return nil, c.wire.Unknown(op, "answer is neither a list nor a refusal "+c.wire.Snippet(raw), nil)
		}
		if err := refusal(op, string(d.RC), string(d.Message)); flows.KindOf(err) == flows.KindMisconfigured {
			return nil, err
		}
		// A list refused for any other reason is still no list.
		return nil, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, RC: string(d.RC), Message: string(d.Message)}
	}
	var entries []json.RawMessage
	if err := c.decode(op, raw, &entries); err != nil {
		return nil, err
	}
	// One unreadable row leaves that product out, not the whole list; a
	// list of nothing readable is an error, so a format change never
	// empties the menus.
	out := make([]PriceItem, 0, len(entries))
	var firstErr error
	for _, e := range entries {
		var r priceRow
		if err := json.Unmarshal(e, &r); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if r.BuyerSKUCode == "" {
			continue
		}
		price := r.Price.Value
		if !r.Price.Set || price < 0 {
			price = 0 // the catalog hides a product it cannot quote
		}
		out = append(out, PriceItem{
			Code:           strings.TrimSpace(string(r.BuyerSKUCode)),
			Name:           strings.TrimSpace(string(r.ProductName)),
			Category:       strings.TrimSpace(string(r.Category)),
			Brand:          strings.TrimSpace(string(r.Brand)),
			Type:           strings.TrimSpace(string(r.Type)),
			Price:          price,
			Admin:          r.Admin.Value,
			Available:      truth(r.BuyerProductStatus) && truth(r.SellerProductStatus),
			UnlimitedStock: truth(r.UnlimitedStock),
			Stock:          r.Stock.Value,
			StartCutOff:    string(r.StartCutOff),
			EndCutOff:      string(r.EndCutOff),
			Desc:           strings.TrimSpace(string(r.Desc)),
		})
	}
	if len(out) == 0 && full {
		return nil, c.wire.Unknown(op, fmt.Sprintf("full price list with no readable product (%d rows)", len(entries)), firstErr)
	}
	return out, nil
}

// truth reads a status flag: only an explicit yes counts.
func truth(f flex.Flag) bool {
	switch strings.ToLower(strings.TrimSpace(string(f))) {
	case "true", "1", "yes", "active", "aktif":
		return true
	}
	return false
}

// CatalogSources are Digiflazz's two lists, each rate-limited on its own:
// the prepaid price list and the postpaid one.
func (c *Client) CatalogSources() []flows.CatalogSource {
	return []flows.CatalogSource{
		{Name: "prepaid", Kind: flows.Prepaid, MinInterval: PriceListInterval, Products: c.PrepaidProducts},
		{Name: "postpaid", Kind: flows.Postpaid, MinInterval: PriceListInterval, Products: c.PostpaidProducts},
	}
}

// Products returns every prepaid and postpaid product, available or not;
// it fails when either list does.
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

// PrepaidProducts returns the prepaid price list mapped to flows'
// categories; categories the bot does not sell are left out.
func (c *Client) PrepaidProducts(ctx context.Context) ([]flows.Product, error) {
	items, err := c.PriceList(ctx, ListPrepaid, PriceFilter{})
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

// PostpaidProducts returns the postpaid price list's billers.
func (c *Client) PostpaidProducts(ctx context.Context) ([]flows.Product, error) {
	items, err := c.PriceList(ctx, ListPostpaid, PriceFilter{})
	if err != nil {
		return nil, err
	}
	out := make([]flows.Product, 0, len(items))
	for _, it := range items {
		out = append(out, flows.Product{
			Code:      it.Code,
			Name:      it.Name,
			Category:  flows.CategoryBill,
			Brand:     it.Brand,
			Kind:      flows.Postpaid,
			Available: it.Available,
			Number:    flows.NumberBill,
		})
	}
	return out, nil
}

// gameFormats are the customer number formats of direct top-up games, by
// brand. Digiflazz takes a two-part id written together (Mobile Legends:
// user id then zone id, "123456781234"); orderRequest joins the parts the
// bot keeps apart with "|".
var gameFormats = map[string]string{
	"mobile legends":      "{userid}|{zoneid}",
	"mobile legend":       "{userid}|{zoneid}",
	"free fire":           "{userid}",
	"pubg mobile":         "{userid}",
	"call of duty":        "{userid}",
	"call of duty mobile": "{userid}",
	"genshin impact":      "{userid}",
	"honor of kings":      "{userid}",
	"valorant":            "{userid}",
}

// prepaidProduct maps a price list item onto flows' vocabulary.
func prepaidProduct(it PriceItem) (flows.Product, bool) {
	p := flows.Product{
		Code:      it.Code,
		Name:      it.Name,
		Brand:     it.Brand,
		Price:     it.Price,
		Kind:      flows.Prepaid,
		Available: it.Available,
		Number:    flows.NumberPhone,
		Type:      flows.TypeTopUp,
	}
	if p.Name == "" {
		p.Name = it.Code // a button needs a label
	}
	brand := strings.ToLower(it.Brand)
	switch strings.ToLower(it.Category) {
	case "pulsa":
		p.Category = flows.CategoryPulsa
	case "data", "paket sms & telpon", "masa aktif":
		p.Category = flows.CategoryData
	case "pln":
		p.Category, p.Number, p.Type = flows.CategoryPLN, flows.NumberPLNMeter, flows.TypePLNToken
	case "games":
		p.Category = flows.CategoryGame
		if f, ok := gameFormats[brand]; ok {
			p.Number, p.NumberFormat = flows.NumberGameID, f
		} else {
			// A game voucher (Google Play, Steam Wallet) is its code.
			p.Number, p.Type = flows.NumberAny, flows.TypeVoucher
		}
	case "e-money":
		p.Category = flows.CategoryEMoney
		if strings.Contains(brand, "toll") || strings.Contains(brand, "card") {
			p.Number = flows.NumberAny
		}
	case "voucher", "streaming", "tv":
		p.Category, p.Number, p.Type = flows.CategoryVoucher, flows.NumberAny, flows.TypeVoucher
	case "esim":
		p.Category, p.Number, p.Type = flows.CategoryESIM, flows.NumberAny, flows.TypeESIM
	default:
		return flows.Product{}, false
	}
	return p, true
}
