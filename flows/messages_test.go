package flows

import (
	"regexp"
	"testing"
)

var verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// TestCatalogueComplete: every language has every key, with the same
// formatting verbs in the same order, so no text ever falls back to another
// language or misprints an argument.
func TestCatalogueComplete(t *testing.T) {
	id := catalogue[LangID]
	for lang, texts := range catalogue {
		for key, want := range id {
			got, ok := texts[key]
			if !ok {
				t.Errorf("%s lacks %q", lang, key)
				continue
			}
			w, g := verb.FindAllString(want, -1), verb.FindAllString(got, -1)
			if len(w) != len(g) {
				t.Errorf("%s %q has verbs %v, Bahasa Indonesia %v", lang, key, g, w)
				continue
			}
			for i := range w {
				if w[i] != g[i] {
					t.Errorf("%s %q has verbs %v, Bahasa Indonesia %v", lang, key, g, w)
					break
				}
			}
		}
		for key := range texts {
			if _, ok := id[key]; !ok {
				t.Errorf("%s has %q, which Bahasa Indonesia lacks", lang, key)
			}
		}
	}
	for _, c := range Categories {
		for lang := range catalogue {
			if got := categoryNameIn(lang, c.ID); got == "" || got == "cat_"+string(c.ID) {
				t.Errorf("%s has no name for category %s", lang, c.ID)
			}
		}
	}
}
