package mesinr1

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// Category is one entry of product-categories.
type Category struct {
	ID   int64
	Code string
	Name string
	// Type is the product group: "PRABAYAR", "PASCABAYAR", "VOUCHER FISIK"…
	Type string
}

// Categories lists the product categories.
func (c *Client) Categories(ctx context.Context) ([]Category, error) {
	const op = "mesinr1: product-categories"
	env, err := c.call(ctx, op, "product-categories", nil)
	if err != nil {
		return nil, err
	}
	if !env.ok() {
		return nil, c.refusal(op, env)
	}
	var rows []struct {
		ID   flex.Int    `json:"id"`
		Code flex.String `json:"code"`
		Name flex.String `json:"name"`
		Type flex.String `json:"type"`
	}
	if err := json.Unmarshal(nullAsEmpty(env.Data), &rows); err != nil {
		return nil, c.unknown(op, "undecodable categories", err)
	}
	out := make([]Category, 0, len(rows))
	for _, r := range rows {
		out = append(out, Category{ID: r.ID.Value, Code: first(r.Code), Name: first(r.Name), Type: first(r.Type)})
	}
	return out, nil
}

// Price re-checks one prepaid product's price and availability (the
// confirm step). The answer names no category, so Category, Number and
// Brand are set only when it carries kategori and operator; Kind is Prepaid.
// An unknown product is KindRejected with ReasonProductUnavailable (rc 76).
func (c *Client) Price(ctx context.Context, code string) (flows.Product, error) {
	op := "mesinr1: price " + code
	env, err := c.call(ctx, op, "price", map[string]any{"product_code": code})
	if err != nil {
		return flows.Product{}, err
	}
	if !env.ok() {
		pe := c.refusal(op, env)
		if pe.Kind == flows.KindRejected && pe.Reason == flows.ReasonFailed {
			pe.Reason = flows.ReasonProductUnavailable
		}
		return flows.Product{}, pe
	}
	var wp wireProduct
	if err := json.Unmarshal(env.Data, &wp); err != nil {
		return flows.Product{}, c.unknown(op, "undecodable price", err)
	}
	p, why := convert(wp, nil)
	switch {
	case why == "" && wp.Harga.Value < 0:
		return flows.Product{}, c.unknown(op, "price answer: negative harga", nil)
	case why == whyUnknownKategori:
		// The price is what was asked for; the menu it belongs in is not.
	case why != "":
		return flows.Product{}, c.unknown(op, "price answer: "+why, nil)
	case !strings.EqualFold(p.Code, strings.TrimSpace(code)):
		return flows.Product{}, c.unknown(op, "price answer about product "+p.Code, nil)
	}
	if p.Kind == "" {
		p.Kind = flows.Prepaid
	}
	if first(wp.Type) == "" {
		// Without the product group a physical voucher under a data or
		// pulsa kategori looks like a top-up: leave the type to the list
		// (the confirm step takes it from there), which knows the group.
		p.Type = ""
	}
	return p, nil
}

// ProductFilter holds the products endpoint's optional filters (seed 002).
// Zero fields are not sent.
type ProductFilter struct {
	// Category is a category code ("PULSA").
	Category string
	// CategoryIDs are product-categories ids.
	CategoryIDs []int64
	// Types are product group names; "prabayar" also includes VOUCHER FISIK.
	Types []string
	// IsOpen, when set, keeps open (true) or closed (false) products.
	IsOpen   *bool
	Operator string
	// Query searches codes and names.
	Query string
	// Sort is "field|direction", e.g. "code|asc" or "price|desc".
	Sort string
	// Page and PerPage select one page; SearchProducts starts at Page (or 1).
	Page    int
	PerPage int
}

func (f ProductFilter) fields() map[string]any {
	m := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("category", f.Category)
	if len(f.CategoryIDs) > 0 {
		ids := make([]string, len(f.CategoryIDs))
		for i, id := range f.CategoryIDs {
			ids[i] = strconv.FormatInt(id, 10)
		}
		m["category_ids"] = strings.Join(ids, ",")
	}
	set("type", strings.Join(f.Types, ","))
	if f.IsOpen != nil {
		m["is_open"] = 0
		if *f.IsOpen {
			m["is_open"] = 1
		}
	}
	set("operator", f.Operator)
	set("q", f.Query)
	set("sort", f.Sort)
	if f.Page > 0 {
		m["page"] = f.Page
	}
	if f.PerPage > 0 {
		m["per_page"] = f.PerPage
	}
	return m
}

// Skipped is a catalog entry the client could not turn into a product.
type Skipped struct {
	Code     string
	Kategori string
	Reason   string
}

// ProductPage is one page of products.
type ProductPage struct {
	Products []flows.Product
	Skipped  []Skipped
	// Page, LastPage, PerPage and Total are the paginator's meta; zero when
	// the answer was a flat list.
	Page, LastPage, PerPage, Total int
	// Next is links.next (or next_page_url), empty on the last page.
	Next string
}

