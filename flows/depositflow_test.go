package flows_test

import (
	"strings"
	"sync"
	"testing"

	"topupbot/flows"
)

// newDeposit makes a deposit of base for the buyer through /deposit and a
// typed amount, marks it sent, and returns it as stored.
func newDeposit(t *testing.T, a *adminConvo, base string, sent bool) flows.Deposit {
	t.Helper()
	a.cmd(buyerID, false, "/deposit")
	rs := a.cmd(buyerID, false, base)
	if len(rs) != 1 || len(rs[0].Buttons) != 1 {
		t.Fatalf("deposit screen: %+v", rs)
	}
	id := rs[0].Buttons[0][0].Data.Arg
	if sent {
		a.tapAs(buyerID, buyerID, flows.ButtonData{Action: string(flows.EvDepositSent), Arg: id})
	}
	d, err := a.db.Deposit(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// depositEntries counts the ledger entries naming deposit id.
func depositEntries(t *testing.T, a *adminConvo, user int64, id string) int {
	t.Helper()
	es, err := a.db.Entries(bg, user, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.DepositID == id {
			n++
		}
	}
	return n
}

// TestDepositApprovedOnceConcurrently: two admins tapping Terima at the same
// moment, each tap re-delivered, credit the deposit exactly once (rule 15).
func TestDepositApprovedOnceConcurrently(t *testing.T) {
	a := newAdminConvoWallet(t, 0, true)
	d := newDeposit(t, a, "50000", true)
	approve := flows.ButtonData{Action: string(flows.EvDepositApprove), Arg: d.ID}
	var wg sync.WaitGroup
	for i, admin := range []int64{adminID, adminID2, adminID, adminID2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := flows.Input{UpdateID: 1000 + i, ChatID: opsChat, UserID: admin, Kind: flows.InputButton, Button: approve, MessageID: 77}
			if _, err := a.service.Handle(bg, in); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	w, err := a.db.Wallet(bg, buyerID)
	if err != nil {
		t.Fatal(err)
	}
	if w.Balance != d.Amount || depositEntries(t, a, buyerID, d.ID) != 1 {
		t.Errorf("balance %d with %d entries for the deposit, want %d and 1", w.Balance, depositEntries(t, a, buyerID, d.ID), d.Amount)
	}
	got, _ := a.db.Deposit(bg, d.ID)
	if got.State != flows.DepositCredited || got.EntryID == 0 || got.ClosedBy != adminID && got.ClosedBy != adminID2 {
		t.Errorf("deposit after approval: %+v", got)
	}
}

// TestDepositButtonsActOnlyForTheirOwners: a buyer's buttons do nothing for
// another user, the admins' do nothing for a buyer (in private: the stale
// answer; in the group: silence), and nothing is credited.
func TestDepositButtonsActOnlyForTheirOwners(t *testing.T) {
	a := newAdminConvoWallet(t, 0, true)
	d := newDeposit(t, a, "50000", false)
	const other = int64(1002)
	a.reconfigure(func(cfg *flows.ServiceConfig) { cfg.Open = true })

	for _, ev := range []flows.Event{flows.EvDepositSent, flows.EvDepositCancel} {
		got := text(a.tapAs(other, other, flows.ButtonData{Action: string(ev), Arg: d.ID}))
		if !strings.Contains(got, "tidak ditemukan") {
			t.Errorf("another user's %s: %q", ev, got)
		}
	}
	for _, ev := range []flows.Event{flows.EvDepositApprove, flows.EvDepositReject, flows.EvDepositCredit} {
		data := flows.ButtonData{Action: string(ev), Arg: d.ID}
		if got := text(a.tapAs(buyerID, buyerID, data)); strings.Contains(got, d.ID) {
			t.Errorf("the buyer's own %s acted: %q", ev, got)
		}
		if got := a.tapAs(buyerID, opsChat, data); len(got) != 0 {
			t.Errorf("a buyer's %s in the group answered: %q", ev, text(got))
		}
	}
	if got, _ := a.db.Deposit(bg, d.ID); got.State != flows.DepositWaiting {
		t.Errorf("deposit is %s after others' taps, want waiting", got.State)
	}
	if n := depositEntries(t, a, buyerID, d.ID); n != 0 {
		t.Errorf("%d entries for a deposit nobody approved", n)
	}
}

// TestDepositReplacedAndSentOnesStay: a new deposit replaces the buyer's
// waiting one but not one marked sent; an approve tap on the replaced one
// credits nothing and offers the adjustment, which credits once.
func TestDepositReplacedAndSentOnesStay(t *testing.T) {
	a := newAdminConvoWallet(t, 0, true)
	sent := newDeposit(t, a, "100000", true)
	old := newDeposit(t, a, "50000", false)
	newer := newDeposit(t, a, "60000", false)
	for id, want := range map[string]flows.DepositState{sent.ID: flows.DepositSent, old.ID: flows.DepositReplaced, newer.ID: flows.DepositWaiting} {
		if got, _ := a.db.Deposit(bg, id); got.State != want {
			t.Errorf("deposit %s is %s, want %s", id, got.State, want)
		}
	}
	rs := a.tapAs(adminID, adminID, flows.ButtonData{Action: string(flows.EvDepositApprove), Arg: old.ID})
	if n := depositEntries(t, a, buyerID, old.ID); n != 0 || len(rs) != 1 || len(rs[0].Buttons) != 1 {
		t.Fatalf("approving a replaced deposit: %d entries, answer %+v", n, rs)
	}
	credit := rs[0].Buttons[0][0].Data
	for range 3 {
		a.tapAs(adminID, adminID, credit)
	}
	es, _ := a.db.Entries(bg, buyerID, 0)
	if n := depositEntries(t, a, buyerID, old.ID); n != 1 || es[len(es)-1].Kind != flows.EntryAdjustment || es[len(es)-1].By != adminID {
		t.Errorf("late credit: %d entries, last %+v", n, es[len(es)-1])
	}
	// The adjusted deposit can never be approved on top.
	a.tapAs(adminID2, adminID2, flows.ButtonData{Action: string(flows.EvDepositApprove), Arg: old.ID})
	if n := depositEntries(t, a, buyerID, old.ID); n != 1 {
		t.Errorf("approve after the adjustment: %d entries", n)
	}
}

// TestDepositOff: with the wallet off, /deposit says so and is not in
// /help; the short-saldo screen never appears.
func TestDepositOff(t *testing.T) {
	a := newAdminConvoWallet(t, 0, false)
	if got := text(a.cmd(buyerID, false, "/deposit")); !strings.Contains(got, "tidak tersedia") {
		t.Errorf("/deposit with the wallet off: %q", got)
	}
	if got := text(a.cmd(buyerID, false, "/help")); strings.Contains(got, "/deposit") {
		t.Errorf("/help lists /deposit with the wallet off: %q", got)
	}
}
