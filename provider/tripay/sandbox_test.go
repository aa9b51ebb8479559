package tripay

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/provider/sandbox/tripaysim"
)

const (
	testMerchant = "T0001"
	testAPIKey   = "DEV-apikey-0123456789"
	testPrivate  = "priv-0123-4567-89ab"
)

// fakeClock is a settable clock shared by the simulator and the client.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// receiver is the merchant's callback endpoint: it parses every callback
// with the client and answers {"success":true} unless told to refuse.
type receiver struct {
	c      *Client
	mu     sync.Mutex
	refuse int // how many more callbacks to answer 500
	got    []flows.PaymentCallback
	errs   []error
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxCallbackBody))
	cb, err := rc.c.ParseCallback(r.Header, body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err != nil {
		rc.errs = append(rc.errs, err)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	if rc.refuse > 0 {
		rc.refuse--
		http.Error(w, "busy", http.StatusInternalServerError)
		return
	}
	rc.got = append(rc.got, cb)
	_, _ = io.WriteString(w, `{"success": true}`)
}

type rig struct {
	sim   *tripaysim.Server
	c     *Client
	clock *fakeClock
	recv  *receiver
	cbURL string
	srv   *httptest.Server
}

func newRig(t *testing.T, feeToCustomer bool) *rig {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	recv := &receiver{}
	cbSrv := httptest.NewServer(recv)
	t.Cleanup(cbSrv.Close)
	sim := tripaysim.New(tripaysim.Options{MerchantCode: testMerchant, APIKey: testAPIKey, PrivateKey: testPrivate,
		FeeToCustomer: feeToCustomer, Now: clock.Now, CallbackClient: cbSrv.Client()})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL + "/api-sandbox", MerchantCode: testMerchant, APIKey: testAPIKey,
		PrivateKey: testPrivate, HTTPClient: &http.Client{Timeout: 5 * time.Second}, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	recv.c = c
	return &rig{sim: sim, c: c, clock: clock, recv: recv, cbURL: cbSrv.URL + "/callback/tripay", srv: srv}
}

func (r *rig) request(ref string, amount int64) flows.PaymentRequest {
	return flows.PaymentRequest{MerchantRef: ref, Method: "QRIS", Amount: amount, ItemName: "Deposit saldo",
		CustomerName: "Budi", CustomerPhone: "081234567890", CallbackURL: r.cbURL,
		ExpiresAt: r.clock.Now().Add(time.Hour)}
}

func TestCreatePayDetailFindCallback(t *testing.T) {
	r := newRig(t, false)
	ctx := context.Background()
	p, err := r.c.CreatePayment(ctx, r.request("DEP1", 50_000))
	if err != nil {
		t.Fatal(err)
	}
	fee := int64(750 + 350) // 750 + 0.7% of 50.000
	if p.Status != flows.PaymentUnpaid || p.MerchantRef != "DEP1" || p.Reference == "" || p.QRString == "" ||
		p.Amount != 50_000 || p.FeeMerchant != fee || p.FeeCustomer != 0 || p.TotalFee != fee ||
		p.AmountReceived != 50_000-fee || !p.ExpiresAt.Equal(r.clock.Now().Add(time.Hour)) {
		t.Fatalf("created = %+v", p)
	}
	if err := r.sim.Pay("DEP1"); err != nil {
		t.Fatal(err)
	}
	d, err := r.c.PaymentDetail(ctx, p.Reference)
	if err != nil || d.Status != flows.PaymentPaid || !d.PaidAt.Equal(r.clock.Now()) {
		t.Fatalf("detail = %+v, %v", d, err)
	}
	f, err := r.c.FindPayment(ctx, "DEP1")
	// The list names the expiry expired_at; it still reads.
	if err != nil || f.Reference != p.Reference || f.Status != flows.PaymentPaid || !f.ExpiresAt.Equal(p.ExpiresAt) {
		t.Fatalf("find = %+v, %v", f, err)
	}
	// The merchant refuses the first delivery: the callback stays queued
	// and the next round delivers it.
	r.recv.refuse = 1
	if left := r.sim.DeliverCallbacks(ctx); left != 1 {
		t.Fatalf("after a refused delivery %d queued, want 1", left)
	}
	if left := r.sim.DeliverCallbacks(ctx); left != 0 {
		t.Fatalf("after the retry %d queued, want 0", left)
	}
	if len(r.recv.got) != 1 || len(r.recv.errs) != 0 {
		t.Fatalf("callbacks = %+v, errors %v", r.recv.got, r.recv.errs)
	}
	cb := r.recv.got[0]
	want := flows.PaymentCallback{Reference: p.Reference, MerchantRef: "DEP1", Method: "QRIS", Status: flows.PaymentPaid,
		TotalAmount: 50_000, FeeMerchant: fee, AmountReceived: 50_000 - fee, ClosedPayment: true,
		PaidAt: time.Unix(r.clock.Now().Unix(), 0)}
	if cb != want {
		t.Errorf("callback = %+v\nwant       %+v", cb, want)
	}
	if err := r.sim.Refund("DEP1"); err != nil {
		t.Fatal(err)
	}
	r.sim.DeliverCallbacks(ctx)
	if n := len(r.recv.got); n != 2 || r.recv.got[1].Status != flows.PaymentRefund {
		t.Errorf("refund callbacks = %+v", r.recv.got)
	}
}

func TestFeeToCustomer(t *testing.T) {
	r := newRig(t, true)
	p, err := r.c.CreatePayment(context.Background(), r.request("DEP2", 100_000))
	if err != nil {
		t.Fatal(err)
	}
	fee := int64(750 + 700)
	if p.Amount != 100_000+fee || p.FeeCustomer != fee || p.FeeMerchant != 0 || p.AmountReceived != 100_000 {
		t.Errorf("created = %+v", p)
	}
}

func TestExpiryByClock(t *testing.T) {
	r := newRig(t, false)
	ctx := context.Background()
	p, err := r.c.CreatePayment(ctx, r.request("DEP3", 20_000))
	if err != nil {
		t.Fatal(err)
	}
	r.clock.Add(59 * time.Minute)
	if d, _ := r.c.PaymentDetail(ctx, p.Reference); d.Status != flows.PaymentUnpaid {
		t.Fatalf("before expiry status = %s", d.Status)
	}
	r.clock.Add(time.Minute)
	if d, _ := r.c.PaymentDetail(ctx, p.Reference); d.Status != flows.PaymentExpired {
		t.Fatalf("at expiry status = %s", d.Status)
	}
	if err := r.sim.Pay("DEP3"); err == nil {
		t.Error("an expired payment was paid")
	}
	r.sim.DeliverCallbacks(ctx)
	if len(r.recv.got) != 1 || r.recv.got[0].Status != flows.PaymentExpired {
		t.Errorf("callbacks = %+v", r.recv.got)
	}
}

// TestOutcomesByAmount walks the simulator's outcome table through the
// client: what each kind of answer means to the deposit flow.
func TestOutcomesByAmount(t *testing.T) {
	r := newRig(t, false)
	ctx := context.Background()

	// …001: created, answer lost: unknown, and the look-up finds it.
	_, err := r.c.CreatePayment(ctx, r.request("LOST1", 10_001))
	if flows.KindOf(err) != flows.KindUnknown {
		t.Fatalf("001 create = %v, want unknown", err)
	}
	if p, err := r.c.FindPayment(ctx, "LOST1"); err != nil || p.Status != flows.PaymentUnpaid {
		t.Fatalf("001 find = %+v, %v", p, err)
	}
	// Creating it again is a taken merchant ref: still unknown, never rejected.
	if _, err := r.c.CreatePayment(ctx, r.request("LOST1", 10_001)); flows.KindOf(err) != flows.KindUnknown {
		t.Errorf("duplicate create = %v, want unknown", err)
	}
	// …002: refused, nothing created.
	if _, err := r.c.CreatePayment(ctx, r.request("REF2", 10_002)); flows.KindOf(err) != flows.KindRejected {
		t.Errorf("002 create = %v, want rejected", err)
	}
	if _, err := r.c.FindPayment(ctx, "REF2"); flows.KindOf(err) != flows.KindNotFound {
		t.Errorf("002 find = %v, want not found", err)
	}
	// …003: Pay fails it.
	p3, err := r.c.CreatePayment(ctx, r.request("FAIL3", 10_003))
	if err != nil {
		t.Fatal(err)
	}
	_ = r.sim.Pay(p3.Reference)
	if d, _ := r.c.PaymentDetail(ctx, p3.Reference); d.Status != flows.PaymentFailed {
		t.Errorf("003 status = %s, want FAILED", d.Status)
	}
	// …004: paid without a callback.
	if _, err := r.c.CreatePayment(ctx, r.request("QUIET4", 10_004)); err != nil {
		t.Fatal(err)
	}
	_ = r.sim.Pay("QUIET4")
	// …005: its callback comes twice.
	if _, err := r.c.CreatePayment(ctx, r.request("TWICE5", 10_005)); err != nil {
		t.Fatal(err)
	}
	_ = r.sim.Pay("TWICE5")
	r.sim.DeliverCallbacks(ctx)
	count := map[string]int{}
	for _, cb := range r.recv.got {
		count[cb.MerchantRef]++
	}
	if count["FAIL3"] != 1 || count["QUIET4"] != 0 || count["TWICE5"] != 2 {
		t.Errorf("callbacks per ref = %v", count)
	}
	if p, _ := r.c.FindPayment(ctx, "QUIET4"); p.Status != flows.PaymentPaid {
		t.Errorf("004 find status = %s, want PAID", p.Status)
	}
	if _, err := r.c.PaymentDetail(ctx, "DEV-TNOPE"); flows.KindOf(err) != flows.KindNotFound {
		t.Errorf("unknown detail = %v, want not found", err)
	}
}

func TestCredentialsRefused(t *testing.T) {
	r := newRig(t, false)
	ctx := context.Background()
	wrongKey, _ := New(Config{BaseURL: r.srv.URL + "/api-sandbox/", MerchantCode: testMerchant, APIKey: "wrong-key-1",
		PrivateKey: testPrivate})
	wrongPriv, _ := New(Config{BaseURL: r.srv.URL + "/api-sandbox/", MerchantCode: testMerchant, APIKey: testAPIKey,
		PrivateKey: "wrong-private"})
	for name, c := range map[string]*Client{"api key": wrongKey, "private key": wrongPriv} {
		_, err := c.CreatePayment(ctx, r.request("DEPX", 10_000))
		if flows.KindOf(err) != flows.KindMisconfigured {
			t.Errorf("%s: create = %v, want misconfigured", name, err)
		}
	}
	if _, err := wrongKey.FindPayment(ctx, "DEPX"); flows.KindOf(err) != flows.KindMisconfigured {
		t.Errorf("find with a wrong key = %v, want misconfigured", err)
	}
	if _, err := wrongKey.PaymentDetail(ctx, "DEV-T1"); flows.KindOf(err) != flows.KindMisconfigured {
		t.Errorf("detail with a wrong key = %v, want misconfigured", err)
	}
}

func TestPayByHandEndpoint(t *testing.T) {
	r := newRig(t, false)
	ctx := context.Background()
	if _, err := r.c.CreatePayment(ctx, r.request("DEMO1", 25_000)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(r.srv.URL+"/sandbox/pay?merchant_ref=DEMO1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ans struct {
		Success bool
		Data    struct{ Status string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&ans)
	resp.Body.Close()
	if !ans.Success || ans.Data.Status != "PAID" {
		t.Fatalf("pay by hand = %d %+v", resp.StatusCode, ans)
	}
	// The endpoint delivered the callback before answering.
	if len(r.recv.got) != 1 || r.recv.got[0].Status != flows.PaymentPaid || r.sim.Queued() != 0 {
		t.Errorf("callbacks = %+v, queued %d", r.recv.got, r.sim.Queued())
	}
}
