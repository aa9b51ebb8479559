package flows_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/storage"
)

// codeLater is a provider that answers success at once, with the code only
// once code is set: a biller that reports the success before the token.
type codeLater struct {
	mu   sync.Mutex
	code string
}

func (p *codeLater) Account() flows.Account {
	return flows.Account{Provider: "fake", ID: "acct", KeyHash: "k"}
}

func (p *codeLater) answer() flows.Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	return flows.Result{Status: flows.StatusSuccess, SN: p.code, Acknowledged: true, ProviderTxID: "T1", RC: "00", Message: "SUCCESS"}
}

func (p *codeLater) Place(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	return p.answer(), nil
}

func (p *codeLater) Check(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	return p.answer(), nil
}

func (p *codeLater) issue(code string) {
	p.mu.Lock()
	p.code = code
	p.mu.Unlock()
}

// TestSuccessWithoutTheCodeStaysPending: a success with an empty SN for a
// product whose value is its code — a PLN token, a voucher (a game voucher
// among the games included), an eSIM — has given the buyer nothing. The
// order stays pending and checked until the code arrives, alerts once past
// alert_after as any pending order, and then settles with the code. A
// product credited to the account (pulsa, a direct game top-up) settles on
// the success alone: its SN is only a receipt. Which is which is the
// product's type, not its category.
func TestSuccessWithoutTheCodeStaysPending(t *testing.T) {
	tests := []struct {
		name     string
		product  flows.Product
		needCode bool
	}{
		{"PLN token", flows.Product{Code: "hpln20000", Name: "PLN 20.000", Category: flows.CategoryPLN, Type: flows.TypePLNToken}, true},
		{"voucher", flows.Product{Code: "alfamart50", Name: "Voucher Alfamart", Category: flows.CategoryVoucher, Type: flows.TypeVoucher}, true},
		{"game voucher", flows.Product{Code: "hgoogleplay20000", Name: "Google Play 20.000", Category: flows.CategoryGame, Type: flows.TypeVoucher}, true},
		{"eSIM", flows.Product{Code: "esimjapan3gb", Name: "eSIM Japan", Category: flows.CategoryESIM, Type: flows.TypeESIM}, true},
		// A catalog cached before types were recorded: the category tells.
		{"PLN without a type", flows.Product{Code: "hpln20000", Name: "PLN 20.000", Category: flows.CategoryPLN}, true},
		{"pulsa", flows.Product{Code: "htelkomsel10000", Name: "Telkomsel 10.000", Category: flows.CategoryPulsa, Type: flows.TypeTopUp}, false},
		{"direct game top-up", flows.Product{Code: "hmobilelegend86", Name: "Mobile Legend 86 Diamonds", Category: flows.CategoryGame, Type: flows.TypeTopUp}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
			db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			prov := &codeLater{}
			engine := flows.NewEngine(db, prov, flows.EngineConfig{ProviderTimeout: time.Second, AlertAfter: time.Hour,
				OpsChatID: opsChat, Now: clk.Now})
			tt.product.Kind, tt.product.Price, tt.product.Available = flows.Prepaid, 20000, true
			o, err := engine.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: "t-code",
				Product: tt.product, CustomerNumber: "081234567890", Price: 21000, MessageID: 7})
			if err != nil {
				t.Fatal(err)
			}
			if !tt.needCode {
				if o.Status != flows.StatusSuccess || o.SN != "" {
					t.Fatalf("a credit's success: %+v, want success (its SN is only a receipt)", o)
				}
				return
			}
			if o.Status != flows.StatusPending || !o.Acknowledged {
				t.Fatalf("success without the code: %+v, want pending", o)
			}
			if got := o.ValueIsCode(); !got {
				t.Errorf("ValueIsCode = false for %s", tt.name)
			}
			messagesTo := func(chat int64) (n int, texts []string) {
				notes, err := db.DueNotifications(bg, clk.Now().Add(24*time.Hour), 100)
				if err != nil {
					t.Fatal(err)
				}
				for _, note := range notes {
					if note.ChatID == chat && note.Kind == flows.NotifySend {
						n++
						texts = append(texts, note.Text)
					}
				}
				return n, texts
			}
			// Checked on and on; past alert_after it alerts, once.
			for range 6 {
				clk.Advance(20 * time.Minute)
				if _, err := engine.Poll(bg); err != nil {
					t.Fatal(err)
				}
			}
			got, _ := db.Order(bg, o.RefID)
			if got.Status != flows.StatusPending || got.Checks < 5 {
				t.Fatalf("after two hours: %+v, want pending and checked", got)
			}
			if n, _ := messagesTo(buyer); n != 0 {
				t.Errorf("the buyer got %d messages before the code arrived", n)
			}
			if n, _ := messagesTo(opsChat); n != 1 || !got.HasAlerted(flows.AlertPendingTooLong) {
				t.Errorf("%d ops messages (alerted %v), want the pending alert once", n, got.Alerted)
			}
			prov.issue("5512-3456-7890-1234-5678")
			clk.Advance(20 * time.Minute)
			if _, err := engine.Poll(bg); err != nil {
				t.Fatal(err)
			}
			got, _ = db.Order(bg, o.RefID)
			if got.Status != flows.StatusSuccess || got.SN != "5512-3456-7890-1234-5678" {
				t.Fatalf("once the code arrived: %+v", got)
			}
			if n, texts := messagesTo(buyer); n != 1 || !strings.Contains(texts[0], "5512") {
				t.Errorf("buyer messages %q, want one with the code", texts)
			}
		})
	}
}

