package bot

import "testing"

func TestTrackerWatermark(t *testing.T) {
	tr := newTracker(10)
	if got := tr.watermark(); got != 10 {
		t.Fatalf("start: watermark %d, want 10", got)
	}
	for _, id := range []int{10, 11, 12, 13} {
		tr.received(id)
	}
	// Chats finish out of order: 11 and 13 first.
	steps := []struct{ applied, want int }{{11, 10}, {13, 10}, {10, 12}, {12, 14}}
	for _, s := range steps {
		tr.applied(s.applied)
		if got := tr.watermark(); got != s.want {
			t.Errorf("after applying %d: watermark %d, want %d", s.applied, got, s.want)
		}
	}
}
