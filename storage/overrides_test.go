package storage

import (
	"reflect"
	"testing"

	"topupbot/flows"
)

// TestProductOverrides: the admins' names and hidden codes survive a
// reopen; setting one replaces that code's alone; the zero override
// deletes it.
func TestProductOverrides(t *testing.T) {
	db, _, clk := openTest(t)
	if got, err := db.ProductOverrides(ctx); err != nil || len(got) != 0 {
		t.Fatalf("fresh database: %v %v, want none", got, err)
	}
	for code, o := range map[string]flows.ProductOverride{
		"htelkomsel5000": {Name: "Pulsa <Tsel> 5rb"},
		"xld10000":       {Hidden: true},
		"PLN20":          {Name: "Token 20rb", Hidden: true},
	} {
		if err := db.SetProductOverride(ctx, code, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetProductOverride(ctx, "PLN20", flows.ProductOverride{Name: "Token 20rb"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetProductOverride(ctx, "xld10000", flows.ProductOverride{}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetProductOverride(ctx, "", flows.ProductOverride{Hidden: true}); err == nil {
		t.Error("an empty code was accepted")
	}
	db = reopen(t, db, clk)
	got, err := db.ProductOverrides(ctx)
	want := map[string]flows.ProductOverride{
		"htelkomsel5000": {Name: "Pulsa <Tsel> 5rb"},
		"PLN20":          {Name: "Token 20rb"},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("after reopen: %v %v, want %v", got, err, want)
	}
}
