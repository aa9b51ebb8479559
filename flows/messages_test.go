package flows

import (
	"errors"
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

// TestTextEscapesArguments: the catalogue escapes every argument that is
// text, whatever its type, and passes Markup and numbers as they are.
func TestTextEscapesArguments(t *testing.T) {
	tests := []struct {
		name string
		arg  any
		want string
	}{
		{"string", `<b>Tom & "Jerry"</b>`, "Nomor: &lt;b&gt;Tom &amp; &#34;Jerry&#34;&lt;/b&gt;"},
		{"string type", Status("<x>"), "Nomor: &lt;x&gt;"},
		{"apostrophe", "product's", "Nomor: product&#39;s"},
		{"Stringer", Account{Provider: "a<b", ID: "c", KeyHash: "d"}, "Nomor: a&lt;b:c:d"},
		{"error", errors.New("rc <06>"), "Nomor: rc &lt;06&gt;"},
		{"markup", Markup("<code>0812</code>"), "Nomor: <code>0812</code>"},
		{"code", code("a<b"), "Nomor: <code>a&lt;b</code>"},
	}
	for _, tt := range tests {
		if got := text(LangID, "line_number", tt.arg); got != tt.want {
			t.Errorf("%s: text = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got, want := text(LangID, "admin_f_buyer", int64(-100), 7), "Chat: <code>-100</code> · Pengguna: <code>7</code>"; got != want {
		t.Errorf("numbers: text = %q, want %q", got, want)
	}
	if got, want := markupf("%s · %s", "a&b", Markup("<i>c</i>")), Markup("a&amp;b · <i>c</i>"); got != want {
		t.Errorf("markupf = %q, want %q", got, want)
	}
}
