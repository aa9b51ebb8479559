package digiflazz_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/provider/digiflazz"
	"topupbot/provider/sandbox/digiflazzsim"
)

// These tests run the client against the Digiflazz simulator over HTTP:
// every endpoint the bot uses, with the simulator's test numbers.

const (
	user = "demouser"
	key  = "dev-0123456789abcdef"
)

var ctx = context.Background()

// clock is a settable clock shared by the client and the simulator.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	sim    *digiflazzsim.Server
	client *digiflazz.Client
	clock  *clock
	url    string
}

func newEnv(t *testing.T, opts digiflazzsim.Options) *env {
	t.Helper()
	e := &env{clock: &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, flows.WIB)}}
	opts.Username, opts.APIKey = user, key
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	if opts.Settle == 0 {
		opts.Settle = -1 // tests settle by hand unless they ask otherwise
	}
	e.sim = digiflazzsim.New(opts)
	srv := httptest.NewServer(e.sim)
	t.Cleanup(srv.Close)
	t.Cleanup(e.sim.Close)
	e.url = srv.URL + "/v1"
	e.client = e.newClient(t, key)
	return e
}

func (e *env) newClient(t *testing.T, apiKey string) *digiflazz.Client {
	t.Helper()
	c, err := digiflazz.New(digiflazz.Config{BaseURL: e.url, Username: user, APIKey: apiKey, Testing: true, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func order(ref, sku, number string) flows.OrderRequest {
	return flows.OrderRequest{RefID: ref, ProductCode: sku, CustomerNumber: number}
}

func kind(err error) flows.ErrorKind { return flows.KindOf(err) }

func TestBalance(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{Deposit: 1_234_567})
	got, err := e.client.Balance(ctx)
	if err != nil || got != 1_234_567 {
		t.Fatalf("Balance = %d, %v; want 1234567", got, err)
	}
	if _, err := e.newClient(t, "wrong-key-000").Balance(ctx); kind(err) != flows.KindMisconfigured {
		t.Errorf("wrong key: %v, want misconfigured", err)
	}
}

func TestPlaceSuccess(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	before := e.sim.Deposit()
	res, err := e.client.Place(ctx, order("R1", "xld10", "087800001230"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != flows.StatusSuccess || res.SN == "" || !res.Acknowledged || res.RC != "00" || res.Price != 10_125 {
		t.Errorf("result = %+v", res)
	}
	if !res.BalanceKnown || res.Balance != before-10_125 || e.sim.Deposit() != before-10_125 {
		t.Errorf("balance %d (known %v), deposit %d; want %d", res.Balance, res.BalanceKnown, e.sim.Deposit(), before-10_125)
	}
}

func TestPlacePLNTokenCarriesTheTokenLine(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	res, err := e.client.Place(ctx, order("R1", "pln20", "12345678901"))
	if err != nil || res.Status != flows.StatusSuccess {
		t.Fatalf("%+v, %v", res, err)
	}
	if !bytes.Contains([]byte(res.SN), []byte("/SINTYA OKTAVIANI/")) {
		t.Errorf("SN %q lacks the token line's name", res.SN)
	}
}

func TestPlaceFailedTransactionIsRefunded(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	before := e.sim.Deposit()
	res, err := e.client.Place(ctx, order("R1", "xld10", "087800001232"))
	if err != nil || res.Status != flows.StatusFailed || res.RC != "02" || res.Reason != flows.ReasonFailed {
		t.Fatalf("%+v, %v; want failed rc 02", res, err)
	}
	if e.sim.Deposit() != before {
		t.Errorf("deposit %d, want %d (refunded)", e.sim.Deposit(), before)
	}
	// The seller switched off: a transaction made and failed, rc 53.
	res, err = e.client.Place(ctx, order("R2", "tsel100", "081234561230"))
	if err != nil || res.Status != flows.StatusFailed || res.RC != "53" || res.Reason != flows.ReasonProductUnavailable {
		t.Fatalf("%+v, %v; want failed rc 53", res, err)
	}
}

func TestPendingThenSettledByReSend(t *testing.T) {
	for _, tc := range []struct {
		number string
		want   flows.Status
	}{
		{"087800001233", flows.StatusSuccess},
		{"087800001234", flows.StatusFailed},
	} {
		t.Run(tc.number, func(t *testing.T) {
			e := newEnv(t, digiflazzsim.Options{})
			before := e.sim.Deposit()
			req := order("R1", "xld10", tc.number)
			req.MaxPrice = 11_000
			res, err := e.client.Place(ctx, req)
			if err != nil || res.Status != flows.StatusPending || !res.Acknowledged || res.RC != "03" {
				t.Fatalf("place: %+v, %v", res, err)
			}
			req.Acknowledged, req.SentAt = true, e.clock.Now()
			if res, err := e.client.Check(ctx, req); err != nil || res.Status != flows.StatusPending {
				t.Fatalf("check before settling: %+v, %v", res, err)
			}
			if err := e.sim.Settle("R1"); err != nil {
				t.Fatal(err)
			}
			res, err = e.client.Check(ctx, req)
			if err != nil || res.Status != tc.want {
				t.Fatalf("check after settling: %+v, %v; want %s", res, err, tc.want)
			}
			// The re-send is the first send, byte for byte.
			bodies := e.sim.Bodies("R1")
			if len(bodies) != 3 || !bytes.Equal(bodies[0], bodies[1]) || !bytes.Equal(bodies[0], bodies[2]) {
				t.Errorf("bodies differ or are not 3:\n%s", bytes.Join(bodies, []byte("\n")))
			}
			wantDeposit := before - 10_125
			if tc.want == flows.StatusFailed {
				wantDeposit = before
			}
			if e.sim.Deposit() != wantDeposit {
				t.Errorf("deposit %d, want %d: one charge at most", e.sim.Deposit(), wantDeposit)
			}
		})
	}
}

func TestCheckPlacesAnOrderWhoseFirstSendWasLost(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	res, err := e.client.Check(ctx, order("R1", "xld10", "087800001230"))
	if err != nil || res.Status != flows.StatusSuccess {
		t.Fatalf("%+v, %v", res, err)
	}
	if tx, ok := e.sim.Transaction("R1"); !ok || tx.Status != digiflazzsim.StatusSuccess {
		t.Errorf("simulator holds %+v, %v", tx, ok)
	}
}

func TestDifferingReSendIsRefNotUniqueAndChangesNothing(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	req := order("R1", "xld10", "087800001233")
	if _, err := e.client.Place(ctx, req); err != nil {
		t.Fatal(err)
	}
	deposit := e.sim.Deposit()
	req.MaxPrice = 20_000 // stored differently from what was first sent
	res, err := e.client.Check(ctx, req)
	var pe *flows.ProviderError
	if !errors.As(err, &pe) || pe.Kind != flows.KindUnknown || pe.RC != "49" || !digiflazz.IsRefNotUnique(err) {
		t.Fatalf("%+v, %v; want unknown rc 49", res, err)
	}
	if tx, _ := e.sim.Transaction("R1"); tx.Status != digiflazzsim.StatusPending || tx.MaxPrice != 0 || e.sim.Deposit() != deposit {
		t.Errorf("simulator changed: %+v, deposit %d", tx, e.sim.Deposit())
	}
}

func TestCheckRefusesARefTooOldAndSendsNothing(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	req := order("R1", "xld10", "087800001233")
	req.SentAt = e.clock.Now().Add(-90 * 24 * time.Hour)
	_, err := e.client.Check(ctx, req)
	if kind(err) != flows.KindMisconfigured || !errors.Is(err, digiflazz.ErrTooOldToRecheck) {
		t.Fatalf("err = %v, want misconfigured too old", err)
	}
	if n := e.sim.Requests("R1"); n != 0 {
		t.Errorf("%d requests reached the simulator, want none", n)
	}
	// Just inside the limit it is re-sent.
	req.SentAt = e.clock.Now().Add(-digiflazz.MaxRecheckAge + time.Hour)
	if res, err := e.client.Check(ctx, req); err != nil || res.Status != flows.StatusPending {
		t.Fatalf("inside the limit: %+v, %v", res, err)
	}
}

func TestRefusalsCreateNothing(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     digiflazzsim.Options
		req      flows.OrderRequest
		rc       string
		reason   flows.Reason
		maxPrice int64
	}{
		{"max_price below the price", digiflazzsim.Options{}, order("R1", "xld10", "087800001230"), "69", flows.ReasonProductUnavailable, 10_000},
		{"unknown sku", digiflazzsim.Options{}, order("R1", "nope", "087800001230"), "43", flows.ReasonProductUnavailable, 0},
		{"inactive sku", digiflazzsim.Options{}, order("R1", "oldtsel1", "087800001230"), "43", flows.ReasonProductUnavailable, 0},
		{"deposit too low", digiflazzsim.Options{Deposit: 5_000}, order("R1", "xld10", "087800001230"), "44", flows.ReasonProviderBalance, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.opts)
			before := e.sim.Deposit()
			tc.req.MaxPrice = tc.maxPrice
			_, err := e.client.Place(ctx, tc.req)
			var pe *flows.ProviderError
			if !errors.As(err, &pe) || pe.Kind != flows.KindRejected || pe.RC != tc.rc || pe.Reason != tc.reason {
				t.Fatalf("err = %v, want rejected rc %s %s", err, tc.rc, tc.reason)
			}
			if _, ok := e.sim.Transaction("R1"); ok || e.sim.Deposit() != before {
				t.Errorf("something was created or charged: deposit %d, want %d", e.sim.Deposit(), before)
			}
			// The same refusal on a check says nothing about the order.
			if _, err := e.client.Check(ctx, tc.req); kind(err) != flows.KindUnknown {
				t.Errorf("check: %v, want unknown", err)
			}
		})
	}
}

func TestMaxPriceAtThePriceIsAccepted(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	req := order("R1", "xld10", "087800001230")
	req.MaxPrice = 10_125
	if res, err := e.client.Place(ctx, req); err != nil || res.Status != flows.StatusSuccess {
		t.Fatalf("%+v, %v", res, err)
	}
}

func TestAccountProblemsAreMisconfigured(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	bad := e.newClient(t, "wrong-key-000")
	if _, err := bad.Place(ctx, order("R1", "xld10", "087800001230")); kind(err) != flows.KindMisconfigured {
		t.Errorf("wrong key, place: %v", err)
	}
	if _, err := bad.Check(ctx, order("R1", "xld10", "087800001230")); kind(err) != flows.KindMisconfigured {
		t.Errorf("wrong key, check: %v", err)
	}
	other, err := digiflazz.New(digiflazz.Config{BaseURL: e.url, Username: "stranger", APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Place(ctx, order("R2", "xld10", "087800001230")); kind(err) != flows.KindMisconfigured {
		t.Errorf("unknown username: %v", err)
	}
	if _, ok := e.sim.Transaction("R1"); ok {
		t.Error("a refused request created a transaction")
	}
}

func TestGameIDIsSentWrittenTogether(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	res, err := e.client.Place(ctx, order("R1", "ml86", "12345678|5678"))
	if err != nil || res.Status != flows.StatusSuccess {
		t.Fatalf("%+v, %v", res, err)
	}
	if tx, _ := e.sim.Transaction("R1"); tx.CustomerNo != "123456785678" {
		t.Errorf("customer_no %q, want 123456785678", tx.CustomerNo)
	}
}

func TestPriceListIsRateLimitedNeverEmpty(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	src := map[string]flows.CatalogSource{}
	for _, s := range e.client.CatalogSources() {
		src[s.Name] = s
		if s.MinInterval != 5*time.Minute {
			t.Errorf("%s: MinInterval %s", s.Name, s.MinInterval)
		}
	}
	if src["prepaid"].Kind != flows.Prepaid || src["postpaid"].Kind != flows.Postpaid {
		t.Fatalf("sources %+v", src)
	}
	prepaid, err := src["prepaid"].Products(ctx)
	if err != nil || len(prepaid) == 0 {
		t.Fatalf("prepaid: %d products, %v", len(prepaid), err)
	}
	again, err := src["prepaid"].Products(ctx)
	if err == nil || again != nil || kind(err) != flows.KindUnknown || !errors.Is(err, digiflazz.ErrTooSoon) {
		t.Fatalf("asked again too soon: %d products, %v; want an error", len(again), err)
	}
	// The postpaid list is limited on its own.
	if bills, err := src["postpaid"].Products(ctx); err != nil || len(bills) != 2 {
		t.Fatalf("postpaid: %+v, %v", bills, err)
	}
	// A filtered list is not the full one.
	if items, err := e.client.PriceList(ctx, digiflazz.ListPrepaid, digiflazz.PriceFilter{Brand: "XL"}); err != nil || len(items) != 2 {
		t.Fatalf("filtered: %+v, %v", items, err)
	}
	e.clock.Add(5 * time.Minute)
	if _, err := src["prepaid"].Products(ctx); err != nil {
		t.Fatalf("five minutes on: %v", err)
	}
}

func TestPriceListMapsCategories(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	all, err := e.client.Products(ctx)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]flows.Product{}
	for _, p := range all {
		by[p.Code] = p
	}
	for _, tc := range []struct {
		code      string
		category  flows.CategoryID
		number    flows.NumberKind
		typ       flows.ProductType
		available bool
	}{
		{"xld10", flows.CategoryPulsa, flows.NumberPhone, flows.TypeTopUp, true},
		{"tsel100", flows.CategoryPulsa, flows.NumberPhone, flows.TypeTopUp, false},
		{"oldtsel1", flows.CategoryPulsa, flows.NumberPhone, flows.TypeTopUp, false},
		{"xldata1", flows.CategoryData, flows.NumberPhone, flows.TypeTopUp, true},
		{"pln20", flows.CategoryPLN, flows.NumberPLNMeter, flows.TypePLNToken, true},
		{"ml86", flows.CategoryGame, flows.NumberGameID, flows.TypeTopUp, true},
		{"gplay20", flows.CategoryGame, flows.NumberAny, flows.TypeVoucher, true},
		{"dana25", flows.CategoryEMoney, flows.NumberPhone, flows.TypeTopUp, true},
		{"pln", flows.CategoryBill, flows.NumberBill, "", true},
		{"bpjs", flows.CategoryBill, flows.NumberBill, "", true},
	} {
		p, ok := by[tc.code]
		if !ok {
			t.Errorf("%s missing", tc.code)
			continue
		}
		if p.Category != tc.category || p.Number != tc.number || p.Type != tc.typ || p.Available != tc.available {
			t.Errorf("%s = %+v", tc.code, p)
		}
	}
	if by["ml86"].NumberFormat != "{userid}|{zoneid}" || by["xld10"].Price != 10_125 || by["xld10"].Name != "XL 10.000" {
		t.Errorf("ml86 %+v, xld10 %+v", by["ml86"], by["xld10"])
	}
	if by["bpjs"].Kind != flows.Postpaid || by["xld10"].Kind != flows.Prepaid {
		t.Error("kinds")
	}
}

func TestInquireMeter(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	m, err := e.client.InquireMeter(ctx, "12345678901")
	if err != nil || m.Name != "SINTYA OKTAVIANI" || m.MeterNumber != "12345678901" || m.SegmentPower == "" || m.SubscriberID == "" {
		t.Fatalf("%+v, %v", m, err)
	}
	for number, reason := range map[string]flows.Reason{"12345679999": flows.ReasonWrongNumber, "123": flows.ReasonWrongNumber} {
		_, err := e.client.InquireMeter(ctx, number)
		if kind(err) != flows.KindRejected || flows.ReasonOf(err) != reason {
			t.Errorf("%s: %v, want rejected %s", number, err, reason)
		}
	}
}

func TestBillPaid(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	before := e.sim.Deposit()
	bill, err := e.client.InquireBill(ctx, flows.BillRequest{RefID: "B1", ProductCode: "pln", CustomerNumber: "530000000001"})
	if err != nil {
		t.Fatal(err)
	}
	if bill.RefID != "B1" || bill.CustomerName == "" || bill.AdminFee != 2_500 || bill.Total != 152_500 || bill.Amount != 150_000 ||
		bill.Cost != 152_000 || bill.Period == "" || len(bill.Details) == 0 || bill.Expires.IsZero() {
		t.Errorf("bill = %+v", bill)
	}
	if _, err := e.client.CheckBill(ctx, bill); kind(err) != flows.KindNotFound {
		t.Errorf("check before paying: %v, want not found", err)
	}
	res, err := e.client.PayBill(ctx, bill)
	if err != nil || res.Status != flows.StatusSuccess || res.SN == "" || res.Price != 152_000 {
		t.Fatalf("pay: %+v, %v", res, err)
	}
	if res, err := e.client.CheckBill(ctx, bill); err != nil || res.Status != flows.StatusSuccess {
		t.Errorf("check after paying: %+v, %v", res, err)
	}
	if e.sim.Deposit() != before-152_000 {
		t.Errorf("deposit %d, want %d", e.sim.Deposit(), before-152_000)
	}
	// Payment and status went under the inquiry's ref.
	if n := e.sim.Requests("B1"); n != 4 {
		t.Errorf("%d requests under B1, want 4", n)
	}
}

func TestBillPaymentFails(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	before := e.sim.Deposit()
	bill, err := e.client.InquireBill(ctx, flows.BillRequest{RefID: "B2", ProductCode: "bpjs", CustomerNumber: "8801234560002"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.client.PayBill(ctx, bill)
	if err != nil || res.Status != flows.StatusFailed || res.RC != "02" {
		t.Fatalf("pay: %+v, %v; want failed", res, err)
	}
	if e.sim.Deposit() != before {
		t.Errorf("deposit %d, want %d (refunded)", e.sim.Deposit(), before)
	}
}

func TestNoBill(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	_, err := e.client.InquireBill(ctx, flows.BillRequest{RefID: "B3", ProductCode: "pln", CustomerNumber: "530000000003"})
	if kind(err) != flows.KindRejected || flows.ReasonOf(err) != flows.ReasonBillUnavailable {
		t.Fatalf("err = %v, want rejected bill_unavailable", err)
	}
}

func TestExpiredBillIsNotPaid(t *testing.T) {
	e := newEnv(t, digiflazzsim.Options{})
	bill, err := e.client.InquireBill(ctx, flows.BillRequest{RefID: "B1", ProductCode: "pln", CustomerNumber: "530000000001"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(14 * time.Hour)
	if _, err := e.client.PayBill(ctx, bill); kind(err) != flows.KindRejected || flows.ReasonOf(err) != flows.ReasonBillExpired {
		t.Fatalf("err = %v, want rejected bill_expired", err)
	}
	if n := e.sim.Requests("B1"); n != 1 {
		t.Errorf("%d requests, want only the inquiry", n)
	}
}

func TestWebhookFromTheSimulatorSettles(t *testing.T) {
	got := make(chan digiflazz.Webhook, 1)
	h, err := digiflazz.WebhookHandler(digiflazz.WebhookOptions{Secret: "somesecret", Handle: func(_ context.Context, wh digiflazz.Webhook) error {
		got <- wh
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	hook := httptest.NewServer(h)
	defer hook.Close()
	settled := make(chan string, 1)
	e := newEnv(t, digiflazzsim.Options{
		Settle: time.Millisecond, WebhookURL: hook.URL, WebhookSecret: "somesecret",
		OnSettle: func(ref, status string, at time.Time) { settled <- ref + " " + status },
	})
	if res, err := e.client.Place(ctx, order("R1", "xld10", "087800001233")); err != nil || res.Status != flows.StatusPending {
		t.Fatalf("%+v, %v", res, err)
	}
	if s := <-settled; s != "R1 Sukses" {
		t.Errorf("OnSettle %q", s)
	}
	wh := <-got
	if !wh.Verified || wh.Event != "update" || wh.RefID != "R1" || wh.SKU != "xld10" || wh.CustomerNo != "087800001233" || wh.Postpaid ||
		wh.Err != nil || wh.Result.Status != flows.StatusSuccess || wh.Result.SN == "" {
		t.Errorf("webhook = %+v", wh)
	}
}
