package flows_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
)

// fakeGateway is an in-memory payment gateway: each create makes a payment
// with a customer fee of 750, unless create says otherwise.
type fakeGateway struct {
	mu       sync.Mutex
	payments map[string]flows.Payment // by merchant ref
	creates  int
	// create, when set, answers CreatePayment instead (after the payment
	// was made when it returns made).
	create func(req flows.PaymentRequest) (made bool, err error)
}

var _ flows.PaymentGateway = (*fakeGateway)(nil)

func newFakeGateway() *fakeGateway { return &fakeGateway{payments: map[string]flows.Payment{}} }

func (g *fakeGateway) CreatePayment(ctx context.Context, req flows.PaymentRequest) (flows.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.creates++
	made, err := true, error(nil)
	if g.create != nil {
		made, err = g.create(req)
	}
	if !made {
		return flows.Payment{}, err
	}
	if _, ok := g.payments[req.MerchantRef]; ok {
		return flows.Payment{}, &flows.ProviderError{Kind: flows.KindRejected, Op: "fake: create", Message: "duplicate merchant_ref"}
	}
	p := flows.Payment{Reference: fmt.Sprintf("T%04d", len(g.payments)+1), MerchantRef: req.MerchantRef, Method: "QRIS",
		Status: flows.PaymentUnpaid, Amount: req.Amount + 750, FeeCustomer: 750, AmountReceived: req.Amount,
		QRString: "00020101021226" + req.MerchantRef, CheckoutURL: "https://pay.example/" + req.MerchantRef, ExpiresAt: req.ExpiresAt}
	g.payments[req.MerchantRef] = p
	return p, err
}

func (g *fakeGateway) FindPayment(ctx context.Context, ref string) (flows.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if p, ok := g.payments[ref]; ok {
		return p, nil
	}
	return flows.Payment{}, &flows.ProviderError{Kind: flows.KindNotFound, Op: "fake: find"}
}

func (g *fakeGateway) PaymentDetail(ctx context.Context, reference string) (flows.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range g.payments {
		if p.Reference == reference {
			return p, nil
		}
	}
	return flows.Payment{}, &flows.ProviderError{Kind: flows.KindNotFound, Op: "fake: detail"}
}

// set changes a payment's status at the gateway.
func (g *fakeGateway) set(ref string, st flows.PaymentStatus) flows.Payment {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.payments[ref]
	p.Status = st
	g.payments[ref] = p
	return p
}

func (g *fakeGateway) createCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.creates
}

// paid is the callback of payment p with total paid.
func paid(p flows.Payment, total int64, st flows.PaymentStatus) flows.PaymentCallback {
	return flows.PaymentCallback{Reference: p.Reference, MerchantRef: p.MerchantRef, Status: st, TotalAmount: total}
}

func newQRISConvo(t *testing.T) (*adminConvo, *fakeGateway) {
	t.Helper()
	a := newAdminConvoWallet(t, 0, true)
	gw := newFakeGateway()
	a.reconfigure(func(cfg *flows.ServiceConfig) { cfg.Gateway = gw })
	return a, gw
}

// qrisDeposit walks the buyer through /deposit → QRIS → amount and returns
// the replies of the amount tap and the stored deposit.
func qrisDeposit(t *testing.T, a *adminConvo, amount string) ([]flows.Reply, flows.Deposit) {
	t.Helper()
	a.cmd(buyerID, false, "/deposit")
	a.tapLabel(buyerID, false, "📱 QRIS")
	rs := a.cmd(buyerID, false, amount)
	ds, err := a.db.UserDeposits(bg, buyerID, 1)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deposits %+v, %v", ds, err)
	}
	return rs, ds[0]
}

func balance(t *testing.T, a *adminConvo) int64 {
	t.Helper()
	w, err := a.db.Wallet(bg, buyerID)
	if err != nil {
		t.Fatal(err)
	}
	return w.Balance
}

