package flows

import (
	"bytes"
	"errors"
	"testing"
	"testing/iotest"
	"time"
)

func TestNewRefID(t *testing.T) {
	now := time.Date(2026, 11, 23, 6, 4, 5, 0, time.UTC) // 13:04:05 WIB
	ref, err := NewRefID(now, bytes.NewReader([]byte{0, 1, 25, 26, 35, 36, 255}))
	if err != nil {
		t.Fatal(err)
	}
	if want := "261123130405ABZ09AD"; ref != want {
		t.Errorf("NewRefID = %s, want %s", ref, want)
	}
	if !ValidRefID(ref) || len(ref) > 20 {
		t.Errorf("%s is not a valid ref", ref)
	}
	seen := map[string]bool{}
	for range 10000 {
		r, err := NewRefID(now, nil)
		if err != nil {
			t.Fatal(err)
		}
		if seen[r] || !ValidRefID(r) {
			t.Fatalf("duplicate or invalid ref %s", r)
		}
		seen[r] = true
	}
	if _, err := NewRefID(now, iotest.ErrReader(errors.New("no entropy"))); err == nil {
		t.Error("a failing random source must be an error")
	}
	for _, bad := range []string{"", "abc", "A-1", "ABCDEFGHIJKLMNOPQRSTU"} {
		if ValidRefID(bad) {
			t.Errorf("ValidRefID(%q) = true", bad)
		}
	}
}
