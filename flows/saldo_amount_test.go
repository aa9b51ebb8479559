package flows

import (
	"testing"
	"time"
)

func TestParseSaldoAmount(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"50000", 50000, true},
		{"50.000", 50000, true},
		{"Rp50.000", 50000, true},
		{"Rp 50.000", 50000, true},
		{"rp50000", 50000, true},
		{"RP1.250.000", 1250000, true},
		{"1", 1, true},
		{"9.223.372.036.854.775.807", 9223372036854775807, true},
		{"9223372036854775808", 0, false}, // over int64
		{"0", 0, false},
		{"Rp0", 0, false},
		{"-5000", 0, false},
		{"+5000", 0, false},
		{"5.0000", 0, false},
		{"50.00", 0, false},
		{".500", 0, false},
		{"5000.", 0, false},
		{"1234.567", 0, false},
		{"50,000", 0, false},
		{"50.000,00", 0, false},
		{"Rp", 0, false},
		{"", 0, false},
		{"abc", 0, false},
		{"5e4", 0, false},
		{"٥٠٠٠", 0, false}, // digits of another script
	}
	for _, tt := range tests {
		got, ok := parseSaldoAmount(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseSaldoAmount(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestHoldAge(t *testing.T) {
	tests := []struct {
		d      time.Duration
		id, en string
	}{
		{10 * time.Second, "baru saja", "just now"},
		{5*time.Minute + 30*time.Second, "5 menit", "5 min"},
		{2*time.Hour + 5*time.Minute, "2 jam 5 menit", "2 h 5 min"},
		{26 * time.Hour, "1 hari 2 jam", "1 d 2 h"},
	}
	for _, tt := range tests {
		if got := holdAge(LangID, tt.d); got != tt.id {
			t.Errorf("holdAge(id, %s) = %q, want %q", tt.d, got, tt.id)
		}
		if got := holdAge(LangEN, tt.d); got != tt.en {
			t.Errorf("holdAge(en, %s) = %q, want %q", tt.d, got, tt.en)
		}
	}
}

func TestSignedRupiah(t *testing.T) {
	for in, want := range map[int64]string{50000: "+Rp 50.000", -11350: "-Rp 11.350", 0: "Rp 0"} {
		if got := signedRupiah(in); got != want {
			t.Errorf("signedRupiah(%d) = %q, want %q", in, got, want)
		}
	}
}
