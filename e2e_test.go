package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"topupbot/bot/telegramtest"
	"topupbot/internal/config"
	"topupbot/internal/testbuf"
	"topupbot/provider/sandbox/iaksim"
	"topupbot/storage"
)

// The end-to-end tests run the real binary's run() against a fake Bot API
// and the IAK simulator over HTTP, configured through the documented keys.

const (
	e2eToken  = "7000001:AAE2E-secret-token-value"
	e2eIAKKey = "e2e-iak-api-key-secret"
	// e2eMesinR1Key is configured though IAK is in use: it must not show
	// either.
	e2eMesinR1Key = "e2e-mesinr1-rqid-secret"
	e2eBuyer      = int64(4242)
	e2eOps        = int64(-100777)
	e2eAdmin      = int64(9)
)

type e2e struct {
	t      *testing.T
	fake   *telegramtest.Server
	sim    *iaksim.Server
	simURL string
	dir    string
	cfg    config.Config  // each test adjusts it before start
	out    testbuf.Buffer // everything run writes
	cancel context.CancelFunc
	done   chan error
}

func newE2E(t *testing.T, settle time.Duration) *e2e {
	t.Helper()
	e := &e2e{t: t, dir: t.TempDir()}
	e.fake = telegramtest.NewServer(t, e2eToken)
	e.sim = iaksim.New(iaksim.Options{Username: "081234567890", APIKey: e2eIAKKey, SettleDelay: settle})
	t.Cleanup(e.sim.Close)
	srv := httptest.NewServer(e.sim)
	t.Cleanup(srv.Close)
	e.simURL = srv.URL
	e.cfg = e2eConfig(e.fake.Endpoint(), e.simURL, e.dir)
	t.Cleanup(func() {
		e.stop()
		// Secrets never reach the output (DESIGN rule 12).
		for _, secret := range e.secrets() {
			if strings.Contains(e.out.String(), secret) {
				t.Errorf("a secret reached run's output: %q", secret[:min(6, len(secret))]+"…")
			}
		}
	})
	return e
}

// e2eConfig is the base configuration of the end-to-end tests, typed as
// run would load it: the fake Bot API at endpoint, the IAK simulator at
// simURL for both lists, the database in dir, no callback listener.
func e2eConfig(endpoint, simURL, dir string) config.Config {
	cfg := config.Defaults()
	cfg.Telegram.Token = config.NewSecret(e2eToken)
	cfg.Telegram.APIEndpoint = endpoint
	cfg.Telegram.Admins = []int64{e2eAdmin}
	cfg.Telegram.NotifyChatID = e2eOps
	cfg.Telegram.AllowedUsers = []int64{e2eBuyer}
	cfg.Telegram.PollTimeout = time.Second
	cfg.Provider.Name = config.ProviderIAK
	cfg.Provider.Timeout = 5 * time.Second
	cfg.Provider.IAK.BaseURL, cfg.Provider.IAK.PostpaidURL = simURL, simURL
	cfg.Provider.IAK.Username = "081234567890"
	cfg.Provider.IAK.APIKey = config.NewSecret(e2eIAKKey)
	cfg.Provider.MesinR1.APIKey = config.NewSecret(e2eMesinR1Key) // configured, unused: it must not show either
	cfg.Callback.Listen = ""
	cfg.Ops.Listen = "127.0.0.1:0"
	cfg.Storage.Path = filepath.Join(dir, "bot.db")
	cfg.Poller.Schedule = "@every 1s"
	cfg.Log.Level = slog.LevelDebug
	return cfg
}

