// Package flex decodes the loosely typed JSON values provider APIs send: the
// same field arrives as a number in one answer, a decimal in another and a
// string in a callback. It parses money exactly and never guesses: a value it
// cannot read is an error, which the clients treat as an unknown outcome.
//
// Package flex knows nothing of any provider's fields or codes.
package flex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strings"
)

var thousandsDots = regexp.MustCompile(`^-?\d{1,3}(\.\d{3})+$`)

// decimal is the only number syntax ParseInt reads. big.Rat alone would also
// take "0x10", "0b101", "0o17" and "1_000", and expand "1e999999" — a
// fifth of a second of CPU per value, which anyone can send in an unsigned
// callback body before its sign is checked. An exponent has at most three
// digits and a number at most maxNumber characters: int64 needs 19 digits.
var decimal = regexp.MustCompile(`^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$`)

const maxNumber = 64

// Int is an integer that may arrive as a JSON number (25000, 25000.0, 2.5e4),
// a string ("25000", "25000.00", " 25000 ") or be absent. Values with a
// fractional part are rejected rather than rounded: rupiah are integers.
type Int struct {
	Value int64
	// Set is false when the field was absent, null or an empty string.
	Set bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Int) UnmarshalJSON(data []byte) error {
	*n = Int{}
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		return nil
	}
	text := string(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("flex: integer: %w", err)
		}
		text = strings.TrimSpace(s)
		if text == "" {
			return nil
		}
		// "25.000" is twenty-five thousand written the Indonesian way, or
		// twenty-five with three decimals: refuse to guess.
		if thousandsDots.MatchString(text) {
			return fmt.Errorf("flex: %q is ambiguous (thousands separator?)", shorten(text))
		}
	}
	v, err := ParseInt(text)
	if err != nil {
		return err
	}
	*n = Int{Value: v, Set: true}
	return nil
}

// ParseInt parses a decimal integer written as an integer, a decimal with a
// zero fraction or in exponent form. It rejects fractions, overflow and
// every other syntax (hexadecimal, digit separators, "1/2").
func ParseInt(s string) (int64, error) {
	if len(s) > maxNumber || !decimal.MatchString(s) {
		return 0, fmt.Errorf("flex: %q is not a decimal number", shorten(s))
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("flex: %q is not a number", s)
	}
	if !r.IsInt() {
		return 0, fmt.Errorf("flex: %q is not a whole number", s)
	}
	i := r.Num()
	if !i.IsInt64() || i.Int64() == math.MinInt64 {
		return 0, fmt.Errorf("flex: %q is out of range", s)
	}
	return i.Int64(), nil
}

// shorten keeps an error message short whatever a provider sent.
func shorten(s string) string {
	if len(s) <= maxNumber {
		return s
	}
	return strings.ToValidUTF8(s[:maxNumber], "") + "…"
}

// String is a text that may arrive as a JSON string or number (tr_id 3482 or
// "3482"). Numbers keep their exact digits; an integral number written in
// exponent or decimal form is rendered as plain digits.
type String string

// UnmarshalJSON implements json.Unmarshaler.
func (s *String) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*s = ""
		return nil
	case len(data) > 0 && data[0] == '"':
		var v string
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("flex: string: %w", err)
		}
		*s = String(v)
		return nil
	}
	var num json.Number
	if err := json.Unmarshal(data, &num); err != nil {
		return fmt.Errorf("flex: string: %s is neither string nor number", shorten(string(data)))
	}
	if v, err := ParseInt(num.String()); err == nil {
		*s = String(fmt.Sprint(v))
		return nil
	}
	*s = String(num.String())
	return nil
}

// Flag is a yes/no value that may arrive as a JSON boolean, number or string
// (Mesin R1's gangguan, kosong, is_open: false, 0, "tidak"…). It keeps the
// text for the caller to read. Only a Flag takes a boolean: a String does
// not, since true where a serial number or a code belongs is no answer to
// read (a success with "sn": true must not hand the buyer the SN "true").
type Flag string

// UnmarshalJSON implements json.Unmarshaler.
func (f *Flag) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("true")) || bytes.Equal(data, []byte("false")) {
		*f = Flag(data)
		return nil
	}
	var s String
	if err := s.UnmarshalJSON(data); err != nil {
		return fmt.Errorf("flex: flag: %s is neither boolean, string nor number", shorten(string(data)))
	}
	*f = Flag(s)
	return nil
}
