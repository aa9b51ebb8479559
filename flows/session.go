package flows

import (
	"crypto/rand"
	"io"
	"time"
)

// State is where a chat is in the purchase conversation. Persisted.
type State string

// Conversation states.
const (
	StateHome     State = "home"     // the category menu
	StateBrand    State = "brand"    // a category's operators or brands
	StateProducts State = "products" // a page of products
	StateNumber   State = "number"   // waiting for the customer number
	StateConfirm  State = "confirm"  // the confirm screen
	StateQuick    State = "quick"    // the products offered for a number typed at home
	// StateGameField waits for the next part of a game id typed one part
	// at a time (Mobile Legends' Zone ID after its User ID).
	StateGameField State = "game_field"

	StateBillers    State = "billers"     // the billers of "Tagihan"
	StateBillNumber State = "bill_number" // waiting for the customer number
	StateBillMonths State = "bill_months" // waiting for the number of months
	StateBillCard   State = "bill_card"   // the inquired bill, Pay / Cancel

	// The wallet (DESIGN rules 13–15).
	StateNoSaldo       State = "no_saldo"       // Confirm or Pay refused: the saldo is short
	StateDepositAmount State = "deposit_amount" // /deposit: amount buttons, or an amount typed
	StateDepositMethod State = "deposit_method" // /deposit with a gateway: Transfer or QRIS
)

// Session is one chat's place in the conversation, persisted between
// updates and restarts. It expires after ServiceConfig.SessionTTL idle.
type Session struct {
	State State `json:"state"`
	// MenuID is the id of the menu on screen: buttons of any other menu
	// are stale.
	MenuID   string     `json:"menu_id,omitempty"`
	Category CategoryID `json:"category,omitempty"`
	Brand    string     `json:"brand,omitempty"`
	Page     int        `json:"page,omitempty"`
	Product  string     `json:"product,omitempty"`
	Number   string     `json:"number,omitempty"`
	Name     string     `json:"name,omitempty"`
	// QuickPhone and QuickMeter are a number typed at the home menu, as a
	// mobile number and as a PLN meter, when it could be one (StateQuick
	// offers the products that fit it).
	QuickPhone string `json:"quick_phone,omitempty"`
	QuickMeter string `json:"quick_meter,omitempty"`
	// GameParts are the parts of a game id typed so far, one at a time
	// (StateGameField). NameMissing marks a game id the provider's check
	// knows no account of: the confirm screen warns.
	GameParts   []string `json:"game_parts,omitempty"`
	NameMissing bool     `json:"name_missing,omitempty"`
	// Quote is the price on the confirm screen; Token its Confirm button's
	// one-time token.
	Quote int64  `json:"quote,omitempty"`
	Token string `json:"token,omitempty"`
	// Bill is the inquired bill on the bill card; Months the months asked
	// for (BPJS).
	Bill   *Bill `json:"bill,omitempty"`
	Months int   `json:"months,omitempty"`
	// Saldo is the balance the store refused the order with (StateNoSaldo).
	Saldo int64 `json:"saldo,omitempty"`
	// DepositFrom is the screen the deposit's amount screen was opened
	// from (StateNoSaldo), where its Back returns; "" for /deposit.
	DepositFrom State `json:"deposit_from,omitempty"`
	// DepositMethod is the method chosen on the method screen (transfer
	// without a gateway).
	DepositMethod DepositMethod `json:"deposit_method,omitempty"`
	Lang          Lang          `json:"lang,omitempty"`
	// LastUpdate is the last Telegram update applied to this chat: a
	// re-delivered update is not applied twice.
	LastUpdate int       `json:"last_update,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Event is what an input means to the conversation table.
type Event string

// Events. Button events are also the buttons' actions, so they are short:
// callback_data is 64 bytes.
const (
	EvCategory Event = "c"
	EvBrand    Event = "b"
	EvProduct  Event = "p"
	EvPage     Event = "pg"
	EvBack     Event = "bk"
	EvConfirm  Event = "ok"
	EvCancel   Event = "x"
	EvRetry    Event = "rq" // inquire a bill again
	EvDeposit  Event = "dp" // open /deposit from a screen (the saldo is short)
	// EvAgain ("🔁 Beli lagi", "Coba lagi", the home menu's last orders)
	// and EvMenu ("🏠 Menu") are buttons that outlive their message: they
	// carry an order's ref, not a menu id, and open a fresh screen.
	EvAgain Event = "ag"
	EvMenu  Event = "hm"
	EvText  Event = "text"
)

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomID returns n random characters of [a-z0-9].
func randomID(r io.Reader, n int) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b), nil
}
