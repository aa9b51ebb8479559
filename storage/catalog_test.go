package storage

import (
	"errors"
	"testing"

	"topupbot/flows"
)

// TestSourceCatalogs: each catalog source's copy is kept on its own, across
// a reopen; saving one replaces that one alone; a source never saved is
// not found.
func TestSourceCatalogs(t *testing.T) {
	db, _, clk := openTest(t)
	if _, _, err := db.SourceCatalog(ctx, "prepaid"); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("never saved: %v, want not found", err)
	}
	db.SaveSourceCatalog(ctx, "prepaid", []flows.Product{{Code: "P1", Price: 1000, Available: true}})
	db.SaveSourceCatalog(ctx, "postpaid", []flows.Product{{Code: "B1", Kind: flows.Postpaid}})
	db.SaveSourceCatalog(ctx, "prepaid", []flows.Product{{Code: "P2", Price: 2000, Available: true}})
	db = reopen(t, db, clk)
	if ps, at, err := db.SourceCatalog(ctx, "prepaid"); err != nil || len(ps) != 1 || ps[0].Code != "P2" || !at.Equal(clk.Now()) {
		t.Errorf("prepaid %+v %v %v", ps, at, err)
	}
	if ps, _, err := db.SourceCatalog(ctx, "postpaid"); err != nil || len(ps) != 1 || ps[0].Code != "B1" {
		t.Errorf("postpaid %+v %v", ps, err)
	}
	if _, _, err := db.Catalog(ctx); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("the single list of earlier versions: %v, want untouched (not found)", err)
	}
}
