package flows_test

import (
	"strings"
	"testing"
	"time"

	"topupbot/bot"
	"topupbot/flows"
)

// multiShop is the conversation with two providers, Digiflazz (tsel10,
// pln20) and IAK (htelkomsel10000, PLN postpaid), and the route T10 (Digiflazz's
// tsel10, else IAK's htelkomsel10000), driven through flows.Service.
type multiShop struct {
	c       *convo
	df      *digiflazzList
	iak     *lists
	pdf     *legProvider
	piak    *legProvider
	markup  int64
	margin  int64
	routes  []flows.Route
	catalog *flows.MultiCatalog
}

func newMultiShop(t *testing.T, markup, margin int64) *multiShop {
	t.Helper()
	m := &multiShop{c: newConvo(t, convoOptions{markup: markup}), df: newDigiflazzList(), iak: newLists(),
		pdf: &legProvider{name: "digiflazz"}, piak: &legProvider{name: "iak"}, markup: markup, margin: margin,
		routes: []flows.Route{t10}}
	m.catalog = multiCatalog(m.df, m.iak)
	m.wire(m.catalog, []flows.Provider{m.pdf, m.piak})
	return m
}

// wire builds the cache, engine and service over the convo's database, as
// app.go does at start.
func (m *multiShop) wire(catalog flows.Catalog, providers []flows.Provider) {
	c := m.c
	c.t.Helper()
	cache := flows.NewProductCacheWith(catalog, c.db, flows.CacheConfig{Now: c.clk.Now, Routes: m.routes})
	if err := cache.Load(bg); err != nil {
		c.t.Fatal(err)
	}
	engine := flows.NewEngine(c.db, nil, flows.EngineConfig{OpsChatID: opsChat, Now: c.clk.Now, MinMargin: m.margin,
		ProviderTimeout: 2 * time.Second, Providers: providers, CurrentLeg: cache.CurrentLeg})
	c.cache, c.engine = cache, engine
	c.service = flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: c.db, Products: cache, Engine: engine,
		Admins: []int64{9}, Allowed: []int64{c.user}, Pricing: flows.Pricing{Markup: m.markup}, Now: c.clk.Now})
}

// toConfirm walks the menus to the confirm screen of the product labelled
// label in category cat, brand brand.
func (m *multiShop) toConfirm(cat, brand, label, number string) {
	c := m.c
	c.t.Helper()
	c.play("/start")
	c.play("tap " + cat)
	if brand != "" {
		c.play("tap " + brand)
	}
	c.play("tap " + label)
	c.play(number)
}

func (m *multiShop) orders() []flows.Order {
	m.c.t.Helper()
	list, err := m.c.db.PendingOrders(bg)
	if err != nil {
		m.c.t.Fatal(err)
	}
	return list
}

// TestReviewMultiRoutedPurchase: a routed product bought end to end
// through the conversation: its price is the first available leg's cost
// plus the markup, and it is placed at that leg under the provider's own
// code with max_price = price − min_margin.
func TestReviewMultiRoutedPurchase(t *testing.T) {
	m := newMultiShop(t, 500, 200)
	m.toConfirm("Pulsa", "", "Pulsa Telkomsel 10rb", "081212345678")
	if !strings.Contains(m.c.log.String(), "Rp 10.700") {
		t.Fatalf("confirm screen lacks Rp 10.700 (tsel10 10.200 + 500):\n%s", m.c.log.String())
	}
	m.c.play("tap ✅ Konfirmasi")
	places, _ := m.pdf.calls()
	if ip, _ := m.piak.calls(); len(ip) != 0 {
		t.Errorf("IAK got %d places", len(ip))
	}
	if len(places) != 1 || places[0].ProductCode != "tsel10" || places[0].MaxPrice != 10500 || places[0].CustomerNumber != "081212345678" {
		t.Fatalf("digiflazz places %+v\n%s", places, m.c.log.String())
	}
	os := m.orders()
	if len(os) != 1 || os[0].Price != 10700 || os[0].Account.Provider != "digiflazz" || os[0].ProductCode != "tsel10" || len(os[0].Legs) != 2 {
		t.Errorf("orders %+v", os)
	}
}

// TestReviewMultiQualifiedPurchase: a provider's own product (no route)
// bought through the conversation goes to that provider under its own,
// unqualified code.
func TestReviewMultiQualifiedPurchase(t *testing.T) {
	m := newMultiShop(t, 500, 200)
	m.toConfirm("Token PLN", "", "PLN 20000", "12345678901")
	m.c.play("tap ✅ Konfirmasi")
	places, _ := m.pdf.calls()
	if len(places) != 1 || places[0].ProductCode != "pln20" || places[0].MaxPrice != 20600 {
		t.Fatalf("digiflazz places %+v\n%s", places, m.c.log.String())
	}
	if ip, _ := m.piak.calls(); len(ip) != 0 {
		t.Errorf("IAK got %d places", len(ip))
	}
}