// TestIAKSuccessWithoutTokenStaysPending runs it on the IAK simulator: a
// PLN token reported SUCCESS without its SN keeps the order pending; the
// check-status that shows the token settles it.
func TestIAKSuccessWithoutTokenStaysPending(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.sim.WithholdSN(true)
	pln := flows.Product{Code: "hpln20000", Name: "PLN 20.000", Category: flows.CategoryPLN, Brand: "PLN", Price: 20250,
		Kind: flows.Prepaid, Available: true, Number: flows.NumberPLNMeter, Type: flows.TypePLNToken}
	o, err := h.engine.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(), Product: pln,
		CustomerNumber: "12345678901", Price: 21500, MessageID: 77})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.sim.Settle(o.RefID, true); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		h.clk.Advance(time.Minute)
		if _, err := h.engine.Poll(bg); err != nil {
			t.Fatal(err)
		}
	}
	if tx, _ := h.sim.Transaction(o.RefID); tx.Status != 1 || tx.SN != "" {
		t.Fatalf("simulator transaction %+v, want a success without SN", tx)
	}
	got := h.order(o.RefID)
	if got.Status != flows.StatusPending || got.RC != "00" || h.buyerMessages(o.RefID) != 0 {
		t.Fatalf("SUCCESS without the token: %+v, want pending and nothing told to the buyer", got)
	}
	h.sim.WithholdSN(false)
	got = h.pollUntil(o.RefID, 5*time.Second)
	if got.Status != flows.StatusSuccess || got.SN == "" || h.buyerMessages(o.RefID) != 1 {
		t.Fatalf("once the token arrived: %+v", got)
	}
}

