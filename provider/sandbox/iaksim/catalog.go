package iaksim

import (
	"net/http"
	"strings"
)

// iakNumberKind is the customer_id format a product takes (top-up.md "the
// customer_id for each product type"; providers.md §1.7).
type iakNumberKind int

const (
	// iakNumPhone: an MSISDN 08…, 10–13 digits. Vouchers, e-money, eSIM and
	// game vouchers take one too ("random number with format 08xxx").
	iakNumPhone iakNumberKind = iota
	// iakNumMeter: a PLN meter (11 digits) or customer id (12 digits).
	iakNumMeter
	// iakNumUserZone: a game id "{userid}|{zoneid}" (Mobile Legend).
	iakNumUserZone
	// iakNumUser: a game id "{userid}" (Free Fire).
	iakNumUser
)

// iakProduct is one prepaid product of the simulated pricelist.
type iakProduct struct {
	code        string
	description string // the operator or brand, as IAK's product_description
	nominal     string
	details     string
	price       int64
	typ         string // product_type
	operator    string // the {operator} path segment of api/pricelist/{type}/{operator}
	category    string // product_category
	period      string // active_period in days; "0" when it does not apply
	active      bool
	icon        string
	number      iakNumberKind
	// prefixes are the operator's MSISDN prefixes (prefix-list.md); a number
	// outside them is rc 16. Empty for products sold to any number.
	prefixes []string
	// pin marks game vouchers that come with a PIN besides the SN.
	pin bool
}

// Operator prefixes from IAK's prefix-list.md (providers.md §1.7).
var (
	iakPrefixTelkomsel = []string{"0812", "0813", "0852", "0853", "0821", "0823", "0822", "0851"}
	iakPrefixIndosat   = []string{"0814", "0815", "0816", "0855", "0856", "0857", "0858"}
	iakPrefixXL        = []string{"0817", "0818", "0819", "0859", "0878", "0877"}
	iakPrefixAxis      = []string{"0838", "0837", "0831", "0832"}
	iakPrefixThree     = []string{"0896", "0897", "0898", "0899", "0895"}
	iakPrefixSmartfren = []string{"0881", "0882", "0883", "0884", "0885", "0886", "0887", "0888"}
	iakPrefixByU       = []string{"085154", "085155", "085156", "085157", "085158"}
)

func iakPulsa(code, brand, operator string, nominal string, price int64, days string, prefixes []string) iakProduct {
	return iakProduct{code: code, description: brand, nominal: nominal, details: "-", price: price,
		typ: "pulsa", operator: operator, category: "pulsa", period: days, active: true, icon: "-",
		number: iakNumPhone, prefixes: prefixes}
}

func iakPaket(code, brand, operator, nominal, details string, price int64, days string, prefixes []string) iakProduct {
	return iakProduct{code: code, description: brand, nominal: nominal, details: details, price: price,
		typ: "data", operator: operator, category: "data", period: days, active: true, icon: "-",
		number: iakNumPhone, prefixes: prefixes}
}

func iakPLN(nominal string, price int64) iakProduct {
	return iakProduct{code: "hpln" + nominal, description: "PLN", nominal: nominal, details: "-", price: price,
		typ: "pln", operator: "pln", category: "pln", period: "0", active: true, icon: "-", number: iakNumMeter}
}

func iakGame(code, brand, operator, nominal string, price int64, number iakNumberKind, pin bool) iakProduct {
	return iakProduct{code: code, description: brand, nominal: nominal, details: "-", price: price,
		typ: "game", operator: operator, category: "game", period: "0", active: true, icon: "-",
		number: number, pin: pin}
}

func iakOther(typ, category, code, brand, operator, nominal, details string, price int64) iakProduct {
	return iakProduct{code: code, description: brand, nominal: nominal, details: details, price: price,
		typ: typ, operator: operator, category: category, period: "0", active: true, icon: "-", number: iakNumPhone}
}

func iakInactive(p iakProduct) iakProduct {
	p.active = false
	return p
}

