package main

import (
	"slices"
	"testing"

	"topupbot/flows"
)

// A markup under min_margin is named with its level and category: its
// products would be refused at every order. Bills are not bound.
func TestMarkupsBelowMargin(t *testing.T) {
	p := flows.Pricing{Markup: 500, Category: map[flows.CategoryID]int64{flows.CategoryPulsa: 100, flows.CategoryBill: 0},
		Level: map[string]*flows.Pricing{"reseller": {Markup: 300}}}
	got := markupsBelow(p, 300)
	want := []string{"level default, category pulsa: 100"}
	if !slices.Equal(got, want) {
		t.Errorf("markupsBelow = %q, want %q", got, want)
	}
	if got := markupsBelow(p, 400); !slices.Contains(got, "level reseller, category data: 300") || slices.ContainsFunc(got, func(s string) bool {
		return s == "level default, category tagihan: 0"
	}) {
		t.Errorf("markupsBelow at 400 = %q", got)
	}
}
