package flows_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/provider/iak"
)

var bg = context.Background()

// TestPlaceSettlesAndNotifies walks the happy path: write-ahead, PROCESS,
// settlement by polling, and the three notifications of DESIGN rule 10.
func TestPlaceSettlesAndNotifies(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	o := h.place("081212341000")
	if o.Status != flows.StatusPending || !o.Acknowledged || o.ProviderTxID == "" || o.Cost != 10850 {
		t.Fatalf("after place: %+v", o)
	}
	if err := h.sim.Settle(o.RefID, true); err != nil {
		t.Fatal(err)
	}
	o = h.pollUntil(o.RefID, 5*time.Second)
	if o.Status != flows.StatusSuccess || o.SN == "" || o.SettledAt.IsZero() {
		t.Fatalf("settled: %+v", o)
	}
	notes := h.outbox()
	if len(notes) != 3 {
		t.Fatalf("outbox %+v, want SN message, edit, ops line", notes)
	}
	sn, edit, ops := notes[0], notes[1], notes[2]
	if sn.Kind != flows.NotifySend || sn.ChatID != buyer || !strings.Contains(sn.Text, o.SN) || !strings.Contains(sn.Text, "Rp 11.500") {
		t.Errorf("SN message %+v", sn)
	}
	if edit.Kind != flows.NotifyEdit || edit.MessageID != 77 || edit.ChatID != buyer {
		t.Errorf("edit %+v", edit)
	}
	if ops.ChatID != opsChat || !ops.ToOps || strings.Contains(ops.Text, "081212341000") || !strings.Contains(ops.Text, "0812****1000") {
		t.Errorf("ops line %+v", ops)
	}
	// Settled is final: more polls change nothing and send nothing.
	h.clk.Advance(time.Hour)
	h.engine.Poll(bg)
	if n := len(h.outbox()); n != 3 {
		t.Errorf("outbox grew to %d after settlement", n)
	}
}

// TestSameTokenPlacesOnce: DESIGN rule 2 through the engine — a double tap
// and a re-delivered update give one order and one provider transaction.
func TestSameTokenPlacesOnce(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	req := flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: "confirm-1", Product: telkomsel10k(),
		CustomerNumber: "081212341000", Price: 11500}
	var wg sync.WaitGroup
	refs := make(chan string, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, err := h.engine.Place(bg, req)
			if err != nil {
				t.Error(err)
				return
			}
			refs <- o.RefID
		}()
	}
	wg.Wait()
	close(refs)
	first := ""
	for r := range refs {
		if first == "" {
			first = r
		}
		if r != first {
			t.Fatalf("two orders from one token: %s and %s", first, r)
		}
	}
	if n := h.sim.TransactionCount(); n != 1 {
		t.Errorf("simulator holds %d transactions, want 1", n)
	}
	if n := h.hits.count("/api/top-up"); n != 1 {
		t.Errorf("%d top-ups sent, want 1", n)
	}
}

// TestRejectedFailsWithReason: a definitive refusal on the first send fails
// the order with a reason the buyer can read, and tells the buyer.
func TestRejectedFailsWithReason(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	o := h.place("081212340014") // simulator: rc 14 at once
	if o.Status != flows.StatusFailed || o.Reason != flows.ReasonWrongNumber || o.RC != "14" {
		t.Fatalf("order %+v", o)
	}
	if h.buyerMessages(o.RefID) != 1 {
		t.Fatal("the buyer was not told")
	}
	msg := h.outbox()[0].Text
	if !strings.Contains(msg, flows.ReasonWrongNumber.Text()) || strings.Contains(msg, "INCORRECT") {
		t.Errorf("buyer message %q: want the reason, never the provider's words", msg)
	}
}

// TestMisconfiguredAlertsOnce: a wrong api key fails first sends and alerts
// admins once until it clears (DESIGN rules 5 and 11).
func TestMisconfiguredAlertsOnce(t *testing.T) {
	h := newHarness(t, harnessOptions{apiKey: "wrong-key"})
	a := h.place("081212341000")
	b := h.place("081212341000")
	for _, o := range []flows.Order{a, b} {
		if o.Status != flows.StatusFailed || o.Reason != flows.ReasonServiceUnavailable {
			t.Fatalf("order %+v", o)
		}
	}
	alerts := 0
	for _, n := range h.outbox() {
		if n.ChatID == opsChat && strings.Contains(n.Text, "⚠️") {
			alerts++
		}
	}
	if alerts != 1 {
		t.Errorf("%d misconfiguration alerts, want 1", alerts)
	}
}