// iakCatalog is the simulated prepaid pricelist, in the order it is listed.
// IAK knows only "active" and "non active": a product out of stock is
// "non active" like one that is disturbed (gangguan), and a top-up of either
// is rc 106. hsmart5000 plays the disturbed product, indomaret100 the one out
// of stock.
var iakCatalog = []iakProduct{
	iakPulsa("htelkomsel5000", "Telkomsel", "telkomsel", "5000", 5_850, "7", iakPrefixTelkomsel),
	iakPulsa("htelkomsel10000", "Telkomsel", "telkomsel", "10000", 10_850, "15", iakPrefixTelkomsel),
	iakPulsa("htelkomsel20000", "Telkomsel", "telkomsel", "20000", 20_450, "30", iakPrefixTelkomsel),
	iakPulsa("htelkomsel25000", "Telkomsel", "telkomsel", "25000", 25_350, "30", iakPrefixTelkomsel),
	iakPulsa("htelkomsel50000", "Telkomsel", "telkomsel", "50000", 49_900, "30", iakPrefixTelkomsel),
	iakPulsa("htelkomsel100000", "Telkomsel", "telkomsel", "100000", 98_750, "60", iakPrefixTelkomsel),
	iakPulsa("hindosat5000", "Indosat", "indosat", "5000", 5_900, "7", iakPrefixIndosat),
	iakPulsa("hindosat10000", "Indosat", "indosat", "10000", 10_900, "15", iakPrefixIndosat),
	iakPulsa("hindosat25000", "Indosat", "indosat", "25000", 25_050, "30", iakPrefixIndosat),
	iakPulsa("hindosat50000", "Indosat", "indosat", "50000", 49_750, "45", iakPrefixIndosat),
	iakPulsa("xld5000", "XL", "xl", "5000", 5_950, "7", iakPrefixXL),
	iakPulsa("xld10000", "XL", "xl", "10000", 10_950, "15", iakPrefixXL),
	iakPulsa("xld25000", "XL", "xl", "25000", 25_000, "30", iakPrefixXL),
	iakPulsa("xld50000", "XL", "xl", "50000", 49_850, "45", iakPrefixXL),
	iakPulsa("haxis5000", "Axis", "axis", "5000", 5_950, "7", iakPrefixAxis),
	iakPulsa("haxis10000", "Axis", "axis", "10000", 10_950, "15", iakPrefixAxis),
	iakPulsa("haxis25000", "Axis", "axis", "25000", 25_100, "30", iakPrefixAxis),
	iakPulsa("hthree5000", "Three", "three", "5000", 5_400, "7", iakPrefixThree),
	iakPulsa("hthree10000", "Three", "three", "10000", 10_400, "15", iakPrefixThree),
	iakPulsa("hthree20000", "Three", "three", "20000", 20_300, "30", iakPrefixThree),
	iakInactive(iakPulsa("hsmart5000", "Smartfren", "smart", "5000", 5_300, "7", iakPrefixSmartfren)),
	iakPulsa("hsmart10000", "Smartfren", "smart", "10000", 10_200, "15", iakPrefixSmartfren),
	iakPulsa("hsmart20000", "Smartfren", "smart", "20000", 20_150, "30", iakPrefixSmartfren),
	iakPulsa("hbyu10000", "by.U", "by.u", "10000", 10_400, "15", iakPrefixByU),

	iakPaket("tseldata2gb", "Telkomsel Data", "telkomsel_paket_internet", "2 GB", "Kuota 2GB, 30 hari", 27_500, "30", iakPrefixTelkomsel),
	iakPaket("tseldata10gb", "Telkomsel Data", "telkomsel_paket_internet", "10 GB", "Kuota 10GB, 30 hari", 78_000, "30", iakPrefixTelkomsel),
	iakPaket("isatdata3gb", "Indosat Data", "indosat_paket_internet", "3 GB", "Freedom Internet 3GB, 30 hari", 24_900, "30", iakPrefixIndosat),
	iakPaket("xldata5gb", "XL Data", "xl_paket_internet", "5 GB", "Xtra Combo 5GB, 30 hari", 38_500, "30", iakPrefixXL),
	iakPaket("axisdata2gb", "Axis Data", "axis_paket_internet", "2 GB", "Bronet 2GB, 30 hari", 17_900, "30", iakPrefixAxis),
	iakPaket("threedata6gb", "Three Data", "three_paket_internet", "6 GB", "Happy 6GB, 30 hari", 32_000, "30", iakPrefixThree),
	iakPaket("hsmartdata30gb", "Smartfren Data", "smartfren_paket_internet", "30 GB", "Unlimited Nonstop 30GB, 28 hari", 65_000, "28", iakPrefixSmartfren),

	iakPLN("20000", 20_250),
	iakPLN("50000", 50_250),
	iakPLN("100000", 100_250),
	iakPLN("200000", 200_250),
	iakPLN("500000", 500_250),
	iakPLN("1000000", 1_000_250),

	iakGame("hmobilelegend86", "Mobile Legend", "mobile_legend", "86 Diamonds", 20_400, iakNumUserZone, false),
	iakGame("hmobilelegend110", "Mobile Legend", "mobile_legend", "110 Diamonds", 26_000, iakNumUserZone, false),
	iakGame("hmobilelegend172", "Mobile Legend", "mobile_legend", "172 Diamonds", 40_800, iakNumUserZone, false),
	iakGame("hmobilelegend257", "Mobile Legend", "mobile_legend", "257 Diamonds", 61_200, iakNumUserZone, false),
	iakGame("hfreefire70", "Free Fire", "free_fire", "70 Diamonds", 9_500, iakNumUser, false),
	iakGame("hfreefire140", "Free Fire", "free_fire", "140 Diamonds", 19_000, iakNumUser, false),
	iakGame("hfreefire355", "Free Fire", "free_fire", "355 Diamonds", 47_500, iakNumUser, false),
	iakGame("hgoogleplay20000", "Google Play Indonesia", "google_play_indonesia", "Voucher Google Play Rp 20.000", 20_600, iakNumPhone, true),
	iakGame("hgoogleplay50000", "Google Play Indonesia", "google_play_indonesia", "Voucher Google Play Rp 50.000", 51_000, iakNumPhone, true),

	iakOther("voucher", "voucher", "alfamart50", "Alfamart Voucher", "alfamart", "Voucher Alfamart Rp 50.000", "-", 50_500),
	iakOther("voucher", "voucher", "alfamart100", "Alfamart Voucher", "alfamart", "Voucher Alfamart Rp 100.000", "-", 100_500),
	iakInactive(iakOther("voucher", "voucher", "indomaret100", "Indomaret Voucher", "indomaret", "Voucher Indomaret Rp 100.000", "-", 100_500)),

	iakOther("etoll", "etoll", "dana10000", "DANA", "dana", "10000", "-", 10_150),
	iakOther("etoll", "etoll", "dana50000", "DANA", "dana", "50000", "-", 50_150),
	iakOther("etoll", "etoll", "ovo20000", "OVO", "ovo", "20000", "-", 20_250),
	iakOther("etoll", "etoll", "gopay25000", "GoPay", "gopay_e-money", "25000", "-", 25_200),

	iakOther("esim-international", "esim", "esimjapan3gb", "eSIM Japan", "japan", "3 GB / 7 Hari", "eSIM data Jepang 3GB, 7 hari", 65_000),
	iakOther("esim-international", "esim", "esimsingapore5gb", "eSIM Singapore", "singapore", "5 GB / 15 Hari", "eSIM data Singapura 5GB, 15 hari", 89_000),
}