// secrets are every secret the bot holds: the token (and its secret half),
// every api key configured — the Mesin R1 one too, though IAK is in use —
// and the IAK signs of the fixed calls and of every order's ref and tr_id,
// read from the database once the bot has stopped.
func (e *e2e) secrets() []string {
	s := []string{e2eToken, "AAE2E-secret", e2eIAKKey, e2eMesinR1Key}
	sign := func(extra string) string {
		sum := md5.Sum([]byte("081234567890" + e2eIAKKey + extra))
		return hex.EncodeToString(sum[:])
	}
	s = append(s, sign("bl"), sign("pl"), sign("cs"))
	db, err := storage.Open(filepath.Join(e.dir, "bot.db"), storage.Options{ReadOnly: true})
	if err != nil {
		return s // never started
	}
	defer db.Close()
	orders, _ := db.ChatOrders(context.Background(), e2eBuyer, 1000)
	for _, o := range orders {
		s = append(s, sign(o.RefID))
		if o.ProviderTxID != "" {
			s = append(s, sign(o.ProviderTxID))
		}
	}
	return s
}

func (e *e2e) getenv(k string) string {
	return map[string]string{"TOPUPBOT_TELEGRAM_TOKEN": e2eToken, "TOPUPBOT_IAK_API_KEY": e2eIAKKey,
		"TOPUPBOT_MESINR1_API_KEY": e2eMesinR1Key}[k]
}

// start runs the bot on e.cfg as run would after loading it, until stop.
func (e *e2e) start() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan error, 1)
	cfg := e.cfg
	go func() { e.done <- runConfig(ctx, cfg, &e.out) }()
}

// stop is SIGTERM: run must return, cleanly and in time.
func (e *e2e) stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	select {
	case err := <-e.done:
		if err != nil {
			e.t.Errorf("run returned %v", err)
		}
	case <-time.After(45 * time.Second):
		e.t.Fatal("run did not stop within 45s of the signal")
	}
	e.cancel = nil
}

func (e *e2e) say(text string) { e.fake.SendText(e2eBuyer, e2eBuyer, text) }

// waitFor waits for a bot message in chat whose text contains want.
func (e *e2e) waitFor(chat int64, want string) telegramtest.Message {
	e.t.Helper()
	var found telegramtest.Message
	ok := e.fake.WaitFor(func() bool {
		for _, m := range e.fake.Messages(chat) {
			if strings.Contains(m.Text, want) {
				found = m
				return true
			}
		}
		return false
	}, 30*time.Second)
	if !ok {
		e.t.Fatalf("no message with %q in chat %d; messages:\n%s\nlog:\n%s", want, chat, dump(e.fake.Messages(chat)), e.out.String())
	}
	return found
}

// waitAfter waits for a bot message in the buyer's chat newer than the
// message after, whose text contains want.
func (e *e2e) waitAfter(after int, want string) telegramtest.Message {
	e.t.Helper()
	var found telegramtest.Message
	ok := e.fake.WaitFor(func() bool {
		for _, m := range e.fake.Messages(e2eBuyer) {
			if m.ID > after && strings.Contains(m.Text, want) {
				found = m
				return true
			}
		}
		return false
	}, 30*time.Second)
	if !ok {
		e.t.Fatalf("no message with %q after #%d; messages:\n%s", want, after, dump(e.fake.Messages(e2eBuyer)))
	}
	return found
}

// tap taps the button labelled label on the newest bot message that has it.
func (e *e2e) tap(label string) int {
	e.t.Helper()
	var msg telegramtest.Message
	var data string
	ok := e.fake.WaitFor(func() bool {
		msgs := e.fake.Messages(e2eBuyer)
		for i := len(msgs) - 1; i >= 0; i-- {
			for _, row := range msgs[i].Buttons {
				for _, b := range row {
					if strings.HasPrefix(b.Text, label) {
						msg, data = msgs[i], b.Data
						return true
					}
				}
			}
		}
		return false
	}, 30*time.Second)
	if !ok {
		e.t.Fatalf("no button %q; messages:\n%s", label, dump(e.fake.Messages(e2eBuyer)))
	}
	return e.fake.Tap(e2eBuyer, e2eBuyer, msg.ID, data)
}

// buy walks from /start through the buttons labelled path, types number
// and confirms.
func (e *e2e) buy(number string, path ...string) {
	e.t.Helper()
	e.say("/start")
	e.waitFor(e2eBuyer, "Mau beli apa")
	for _, label := range path {
		e.tap(label)
	}
	e.waitFor(e2eBuyer, "Ketik nomor")
	e.say(number)
	e.waitFor(e2eBuyer, "Konfirmasi pesanan")
	e.tap("✅ Konfirmasi")
}

