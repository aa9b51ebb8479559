package flows

import (
	"errors"
	"testing"
)

func TestLedgerEntryCheckShape(t *testing.T) {
	tests := []struct {
		name string
		e    LedgerEntry
		ok   bool
	}{
		{"hold", LedgerEntry{Kind: EntryHold, Balance: -500, Held: 500, Ref: "R1"}, true},
		{"hold without ref", LedgerEntry{Kind: EntryHold, Balance: -500, Held: 500}, false},
		{"hold unbalanced", LedgerEntry{Kind: EntryHold, Balance: -400, Held: 500, Ref: "R1"}, false},
		{"hold backwards", LedgerEntry{Kind: EntryHold, Balance: 500, Held: -500, Ref: "R1"}, false},
		{"hold of nothing", LedgerEntry{Kind: EntryHold, Ref: "R1"}, false},
		{"purchase", LedgerEntry{Kind: EntryPurchase, Held: -500, Ref: "R1"}, true},
		{"purchase touching balance", LedgerEntry{Kind: EntryPurchase, Balance: -1, Held: -500, Ref: "R1"}, false},
		{"purchase adding to held", LedgerEntry{Kind: EntryPurchase, Held: 500, Ref: "R1"}, false},
		{"purchase without ref", LedgerEntry{Kind: EntryPurchase, Held: -500}, false},
		{"refund", LedgerEntry{Kind: EntryRefund, Balance: 500, Held: -500, Ref: "R1"}, true},
		{"refund unbalanced", LedgerEntry{Kind: EntryRefund, Balance: 600, Held: -500, Ref: "R1"}, false},
		{"refund backwards", LedgerEntry{Kind: EntryRefund, Balance: -500, Held: 500, Ref: "R1"}, false},
		{"deposit", LedgerEntry{Kind: EntryDeposit, Balance: 50000, DepositID: "D1"}, true},
		{"deposit without id", LedgerEntry{Kind: EntryDeposit, Balance: 50000}, false},
		{"deposit negative", LedgerEntry{Kind: EntryDeposit, Balance: -50000, DepositID: "D1"}, false},
		{"deposit touching held", LedgerEntry{Kind: EntryDeposit, Balance: 50000, Held: 1, DepositID: "D1"}, false},
		{"adjustment up", LedgerEntry{Kind: EntryAdjustment, Balance: 1000, By: 7}, true},
		{"adjustment down", LedgerEntry{Kind: EntryAdjustment, Balance: -1000, By: 7}, true},
		{"adjustment of nothing", LedgerEntry{Kind: EntryAdjustment, By: 7}, false},
		{"adjustment without admin", LedgerEntry{Kind: EntryAdjustment, Balance: 1000}, false},
		{"adjustment touching held", LedgerEntry{Kind: EntryAdjustment, Balance: 1000, Held: 1, By: 7}, false},
		{"unknown kind", LedgerEntry{Kind: "gift", Balance: 1000, By: 7}, false},
	}
	for _, tt := range tests {
		err := tt.e.CheckShape()
		if tt.ok && err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		if !tt.ok && !errors.Is(err, ErrEntryShape) {
			t.Errorf("%s: err = %v, want ErrEntryShape", tt.name, err)
		}
	}
}

func TestBalanceTooLowError(t *testing.T) {
	e := &BalanceTooLowError{UserID: 5, Balance: 3000, Needed: 11000}
	if e.Missing() != 8000 {
		t.Errorf("Missing = %d, want 8000", e.Missing())
	}
	if got, want := e.Error(), "balance too low: user 5 has Rp 3.000, needs Rp 11.000"; got != want {
		t.Errorf("Error = %q, want %q", got, want)
	}
}