// iakProducts indexes iakCatalog by code.
var iakProducts = func() map[string]*iakProduct {
	m := make(map[string]*iakProduct, len(iakCatalog))
	for i := range iakCatalog {
		m[iakCatalog[i].code] = &iakCatalog[i]
	}
	return m
}()

// iakMeter is a PLN prepaid meter that inquiry-pln knows.
type iakMeter struct {
	meterNo, subscriberID, name, segmentPower string
}

// iakMeters are the meters inquiry-pln answers with SUCCESS. 12345678901 is
// IAK's documented sandbox meter, with its documented answer; the others let
// a demo try a second customer and a 12-digit customer id.
var iakMeters = map[string]iakMeter{
	"12345678901":  {"548933889287", "12345678901", "Sintya Oktaviani", "R1 /000001300"},
	"12345678902":  {"548933889288", "12345678902", "BUDI SANTOSO", "R1 /000000900"},
	"543210987654": {"14123456789", "543210987654", "PT SINAR ABADI", "B1 /000005500"},
}

// iakMeterFor returns the owner of a meter as the simulator knows it: the
// table above, or an invented owner for meters a top-up is sent to.
func iakMeterFor(customerID string) iakMeter {
	if m, ok := iakMeters[customerID]; ok {
		return m
	}
	return iakMeter{
		meterNo:      "5" + iakDigits(10, "meter", customerID),
		subscriberID: customerID,
		name:         iakName("meter", customerID),
		segmentPower: "R1 /000001300",
	}
}

func iakAllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func iakDigitsBetween(s string, lo, hi int) bool {
	return iakAllDigits(s) && len(s) >= lo && len(s) <= hi
}

// checkNumber validates a customer_id for the product in IAK's order: the
// operator prefix first (16), then the format (14, 203 too long; 141/142 for
// game ids). It returns "" for a valid number.
func (p *iakProduct) checkNumber(id string) string {
	switch p.number {
	case iakNumPhone:
		if len(p.prefixes) > 0 {
			match := false
			for _, pre := range p.prefixes {
				if strings.HasPrefix(id, pre) {
					match = true
					break
				}
			}
			if !match {
				return "16"
			}
		}
		switch {
		case !iakAllDigits(id) || !strings.HasPrefix(id, "08") || len(id) < 10:
			return "14"
		case len(id) > 13:
			return "203"
		}
	case iakNumMeter:
		if !iakDigitsBetween(id, 11, 12) {
			return "14"
		}
	case iakNumUserZone:
		user, zone, ok := strings.Cut(id, "|")
		if !ok || !iakDigitsBetween(user, 4, 20) || !iakDigitsBetween(zone, 1, 8) {
			return "141"
		}
	case iakNumUser:
		if !iakDigitsBetween(id, 4, 20) {
			return "142"
		}
	}
	return ""
}

// iakPriceItem is one pricelist item, fields in IAK's order (§1.2.4).
type iakPriceItem struct {
	ProductCode        string `json:"product_code"`
	ProductDescription string `json:"product_description"`
	ProductNominal     string `json:"product_nominal"`
	ProductDetails     string `json:"product_details"`
	ProductPrice       int64  `json:"product_price"`
	ProductType        string `json:"product_type"`
	ActivePeriod       string `json:"active_period"`
	Status             string `json:"status"`
	IconURL            string `json:"icon_url"`
	ProductCategory    string `json:"product_category"`
}

// iakPricelist is the wrapper form {"data":{"pricelist":[…],"rc","message"}}
// the official SDK and community clients read (the reference doc's bare
// array is the other form a client must accept).
type iakPricelist struct {
	Pricelist []iakPriceItem `json:"pricelist"`
	RC        string         `json:"rc"`
	Message   string         `json:"message"`
}

// iakStatusFilter normalises the pricelist "status" field: "all" (and
// anything unrecognised, as an absent field), "active" or "non active".
func iakStatusFilter(s string) string {
	n := strings.ToLower(strings.NewReplacer(" ", "", "-", "", "_", "").Replace(s))
	switch n {
	case "active":
		return "active"
	case "nonactive", "inactive":
		return "non active"
	}
	return "all"
}

func (s *Server) handlePricelist(w http.ResponseWriter, r *http.Request) {
	req, ok := s.openPrepaid(w, r, "pricelist", func(iakRequest) string { return "pl" })
	if !ok {
		return
	}
	typ := strings.ToLower(r.PathValue("type"))
	operator := strings.ToLower(r.PathValue("operator"))
	status := iakStatusFilter(string(req.Status))
	items := []iakPriceItem{}
	for _, p := range iakCatalog {
		st := "non active"
		if p.active {
			st = "active"
		}
		if (typ != "" && p.typ != typ) || (operator != "" && p.operator != operator) || (status != "all" && st != status) {
			continue
		}
		items = append(items, iakPriceItem{
			ProductCode:        p.code,
			ProductDescription: p.description,
			ProductNominal:     p.nominal,
			ProductDetails:     p.details,
			ProductPrice:       p.price,
			ProductType:        p.typ,
			ActivePeriod:       p.period,
			Status:             st,
			IconURL:            p.icon,
			ProductCategory:    p.category,
		})
	}
	s.writeJSON(w, http.StatusOK, iakData{iakPricelist{Pricelist: items, RC: "00", Message: "SUCCESS"}})
}
