package flows

import (
	"strings"
	"testing"
)

func TestNumberFits(t *testing.T) {
	for _, c := range []struct {
		typed, phone, meter string
	}{
		{"081212345678", "081212345678", "081212345678"}, // 12 digits: could be a meter too
		{"0812-1234-5678", "081212345678", "081212345678"},
		{"+62 812 1234 5678", "081212345678", ""}, // "+": a phone only
		{"6281212345678", "081212345678", ""},     // 13 digits
		{"62812345678", "0812345678", "62812345678"},
		{"0812123456789", "0812123456789", ""},
		{"12345678901", "", "12345678901"}, // no operator prefix
		{"5300 0000 0000", "", "530000000000"},
		{"0800-1234-5678", "", "080012345678"}, // no operator has 0800
		{"0800-1234", "", ""},
		{"1234567890123", "", ""},
		{"halo", "", ""},
		{"", "", ""},
	} {
		phone, meter := numberFits(c.typed)
		if phone != c.phone || meter != c.meter {
			t.Errorf("numberFits(%q) = %q, %q; want %q, %q", c.typed, phone, meter, c.phone, c.meter)
		}
	}
}

func TestMatchKeyword(t *testing.T) {
	for _, c := range []struct {
		typed    string
		category CategoryID
		brand    string
		rest     string
		ok       bool
	}{
		{"pulsa", CategoryPulsa, "", "", true},
		{"PULSA 0812 3456 7890", CategoryPulsa, "", "0812 3456 7890", true},
		{"paket data 0817", CategoryData, "", "0817", true},
		{"token", CategoryPLN, "", "", true},
		{"Mobile Legends", CategoryGame, "mobile legend", "", true},
		{"ml", CategoryGame, "mobile legend", "", true},
		{"airtime", CategoryPulsa, "", "", true},
		{"halo kak", "", "", "", false},
	} {
		k, rest, ok := matchKeyword(strings.Fields(c.typed))
		if ok != c.ok || k.Category != c.category || k.Brand != c.brand || rest != c.rest {
			t.Errorf("matchKeyword(%q) = %+v, %q, %v", c.typed, k, rest, ok)
		}
	}
}

// TestKeywordsAreCategories keeps the keyword table to real categories.
func TestKeywordsAreCategories(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range keywords {
		if _, ok := LookupCategory(k.Category); !ok {
			t.Errorf("keyword %v names no category %q", k.Words, k.Category)
		}
		for _, w := range k.Words {
			if seen[w] {
				t.Errorf("keyword %q twice", w)
			}
			seen[w] = true
			if phone, meter := numberFits(w); phone != "" || meter != "" {
				t.Errorf("keyword %q reads as a number", w)
			}
		}
	}
}
