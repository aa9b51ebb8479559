package flows

import (
	"errors"
	"testing"
)

func TestNormaliseNumber(t *testing.T) {
	tsel := Product{Brand: "Telkomsel", Number: NumberPhone}
	tselData := Product{Brand: "Telkomsel Data", Number: NumberPhone}
	xl := Product{Brand: "XL", Number: NumberPhone}
	tri := Product{Brand: "TRI", Number: NumberPhone}
	byu := Product{Brand: "by.U", Number: NumberPhone}
	dana := Product{Brand: "DANA", Number: NumberPhone}
	pln := Product{Brand: "PLN", Number: NumberPLNMeter}
	ml := Product{Brand: "Mobile Legend", Number: NumberGameID, NumberFormat: "{userid}|{zoneid}"}
	ff := Product{Brand: "Free Fire", Number: NumberGameID, NumberFormat: "{userid}"}
	dn := Product{Brand: "Dragon Nest", Number: NumberGameID, NumberFormat: "{rolename}|{serverid}"}
	voucher := Product{Brand: "Alfamart", Number: NumberAny}
	tests := []struct {
		p     Product
		typed string
		want  string
		err   error
	}{
		{tsel, "081234567890", "081234567890", nil},
		{tsel, "+62 812-3456-7890", "081234567890", nil},
		{tsel, "62812.3456.7890", "081234567890", nil},
		{tsel, "812 3456 7890", "081234567890", nil},
		{tsel, " (0812) 3456 7890 ", "081234567890", nil},
		{tselData, "085212345678", "085212345678", nil},
		{tsel, "085154123456", "085154123456", nil}, // by.U is Telkomsel's range
		{byu, "085154123456", "085154123456", nil},
		{byu, "081234567890", "", NumberWrongOperator},
		{tsel, "081712345678", "", NumberWrongOperator},
		{xl, "081712345678", "081712345678", nil},
		{tri, "089612345678", "089612345678", nil},
		{tri, "081234567890", "", NumberWrongOperator},
		{dana, "081712345678", "081712345678", nil},
		{tsel, "0812345", "", NumberBadPhone},
		{tsel, "08123456789012", "", NumberBadPhone},
		{tsel, "021345678901", "", NumberBadPhone},
		{tsel, "08abc4567890", "", NumberBadPhone},
		{tsel, "", "", NumberBadPhone},
		{pln, "12345678901", "12345678901", nil},
		{pln, "5432 1098 7654", "543210987654", nil},
		{pln, "1234567890", "", NumberBadMeter},
		{pln, "1234567890123", "", NumberBadMeter},
		{ml, "156378300|8483", "156378300|8483", nil},
		{ml, "156378300 (8483)", "156378300|8483", nil},
		{ml, "156378300 8483", "156378300|8483", nil},
		{ml, "156378300/8483", "156378300|8483", nil},
		{ml, "156378300", "", NumberBadGameID},
		{ml, "15637a300|8483", "", NumberBadGameID},
		{ml, "1|2|3", "", NumberBadGameID},
		{ff, "123456789", "123456789", nil},
		{ff, "123 456", "", NumberBadGameID},
		{dn, "Knight|90001", "Knight|90001", nil},
		{voucher, "0812 3456 7890", "081234567890", nil},
		{voucher, "12", "", NumberBadCustomerNo},
	}
	for _, tt := range tests {
		got, err := NormaliseNumber(tt.p, tt.typed)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("%s %q: got %q, %v; want %q, %v", tt.p.Brand, tt.typed, got, err, tt.want, tt.err)
		}
	}
}

func TestOperator(t *testing.T) {
	tests := map[string]string{
		"Telkomsel": "telkomsel", "TELKOMSEL": "telkomsel", "Telkomsel Data": "telkomsel",
		"Indosat": "indosat", "IM3": "indosat", "XL": "xl", "Axis": "axis", "AXIS Data": "axis",
		"Three": "three", "TRI": "three", "Smartfren": "smartfren", "by.U": "byu",
		"DANA": "", "Google Play Indonesia": "", "PLN": "", "Mobile Legend": "",
	}
	for brand, want := range tests {
		if got := Operator(brand); got != want {
			t.Errorf("Operator(%q) = %q, want %q", brand, got, want)
		}
	}
}

func TestSegmentPower(t *testing.T) {
	tests := map[string]string{
		"R1 /000001300": "R1/1300VA",
		"R1/1300":       "R1/1300VA",
		"B1 /000005500": "B1/5500VA",
		"R1/900VA":      "R1/900VA",
		"R1":            "R1",
		"/1300":         "/1300",
		"R1/abc":        "R1/abc",
	}
	for in, want := range tests {
		if got := SegmentPower(in); got != want {
			t.Errorf("SegmentPower(%q) = %q, want %q", in, got, want)
		}
	}
}
