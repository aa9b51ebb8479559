package flows_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
)

// walletHarness is the harness with the wallet on: orders hold their price.
func walletHarness(t *testing.T, funds int64) *harness {
	t.Helper()
	h := newHarness(t, harnessOptions{})
	h.engine = h.walletEngine(true)
	if funds > 0 {
		if _, err := h.db.Adjust(bg, buyer, funds, 1, "modal"); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func (h *harness) walletEngine(on bool) *flows.Engine {
	return flows.NewEngine(h.db, h.client, flows.EngineConfig{ProviderTimeout: h.timeout, OpsChatID: opsChat,
		Now: h.clk.Now, Wallet: on})
}

func (h *harness) wallet() flows.Wallet {
	h.t.Helper()
	w, err := h.db.Wallet(bg, buyer)
	if err != nil {
		h.t.Fatal(err)
	}
	return w
}

// entryKinds lists the buyer's ledger entries for ref, oldest first.
func (h *harness) entryKinds(ref string) []flows.EntryKind {
	h.t.Helper()
	es, err := h.db.Entries(bg, buyer, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	var kinds []flows.EntryKind
	for _, e := range es {
		if e.Ref == ref {
			kinds = append(kinds, e.Kind)
		}
	}
	return kinds
}

func (h *harness) receipt(ref string) string {
	for _, n := range h.outbox() {
		if n.RefID == ref && n.ChatID == buyer && n.Kind == flows.NotifySend {
			return n.Text
		}
	}
	h.t.Fatalf("no receipt for %s", ref)
	return ""
}

// DESIGN rule 13 through the engine: the price is held when the order is
// written, spent when it succeeds; the receipt ends with the saldo.
func TestWalletPurchaseSpendsHold(t *testing.T) {
	h := walletHarness(t, 20000)
	o := h.place("081212341000")
	if o.Hold != 11500 || o.Status != flows.StatusPending {
		t.Fatalf("placed %+v", o)
	}
	if w := h.wallet(); w.Balance != 8500 || w.Held != 11500 {
		t.Fatalf("while pending: %+v", w)
	}
	if err := h.sim.Settle(o.RefID, true); err != nil {
		t.Fatal(err)
	}
	h.pollUntil(o.RefID, 5*time.Second)
	if w := h.wallet(); w.Balance != 8500 || w.Held != 0 {
		t.Fatalf("after success: %+v", w)
	}
	if got := h.receipt(o.RefID); !strings.HasSuffix(got, "Sisa saldo: Rp 8.500") || strings.Contains(got, "dikembalikan") {
		t.Errorf("receipt:\n%s", got)
	}
	if k := h.entryKinds(o.RefID); len(k) != 2 || k[0] != flows.EntryHold || k[1] != flows.EntryPurchase {
		t.Errorf("entries %v", k)
	}
}

// A failed order returns exactly its hold, once, and says so.
func TestWalletFailedOrderRefundedOnce(t *testing.T) {
	h := walletHarness(t, 20000)
	o := h.place("081212341001")
	if err := h.sim.Settle(o.RefID, false); err != nil {
		t.Fatal(err)
	}
	h.pollUntil(o.RefID, 5*time.Second)
	if w := h.wallet(); w.Balance != 20000 || w.Held != 0 {
		t.Fatalf("after failure: %+v", w)
	}
	got := h.receipt(o.RefID)
	if !strings.Contains(got, "Saldo Rp 11.500 sudah dikembalikan.") || !strings.HasSuffix(got, "Sisa saldo: Rp 20.000") {
		t.Errorf("receipt:\n%s", got)
	}
	// More checks, a restart, a re-check: settled once, refunded once.
	h.restart()
	h.engine = h.walletEngine(true)
	h.clk.Advance(time.Hour)
	if _, err := h.engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := h.engine.Check(bg, o.RefID); err != nil {
		t.Fatal(err)
	}
	if k := h.entryKinds(o.RefID); len(k) != 2 || k[1] != flows.EntryRefund {
		t.Errorf("entries %v", k)
	}
	if w := h.wallet(); w.Balance != 20000 || w.Held != 0 {
		t.Fatalf("after re-checks: %+v", w)
	}
}

// A saldo short of the price refuses the order before the provider hears
// of it; the token stays unused, so the same Confirm works once topped up.
func TestWalletShortRefusesBeforeProvider(t *testing.T) {
	h := walletHarness(t, 5000)
	calls := h.hits.total()
	req := flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(), Product: telkomsel10k(),
		CustomerNumber: "081212341002", Price: 11500, MessageID: 77}
	_, err := h.engine.Place(bg, req)
	var short *flows.BalanceTooLowError
	if !errors.As(err, &short) || short.Balance != 5000 || short.Missing() != 6500 {
		t.Fatalf("short place: %v", err)
	}
	if h.hits.total() != calls {
		t.Fatalf("the provider was called for a refused order")
	}
	if _, err := h.db.OrderByToken(bg, buyer, req.Token); !errors.Is(err, flows.ErrNotFound) {
		t.Fatalf("token consumed: %v", err)
	}
	if _, err := h.db.Adjust(bg, buyer, 6500, 1, "top up"); err != nil {
		t.Fatal(err)
	}
	o, err := h.engine.Place(bg, req)
	if err != nil || o.Hold != 11500 {
		t.Fatalf("after top-up: %+v %v", o, err)
	}
	if w := h.wallet(); w.Balance != 0 || w.Held != 11500 {
		t.Fatalf("wallet %+v", w)
	}
}

// Turning the wallet off never touches orders already placed: an order
// that held settles its hold; a new one holds nothing (DESIGN rule 13).
func TestWalletSwitchKeepsPlacedOrders(t *testing.T) {
	h := walletHarness(t, 20000)
	held := h.place("081212341003")
	h.restart()
	h.engine = h.walletEngine(false)
	free := h.place("081212341004")
	if free.Hold != 0 {
		t.Fatalf("wallet off, order held %d", free.Hold)
	}
	for _, ref := range []string{held.RefID, free.RefID} {
		if err := h.sim.Settle(ref, false); err != nil {
			t.Fatal(err)
		}
		h.pollUntil(ref, 5*time.Second)
	}
	if w := h.wallet(); w.Balance != 20000 || w.Held != 0 {
		t.Fatalf("after both failed: %+v", w)
	}
	if k := h.entryKinds(free.RefID); len(k) != 0 {
		t.Errorf("an order placed without the wallet moved money: %v", k)
	}
	if got := h.receipt(free.RefID); strings.Contains(got, "saldo") {
		t.Errorf("receipt without the wallet mentions the saldo:\n%s", got)
	}
}

// The metrics hooks: each creation and each settlement reported once,
// whatever answers and checks follow.
func TestEngineHooks(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	var mu sync.Mutex
	created, settled := map[string]int{}, map[string]flows.Status{}
	count := map[string]int{}
	h.engine = flows.NewEngine(h.db, h.client, flows.EngineConfig{ProviderTimeout: h.timeout, OpsChatID: opsChat, Now: h.clk.Now,
		OnCreated: func(o flows.Order) { mu.Lock(); created[o.RefID]++; mu.Unlock() },
		OnSettled: func(o flows.Order) { mu.Lock(); settled[o.RefID] = o.Status; count[o.RefID]++; mu.Unlock() }})
	ok, bad := h.place("081212341010"), h.place("081212341011")
	h.sim.Settle(ok.RefID, true)
	h.sim.Settle(bad.RefID, false)
	h.pollUntil(ok.RefID, 5*time.Second)
	h.pollUntil(bad.RefID, 5*time.Second)
	h.clk.Advance(time.Hour)
	h.engine.Poll(bg)
	h.engine.Check(bg, ok.RefID)
	mu.Lock()
	defer mu.Unlock()
	if created[ok.RefID] != 1 || created[bad.RefID] != 1 {
		t.Errorf("created %v", created)
	}
	if settled[ok.RefID] != flows.StatusSuccess || settled[bad.RefID] != flows.StatusFailed || count[ok.RefID] != 1 || count[bad.RefID] != 1 {
		t.Errorf("settled %v, counts %v", settled, count)
	}
}
