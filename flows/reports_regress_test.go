package flows_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"topupbot/bot"
	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/provider/mesinr1"
	"topupbot/provider/sandbox/mesinr1sim"
)

// TestReportsBillPaidAcrossMidnight (issue 9, item 6): a Mesin R1 bill
// inquired at 23:55 — its ref minted then — and paid at 00:05 is in the
// reports of exactly one day, the day its payment was confirmed and its
// order written: /orders today, /orders failed and /stats all find it once.
func TestReportsBillPaidAcrossMidnight(t *testing.T) {
	midnight := time.Date(2026, 11, 24, 0, 0, 0, 0, flows.WIB)
	clk := testclock.New(midnight.Add(-5 * time.Minute))
	sim := mesinr1sim.New(mesinr1sim.Options{MMID: "C71283", APIKey: "r1-key", Deposit: 50_000_000, SettleDelay: -1, SlowDelay: time.Minute, Now: clk.Now})
	t.Cleanup(sim.Close)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	client, err := mesinr1.New(mesinr1.Config{BaseURL: srv.URL, MMID: "C71283", APIKey: "r1-key",
		HTTPClient: &http.Client{Timeout: time.Second}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	w := newBillWorld(t, clk, client)
	const pln = "PLNPASC"

	// Two buyers ask for their bill at 23:55; one bill is paid, the other's
	// payment fails.
	var bills []flows.Bill
	for _, number := range []string{"546302215889", "546302212005"} {
		ref, err := flows.NewRefID(clk.Now(), nil)
		if err != nil {
			t.Fatal(err)
		}
		bill, err := client.InquireBill(bg, flows.BillRequest{RefID: ref, ProductCode: pln, CustomerNumber: number})
		if err != nil {
			t.Fatal(err)
		}
		bills = append(bills, bill)
	}
	// They tap Pay at 00:05.
	clk.Advance(10 * time.Minute)
	var orders []flows.Order
	for _, bill := range bills {
		o, _, err := w.engine.CreateBill(bg, flows.PayRequest{ChatID: buyer, UserID: buyer, Token: bill.RefID,
			Product: flows.Product{Code: pln, Name: "PLN Pascabayar", Kind: flows.Postpaid}, Bill: bill, Price: bill.Total + 1000})
		if err != nil {
			t.Fatal(err)
		}
		if o, err = w.engine.SendBill(bg, o.RefID); err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
	}
	if orders[0].Status != flows.StatusSuccess || orders[1].Status != flows.StatusFailed {
		t.Fatalf("bills: %s and %s, want success and failed", orders[0].Status, orders[1].Status)
	}
	if !strings.HasPrefix(orders[0].RefID, "261123235500") {
		t.Fatalf("ref %s was not minted at the 23:55 inquiry", orders[0].RefID)
	}

	service := flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: w.db, Admins: []int64{adminID}, Now: clk.Now})
	admin := func(command, args string) string {
		t.Helper()
		out, err := service.Handle(bg, flows.Input{ChatID: adminID, UserID: adminID, Private: true,
			Kind: flows.InputCommand, Command: command, Args: args})
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, r := range out.Replies {
			parts = append(parts, r.Text)
		}
		return strings.Join(parts, "\n")
	}
	paid, failed := orders[0].RefID, orders[1].RefID

	got := admin("orders", "today")
	if !strings.HasPrefix(got, "<b>Pesanan hari ini</b> (2026-11-24): 2") ||
		strings.Count(got, paid) != 1 || strings.Count(got, failed) != 1 {
		t.Errorf("/orders today on the day of payment: want both bills once\n%s", got)
	}
	if got := admin("orders", "failed"); strings.Count(got, failed) != 1 || strings.Contains(got, paid) {
		t.Errorf("/orders failed: want the failed bill once\n%s", got)
	}
	if got := admin("stats", ""); !strings.Contains(got, "Pesanan: 2 · berhasil 1 · gagal 1 · diproses 0") {
		t.Errorf("/stats on the day of payment: want both bills\n%s", got)
	}
	if got := admin("stats", "7d"); !strings.Contains(got, "Pesanan: 2 · berhasil 1 · gagal 1 · diproses 0") {
		t.Errorf("/stats 7d: want both bills once\n%s", got)
	}

	// The evening before, at 23:59, neither bill had been paid: neither is
	// in that day's reports.
	w.clk.Advance(-6 * time.Minute)
	if got := admin("orders", "today"); !strings.HasPrefix(got, "<b>Pesanan hari ini</b> (2026-11-23): 0") {
		t.Errorf("/orders today on the day of the inquiry: want no bill\n%s", got)
	}
	if got := admin("stats", ""); strings.Contains(got, "Pesanan:") {
		t.Errorf("/stats on the day of the inquiry: want no bill\n%s", got)
	}
}
