package sandbox

import "testing"

func TestDeposit(t *testing.T) {
	for _, tc := range []struct{ opening, def, want int64 }{{0, 500, 500}, {-1, 500, 0}, {70, 500, 70}} {
		if got := OpeningDeposit(tc.opening, tc.def); got != tc.want {
			t.Errorf("OpeningDeposit(%d, %d) = %d, want %d", tc.opening, tc.def, got, tc.want)
		}
	}
	d := NewDeposit(1000)
	if !d.Covers(1000) || d.Covers(1001) {
		t.Errorf("a deposit of 1000 covers 1000 and not 1001")
	}
	if got := d.Debit(400); got != 600 {
		t.Errorf("Debit(400) = %d, want 600", got)
	}
	if got := d.Credit(150); got != 750 || d.Balance() != 750 {
		t.Errorf("Credit(150) = %d (balance %d), want 750", got, d.Balance())
	}
}
