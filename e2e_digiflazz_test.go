package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/config"
	"topupbot/provider/sandbox/digiflazzsim"
	"topupbot/storage"
)

const (
	e2eDigiflazzUser   = "demouser"
	e2eDigiflazzKey    = "e2e-digiflazz-api-key"
	e2eDigiflazzSecret = "e2e-digiflazz-webhook-secret"
)

// digiflazzE2E is the end-to-end rig with Digiflazz as the provider: its
// simulator over HTTP, its signed webhooks to the bot's callback listener.
type digiflazzE2E struct {
	*e2e
	dsim *digiflazzsim.Server
}

func newDigiflazzE2E(t *testing.T, secret string, markup, margin int64) *digiflazzE2E {
	t.Helper()
	e := newE2E(t, 0) // its IAK simulator stays idle
	e.cfg.Callback.Listen = freeAddr(t)
	sim := digiflazzsim.New(digiflazzsim.Options{Username: e2eDigiflazzUser, APIKey: e2eDigiflazzKey,
		Settle: 300 * time.Millisecond, WebhookURL: "http://" + e.cfg.Callback.Listen + "/callback/digiflazz",
		WebhookSecret: e2eDigiflazzSecret})
	t.Cleanup(sim.Close)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	e.cfg.Provider.Name = config.ProviderDigiflazz
	e.cfg.Provider.Digiflazz = config.Digiflazz{BaseURL: srv.URL + "/v1", Username: e2eDigiflazzUser,
		APIKey: config.NewSecret(e2eDigiflazzKey), WebhookSecret: config.NewSecret(secret), Testing: true}
	e.cfg.Pricing.Markup, e.cfg.Pricing.MinMargin = markup, margin
	t.Cleanup(func() {
		for _, s := range []string{e2eDigiflazzKey, e2eDigiflazzSecret} {
			if strings.Contains(e.out.String(), s) {
				t.Errorf("a Digiflazz secret reached run's output: %q", s[:6]+"…")
			}
		}
	})
	return &digiflazzE2E{e2e: e, dsim: sim}
}

// buyXL walks the menus to XL 10.000 for number and confirms.
func (e *digiflazzE2E) buyXL(number string) {
	e.t.Helper()
	e.say("/start")
	e.waitFor(e2eBuyer, "Mau beli apa")
	e.tap("Pulsa")
	e.waitFor(e2eBuyer, "Pilih operator")
	e.tap("XL")
	e.waitFor(e2eBuyer, "Pilih produk")
	e.tap("XL 10.000")
	e.waitFor(e2eBuyer, "Ketik nomor HP")
	e.say(number)
	e.waitFor(e2eBuyer, "Konfirmasi pesanan")
	e.tap("✅ Konfirmasi")
}

