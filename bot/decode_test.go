package bot

import "testing"

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text          string
		cmd, args, to string
		ok            bool
	}{
		{"/start", "start", "", "", true},
		{"/Start@TopupBot  ref 123 ", "start", "ref 123", "TopupBot", true},
		{"/saldo\nline two", "saldo", "line two", "", true},
		{"/cek_status 081234", "cek_status", "081234", "", true},
		{"/", "", "", "", false},
		{"/ 5", "", "", "", false},
		{"/path/to/x", "", "", "", false},
		{"hello /start", "", "", "", false},
	}
	for _, tt := range tests {
		cmd, args, to, ok := parseCommand(tt.text)
		if cmd != tt.cmd || args != tt.args || to != tt.to || ok != tt.ok {
			t.Errorf("parseCommand(%q) = %q, %q, %q, %v; want %q, %q, %q, %v", tt.text, cmd, args, to, ok, tt.cmd, tt.args, tt.to, tt.ok)
		}
	}
}
