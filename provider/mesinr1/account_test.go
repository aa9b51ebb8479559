package mesinr1

import (
	"context"
	"testing"
	"time"

	"topupbot/flows"
)

func TestBalance(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	bal, err := w.client.Balance(ctx)
	if err != nil || bal != 1_000_000 {
		t.Fatalf("Balance = %d, %v; want 1000000", bal, err)
	}
	if _, err := w.client.Place(ctx, order("B1", "IS5", phone("7890"))); err != nil {
		t.Fatal(err)
	}
	if bal, err = w.client.Balance(ctx); err != nil || bal != 994_500 {
		t.Errorf("Balance = %d, %v; want 994500 (the seed's arithmetic)", bal, err)
	}
}

func TestBalanceAnswers(t *testing.T) {
	tests := []struct {
		body string
		want int64
		kind flows.ErrorKind
	}{
		{`{"status":"success","code":200,"message":"success","data":{"saldo":1000000}}`, 1_000_000, ""},
		{`{"status":"success","data":{"saldo":"250000.00"}}`, 250_000, ""},
		{`{"status":"success","data":{}}`, 0, flows.KindUnknown},
		{`{"status":"success","data":{"saldo":"1.000.000"}}`, 0, flows.KindUnknown},
		{`{"status":"error","rc":"63","message":"RQID TIDAK VALID"}`, 0, flows.KindMisconfigured},
		{`<html>`, 0, flows.KindUnknown},
	}
	for _, tt := range tests {
		c, _ := cannedClient(t, func(string, map[string]any) (int, string) { return 200, tt.body })
		got, err := c.Balance(context.Background())
		if got != tt.want || kindOf(err) != tt.kind {
			t.Errorf("Balance(%s) = %d, %v; want %d, kind %q", tt.body, got, err, tt.want, tt.kind)
		}
	}
}

func TestMutations(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := w.client.Place(ctx, order("M1", "IS5", phone("7890"))); err != nil {
		t.Fatal(err)
	}
	if _, err := w.client.Place(ctx, order("M2", "TSEL10", "081212342014")); err != nil {
		t.Fatal(err)
	}
	now := w.clock.Now()
	ms, err := w.client.Mutations(ctx, now, now)
	if err != nil {
		t.Fatal(err)
	}
	reqs := w.rec.all()
	last := reqs[len(reqs)-1]
	if last.Body["start_date"] != "2026-04-21" || last.Body["end_date"] != "2026-04-21" {
		t.Errorf("mutations request = %v", last.Body)
	}
	// The opening deposit, the IS5 purchase, the TSEL10 purchase and its
	// refund, from the reseller's side: purchases are debits.
	want := []flows.Mutation{
		{Credit: 1_000_000, Balance: 1_000_000},
		{Debit: 5500, Balance: 994_500},
		{Debit: 11_300, Balance: 983_200},
		{Credit: 11_300, Balance: 994_500},
	}
	if len(ms) != len(want) {
		t.Fatalf("Mutations = %+v, want %d rows", ms, len(want))
	}
	for i, m := range ms {
		if m.Debit != want[i].Debit || m.Credit != want[i].Credit || m.Balance != want[i].Balance || !m.Time.Equal(now) {
			t.Errorf("row %d = %+v, want %+v at %v", i, m, want[i], now)
		}
	}
	if ms[1].TxNo == "" || ms[1].Note == "" {
		t.Errorf("purchase row lacks trx_no or notes: %+v", ms[1])
	}
	// Another day has nothing.
	tomorrow := now.Add(24 * time.Hour)
	if ms, err := w.client.Mutations(ctx, tomorrow, tomorrow); err != nil || len(ms) != 0 {
		t.Errorf("tomorrow's mutations = %+v, %v", ms, err)
	}
}

