package storage

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// BackupHandler serves a consistent copy of the live database on GET, for
// the ops listener (loopback only). The copy is one read transaction: writers
// go on meanwhile.
func (db *DB) BackupHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		cw := &countingWriter{w: w}
		err := db.bolt.View(func(tx *bolt.Tx) error {
			name := fmt.Sprintf("%s.%s.bak", filepath.Base(db.path), db.now().UTC().Format("20060102T150405Z"))
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
			w.Header().Set("Content-Length", strconv.FormatInt(tx.Size(), 10))
			_, err := tx.WriteTo(cw)
			return err
		})
		// Once bytes are out, the status is sent: a short body against
		// Content-Length is how the client learns of the failure.
		if err != nil && cw.n == 0 {
			http.Error(w, "backup failed", http.StatusInternalServerError)
		}
	})
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