// TestQRISDepositPaidOnce: the QR code with the amount to pay (fee
// included); a PAID callback of exactly that amount credits the deposit's
// own amount; the callback re-sent, and a poll racing another copy of it,
// credit nothing more.
func TestQRISDepositPaidOnce(t *testing.T) {
	a, gw := newQRISConvo(t)
	rs, d := qrisDeposit(t, a, "50000")
	if len(rs) != 2 || rs[1].QR == "" || !strings.Contains(rs[1].Text, "Bayar: <b>Rp 50.750</b> (termasuk biaya Rp 750)") {
		t.Fatalf("QRIS replies %+v", rs)
	}
	if d.Method != flows.MethodQRIS || d.Amount != 50000 || d.Gateway == nil || d.Gateway.Reference != "T0001" || d.Gateway.PayAmount != 50750 {
		t.Fatalf("stored deposit %+v gateway %+v", d, d.Gateway)
	}
	p := gw.set(d.ID, flows.PaymentPaid)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				err = a.service.HandlePaymentCallback(bg, paid(p, 50750, flows.PaymentPaid))
			} else {
				err = a.service.CheckPayments(bg)
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := a.service.HandlePaymentCallback(bg, paid(p, 50750, flows.PaymentPaid)); err != nil {
		t.Fatal(err)
	}
	if got := balance(t, a); got != 50000 || depositEntries(t, a, buyerID, d.ID) != 1 {
		t.Errorf("balance %d with %d entries, want the deposit's own 50000 once", got, depositEntries(t, a, buyerID, d.ID))
	}
	// /deposit offers a new one now.
	if got := text(a.cmd(buyerID, false, "/deposit")); !strings.Contains(got, "Bayar dengan apa?") {
		t.Errorf("/deposit after the credit: %q", got)
	}
}

// TestQRISWaitingShownAgain: a waiting QRIS deposit is never replaced:
// /deposit shows its QR again.
func TestQRISWaitingShownAgain(t *testing.T) {
	a, gw := newQRISConvo(t)
	_, d := qrisDeposit(t, a, "50000")
	rs := a.cmd(buyerID, false, "/deposit")
	if len(rs) != 1 || rs[0].QR == "" || !strings.Contains(rs[0].Text, d.ID) {
		t.Fatalf("/deposit with a waiting QRIS: %+v", rs)
	}
	if gw.createCount() != 1 {
		t.Errorf("%d creates, want 1", gw.createCount())
	}
}

