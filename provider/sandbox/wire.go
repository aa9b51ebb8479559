package sandbox

import (
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// MaxRequest caps request bodies: the providers' requests are a few hundred
// bytes.
const MaxRequest = 64 << 10

// ReadBody reads a request body of at most MaxRequest bytes.
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequest))
}

// GatewayTimeoutPage is what a reverse proxy in front of a provider sends
// when the provider is slow: HTML, not JSON, and no word on the transaction.
const GatewayTimeoutPage = `<html>
<head><title>504 Gateway Time-out</title></head>
<body>
<center><h1>504 Gateway Time-out</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

// WriteGatewayTimeout writes GatewayTimeoutPage with HTTP 504.
func WriteGatewayTimeout(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusGatewayTimeout)
	_, _ = io.WriteString(w, GatewayTimeoutPage)
}

// Alphabets for Code.
const (
	Digits = "0123456789"
	Alnum  = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
)

// Digest derives n deterministic pseudo-random bytes from parts, so SNs,
// tokens and names are stable for a given transaction and need no seeded
// global random source.
func Digest(n int, parts ...string) []byte {
	var out []byte
	for i := 0; len(out) < n; i++ {
		h := sha256.New()
		h.Write([]byte{byte(i)})
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
		out = h.Sum(out)
	}
	return out[:n]
}

// Code returns n characters of alphabet derived from parts.
func Code(alphabet string, n int, parts ...string) string {
	b := Digest(n, parts...)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// OpeningDeposit is a simulator's starting deposit: 0 means def, negative
// means empty.
func OpeningDeposit(d, def int64) int64 {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// Clock is now, or time.Now when now is nil.
func Clock(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// Logger is l with the component set, or a logger that discards when l is
// nil.
func Logger(l *slog.Logger, component string) *slog.Logger {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return l.With("component", component)
}