// ProductsPage fetches one page of products matching f, with
// product-categories to tell postpaid categories from prepaid ones.
func (c *Client) ProductsPage(ctx context.Context, f ProductFilter) (ProductPage, error) {
	cats, err := c.Categories(ctx)
	if err != nil {
		return ProductPage{}, err
	}
	return c.productsPage(ctx, f, groupsOf(cats))
}

// SearchProducts fetches every page of products matching f, from f.Page (or
// the first page) to meta.last_page — or, when the answer has no meta,
// while links.next is set. A product listed twice (the catalog moved
// between pages) is kept once.
func (c *Client) SearchProducts(ctx context.Context, f ProductFilter) ([]flows.Product, []Skipped, error) {
	cats, err := c.Categories(ctx)
	if err != nil {
		return nil, nil, err
	}
	groups := groupsOf(cats)
	if f.Page < 1 {
		f.Page = 1
	}
	var products []flows.Product
	var skipped []Skipped
	seen := map[string]bool{}
	for n := 0; ; n++ {
		page, err := c.productsPage(ctx, f, groups)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range page.Products {
			if !seen[p.Code] {
				seen[p.Code] = true
				products = append(products, p)
			}
		}
		skipped = append(skipped, page.Skipped...)
		more, err := morePages(page.Page, page.LastPage, page.Next, f.Page)
		if err != nil {
			return nil, nil, c.unknown(fmt.Sprintf("mesinr1: products page %d", f.Page), err.Error(), nil)
		}
		if !more {
			return products, skipped, nil
		}
		if n >= maxPages {
			return nil, nil, c.unknown("mesinr1: products", fmt.Sprintf("more than %d pages", maxPages), nil)
		}
		f.Page++
	}
}

// Products lists every product in the partner's plan (flows.Catalog),
// walking all pages. Entries it cannot sell — an unknown kategori, no code,
// an unreadable price — are left out and logged once per call.
func (c *Client) Products(ctx context.Context) ([]flows.Product, error) {
	products, skipped, err := c.SearchProducts(ctx, ProductFilter{})
	if err != nil {
		return nil, err
	}
	if len(skipped) > 0 {
		examples := make([]string, 0, 5)
		for _, s := range skipped[:min(5, len(skipped))] {
			examples = append(examples, fmt.Sprintf("%s (%s): %s", s.Code, s.Kategori, s.Reason))
		}
		c.log.Warn("products skipped", "count", len(skipped), "examples", examples)
	}
	return products, nil
}

func (c *Client) productsPage(ctx context.Context, f ProductFilter, groups map[string]string) (ProductPage, error) {
	op := "mesinr1: products"
	if f.Page > 0 {
		op += " page " + strconv.Itoa(f.Page)
	}
	env, err := c.call(ctx, op, "products", f.fields())
	if err != nil {
		return ProductPage{}, err
	}
	if !env.ok() {
		return ProductPage{}, c.refusal(op, env)
	}
	items, info, err := decodeList(env.Data)
	if err != nil {
		return ProductPage{}, c.unknown(op, "undecodable product list", err)
	}
	page := ProductPage{Page: info.page, LastPage: info.lastPage, PerPage: info.perPage, Total: info.total, Next: info.next}
	for i, raw := range items {
		var wp wireProduct
		if err := json.Unmarshal(raw, &wp); err != nil {
			// One unreadable entry (a price "5.500") must not hide the rest.
			page.Skipped = append(page.Skipped, Skipped{Code: peekCode(raw), Reason: fmt.Sprintf("entry %d: %v", i, err)})
			continue
		}
		p, why := convert(wp, groups)
		if why != "" {
			page.Skipped = append(page.Skipped, Skipped{Code: first(wp.Kode), Kategori: first(wp.Kategori), Reason: why})
			continue
		}
		page.Products = append(page.Products, p)
	}
	return page, nil
}

// peekCode finds the kode of an entry that did not decode, for the log.
func peekCode(raw json.RawMessage) string {
	var v struct {
		Kode flex.String `json:"kode"`
	}
	_ = json.Unmarshal(raw, &v) // best effort: the entry is being skipped anyway
	return first(v.Kode)
}

// wireProduct is a products (and price) entry.
type wireProduct struct {
	Kode     flex.String `json:"kode"`
	Nama     flex.String `json:"nama"`
	Operator flex.String `json:"operator"`
	Kategori flex.String `json:"kategori"`
	Gangguan flex.Flag   `json:"gangguan"`
	Kosong   flex.Flag   `json:"kosong"`
	Harga    flex.Int    `json:"harga"`
	Nominal  flex.String `json:"nominal"`
	// IsOpen is not in the seed's example, but the is_open filter implies
	// products carry it; read when present.
	IsOpen flex.Flag   `json:"is_open"`
	Type   flex.String `json:"type"`
}

