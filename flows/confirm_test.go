package flows_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
)

// shelf is a product list whose prices a test can change between the quote
// and the confirmation.
type shelf struct {
	mu       sync.Mutex
	products []flows.Product
	err      error
	calls    int
}

func (s *shelf) Products(context.Context) ([]flows.Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	return append([]flows.Product(nil), s.products...), s.err
}

func (s *shelf) set(code string, price int64, available bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.products {
		if s.products[i].Code == code {
			s.products[i].Price, s.products[i].Available = price, available
		}
	}
}

func newShelf() *shelf {
	return &shelf{products: []flows.Product{
		{Code: "htelkomsel10000", Name: "Telkomsel 10.000", Category: flows.CategoryPulsa, Brand: "Telkomsel",
			Price: 10850, Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone},
		{Code: "hindosat10000", Name: "Indosat 10.000", Category: flows.CategoryPulsa, Brand: "Indosat",
			Price: 10900, Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone},
	}}
}

// toConfirm walks to the confirm screen of Telkomsel 10.000.
func toConfirm(c *convo) {
	for _, line := range []string{"/start", "tap Pulsa", "tap Telkomsel", "tap Telkomsel 10.000", "081212345678"} {
		c.play(line)
	}
}

func lastText(c *convo) string {
	out := c.outputs[len(c.outputs)-1]
	if len(out) == 0 {
		return ""
	}
	return out[len(out)-1].Text
}

// TestConfirmPriceRose: the price is re-checked at Confirm; a rise asks the
// buyer again at the new price, under a new token; nothing is ordered.
func TestConfirmPriceRose(t *testing.T) {
	s := newShelf()
	c := newConvo(t, convoOptions{catalog: s, markup: 500})
	toConfirm(c)
	if !strings.Contains(lastText(c), "Rp 11.350") {
		t.Fatalf("quote: %s", lastText(c))
	}
	s.set("htelkomsel10000", 11000, true)
	c.clk.Advance(2 * time.Minute) // older than PriceMaxAge: the list is fetched again
	c.play("tap ✅ Konfirmasi")
	got := lastText(c)
	if !strings.Contains(got, "Rp 11.350") || !strings.Contains(got, "<b>Rp 11.500</b>") || !strings.Contains(got, "Lanjutkan") {
		t.Fatalf("after the rise: %s", got)
	}
	if n, _ := c.db.PendingCount(); n != 0 {
		t.Fatal("an order was placed at the old price")
	}
	// The old Confirm is stale now; the new one orders at the new price.
	c.play("tap #5 ✅ Konfirmasi")
	if n, _ := c.db.PendingCount(); n != 0 {
		t.Fatal("the old Confirm placed an order")
	}
	c.play("tap #6 ✅ Konfirmasi")
	orders, _ := c.db.PendingOrders(bg)
	if len(orders) != 1 || orders[0].Price != 11500 {
		t.Fatalf("orders %+v", orders)
	}
}

// TestConfirmPriceFell: a lower price is passed on without asking.
func TestConfirmPriceFell(t *testing.T) {
	s := newShelf()
	c := newConvo(t, convoOptions{catalog: s})
	toConfirm(c)
	s.set("htelkomsel10000", 10500, true)
	c.clk.Advance(2 * time.Minute)
	c.play("tap ✅ Konfirmasi")
	orders, _ := c.db.PendingOrders(bg)
	if len(orders) != 1 || orders[0].Price != 10500 {
		t.Fatalf("orders %+v", orders)
	}
}

// TestConfirmUnavailable: a product that went out of stock since the quote
// is not ordered; the buyer is back at the product list.
func TestConfirmUnavailable(t *testing.T) {
	s := newShelf()
	c := newConvo(t, convoOptions{catalog: s})
	toConfirm(c)
	s.set("htelkomsel10000", 10850, false)
	c.clk.Advance(2 * time.Minute)
	c.play("tap ✅ Konfirmasi")
	if n, _ := c.db.PendingCount(); n != 0 {
		t.Fatal("an unavailable product was ordered")
	}
	if got := lastText(c); !strings.Contains(got, "tidak tersedia") || !strings.Contains(got, "Pilih produk") {
		t.Errorf("reply: %s", got)
	}
}

