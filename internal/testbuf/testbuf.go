// Package testbuf is a bytes.Buffer safe for concurrent use, for tests that
// capture what goroutines write: a logger's sink, a terminal's output.
//
// It is for tests only; nothing in the binary imports it. A log that must be
// checked for secrets wants internal/testlog instead.
package testbuf

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer whose Write and String may be called from many
// goroutines. Its zero value is empty and ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the buffer.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
