package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
	"topupbot/internal/testbuf"
	"topupbot/provider/sandbox/mesinr1sim"
	"topupbot/storage"
)

// TestE2EMesinR1OrderWithoutHostIsAdopted: a pending Mesin R1 order stored
// by the previous version — its account has no host — is adopted at start
// by the configured account with the same mmid and key, logged with a
// count, and then resumed and settled on it.
func TestE2EMesinR1OrderWithoutHostIsAdopted(t *testing.T) {
	t.Parallel()
	const (
		mmid = "C71283"
		key  = "e2e-r1-adopt-key"
		ref  = "261123090000R1ADOPT"
	)
	dir := t.TempDir()
	fake := telegramtest.NewServer(t, e2eToken)
	sim := mesinr1sim.New(mesinr1sim.Options{MMID: mmid, APIKey: key})
	t.Cleanup(sim.Close)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)

	dbPath := filepath.Join(dir, "bot.db")
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := flows.Order{RefID: ref, ChatID: e2eBuyer, UserID: e2eBuyer, Token: "t-adopt", Kind: flows.Prepaid,
		ProductCode: "IS5", ProductName: "INDOSAT SMS 5.000", Category: flows.CategoryPulsa,
		CustomerNumber: "081234567890", Price: 6000, Cost: 5500, Status: flows.StatusPending,
		Account:   flows.Account{Provider: "mesinr1", ID: mmid, KeyHash: flows.KeyFingerprint(key)},
		CreatedAt: time.Now().Add(-time.Minute)}
	if _, _, err := db.CreateOrder(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	db.Close()

	config := filepath.Join(dir, "config.toml")
	cfg := fmt.Sprintf(`
[telegram]
api_endpoint = %q
admins = [%d]
notify_chat_id = %d
allowed_users = [%d]
poll_timeout = "1s"

[provider]
name = "mesinr1"
timeout = "5s"

[provider.mesinr1]
base_url = %q
mmid = %q

[callback]
listen = ""

[ops]
listen = "127.0.0.1:0"

[storage]
path = %q

[poller]
schedule = "@every 1s"

[log]
level = "debug"
`, fake.Endpoint(), e2eAdmin, e2eOps, e2eBuyer, srv.URL, mmid, dbPath)
	if err := os.WriteFile(config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		return map[string]string{"TOPUPBOT_TELEGRAM_TOKEN": e2eToken, "TOPUPBOT_MESINR1_API_KEY": key}[k]
	}
	var out testbuf.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-config", config}, getenv, strings.NewReader(""), &out, &out) }()
	settled := fake.WaitFor(func() bool {
		for _, m := range fake.Messages(e2eBuyer) {
			if strings.Contains(m.Text, ref) && strings.Contains(m.Text, "SN") {
				return true
			}
		}
		return false
	}, 30*time.Second)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(45 * time.Second):
		t.Fatal("run did not stop within 45s of the signal")
	}
	if !settled {
		t.Fatalf("the adopted order was not settled; buyer messages:\n%s\nlog:\n%s", dump(fake.Messages(e2eBuyer)), out.String())
	}
	if !strings.Contains(out.String(), "adopted") || !strings.Contains(out.String(), "count=1") {
		t.Errorf("no log line of the adoption with its count:\n%s", out.String())
	}
	db, err = storage.Open(dbPath, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Order(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != flows.StatusSuccess || got.Account.Host != "127.0.0.1" || got.HasAlerted(flows.AlertAccountMissing) {
		t.Errorf("order %+v, want success on the adopted account", got)
	}
	if n := sim.TransactionCount(); n != 1 {
		t.Errorf("simulator holds %d transactions, want 1", n)
	}
}
