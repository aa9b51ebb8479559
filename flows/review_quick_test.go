package flows_test

import (
	"strings"
	"testing"

	"topupbot/flows"
)

// TestReviewQuickOddText: odd text typed at the home menu — empty, blank,
// a bare or half qualified code, huge, unicode — gets an answer, never a
// panic, and never an order.
func TestReviewQuickOddText(t *testing.T) {
	c := newConvo(t, convoOptions{})
	c.play("/start")
	for _, typed := range []string{"", "   ", ":", "provider:", ":htelkomsel10000", "iak:", "::", "a:b:c 0812",
		strings.Repeat("9", 5000), strings.Repeat("pulsa ", 2000), "０８１２１２３４５６７８", "📱 081212345678",
		"pulsa\u00a0081212345678", "\u200b081212345678", "htelkomsel10000 \u202e081212345678", "HTELKOMSEL10000",
		"htelkomsel10000 " + strings.Repeat("0", 4000), "ml", "dana", "tagihan 530000000000"} {
		c.play(typed)
		c.play("/start")
	}
	if n, _ := c.db.PendingCount(); n != 0 {
		t.Errorf("%d orders from typing alone", n)
	}
	// A receipt's buttons with odd args.
	for _, arg := range []string{"", ":", strings.Repeat("Z", 60), "../x"} {
		replies := c.send(flows.Input{Kind: flows.InputButton, MessageID: 1, Button: flows.ButtonData{Action: "ag", Arg: arg}})
		if len(replies) != 1 || !strings.Contains(replies[0].Text, "tidak ditemukan") {
			t.Errorf("ag %q: %+v", arg, replies)
		}
	}
}

// TestReviewQuickHiddenRouteByLegCode: an admin hides the route T10; its
// providers' own products, off the menus since the route sells them, must
// not sell it anyway when a buyer types one's qualified code — nor through
// "Beli lagi" of an order placed under that code (before the route).
func TestReviewQuickHiddenRouteByLegCode(t *testing.T) {
	m := newMultiShop(t, 500, 200)
	c := m.c
	if _, err := c.cache.SetOverride(bg, "T10", func(o *flows.ProductOverride) { o.Hidden = true }); err != nil {
		t.Fatal(err)
	}
	c.play("/start")
	c.play("T10 081212345678")
	if got := c.outputs[len(c.outputs)-1][0].Text; strings.Contains(got, "Konfirmasi pesanan") {
		t.Fatalf("the hidden route's own code reached the confirm screen: %q", got)
	}
	for _, code := range []string{"iak:htelkomsel10000", "digiflazz:tsel10", "IAK:HTELKOMSEL10000", "tsel10"} {
		c.play("/start")
		c.play(code + " 081212345678")
		if got := c.outputs[len(c.outputs)-1][0].Text; strings.Contains(got, "Konfirmasi pesanan") {
			t.Errorf("%s, a leg of the hidden route T10, reached the confirm screen:\n%s", code, got)
			c.play("tap ✅ Konfirmasi")
		}
	}
	if os := m.orders(); len(os) != 0 {
		t.Errorf("the hidden route was sold through its legs' codes: %+v", os)
	}
}

// TestReviewQuickLegCodeGoesThroughRoute: a leg's qualified code typed —
// or an old order's, as Beli lagi reads it — buys the route (its price,
// its order of providers), not the leg past it.
func TestReviewQuickLegCodeGoesThroughRoute(t *testing.T) {
	m := newMultiShop(t, 500, 200)
	c := m.c
	c.play("/start")
	c.play("iak:htelkomsel10000 081212345678")
	got := c.outputs[len(c.outputs)-1][0].Text
	if !strings.Contains(got, "Pulsa Telkomsel 10rb") {
		t.Errorf("IAK's leg code did not open the route T10:\n%s", got)
	}
	c.play("tap ✅ Konfirmasi")
	if os := m.orders(); len(os) != 1 || os[0].ShopProduct() != "T10" {
		t.Errorf("orders %+v, want one of T10", os)
	}
}

// TestReviewQuickKeywordWithNumber: a word whose category is not one a
// number is offered in ("dana 0812…", "tagihan 5300…") must not answer
// that there are no products for the number: it opens the word's products.
func TestReviewQuickKeywordWithNumber(t *testing.T) {
	c := newConvo(t, convoOptions{})
	for _, typed := range []string{"dana 081212345678", "tagihan 530000000000"} {
		c.play("/start")
		c.play(typed)
		if got := c.outputs[len(c.outputs)-1][0].Text; strings.Contains(got, "tidak ada produk") {
			t.Errorf("%q: %q", typed, got)
		}
	}
}
