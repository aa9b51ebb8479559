// Package testlog is a slog logger for tests that keeps every line and fails
// the test if a secret appears in any of them (DESIGN rule 12: api keys, the
// bot token and signatures never reach the logs).
//
// A line is checked as the text handler renders it and as the raw values of
// its attributes (errors by their Error text, LogValuers resolved, groups
// walked), so a secret is caught however it is quoted. The check runs when
// the test ends — lines logged by goroutines that outlive the test's body
// are checked too — and on demand with Check.
//
// Package testlog is for tests only. It redacts nothing: it reports.
package testlog

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Log records everything logged through its Logger.
type Log struct {
	t  testing.TB
	mu sync.Mutex
	// lines are the rendered lines; raw holds, per line, the message and
	// every attribute value as plain text.
	lines   []string
	raw     []string
	secrets []string
	// reported counts the lines already checked by Check, so that a leak is
	// reported once.
	reported int
	failed   bool
}

// New returns a Log whose Logger accepts every level. When t ends, the test
// fails if any line contains one of secrets (or one added later with
// Secret); the log is printed if the test failed.
func New(t testing.TB, secrets ...string) *Log {
	t.Helper()
	l := &Log{t: t}
	l.Secret(secrets...)
	t.Cleanup(func() {
		l.Check()
		if t.Failed() {
			t.Logf("log:\n%s", l.String())
		}
	})
	return l
}

// Secret adds values that must never be logged. Empty strings are ignored.
func (l *Log) Secret(secrets ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range secrets {
		if s != "" && !slices.Contains(l.secrets, s) {
			l.secrets = append(l.secrets, s)
			l.reported = 0 // lines already checked are checked for it too
		}
	}
}

// Logger returns a logger writing to l.
func (l *Log) Logger() *slog.Logger { return slog.New(l.Handler()) }

// Handler returns a slog.Handler writing to l.
func (l *Log) Handler() slog.Handler { return &handler{log: l} }

// Check fails the test (with Errorf) for every line not checked before that
// shows a secret. It must be called from the test's goroutine.
func (l *Log) Check() {
	l.t.Helper()
	for _, leak := range l.leaks() {
		l.t.Errorf("a secret (%s) appears in the log line:\n%s", leak.what, leak.line)
	}
}

// Leaks returns the lines, rendered, that show a secret.
func (l *Log) Leaks() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for i := range l.lines {
		if what := l.secretIn(i); what != "" {
			out = append(out, l.lines[i])
		}
	}
	return out
}

type leak struct{ what, line string }

func (l *Log) leaks() []leak {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []leak
	for i := l.reported; i < len(l.lines); i++ {
		if what := l.secretIn(i); what != "" {
			out = append(out, leak{what, l.lines[i]})
		}
	}
	l.reported = len(l.lines)
	return out
}

// secretIn names the secret line i shows, by its length and first
// characters only: the test output must not repeat it whole.
func (l *Log) secretIn(i int) string {
	for _, s := range l.secrets {
		if strings.Contains(l.lines[i], s) || strings.Contains(l.raw[i], s) {
			return fmt.Sprintf("%d characters starting %q", len(s), s[:min(4, len(s))])
		}
	}
	return ""
}

// Lines returns every line logged so far, rendered by slog's text handler.
func (l *Log) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// String is every line, one a line.
func (l *Log) String() string { return strings.Join(l.Lines(), "\n") }

// Contains reports whether any line contains s.
func (l *Log) Contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.lines {
		if strings.Contains(l.lines[i], s) || strings.Contains(l.raw[i], s) {
			return true
		}
	}
	return false
}

type handler struct {
	log    *Log
	attrs  []slog.Attr // from WithAttrs, already qualified by the groups then open
	groups []string
}

func (h *handler) Enabled(context.Context, slog.Level) bool { return true }

func (h *handler) Handle(_ context.Context, r slog.Record) error {
	var buf bytes.Buffer
	var th slog.Handler = slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
	th = th.WithAttrs(h.attrs)
	for _, g := range h.groups {
		th = th.WithGroup(g)
	}
	if err := th.Handle(context.Background(), r); err != nil {
		return err
	}
	var raw strings.Builder
	raw.WriteString(r.Message)
	for _, a := range h.attrs {
		writeRaw(&raw, a)
	}
	r.Attrs(func(a slog.Attr) bool {
		writeRaw(&raw, a)
		return true
	})
	h.log.mu.Lock()
	h.log.lines = append(h.log.lines, strings.TrimSuffix(buf.String(), "\n"))
	h.log.raw = append(h.log.raw, raw.String())
	h.log.mu.Unlock()
	return nil
}

// writeRaw appends an attribute's value as plain, unquoted text.
func writeRaw(b *strings.Builder, a slog.Attr) {
	b.WriteString("\n")
	b.WriteString(a.Key)
	b.WriteString("=")
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		for _, ga := range v.Group() {
			writeRaw(b, ga)
		}
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			b.WriteString(err.Error())
			return
		}
		fmt.Fprintf(b, "%+v", v.Any())
	default:
		b.WriteString(v.String())
	}
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	// Attributes added inside groups are nested in them, as slog does.
	for i := len(h.groups) - 1; i >= 0; i-- {
		attrs = []slog.Attr{{Key: h.groups[i], Value: slog.GroupValue(attrs...)}}
	}
	return &handler{log: h.log, attrs: append(slices.Clip(h.attrs), attrs...), groups: h.groups}
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &handler{log: h.log, attrs: h.attrs, groups: append(slices.Clip(h.groups), name)}
}