// TestReviewMultiConfirmFirstLegGone: the first leg became unavailable
// between the quote and Confirm: the re-check prices the route from the
// next leg, asks again at the higher price, and the order goes to IAK
// alone.
func TestReviewMultiConfirmFirstLegGone(t *testing.T) {
	m := newMultiShop(t, 500, 200)
	m.toConfirm("Pulsa", "", "Pulsa Telkomsel 10rb", "081212345678")
	m.df.set(func(d *digiflazzList) { d.products[0].Available = false })
	m.c.clk.Advance(2 * time.Minute) // older than PriceMaxAge: Current reads the lists again
	m.c.play("tap ✅ Konfirmasi")
	if len(m.orders()) != 0 || !strings.Contains(m.c.log.String(), "menjadi <b>Rp 11.350</b>") {
		t.Fatalf("a dearer route was not quoted again:\n%s", m.c.log.String())
	}
	m.c.play("tap ✅ Konfirmasi")
	if dp, _ := m.pdf.calls(); len(dp) != 0 {
		t.Errorf("digiflazz (unavailable) got %+v", dp)
	}
	places, _ := m.piak.calls()
	if len(places) != 1 || places[0].ProductCode != "htelkomsel10000" || places[0].MaxPrice != 11150 {
		t.Fatalf("iak places %+v\n%s", places, m.c.log.String())
	}
	if os := m.orders(); len(os) != 1 || os[0].Price != 11350 {
		t.Errorf("orders %+v", os)
	}
}

// TestReviewMultiConfirmFirstLegDearer: the first leg's cost rose: the
// route is priced from it (order of preference, not the cheapest), asked
// again, and placed there.
func TestReviewMultiConfirmFirstLegDearer(t *testing.T) {
	m := newMultiShop(t, 500, 200)
	m.toConfirm("Pulsa", "", "Pulsa Telkomsel 10rb", "081212345678")
	m.df.set(func(d *digiflazzList) { d.products[0].Price = 10900 })
	m.c.clk.Advance(2 * time.Minute)
	m.c.play("tap ✅ Konfirmasi")
	if len(m.orders()) != 0 || !strings.Contains(m.c.log.String(), "menjadi <b>Rp 11.400</b>") {
		t.Fatalf("a dearer route was not quoted again:\n%s", m.c.log.String())
	}
	m.c.play("tap ✅ Konfirmasi")
	places, _ := m.pdf.calls()
	if len(places) != 1 || places[0].MaxPrice != 11200 {
		t.Fatalf("digiflazz places %+v", places)
	}
}

// TestReviewMultiNoLegWithinMargin: a markup under min_margin leaves no
// leg whose cost is within price − min_margin: nothing is written or sent,
// and the buyer is told the product cannot be sold now — not an internal
// error.
func TestReviewMultiNoLegWithinMargin(t *testing.T) {
	m := newMultiShop(t, 100, 200)
	m.toConfirm("Pulsa", "", "Pulsa Telkomsel 10rb", "081212345678")
	m.c.clk.Advance(time.Second)
	out, err := m.c.service.Handle(bg, confirmTap(t, m.c))
	dp, _ := m.pdf.calls()
	ip, _ := m.piak.calls()
	if len(dp)+len(ip) != 0 || len(m.orders()) != 0 {
		t.Fatalf("a leg dearer than price − min_margin was placed: %+v %+v", dp, ip)
	}
	if err != nil {
		t.Errorf("Confirm with no leg within the margin is an internal error: %v (replies %+v)", err, out.Replies)
	}
	if got := replyText(out.Replies); !strings.Contains(got, "tidak tersedia") {
		t.Errorf("buyer told %q, want the product unavailable now", got)
	}
}

func replyText(rs []flows.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}

// confirmTap is the Confirm button of the latest output, as an input.
func confirmTap(t *testing.T, c *convo) flows.Input {
	t.Helper()
	for i := len(c.outputs); i > 0; i-- {
		for _, r := range c.outputs[i-1] {
			for _, row := range r.Buttons {
				for _, b := range row {
					if strings.HasPrefix(b.Label, "✅") {
						c.update++
						return flows.Input{Kind: flows.InputButton, Button: b.Data, MessageID: c.menuMsg[i], UpdateID: c.update,
							ChatID: c.chat, UserID: c.user, Private: true, FirstName: "Budi"}
					}
				}
			}
		}
	}
	t.Fatal("no Confirm button")
	return flows.Input{}
}

