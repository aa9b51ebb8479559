package mesinr1sim

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// r1Category is an entry of product-categories. Type is the product group
// the products endpoint's type filter matches.
type r1Category struct {
	ID   int    `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// r1Categories: the ids start at the seed's example (PULSA is 22).
var r1Categories = []r1Category{
	{22, "PULSA", "PULSA", "PRABAYAR"},
	{23, "DATA", "PAKET DATA", "PRABAYAR"},
	{24, "PLN", "TOKEN PLN", "PRABAYAR"},
	{25, "GAME", "VOUCHER GAME", "PRABAYAR"},
	{26, "E-MONEY", "E-MONEY", "PRABAYAR"},
	{27, "VOUCHER", "VOUCHER", "VOUCHER FISIK"},
	{28, "ESIM", "ESIM", "PRABAYAR"},
	{31, "PLNPASCA", "PLN PASCABAYAR", "PASCABAYAR"},
	{32, "BPJS", "BPJS KESEHATAN", "PASCABAYAR"},
}

func r1CategoryOf(code string) r1Category {
	for _, c := range r1Categories {
		if c.Code == code {
			return c
		}
	}
	panic("sandbox: mesinr1: no category " + code) // the catalog below is wrong
}

// How a product's customer_id must look (rc 14 otherwise).
var (
	r1Phone  = regexp.MustCompile(`^(?:08|628)\d{8,11}$`)
	r1Meter  = regexp.MustCompile(`^\d{11,12}$`)
	r1MLBB   = regexp.MustCompile(`^\d{5,12}\|\d{3,5}$`)
	r1GameID = regexp.MustCompile(`^\d{5,12}$`)
	r1AnyNo  = regexp.MustCompile(`^\+?\d{8,16}$`)
	r1BillNo = regexp.MustCompile(`^\d{10,16}$`)
)

// r1Product is one catalog entry.
type r1Product struct {
	code, name, operator string
	category             string // category code
	price                int64  // prepaid: the price; postpaid: the admin fee
	nominal              string
	gangguan, kosong     bool
	number               *regexp.Regexp
	// sn makes a successful transaction's SN.
	sn func(tx *r1Tx) string
}

func (p *r1Product) postpaid() bool { return r1CategoryOf(p.category).Type == "PASCABAYAR" }
func (p *r1Product) open() bool     { return !p.gangguan && !p.kosong }

// r1WireProduct is a product as products and price show it: strings throughout,
// "Ya"/"Tidak" flags (seed 002).
type r1WireProduct struct {
	Kode     string `json:"kode"`
	Nama     string `json:"nama"`
	Operator string `json:"operator"`
	Kategori string `json:"kategori"`
	Gangguan string `json:"gangguan"`
	Kosong   string `json:"kosong"`
	Harga    string `json:"harga"`
	Nominal  string `json:"nominal"`
}

func r1YaTidak(b bool) string {
	if b {
		return "Ya"
	}
	return "Tidak"
}

func (p *r1Product) wire() r1WireProduct {
	return r1WireProduct{Kode: p.code, Nama: p.name, Operator: p.operator, Kategori: p.category,
		Gangguan: r1YaTidak(p.gangguan), Kosong: r1YaTidak(p.kosong),
		Harga: strconv.FormatInt(p.price, 10), Nominal: p.nominal}
}

// SN makers. Each is stable for a ref_1.
func r1SerialSN(tx *r1Tx) string { return r1Code(r1DigitsAlphabet, 18, "sn", tx.ref1) }
func r1GameSN(tx *r1Tx) string   { return "GM" + r1Code(r1AlnumAlphabet, 12, "game", tx.ref1) }
func r1VoucherSN(tx *r1Tx) string {
	c := r1Code(r1AlnumAlphabet, 16, "voucher", tx.ref1)
	return c[:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:]
}
func r1ESIMSN(tx *r1Tx) string {
	return "LPA:1$rsp.sandbox.mesinr1.test$" + r1Code(r1AlnumAlphabet, 24, "esim", tx.ref1)
}

// r1TokenSN is a PLN prepaid token line: token/NAME/tariff/kWh, the shape
// PLN SNs arrive in.
func r1TokenSN(tx *r1Tx) string {
	d := r1Code(r1DigitsAlphabet, 20, "token", tx.ref1)
	nominal, _ := strconv.ParseInt(tx.product.nominal, 10, 64)
	kwh10 := nominal * 10 / 1445
	return fmt.Sprintf("%s-%s-%s-%s-%s/%s/R1/1300VA/%d.%d", d[:4], d[4:8], d[8:12], d[12:16], d[16:],
		r1Name(tx.customer), kwh10/10, kwh10%10)
}

// r1BillSN is a biller's payment reference.
func r1BillSN(tx *r1Tx) string { return r1Code(r1AlnumAlphabet, 23, "bill", tx.ref1) }

// r1Catalog is built once: 80-odd products, more than one default page.
var r1Catalog, r1ByCode = func() ([]*r1Product, map[string]*r1Product) {
	var ps []*r1Product
	add := func(p r1Product) { ps = append(ps, &p) }

	type op struct{ code, name string }
	operators := []op{{"TSEL", "TELKOMSEL"}, {"IS", "INDOSAT"}, {"XL", "XL"}, {"AX", "AXIS"}, {"T", "TRI"}, {"SM", "SMARTFREN"}}
	margins := map[string]int64{"TSEL": 1300, "IS": 500, "XL": 800, "AX": 700, "T": 600, "SM": 450}
	for _, o := range operators {
		for _, n := range []int64{5, 10, 20, 25, 50, 100} {
			nominal := n * 1000
			name := o.name + " " + r1Thousands(nominal)
			if o.code == "IS" && n == 5 {
				name = "INDOSAT SMS 5.000" // seed 002's own example, price 5500
			}
			add(r1Product{code: fmt.Sprintf("%s%d", o.code, n), name: name, operator: o.name, category: "PULSA",
				price: nominal + margins[o.code], nominal: strconv.FormatInt(nominal, 10),
				number: r1Phone, sn: r1SerialSN})
		}
	}
	for _, o := range operators {
		for _, d := range []struct {
			gb    int
			price int64
		}{{1, 12500}, {5, 45000}, {10, 72000}} {
			add(r1Product{code: fmt.Sprintf("%sD%d", o.code, d.gb), name: fmt.Sprintf("%s DATA %dGB 30 HARI", o.name, d.gb),
				operator: o.name, category: "DATA", price: d.price + margins[o.code], number: r1Phone, sn: r1SerialSN})
		}
	}
	for _, n := range []int64{20, 50, 100, 200, 500, 1000} {
		nominal := n * 1000
		add(r1Product{code: fmt.Sprintf("PLN%d", n), name: "TOKEN PLN " + r1Thousands(nominal), operator: "PLN", category: "PLN",
			price: nominal + 1500, nominal: strconv.FormatInt(nominal, 10), number: r1Meter, sn: r1TokenSN})
	}
	for _, g := range []struct {
		diamonds int
		price    int64
	}{{5, 1600}, {86, 22000}, {172, 43500}, {257, 65000}, {344, 86500}} {
		add(r1Product{code: fmt.Sprintf("ML%d", g.diamonds), name: fmt.Sprintf("MOBILE LEGENDS %d DIAMOND", g.diamonds),
			operator: "MOBILE LEGENDS", category: "GAME", price: g.price, number: r1MLBB, sn: r1GameSN})
	}
	for _, g := range []struct {
		diamonds int
		price    int64
	}{{70, 9500}, {140, 19000}, {355, 47500}, {720, 95000}} {
		add(r1Product{code: fmt.Sprintf("FF%d", g.diamonds), name: fmt.Sprintf("FREE FIRE %d DIAMOND", g.diamonds),
			operator: "FREE FIRE", category: "GAME", price: g.price, number: r1GameID, sn: r1GameSN})
	}
	for _, w := range []struct{ code, name string }{{"DANA", "DANA"}, {"OVO", "OVO"}, {"GOPAY", "GOPAY"}, {"SHOPEE", "SHOPEEPAY"}} {
		for _, n := range []int64{20, 50} {
			nominal := n * 1000
			add(r1Product{code: fmt.Sprintf("%s%d", w.code, n), name: "SALDO " + w.name + " " + r1Thousands(nominal), operator: w.name,
				category: "E-MONEY", price: nominal + 1000, nominal: strconv.FormatInt(nominal, 10), number: r1Phone, sn: r1SerialSN})
		}
	}
	add(r1Product{code: "GPLAY20", name: "GOOGLE PLAY 20.000", operator: "GOOGLE PLAY", category: "VOUCHER", price: 21000, nominal: "20000", number: r1AnyNo, sn: r1VoucherSN})
	add(r1Product{code: "GPLAY50", name: "GOOGLE PLAY 50.000", operator: "GOOGLE PLAY", category: "VOUCHER", price: 51500, nominal: "50000", number: r1AnyNo, sn: r1VoucherSN})
	add(r1Product{code: "VIDIO30", name: "VIDIO PREMIER 30 HARI", operator: "VIDIO", category: "VOUCHER", price: 39000, number: r1AnyNo, sn: r1VoucherSN})
	add(r1Product{code: "ESIMTSEL25", name: "ESIM TELKOMSEL 25GB 30 HARI", operator: "TELKOMSEL", category: "ESIM", price: 110000, number: r1AnyNo, sn: r1ESIMSN})
	add(r1Product{code: "ESIMXL15", name: "ESIM XL 15GB 30 HARI", operator: "XL", category: "ESIM", price: 85000, number: r1AnyNo, sn: r1ESIMSN})
	add(r1Product{code: "PLNPASC", name: "PLN PASCABAYAR", operator: "PLN", category: "PLNPASCA", price: 2750, number: r1BillNo, sn: r1BillSN})
	add(r1Product{code: "BPJSKS", name: "BPJS KESEHATAN", operator: "BPJS", category: "BPJS", price: 2500, number: r1BillNo})

	byCode := make(map[string]*r1Product, len(ps))
	for _, p := range ps {
		byCode[p.code] = p
	}
	// One disturbed and one out-of-stock product, as a real plan always has.
	byCode["SM100"].gangguan = true
	byCode["AX100"].kosong = true
	byCode["FF720"].kosong = true
	return ps, byCode
}()

// r1Thousands writes 5000 as "5.000".
func r1Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(ch)
	}
	return b.String()
}

func (s *Server) handleCategories(c *r1Call) {
	s.reply(c, http.StatusOK, r1OK("", r1Categories))
}

func (s *Server) handlePrice(c *r1Call) {
	f, ok := s.required(c, "product_code")
	if !ok {
		return
	}
	p := r1ByCode[strings.ToUpper(f[0])]
	if p == nil {
		s.refuse(c, "76")
		return
	}
	w := p.wire()
	s.reply(c, http.StatusOK, r1OK("00", map[string]string{
		"gangguan": w.Gangguan, "kosong": w.Kosong, "harga": w.Harga, "kode": w.Kode, "nama": w.Nama,
	}))
}

// handleProducts filters and pages the catalog. Filters are those of seed
// 002; is_open keeps products neither gangguan nor kosong (1) or the others
// (0) — [INF]: the seed names the filter, not its meaning.
func (s *Server) handleProducts(c *r1Call) {
	for _, k := range []string{"category", "category_ids", "type", "is_open", "operator", "q", "sort"} {
		if _, err := c.body.str(k); err != nil {
			s.reply(c, http.StatusBadRequest, r1Error("30", "FORMAT REQUEST SALAH: "+err.Error()))
			return
		}
	}
	get := func(k string) string {
		v, _ := c.body.str(k) // types checked above
		return v
	}
	list := slices.Clone(r1Catalog)
	keep := func(pred func(p *r1Product) bool) {
		list = slices.DeleteFunc(list, func(p *r1Product) bool { return !pred(p) })
	}
	if v := get("category"); v != "" {
		keep(func(p *r1Product) bool { return strings.EqualFold(p.category, v) })
	}
	if v := get("category_ids"); v != "" {
		ids := map[int]bool{}
		for f := range strings.SplitSeq(v, ",") {
			id, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				s.reply(c, http.StatusBadRequest, r1Error("30", "CATEGORY_IDS HARUS DAFTAR ANGKA"))
				return
			}
			ids[id] = true
		}
		keep(func(p *r1Product) bool { return ids[r1CategoryOf(p.category).ID] })
	}
	if v := get("type"); v != "" {
		types := map[string]bool{}
		for f := range strings.SplitSeq(strings.ToUpper(v), ",") {
			f = strings.TrimSpace(f)
			types[f] = true
			if f == "PRABAYAR" {
				types["VOUCHER FISIK"] = true // seed 002: "prabayar" includes VOUCHER FISIK
			}
		}
		keep(func(p *r1Product) bool { return types[r1CategoryOf(p.category).Type] })
	}
	switch v := get("is_open"); strings.ToLower(v) {
	case "":
	case "1", "true":
		keep((*r1Product).open)
	case "0", "false":
		keep(func(p *r1Product) bool { return !p.open() })
	default:
		s.reply(c, http.StatusBadRequest, r1Error("30", "IS_OPEN HARUS 1 ATAU 0"))
		return
	}
	if v := get("operator"); v != "" {
		keep(func(p *r1Product) bool { return strings.EqualFold(p.operator, v) })
	}
	if v := strings.ToUpper(get("q")); v != "" {
		keep(func(p *r1Product) bool { return strings.Contains(p.code, v) || strings.Contains(p.name, v) })
	}
	if v := get("sort"); v != "" {
		field, dir, _ := strings.Cut(strings.ToLower(v), "|")
		var by func(a, b *r1Product) int
		switch field {
		case "code":
			by = func(a, b *r1Product) int { return strings.Compare(a.code, b.code) }
		case "name":
			by = func(a, b *r1Product) int { return strings.Compare(a.name, b.name) }
		case "price":
			by = func(a, b *r1Product) int { return cmp.Compare(a.price, b.price) }
		}
		if by == nil || (dir != "" && dir != "asc" && dir != "desc") {
			s.reply(c, http.StatusBadRequest, r1Error("30", "SORT HARUS code|name|price DENGAN asc|desc"))
			return
		}
		if dir == "desc" {
			asc := by
			by = func(a, b *r1Product) int { return asc(b, a) }
		}
		slices.SortStableFunc(list, by)
	}
	page, perPage, ok := s.paging(c, true)
	if !ok {
		return
	}
	wire := make([]r1WireProduct, len(list))
	for i, p := range list {
		wire[i] = p.wire()
	}
	s.reply(c, http.StatusOK, r1OK("", r1Paginate(c.r, wire, page, perPage)))
}

// paging reads page and per_page. Without page, defaultPage decides:
// products always page (page 1), history answers a flat list (page 0).
func (s *Server) paging(c *r1Call, defaultPage bool) (page, perPage int, ok bool) {
	read := func(key string, def int) (int, bool) {
		v, err := c.body.str(key)
		if err != nil {
			return 0, false
		}
		if v == "" {
			return def, true
		}
		n, err := strconv.Atoi(v)
		return n, err == nil && n >= 1
	}
	def := 0
	if defaultPage {
		def = 1
	}
	page, okPage := read("page", def)
	perPage, okPer := read("per_page", s.opts.PerPage)
	if !okPage || !okPer || perPage > 1000 {
		s.reply(c, http.StatusBadRequest, r1Error("30", "PAGE DAN PER_PAGE HARUS ANGKA 1–1000"))
		return 0, 0, false
	}
	return page, perPage, true
}

// r1Page is Laravel's paginated resource: data, links, meta.
type r1Page[T any] struct {
	Data  []T     `json:"data"`
	Links r1Links `json:"links"`
	Meta  r1Meta  `json:"meta"`
}

type r1Links struct {
	First string  `json:"first"`
	Last  string  `json:"last"`
	Prev  *string `json:"prev"`
	Next  *string `json:"next"`
}

type r1Meta struct {
	CurrentPage int    `json:"current_page"`
	From        *int   `json:"from"`
	LastPage    int    `json:"last_page"`
	Path        string `json:"path"`
	PerPage     int    `json:"per_page"`
	To          *int   `json:"to"`
	Total       int    `json:"total"`
}

func r1Paginate[T any](r *http.Request, items []T, page, perPage int) r1Page[T] {
	total := len(items)
	last := max(1, (total+perPage-1)/perPage)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	path := (&url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path}).String()
	link := func(n int) string { return fmt.Sprintf("%s?page=%d", path, n) }
	out := r1Page[T]{
		Data:  []T{},
		Links: r1Links{First: link(1), Last: link(last)},
		Meta:  r1Meta{CurrentPage: page, LastPage: last, Path: path, PerPage: perPage, Total: total},
	}
	lo := (page - 1) * perPage
	if lo < total {
		hi := min(total, lo+perPage)
		out.Data = items[lo:hi]
		from, to := lo+1, hi
		out.Meta.From, out.Meta.To = &from, &to
	}
	if page > 1 {
		prev := link(min(page-1, last))
		out.Links.Prev = &prev
	}
	if page < last {
		next := link(page + 1)
		out.Links.Next = &next
	}
	return out
}
