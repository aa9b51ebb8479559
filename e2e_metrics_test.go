package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEndToEndMetrics: after a purchase through the binary, the ops
// listener's /metrics counts it — created, settled, the provider calls
// timed, Telegram's updates and sends — and shows what is pending and
// queued.
func TestEndToEndMetrics(t *testing.T) {
	t.Parallel()
	e := newE2E(t, 200*time.Millisecond)
	e.cfg.Ops.Listen = freeAddr(t)
	e.start()
	e.say("/start")
	e.waitFor(e2eBuyer, "Mau beli apa")
	e.tap("Pulsa")
	e.waitFor(e2eBuyer, "Pilih operator")
	e.tap("Telkomsel")
	e.waitFor(e2eBuyer, "Pilih produk")
	e.tap("Telkomsel 10.000")
	e.waitFor(e2eBuyer, "Ketik nomor HP")
	e.say("081212345678")
	e.waitFor(e2eBuyer, "Konfirmasi pesanan")
	e.tap("✅ Konfirmasi")
	e.waitFor(e2eBuyer, "Transaksi berhasil")

	var body string
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Get("http://" + e.cfg.Ops.Listen + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		body = string(b)
		if strings.Contains(body, `topupbot_orders_settled_total{provider="iak",status="success"} 1`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // polling an HTTP endpoint: the settlement commits on its own schedule
	}
	for _, want := range []string{
		`topupbot_orders_created_total{provider="iak"} 1`,
		`topupbot_orders_settled_total{provider="iak",status="success"} 1`,
		`topupbot_provider_request_duration_seconds_count{operation="top-up",outcome="2xx",provider="iak"} 1`,
		`topupbot_orders_pending 0`,
		`topupbot_outbox_depth `,
		`topupbot_catalog_age_seconds{source="prepaid"} `,
		`topupbot_telegram_updates_total `,
		`topupbot_telegram_sends_total{outcome="ok"} `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "topupbot_wallet_") {
		t.Error("wallet metrics with the wallet off")
	}
	e.stop()
}
