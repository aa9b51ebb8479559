package flows

import (
	"strings"
	"time"
)

// Order is one purchase, from the buyer's confirmation to its settlement. It
// is persisted as JSON; field names are part of the database format.
type Order struct {
	// RefID is the order's reference with the provider (see NewRefID).
	RefID string `json:"ref_id"`
	// ChatID and UserID are who bought it; Token is the one-time token of the
	// Confirm button that created it (DESIGN rule 2).
	ChatID int64  `json:"chat_id"`
	UserID int64  `json:"user_id"`
	Token  string `json:"token"`
	// Lang is the buyer's language when the order was made.
	Lang string `json:"lang,omitempty"`

	Kind        ProductKind `json:"kind"`
	ProductCode string      `json:"product_code"`
	// ShopCode is the code of the product as the shop offers it — a
	// route's code, a qualified "provider:code" with several providers —
	// while ProductCode is the current attempt's code at its provider.
	// "Beli lagi" finds the product again by it. Empty in orders written
	// before it existed: ProductCode was then the shop's code too.
	ShopCode    string     `json:"shop_code,omitempty"`
	ProductName string     `json:"product_name"`
	Category    CategoryID `json:"category"`
	// ProductType is the product's type when the order was made (see
	// ProductType): a later catalog cannot change what the order delivers.
	ProductType    ProductType `json:"product_type,omitempty"`
	CustomerNumber string      `json:"customer_number"`
	CustomerName   string      `json:"customer_name,omitempty"`
	// Brand and NumberFormat are the product's, for a game id: the
	// receipt labels the parts of CustomerNumber as the game calls them
	// ("User ID", "Zone ID"). NumberFormat is empty for other products.
	Brand        string `json:"brand,omitempty"`
	NumberFormat string `json:"number_format,omitempty"`
	// Price is what the buyer was shown and agreed to; Cost what the
	// provider charges (its quoted price, replaced by the charged price once
	// known).
	Price int64 `json:"price"`
	Cost  int64 `json:"cost"`
	// MaxPrice caps what the provider may charge (see
	// OrderRequest.MaxPrice): the price less the minimum margin, fixed when
	// the order is written so that every re-send repeats it. 0 in orders
	// written before it existed, which were sent without a cap.
	MaxPrice int64 `json:"max_price,omitempty"`
	// Hold is what the order took from the buyer's saldo when it was
	// created: its price with the wallet on, 0 without (DESIGN rule 13).
	// Settling moves this amount, whatever the wallet's setting is by
	// then, so turning the wallet on or off never touches orders already
	// placed.
	Hold int64 `json:"hold,omitempty"`
	// Wallet is the buyer's wallet as the store read it in the
	// transaction of this update, before the order's own ledger move (see
	// SaldoAfter). It is not stored.
	Wallet Wallet `json:"-"`
	// Bill is the inquiry a postpaid order pays.
	Bill *Bill `json:"bill,omitempty"`

	// Account is the provider account the order was placed with; checks go
	// to it alone (DESIGN rule 4). With several providers it is the
	// current attempt's, as are ProductCode, Cost, Acknowledged,
	// ProviderTxID, SentAt, RC and Message.
	Account Account `json:"account"`

	// Legs are, for a product with legs (several providers), the provider
	// products that may fill the order, in order of preference, as quoted;
	// Leg is the current attempt's index in them.
	Legs []Leg `json:"legs,omitempty"`
	Leg  int   `json:"leg,omitempty"`
	// ProviderRef is the current attempt's ref with its provider, when it
	// is not RefID: every attempt after the first has a ref of its own
	// (DESIGN rule 17), which the store also finds the order by.
	ProviderRef string `json:"provider_ref,omitempty"`
	// Attempts are the earlier attempts, each ended by a definitive answer
	// that charged nothing.
	Attempts []Attempt `json:"attempts,omitempty"`
	// Uncertain is set once an answer of the current attempt left its
	// outcome unknown, or its first send was never answered: the order
	// then stays with this provider for good, whatever it answers later
	// (DESIGN rule 17).
	Uncertain bool `json:"uncertain,omitempty"`

	Status Status `json:"status"`
	// Acknowledged is true once the provider returned a transaction record.
	Acknowledged   bool   `json:"acknowledged,omitempty"`
	ProviderTxID   string `json:"provider_tx_id,omitempty"`
	SN             string `json:"sn,omitempty"`
	PIN            string `json:"pin,omitempty"`
	ActivationCode string `json:"activation_code,omitempty"`
	// RC and Message are the provider's last answer, for admins.
	RC      string `json:"rc,omitempty"`
	Message string `json:"message,omitempty"`
	// Reason is why a failed order failed, for the buyer.
	Reason Reason `json:"reason,omitempty"`

	// MessageID is the buyer's "processing" message, edited on settlement.
	MessageID int `json:"message_id,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	// SentAt is when the order was first sent to the provider (see
	// OrderRequest.SentAt); zero until a send or check is recorded.
	SentAt time.Time `json:"sent_at,omitzero"`
	// LastSentAt is when the current attempt was last sent or re-sent
	// (its answer's time): a provider's gap between sends counts from it.
	LastSentAt time.Time `json:"last_sent_at,omitzero"`
	UpdatedAt  time.Time `json:"updated_at"`
	SettledAt  time.Time `json:"settled_at,omitzero"`
	// Checks counts status checks; NextCheckAt is when the poller may check
	// again (older orders are checked less often).
	Checks      int       `json:"checks,omitempty"`
	NextCheckAt time.Time `json:"next_check_at,omitzero"`
	// SettledBy is the admin who settled the order by hand (/settle), 0 when
	// a provider's answer did; SettleNote is the admin's note (DESIGN rule 16).
	SettledBy  int64  `json:"settled_by,omitempty"`
	SettleNote string `json:"settle_note,omitempty"`
	// Alerted records the alerts already raised for this order: each kind
	// once (DESIGN rule 11).
	Alerted []AlertKind `json:"alerted,omitempty"`
}

// SaldoAfter is the buyer's balance once this update's ledger move is
// applied: a success leaves it (the hold becomes the purchase), a failure
// returns the hold to it.
func (o *Order) SaldoAfter() int64 {
	if o.Status == StatusFailed {
		return o.Wallet.Balance + o.Hold
	}
	return o.Wallet.Balance
}

// ValueIsCode reports whether the order's product is a code the buyer needs
// (see ProductType.ValueIsCode). An order that records no product type —
// written before types were — is judged by its category.
func (o *Order) ValueIsCode() bool { return o.productType().ValueIsCode() }

func (o *Order) productType() ProductType {
	if o.ProductType == "" {
		return categoryType(o.Category)
	}
	return o.ProductType
}

// delivered reports whether a success answer carries what the buyer paid
// for: anything for a credit, the code for a product whose value is its code
// — for a PLN token the serial's token part, not just its name and kWh; for
// an eSIM the activation code where the provider has a field for it
// (activationCodes), the ICCID alone activates nothing.
func (o *Order) delivered(res Result, activationCodes bool) bool {
	switch t := o.productType(); {
	case !t.ValueIsCode():
		return true
	case t == TypePLNToken:
		token, _ := plnToken(res.SN)
		return token != ""
	case t == TypeESIM && activationCodes:
		return strings.TrimSpace(res.ActivationCode) != ""
	}
	return strings.TrimSpace(res.SN) != "" || strings.TrimSpace(res.PIN) != "" || strings.TrimSpace(res.ActivationCode) != ""
}

// HasAlerted reports whether the alert of kind k was raised for o already.
func (o *Order) HasAlerted(k AlertKind) bool {
	for _, a := range o.Alerted {
		if a == k {
			return true
		}
	}
	return false
}

// AlertKind names an alert for admins. Persisted as a string.
type AlertKind string

// Alert kinds.
const (
	AlertPendingTooLong  AlertKind = "pending_too_long"
	AlertUnacknowledged  AlertKind = "unacknowledged"
	AlertMisconfigured   AlertKind = "misconfigured"
	AlertAccountMissing  AlertKind = "account_missing"
	AlertLowBalance      AlertKind = "low_balance"
	AlertBillUnresolved  AlertKind = "bill_unresolved"
	AlertDeliveryDropped AlertKind = "delivery_dropped"
	// AlertManualContradicted: a provider answer says otherwise than an
	// admin's settlement by hand.
	AlertManualContradicted AlertKind = "manual_contradicted"
	// AlertResendTooOld: the order's first send is older than the
	// provider's re-send limit (ResendLimits.MaxResendAge); a re-send
	// would place it again, so it is no longer checked automatically.
	AlertResendTooOld AlertKind = "resend_too_old"
	// AlertRefConflict: the provider holds the order's ref with a request
	// other than ours (Digiflazz rc 49 on a re-send).
	AlertRefConflict AlertKind = "ref_conflict"
	// AlertEarlierAttempt: a provider reports a success for an attempt of
	// the order that had ended without a charge, after which the order
	// moved to another provider: it may be filled twice.
	AlertEarlierAttempt AlertKind = "earlier_attempt"
)

// Status is the state of an order. Persisted as its string value; a status
// only ever moves forward: placing → pending → success|failed.
type Status string

// Order statuses.
const (
	// StatusPlacing: the order is committed (write-ahead) and the provider has
	// not answered the first send yet.
	StatusPlacing Status = "placing"
	// StatusPending: the provider has it (or might have it) and it has not
	// reached a final state.
	StatusPending Status = "pending"
	StatusSuccess Status = "success"
	StatusFailed  Status = "failed"
)

// Final reports whether s is a settled state that never changes again.
func (s Status) Final() bool { return s == StatusSuccess || s == StatusFailed }

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPlacing, StatusPending, StatusSuccess, StatusFailed:
		return true
	}
	return false
}

// ShopProduct is the code the shop offered the order's product under.
func (o *Order) ShopProduct() string {
	if o.ShopCode != "" {
		return o.ShopCode
	}
	return o.ProductCode
}