func TestMutationAnswers(t *testing.T) {
	row := `{"debit":0,"credit":"5500","balance":994500.0,"notes":"Trx IS5 ...","trx_no":"T-20260421-LKXQY4","created_at":"2026-04-21 11:00:00"}`
	paged := func(n int) string {
		return `{"status":"success","data":{"data":[` + row + `],"meta":{"current_page":` + string(rune('0'+n)) + `,"last_page":2}}}`
	}
	c, rec := cannedClient(t, func(path string, body map[string]any) (int, string) {
		if p, ok := body["page"].(float64); ok {
			return 200, paged(int(p))
		}
		return 200, paged(1)
	})
	ms, err := c.Mutations(context.Background(), time.Now(), time.Now())
	if err != nil || len(ms) != 2 || rec.count("mutations") != 2 {
		t.Fatalf("Mutations = %+v, %v after %d requests; want both pages", ms, err, rec.count("mutations"))
	}
	want := time.Date(2026, 4, 21, 11, 0, 0, 0, flows.WIB)
	if ms[0].Debit != 5500 || ms[0].Balance != 994500 || !ms[0].Time.Equal(want) || ms[0].TxNo != "T-20260421-LKXQY4" {
		t.Errorf("row = %+v", ms[0])
	}
	c, _ = cannedClient(t, func(string, map[string]any) (int, string) {
		return 200, `{"status":"success","data":[{"debit":0,"credit":1,"created_at":"kemarin"}]}`
	})
	if _, err := c.Mutations(context.Background(), time.Now(), time.Now()); kindOf(err) != flows.KindUnknown {
		t.Errorf("an unreadable date = %v, want unknown", err)
	}
}

func TestHistoryAndLookup(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for i, last4 := range []string{"7890", "2014", "1002", "7891"} {
		if _, err := w.client.Place(ctx, order("H"+last4, "IS5", phone(last4))); err != nil {
			t.Fatal(i, err)
		}
		w.clock.Advance(time.Second)
	}
	flat, err := w.client.History(ctx, HistoryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(flat.Transactions) != 4 || flat.Page != 0 || flat.Transactions[0].RefID != "H7891" {
		t.Errorf("flat history = %+v, want 4 rows, newest first", flat)
	}
	paged, err := w.client.History(ctx, HistoryFilter{Date: w.clock.Now(), Page: 2, PerPage: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(paged.Transactions) != 1 || paged.Page != 2 || paged.LastPage != 2 || paged.Total != 4 {
		t.Errorf("page 2 = %+v", paged)
	}
	failed, err := w.client.History(ctx, HistoryFilter{From: w.clock.Now(), To: w.clock.Now(), Status: flows.StatusFailed})
	if err != nil || len(failed.Transactions) != 1 || failed.Transactions[0].RefID != "H2014" ||
		failed.Transactions[0].Status != flows.StatusFailed || failed.Transactions[0].RC != "14" {
		t.Errorf("failed history = %+v, %v", failed, err)
	}
	pending, err := w.client.History(ctx, HistoryFilter{Status: flows.StatusPending, ProductCode: "IS5"})
	if err != nil || len(pending.Transactions) != 1 || pending.Transactions[0].RefID != "H1002" {
		t.Errorf("pending history = %+v, %v", pending, err)
	}
	yesterday, err := w.client.History(ctx, HistoryFilter{Date: w.clock.Now().Add(-24 * time.Hour)})
	if err != nil || len(yesterday.Transactions) != 0 {
		t.Errorf("yesterday = %+v, %v", yesterday, err)
	}

	tx, err := w.client.Lookup(ctx, "H7890")
	sim, _ := w.sim.Transaction("H7890")
	if err != nil || tx.Status != flows.StatusSuccess || tx.SN != sim.SN || tx.Price != 5500 || tx.ProviderTxID != sim.TrxNo ||
		!tx.CreatedAt.Equal(sim.CreatedAt.Truncate(time.Second)) {
		t.Errorf("Lookup = %+v, %v; simulator %+v", tx, err, sim)
	}
	if _, err := w.client.Lookup(ctx, "NOPE"); kindOf(err) != flows.KindNotFound {
		t.Errorf("Lookup(NOPE) = %v, want not_found", err)
	}
}

// TestHistorySeedShape: the seed's own history row has a label and no code.
func TestHistorySeedShape(t *testing.T) {
	c, _ := cannedClient(t, func(string, map[string]any) (int, string) {
		return 200, `{"status":"success","code":200,"message":"success","data":[{"ref_1":"TEST-1","product_code":"IS5","customer_id":"081234567890","status_label":"success","total_price":"5500","created_at":"2026-04-21 11:00:00"}]}`
	})
	h, err := c.History(context.Background(), HistoryFilter{})
	if err != nil || len(h.Transactions) != 1 {
		t.Fatalf("History = %+v, %v", h, err)
	}
	got := h.Transactions[0]
	if got.RefID != "TEST-1" || got.Status != flows.StatusSuccess || got.Price != 5500 || got.CustomerID != "081234567890" {
		t.Errorf("row = %+v", got)
	}
}
