package flows_test

import (
	"strings"
	"sync"
	"testing"

	"topupbot/flows"
)

// refundAlerts counts the admins' refund alerts for deposit id.
func refundAlerts(t *testing.T, a *adminConvo, id string) int {
	t.Helper()
	n := 0
	for _, note := range allNotifications(t, a) {
		if strings.Contains(note.Text, id) && strings.Contains(note.Text, "di-refund") {
			n++
		}
	}
	return n
}

// TestReviewRefundAfterAdjustmentAlerts: a short payment alerts (Alerted
// set) and an admin credits it with the one-tap adjustment; a REFUND of
// that payment afterwards must alert the admins too (rule 15: a gateway
// refund after a credit alerts admins) — the earlier alert must not
// silence it.
func TestReviewRefundAfterAdjustmentAlerts(t *testing.T) {
	a, gw := newQRISConvo(t)
	_, d := qrisDeposit(t, a, "50000")
	p := gw.set(d.ID, flows.PaymentPaid)
	if err := a.service.HandlePaymentCallback(bg, paid(p, 50000, flows.PaymentPaid)); err != nil {
		t.Fatal(err)
	}
	a.tapAs(adminID, adminID, flows.ButtonData{Action: string(flows.EvDepositCredit), Arg: d.ID})
	if got, _ := a.db.Deposit(bg, d.ID); got.AdjustedBy != adminID || balance(t, a) != 50000 {
		t.Fatalf("one-tap credit: adjusted by %d, balance %d", got.AdjustedBy, balance(t, a))
	}
	for range 2 {
		if err := a.service.HandlePaymentCallback(bg, paid(p, 50000, flows.PaymentRefund)); err != nil {
			t.Fatal(err)
		}
	}
	if n := refundAlerts(t, a, d.ID); n != 1 {
		t.Errorf("%d refund alerts after the adjustment, want 1", n)
	}
}

// TestReviewRefundThenPaidNotCredited: the PAID callback was lost and the
// gateway refunded the payment; its REFUND reaches an open deposit. A PAID
// callback re-sent afterwards must not credit money the buyer got back,
// and the deposit must not stay open for ever (blocking /deposit).
func TestReviewRefundThenPaidNotCredited(t *testing.T) {
	a, gw := newQRISConvo(t)
	_, d := qrisDeposit(t, a, "50000")
	p := gw.set(d.ID, flows.PaymentRefund)
	if err := a.service.HandlePaymentCallback(bg, paid(p, 50750, flows.PaymentRefund)); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.db.Deposit(bg, d.ID); got.State.Open() {
		t.Errorf("deposit %s after its payment was refunded, want closed", got.State)
	}
	if err := a.service.HandlePaymentCallback(bg, paid(p, 50750, flows.PaymentPaid)); err != nil {
		t.Fatal(err)
	}
	if got := balance(t, a); got != 0 {
		t.Errorf("balance %d: a PAID after the REFUND credited refunded money", got)
	}
	if got := text(a.cmd(buyerID, false, "/deposit")); !strings.Contains(got, "Bayar dengan apa?") {
		t.Errorf("/deposit after a refunded payment: %q", got)
	}
}

// TestReviewDepositTapsRace: on a sent deposit, Terima, Tolak and the
// one-tap credit by two admins at once, with the buyer and another user
// tapping the admins' buttons and the buyer's Batal, move money once at
// most (exactly once here: whichever closes it, the later credit tap can
// only adjust an uncredited one), and never by a non-admin.
func TestReviewDepositTapsRace(t *testing.T) {
	a := newAdminConvoWallet(t, 0, true)
	d := newDeposit(t, a, "50000", true)
	taps := []struct {
		user int64
		ev   flows.Event
	}{
		{adminID, flows.EvDepositApprove}, {adminID2, flows.EvDepositReject}, {adminID2, flows.EvDepositCredit},
		{adminID, flows.EvDepositCredit}, {buyerID, flows.EvDepositApprove}, {buyerID, flows.EvDepositCredit},
		{buyerID + 1, flows.EvDepositCancel}, {buyerID + 1, flows.EvDepositApprove}, {adminID2, flows.EvDepositApprove},
	}
	var wg sync.WaitGroup
	for i, tp := range taps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := flows.Input{UpdateID: 5000 + i, ChatID: tp.user, UserID: tp.user, Kind: flows.InputButton,
				Button: flows.ButtonData{Action: string(tp.ev), Arg: d.ID}, MessageID: 90}
			if _, err := a.service.Handle(bg, in); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// A last credit tap settles a reject that won the race.
	if _, err := a.service.Handle(bg, flows.Input{UpdateID: 9000, ChatID: adminID, UserID: adminID, Private: true,
		Kind: flows.InputButton, Button: flows.ButtonData{Action: string(flows.EvDepositCredit), Arg: d.ID}, MessageID: 91}); err != nil {
		t.Fatal(err)
	}
	got, _ := a.db.Deposit(bg, d.ID)
	if n := depositEntries(t, a, buyerID, d.ID); n != 1 || balance(t, a) != d.Amount {
		t.Errorf("deposit %s adjusted by %d: %d entries, balance %d", got.State, got.AdjustedBy, n, balance(t, a))
	}
	if got.ClosedBy == buyerID || got.AdjustedBy == buyerID || got.ClosedBy == buyerID+1 || got.State == flows.DepositCancelled {
		t.Errorf("a non-admin moved it: %+v", got)
	}
}

// TestReviewForeignPaidAfterCreditAlerts: after a deposit was credited, a
// verified PAID for another payment under its merchant ref (money that
// arrived for a deposit no longer waiting, rule 15) tells the admins once,
// without crediting anything.
func TestReviewForeignPaidAfterCreditAlerts(t *testing.T) {
	a, gw := newQRISConvo(t)
	_, d := qrisDeposit(t, a, "50000")
	p := gw.set(d.ID, flows.PaymentPaid)
	if err := a.service.HandlePaymentCallback(bg, paid(p, 50750, flows.PaymentPaid)); err != nil {
		t.Fatal(err)
	}
	if err := a.service.HandlePaymentCallback(bg, flows.PaymentCallback{Reference: "T9999", MerchantRef: d.ID,
		Status: flows.PaymentPaid, TotalAmount: 50750}); err != nil {
		t.Fatal(err)
	}
	alerts := 0
	for _, n := range allNotifications(t, a) {
		if strings.Contains(n.Text, d.ID) && strings.Contains(n.Text, "T9999") {
			alerts++
		}
	}
	if alerts != 1 || balance(t, a) != 50000 {
		t.Errorf("%d alerts for a second payment after the credit, balance %d", alerts, balance(t, a))
	}
}
