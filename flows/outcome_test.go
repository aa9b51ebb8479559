package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestKindOf(t *testing.T) {
	rejected := &ProviderError{Kind: KindRejected, Op: "iak: top-up", RC: "14", Reason: ReasonWrongNumber}
	tests := []struct {
		name string
		err  error
		want ErrorKind
	}{
		{"nil", nil, ""},
		{"provider error", rejected, KindRejected},
		{"wrapped provider error", fmt.Errorf("place ABC: %w", rejected), KindRejected},
		{"misconfigured", &ProviderError{Kind: KindMisconfigured}, KindMisconfigured},
		{"not found", &ProviderError{Kind: KindNotFound}, KindNotFound},
		// Anything the client did not classify must keep the order pending.
		{"plain error", errors.New("boom"), KindUnknown},
		{"cancelled", context.Canceled, KindUnknown},
		{"provider error without kind", &ProviderError{Op: "x"}, KindUnknown},
	}
	for _, tt := range tests {
		if got := KindOf(tt.err); got != tt.want {
			t.Errorf("%s: KindOf = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestProviderErrorMessage(t *testing.T) {
	cause := errors.New("context deadline exceeded")
	err := &ProviderError{Kind: KindUnknown, Op: "iak: top-up ABC", Err: cause}
	if !errors.Is(err, cause) {
		t.Error("ProviderError does not unwrap to its cause")
	}
	want := "iak: top-up ABC: unknown: context deadline exceeded"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	err = &ProviderError{Kind: KindRejected, Op: "iak: top-up", RC: "16", Message: "NUMBER NOT MATCH WITH OPERATOR"}
	if got := err.Error(); !strings.Contains(got, "rc 16") || !strings.Contains(got, "NUMBER NOT MATCH") {
		t.Errorf("Error() = %q lacks rc and message", got)
	}
}

func TestReasonText(t *testing.T) {
	if got := ReasonOf(errors.New("x")); got != ReasonFailed {
		t.Errorf("ReasonOf(plain) = %q, want %q", got, ReasonFailed)
	}
	if got := ReasonOf(&ProviderError{Kind: KindRejected, Reason: ReasonOperatorMismatch}); got != ReasonOperatorMismatch {
		t.Errorf("ReasonOf = %q", got)
	}
	for _, r := range []Reason{ReasonFailed, ReasonWrongNumber, ReasonOperatorMismatch, ReasonNumberBlocked,
		ReasonProductUnavailable, ReasonLimitReached, ReasonProviderBalance, ReasonInvalidGameID,
		ReasonNumberUnavailable, ReasonBillPaid, ReasonBillUnavailable, ReasonBillExpired, ReasonCutOff,
		ReasonServiceUnavailable} {
		if got := r.Text(); got == "" || strings.HasPrefix(got, "reason_") {
			t.Errorf("reason %q has no text: %q", r, got)
		}
	}
	if Reason("no_such_reason").Text() != ReasonFailed.Text() {
		t.Error("an unknown reason must read as a plain failure")
	}
}

func TestStatus(t *testing.T) {
	for _, s := range []Status{StatusPlacing, StatusPending} {
		if s.Final() || !s.Valid() {
			t.Errorf("%s: Final=%v Valid=%v", s, s.Final(), s.Valid())
		}
	}
	for _, s := range []Status{StatusSuccess, StatusFailed} {
		if !s.Final() || !s.Valid() {
			t.Errorf("%s: Final=%v Valid=%v", s, s.Final(), s.Valid())
		}
	}
	if Status("done").Valid() {
		t.Error(`"done" is not a status`)
	}
}

func TestKeyFingerprint(t *testing.T) {
	a, b := KeyFingerprint("sandbox-key"), KeyFingerprint("production-key")
	if a == b || len(a) != 12 {
		t.Errorf("fingerprints %q %q: want distinct, 12 hex digits", a, b)
	}
	if strings.Contains(a, "sandbox") {
		t.Error("fingerprint reveals the key")
	}
}