// TestConfirmPriceUnknown: when the price cannot be checked, nothing is
// ordered and the confirm screen stays usable.
func TestConfirmPriceUnknown(t *testing.T) {
	s := newShelf()
	c := newConvo(t, convoOptions{catalog: s})
	toConfirm(c)
	s.mu.Lock()
	s.err = errors.New("provider down")
	s.mu.Unlock()
	c.clk.Advance(2 * time.Minute)
	c.play("tap ✅ Konfirmasi")
	if n, _ := c.db.PendingCount(); n != 0 {
		t.Fatal("ordered without a price check")
	}
	if got := lastText(c); !strings.Contains(got, "harga tidak dapat dicek") {
		t.Errorf("reply: %s", got)
	}
	s.mu.Lock()
	s.err = nil
	s.mu.Unlock()
	c.play("tap ✅ Konfirmasi")
	if n, _ := c.db.PendingCount(); n != 1 {
		t.Fatal("the retried Confirm did not order")
	}
}

func TestAccess(t *testing.T) {
	tests := []struct {
		name    string
		user    int64
		open    bool
		allowed string // runtime additions
		denied  string // runtime removals
		want    bool
	}{
		{"configured user", 1001, false, "", "", true},
		{"admin", 9, false, "", "9", true}, // admins cannot be denied
		{"stranger", 5555, false, "", "", false},
		{"runtime allowed", 5555, false, "77, 5555", "", true},
		{"runtime denied", 1001, false, "", "1001", false},
		{"open", 5555, true, "", "", true},
		{"open but denied", 5555, true, "", "5555", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newConvo(t, convoOptions{open: tt.open})
			c.user = tt.user
			c.db.SetSetting(bg, flows.SettingAllowed, tt.allowed)
			c.db.SetSetting(bg, flows.SettingDenied, tt.denied)
			c.play("/start")
			got := lastText(c)
			refused := strings.Contains(got, "belum terdaftar")
			if refused == tt.want {
				t.Errorf("reply %q, want allowed=%v", got, tt.want)
			}
			if refused && !strings.Contains(got, "5555") && tt.user == 5555 {
				t.Errorf("refusal lacks the user id: %q", got)
			}
		})
	}
}

// TestGroupsAreIgnored: the conversation never talks in a group (the ops
// group is there).
func TestGroupsAreIgnored(t *testing.T) {
	c := newConvo(t, convoOptions{})
	out, err := c.service.Handle(bg, flows.Input{UpdateID: 1, ChatID: -100, UserID: c.user, Kind: flows.InputCommand, Command: "start"})
	if err != nil || len(out.Replies) != 0 {
		t.Errorf("group input answered: %+v %v", out, err)
	}
}

// TestButtonsFitCallbackData: every button the conversation draws fits
// Telegram's 64-byte callback_data with room for the bot's separators.
func TestButtonsFitCallbackData(t *testing.T) {
	c := newConvo(t, convoOptions{})
	for _, line := range []string{"/start", "tap Games", "tap Google Play Indonesia", "tap Voucher Google Play Rp 20.000", "081212345678"} {
		c.play(line)
	}
	for _, out := range c.outputs {
		for _, r := range out {
			for _, row := range r.Buttons {
				for _, b := range row {
					if n := len(b.Data.Menu) + len(b.Data.Action) + len(b.Data.Arg) + 2; n > 64 || len(b.Data.Arg) > flows.MaxButtonArg {
						t.Errorf("button %q needs %d bytes", b.Label, n)
					}
				}
			}
		}
	}
}