// groupsOf indexes category types by code and by name, upper case.
func groupsOf(cats []Category) map[string]string {
	m := make(map[string]string, 2*len(cats))
	for _, c := range cats {
		for _, k := range []string{c.Code, c.Name} {
			if k = normalize(k); k != "" {
				m[k] = strings.ToUpper(strings.TrimSpace(c.Type))
			}
		}
	}
	return m
}

// whyUnknownKategori is convert's reason for a kategori it cannot map.
const whyUnknownKategori = "unknown kategori"

// convert maps a wire product onto flows.Product. It returns a reason when
// the product cannot be sold: no code, no price, or a kategori the bot has
// no menu for (skipped rather than guessed: a product in the wrong menu
// expects the wrong number). groups is nil for the price endpoint.
func convert(wp wireProduct, groups map[string]string) (flows.Product, string) {
	p := flows.Product{
		Code:  first(wp.Kode),
		Name:  first(wp.Nama, wp.Kode),
		Brand: first(wp.Operator),
		Price: wp.Harga.Value,
	}
	switch {
	case p.Code == "":
		return p, "no kode"
	case !wp.Harga.Set:
		return p, "no harga"
	}
	if p.Price < 0 {
		// Listed at 0, which the catalog hides and counts as unpriced,
		// rather than left out unseen.
		p.Price = 0
	}
	p.Available = !yes(wp.Gangguan) && !yes(wp.Kosong) && open(wp.IsOpen)
	kategori := first(wp.Kategori)
	if kategori == "" && groups == nil {
		return p, "" // price answers carry no kategori
	}
	group := strings.ToUpper(first(wp.Type))
	if g, ok := groups[normalize(kategori)]; ok && g != "" {
		group = g
	}
	cat, kind, ok := categoryOf(kategori, group)
	if !ok {
		return p, whyUnknownKategori
	}
	p.Category, p.Kind = cat, kind
	if p.Brand == "" {
		p.Brand = kategori
	}
	p.Number, p.NumberFormat = numberOf(cat, p.Brand+" "+p.Name)
	p.Type = typeOf(cat, group)
	return p, ""
}

// typeOf is what a product delivers (flows.ProductType). A physical voucher
// (group VOUCHER FISIK, whatever its menu) or a voucher category is its
// code; PLN prepaid is its token; eSIM its activation code. Games are
// credited to the game id the buyer gives (numberOf), so their SN is a
// receipt. Bills have no type.
func typeOf(cat flows.CategoryID, group string) flows.ProductType {
	switch {
	case cat == flows.CategoryBill:
		return ""
	case cat == flows.CategoryVoucher, strings.Contains(normalize(group), "VOUCHER"):
		return flows.TypeVoucher
	case cat == flows.CategoryPLN:
		return flows.TypePLNToken
	case cat == flows.CategoryESIM:
		return flows.TypeESIM
	}
	return flows.TypeTopUp
}

// yes reads a gangguan/kosong flag. Anything but a clear "no" counts as
// yes: a product we cannot read as available is not offered.
func yes(v flex.Flag) bool {
	switch strings.ToLower(strings.TrimSpace(string(v))) {
	case "", "tidak", "t", "no", "n", "0", "false":
		return false
	}
	return true
}

// open reads is_open: absent means open.
func open(v flex.Flag) bool {
	switch strings.ToLower(strings.TrimSpace(string(v))) {
	case "", "1", "true", "ya", "y", "yes":
		return true
	}
	return false
}

// normalize folds a category name for matching: upper case, "_" and "-"
// as spaces, single spaces.
func normalize(s string) string {
	s = strings.NewReplacer("_", " ", "-", " ").Replace(strings.ToUpper(s))
	return strings.Join(strings.Fields(s), " ")
}

// categoryOf maps a kategori (and its group from product-categories) onto
// the bot's categories. Postpaid first: the group says PASCABAYAR, or the
// name does. "VOUCHER GAME" is a game before it is a voucher.
func categoryOf(kategori, group string) (flows.CategoryID, flows.ProductKind, bool) {
	k := normalize(kategori)
	compact := strings.ReplaceAll(k, " ", "")
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(compact, w) {
				return true
			}
		}
		return false
	}
	switch {
	case strings.Contains(normalize(group), "PASCA"), has("PASCA", "TAGIHAN", "BPJS", "PDAM", "POSTPAID"):
		return flows.CategoryBill, flows.Postpaid, true
	case has("ESIM"):
		return flows.CategoryESIM, flows.Prepaid, true
	case has("GAME"):
		return flows.CategoryGame, flows.Prepaid, true
	case has("PLN", "LISTRIK"):
		return flows.CategoryPLN, flows.Prepaid, true
	case has("EMONEY", "EWALLET", "SALDO", "DOMPET"):
		return flows.CategoryEMoney, flows.Prepaid, true
	case has("PULSA"):
		return flows.CategoryPulsa, flows.Prepaid, true
	case has("DATA", "INTERNET", "KUOTA"):
		return flows.CategoryData, flows.Prepaid, true
	case has("VOUCHER"):
		return flows.CategoryVoucher, flows.Prepaid, true
	}
	return "", "", false
}

