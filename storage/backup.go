package storage

import (
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"
)

// Snapshot writes a consistent copy of the whole database to w while the
// bot keeps running: one read transaction, so writers go on meanwhile. If
// begin is not nil it is told the copy's size before the first byte is
// written (an HTTP handler sends it as Content-Length).
func (db *DB) Snapshot(w io.Writer, begin func(size int64)) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if begin != nil {
			begin(tx.Size())
		}
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("storage: backup: %w", err)
	}
	return n, nil
}
