package config

import (
	"fmt"
	"io"
	"log/slog"
)

// Secret holds a credential. Every way of printing it — fmt's verbs, slog,
// text and JSON encoding — shows "[redacted]", so a config, or a struct or
// error carrying one, is safe to log. reveal is the only way to read it.
// It is a struct, not a string type, so that string(s) cannot leak it.
type Secret struct{ v string }

// NewSecret holds v, a credential that did not come from the file (the
// demo's token from the environment, a test's).
func NewSecret(v string) Secret { return Secret{v} }

const redacted = "[redacted]"

// Reveal returns the credential, for the one client that sends it.
func (s Secret) Reveal() string { return s.v }

// IsSet reports whether a credential was given.
func (s Secret) IsSet() bool { return s.v != "" }

func (Secret) String() string   { return redacted }
func (Secret) GoString() string { return redacted }

// Format covers every verb, %x and %q included.
func (Secret) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
