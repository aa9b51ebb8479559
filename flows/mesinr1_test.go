package flows_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/provider/mesinr1"
	"topupbot/provider/sandbox/mesinr1sim"
	"topupbot/storage"
)

// TestMesinR1Resume runs the money path on the Mesin R1 simulator: an order
// whose first send reached the platform but whose answer died with the
// process is resumed by re-sending the same ref_1 — rc 94, then status —
// and settles with one transaction. A fresh order settles by polling.
func TestMesinR1Resume(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	sim, client := newMesinR1Sim(t, clk)
	path := filepath.Join(t.TempDir(), "db")
	db, err := storage.Open(path, storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	o := flows.Order{RefID: "261123090000R1CRASH", ChatID: buyer, UserID: buyer, Token: "t-r1",
		Kind: flows.Prepaid, ProductCode: "IS5", ProductName: "INDOSAT SMS 5.000",
		CustomerNumber: "081234561000", Price: 6000, Account: client.Account(), Status: flows.StatusPlacing}
	if _, _, err := db.CreateOrder(bg, o); err != nil {
		t.Fatal(err)
	}
	// The first send arrived (pending at the platform); its answer was lost.
	if _, err := client.Place(bg, flows.OrderRequest{RefID: o.RefID, ProductCode: "IS5", CustomerNumber: o.CustomerNumber}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = storage.Open(path, storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	engine := flows.NewEngine(db, client, flows.EngineConfig{ProviderTimeout: 2 * time.Second, Now: clk.Now})
	clk.Advance(time.Minute)
	if _, err := engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Order(bg, o.RefID)
	if got.Status != flows.StatusSuccess || got.SN == "" {
		t.Fatalf("resumed order %+v", got)
	}
	if n := sim.TransactionCount(); n != 1 {
		t.Errorf("simulator holds %d transactions, want 1", n)
	}

	placed, err := engine.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: "t-r1b",
		Product:        flows.Product{Code: "IS5", Name: "INDOSAT SMS 5.000", Kind: flows.Prepaid, Price: 5500},
		CustomerNumber: "081234561002", Price: 6000}) // …1002: pending until settled
	if err != nil || placed.Status != flows.StatusPending || !placed.Acknowledged {
		t.Fatalf("placed %+v %v", placed, err)
	}
	if err := sim.Settle(placed.RefID, true); err != nil {
		t.Fatal(err)
	}
	engine.Poll(bg)
	if got, _ := db.Order(bg, placed.RefID); got.Status != flows.StatusSuccess {
		t.Errorf("order %+v", got)
	}
}

// newMesinR1Sim serves the Mesin R1 simulator on loopback, on the test's
// clock, with a client of its account.
func newMesinR1Sim(t *testing.T, clk *testclock.Clock) (*mesinr1sim.Server, *mesinr1.Client) {
	t.Helper()
	sim := mesinr1sim.New(mesinr1sim.Options{MMID: "C71283", APIKey: "r1-key", Now: clk.Now})
	t.Cleanup(sim.Close)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	client, err := mesinr1.New(mesinr1.Config{BaseURL: srv.URL, MMID: "C71283", APIKey: "r1-key",
		HTTPClient: &http.Client{Timeout: 2 * time.Second}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return sim, client
}
