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

// ProductType says what the buyer receives, which decides whether a success
// has delivered anything: for some products the value is a code the buyer
// needs (a PLN token, a voucher code or PIN, an eSIM activation code), for
// the others it is credited to the number or account itself and the SN is
// only a receipt. It is the product's type, not its menu: a Google Play
// voucher sits among the games, a direct game top-up is credited to the
// game account. Persisted as a string.
type ProductType string

// Product types.
const (
	// TypeTopUp is credited to the number or account: pulsa, data,
	// e-money, a direct game top-up.
	TypeTopUp ProductType = "topup"
	// TypePLNToken is a PLN prepaid token, delivered in the SN.
	TypePLNToken ProductType = "pln_token"
	// TypeVoucher is a voucher (game vouchers included): its code or PIN.
	TypeVoucher ProductType = "voucher"
	// TypeESIM is an eSIM: its activation code.
	TypeESIM ProductType = "esim"
)

// ValueIsCode reports whether the buyer receives a code (token, voucher
// code or PIN, activation code) rather than a credit: a success without one
// has delivered nothing yet.
func (t ProductType) ValueIsCode() bool {
	return t == TypePLNToken || t == TypeVoucher || t == TypeESIM
}

// categoryType is the product type an order or product that records none
// is taken to have: written before types were recorded, or quoted by a
// price endpoint that names none. Only the categories whose every product
// is a code; a game voucher among the games needs its product's type.
func categoryType(c CategoryID) ProductType {
	switch c {
	case CategoryPLN:
		return TypePLNToken
	case CategoryVoucher:
		return TypeVoucher
	case CategoryESIM:
		return TypeESIM
	}
	return ""
}

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
	// Type says what the buyer receives (see ProductType); empty for
	// postpaid products and when the provider's answer does not say.
	Type ProductType `json:",omitempty"`
	// Legs, with several providers configured, are the provider products
	// that can fill this one, in order of preference (see Leg); Price is
	// then the first available leg's cost. Empty with one provider.
	Legs []Leg `json:",omitempty"`
}
