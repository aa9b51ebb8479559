package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"topupbot/bot/telegramtest"
	"topupbot/internal/testbuf"
)

// postpaidHost stands in for IAK's postpaid host: it fails in the way it is
// told — a status code, or no answer until the client gives up — and, once
// healed, passes requests on to the simulator.
type postpaidHost struct {
	status  int // the failing answer; 0 hangs until the request ends
	healed  atomic.Bool
	next    http.Handler
	calls   atomic.Int64
	called  chan struct{} // one send per failed call, dropped when full
	release chan struct{} // closed at cleanup: hung handlers return
}

func (h *postpaidHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.healed.Load() {
		h.next.ServeHTTP(w, r)
		return
	}
	h.calls.Add(1)
	select {
	case h.called <- struct{}{}:
	default:
	}
	if h.status == 0 {
		select {
		case <-r.Context().Done():
		case <-h.release:
		}
		return
	}
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(h.status)
	fmt.Fprintf(w, "<html><body>%d</body></html>", h.status)
}

// withPostpaidDown points the bot's postpaid_url at a host failing with
// status (0: never answering).
func withPostpaidDown(t *testing.T, e *e2e, status int) *postpaidHost {
	t.Helper()
	h := &postpaidHost{status: status, next: e.sim, called: make(chan struct{}, 64), release: make(chan struct{})}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(h.release) }) // before srv.Close: cleanups run last first
	e.cfg.Provider.IAK.PostpaidURL = srv.URL
	return h
}

// waitCalls waits until the postpaid host has been asked n times in all.
func (h *postpaidHost) waitCalls(t *testing.T, n int64) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for h.calls.Load() < n {
		select {
		case <-h.called:
		case <-deadline:
			t.Fatalf("the postpaid list was asked %d times, want %d: not retried on every poll", h.calls.Load(), n)
		}
	}
}

func countWith(msgs []telegramtest.Message, want string) int {
	n := 0
	for _, m := range msgs {
		if strings.Contains(m.Text, want) {
			n++
		}
	}
	return n
}

// hasButton reports whether any message offers a button starting with label.
func hasButton(m telegramtest.Message, label string) bool {
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.Text, label) {
				return true
			}
		}
	}
	return false
}

// homeWith sends /start until the home menu offers label: the catalog loads
// alongside the intake, so the first answer may come before it has.
func homeWith(t *testing.T, fake *telegramtest.Server, chat int64, label string) telegramtest.Message {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last telegramtest.Message
	for time.Now().Before(deadline) {
		n := len(fake.Messages(chat))
		fake.SendText(chat, chat, "/start")
		answered := fake.WaitFor(func() bool {
			msgs := fake.Messages(chat)
			if len(msgs) > n {
				last = msgs[len(msgs)-1]
				return true
			}
			return false
		}, time.Until(deadline))
		if !answered {
			break
		}
		if hasButton(last, label) {
			return last
		}
	}
	t.Fatalf("no home menu with %q; messages:\n%s", label, dump(fake.Messages(chat)))
	return last
}

// TestEndToEndPostpaidHostDown: with IAK's postpaid host answering 404, 5xx
// or nothing at all, prepaid is sold end to end; Tagihan is hidden; the
// postpaid list is asked again on every poll, and the admins hear of it
// once. Once the host answers, Tagihan appears and the admins hear that it
// recovered.
func TestEndToEndPostpaidHostDown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
	}{{"404", http.StatusNotFound}, {"502", http.StatusBadGateway}, {"timeout", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newE2E(t, 200*time.Millisecond)
			host := withPostpaidDown(t, e, tc.status)
			e.start()
			home := homeWith(t, e.fake, e2eBuyer, "Pulsa")
			if hasButton(home, "Tagihan") {
				t.Errorf("home menu %v: want the prepaid categories and no Tagihan", home.Buttons)
			}
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

			// Asked again on every poll (a hung request holds its poll's
			// slot until the provider timeout), and one alert for it all.
			calls := int64(3)
			if tc.status == 0 {
				calls = 2
			}
			host.waitCalls(t, calls)
			e.waitFor(e2eOps, "Daftar produk <b>postpaid</b> gagal dimuat")
			e.waitFor(e2eOps, "Telkomsel 10.000") // the sale's line: the outbox has caught up
			if n := countWith(e.fake.Messages(e2eOps), "gagal dimuat"); n != 1 {
				t.Errorf("%d alerts about the failing list, want 1:\n%s", n, dump(e.fake.Messages(e2eOps)))
			}
			if tc.status == http.StatusBadGateway {
				host.healed.Store(true)
				e.waitFor(e2eOps, "Daftar produk <b>postpaid</b> dimuat lagi")
				homeWith(t, e.fake, e2eBuyer, "Tagihan")
			}
			e.stop()
			if n := e.sim.TransactionCount(); n != 1 {
				t.Errorf("simulator holds %d transactions, want 1", n)
			}
		})
	}
}

