package flows

import (
	"math"
	"testing"
)

func TestFormatRupiah(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "Rp 0"},
		{500, "Rp 500"},
		{1000, "Rp 1.000"},
		{25000, "Rp 25.000"},
		{302750, "Rp 302.750"},
		{1000000, "Rp 1.000.000"},
		{-1500, "-Rp 1.500"},
		{math.MaxInt64, "Rp 9.223.372.036.854.775.807"},
		{math.MinInt64, "-Rp 9.223.372.036.854.775.808"},
	}
	for _, tt := range tests {
		if got := FormatRupiah(tt.in); got != tt.want {
			t.Errorf("FormatRupiah(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