// gameFormats are the customer number formats of games that need more than
// a user id, in the placeholders flows.NormaliseNumber reads (the same as
// the IAK client's, from IAK's game-format.md: Mesin R1 documents none).
// Matched on brand and name, upper case; the first match wins.
var gameFormats = []struct{ match, format string }{
	{"MOBILE LEGEND", "{userid}|{zoneid}"},
	{"MLBB", "{userid}|{zoneid}"},
	{"GENSHIN", "{userid}|{serverid}"},
	{"RAGNAROK", "{userid}|{serverid}"},
	{"LIFEAFTER", "{userid}|{serverid}"},
	{"DRAGON NEST", "{rolename}|{serverid}"},
	{"WILD RIFT", "{userid}|{tag}"},
}

// numberOf is the customer number a category expects.
func numberOf(cat flows.CategoryID, brandAndName string) (flows.NumberKind, string) {
	switch cat {
	case flows.CategoryPulsa, flows.CategoryData, flows.CategoryEMoney:
		return flows.NumberPhone, ""
	case flows.CategoryPLN:
		return flows.NumberPLNMeter, ""
	case flows.CategoryBill:
		return flows.NumberBill, ""
	case flows.CategoryGame:
		upper := strings.ToUpper(brandAndName)
		for _, g := range gameFormats {
			if strings.Contains(upper, g.match) {
				return flows.NumberGameID, g.format
			}
		}
		return flows.NumberGameID, "{userid}"
	}
	return flows.NumberAny, ""
}

// pageInfo is a Laravel paginator's meta and links, read from "meta" and
// "links" (API resources) or from the top level (a plain paginator).
type pageInfo struct {
	page, lastPage, perPage, total int
	next                           string
}

// decodeList reads a list that is either a flat array or a paginator
// {"data":[…],"links":{…},"meta":{…}}.
func decodeList(data json.RawMessage) ([]json.RawMessage, pageInfo, error) {
	data = bytes.TrimSpace(data)
	var items []json.RawMessage
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return nil, pageInfo{}, nil
	}
	if data[0] == '[' {
		err := json.Unmarshal(data, &items)
		return items, pageInfo{}, err
	}
	type meta struct {
		CurrentPage flex.Int    `json:"current_page"`
		LastPage    flex.Int    `json:"last_page"`
		PerPage     flex.Int    `json:"per_page"`
		Total       flex.Int    `json:"total"`
		NextPageURL flex.String `json:"next_page_url"`
	}
	var p struct {
		Data  rows `json:"data"`
		Links struct {
			Next flex.String `json:"next"`
		} `json:"links"`
		Meta meta `json:"meta"`
		meta
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, pageInfo{}, err
	}
	items = p.Data
	m := p.Meta
	if !m.CurrentPage.Set && !m.LastPage.Set {
		m = p.meta
	}
	info := pageInfo{
		page:     int(m.CurrentPage.Value),
		lastPage: int(m.LastPage.Value),
		perPage:  int(m.PerPage.Value),
		total:    int(m.Total.Value),
		next:     first(p.Links.Next, m.NextPageURL),
	}
	return items, info, nil
}

// rows is a paginator's data: an array of entries, or null for none. It is
// decoded with the paginator around it, in one pass.
type rows []json.RawMessage

func (r *rows) UnmarshalJSON(data []byte) error {
	if err := json.Unmarshal(nullAsEmpty(data), (*[]json.RawMessage)(r)); err != nil {
		return fmt.Errorf("paginator data: %w", err)
	}
	return nil
}

// morePages decides whether a walk goes on after page asked. meta.last_page
// wins (the seed's example has links all null while last_page is 3); a
// paginator without meta goes on while links.next is set. A provider that
// answers another page than the one asked for would loop for ever.
func morePages(page, lastPage int, next string, asked int) (bool, error) {
	if page != 0 && page != asked {
		return false, fmt.Errorf("asked for page %d, got page %d", asked, page)
	}
	if lastPage > 0 {
		return asked < lastPage, nil
	}
	return next != "", nil
}

func nullAsEmpty(data json.RawMessage) json.RawMessage {
	if d := bytes.TrimSpace(data); len(d) == 0 || bytes.Equal(d, []byte("null")) {
		return json.RawMessage("[]")
	}
	return data
}

var _ flows.PriceChecker = (*Client)(nil)
