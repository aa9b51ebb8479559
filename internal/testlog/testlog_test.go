package testlog

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// fakeT records what Log reports instead of failing the real test.
type fakeT struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeT) Cleanup(fn func())   { f.cleanups = append(f.cleanups, fn) }
func (f *fakeT) Failed() bool        { return len(f.errors) > 0 }
func (f *fakeT) Logf(string, ...any) {}
func (f *fakeT) end() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

type keyHolder struct{ key string }

func (k keyHolder) LogValue() slog.Value { return slog.StringValue("holder " + k.key) }

// TestCatchesSecrets: a secret is caught in the message, a string, an error,
// a LogValuer, a struct, a group and attributes added with With, and each
// leaking line is reported once.
func TestCatchesSecrets(t *testing.T) {
	const secret = "s3cr3t-\"quoted\"-key"
	cases := map[string]func(l *slog.Logger){
		"message":  func(l *slog.Logger) { l.Info("key is " + secret) },
		"string":   func(l *slog.Logger) { l.Info("x", "k", secret) },
		"error":    func(l *slog.Logger) { l.Error("x", "err", errors.New("GET /?key="+secret)) },
		"valuer":   func(l *slog.Logger) { l.Info("x", "v", keyHolder{secret}) },
		"struct":   func(l *slog.Logger) { l.Info("x", "v", struct{ K string }{secret}) },
		"group":    func(l *slog.Logger) { l.Info("x", slog.Group("g", "k", secret)) },
		"with":     func(l *slog.Logger) { l.With("k", secret).Info("x") },
		"in group": func(l *slog.Logger) { l.WithGroup("g").With("k", secret).Warn("x") },
	}
	for name, logIt := range cases {
		ft := &fakeT{}
		l := New(ft, secret)
		logIt(l.Logger())
		l.Logger().Info("clean line")
		ft.end()
		if len(ft.errors) != 1 {
			t.Errorf("%s: %d reports, want 1: %q", name, len(ft.errors), ft.errors)
			continue
		}
		if strings.Contains(ft.errors[0], secret) {
			t.Errorf("%s: the report repeats the secret: %s", name, ft.errors[0])
		}
	}
}

// TestLateSecretAndCheck: a secret learnt after the line was logged (an IAK
// sign computed from a ref) is still caught; Check reports a line once.
func TestLateSecretAndCheck(t *testing.T) {
	ft := &fakeT{}
	l := New(ft)
	l.Logger().Info("placed", "sign", "0123abcd")
	l.Check()
	if len(ft.errors) != 0 {
		t.Fatalf("reports before the secret was known: %q", ft.errors)
	}
	l.Secret("0123abcd", "")
	l.Check()
	l.Check()
	ft.end()
	if len(ft.errors) != 1 {
		t.Errorf("%d reports, want 1: %q", len(ft.errors), ft.errors)
	}
}

func TestCleanLog(t *testing.T) {
	l := New(t, "never-logged")
	log := l.Logger().With("component", "x").WithGroup("g")
	log.Debug("debug is kept", "n", 1)
	log.Info("info", "err", errors.New("boom"))
	if got := l.Lines(); len(got) != 2 || !strings.Contains(got[0], "debug is kept") || !strings.Contains(got[1], "g.err=boom") {
		t.Errorf("lines %q", got)
	}
	if !l.Contains("component=x") || l.Contains("never-logged") {
		t.Errorf("Contains: %s", l)
	}
}
