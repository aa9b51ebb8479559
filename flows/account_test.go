package flows_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/provider/mesinr1"
	"topupbot/provider/sandbox/mesinr1sim"
	"topupbot/storage"
)

// r1Tenant is one Mesin R1 tenant: a simulator behind its own host, with a
// count of the requests it received.
type r1Tenant struct {
	sim  *mesinr1sim.Server
	hits *pathCounter
	url  string
}

// newR1Tenant serves a Mesin R1 simulator; host replaces the server's
// 127.0.0.1, so that two tenants on loopback have different hosts.
func newR1Tenant(t *testing.T, clk *testclock.Clock, host string) *r1Tenant {
	t.Helper()
	sim := mesinr1sim.New(mesinr1sim.Options{MMID: "C71283", APIKey: "r1-key", Now: clk.Now})
	t.Cleanup(sim.Close)
	hits := &pathCounter{counts: map[string]int{}, next: sim}
	srv := httptest.NewServer(hits)
	t.Cleanup(srv.Close)
	return &r1Tenant{sim: sim, hits: hits, url: strings.Replace(srv.URL, "127.0.0.1", host, 1)}
}

func (tn *r1Tenant) client(t *testing.T, clk *testclock.Clock) *mesinr1.Client {
	t.Helper()
	c, err := mesinr1.New(mesinr1.Config{BaseURL: tn.url, MMID: "C71283", APIKey: "r1-key",
		HTTPClient: &http.Client{Timeout: 2 * time.Second}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMesinR1TenantSwitchNeverResends: Mesin R1 is white-label, and two
// tenants may know the same mmid and key. An order placed on tenant A, with
// the configuration switched to tenant B's base_url, is never sent to B: it
// stays pending and alerts once that its account is not configured
// (DESIGN rule 4).
func TestMesinR1TenantSwitchNeverResends(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	a, b := newR1Tenant(t, clk, "127.0.0.1"), newR1Tenant(t, clk, "localhost")
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := flows.EngineConfig{ProviderTimeout: 2 * time.Second, OpsChatID: opsChat, Now: clk.Now}
	onA := flows.NewEngine(db, a.client(t, clk), cfg)
	placed, err := onA.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: "t-tenant",
		Product:        flows.Product{Code: "IS5", Name: "INDOSAT SMS 5.000", Kind: flows.Prepaid, Price: 5500},
		CustomerNumber: "081234561002", Price: 6000}) // …1002: pending until settled
	if err != nil || placed.Status != flows.StatusPending {
		t.Fatalf("placed %+v %v", placed, err)
	}
	// A failed re-send would be the worst case: unacknowledged, B would
	// create the order a second time.
	for _, acknowledged := range []bool{true, false} {
		if _, err := db.UpdateOrder(bg, placed.RefID, func(o *flows.Order) ([]flows.Notification, error) {
			o.Acknowledged = acknowledged
			return nil, nil
		}); err != nil {
			t.Fatal(err)
		}
		onB := flows.NewEngine(db, b.client(t, clk), cfg)
		for range 3 {
			clk.Advance(time.Hour)
			if _, err := onB.Poll(bg); err != nil {
				t.Fatal(err)
			}
			if _, err := onB.Check(bg, placed.RefID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := b.hits.total(); n != 0 {
		t.Fatalf("tenant B received %d requests (%v) for an order of tenant A", n, b.hits.since(0))
	}
	got, _ := db.Order(bg, placed.RefID)
	if got.Status.Final() || !got.HasAlerted(flows.AlertAccountMissing) {
		t.Errorf("order %+v, want pending with the account alert", got)
	}
	alerts := 0
	notes, _ := db.DueNotifications(bg, clk.Now().Add(24*time.Hour), 100)
	for _, n := range notes {
		if n.RefID == placed.RefID && n.ChatID == opsChat {
			alerts++
		}
	}
	if alerts != 1 {
		t.Errorf("%d alerts, want 1", alerts)
	}
}

// TestMesinR1OrderWithoutHostIsAdopted: a pending order written by the
// previous version — its account without a host — is adopted at start by
// the configured account with the same mmid and key (storage's
// AdoptAccountHost, run by the app at start), then resumed on it.
func TestMesinR1OrderWithoutHostIsAdopted(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	tenant := newR1Tenant(t, clk, "127.0.0.1")
	client := tenant.client(t, clk)
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	old := client.Account()
	old.Host = ""
	o := flows.Order{RefID: "261123090000R1OLD01", ChatID: buyer, UserID: buyer, Token: "t-old",
		Kind: flows.Prepaid, ProductCode: "IS5", ProductName: "INDOSAT SMS 5.000",
		CustomerNumber: "081234567890", Price: 6000, Account: old, Status: flows.StatusPending, CreatedAt: clk.Now()}
	if _, _, err := db.CreateOrder(bg, o); err != nil {
		t.Fatal(err)
	}
	if n, err := db.AdoptAccountHost(bg, client.Account()); err != nil || n != 1 {
		t.Fatalf("adopted %d (%v), want 1", n, err)
	}
	engine := flows.NewEngine(db, client, flows.EngineConfig{ProviderTimeout: 2 * time.Second, OpsChatID: opsChat, Now: clk.Now})
	clk.Advance(time.Minute)
	if _, err := engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Order(bg, o.RefID)
	if got.Status != flows.StatusSuccess || got.SN == "" || got.Account != client.Account() || got.HasAlerted(flows.AlertAccountMissing) {
		t.Fatalf("resumed order %+v", got)
	}
	if n := tenant.sim.TransactionCount(); n != 1 {
		t.Errorf("simulator holds %d transactions, want 1", n)
	}
}