// TestCrashAfterWriteAhead: the process dies after the order is written and
// before the provider's answer is recorded. On restart the order is resumed
// by re-sending the same ref — never by check-status — and the simulator
// holds exactly one transaction, whether or not the first send arrived.
func TestCrashAfterWriteAhead(t *testing.T) {
	for _, arrived := range []bool{false, true} {
		t.Run(fmt.Sprintf("first send arrived=%v", arrived), func(t *testing.T) {
			h := newHarness(t, harnessOptions{settleDelay: time.Millisecond})
			o := flows.Order{RefID: "261123090000CRASH01", ChatID: buyer, UserID: buyer, Token: "t-crash",
				Kind: flows.Prepaid, ProductCode: "htelkomsel10000", ProductName: "Telkomsel 10.000",
				Category: flows.CategoryPulsa, CustomerNumber: "081212341000", Price: 11500, Cost: 10850,
				Account: h.client.Account(), Status: flows.StatusPlacing}
			if _, _, err := h.db.CreateOrder(bg, o); err != nil {
				t.Fatal(err)
			}
			if arrived {
				// The top-up reached IAK; its answer died with the process.
				if _, err := h.client.Place(bg, flows.OrderRequest{RefID: o.RefID, ProductCode: o.ProductCode, CustomerNumber: o.CustomerNumber}); err != nil {
					t.Fatal(err)
				}
			}
			h.restart()
			mark := h.hits.total()
			// A placing order is left alone while its first send may be in flight.
			h.engine.Poll(bg)
			if got := h.hits.since(mark); len(got) != 0 {
				t.Fatalf("poller touched a fresh placing order: %v", got)
			}
			h.clk.Advance(h.timeout + 10*time.Second)
			got := h.pollUntil(o.RefID, 5*time.Second)
			if got.Status != flows.StatusSuccess {
				t.Fatalf("resumed order %+v", got)
			}
			if n := h.sim.TransactionCount(); n != 1 {
				t.Errorf("simulator holds %d transactions, want 1", n)
			}
			if after := h.hits.since(mark); len(after) == 0 || after[0] != "/api/top-up" {
				t.Errorf("resumed with %v, want a same-ref top-up first", after)
			}
		})
	}
}

// TestUnknownAnswersStayPending: a 504 HTML page and a client timeout on the
// first top-up leave the order pending; polling settles it. Never failed.
func TestUnknownAnswersStayPending(t *testing.T) {
	for _, tt := range []struct{ name, number string }{
		{"504 html", "081212349504"},
		{"client timeout", "081212349408"},
		{"malformed json", "081212349200"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{settleDelay: time.Millisecond, slowDelay: time.Minute, timeout: time.Second})
			o := h.place(tt.number)
			if o.Status != flows.StatusPending || o.Acknowledged {
				t.Fatalf("after an unknown answer: %+v", o)
			}
			if h.buyerMessages(o.RefID) != 0 {
				t.Fatal("the buyer was told something before settlement")
			}
			got := h.pollUntil(o.RefID, 10*time.Second)
			if got.Status != flows.StatusSuccess {
				t.Fatalf("order %+v, want success", got)
			}
			if n := h.sim.TransactionCount(); n != 1 {
				t.Errorf("simulator holds %d transactions, want 1", n)
			}
		})
	}
}

