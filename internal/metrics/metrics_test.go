package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"topupbot/flows"
)

// scrape returns the text exposition of m.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: %d", rec.Code)
	}
	return rec.Body.String()
}

func has(t *testing.T, body string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(body, "\n"+l+"\n") {
			t.Errorf("no line %q in:\n%s", l, grepTopupbot(body))
		}
	}
}

func grepTopupbot(body string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "topupbot_") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestHooksCount(t *testing.T) {
	m := New(Sources{})
	iak := flows.Account{Provider: "iak"}
	m.OrderCreated(flows.Order{Account: iak})
	m.OrderCreated(flows.Order{Account: iak})
	m.OrderSettled(flows.Order{Account: iak, Status: flows.StatusSuccess})
	m.OrderSettled(flows.Order{Account: iak, Status: flows.StatusFailed})
	m.OrderSettled(flows.Order{Account: iak, Status: flows.StatusFailed})
	m.TelegramSend("ok")
	m.TelegramSend("flood")
	m.TelegramUpdates(3)
	m.TelegramUpdates(2)
	m.OrderMoved(flows.Order{Account: flows.Account{Provider: "digiflazz"},
		Attempts: []flows.Attempt{{Account: iak, Outcome: "rejected"}}})
	m.OrderMoved(flows.Order{Account: iak}) // no attempt left: not a move
	has(t, scrape(t, m),
		`topupbot_orders_moved_total{from="iak",outcome="rejected",to="digiflazz"} 1`,
		`topupbot_orders_created_total{provider="iak"} 2`,
		`topupbot_orders_settled_total{provider="iak",status="success"} 1`,
		`topupbot_orders_settled_total{provider="iak",status="failed"} 2`,
		`topupbot_telegram_sends_total{outcome="flood"} 1`,
		`topupbot_telegram_sends_total{outcome="ok"} 1`,
		`topupbot_telegram_updates_total 5`)
}

func TestTransportTimesCalls(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/check-status":
			w.WriteHeader(http.StatusBadGateway)
		case "/api/slow":
			<-release
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	defer close(release)
	m := New(Sources{})
	c := &http.Client{Transport: m.Transport("iak", nil)}
	for _, path := range []string{"/api/top-up", "/api/top-up", "/api/check-status", "/V1/api/trx/12345"} {
		res, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/slow", nil)
	if _, err := c.Do(req); err == nil {
		t.Fatal("slow call did not time out")
	}
	has(t, scrape(t, m),
		`topupbot_provider_request_duration_seconds_count{operation="top-up",outcome="2xx",provider="iak"} 2`,
		`topupbot_provider_request_duration_seconds_count{operation="check-status",outcome="5xx",provider="iak"} 1`,
		`topupbot_provider_request_duration_seconds_count{operation="other",outcome="2xx",provider="iak"} 1`,
		`topupbot_provider_request_duration_seconds_count{operation="slow",outcome="timeout",provider="iak"} 1`)
}

func TestStateGauges(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	m := New(Sources{
		Now:          func() time.Time { return now },
		Pending:      func() (int, error) { return 4, nil },
		OutboxLen:    func() (int, error) { return 7, nil },
		OutboxOldest: func() (time.Time, bool, error) { return now.Add(-90 * time.Second), true, nil },
		Catalog: func() []flows.SourceStatus {
			return []flows.SourceStatus{
				{Name: "prepaid", UpdatedAt: now.Add(-10 * time.Minute), Products: 120},
				{Name: "postpaid", Err: errors.New("down")},
			}
		},
		Wallet: func(context.Context, time.Time) (flows.WalletTotals, error) {
			return flows.WalletTotals{Balance: 150000, Held: 25000, Owed: 175000, Deposits: 300000, DepositCount: 3}, nil
		},
	})
	has(t, scrape(t, m),
		`topupbot_orders_pending 4`,
		`topupbot_outbox_depth 7`,
		`topupbot_outbox_oldest_age_seconds 90`,
		`topupbot_catalog_age_seconds{source="prepaid"} 600`,
		`topupbot_catalog_products{source="prepaid"} 120`,
		`topupbot_catalog_source_failing{source="prepaid"} 0`,
		`topupbot_catalog_age_seconds{source="postpaid"} -1`,
		`topupbot_catalog_source_failing{source="postpaid"} 1`,
		`topupbot_wallet_balance_rupiah 150000`,
		`topupbot_wallet_held_rupiah 25000`,
		`topupbot_wallet_deposits_credited_rupiah_total 300000`,
		`topupbot_wallet_deposits_credited_total 3`)
}

// A source that fails is left out of the scrape, never shown as 0; the
// rest is still served.
func TestFailingSourceOmitted(t *testing.T) {
	m := New(Sources{
		Pending:   func() (int, error) { return 0, errors.New("db closed") },
		OutboxLen: func() (int, error) { return 2, nil },
	})
	body := scrape(t, m)
	if strings.Contains(body, "topupbot_orders_pending ") {
		t.Errorf("failing source exported:\n%s", grepTopupbot(body))
	}
	has(t, body, `topupbot_outbox_depth 2`)
	if strings.Contains(body, "topupbot_wallet_") {
		t.Error("wallet metrics without the wallet")
	}
}

func TestOperation(t *testing.T) {
	for path, want := range map[string]string{
		"/api/top-up": "top-up", "/V1/api/topup": "topup", "/transaction/create": "create",
		"/": "other", "/api/trx/12345": "other", "/x/" + strings.Repeat("a", 60): "other", "/api/Price_List": "price_list",
	} {
		if got := operation(path); got != want {
			t.Errorf("operation(%q) = %q, want %q", path, got, want)
		}
	}
}
