package flows_test

// Regression tests from a review of the money path: the bill payment path.

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/provider/mesinr1"
	"topupbot/storage"
)

// TestMesinR1BillNoRecordAfterHoldIsNotFailed: DESIGN rule 4 says a
// Mesin R1 status or history answer without a record never fails an order;
// rule 8 fails a bill after the hold only when status "still shows only the
// inquiry". Here the payment answer was lost (502: unknown, the money may
// have moved) and, after the hold, status and history answer with no record
// at all. The order must stay pending (and alert), not fail.
func TestMesinR1BillNoRecordAfterHoldIsNotFailed(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	var payments atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch name := strings.TrimPrefix(r.URL.Path, "/V1/api/"); {
		case name == "payment":
			payments.Add(1)
			w.WriteHeader(http.StatusBadGateway) // answer lost: unknown
			io.WriteString(w, `<html>502 Bad Gateway</html>`)
		case name == "status", strings.HasPrefix(name, "history/"):
			// An answer without any record: not the inquiry, not the payment.
			io.WriteString(w, `{"status":"error","rc":"25","message":"DATA TIDAK DITEMUKAN","data":null}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"status":"error","message":"no route"}`)
		}
	}))
	t.Cleanup(srv.Close)
	client, err := mesinr1.New(mesinr1.Config{BaseURL: srv.URL, MMID: "C71283", APIKey: "r1-key",
		HTTPClient: &http.Client{Timeout: 2 * time.Second}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	engine := flows.NewEngine(db, client, flows.EngineConfig{ProviderTimeout: 2 * time.Second, OpsChatID: opsChat, Now: clk.Now})

	bill := flows.Bill{RefID: "261123090000REVB001", ProductCode: "PLNPASC", CustomerNumber: "546302215889",
		CustomerName: "ANTO", Amount: 300000, AdminFee: 2750, Total: 302750, Expires: clk.Now().Add(mesinr1.InquiryHold)}
	o, created, err := engine.CreateBill(bg, flows.PayRequest{ChatID: buyer, UserID: buyer, Token: "rev-bill-1",
		Product: flows.Product{Code: "PLNPASC", Name: "PLN Pascabayar", Kind: flows.Postpaid}, Bill: bill, Price: 305000, MessageID: 5})
	if err != nil || !created {
		t.Fatalf("create bill: %v %v", created, err)
	}
	paid, err := engine.SendBill(bg, o.RefID)
	if err != nil {
		t.Fatal(err)
	}
	if paid.Status != flows.StatusPending || payments.Load() != 1 {
		t.Fatalf("after a lost payment answer: status %s, %d payments; want pending, 1", paid.Status, payments.Load())
	}

	clk.Advance(mesinr1.InquiryHold + 10*time.Minute) // past the hold and billGrace
	got, err := engine.Check(bg, o.RefID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status == flows.StatusFailed {
		t.Errorf("a bill whose payment answer was lost was FAILED (reason %s) on a status answer without any record; "+
			"DESIGN rule 4: such an answer never fails an order (rule 8 fails only 'inquiry only')", got.Reason)
	}
	if payments.Load() != 1 {
		t.Errorf("%d payment requests, want 1", payments.Load())
	}
}

// billProvider is a provider whose PayBill only counts.
type billProvider struct {
	payments atomic.Int32
}

func (p *billProvider) Account() flows.Account {
	return flows.Account{Provider: "fake", ID: "acct", KeyHash: "k"}
}
func (p *billProvider) Place(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	return flows.Result{Status: flows.StatusPending}, nil
}
func (p *billProvider) Check(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	return flows.Result{Status: flows.StatusPending}, nil
}
func (p *billProvider) InquireBill(ctx context.Context, req flows.BillRequest) (flows.Bill, error) {
	return flows.Bill{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: "fake"}
}
func (p *billProvider) PayBill(ctx context.Context, b flows.Bill) (flows.Result, error) {
	p.payments.Add(1)
	return flows.Result{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: "fake: pay"}
}
func (p *billProvider) CheckBill(ctx context.Context, b flows.Bill) (flows.Result, error) {
	return flows.Result{}, &flows.ProviderError{Kind: flows.KindNotFound, Op: "fake: check"}
}

// racingStore is the real store, except that between SendBill's read of the
// order and its "mark pending" transaction another writer settles the order
// (what a second engine on the same file, or any writer not holding this
// engine's ref lock, would do).
type racingStore struct {
	*storage.DB
	once   sync.Once
	before func()
}

func (s *racingStore) UpdateOrder(ctx context.Context, ref string, fn func(o *flows.Order) ([]flows.Notification, error)) (flows.Order, error) {
	s.once.Do(s.before)
	return s.DB.UpdateOrder(ctx, ref, fn)
}

// TestSendBillPaysOnlyWhatItMarkedPending: SendBill's own guard (the
// transaction refuses to mark pending an order that is no longer placing)
// answers ErrNoChange, which UpdateOrder turns into success, and SendBill
// pays anyway. DESIGN rule 8: a payment request is never re-sent; an order
// failed as "payment never sent" must never be paid. Latent today (every
// status change in this process holds the ref lock), but the guard is
// inert.
func TestSendBillPaysOnlyWhatItMarkedPending(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	prov := &billProvider{}
	ref := "261123090000REVB002"
	store := &racingStore{DB: db}
	store.before = func() {
		// Another writer: the order is failed ("the payment was never sent").
		_, err := db.UpdateOrder(bg, ref, func(o *flows.Order) ([]flows.Notification, error) {
			o.Status, o.Reason, o.SettledAt = flows.StatusFailed, flows.ReasonServiceUnavailable, clk.Now()
			return nil, nil
		})
		if err != nil {
			t.Error(err)
		}
	}
	engine := flows.NewEngine(store, prov, flows.EngineConfig{ProviderTimeout: time.Second, Now: clk.Now})
	bill := flows.Bill{RefID: ref, ProductCode: "PLN", CustomerNumber: "5463", Total: 1000, Expires: clk.Now().Add(time.Hour)}
	if _, _, err := engine.CreateBill(bg, flows.PayRequest{ChatID: buyer, UserID: buyer, Token: "rev-bill-2",
		Product: flows.Product{Code: "PLN", Kind: flows.Postpaid}, Bill: bill, Price: 1500}); err != nil {
		t.Fatal(err)
	}
	got, _ := engine.SendBill(bg, ref)
	if n := prov.payments.Load(); n != 0 {
		t.Errorf("SendBill sent %d payment(s) for an order that was %s when it tried to mark it pending", n, got.Status)
	}
}
