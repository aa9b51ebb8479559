package iak_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/provider/iak"
	"topupbot/provider/sandbox/iaksim"
)

// These tests run the client against the IAK simulator over HTTP: every
// endpoint the bot uses, with the simulator's test numbers.

const (
	user = "081234567890"
	key  = "sandbox-api-key"
)

var ctx = context.Background()

type env struct {
	sim    *iaksim.Server
	client *iak.Client
	now    time.Time
}

func newEnv(t *testing.T, opts iaksim.Options) *env {
	t.Helper()
	return newEnvTimeout(t, opts, 10*time.Second)
}

// newEnvTimeout sets the client's timeout; tests of answers slower than the
// client only need it shorter than the simulator's SlowDelay.
func newEnvTimeout(t *testing.T, opts iaksim.Options, timeout time.Duration) *env {
	t.Helper()
	e := &env{now: time.Date(2026, 11, 23, 10, 0, 0, 0, flows.WIB)}
	opts.Username, opts.APIKey = user, key
	if opts.Now == nil {
		opts.Now = func() time.Time { return e.now }
	}
	e.sim = iaksim.New(opts)
	t.Cleanup(e.sim.Close)
	srv := httptest.NewServer(e.sim)
	t.Cleanup(srv.Close)
	c, err := iak.New(iak.Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: user, APIKey: key,
		HTTPClient: &http.Client{Timeout: timeout}, Now: func() time.Time { return e.now }})
	if err != nil {
		t.Fatal(err)
	}
	e.client = c
	return e
}

func req(ref, product, number string) flows.OrderRequest {
	return flows.OrderRequest{RefID: ref, ProductCode: product, CustomerNumber: number}
}

