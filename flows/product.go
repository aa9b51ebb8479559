package flows

// CategoryID names a product category the bot sells. The set is fixed: the
// conversation, the pricing configuration ([pricing.category] keys) and the
// message catalogue all use these identifiers, and the provider clients map
// their own category names onto them.
type CategoryID string

// The categories the bot knows. Persisted and used as configuration keys, so
// the values never change.
const (
	CategoryPulsa   CategoryID = "pulsa"
	CategoryData    CategoryID = "data"
	CategoryPLN     CategoryID = "pln"
	CategoryGame    CategoryID = "game"
	CategoryEMoney  CategoryID = "emoney"
	CategoryVoucher CategoryID = "voucher"
	CategoryESIM    CategoryID = "esim"
	CategoryBill    CategoryID = "tagihan"
)

// Categories lists every category in the order menus show them.
var Categories = []Category{
	{ID: CategoryPulsa, Name: "Pulsa"},
	{ID: CategoryData, Name: "Paket Data"},
	{ID: CategoryPLN, Name: "Token PLN"},
	{ID: CategoryGame, Name: "Games"},
	{ID: CategoryEMoney, Name: "E-Money"},
	{ID: CategoryVoucher, Name: "Voucher"},
	{ID: CategoryESIM, Name: "eSIM"},
	{ID: CategoryBill, Name: "Tagihan"},
}

// Category is a group of products shown as one menu entry.
type Category struct {
	ID   CategoryID
	Name string
}

// LookupCategory returns the category with the given id.
func LookupCategory(id CategoryID) (Category, bool) {
	for _, c := range Categories {
		if c.ID == id {
			return c, true
		}
	}
	return Category{}, false
}

// ProductKind tells prepaid products (bought in one step) from postpaid ones
// (a bill: inquiry first, then payment).
type ProductKind string

// Product kinds, persisted as strings.
const (
	Prepaid  ProductKind = "prepaid"
	Postpaid ProductKind = "postpaid"
)

// NumberKind is the kind of customer number a product expects: it decides the
// hint shown to the buyer and how the typed number is validated.
type NumberKind string

// Customer number kinds, persisted as strings.
const (
	// NumberPhone is an Indonesian mobile number (MSISDN), 08…, whose prefix
	// must match the product's operator when the product has one.
	NumberPhone NumberKind = "phone"
	// NumberPLNMeter is a PLN prepaid meter or customer id, 11 or 12 digits.
	NumberPLNMeter NumberKind = "pln_meter"
	// NumberGameID is a game account id in the game's own format, given by
	// Product.NumberFormat (for example "{userid}|{zoneid}").
	NumberGameID NumberKind = "game_id"
	// NumberBill is a biller's customer number (PLN postpaid id, BPJS number).
	NumberBill NumberKind = "bill"
	// NumberAny is any number the provider accepts: vouchers and eSIM take a
	// placeholder phone-like number; the provider validates it.
	NumberAny NumberKind = "any"
)

// Product is one item a provider sells.
type Product struct {
	// Code is the provider's product code, sent back when ordering.
	Code string
	// Name is what the buyer sees, e.g. "Telkomsel 10.000".
	Name     string
	Category CategoryID
	// Brand is the operator or brand ("TELKOMSEL", "Mobile Legends"); menus
	// group a category's products by it.
	Brand string
	// Price is what the provider charges, in rupiah. The buyer is shown Price
	// plus the configured markup.
	Price int64
	Kind  ProductKind
	// Available is false for products the provider marks inactive, disturbed
	// (gangguan) or out of stock (kosong); menus hide them.
	Available bool
	// Number is the kind of customer number the product expects.
	Number NumberKind
	// NumberFormat is the game id format for NumberGameID products, e.g.
	// "{userid}|{zoneid}"; empty otherwise.
	NumberFormat string
}
