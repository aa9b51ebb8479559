package flex

import (
	"encoding/json"
	"testing"
)

func TestInt(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		set     bool
		wantErr bool
	}{
		{`25000`, 25000, true, false},
		{`25000.0`, 25000, true, false},
		{`2.5e4`, 25000, true, false},
		{`"25000"`, 25000, true, false},
		{`"25000.00"`, 25000, true, false},
		{`" 997061249 "`, 997061249, true, false},
		{`-1500`, -1500, true, false},
		{`0`, 0, true, false},
		{`null`, 0, false, false},
		{`""`, 0, false, false},
		{`9223372036854775807`, 9223372036854775807, true, false},
		{`25000.5`, 0, false, true},
		{`"25.000"`, 0, false, true}, // thousands separator: ambiguous, refuse
		{`"Rp 25000"`, 0, false, true},
		{`"1/2"`, 0, false, true},
		{`true`, 0, false, true},
		{`{}`, 0, false, true},
		{`99999999999999999999`, 0, false, true},
	}
	for _, tt := range tests {
		var got Int
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && (got.Value != tt.want || got.Set != tt.set) {
			t.Errorf("%s: got %+v, want {%d %v}", tt.in, got, tt.want, tt.set)
		}
	}
}

func TestIntInStruct(t *testing.T) {
	var v struct {
		Price   Int `json:"price"`
		Balance Int `json:"balance"`
	}
	if err := json.Unmarshal([]byte(`{"price":"5500"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.Price.Value != 5500 || !v.Price.Set || v.Balance.Set {
		t.Errorf("got %+v", v)
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{`"3482"`, "3482", false},
		{`3482`, "3482", false},
		{`3482.0`, "3482", false},
		{`6.159309e6`, "6159309", false},
		{`1.5`, "1.5", false},
		{`null`, "", false},
		{`""`, "", false},
		// A boolean is no text: true where an SN belongs is not an SN.
		{`true`, "", true},
		{`false`, "", true},
		{`[1]`, "", true},
		{`{"a":1}`, "", true},
	}
	for _, tt := range tests {
		var got String
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && string(got) != tt.want {
			t.Errorf("%s: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFlag(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{`true`, "true", false},
		{`false`, "false", false},
		{`"tidak"`, "tidak", false},
		{`1`, "1", false},
		{`0`, "0", false},
		{`null`, "", false},
		{`[true]`, "", true},
		{`{"a":1}`, "", true},
	}
	for _, tt := range tests {
		var got Flag
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && string(got) != tt.want {
			t.Errorf("%s: got %q, want %q", tt.in, got, tt.want)
		}
	}
}
