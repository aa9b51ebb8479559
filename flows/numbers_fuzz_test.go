package flows

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// The seeds of these targets are in testdata/fuzz/<target>: numbers as
// buyers type them (+62, dots, dashes, brackets, Arabic-Indic and
// full-width digits, game ids with zones), and garbage. go test runs them.

// fuzzKinds are the products a fuzzed number is typed for, by the fuzzer's
// byte (modulo).
var fuzzKinds = []Product{
	{Brand: "Telkomsel", Number: NumberPhone},
	{Brand: "by.U", Number: NumberPhone},
	{Brand: "XL", Number: NumberPhone},
	{Brand: "DANA", Number: NumberPhone},
	{Brand: "PLN", Number: NumberPLNMeter},
	{Brand: "Mobile Legend", Number: NumberGameID, NumberFormat: "{userid}|{zoneid}"},
	{Brand: "Free Fire", Number: NumberGameID, NumberFormat: "{userid}"},
	{Brand: "Dragon Nest", Number: NumberGameID, NumberFormat: "{rolename}|{serverid}"},
	{Brand: "Wild Rift", Number: NumberGameID, NumberFormat: "{userid}|{tag}"},
	{Brand: "PLN Pascabayar", Number: NumberBill},
	{Brand: "Alfamart", Number: NumberAny},
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// FuzzNormalisePhone: a phone number comes out as 08 and 10–13 ASCII
// digits, and normalises to itself; anything else is NumberBadPhone.
func FuzzNormalisePhone(f *testing.F) {
	f.Fuzz(func(t *testing.T, typed string) {
		n, err := NormalisePhone(typed)
		if err != nil {
			if !errors.Is(err, NumberBadPhone) || n != "" {
				t.Fatalf("NormalisePhone(%q) = %q, %v", typed, n, err)
			}
			return
		}
		if !strings.HasPrefix(n, "08") || len(n) < 10 || len(n) > 13 || !digits(n) {
			t.Fatalf("NormalisePhone(%q) = %q", typed, n)
		}
		if again, err := NormalisePhone(n); again != n || err != nil {
			t.Fatalf("NormalisePhone(%q) = %q, but that normalises to %q, %v", typed, n, again, err)
		}
		// Every digit of the result was typed (only a leading 0 may be
		// added for 8…, or stand for +62/62).
		if typedDigits := keepDigits(typed); !strings.HasSuffix(typedDigits, n[1:]) {
			t.Fatalf("NormalisePhone(%q) = %q: digits that were not typed", typed, n)
		}
	})
}

func keepDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// FuzzNormaliseNumber: for every kind of product, a number that passes
// comes out in the kind's form — a phone of the product's operator, a
// meter of 11–12 digits, a customer number of 6–20 digits, a game id of the
// format's parts joined by "|" (digits, or short free text for role names
// and tags) — and normalises to itself; a refusal is a NumberError.
func FuzzNormaliseNumber(f *testing.F) {
	f.Fuzz(func(t *testing.T, kind uint8, typed string) {
		p := fuzzKinds[int(kind)%len(fuzzKinds)]
		n, err := NormaliseNumber(p, typed)
		if err != nil {
			var ne NumberError
			if !errors.As(err, &ne) || n != "" {
				t.Fatalf("%s: NormaliseNumber(%q) = %q, %v", p.Brand, typed, n, err)
			}
			return
		}
		if again, err := NormaliseNumber(p, n); again != n || err != nil {
			t.Fatalf("%s: NormaliseNumber(%q) = %q, which normalises to %q, %v", p.Brand, typed, n, again, err)
		}
		if !utf8.ValidString(n) || strings.TrimSpace(n) != n {
			t.Fatalf("%s: NormaliseNumber(%q) = %q", p.Brand, typed, n)
		}
		switch p.Number {
		case NumberPhone:
			if ph, err := NormalisePhone(n); ph != n || err != nil {
				t.Fatalf("%s: %q is no phone number", p.Brand, n)
			}
			if want, got := Operator(p.Brand), OperatorOf(n); want != "" && got != want && !(want == "telkomsel" && got == "byu") {
				t.Fatalf("%s: %q is a number of %q", p.Brand, n, got)
			}
		case NumberPLNMeter:
			if !digits(n) || len(n) < 11 || len(n) > 12 {
				t.Fatalf("meter %q", n)
			}
		case NumberBill, NumberAny:
			if !digits(n) || len(n) < 6 || len(n) > 20 {
				t.Fatalf("%s: customer number %q", p.Brand, n)
			}
		case NumberGameID:
			parts := strings.Split(n, "|")
			if len(parts) != strings.Count(p.NumberFormat, "|")+1 {
				t.Fatalf("%s: game id %q has %d parts for %q", p.Brand, n, len(parts), p.NumberFormat)
			}
			names := strings.Split(strings.NewReplacer("{", "", "}", "").Replace(p.NumberFormat), "|")
			for i, part := range parts {
				free := names[i] == "rolename" || names[i] == "tag"
				if part == "" || free && (len(part) > 32 || !printable(part)) || !free && (!digits(part) || len(part) > 20) {
					t.Fatalf("%s: game id %q: part %q", p.Brand, n, part)
				}
				if strings.ContainsAny(part, " \t\n()/,|") {
					t.Fatalf("%s: game id %q: part %q holds a separator", p.Brand, n, part)
				}
			}
		}
	})
}