func dump(msgs []telegramtest.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "#%d %q %v\n", m.ID, m.Text, m.Buttons)
	}
	return b.String()
}

// orders reads the database after the bot stopped.
func (e *e2e) orders() int {
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
	return len(orders)
}

// TestEndToEndPurchase: /start → category → operator → product → number →
// confirm → the "processing" edit → the SN message; the ops group gets its
// line with the number masked.
func TestEndToEndPurchase(t *testing.T) {
	t.Parallel()
	e := newE2E(t, 200*time.Millisecond)
	e.start()
	e.say("/start")
	e.waitFor(e2eBuyer, "Mau beli apa")
	e.tap("Pulsa")
	e.waitFor(e2eBuyer, "Pilih operator")
	e.tap("Telkomsel")
	e.waitFor(e2eBuyer, "Pilih produk")
	e.tap("Telkomsel 10.000")
	e.waitFor(e2eBuyer, "Ketik nomor HP")
	e.say("0812-1234-5678")
	e.waitFor(e2eBuyer, "Konfirmasi pesanan")
	e.tap("✅ Konfirmasi")
	e.waitFor(e2eBuyer, "sedang diproses")
	sn := e.waitFor(e2eBuyer, "Transaksi berhasil")
	if !strings.Contains(sn.Text, "SN: <code>") || !strings.Contains(sn.Text, "081212345678") {
		t.Errorf("SN message %q", sn.Text)
	}
	e.waitFor(e2eBuyer, "berhasil. Detail ada di pesan berikut") // the processing message, edited
	line := e.waitFor(e2eOps, "Telkomsel 10.000")
	if strings.Contains(line.Text, "081212345678") || !strings.Contains(line.Text, "0812****5678") {
		t.Errorf("ops line %q: the number must be masked", line.Text)
	}
	e.stop()
	if n := e.sim.TransactionCount(); n != 1 {
		t.Errorf("simulator holds %d transactions", n)
	}
}

// TestEndToEndDoubleConfirm: a double tap on Confirm and the client
// re-sending the callback under a new update id make one order.
func TestEndToEndDoubleConfirm(t *testing.T) {
	t.Parallel()
	e := newE2E(t, 200*time.Millisecond)
	e.start()
	e.say("/start")
	e.tap("Pulsa")
	e.tap("XL")
	e.tap("XL 10.000")
	e.waitFor(e2eBuyer, "Ketik nomor HP")
	e.say("081712345678")
	e.waitFor(e2eBuyer, "Konfirmasi pesanan")
	first := e.tap("✅ Konfirmasi")
	e.fake.Resend(first)
	e.fake.Resend(first)
	e.waitFor(e2eBuyer, "Transaksi berhasil")
	e.waitFor(e2eBuyer, "sudah dibuat")
	e.stop()
	if n := e.sim.TransactionCount(); n != 1 {
		t.Errorf("simulator holds %d transactions, want 1", n)
	}
	if n := e.orders(); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
}

// TestEndToEndRestarts: a restart mid-conversation continues where the
// buyer was; a restart with an order pending still delivers its SN.
func TestEndToEndRestarts(t *testing.T) {
	t.Parallel()
	e := newE2E(t, -1) // the simulator settles only when told
	e.start()
	e.say("/start")
	e.tap("Pulsa")
	e.tap("Telkomsel")
	e.tap("Telkomsel 25.000")
	e.waitFor(e2eBuyer, "Ketik nomor HP")
	e.stop()

	e.start()
	e.say("081212345678")
	e.waitFor(e2eBuyer, "Konfirmasi pesanan")
	e.tap("✅ Konfirmasi")
	e.waitFor(e2eBuyer, "sedang diproses")
	// The order is with IAK, pending; the bot goes down.
	var ref string
	e.fake.WaitFor(func() bool { ref = pendingRef(e); return ref != "" }, 10*time.Second)
	e.stop()
	if ref == "" {
		t.Fatal("no pending order")
	}
	if err := e.sim.Settle(ref, true); err != nil {
		t.Fatal(err)
	}
	e.start()
	e.waitFor(e2eBuyer, "Transaksi berhasil")
	e.stop()
}

