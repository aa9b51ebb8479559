package flows

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// NumberError says why a typed customer number was refused, in terms the
// message catalogue turns into a sentence.
type NumberError string

// Number errors.
const (
	NumberBadPhone      NumberError = "bad_phone"       // not an Indonesian mobile number
	NumberWrongOperator NumberError = "wrong_operator"  // a mobile number of another operator
	NumberBadMeter      NumberError = "bad_meter"       // not 11–12 digits
	NumberBadGameID     NumberError = "bad_game_id"     // not in the game's format
	NumberBadCustomerNo NumberError = "bad_customer_no" // not a plausible customer number
	NumberMeterUnknown  NumberError = "meter_unknown"   // the provider knows no such meter
)

func (e NumberError) Error() string { return "invalid customer number: " + string(e) }

// operatorPrefixes are the four-digit MSISDN prefixes of each operator (IAK
// prefix-list.md, plus Telkomsel's 0811 kartuHALO range). A number whose
// prefix belongs to another operator is refused before the provider is
// asked (IAK would answer rc 16).
var operatorPrefixes = map[string][]string{
	"telkomsel": {"0811", "0812", "0813", "0821", "0822", "0823", "0851", "0852", "0853"},
	"indosat":   {"0814", "0815", "0816", "0855", "0856", "0857", "0858"},
	"xl":        {"0817", "0818", "0819", "0859", "0877", "0878"},
	"axis":      {"0831", "0832", "0833", "0838"},
	"three":     {"0895", "0896", "0897", "0898", "0899"},
	"smartfren": {"0881", "0882", "0883", "0884", "0885", "0886", "0887", "0888", "0889"},
	// by.U lives inside Telkomsel's 0851 range.
	"byu": {"085154", "085155", "085156", "085157", "085158"},
}

// operatorAliases maps words found in provider brand names to an operator.
var operatorAliases = map[string]string{
	"telkomsel": "telkomsel", "tsel": "telkomsel", "simpati": "telkomsel", "loop": "telkomsel",
	"indosat": "indosat", "isat": "indosat", "im3": "indosat", "mentari": "indosat",
	"xl": "xl", "axis": "axis",
	"three": "three", "tri": "three", "3": "three",
	"smartfren": "smartfren", "smart": "smartfren",
	"byu": "byu",
}

// Operator returns the mobile operator a brand name belongs to ("Telkomsel
// Data" → "telkomsel"), or "" when the brand is not an operator (DANA,
// Google Play…).
func Operator(brand string) string {
	words := strings.FieldsFunc(strings.ToLower(brand), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	// "by.U" splits into "by" and "u".
	if strings.Contains(strings.ToLower(brand), "by.u") || strings.Contains(strings.ToLower(brand), "byu") {
		return "byu"
	}
	for _, w := range words {
		if op, ok := operatorAliases[w]; ok {
			return op
		}
	}
	return ""
}

// OperatorOf returns the operator of a normalised mobile number, or "".
func OperatorOf(number string) string {
	for _, op := range []string{"byu"} { // the longer prefixes first
		for _, p := range operatorPrefixes[op] {
			if strings.HasPrefix(number, p) {
				return op
			}
		}
	}
	for op, prefixes := range operatorPrefixes {
		if op == "byu" {
			continue
		}
		for _, p := range prefixes {
			if strings.HasPrefix(number, p) {
				return op
			}
		}
	}
	return ""
}

// stripSeparators drops the spaces, dashes, dots and brackets people type
// inside numbers.
func stripSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')', '\t', '\u00a0':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// NormalisePhone turns "+62 812-3456-7890", "62812…" or "0812 3456 7890"
// into "081234567890", or reports that it is no Indonesian mobile number.
func NormalisePhone(s string) (string, error) {
	n := stripSeparators(s)
	switch {
	case strings.HasPrefix(n, "+62"):
		n = "0" + n[3:]
	case strings.HasPrefix(n, "62"):
		n = "0" + n[2:]
	case strings.HasPrefix(n, "8"):
		n = "0" + n
	}
	if !allDigits(n) || !strings.HasPrefix(n, "08") || len(n) < 10 || len(n) > 13 {
		return "", NumberBadPhone
	}
	return n, nil
}

// NormaliseNumber validates and normalises what a buyer typed for product
// p. It checks the form only; whether the number exists is the provider's
// to say.
func NormaliseNumber(p Product, typed string) (string, error) {
	switch p.Number {
	case NumberPhone:
		n, err := NormalisePhone(typed)
		if err != nil {
			return "", err
		}
		if want := Operator(p.Brand); want != "" {
			got := OperatorOf(n)
			// by.U numbers are Telkomsel's range as well; Telkomsel products
			// accept them, by.U products want by.U's.
			if got != want && !(want == "telkomsel" && got == "byu") {
				return "", NumberWrongOperator
			}
		}
		return n, nil
	case NumberPLNMeter:
		n := stripSeparators(typed)
		if !allDigits(n) || len(n) < 11 || len(n) > 12 {
			return "", NumberBadMeter
		}
		return n, nil
	case NumberGameID:
		return normaliseGameID(p.NumberFormat, typed)
	case NumberBill:
		n := stripSeparators(typed)
		if !allDigits(n) || len(n) < 6 || len(n) > 20 {
			return "", NumberBadCustomerNo
		}
		return n, nil
	}
	n := stripSeparators(typed)
	if !allDigits(n) || len(n) < 6 || len(n) > 20 {
		return "", NumberBadCustomerNo
	}
	return n, nil
}

// normaliseGameID reads a game account id in the format's number of parts
// ("{userid}|{zoneid}" has two) from what people type: "12345678|1234",
// "12345678 (1234)", "12345678 1234", "12345678/1234".
func normaliseGameID(format, typed string) (string, error) {
	want := strings.Count(format, "|") + 1
	if format == "" {
		want = 1
	}
	parts := strings.FieldsFunc(typed, gameIDSeparator)
	if len(parts) != want {
		return "", NumberBadGameID
	}
	names := strings.Split(strings.NewReplacer("{", "", "}", "").Replace(format), "|")
	for i, part := range parts {
		name := ""
		if i < len(names) {
			name = names[i]
		}
		// Role names are free text — but text: valid UTF-8 without control
		// characters, which would reach the provider altered and chat as
		// garbage; ids are digits.
		if name == "rolename" || name == "tag" {
			if len(part) > 32 || !printable(part) {
				return "", NumberBadGameID
			}
			continue
		}
		if !allDigits(part) || len(part) > 20 {
			return "", NumberBadGameID
		}
	}
	return strings.Join(parts, "|"), nil
}

// gameIDSeparator reports the characters people type between the parts of
// a game id.
func gameIDSeparator(r rune) bool {
	return r == '|' || r == '(' || r == ')' || r == '/' || r == ',' || unicode.IsSpace(r)
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
