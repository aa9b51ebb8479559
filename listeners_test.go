package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestOpsMux(t *testing.T) {
	t.Parallel()
	healthy := true
	backup := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "BOLTDATA") })
	mux := opsMux(func(context.Context) error {
		if healthy {
			return nil
		}
		return errors.New("db closed")
	}, backup, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "METRICS") }))
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz: %d %q", code, body)
	}
	healthy = false
	if code, _ := get("/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("unhealthy healthz: %d", code)
	}
	if code, body := get("/backup"); code != 200 || body != "BOLTDATA" {
		t.Errorf("backup: %d %q", code, body)
	}
	if code, body := get("/metrics"); code != 200 || body != "METRICS" {
		t.Errorf("metrics: %d %q", code, body)
	}
	if code, _ := get("/nothing"); code != 404 {
		t.Errorf("unknown path: %d", code)
	}
}

func TestServeStopsWithContext(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "up") }), slog.New(slog.DiscardHandler))
	}()
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "up" {
		t.Errorf("body %q", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Error("still serving after shutdown")
	}
}
