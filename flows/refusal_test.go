package flows_test

import (
	"net/http"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/provider/iak"
)

// TestResendRefusedWhileTheFirstSendLives: the first answer of an order is
// lost (HTTP 504) though IAK created and debited the transaction; the
// poller's same-ref re-send is then refused without a transaction — rc 17,
// the deposit now too low, plausibly because the first send was charged; or
// rc 14 — while the first send is still in process. The refusal is about the
// request: check-status finds the transaction, which keeps the order
// pending, and its success settles it.
func TestResendRefusedWhileTheFirstSendLives(t *testing.T) {
	for _, rc := range []string{"17", "14", "202"} {
		t.Run("rc "+rc, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			o := h.place("081212349504") // created, then a 504 page
			if o.Status != flows.StatusPending || o.Acknowledged {
				t.Fatalf("after the lost answer: %+v", o)
			}
			h.sim.RefuseResends(rc)
			h.clk.Advance(time.Minute) // well past 2 × the provider timeout
			if _, err := h.engine.Poll(bg); err != nil {
				t.Fatal(err)
			}
			o = h.order(o.RefID)
			if o.Status != flows.StatusPending || !o.Acknowledged || o.ProviderTxID == "" {
				t.Fatalf("after a re-send refused with rc %s: %+v, want pending and acknowledged through check-status", rc, o)
			}
			if n := h.buyerMessages(o.RefID); n != 0 {
				t.Fatalf("the buyer got %d messages about an order still in process", n)
			}
			h.sim.RefuseResends("")
			if err := h.sim.Settle(o.RefID, true); err != nil {
				t.Fatal(err)
			}
			o = h.pollUntil(o.RefID, 5*time.Second)
			if o.Status != flows.StatusSuccess || o.SN == "" {
				t.Fatalf("settled: %+v", o)
			}
			if n := h.sim.TransactionCount(); n != 1 {
				t.Errorf("simulator holds %d transactions, want 1", n)
			}
		})
	}
}

// TestResendRefusedFirstSendNeverArrived: the order was written and the
// process died before its first send left. The poller's re-send is then the
// first IAK sees, and IAK refuses it: wrong number (14) is a property of the
// order, so once check-status finds nothing and the first send is older than
// 2 × the provider timeout, the order fails; until then it is pending. A
// deposit refusal (17) never fails it.
func TestResendRefusedFirstSendNeverArrived(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	// The client measures the first send's age on the tests' clock.
	c, err := iak.New(iak.Config{PrepaidURL: h.srv.URL, PostpaidURL: h.srv.URL, Username: simUser, APIKey: simKey,
		HTTPClient: &http.Client{Timeout: h.timeout}, Now: h.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	h.client = c
	write := func(ref, number string) {
		t.Helper()
		o := flows.Order{RefID: ref, ChatID: buyer, UserID: buyer, Token: "t-" + ref, Kind: flows.Prepaid,
			ProductCode: "htelkomsel10000", ProductName: "Telkomsel 10.000", Category: flows.CategoryPulsa,
			CustomerNumber: number, Price: 11500, Cost: 10850, Account: h.client.Account(),
			Status: flows.StatusPlacing, CreatedAt: h.clk.Now()}
		if _, _, err := h.db.CreateOrder(bg, o); err != nil {
			t.Fatal(err)
		}
	}
	write("261123090000WRONG14", "081212340014")
	write("261123090000DEPOS17", "081212340017")
	h.restart()
	h.clk.Advance(10 * time.Second) // past the placing grace: the poller resumes them
	if _, err := h.engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"261123090000WRONG14", "261123090000DEPOS17"} {
		if o := h.order(ref); o.Status != flows.StatusPending || o.SentAt.IsZero() {
			t.Fatalf("after the first re-send: %+v, want pending with the re-send's time as SentAt", o)
		}
	}
	h.clk.Advance(2*h.timeout + time.Second)
	if _, err := h.engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	if o := h.order("261123090000WRONG14"); o.Status != flows.StatusFailed || o.Reason != flows.ReasonWrongNumber || o.RC != "14" {
		t.Errorf("wrong number once the first send is old: %+v, want failed with reason wrong_number", o)
	}
	for range 5 {
		h.clk.Advance(10 * time.Minute)
		if _, err := h.engine.Poll(bg); err != nil {
			t.Fatal(err)
		}
	}
	if o := h.order("261123090000DEPOS17"); o.Status != flows.StatusPending {
		t.Errorf("deposit refusals: %+v, want pending", o)
	}
	if n := h.sim.TransactionCount(); n != 0 {
		t.Errorf("simulator holds %d transactions, want none", n)
	}
}
