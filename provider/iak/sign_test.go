package iak

import "testing"

// The vectors are providers.md §5's, computed independently of this code.
func TestSignVectors(t *testing.T) {
	const user, key = "081234567890", "5f2b1c0e9a7d4e3b"
	tests := []struct{ additional, want string }{
		{"order001", "f6393288967423e61ec2785e2214c132"},
		{"bl", "2080b334470e40a81242308b6a53cd89"},
		{"pl", "abe82f3517aa12c71b0b635d4ac6a915"},
		{"op", "9ce90d29a72db4388a73ed3eb059582a"},
		{"12345678901", "6d9af72f44e719767588f93dcbca5186"},
		{"103", "7b35ad3fcfcce450dfa1f45e67b06233"},
		{"cs", "0b2d7a64612862689b9650c0bbf07d22"},
		{"9732792", "4fe0add9b16c52fd393aa2a807d462d4"},
	}
	for _, tt := range tests {
		if got := sign(user, key, tt.additional); got != tt.want {
			t.Errorf("sign(%q) = %s, want %s", tt.additional, got, tt.want)
		}
	}
}
