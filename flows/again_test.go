package flows_test

import (
	"strings"
	"testing"

	"topupbot/flows"
)

// TestAgainIsOnlyTheBuyers: a Beli lagi button carries a ref, so a forged
// or forwarded one must not open another chat's order, and no tap of it
// places an order by itself.
func TestAgainIsOnlyTheBuyers(t *testing.T) {
	c := newConvo(t, convoOptions{open: true})
	for _, line := range []string{"/start", "081212345678", "tap Telkomsel 10.000", "tap ✅ Konfirmasi", "settle"} {
		c.play(line)
	}
	orders, err := c.db.ChatOrders(bg, c.chat, 10)
	if err != nil || len(orders) != 1 {
		t.Fatalf("orders %v, %v", orders, err)
	}
	ref := orders[0].RefID
	tap := func(arg string) string {
		replies := c.send(flows.Input{Kind: flows.InputButton, MessageID: 1,
			Button: flows.ButtonData{Action: "ag", Arg: arg}})
		if len(replies) != 1 {
			t.Fatalf("replies %+v", replies)
		}
		return replies[0].Text
	}

	if got := tap(ref); !strings.Contains(got, "Konfirmasi pesanan") || !strings.Contains(got, "081212345678") {
		t.Errorf("the buyer's Beli lagi: %q", got)
	}
	if got := tap("2611230900009ZZZZZZ"); !strings.Contains(got, "tidak ditemukan") {
		t.Errorf("an unknown ref: %q", got)
	}
	c.chat, c.user = 2002, 2002
	if got := tap(ref); !strings.Contains(got, "tidak ditemukan") || strings.Contains(got, "081212345678") {
		t.Errorf("another chat's ref: %q", got)
	}
	if n, _ := c.db.PendingCount(); n != 0 {
		t.Errorf("%d orders pending after taps alone", n)
	}
	if orders, _ := c.db.ChatOrders(bg, 1001, 10); len(orders) != 1 {
		t.Errorf("%d orders after taps alone, want 1", len(orders))
	}
}