// TestReviewMultiStaleButtonProviderRemoved: the confirm screen of
// digiflazz:pln20, then a restart with Digiflazz gone from names: the old
// Confirm places nothing anywhere.
func TestReviewMultiStaleButtonProviderRemoved(t *testing.T) {
	m := newMultiShop(t, 500, 200)
	m.toConfirm("Token PLN", "", "PLN 20000", "12345678901")
	// Restart: names = ["iak", "other"], Digiflazz removed; an "other"
	// provider sells nothing we know of.
	other := &legProvider{name: "other"}
	m.routes = nil
	m.wire(flows.NewMultiCatalog(flows.NamedCatalog{Provider: "iak", Catalog: m.iak}), []flows.Provider{m.piak, other})
	m.c.play("tap ✅ Konfirmasi")
	dp, _ := m.pdf.calls()
	ip, _ := m.piak.calls()
	op, _ := other.calls()
	if len(dp)+len(ip)+len(op) != 0 || len(m.orders()) != 0 {
		t.Fatalf("a stale button of a removed provider's product placed an order: %+v %+v %+v", dp, ip, op)
	}
	if !strings.Contains(m.c.log.String(), "tidak tersedia") {
		t.Errorf("buyer not told it is unavailable:\n%s", m.c.log.String())
	}
}