// TestQRISNotCredited: a mismatched amount, a PAID after the deposit
// expired, and a callback for a payment that is not the deposit's credit
// nothing and alert the admins once with the one-tap credit; REFUND after a
// credit alerts once; a forged merchant ref is unknown.
func TestQRISNotCredited(t *testing.T) {
	a, gw := newQRISConvo(t)
	_, d := qrisDeposit(t, a, "50000")
	p := gw.set(d.ID, flows.PaymentPaid)
	for range 2 {
		if err := a.service.HandlePaymentCallback(bg, paid(p, 50000, flows.PaymentPaid)); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := a.db.Deposit(bg, d.ID)
	if balance(t, a) != 0 || got.State != flows.DepositFailed || !got.Gateway.Alerted {
		t.Errorf("after a short payment: balance %d, deposit %s alerted %v", balance(t, a), got.State, got.Gateway.Alerted)
	}
	alerts := 0
	var credit flows.ButtonData
	for _, n := range strangerLines(t, a) {
		if strings.Contains(n.Text, d.ID) && strings.Contains(n.Text, "dibayar Rp 50.000, seharusnya Rp 50.750") {
			alerts++
			credit = n.Buttons[0][0].Data
		}
	}
	if alerts != 1 || credit.Action != string(flows.EvDepositCredit) {
		t.Fatalf("%d alerts for the short payment, credit button %+v", alerts, credit)
	}
	a.tapAs(adminID, adminID, credit)
	a.tapAs(adminID2, adminID2, credit)
	if balance(t, a) != 50000 || depositEntries(t, a, buyerID, d.ID) != 1 {
		t.Errorf("one-tap credit: balance %d, %d entries", balance(t, a), depositEntries(t, a, buyerID, d.ID))
	}

	// Paid after the gateway expired it.
	_, d2 := qrisDeposit(t, a, "60000")
	p2 := gw.set(d2.ID, flows.PaymentExpired)
	if err := a.service.HandlePaymentCallback(bg, paid(p2, 0, flows.PaymentExpired)); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.db.Deposit(bg, d2.ID); got.State != flows.DepositExpired {
		t.Fatalf("EXPIRED callback left the deposit %s", got.State)
	}
	if err := a.service.HandlePaymentCallback(bg, paid(p2, 60750, flows.PaymentPaid)); err != nil {
		t.Fatal(err)
	}
	if balance(t, a) != 50000 {
		t.Errorf("a PAID after expiry credited: balance %d", balance(t, a))
	}

	// Another payment's reference under this merchant ref.
	_, d3 := qrisDeposit(t, a, "70000")
	if err := a.service.HandlePaymentCallback(bg, flows.PaymentCallback{Reference: "T9999", MerchantRef: d3.ID,
		Status: flows.PaymentPaid, TotalAmount: 70750}); err != nil {
		t.Fatal(err)
	}
	if balance(t, a) != 50000 {
		t.Errorf("another payment's PAID credited: balance %d", balance(t, a))
	}
	// The deposit's own payment still credits it.
	p3 := gw.set(d3.ID, flows.PaymentPaid)
	if err := a.service.HandlePaymentCallback(bg, paid(p3, 70750, flows.PaymentPaid)); err != nil {
		t.Fatal(err)
	}
	if balance(t, a) != 120000 {
		t.Errorf("the deposit's own payment after another's: balance %d", balance(t, a))
	}

	// Unknown merchant ref.
	err := a.service.HandlePaymentCallback(bg, flows.PaymentCallback{Reference: "T1", MerchantRef: "DNOPE", Status: flows.PaymentPaid, TotalAmount: 1})
	if !errors.Is(err, flows.ErrUnknownPayment) {
		t.Errorf("unknown merchant ref: %v", err)
	}

	// REFUND after a credit: the admins hear of it once.
	_, d4 := qrisDeposit(t, a, "80000")
	p4 := gw.set(d4.ID, flows.PaymentPaid)
	if err := a.service.HandlePaymentCallback(bg, paid(p4, 80750, flows.PaymentPaid)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := a.service.HandlePaymentCallback(bg, paid(p4, 80750, flows.PaymentRefund)); err != nil {
			t.Fatal(err)
		}
	}
	refunds := 0
	for _, n := range allNotifications(t, a) {
		if strings.Contains(n.Text, d4.ID) && strings.Contains(n.Text, "di-refund") {
			refunds++
		}
	}
	if refunds != 1 || balance(t, a) != 200000 {
		t.Errorf("%d refund alerts, balance %d", refunds, balance(t, a))
	}
}

// allNotifications are every notification waiting in the outbox.
func allNotifications(t *testing.T, a *adminConvo) []flows.Notification {
	t.Helper()
	notes, err := a.db.DueNotifications(bg, a.clk.Now().Add(24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return notes
}

// TestQRISLostCreateAnswer: a create whose answer is lost (the payment made
// or not) is looked up by merchant ref, never created again; found later
// by the poller, the buyer gets its link; never made, the deposit expires
// once the create's timeout has passed and the buyer is told.
func TestQRISLostCreateAnswer(t *testing.T) {
	a, gw := newQRISConvo(t)
	lost := &flows.ProviderError{Kind: flows.KindUnknown, Op: "fake: create", Err: errors.New("timeout")}
	gw.create = func(flows.PaymentRequest) (bool, error) { return true, lost }
	rs, d := qrisDeposit(t, a, "50000")
	if len(rs) != 2 || rs[1].QR == "" || reference(d) == "" {
		t.Fatalf("answer lost, payment made: %+v, deposit gateway %+v", rs, d.Gateway)
	}

	// Made, but the look-up fails too: the poller finds it later.
	var findFails bool
	gw.create = func(req flows.PaymentRequest) (bool, error) { findFails = true; return true, lost }
	a.cmd(buyerID, false, "/deposit") // shows the first one: pay it first
	p := gw.set(d.ID, flows.PaymentPaid)
	if err := a.service.HandlePaymentCallback(bg, paid(p, 50750, flows.PaymentPaid)); err != nil {
		t.Fatal(err)
	}
	_ = findFails

	// Never made: pending until the timeout, then expired; one create in all.
	gw.create = func(flows.PaymentRequest) (bool, error) { return false, lost }
	before := gw.createCount()
	rs, d2 := qrisDeposit(t, a, "60000")
	if len(rs) != 2 || !strings.Contains(rs[1].Text, "sedang disiapkan") || rs[1].QR != "" {
		t.Fatalf("answer lost, no payment: %+v", rs)
	}
	if err := a.service.CheckPayments(bg); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.db.Deposit(bg, d2.ID); got.State != flows.DepositWaiting {
		t.Fatalf("deposit %s before the create's timeout passed", got.State)
	}
	a.clk.Advance(time.Minute)
	if err := a.service.CheckPayments(bg); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.db.Deposit(bg, d2.ID); got.State != flows.DepositExpired {
		t.Errorf("deposit %s after the gateway had none, want expired", got.State)
	}
	if n := gw.createCount() - before; n != 1 {
		t.Errorf("%d creates for one deposit", n)
	}
	told := false
	for _, n := range allNotifications(t, a) {
		told = told || n.ChatID == buyerID && strings.Contains(n.Text, "tidak jadi dibuat")
	}
	if !told || balance(t, a) != 50000 {
		t.Errorf("buyer told %v, balance %d", told, balance(t, a))
	}
}

// TestQRISCrashBeforeAnswer: the bot died after writing the deposit and
// before the gateway answered (the deposit has its create time and no
// payment). The poller finds the payment by merchant ref, records it, sends
// the buyer its link, and a PAID is credited — with no second create.
func TestQRISCrashBeforeAnswer(t *testing.T) {
	a, gw := newQRISConvo(t)
	now := a.clk.Now()
	d, _, err := a.db.CreateDeposit(bg, flows.Deposit{ID: "D261123090000CRASH01", UserID: buyerID, ChatID: buyerID, Lang: "id",
		Method: flows.MethodQRIS, Base: 40000, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour),
		Gateway: &flows.GatewayPayment{AskedAt: now}}, false)
	if err != nil {
		t.Fatal(err)
	}
	// The create reached the gateway before the crash.
	if _, err := gw.CreatePayment(bg, flows.PaymentRequest{MerchantRef: d.ID, Amount: d.Amount, ExpiresAt: d.ExpiresAt}); err != nil {
		t.Fatal(err)
	}
	a.clk.Advance(time.Minute)
	if err := a.service.CheckPayments(bg); err != nil {
		t.Fatal(err)
	}
	got, _ := a.db.Deposit(bg, d.ID)
	if reference(got) != "T0001" || got.Gateway.PayAmount != 40750 {
		t.Fatalf("after the poll: %+v", got.Gateway)
	}
	gw.set(d.ID, flows.PaymentPaid)
	a.clk.Advance(time.Minute)
	if err := a.service.CheckPayments(bg); err != nil {
		t.Fatal(err)
	}
	if balance(t, a) != 40000 || gw.createCount() != 1 {
		t.Errorf("balance %d after %d creates", balance(t, a), gw.createCount())
	}
}

// TestQRISRefused: a create the gateway refuses closes the deposit and
// offers Transfer; misconfigured credentials alert the admins.
func TestQRISRefused(t *testing.T) {
	a, gw := newQRISConvo(t)
	gw.create = func(flows.PaymentRequest) (bool, error) {
		return false, &flows.ProviderError{Kind: flows.KindMisconfigured, Op: "fake: create", Message: "Invalid signature"}
	}
	rs, d := qrisDeposit(t, a, "50000")
	if len(rs) != 2 || !strings.Contains(rs[1].Text, "pilih Transfer") || d.State != flows.DepositFailed {
		t.Fatalf("refused: %+v, deposit %s", rs, d.State)
	}
	alerted := false
	for _, n := range allNotifications(t, a) {
		alerted = alerted || strings.Contains(n.Text, "menolak membuat QRIS")
	}
	if !alerted {
		t.Error("no alert for misconfigured gateway credentials")
	}
	if strings.Contains(text(rs), "Invalid signature") {
		t.Error("the gateway's message reached the buyer")
	}
}

func reference(d flows.Deposit) string {
	if d.Gateway == nil {
		return ""
	}
	return d.Gateway.Reference
}

// TestQRISPaidBeforeQRSent: the callback credits the deposit before
// Telegram's answer gives the QR message's id (the buyer pays at once):
// the closing notes had no QR to edit, so the late id edits its caption.
func TestQRISPaidBeforeQRSent(t *testing.T) {
	a, gw := newQRISConvo(t)
	rs, d := qrisDeposit(t, a, "50000")
	if len(rs) != 2 || rs[1].Sent == nil {
		t.Fatalf("QRIS replies %+v", rs)
	}
	p := gw.set(d.ID, flows.PaymentPaid)
	if err := a.service.HandlePaymentCallback(bg, paid(p, 50750, flows.PaymentPaid)); err != nil {
		t.Fatal(err)
	}
	rs[1].Sent(77) // the QR message's id, after the credit
	rs[1].Sent(77) // told twice: edited once
	before := len(a.rec.got())
	a.deliver()
	edits := 0
	for _, n := range a.rec.got()[before:] {
		if n.Kind == flows.NotifyEdit && n.Caption && n.MessageID == 77 {
			edits++
			if !strings.Contains(n.Text, "sudah masuk ke saldo Anda") {
				t.Errorf("QR caption %q", n.Text)
			}
		}
	}
	if edits != 1 {
		t.Errorf("%d caption edits of the QR message, want 1: %+v", edits, a.rec.got()[before:])
	}
}
