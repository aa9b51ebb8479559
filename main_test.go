package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"topupbot/storage"
)

func TestRunVersion(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"version"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	if err != nil {
		t.Fatalf("run version: %v", err)
	}
	if !strings.HasPrefix(out.String(), "topupbot ") {
		t.Errorf("version output %q", out.String())
	}
}

func TestRunUnknownCommand(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Fatalf("run frobnicate: err = %v, want unknown command", err)
	}
	if !strings.Contains(errOut.String(), "usage:") {
		t.Errorf("stderr %q lacks usage", errOut.String())
	}
}

// TestRunHelp: -h, --help and each subcommand's -h print the usage to
// stdout and succeed; a bad flag prints it to stderr and fails.
func TestRunHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-help"}, {"help"}, {"demo", "-h"}, {"demo", "--help"}, {"backup", "-h"}, {"-config", "x.toml", "backup", "--help"}} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
		if err != nil {
			t.Errorf("run %q: %v", args, err)
		}
		if !strings.HasPrefix(out.String(), "usage:") {
			t.Errorf("run %q: stdout %q, want the usage", args, out.String())
		}
		if errOut.Len() != 0 {
			t.Errorf("run %q: stderr %q, want nothing", args, errOut.String())
		}
	}
	for _, args := range [][]string{{"-frob"}, {"demo", "-frob"}} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
		if err == nil || out.Len() != 0 || !strings.Contains(errOut.String(), "usage:") {
			t.Errorf("run %q: err %v, stdout %q, stderr %q; want an error and the usage on stderr", args, err, out.String(), errOut.String())
		}
	}
}

// TestRunBackupWithoutToken: backup reads only storage.path; the token, the
// provider and its keys may be missing, and other tables' problems do not
// stop it.
func TestRunBackupWithoutToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "bot.db")
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(context.Background(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	config := filepath.Join(dir, "config.toml")
	file := fmt.Sprintf("[telegram]\nadmins = [\"1\"]\n[provider]\nname = \"iak\"\n[storage]\npath = %q\n", dbPath)
	if err := os.WriteFile(config, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "copy.db")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-config", config, "backup", out}, func(string) string { return "" }, nil, &stdout, &stderr); err != nil {
		t.Fatalf("backup without a token: %v", err)
	}
	copied, err := storage.Open(out, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	if v, ok, err := copied.Setting(context.Background(), "k"); err != nil || !ok || v != "v" {
		t.Errorf("the copy holds k = %q, %v, %v", v, ok, err)
	}

	// storage's own problems still count.
	if err := os.WriteFile(config, []byte("[storage]\npaht = \"x.db\"\npath = 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"-config", config, "backup", filepath.Join(dir, "other.db")}, func(string) string { return "" }, nil, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "unknown key storage.paht") || !strings.Contains(err.Error(), "storage.path: found 5") {
		t.Errorf("backup with a bad storage table: %v", err)
	}
}

// TestRunWarnsNobodyCanBuy: a bot nobody may buy from starts, but says so.
func TestRunWarnsNobodyCanBuy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, telegram string
		warn           bool
	}{
		{"nobody", "", true},
		{"an admin", "admins = [9]\n", false},
		{"allowed users", "allowed_users = [9]\n", false},
		{"open", "open = true\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			config := filepath.Join(dir, "config.toml")
			file := fmt.Sprintf("[telegram]\n%s[provider]\nname = \"sandbox\"\n[ops]\nlisten = \"127.0.0.1:0\"\n[callback]\nlisten = \"\"\n[storage]\npath = %q\n",
				tc.telegram, filepath.Join(dir, "bot.db"))
			if err := os.WriteFile(config, []byte(file), 0o600); err != nil {
				t.Fatal(err)
			}
			// Cancelled: run logs its warnings, then gives up asking
			// Telegram who it is.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var out, errOut bytes.Buffer
			getenv := func(k string) string {
				return map[string]string{"TOPUPBOT_TELEGRAM_TOKEN": "7000001:AAWarn-test-token-value-abc"}[k]
			}
			_ = run(ctx, []string{"-config", config}, getenv, nil, &out, &errOut)
			warned := strings.Contains(errOut.String(), "level=WARN msg=\"nobody can buy: telegram.admins and telegram.allowed_users are empty and telegram.open is false")
			if warned != tc.warn {
				t.Errorf("warned %v, want %v; log:\n%s", warned, tc.warn, errOut.String())
			}
		})
	}
}

// TestRunChecksTokenShapeFirst: a token of the wrong shape is refused
// before anything calls Telegram, and the refusal does not show it.
func TestRunChecksTokenShapeFirst(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, http.StatusUnauthorized)
	}))
	defer fake.Close()
	dir := t.TempDir()
	config := filepath.Join(dir, "config.toml")
	file := fmt.Sprintf("[telegram]\napi_endpoint = %q\nopen = true\n[provider]\nname = \"sandbox\"\n[ops]\nlisten = \"127.0.0.1:0\"\n[storage]\npath = %q\n",
		fake.URL+"/bot%s/%s", filepath.Join(dir, "bot.db"))
	if err := os.WriteFile(config, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	const token = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" // the id and colon left out
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-config", config}, func(k string) string {
		return map[string]string{"TOPUPBOT_TELEGRAM_TOKEN": token}[k]
	}, nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "telegram.token (or TOPUPBOT_TELEGRAM_TOKEN) has no colon") {
		t.Errorf("run: %v, want the token's shape refused", err)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d calls to Telegram, want none", n)
	}
	if all := fmt.Sprint(err) + out.String() + errOut.String(); strings.Contains(all, token[:12]) {
		t.Errorf("the output shows the token: %s", all)
	}
}

// TestRunDemoTelegramChecksTokenShape: demo -telegram refuses a token of
// the wrong shape before it calls Telegram, without showing it.
func TestRunDemoTelegramChecksTokenShape(t *testing.T) {
	t.Parallel()
	const token = "123456789-AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, []string{"demo", "-telegram"}, func(k string) string {
		return map[string]string{"TOPUPBOT_TELEGRAM_TOKEN": token}[k]
	}, strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "TOPUPBOT_TELEGRAM_TOKEN has no colon") {
		t.Errorf("demo -telegram: %v, want the token's shape refused", err)
	}
	if all := fmt.Sprint(err) + out.String() + errOut.String(); strings.Contains(all, "AAHdqTcvCH1vGWJ") {
		t.Errorf("the output shows the token: %s", all)
	}
}
