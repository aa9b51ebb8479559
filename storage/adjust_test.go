package storage

import (
	"errors"
	"fmt"
	"testing"

	"topupbot/flows"
)

// TestAdjustNotify: an adjustment and the user's notice commit together;
// one refused below zero writes neither.
func TestAdjustNotify(t *testing.T) {
	db, _, clk := openTest(t)
	notice := func(e flows.LedgerEntry) []flows.Notification {
		return []flows.Notification{{Kind: flows.NotifySend, ChatID: e.UserID, Text: noticeText(e)}}
	}
	e, err := db.AdjustNotify(ctx, 7, 50000, 1, "setoran tunai", notice)
	if err != nil {
		t.Fatal(err)
	}
	if e.ID == 0 || e.BalanceAfter != 50000 || e.By != 1 || e.Note != "setoran tunai" || e.Kind != flows.EntryAdjustment {
		t.Errorf("entry = %+v", e)
	}
	_, err = db.AdjustNotify(ctx, 7, -50001, 1, "", notice)
	var short *flows.BalanceTooLowError
	if !errors.As(err, &short) || short.Balance != 50000 || short.Needed != 50001 {
		t.Fatalf("below zero: err = %v, want *BalanceTooLowError with the balance", err)
	}
	if _, err := db.AdjustNotify(ctx, 7, -1000, 2, "", nil); err != nil {
		t.Fatal(err)
	}
	w, err := db.Wallet(ctx, 7)
	if err != nil || w.Balance != 49000 || w.Held != 0 {
		t.Errorf("wallet = %+v, %v; want balance 49000", w, err)
	}
	entries, err := db.Entries(ctx, 7, 0)
	if err != nil || len(entries) != 2 {
		t.Fatalf("entries = %+v, %v; want the two written", entries, err)
	}
	due, err := db.DueNotifications(ctx, clk.Now(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].ChatID != 7 || due[0].Text != "+50000 → 50000" {
		t.Errorf("outbox = %+v, want the one notice of the credit", due)
	}
}

// noticeText is the test's notice: the change and the balance after.
func noticeText(e flows.LedgerEntry) string {
	return fmt.Sprintf("%+d → %d", e.Balance, e.BalanceAfter)
}
