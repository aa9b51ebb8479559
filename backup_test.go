package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/storage"
)

// TestBackupHandler: the ops listener's /backup streams a copy that opens,
// with its length announced, while the bot keeps writing; only GET is served.
func TestBackupHandler(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "bot.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	order := func(i int) flows.Order {
		return flows.Order{RefID: fmt.Sprintf("R%d", i), ChatID: 1, UserID: 1, Token: fmt.Sprintf("T%d", i), Status: flows.StatusPlacing,
			Kind: flows.Prepaid, ProductCode: "htelkomsel10000", ProductName: "Telkomsel 10.000",
			CustomerNumber: "081234567890", Price: 11000, Cost: 10850,
			Account: flows.Account{Provider: "iak", ID: "0812", KeyHash: "abc"}}
	}
	for i := range 50 {
		db.CreateOrder(ctx, order(i))
	}
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(backupHandler(db, func() time.Time { return now }))
	defer srv.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 50; i < 100; i++ {
			db.CreateOrder(ctx, order(i))
		}
	}()
	resp, err := http.Get(srv.URL + "/backup")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	<-done
	if resp.StatusCode != 200 || fmt.Sprint(len(body)) != resp.Header.Get("Content-Length") {
		t.Fatalf("HTTP %d, %d bytes, Content-Length %s", resp.StatusCode, len(body), resp.Header.Get("Content-Length"))
	}
	if got, want := resp.Header.Get("Content-Disposition"), `attachment; filename="bot.db.20260501T100000Z.bak"`; got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
	httpCopy := filepath.Join(dir, "http.db")
	os.WriteFile(httpCopy, body, 0o600)
	c2, err := storage.Open(httpCopy, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("the streamed backup does not open: %v", err)
	}
	defer c2.Close()
	if _, err := c2.Order(ctx, "R0"); err != nil {
		t.Error(err)
	}
	resp, err = http.Post(srv.URL, "text/plain", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: HTTP %d", resp.StatusCode)
	}
}