// TestCheckAnswersThatChangeNothing: an acknowledged order whose
// check-status answers rc 06 (not found) or 110 (maintenance) stays pending.
func TestCheckAnswersThatChangeNothing(t *testing.T) {
	for _, rc := range []string{"06", "110", "107", "201", "999"} {
		t.Run("rc "+rc, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			o := h.place("081212341000")
			fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, `{"data":{"ref_id":%q,"status":2,"message":"X","rc":%q}}`, o.RefID, rc)
			}))
			defer fake.Close()
			client, err := iak.New(iak.Config{PrepaidURL: fake.URL, PostpaidURL: fake.URL, Username: simUser, APIKey: simKey})
			if err != nil {
				t.Fatal(err)
			}
			engine := h.newEngine(client)
			for range 5 {
				got, err := engine.Check(bg, o.RefID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != flows.StatusPending {
					t.Fatalf("rc %s moved the order to %s", rc, got.Status)
				}
				h.clk.Advance(time.Minute)
			}
			if got := h.order(o.RefID); got.Checks != 5 || got.RC != rc {
				t.Errorf("bookkeeping %+v", got)
			}
		})
	}
}

// TestAccountSwitchNeverResends: an order placed on the sandbox key, with
// the configuration now on the production key, is never sent anywhere; it
// stays pending and alerts once (DESIGN rule 4).
func TestAccountSwitchNeverResends(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	o := flows.Order{RefID: "261123090000SWITCH1", ChatID: buyer, UserID: buyer, Token: "t-switch",
		Kind: flows.Prepaid, ProductCode: "htelkomsel10000", ProductName: "Telkomsel 10.000",
		CustomerNumber: "081212341000", Price: 11500, Account: h.client.Account(), Status: flows.StatusPlacing}
	if _, _, err := h.db.CreateOrder(bg, o); err != nil {
		t.Fatal(err)
	}
	production := h.newClient("production-key-0002")
	h.engine = h.newEngine(production)
	for range 5 {
		h.clk.Advance(time.Hour)
		if _, err := h.engine.Poll(bg); err != nil {
			t.Fatal(err)
		}
		if _, err := h.engine.Check(bg, o.RefID); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.hits.count("/api/top-up") + h.hits.count("/api/check-status"); n != 0 {
		t.Fatalf("%d requests sent for an order of another account", n)
	}
	got := h.order(o.RefID)
	if got.Status.Final() || !got.HasAlerted(flows.AlertAccountMissing) {
		t.Errorf("order %+v", got)
	}
	alerts := 0
	for _, n := range h.outbox() {
		if n.RefID == o.RefID {
			alerts++
		}
	}
	if alerts != 1 {
		t.Errorf("%d alerts, want 1", alerts)
	}
}

// TestUnacknowledgedAfter24h: an order IAK never acknowledged is re-sent
// for 24 hours, then alerts instead.
func TestUnacknowledgedAfter24h(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	o := flows.Order{RefID: "261123090000UNACK01", ChatID: buyer, UserID: buyer, Token: "t-unack",
		Kind: flows.Prepaid, ProductCode: "htelkomsel10000", ProductName: "Telkomsel 10.000",
		CustomerNumber: "081212341000", Price: 11500, Account: h.client.Account(), Status: flows.StatusPending,
		CreatedAt: h.clk.Now()}
	if _, _, err := h.db.CreateOrder(bg, o); err != nil {
		t.Fatal(err)
	}
	h.clk.Advance(25 * time.Hour)
	for range 3 {
		if _, err := h.engine.Check(bg, o.RefID); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.hits.count("/api/top-up"); n != 0 {
		t.Errorf("%d re-sends after 24 h", n)
	}
	got := h.order(o.RefID)
	if got.Status != flows.StatusPending || !got.HasAlerted(flows.AlertUnacknowledged) || len(h.outbox()) != 1 {
		t.Errorf("order %+v, outbox %d", got, len(h.outbox()))
	}
}

// TestPendingTooLongAlertsOnce: a long pending order alerts once and is
// never failed.
func TestPendingTooLongAlertsOnce(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	o := h.place("081212341039") // simulator: stays pending
	for range 6 {
		h.clk.Advance(40 * time.Minute)
		if _, err := h.engine.Check(bg, o.RefID); err != nil {
			t.Fatal(err)
		}
	}
	got := h.order(o.RefID)
	if got.Status != flows.StatusPending || !got.HasAlerted(flows.AlertPendingTooLong) {
		t.Fatalf("order %+v", got)
	}
	if n := len(h.outbox()); n != 1 {
		t.Errorf("%d notifications, want one alert", n)
	}
}

// TestFailedTransactionRefunds: a transaction that fails at IAK settles the
// order failed with the reason, once.
func TestFailedTransactionSettles(t *testing.T) {
	h := newHarness(t, harnessOptions{settleDelay: time.Millisecond})
	o := h.place("081212341007") // simulator: settles to rc 07
	got := h.pollUntil(o.RefID, 5*time.Second)
	if got.Status != flows.StatusFailed || got.Reason != flows.ReasonFailed || got.RC != "07" {
		t.Fatalf("order %+v", got)
	}
	if h.buyerMessages(o.RefID) != 1 {
		t.Error("want one buyer message")
	}
}

// TestMisconfiguredCheckChangesNothing: a check answered "IP not
// whitelisted" (or a bad sign) leaves the order pending and alerts admins
// once until the provider answers normally again.
func TestMisconfiguredCheckChangesNothing(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	o := h.place("081212341000")
	var rc atomic.Value
	rc.Store("102")
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"data":{"ref_id":%q,"status":2,"message":"X","rc":%q}}`, o.RefID, rc.Load())
	}))
	defer fake.Close()
	client, err := iak.New(iak.Config{PrepaidURL: fake.URL, PostpaidURL: fake.URL, Username: simUser, APIKey: simKey})
	if err != nil {
		t.Fatal(err)
	}
	engine := h.newEngine(client)
	for range 3 {
		if got, err := engine.Check(bg, o.RefID); err != nil || got.Status != flows.StatusPending {
			t.Fatalf("check: %+v %v", got, err)
		}
	}
	alerts := func() int {
		n := 0
		for _, note := range h.outbox() {
			if note.ChatID == opsChat && strings.Contains(note.Text, "⚠️") {
				n++
			}
		}
		return n
	}
	if n := alerts(); n != 1 {
		t.Fatalf("%d alerts, want 1", n)
	}
	// A normal answer clears the condition; the next refusal alerts again.
	rc.Store("39")
	engine.Check(bg, o.RefID)
	rc.Store("204")
	engine.Check(bg, o.RefID)
	if n := alerts(); n != 2 {
		t.Errorf("%d alerts after the condition came back, want 2", n)
	}
}

// TestLowBalanceAlertsOnceUntilRecovered: an answer showing the deposit
// under the threshold alerts admins once; after a top-up of the deposit
// shows it recovered, the next dip alerts again.
func TestLowBalanceAlertsOnceUntilRecovered(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	start := h.sim.Deposit()
	engine := flows.NewEngine(h.db, h.client, flows.EngineConfig{ProviderTimeout: h.timeout, OpsChatID: opsChat,
		Now: h.clk.Now, LowBalance: start - 15000})
	h.engine = engine
	lowAlerts := func() int {
		n := 0
		for _, note := range h.outbox() {
			if strings.Contains(note.Text, "Saldo deposit provider menipis") {
				n++
			}
		}
		return n
	}
	h.place("081212341000") // deposit − 10.850: above the threshold
	if n := lowAlerts(); n != 0 {
		t.Fatalf("%d alerts above the threshold", n)
	}
	h.place("081212341000") // − 21.700: under
	h.place("081212341000")
	if n := lowAlerts(); n != 1 {
		t.Fatalf("%d alerts under the threshold, want 1", n)
	}
	h.sim.AddDeposit(100000)
	h.place("081212341000") // recovered
	h.sim.AddDeposit(-100000)
	h.place("081212341000") // under again
	if n := lowAlerts(); n != 2 {
		t.Errorf("%d alerts after recovering and dipping again, want 2", n)
	}
}

// TestSetOpsChat: once the ops group became a supergroup, settlement lines
// go to its new id without a restart.
func TestSetOpsChat(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.engine.SetOpsChat(-1009999)
	o := h.place("081212341000")
	h.sim.Settle(o.RefID, true)
	h.pollUntil(o.RefID, 5*time.Second)
	for _, n := range h.outbox() {
		if n.ToOps && n.ChatID != -1009999 {
			t.Errorf("ops line to %d, want the supergroup", n.ChatID)
		}
	}
}
