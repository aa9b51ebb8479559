package flows

import (
	"context"
	"strings"
	"unicode"
)

// Product names as buyers read them: the providers' capitals tidied, and
// the names and visibility the admins set (/rename, /hide, /show) over the
// providers' lists.

// ProductOverride is what the admins set on one product code: a display
// name in place of the provider's, and whether buyers see it at all.
type ProductOverride struct {
	// Name, when set, is shown instead of the provider's name everywhere a
	// buyer meets the product.
	Name string `json:"name,omitempty"`
	// Hidden takes the product from the buyers: the menus, /harga and the
	// purchase treat it as unavailable.
	Hidden bool `json:"hidden,omitempty"`
}

// IsZero reports whether o sets nothing.
func (o ProductOverride) IsZero() bool { return o == ProductOverride{} }

// OverrideStore keeps the admins' product overrides between restarts.
type OverrideStore interface {
	// ProductOverrides returns every override, by product code.
	ProductOverrides(ctx context.Context) (map[string]ProductOverride, error)
	// SetProductOverride keeps o for code; the zero override deletes it.
	SetProductOverride(ctx context.Context, code string, o ProductOverride) error
}

// spelled are the words that keep a spelling of their own, keyed by their
// capitals: brands that are not title case, units and acronyms with
// vowels (the vowel-less ones — PLN, SMS, GB, XL — stay as they are
// anyway).
var spelled = map[string]string{
	"BY.U": "by.U", "BYU": "by.U", "ESIM": "eSIM", "RP": "Rp",
	"BPJS": "BPJS", "PUBG": "PUBG", "PDAM": "PDAM", "DANA": "DANA", "OVO": "OVO",
	"GOPAY": "GoPay", "SHOPEEPAY": "ShopeePay", "LINKAJA": "LinkAja", "ISAKU": "iSaku",
	"IM3": "IM3", "MLBB": "MLBB", "UC": "UC", "VIP": "VIP", "ID": "ID", "BCA": "BCA",
	"BNI": "BNI", "BRI": "BRI", "BSI": "BSI", "MANDIRI": "Mandiri", "PGN": "PGN",
	"TV": "TV", "SMS": "SMS", "NELPON": "Nelpon",
}

// TidyName turns the capitals a provider writes names in ("PLN
// PASCABAYAR", "ESIM TELKOMSEL 25GB 30 HARI") into the case people write
// them ("PLN Pascabayar", "eSIM Telkomsel 25GB 30 Hari"), keeping
// acronyms, units and brands with a spelling of their own (PLN, BPJS, XL,
// GB, ML, by.U, Rp). A word with a lower-case letter is the provider's own
// spelling and is left as it is; numbers keep their dots.
func TidyName(name string) string {
	words := strings.Split(name, " ")
	for i, w := range words {
		words[i] = tidyWord(w)
	}
	return strings.Join(words, " ")
}

// tidyWord tidies one space-separated word.
func tidyWord(w string) string {
	if w == "" || strings.IndexFunc(w, unicode.IsLower) >= 0 {
		return w
	}
	if s, ok := spelled[w]; ok {
		return s
	}
	// A word of several parts ("E-MONEY", "(PROMO)", "RP10.000", "25GB"):
	// each run of letters on its own.
	var b strings.Builder
	rs := []rune(w)
	for i := 0; i < len(rs); {
		if !unicode.IsLetter(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && unicode.IsLetter(rs[j]) {
			j++
		}
		afterDigit := i > 0 && unicode.IsDigit(rs[i-1])
		b.WriteString(tidyRun(string(rs[i:j]), afterDigit))
		i = j
	}
	return b.String()
}

// tidyRun tidies a run of capitals inside a word; afterDigit when it
// follows a number ("25GB", "10K").
func tidyRun(run string, afterDigit bool) string {
	if s, ok := spelled[run]; ok {
		return s
	}
	if !strings.ContainsAny(run, "AEIOU") || afterDigit && len(run) <= 2 {
		return run // an acronym or a unit: PLN, XL, GB, ML, 10K
	}
	rs := []rune(strings.ToLower(run))
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}
