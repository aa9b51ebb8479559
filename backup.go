package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"topupbot/internal/config"
	"topupbot/storage"
)

// runBackup writes a consistent copy of the database to OUT: straight from
// the file when the bot is stopped, from the running bot's ops listener when
// it holds the file.
//
// It reads only storage.path and ops.listen from the configuration: a
// backup needs neither the token nor the provider's keys, which an operator
// may keep off the machine that takes it.
func runBackup(ctx context.Context, configPath string, args []string, stdout io.Writer) error {
	if isHelp(args) {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if len(args) != 1 || args[0] == "" {
		return errors.New("usage: topupbot [-config FILE] backup OUT")
	}
	out := args[0]
	cfg, err := config.LoadBackup(configPath)
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.Storage.Path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no database at %s (storage.path in %s): point -config at the bot's configuration", cfg.Storage.Path, configPath)
	}
	db, err := storage.Open(cfg.Storage.Path, storage.Options{ReadOnly: true, LockTimeout: time.Second})
	switch {
	case err == nil:
		defer db.Close()
		n, err := db.BackupFile(out)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "backed up %s to %s (%d bytes)\n", cfg.Storage.Path, out, n)
		return nil
	case !errors.Is(err, storage.ErrInUse):
		return err
	}
	// The bot is running: ask it.
	n, err := fetchBackup(ctx, "http://"+cfg.Ops.Listen+"/backup", out)
	if err != nil {
		return fmt.Errorf("the database is in use and the running bot's ops listener did not serve a backup: %w", err)
	}
	fmt.Fprintf(stdout, "backed up the running bot's database to %s (%d bytes)\n", out, n)
	return nil
}

func fetchBackup(ctx context.Context, url, out string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("backup cut short: %d of %d bytes", n, resp.ContentLength)
	}
	if err != nil {
		os.Remove(out)
		return 0, err
	}
	return n, nil
}

// backupHandler serves a consistent copy of the live database on GET, for
// the ops listener (loopback only), named after the file and the time now.
// The copy is one read transaction: writers go on meanwhile.
func backupHandler(db *storage.DB, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		cw := &countingWriter{w: w}
		_, err := db.Snapshot(cw, func(size int64) {
			name := fmt.Sprintf("%s.%s.bak", filepath.Base(db.Path()), now().UTC().Format("20060102T150405Z"))
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		})
		// Once bytes are out, the status is sent: a short body against
		// Content-Length is how the client learns of the failure.
		if err != nil && cw.n == 0 {
			http.Error(w, "backup failed", http.StatusInternalServerError)
		}
	})
}

// countingWriter counts the bytes that went out.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