// TestMesinR1SuccessWithoutTokenStaysPending: the same on the Mesin R1
// simulator, whose success answers carry the SN inside msg.
func TestMesinR1SuccessWithoutTokenStaysPending(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	sim, client := newMesinR1Sim(t, clk)
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	engine := flows.NewEngine(db, client, flows.EngineConfig{ProviderTimeout: 2 * time.Second, OpsChatID: opsChat, Now: clk.Now})
	products, err := client.Products(bg)
	if err != nil {
		t.Fatal(err)
	}
	var pln flows.Product
	for _, p := range products {
		if p.Code == "PLN20" {
			pln = p
		}
	}
	if pln.Type != flows.TypePLNToken {
		t.Fatalf("PLN20 from the catalog: %+v, want type %s", pln, flows.TypePLNToken)
	}
	sim.WithholdSN(true)
	o, err := engine.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: "t-r1-pln", Product: pln,
		CustomerNumber: "12345678901", Price: 22000, MessageID: 7}) // success at once
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != flows.StatusPending || !o.Acknowledged {
		t.Fatalf("success without the token: %+v, want pending", o)
	}
	clk.Advance(time.Minute)
	if _, err := engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Order(bg, o.RefID); got.Status != flows.StatusPending || got.Checks != 1 {
		t.Fatalf("after a check: %+v, want pending", got)
	}
	sim.WithholdSN(false)
	clk.Advance(time.Minute)
	if _, err := engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Order(bg, o.RefID)
	if got.Status != flows.StatusSuccess || got.SN == "" {
		t.Fatalf("once the token arrived: %+v", got)
	}
	if n := sim.TransactionCount(); n != 1 {
		t.Errorf("simulator holds %d transactions, want 1", n)
	}
}

// pricedShelf is a shelf with a price endpoint that, like Mesin R1's, names
// the product's price and availability but not its category or type.
type pricedShelf struct{ *shelf }

func (s pricedShelf) Price(ctx context.Context, code string) (flows.Product, error) {
	products, err := s.Products(ctx)
	if err != nil {
		return flows.Product{}, err
	}
	for _, p := range products {
		if p.Code == code {
			return flows.Product{Code: p.Code, Name: p.Name, Price: p.Price, Kind: p.Kind, Available: p.Available}, nil
		}
	}
	return flows.Product{Code: code}, nil
}

// TestOrderKeepsTheProductType: the order records its product's type when it
// is made — from the catalog when the price re-check at Confirm names none —
// so what a success must deliver does not depend on a later catalog.
func TestOrderKeepsTheProductType(t *testing.T) {
	s := &shelf{products: []flows.Product{{Code: "GPLAY20", Name: "GOOGLE PLAY 20.000", Category: flows.CategoryGame,
		Brand: "GOOGLE PLAY", Price: 21000, Kind: flows.Prepaid, Available: true, Number: flows.NumberAny, Type: flows.TypeVoucher}}}
	for name, catalog := range map[string]flows.Catalog{"list": s, "price endpoint": pricedShelf{s}} {
		t.Run(name, func(t *testing.T) {
			c := newConvo(t, convoOptions{catalog: catalog})
			for _, line := range []string{"/start", "tap Games", "tap Google Play 20.000", "081212345678", "tap ✅ Konfirmasi"} {
				c.play(line)
			}
			var orders []flows.Order
			c.db.ForEachOrder(bg, func(o flows.Order) error { orders = append(orders, o); return nil })
			if len(orders) != 1 {
				t.Fatalf("%d orders; transcript:\n%s", len(orders), c.log.String())
			}
			if o := orders[0]; o.ProductType != flows.TypeVoucher || !o.ValueIsCode() {
				t.Errorf("order %+v, want product type %s", o, flows.TypeVoucher)
			}
		})
	}
}