func pendingRef(e *e2e) string {
	for _, m := range e.fake.Messages(e2eBuyer) {
		if i := strings.Index(m.Text, "Pesanan <code>"); i >= 0 && strings.Contains(m.Text, "sedang diproses") {
			rest := m.Text[i+len("Pesanan <code>"):]
			if j := strings.Index(rest, "</code>"); j > 0 {
				return rest[:j]
			}
		}
	}
	return ""
}

// TestDemoCompletesAPurchase: the documented demo, its input piped in.
func TestDemoCompletesAPurchase(t *testing.T) {
	t.Parallel()
	var out testbuf.Buffer // the terminal and the log write to it from their goroutines
	script := "/start\n#1\n#5\n#2\n0812 3456 7890\n#1\n"
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := run(ctx, []string{"demo"}, func(string) string { return "" }, strings.NewReader(script), &out, &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"Konfirmasi pesanan", "sedang diproses", "Transaksi berhasil", "SN: ", "Orders:", "success"} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%s", want, got)
		}
	}
}

// freeAddr finds a loopback port for a listener the test must know in advance.
//
// The port comes from below Linux's ephemeral range (32768–60999 by
// default), where ":0" listeners and the local ends of outgoing
// connections take theirs: a bot restarted on a port picked by ":0" could
// find it taken by one of the many loopback connections of the tests
// running alongside, and exit with "address already in use" (seen in the
// fault suite under load).
func freeAddr(t *testing.T) string {
	t.Helper()
	for range 50 {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(12000)))
		if err == nil {
			defer ln.Close()
			return ln.Addr().String()
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestBackup: `topupbot backup OUT` copies a stopped bot's database, and a
// running bot's through its ops listener; both copies open.
func TestBackup(t *testing.T) {
	t.Parallel()
	e := newE2E(t, 200*time.Millisecond)
	e.cfg.Ops.Listen = freeAddr(t)
	// backup reads only these two keys of the bot's file.
	config := filepath.Join(e.dir, "config.toml")
	file := fmt.Sprintf("[storage]\npath = %q\n\n[ops]\nlisten = %q\n", e.cfg.Storage.Path, e.cfg.Ops.Listen)
	if err := os.WriteFile(config, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}

	e.start()
	e.say("/start")
	e.waitFor(e2eBuyer, "Mau beli apa")
	live := filepath.Join(e.dir, "live.bak")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-config", config, "backup", live}, e.getenv, nil, &out, &out); err != nil {
		t.Fatalf("backup of the running bot: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "running bot") {
		t.Errorf("output %q", out.String())
	}
	e.stop()

	stopped := filepath.Join(e.dir, "stopped.bak")
	out.Reset()
	if err := run(context.Background(), []string{"-config", config, "backup", stopped}, e.getenv, nil, &out, &out); err != nil {
		t.Fatalf("backup of the stopped bot: %v\n%s", err, out.String())
	}
	if err := run(context.Background(), []string{"-config", config, "backup", stopped}, e.getenv, nil, &out, &out); err == nil {
		t.Error("backup overwrote an existing file")
	}
	for _, path := range []string{live, stopped} {
		db, err := storage.Open(path, storage.Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var session map[string]any
		if ok, err := db.Session(context.Background(), e2eBuyer, &session); !ok || err != nil {
			t.Errorf("%s lacks the buyer's session: %v %v", path, ok, err)
		}
		db.Close()
	}
}

// TestDatabaseHeld: a second bot on the same database exits at once with a
// clear error.
func TestDatabaseHeld(t *testing.T) {
	t.Parallel()
	e := newE2E(t, 200*time.Millisecond)
	e.start()
	e.say("/start")
	e.waitFor(e2eBuyer, "Mau beli apa")
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := runConfig(ctx, e.cfg, &out)
	if err == nil || !strings.Contains(err.Error(), "database is in use by another topupbot") {
		t.Fatalf("second bot: %v", err)
	}
}