func TestTopUpLifecycle(t *testing.T) {
	e := newEnv(t, iaksim.Options{SettleDelay: -1})
	start := e.sim.Deposit()
	r, err := e.client.Place(ctx, req("REF1", "htelkomsel10000", "081212345678"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != flows.StatusPending || r.RC != "39" || !r.Acknowledged || r.Price != 10850 || r.Balance != start-10850 {
		t.Fatalf("first answer %+v", r)
	}
	// A re-send of the same ref is a status check: no second transaction.
	again, err := e.client.Check(ctx, req("REF1", "htelkomsel10000", "081212345678"))
	if err != nil || again.Status != flows.StatusPending || again.ProviderTxID != r.ProviderTxID {
		t.Fatalf("re-send %+v %v", again, err)
	}
	if n := e.sim.TransactionCount(); n != 1 || e.sim.Deposit() != start-10850 {
		t.Fatalf("%d transactions, deposit %d", n, e.sim.Deposit())
	}
	if err := e.sim.Settle("REF1", true); err != nil {
		t.Fatal(err)
	}
	done, err := e.client.Check(ctx, flows.OrderRequest{RefID: "REF1", Acknowledged: true, ProviderTxID: r.ProviderTxID})
	if err != nil || done.Status != flows.StatusSuccess || done.SN == "" || done.RC != "00" {
		t.Fatalf("check-status %+v %v", done, err)
	}
	tx, _ := e.sim.Transaction("REF1")
	if tx.TopUps != 2 || tx.StatusChecks != 1 || done.SN != tx.SN {
		t.Errorf("simulator saw %+v", tx)
	}
	bal, err := e.client.Balance(ctx)
	if err != nil || bal != start-10850 {
		t.Errorf("balance %d %v, want %d", bal, err, start-10850)
	}
}

func TestFailedTransactionRefunds(t *testing.T) {
	e := newEnv(t, iaksim.Options{SettleDelay: -1})
	start := e.sim.Deposit()
	r, err := e.client.Place(ctx, req("REF2", "htelkomsel10000", "081212345678"))
	if err != nil {
		t.Fatal(err)
	}
	e.sim.Settle("REF2", false)
	got, err := e.client.Check(ctx, flows.OrderRequest{RefID: "REF2", Acknowledged: true, ProviderTxID: r.ProviderTxID})
	if err != nil || got.Status != flows.StatusFailed || got.Reason != flows.ReasonFailed || got.RC != "07" {
		t.Fatalf("%+v %v", got, err)
	}
	if e.sim.Deposit() != start {
		t.Errorf("deposit %d, want %d after the refund", e.sim.Deposit(), start)
	}
}

// TestProductSNs: each product type's settlement carries what the buyer
// needs — an SN, a PLN token line, a game PIN, an eSIM activation code.
func TestProductSNs(t *testing.T) {
	e := newEnv(t, iaksim.Options{})
	tests := []struct{ product, number string }{
		{"htelkomsel10000", "081212345678"},
		{"hpln20000", "12345678901"},
		{"hmobilelegend86", "156378300|8483"},
		{"hgoogleplay20000", "081212345678"},
		{"dana50000", "081212345678"},
	}
	products, err := e.client.Products(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var esim string
	for _, p := range products {
		if p.Category == flows.CategoryESIM && p.Available {
			esim = p.Code
		}
	}
	if esim == "" {
		t.Fatal("no eSIM product in the catalog")
	}
	tests = append(tests, struct{ product, number string }{esim, "081234567812"})
	for i, tt := range tests {
		ref := fmt.Sprintf("SN%d", i)
		if _, err := e.client.Place(ctx, req(ref, tt.product, tt.number)); err != nil {
			// dana50000 may be named differently; report clearly.
			t.Errorf("%s: %v", tt.product, err)
			continue
		}
		r, err := e.client.Check(ctx, flows.OrderRequest{RefID: ref, Acknowledged: true})
		if err != nil || r.Status != flows.StatusSuccess || r.SN == "" {
			t.Errorf("%s: %+v %v", tt.product, r, err)
			continue
		}
		switch {
		case tt.product == "hpln20000":
			if parts := strings.Split(r.SN, "/"); len(parts) != 5 || len(strings.ReplaceAll(parts[0], "-", "")) != 20 {
				t.Errorf("PLN SN %q is not token/name/segment/power/kWh", r.SN)
			}
		case tt.product == "hgoogleplay20000" && r.PIN == "":
			t.Errorf("game voucher without a PIN: %+v", r)
		case tt.product == esim && !strings.HasPrefix(r.ActivationCode, "LPA:1$"):
			t.Errorf("eSIM activation code %q", r.ActivationCode)
		}
	}
}

// TestRefusalsByClass runs a first send of each refusal the simulator can
// produce and checks the outcome kind the engine will act on.
func TestRefusalsByClass(t *testing.T) {
	e := newEnv(t, iaksim.Options{SettleDelay: -1})
	tests := []struct {
		name, product, number string
		kind                  flows.ErrorKind
		reason                flows.Reason
	}{
		{"wrong number", "htelkomsel10000", "081212340014", flows.KindRejected, flows.ReasonWrongNumber},
		{"blocked", "htelkomsel10000", "081212340013", flows.KindRejected, flows.ReasonNumberBlocked},
		{"operator mismatch", "htelkomsel10000", "081712345678", flows.KindRejected, flows.ReasonOperatorMismatch},
		{"unknown product", "nosuchproduct", "081212345678", flows.KindRejected, flows.ReasonProductUnavailable},
		{"inactive product", "hsmart5000", "088112345678", flows.KindRejected, flows.ReasonProductUnavailable},
		{"bad PLN meter", "hpln20000", "1234", flows.KindRejected, flows.ReasonWrongNumber},
		{"daily limit", "htelkomsel10000", "081212340202", flows.KindRejected, flows.ReasonLimitReached},
		{"no deposit", "htelkomsel10000", "081212340017", flows.KindRejected, flows.ReasonProviderBalance},
		{"maintenance", "htelkomsel10000", "081212340110", flows.KindRejected, flows.ReasonServiceUnavailable},
		{"ip not whitelisted", "htelkomsel10000", "081212340102", flows.KindMisconfigured, ""},
		{"suspended", "htelkomsel10000", "081212340118", flows.KindMisconfigured, ""},
	}
	for i, tt := range tests {
		_, err := e.client.Place(ctx, req(fmt.Sprintf("RJ%d", i), tt.product, tt.number))
		if flows.KindOf(err) != tt.kind || (tt.reason != "" && flows.ReasonOf(err) != tt.reason) {
			t.Errorf("%s: %v, want %s/%s", tt.name, err, tt.kind, tt.reason)
		}
	}
	if n := e.sim.TransactionCount(); n != 0 {
		t.Errorf("refusals created %d transactions", n)
	}
	// A wrong api key is misconfigured, for orders and for reports alike.
	bad, _ := iak.New(iak.Config{PrepaidURL: serverOf(t, e.sim), PostpaidURL: serverOf(t, e.sim), Username: user, APIKey: "wrong"})
	if _, err := bad.Place(ctx, req("RJX", "htelkomsel10000", "081212345678")); flows.KindOf(err) != flows.KindMisconfigured {
		t.Errorf("wrong key on a top-up: %v", err)
	}
	if _, err := bad.Balance(ctx); flows.KindOf(err) != flows.KindMisconfigured {
		t.Errorf("wrong key on a balance: %v", err)
	}
}

func serverOf(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestTransportFaults: the simulator creates the transaction and then its
// answer is lost — a 504 page, a stall past the client timeout, a truncated
// body. Each is unknown, never a refusal; the next check finds the one
// transaction.
func TestTransportFaults(t *testing.T) {
	e := newEnvTimeout(t, iaksim.Options{SettleDelay: -1, SlowDelay: time.Minute}, time.Second)
	for i, number := range []string{"081212349504", "081212349408", "081212349200"} {
		ref := fmt.Sprintf("TF%d", i)
		_, err := e.client.Place(ctx, req(ref, "htelkomsel10000", number))
		if flows.KindOf(err) != flows.KindUnknown {
			t.Errorf("%s: %v, want unknown", number, err)
			continue
		}
		r, err := e.client.Check(ctx, req(ref, "htelkomsel10000", number))
		if err != nil || r.Status != flows.StatusPending || !r.Acknowledged {
			t.Errorf("%s re-send: %+v %v", number, r, err)
		}
	}
	if n := e.sim.TransactionCount(); n != 3 {
		t.Errorf("%d transactions, want 3", n)
	}
}

// TestCheckStatusNotFound: an unknown ref at check-status is "not found".
func TestCheckStatusNotFound(t *testing.T) {
	e := newEnv(t, iaksim.Options{})
	_, err := e.client.Check(ctx, flows.OrderRequest{RefID: "NEVERSENT", Acknowledged: true})
	if flows.KindOf(err) != flows.KindNotFound {
		t.Fatalf("%v, want not found", err)
	}
}

// TestConcurrentSameRef: many concurrent top-ups under one ref create one
// transaction and debit once.
func TestConcurrentSameRef(t *testing.T) {
	e := newEnv(t, iaksim.Options{SettleDelay: -1})
	start := e.sim.Deposit()
	var wg sync.WaitGroup
	txIDs := make(chan string, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.client.Place(ctx, req("SAMEREF", "htelkomsel10000", "081212345678"))
			if err != nil {
				t.Error(err)
				return
			}
			txIDs <- r.ProviderTxID
		}()
	}
	wg.Wait()
	close(txIDs)
	first := ""
	for id := range txIDs {
		if first == "" {
			first = id
		}
		if id != first || id == "" {
			t.Errorf("tr_ids %q and %q", first, id)
		}
	}
	if n := e.sim.TransactionCount(); n != 1 || e.sim.Deposit() != start-10850 {
		t.Errorf("%d transactions, deposit moved by %d", n, start-e.sim.Deposit())
	}
}

func TestCatalogAgainstSimulator(t *testing.T) {
	e := newEnv(t, iaksim.Options{})
	products, err := e.client.Products(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]flows.Product{}
	categories := map[flows.CategoryID]int{}
	for _, p := range products {
		byCode[p.Code] = p
		categories[p.Category]++
	}
	for _, c := range []flows.CategoryID{flows.CategoryPulsa, flows.CategoryData, flows.CategoryPLN, flows.CategoryGame,
		flows.CategoryEMoney, flows.CategoryVoucher, flows.CategoryESIM, flows.CategoryBill} {
		if categories[c] == 0 {
			t.Errorf("no %s products", c)
		}
	}
	if p := byCode["htelkomsel10000"]; p.Price != 10850 || !p.Available || p.Number != flows.NumberPhone || p.Name != "Telkomsel 10.000" {
		t.Errorf("htelkomsel10000: %+v", p)
	}
	if p := byCode["hsmart5000"]; p.Available {
		t.Error("a non active product is available")
	}
	if p := byCode["hmobilelegend86"]; p.NumberFormat != "{userid}|{zoneid}" {
		t.Errorf("Mobile Legend: %+v", p)
	}
	if p := byCode["PLNPOSTPAID"]; p.Kind != flows.Postpaid || !p.Available {
		t.Errorf("PLNPOSTPAID: %+v", p)
	}
	// Filtered lists come from the typed paths.
	items, err := e.client.Pricelist(ctx, "pulsa", "telkomsel", iak.PricelistActive)
	if err != nil || len(items) == 0 {
		t.Fatalf("pricelist pulsa/telkomsel: %d %v", len(items), err)
	}
	for _, it := range items {
		if it.Type != "pulsa" || !it.Active || !strings.HasPrefix(it.Code, "htelkomsel") {
			t.Errorf("filtered pricelist holds %+v", it)
		}
	}
}

func TestInquireMeter(t *testing.T) {
	e := newEnv(t, iaksim.Options{})
	m, err := e.client.InquireMeter(ctx, "12345678901")
	if err != nil || m.Name != "Sintya Oktaviani" || m.MeterNumber == "" {
		t.Fatalf("%+v %v", m, err)
	}
	_, err = e.client.InquireMeter(ctx, "99999999999")
	if flows.KindOf(err) != flows.KindRejected || flows.ReasonOf(err) != flows.ReasonWrongNumber {
		t.Errorf("unknown meter: %v", err)
	}
}

func TestBillsAgainstSimulator(t *testing.T) {
	e := newEnv(t, iaksim.Options{})
	start := e.sim.Deposit()
	bill, err := e.client.InquireBill(ctx, flows.BillRequest{RefID: "INQ1", ProductCode: "PLNPOSTPAID", CustomerNumber: "530000000000"})
	if err != nil {
		t.Fatal(err)
	}
	if bill.Total != bill.Amount+bill.AdminFee || bill.Cost == 0 || bill.Cost > bill.Total || bill.ProviderTxID == "" || bill.CustomerName == "" {
		t.Errorf("bill %+v", bill)
	}
	paid, err := e.client.PayBill(ctx, bill)
	if err != nil || paid.Status != flows.StatusSuccess || paid.SN == "" {
		t.Fatalf("pay %+v %v", paid, err)
	}
	if e.sim.Deposit() != start-bill.Cost {
		t.Errorf("deposit moved by %d, want %d", start-e.sim.Deposit(), bill.Cost)
	}
	if r, err := e.client.CheckBill(ctx, bill); err != nil || r.Status != flows.StatusSuccess {
		t.Errorf("checkstatus of a paid bill: %+v %v", r, err)
	}
	// Paying the same inquiry again is refused: the bill is paid.
	if _, err := e.client.PayBill(ctx, bill); flows.KindOf(err) != flows.KindRejected || flows.ReasonOf(err) != flows.ReasonBillPaid {
		t.Errorf("second payment: %v", err)
	}

	// BPJS needs the months.
	if b, err := e.client.InquireBill(ctx, flows.BillRequest{RefID: "INQ2", ProductCode: "BPJS", CustomerNumber: "8801234560000", Months: 2}); err != nil || b.Total == 0 {
		t.Errorf("BPJS: %+v %v", b, err)
	}

	inquiryRefusals := []struct {
		number string
		reason flows.Reason
	}{
		{"530000000001", flows.ReasonBillPaid},
		{"530000000014", flows.ReasonWrongNumber},
		{"530000000103", flows.ReasonServiceUnavailable},
	}
	for i, tt := range inquiryRefusals {
		_, err := e.client.InquireBill(ctx, flows.BillRequest{RefID: fmt.Sprintf("INQR%d", i), ProductCode: "PLNPOSTPAID", CustomerNumber: tt.number})
		if flows.KindOf(err) != flows.KindRejected || flows.ReasonOf(err) != tt.reason {
			t.Errorf("%s: %v, want %s", tt.number, err, tt.reason)
		}
	}
}

func TestBillPaymentOutcomes(t *testing.T) {
	e := newEnvTimeout(t, iaksim.Options{SlowDelay: time.Minute}, time.Second)
	inquire := func(ref, number string) flows.Bill {
		t.Helper()
		b, err := e.client.InquireBill(ctx, flows.BillRequest{RefID: ref, ProductCode: "PLNPOSTPAID", CustomerNumber: number})
		if err != nil {
			t.Fatalf("%s: %v", number, err)
		}
		return b
	}
	// Payment failed: refused, and checkstatus agrees.
	b := inquire("PF1", "530000001037")
	if _, err := e.client.PayBill(ctx, b); flows.KindOf(err) != flows.KindRejected {
		t.Errorf("1037: %v", err)
	}
	if r, err := e.client.CheckBill(ctx, b); err != nil || r.Status != flows.StatusFailed {
		t.Errorf("1037 checkstatus: %+v %v", r, err)
	}
	// Payment pending, then paid.
	b = inquire("PP1", "530000001039")
	if r, err := e.client.PayBill(ctx, b); err != nil || r.Status != flows.StatusPending {
		t.Errorf("1039: %+v %v", r, err)
	}
	if r, err := e.client.CheckBill(ctx, b); err != nil || r.Status != flows.StatusPending {
		t.Errorf("1039 checkstatus: %+v %v", r, err)
	}
	e.sim.SettleBill("PP1", true)
	if r, err := e.client.CheckBill(ctx, b); err != nil || r.Status != flows.StatusSuccess {
		t.Errorf("1039 settled: %+v %v", r, err)
	}
	// Biller error (105): unknown, never a refusal, per DESIGN rule 8.
	b = inquire("PB1", "530000001105")
	if _, err := e.client.PayBill(ctx, b); flows.KindOf(err) != flows.KindUnknown {
		t.Errorf("1105: %v, want unknown", err)
	}
	// Lost answers: unknown; checkstatus tells the truth.
	for i, number := range []string{"530000009504", "530000009408", "530000009200"} {
		b = inquire(fmt.Sprintf("PL%d", i), number)
		if _, err := e.client.PayBill(ctx, b); flows.KindOf(err) != flows.KindUnknown {
			t.Errorf("%s: %v, want unknown", number, err)
		}
		if r, err := e.client.CheckBill(ctx, b); err != nil || r.Status != flows.StatusSuccess {
			t.Errorf("%s checkstatus: %+v %v", number, r, err)
		}
	}
	// An inquiry never paid: checkstatus says not received.
	b = inquire("NP1", "530000000000")
	if _, err := e.client.CheckBill(ctx, b); flows.KindOf(err) != flows.KindNotFound {
		t.Errorf("unpaid: %v, want not found", err)
	}
	// After 23:00 WIB of the inquiry day the bill is expired: refused here,
	// before IAK is asked.
	e.now = time.Date(2026, 11, 23, 23, 0, 0, 0, flows.WIB)
	if _, err := e.client.PayBill(ctx, b); flows.KindOf(err) != flows.KindRejected || flows.ReasonOf(err) != flows.ReasonBillExpired {
		t.Errorf("expired: %v", err)
	}
	if got, _ := e.sim.Bill("NP1"); got.PayRequests != 0 {
		t.Errorf("an expired bill reached the simulator %d times", got.PayRequests)
	}
}

// TestSimulatorCallbacks: the simulator's signed, string-valued callbacks
// pass the client's handler; the handler hands the ref on.
func TestSimulatorCallbacks(t *testing.T) {
	got := make(chan iak.Callback, 4)
	signer, err := iak.New(iak.Config{Username: user, APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	h, err := signer.CallbackHandler(iak.CallbackOptions{AllowedIPs: []string{"127.0.0.1"},
		Handle: func(_ context.Context, cb iak.Callback) error { got <- cb; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	cbSrv := httptest.NewServer(h)
	defer cbSrv.Close()
	e := newEnv(t, iaksim.Options{SettleDelay: -1, CallbackURL: cbSrv.URL})
	if _, err := e.client.Place(ctx, req("CB1", "hpln20000", "12345678901")); err != nil {
		t.Fatal(err)
	}
	e.sim.Settle("CB1", true)
	select {
	case cb := <-got:
		tx, _ := e.sim.Transaction("CB1")
		if cb.RefID != "CB1" || cb.Claimed != flows.StatusSuccess || cb.SN != tx.SN || cb.Price != 20500 && cb.Price != tx.Price {
			t.Errorf("callback %+v, transaction %+v", cb, tx)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no callback within 5s")
	}
}

// TestInquireGame runs inquiry-game against the simulator, which answers
// as IAK's sandbox does (providers.md §1.2.8).
func TestInquireGame(t *testing.T) {
	e := newEnv(t, iaksim.Options{})
	name, err := e.client.InquireGame(ctx, "Mobile Legend", "156378300|8483")
	if err != nil || name == "" {
		t.Fatalf("sandbox player: %q %v", name, err)
	}
	_, err = e.client.InquireGame(ctx, "Mobile Legend", "12345678|1234")
	if flows.KindOf(err) != flows.KindRejected || flows.ReasonOf(err) != flows.ReasonWrongNumber {
		t.Errorf("another id: %v, want rejected, wrong number", err)
	}
	// Free Fire's code 135 is one the sandbox has no players for.
	if _, err = e.client.InquireGame(ctx, "Free Fire", "12345678"); !errors.Is(err, flows.ErrNoGameCheck) {
		t.Errorf("another game: %v, want ErrNoGameCheck", err)
	}
}
