package digiflazzsim

import (
	"net/http"
	"strings"

	"topupbot/provider/sandbox"
)

// Product is one product of the simulated price list.
type Product struct {
	SKU      string
	Name     string
	Category string
	Brand    string
	Type     string
	Price    int64 // prepaid price; postpaid products list Admin instead
	Admin    int64
	// BuyerActive false is rc 43 on a purchase; SellerActive false creates
	// the transaction and fails it with rc 53.
	BuyerActive  bool
	SellerActive bool
	Postpaid     bool
	Desc         string
}

// products is the simulated price list: a few of each category the bot
// sells, one product the seller has switched off, and the two postpaid
// billers.
var products = []Product{
	{SKU: "xld10", Name: "XL 10.000", Category: "Pulsa", Brand: "XL", Type: "Umum", Price: 10_125, BuyerActive: true, SellerActive: true},
	{SKU: "tsel5", Name: "Telkomsel 5.000", Category: "Pulsa", Brand: "TELKOMSEL", Type: "Umum", Price: 5_350, BuyerActive: true, SellerActive: true},
	{SKU: "tsel10", Name: "Telkomsel 10.000", Category: "Pulsa", Brand: "TELKOMSEL", Type: "Umum", Price: 10_275, BuyerActive: true, SellerActive: true},
	{SKU: "tsel100", Name: "Telkomsel 100.000", Category: "Pulsa", Brand: "TELKOMSEL", Type: "Umum", Price: 98_500, BuyerActive: true, SellerActive: false},
	{SKU: "xldata1", Name: "XL Data 1GB 30 Hari", Category: "Data", Brand: "XL", Type: "Umum", Price: 14_800, BuyerActive: true, SellerActive: true},
	{SKU: "tseldata2", Name: "Telkomsel Data 2GB", Category: "Data", Brand: "TELKOMSEL", Type: "Umum", Price: 24_500, BuyerActive: true, SellerActive: true},
	{SKU: "pln20", Name: "PLN 20.000", Category: "PLN", Brand: "PLN", Type: "Umum", Price: 20_150, BuyerActive: true, SellerActive: true},
	{SKU: "pln50", Name: "PLN 50.000", Category: "PLN", Brand: "PLN", Type: "Umum", Price: 50_150, BuyerActive: true, SellerActive: true},
	{SKU: "ml86", Name: "MOBILE LEGENDS 86 Diamonds", Category: "Games", Brand: "MOBILE LEGENDS", Type: "Umum", Price: 19_600, BuyerActive: true, SellerActive: true},
	{SKU: "ff70", Name: "FREE FIRE 70 Diamonds", Category: "Games", Brand: "FREE FIRE", Type: "Umum", Price: 9_400, BuyerActive: true, SellerActive: true},
	{SKU: "gplay20", Name: "Google Play 20.000", Category: "Games", Brand: "GOOGLE PLAY INDONESIA", Type: "Umum", Price: 20_700, BuyerActive: true, SellerActive: true},
	{SKU: "dana25", Name: "DANA 25.000", Category: "E-Money", Brand: "DANA", Type: "Umum", Price: 25_200, BuyerActive: true, SellerActive: true},
	{SKU: "ovo20", Name: "OVO 20.000", Category: "E-Money", Brand: "OVO", Type: "Umum", Price: 20_250, BuyerActive: true, SellerActive: true},
	{SKU: "oldtsel1", Name: "Telkomsel 1.000", Category: "Pulsa", Brand: "TELKOMSEL", Type: "Umum", Price: 1_900, BuyerActive: false, SellerActive: true},
	{SKU: "pln", Name: "PLN Pascabayar", Category: "Pascabayar", Brand: "PLN PASCABAYAR", Type: "Pascabayar", Admin: 2_500, BuyerActive: true, SellerActive: true, Postpaid: true},
	{SKU: "bpjs", Name: "BPJS Kesehatan", Category: "Pascabayar", Brand: "BPJS KESEHATAN", Type: "Pascabayar", Admin: 2_500, BuyerActive: true, SellerActive: true, Postpaid: true},
}

// Products returns the simulated price list, prepaid and postpaid.
func Products() []Product { return append([]Product(nil), products...) }

func lookup(sku string, postpaid bool) (Product, bool) {
	for _, p := range products {
		if p.SKU == sku && p.Postpaid == postpaid {
			return p, true
		}
	}
	return Product{}, false
}

