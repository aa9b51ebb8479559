package flows_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"topupbot/flows"
)

// levelPricing is the default level (markup 500, pulsa 200) and a reseller
// level (markup 300, pln 1000) that names no pulsa markup: the default's
// 200 is not inherited, pulsa sells at the reseller's 300.
func levelPricing() *flows.Pricing {
	return &flows.Pricing{Markup: 500, Category: map[flows.CategoryID]int64{flows.CategoryPulsa: 200},
		Level: map[string]*flows.Pricing{
			"reseller": {Markup: 300, Category: map[flows.CategoryID]int64{flows.CategoryPLN: 1000}},
		}}
}

// setLevel stores the buyer's level as /level does ("" is the default).
func setLevel(t *testing.T, c *convo, level string) {
	t.Helper()
	key := flows.LevelKey(c.user)
	if err := c.db.UpdateSettings(bg, []string{key}, func(v map[string]string) error { v[key] = level; return nil }); err != nil {
		t.Fatal(err)
	}
}

// TestLevelPrices: the product list and the confirm screen price at the
// buyer's level, and the order records that price; "" is the default again.
func TestLevelPrices(t *testing.T) {
	for _, tc := range []struct {
		level string
		want  string // Telkomsel 10.000, provider price 10.850
		price int64
	}{
		{"", "Rp 11.050", 11050},         // pulsa 200
		{"reseller", "Rp 11.150", 11150}, // the reseller's markup, not the default's pulsa 200
		{"default", "Rp 11.050", 11050},
	} {
		t.Run(tc.level, func(t *testing.T) {
			c := newConvo(t, convoOptions{catalog: newShelf(), pricing: levelPricing()})
			setLevel(t, c, tc.level)
			toConfirm(c)
			if !strings.Contains(c.log.String(), "[Telkomsel 10.000 · "+tc.want+"]") {
				t.Errorf("product list without %s:\n%s", tc.want, c.log.String())
			}
			if !strings.Contains(lastText(c), tc.want) {
				t.Errorf("confirm screen without %s: %s", tc.want, lastText(c))
			}
			c.play("tap ✅ Konfirmasi")
			orders, _ := c.db.PendingOrders(bg)
			if len(orders) != 1 || orders[0].Price != tc.price {
				t.Fatalf("orders %+v, want one at %d", orders, tc.price)
			}
		})
	}
}

// TestLevelRiseBeforeConfirm: a level changed between the confirm screen
// and Confirm changes the price; a rise asks the buyer again.
func TestLevelRiseBeforeConfirm(t *testing.T) {
	c := newConvo(t, convoOptions{catalog: newShelf(), pricing: levelPricing()})
	toConfirm(c)
	setLevel(t, c, "reseller")
	c.play("tap ✅ Konfirmasi")
	got := lastText(c)
	if !strings.Contains(got, "Rp 11.050") || !strings.Contains(got, "<b>Rp 11.150</b>") || !strings.Contains(got, "Lanjutkan") {
		t.Fatalf("after the level's rise: %s", got)
	}
	if n, _ := c.db.PendingCount(); n != 0 {
		t.Fatal("an order was placed at the old level's price")
	}
	c.play("tap #6 ✅ Konfirmasi")
	orders, _ := c.db.PendingOrders(bg)
	if len(orders) != 1 || orders[0].Price != 11150 {
		t.Fatalf("orders %+v", orders)
	}
}

// TestLevelStale: a stored level no longer configured prices as the
// default, and is logged once however many turns it prices.
func TestLevelStale(t *testing.T) {
	var logs bytes.Buffer
	c := newConvo(t, convoOptions{catalog: newShelf(), pricing: levelPricing(), logger: slog.New(slog.NewTextHandler(&logs, nil))})
	setLevel(t, c, "grosir")
	toConfirm(c)
	if !strings.Contains(lastText(c), "Rp 11.050") {
		t.Fatalf("confirm screen not at the default: %s", lastText(c))
	}
	c.clk.Advance(time.Second)
	c.play("/start")
	if n := strings.Count(logs.String(), "stored price level is not configured"); n != 1 {
		t.Errorf("%d log lines for the stale level, want 1:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "level=grosir") {
		t.Errorf("the log line does not name the level:\n%s", logs.String())
	}
}