// TestReviewMultiProviderRemovedPendingOrder: a pending order of a
// provider no longer configured stays pending, alerts "account missing"
// once, and is never re-sent to another provider, even one its route
// names (rule 4).
func TestReviewMultiProviderRemovedPendingOrder(t *testing.T) {
	m := newMultiShop(t, 500, 200)
	m.toConfirm("Pulsa", "", "Pulsa Telkomsel 10rb", "081212345678")
	m.c.play("tap ✅ Konfirmasi")
	os := m.orders()
	if len(os) != 1 || os[0].Account.Provider != "digiflazz" {
		t.Fatalf("orders %+v", os)
	}
	ref := os[0].RefID
	// Restart without Digiflazz: IAK and a third provider sell.
	other := &legProvider{name: "other"}
	m.wire(flows.NewMultiCatalog(flows.NamedCatalog{Provider: "iak", Catalog: m.iak}), []flows.Provider{m.piak, other})
	for range 3 {
		m.c.clk.Advance(2 * time.Hour)
		m.c.engine.Poll(bg)
	}
	if _, err := m.c.engine.Check(bg, ref); err != nil {
		t.Fatal(err)
	}
	ip, ic := m.piak.calls()
	op, oc := other.calls()
	if len(ip)+len(ic)+len(op)+len(oc) != 0 {
		t.Errorf("an order of a removed provider went elsewhere: iak %+v %+v, other %+v %+v", ip, ic, op, oc)
	}
	o, err := m.c.db.Order(bg, ref)
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != flows.StatusPending || !o.HasAlerted(flows.AlertAccountMissing) {
		t.Errorf("order %s status %s alerted %v: want pending with account missing", ref, o.Status, o.Alerted)
	}
	n := 0
	for _, note := range outboxAll(t, m) {
		if note.RefID == ref && note.ToOps {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d alerts to ops for %s, want 1", n, ref)
	}
}

func outboxAll(t *testing.T, m *multiShop) []flows.Notification {
	t.Helper()
	notes, err := m.c.db.DueNotifications(bg, m.c.clk.Now().Add(24*time.Hour), 100000)
	if err != nil {
		t.Fatal(err)
	}
	return notes
}

// TestReviewMultiFailoverUsesCostAtMove: Digiflazz answers pending, then
// fails the order 40 minutes later; meanwhile IAK's price rose past the
// buyer's price − min_margin (the catalog says so). The order must not
// move to IAK at the cost quoted 40 minutes ago: IAK takes no max_price,
// so the only guard of rule 17 is the cost the engine compares — and it
// compares the one copied onto the order at Confirm.
func TestReviewMultiFailoverUsesCostAtMove(t *testing.T) {
	m := newMultiShop(t, 500, 200)
	// Quoted: T10 at 10.700 from tsel10 (10.200); IAK's leg 10.450 then.
	m.iak.mu.Lock()
	m.iak.prepaid[0].Price = 10450
	m.iak.mu.Unlock()
	if err := m.c.cache.Refresh(bg); err != nil {
		t.Fatal(err)
	}
	m.toConfirm("Pulsa", "", "Pulsa Telkomsel 10rb", "081212345678")
	m.c.play("tap ✅ Konfirmasi")
	os := m.orders()
	if len(os) != 1 || os[0].Account.Provider != "digiflazz" {
		t.Fatalf("orders %+v", os)
	}
	ref := os[0].RefID
	// 40 minutes on, IAK's htelkomsel10000 costs 11.000 > 10.700 − 200.
	m.c.clk.Advance(40 * time.Minute)
	m.iak.mu.Lock()
	m.iak.prepaid[0].Price = 11000
	m.iak.mu.Unlock()
	if err := m.c.cache.Refresh(bg); err != nil {
		t.Fatal(err)
	}
	if p, _ := m.c.cache.Lookup("T10"); p.Legs[1].Cost != 11000 {
		t.Fatalf("catalog legs %+v", p.Legs)
	}
	m.pdf.mu.Lock()
	m.pdf.script = []legAnswer{failed()}
	m.pdf.mu.Unlock()
	o, err := m.c.engine.Check(bg, ref)
	if err != nil {
		t.Fatal(err)
	}
	if ip, _ := m.piak.calls(); len(ip) != 0 {
		t.Errorf("order moved to IAK at a cost of 11.000 for a price of %d (min_margin 200): IAK got %+v; order legs %+v",
			o.Price, ip, o.Legs)
	}
}

// TestReviewMultiFailoverNeverBeyondMargin: Digiflazz refuses the first
// send; IAK's leg costs more than price − min_margin: the order fails, the
// dearer leg is never placed.
func TestReviewMultiFailoverNeverBeyondMargin(t *testing.T) {
	m := newMultiShop(t, 500, 200) // price 10.700, cap 10.500; IAK 10.850
	m.pdf.script = []legAnswer{rejected("40")}
	m.toConfirm("Pulsa", "", "Pulsa Telkomsel 10rb", "081212345678")
	m.c.play("tap ✅ Konfirmasi")
	if ip, _ := m.piak.calls(); len(ip) != 0 {
		t.Errorf("IAK placed beyond the margin: %+v", ip)
	}
	list, _, err := m.c.db.OrdersCreated(bg, m.c.clk.Now().Add(-time.Hour), m.c.clk.Now().Add(time.Hour), "", 10)
	if err != nil || len(list) != 1 || list[0].Status != flows.StatusFailed || len(list[0].Attempts) != 0 {
		t.Errorf("orders %+v, %v: want one failed, no move", list, err)
	}
}

// TestReviewMultiRouteUnpricedLeg: a leg listed without a price is no
// available leg: the route is priced from the next one, never at the
// markup alone.
func TestReviewMultiRouteUnpricedLeg(t *testing.T) {
	m := newMultiShop(t, 500, 200)
	m.df.set(func(d *digiflazzList) { d.products[0].Price = 0 })
	if err := m.c.cache.Refresh(bg); err != nil {
		t.Fatal(err)
	}
	p, ok := m.c.cache.Lookup("T10")
	if !ok || p.Price != 10850 || !p.Available || p.Legs[0].Available {
		t.Errorf("T10 = %+v, %v: want priced from IAK's 10.850", p, ok)
	}
	cur, err := m.c.cache.Current(bg, "T10", 0)
	if err != nil || cur.Price != 10850 {
		t.Errorf("Current(T10) = %+v, %v", cur, err)
	}
}

// TestReviewMultiRouteAtPriceLevel: a buyer on a price level pays the
// route's first available leg's cost plus the level's markup for the
// route's category.
func TestReviewMultiRouteAtPriceLevel(t *testing.T) {
	m := newMultiShop(t, 500, 200)
	pricing := flows.Pricing{Markup: 500, MinMargin: 200, Level: map[string]*flows.Pricing{
		"reseller": {Markup: 900, Category: map[flows.CategoryID]int64{flows.CategoryPulsa: 300}}}}
	c := m.c
	c.service = flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: c.db, Products: c.cache, Engine: c.engine,
		Admins: []int64{9}, Allowed: []int64{c.user}, Pricing: pricing, Now: c.clk.Now})
	if err := c.db.SetSetting(bg, flows.LevelKey(c.user), "reseller"); err != nil {
		t.Fatal(err)
	}
	m.df.set(func(d *digiflazzList) { d.products[0].Available = false }) // IAK's 10.850 first available
	if err := c.cache.Refresh(bg); err != nil {
		t.Fatal(err)
	}
	m.toConfirm("Pulsa", "", "Pulsa Telkomsel 10rb", "081212345678")
	m.c.play("tap ✅ Konfirmasi")
	places, _ := m.piak.calls()
	os := m.orders()
	if len(places) != 1 || len(os) != 1 || os[0].Price != 11150 || places[0].MaxPrice != 10950 {
		t.Errorf("iak places %+v, orders %+v: want price 10.850 + 300\n%s", places, os, c.log.String())
	}
}