// TestEndToEndProviderDownAtStart: with nothing saved and the provider not
// answering, /start says the products are unavailable and offers a retry —
// never a question without buttons; once the provider answers, the retry
// shows the categories.
func TestEndToEndProviderDownAtStart(t *testing.T) {
	t.Parallel()
	e := newE2E(t, 200*time.Millisecond)
	down := &postpaidHost{status: http.StatusServiceUnavailable, next: e.sim, called: make(chan struct{}, 64), release: make(chan struct{})}
	srv := httptest.NewServer(down)
	t.Cleanup(srv.Close)
	e.cfg.Provider.IAK.BaseURL, e.cfg.Provider.IAK.PostpaidURL = srv.URL, srv.URL
	e.start()
	down.waitCalls(t, 2) // both lists asked, both failed
	e.say("/start")
	m := e.waitFor(e2eBuyer, "produk belum bisa ditampilkan")
	if !hasButton(m, "🔄 Coba lagi") {
		t.Fatalf("empty home %q without a retry button: %v", m.Text, m.Buttons)
	}
	down.healed.Store(true)
	e.waitFor(e2eOps, "Daftar produk <b>prepaid</b> dimuat lagi")
	e.tap("🔄 Coba lagi")
	ok := e.fake.WaitFor(func() bool {
		for _, m := range e.fake.Messages(e2eBuyer) {
			if strings.Contains(m.Text, "Mau beli apa") && hasButton(m, "Pulsa") {
				return true
			}
		}
		return false
	}, 30*time.Second)
	if !ok {
		t.Fatalf("the retry showed no categories:\n%s", dump(e.fake.Messages(e2eBuyer)))
	}
	e.stop()
}

// TestSandboxStartDoesNotWaitOnTheCatalog: config.example.toml's sandbox on
// a fresh database, with a provider timeout far longer than the test may
// take: /start is answered with categories. Before, the catalog was asked
// of the simulator before the simulator was served, and nothing answered
// until the provider timeout had passed.
func TestSandboxStartDoesNotWaitOnTheCatalog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fake := telegramtest.NewServer(t, e2eToken)
	config := filepath.Join(dir, "config.toml")
	cfg := fmt.Sprintf(`
[telegram]
api_endpoint = %q
admins = [%d]
allowed_users = [%d]
poll_timeout = "1s"

[provider]
name = "sandbox"
timeout = "1h"

[callback]
listen = ""

[ops]
listen = "127.0.0.1:0"

[storage]
path = %q
`, fake.Endpoint(), e2eAdmin, e2eBuyer, filepath.Join(dir, "bot.db"))
	if err := os.WriteFile(config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out testbuf.Buffer
	go func() {
		done <- run(ctx, []string{"-config", config}, func(k string) string {
			if k == "TOPUPBOT_TELEGRAM_TOKEN" {
				return e2eToken
			}
			return ""
		}, strings.NewReader(""), &out, &out)
	}()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v", err)
			}
		case <-time.After(45 * time.Second):
			t.Error("run did not stop within 45s")
		}
	}()
	// homeWith's deadline is generous for a busy machine and far short of
	// the provider timeout the old start waited on.
	homeWith(t, fake, e2eBuyer, "Pulsa")
}

// TestEndToEndStartAsksForTheCatalog: a restart serves the saved catalog at
// once and asks the provider for a fresh one alongside — a saved copy may be
// days old, or written by a version that recorded no product types, which
// decide whether a success must carry a code (a voucher's PIN, a PLN token).
func TestEndToEndStartAsksForTheCatalog(t *testing.T) {
	t.Parallel()
	e := newE2E(t, 200*time.Millisecond)
	e.start()
	homeWith(t, e.fake, e2eBuyer, "Pulsa")
	e.stop()

	asked := make(chan struct{}, 16)
	counter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/pricelist") {
			select {
			case asked <- struct{}{}:
			default:
			}
		}
		e.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(counter.Close)
	e.cfg.Provider.IAK.BaseURL = counter.URL
	e.start()
	select {
	case <-asked:
	case <-time.After(60 * time.Second):
		t.Fatal("the restarted bot served its saved catalog and never asked for a fresh one")
	}
	e.stop()
}