func (e *digiflazzE2E) storedOrders() []flows.Order {
	e.t.Helper()
	db, err := storage.Open(filepath.Join(e.dir, "bot.db"), storage.Options{ReadOnly: true})
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	orders, err := db.ChatOrders(context.Background(), e2eBuyer, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return orders
}

// TestEndToEndDigiflazz: with Digiflazz configured, a top-up that Digiflazz
// answers Pending settles from its signed webhook — the SN reaches the
// buyer and nothing is sent again (a re-check would wait a minute) — and a
// forged webhook is refused. The order carries max_price = price − the
// minimum margin.
func TestEndToEndDigiflazz(t *testing.T) {
	t.Parallel()
	e := newDigiflazzE2E(t, e2eDigiflazzSecret, 1000, 300)
	e.start()
	e.buyXL("0878-0000-1233")
	e.waitFor(e2eBuyer, "sedang diproses")
	sn := e.waitFor(e2eBuyer, "Transaksi berhasil")
	if !strings.Contains(sn.Text, "SN: <code>") {
		t.Errorf("SN message %q", sn.Text)
	}
	// A webhook signed with another secret changes nothing.
	body := `{"data":{"ref_id":"X","customer_no":"087800001233","buyer_sku_code":"xld10","status":"Gagal","rc":"02"}}`
	req, _ := http.NewRequest(http.MethodPost, "http://"+e.cfg.Callback.Listen+"/callback/digiflazz", strings.NewReader(body))
	req.Header.Set("X-Digiflazz-Event", "update")
	req.Header.Set("X-Hub-Signature", digiflazzsim.Signature("forged", []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("forged webhook: %d, want 403", resp.StatusCode)
	}
	e.stop()

	orders := e.storedOrders()
	if len(orders) != 1 {
		t.Fatalf("%d orders", len(orders))
	}
	o := orders[0]
	tx, ok := e.dsim.Transaction(o.RefID)
	if !ok || tx.Status != digiflazzsim.StatusSuccess || o.Status != flows.StatusSuccess || o.SN != tx.SN {
		t.Fatalf("order %s %s SN %q; simulator %+v", o.RefID, o.Status, o.SN, tx)
	}
	if n := e.dsim.Requests(o.RefID); n != 1 {
		t.Errorf("%d requests for the order: the webhook should have settled it without a re-send", n)
	}
	if o.Price != 11125 || o.MaxPrice != 10825 || tx.MaxPrice != 10825 || o.Account.Provider != "digiflazz" {
		t.Errorf("price %d, max price %d (sent %d), account %s", o.Price, o.MaxPrice, tx.MaxPrice, o.Account)
	}
}

// TestEndToEndDigiflazzFailures: a failure at once fails the order and
// says so; a supplier price above max_price (the minimum margin unmet) is
// refused by Digiflazz with nothing bought, and the buyer is told the
// product is unavailable.
func TestEndToEndDigiflazzFailures(t *testing.T) {
	t.Parallel()
	e := newDigiflazzE2E(t, e2eDigiflazzSecret, 200, 500) // margin above the markup: every order is refused
	e.start()
	e.buyXL("0878-0000-1230")
	e.waitFor(e2eBuyer, "gagal")
	e.stop()
	orders := e.storedOrders()
	if len(orders) != 1 || orders[0].Status != flows.StatusFailed || orders[0].RC != "69" {
		t.Fatalf("orders %+v", orders)
	}
	if _, ok := e.dsim.Transaction(orders[0].RefID); ok {
		t.Errorf("the simulator holds a transaction for an order refused by max_price")
	}
	if got := e.dsim.Deposit(); got != 5_000_000 {
		t.Errorf("deposit %d after a refusal, want untouched", got)
	}
}

// TestEndToEndDigiflazzUnsigned: without a webhook secret a webhook is a
// hint: the order is checked once Digiflazz's minute since the send has
// passed, and the check's answer settles it.
func TestEndToEndDigiflazzUnsigned(t *testing.T) {
	if testing.Short() {
		t.Skip("waits Digiflazz's minute between sends")
	}
	t.Parallel()
	e := newDigiflazzE2E(t, "", 1000, 0)
	e.start()
	e.buyXL("0878-0000-1233")
	e.waitFor(e2eBuyer, "sedang diproses")
	if !e.fake.WaitFor(func() bool {
		for _, m := range e.fake.Messages(e2eBuyer) {
			if strings.Contains(m.Text, "Transaksi berhasil") {
				return true
			}
		}
		return false
	}, 2*time.Minute) {
		t.Fatalf("no SN within 2 minutes; messages:\n%s", dump(e.fake.Messages(e2eBuyer)))
	}
	e.stop()
	orders := e.storedOrders()
	if len(orders) != 1 {
		t.Fatalf("%d orders", len(orders))
	}
	o := orders[0]
	if n := e.dsim.Requests(o.RefID); n != 2 || o.SN == "" {
		t.Errorf("%d requests (want the send and one re-send after the gap), SN %q", n, o.SN)
	}
	if gap := o.SettledAt.Sub(o.SentAt); gap < time.Minute {
		t.Errorf("settled %s after the send: the re-check came within Digiflazz's minute", gap)
	}
}

// TestEndToEndDigiflazzSandbox: provider.name = "sandbox" with api =
// "digiflazz" runs the simulator in-process, its signed webhooks to the
// callback listener; a pending top-up settles from them.
func TestEndToEndDigiflazzSandbox(t *testing.T) {
	t.Parallel()
	e := &digiflazzE2E{e2e: newE2E(t, 0)}
	e.cfg.Callback.Listen = freeAddr(t)
	e.cfg.Provider.Name = config.ProviderSandbox
	e.cfg.Provider.Sandbox.API = config.ProviderDigiflazz
	e.start()
	e.buyXL("0878-0000-1233")
	e.waitFor(e2eBuyer, "Transaksi berhasil")
	e.stop()
	orders := e.storedOrders()
	if len(orders) != 1 || orders[0].Status != flows.StatusSuccess || orders[0].Account.Provider != "digiflazz" || orders[0].Checks != 1 {
		t.Fatalf("orders %+v", orders)
	}
}
