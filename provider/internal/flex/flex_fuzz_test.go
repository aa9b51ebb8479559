package flex

import (
	"encoding/json"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// plainDecimal is the oracle's idea of a number a provider writes: an
// optional sign, digits with at most one decimal point, an optional short
// exponent. Nothing else is money.
var plainDecimal = regexp.MustCompile(`^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$`)

// exactInt is the oracle: the integer s denotes, if it is a plain decimal
// that denotes an int64 (math.MinInt64 excluded, as ParseInt does).
func exactInt(s string) (int64, bool) {
	if !plainDecimal.MatchString(s) {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || !r.IsInt() || !r.Num().IsInt64() || r.Num().Int64() == math.MinInt64 {
		return 0, false
	}
	return r.Num().Int64(), true
}

// The seeds of both targets are in testdata/fuzz: go test runs them.

// FuzzParseInt: ParseInt accepts exactly the plain decimals that denote a
// whole int64 — never a fraction, a hex, octal or binary literal, digit
// separators or an exponent that would take long to expand — and what it
// returns prints back to itself.
func FuzzParseInt(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseInt(s)
		want, ok := int64(0), false
		if len(s) <= maxNumber {
			want, ok = exactInt(s)
		}
		switch {
		case err == nil && !ok:
			t.Fatalf("ParseInt(%q) = %d; not a plain whole decimal in range", s, got)
		case err != nil && ok:
			t.Fatalf("ParseInt(%q): %v; want %d", s, err, want)
		case err == nil && got != want:
			t.Fatalf("ParseInt(%q) = %d, want %d", s, got, want)
		}
		if err != nil {
			return
		}
		if back, err := ParseInt(strconv.FormatInt(got, 10)); err != nil || back != got {
			t.Fatalf("ParseInt(%q) = %d, which reads back as %d, %v", s, got, back, err)
		}
	})
}

// FuzzUnmarshal: Int and String read any JSON value without panicking; an
// Int that is set holds what ParseInt reads from the value's text, never a
// rounded fraction; a String of an integral number holds its plain digits.
func FuzzUnmarshal(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var n Int
		errInt := json.Unmarshal(data, &n)
		var s String
		errString := json.Unmarshal(data, &s)
		if !json.Valid(data) {
			if errInt == nil || errString == nil {
				t.Fatalf("%q is not JSON, yet decoded: %+v %q", data, n, s)
			}
			return
		}
		var raw any
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			t.Fatalf("valid JSON %q does not decode: %v", data, err)
		}
		text := ""
		switch v := raw.(type) {
		case json.Number:
			text = v.String()
		case string:
			text = strings.TrimSpace(v)
		}
		if errInt == nil && n.Set {
			want, err := ParseInt(text)
			if err != nil || want != n.Value {
				t.Fatalf("%s decoded as Int %d; ParseInt(%q) = %d, %v", data, n.Value, text, want, err)
			}
		}
		if errInt == nil && !n.Set && raw != nil && text != "" {
			t.Fatalf("%s decoded as an absent Int", data)
		}
		if errString != nil {
			return
		}
		switch v := raw.(type) {
		case string:
			if string(s) != v {
				t.Fatalf("%s decoded as String %q", data, s)
			}
		case json.Number:
			if i, err := ParseInt(v.String()); err == nil && string(s) != strconv.FormatInt(i, 10) {
				t.Fatalf("%s decoded as String %q, want %d", data, s, i)
			}
		}
	})
}