func (s *Server) handlePriceList(w http.ResponseWriter, r *http.Request) {
	req, _, ok := s.read(w, r)
	if !ok {
		return
	}
	cmd := string(req.Cmd)
	if cmd != "prepaid" && cmd != "pasca" {
		writeData(w, http.StatusOK, map[string]any{"rc": "40", "message": "Payload Error"})
		return
	}
	if !s.authorized(w, req, "pricelist", nil) {
		return
	}
	full := req.Code == "" && req.Category == "" && req.Brand == "" && req.Type == ""
	if full && s.opts.PriceListInterval > 0 {
		s.mu.Lock()
		now := s.opts.Now()
		last, asked := s.lastFull[cmd]
		tooSoon := asked && now.Sub(last) < s.opts.PriceListInterval
		if !tooSoon {
			s.lastFull[cmd] = now
		}
		s.mu.Unlock()
		if tooSoon {
			writeData(w, http.StatusOK, map[string]any{"rc": "83", "message": "Anda sudah mencapai limitasi pengecekan pricelist, silahkan coba beberapa saat lagi"})
			return
		}
	}
	rows := []map[string]any{}
	for _, p := range products {
		if p.Postpaid != (cmd == "pasca") || !match(string(req.Code), p.SKU) || !match(string(req.Category), p.Category) ||
			!match(string(req.Brand), p.Brand) || !match(string(req.Type), p.Type) {
			continue
		}
		row := map[string]any{
			"product_name":          p.Name,
			"category":              p.Category,
			"brand":                 p.Brand,
			"type":                  p.Type,
			"buyer_sku_code":        p.SKU,
			"buyer_product_status":  p.BuyerActive,
			"seller_product_status": p.SellerActive,
			"desc":                  p.Desc,
		}
		if p.Postpaid {
			row["seller_name"], row["admin"], row["commission"] = "SIM", p.Admin, 500
		} else {
			row["seller_name"], row["price"] = "SIM", p.Price
			row["unlimited_stock"], row["stock"] = true, 0
			row["multi"], row["start_cut_off"], row["end_cut_off"] = true, "23:45", "00:15"
			if p.Desc == "" {
				row["desc"] = "-"
			}
		}
		rows = append(rows, row)
	}
	writeData(w, http.StatusOK, rows)
}

func match(filter, v string) bool {
	return filter == "" || strings.EqualFold(strings.TrimSpace(filter), v)
}

// meters are the PLN prepaid meters inquiry-pln knows by name; any other
// number of 11 or 12 digits is found with a derived name, except one ending
// in 9999 (rc 54).
var meters = map[string][3]string{
	"12345678901":  {"SINTYA OKTAVIANI", "R1", "1300"},
	"530000000001": {"BUDI SANTOSO", "R1M", "900"},
}

func meterOwner(no string) (name, segment, power string, rc string) {
	if m, ok := meters[no]; ok {
		return m[0], m[1], m[2], "00"
	}
	if len(no) < 11 || len(no) > 12 || strings.Trim(no, sandbox.Digits) != "" {
		return "", "", "", "57"
	}
	if strings.HasSuffix(no, "9999") {
		return "", "", "", "54"
	}
	return "PELANGGAN " + sandbox.Code("ABCDEFGHIJKLMNOPRSTUW", 6, no), "R1", "2200", "00"
}

func (s *Server) handleInquiryPLN(w http.ResponseWriter, r *http.Request) {
	req, _, ok := s.read(w, r)
	if !ok {
		return
	}
	no := string(req.CustomerNo)
	if !s.authorized(w, req, no, map[string]any{"customer_no": no}) {
		return
	}
	name, segment, power, rc := meterOwner(no)
	if rc != "00" {
		writeData(w, http.StatusOK, map[string]any{"customer_no": no, "status": "Gagal", "rc": rc, "message": rcMessage[rc]})
		return
	}
	writeData(w, http.StatusOK, map[string]any{
		"message":       "Transaksi Sukses",
		"status":        "Sukses",
		"rc":            "00",
		"customer_no":   no,
		"meter_no":      no,
		"subscriber_id": "5" + sandbox.Code(sandbox.Digits, 11, "subscriber", no),
		"name":          name,
		"segment_power": segment + " /" + power,
	})
}

// rcMessage is the message of each rc the simulator answers.
var rcMessage = map[string]string{
	"00": "Transaksi Sukses",
	"02": "Transaksi Gagal",
	"03": "Transaksi Pending",
	"40": "Payload Error",
	"41": "Signature Anda salah",
	"42": "Gagal memproses API Buyer",
	"43": "SKU tidak di temukan atau Non-Aktif",
	"44": "Saldo tidak cukup",
	"49": "Ref ID tidak unik",
	"50": "Transaksi Tidak Ditemukan",
	"53": "Produk Seller Sedang Tidak Tersedia",
	"54": "Nomor Tujuan Salah",
	"57": "Jumlah Digit Kurang Atau Lebih",
	"60": "Tagihan belum tersedia",
	"69": "Harga seller lebih besar dari ketentuan harga Buyer",
}