// TestSuccessWithAnEmptyCode: a PLN serial whose token part is empty
// ("/BUDI/R1/1300/20.5": the name, tariff and kWh, no token) has given the
// buyer nothing to type into the meter, and a voucher "code" of blanks is no
// code: the order stays pending like a success without any SN, and settles
// once the code arrives.
func TestSuccessWithAnEmptyCode(t *testing.T) {
	for _, tt := range []struct {
		name, empty, code string
		product           flows.Product
	}{
		{"PLN token part", " /BUDI/R1/1300/20.5", "5512-3456-7890-1234-5678/BUDI/R1/1300/20.5",
			flows.Product{Code: "hpln20000", Name: "PLN 20.000", Category: flows.CategoryPLN, Type: flows.TypePLNToken}},
		{"voucher of blanks", "  ", "ABCD-EFGH-IJKL",
			flows.Product{Code: "alfamart50", Name: "Voucher Alfamart", Category: flows.CategoryVoucher, Type: flows.TypeVoucher}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
			db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			prov := &codeLater{code: tt.empty}
			engine := flows.NewEngine(db, prov, flows.EngineConfig{ProviderTimeout: time.Second, OpsChatID: opsChat, Now: clk.Now})
			tt.product.Kind, tt.product.Price, tt.product.Available = flows.Prepaid, 20000, true
			o, err := engine.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: "t-empty-code", Product: tt.product,
				CustomerNumber: "12345678901", Price: 21000, MessageID: 7})
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != flows.StatusPending {
				t.Fatalf("a success with SN %q: %+v, want pending", tt.empty, o)
			}
			prov.issue(tt.code)
			clk.Advance(time.Minute)
			if _, err := engine.Poll(bg); err != nil {
				t.Fatal(err)
			}
			if got, _ := db.Order(bg, o.RefID); got.Status != flows.StatusSuccess || got.SN != tt.code {
				t.Fatalf("once the code arrived: %+v", got)
			}
		})
	}
}

// iccidFirst is a provider with a field of its own for an eSIM's activation
// code, as IAK's activation_code: its success carries the ICCID as SN at
// once and the activation code only later.
type iccidFirst struct {
	mu         sync.Mutex
	activation string
	fields     bool // DeliversActivationCodes
}

func (p *iccidFirst) Account() flows.Account {
	return flows.Account{Provider: "fake", ID: "acct", KeyHash: "k"}
}

func (p *iccidFirst) answer() flows.Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	return flows.Result{Status: flows.StatusSuccess, SN: "8962100000000000001", ActivationCode: p.activation,
		Acknowledged: true, ProviderTxID: "T1", RC: "00", Message: "SUCCESS"}
}

func (p *iccidFirst) Place(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	return p.answer(), nil
}

func (p *iccidFirst) Check(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	return p.answer(), nil
}

func (p *iccidFirst) DeliversActivationCodes() bool { return p.fields }

// TestESIMNeedsItsActivationCode: where the provider has a field for the
// activation code, an eSIM success with only the ICCID has delivered
// nothing the buyer can activate: it stays pending until the code arrives.
// A provider without the field gives the code as the SN, which then settles.
func TestESIMNeedsItsActivationCode(t *testing.T) {
	product := flows.Product{Code: "esimjapan3gb", Name: "eSIM Japan", Category: flows.CategoryESIM, Type: flows.TypeESIM,
		Kind: flows.Prepaid, Price: 90000, Available: true}
	for _, fields := range []bool{true, false} {
		t.Run(map[bool]string{true: "activation_code field", false: "code in the SN"}[fields], func(t *testing.T) {
			clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
			db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			prov := &iccidFirst{fields: fields}
			engine := flows.NewEngine(db, prov, flows.EngineConfig{ProviderTimeout: time.Second, OpsChatID: opsChat, Now: clk.Now})
			o, err := engine.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: "t-esim", Product: product,
				CustomerNumber: "081234567890", Price: 95000, MessageID: 7})
			if err != nil {
				t.Fatal(err)
			}
			if !fields {
				if o.Status != flows.StatusSuccess || o.SN == "" {
					t.Fatalf("an eSIM whose code is its SN: %+v, want success", o)
				}
				return
			}
			if o.Status != flows.StatusPending {
				t.Fatalf("an eSIM success with the ICCID and no activation code: %+v, want pending", o)
			}
			prov.mu.Lock()
			prov.activation = "LPA:1$smdp.example$ABC123"
			prov.mu.Unlock()
			clk.Advance(time.Minute)
			if _, err := engine.Poll(bg); err != nil {
				t.Fatal(err)
			}
			got, err := db.Order(bg, o.RefID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != flows.StatusSuccess || got.ActivationCode != "LPA:1$smdp.example$ABC123" {
				t.Fatalf("once the activation code arrived: %+v", got)
			}
		})
	}
}
