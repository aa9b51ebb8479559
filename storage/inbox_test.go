package storage

import (
	"testing"
)

func TestInbox(t *testing.T) {
	db, _, clk := openTest(t)
	if err := db.SaveUpdates(ctx, map[int][]byte{7: []byte(`{"update_id":7}`), 9: []byte(`{"update_id":9}`), 8: []byte(`{"update_id":8}`)}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveUpdates(ctx, map[int][]byte{10: nil}); err == nil {
		t.Error("an empty update was stored")
	}
	db = reopen(t, db, clk) // received updates survive a crash
	got, err := db.PendingUpdates(ctx)
	if err != nil || len(got) != 3 || string(got[8]) != `{"update_id":8}` {
		t.Fatalf("pending %v %v", got, err)
	}
	if err := db.DropUpdatesBelow(ctx, 9); err != nil {
		t.Fatal(err)
	}
	got, _ = db.PendingUpdates(ctx)
	if len(got) != 1 || got[9] == nil {
		t.Errorf("after dropping below 9: %v", got)
	}
	db.DropUpdatesBelow(ctx, 1000)
	if got, _ := db.PendingUpdates(ctx); len(got) != 0 {
		t.Errorf("after dropping all: %v", got)
	}
}
