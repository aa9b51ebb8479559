package iak

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"topupbot/flows"
)

// TestPostKinds: every way post fails to read an IAK answer — the network,
// a deadline, an oversized or undecodable answer, a status IAK does not
// answer with, an answer without data — is KindUnknown with the HTTP status
// seen, as it was before the shared transport; 200 and 400 are read.
func TestPostKinds(t *testing.T) {
	big := `{"data":{"pad":"` + strings.Repeat("x", 16<<20) + `"}}`
	for _, tc := range []struct {
		name       string
		status     int
		body       string
		wantStatus int
		wantErr    bool
	}{
		{"ok", 200, `{"data":{"rc":"00"}}`, 200, false},
		{"validation 400", 400, `{"data":{"rc":"07"}}`, 400, false},
		{"gateway 502", 502, `<html>bad gateway</html>`, 502, true},
		{"redirect-like 304", 304, ``, 304, true},
		{"created 201", 201, `{"data":{"rc":"00"}}`, 201, true},
		{"not found 404", 404, `{"data":{"rc":"00"}}`, 404, true},
		{"undecodable", 200, `not json`, 200, true},
		{"no data", 200, `{}`, 200, true},
		{"null data", 400, `{"data":null}`, 400, true},
		{"oversized", 200, big, 200, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c, err := New(Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: "u", APIKey: "k-123456",
				HTTPClient: &http.Client{Timeout: 5 * time.Second}})
			if err != nil {
				t.Fatal(err)
			}
			_, status, err := c.post(context.Background(), "op", srv.URL, map[string]string{"a": "b"})
			if status != tc.wantStatus {
				t.Errorf("status = %d, want %d", status, tc.wantStatus)
			}
			if !tc.wantErr {
				if err != nil {
					t.Errorf("err = %v, want none", err)
				}
				return
			}
			var pe *flows.ProviderError
			if !errors.As(err, &pe) || pe.Kind != flows.KindUnknown || pe.Op != "op" {
				t.Errorf("err = %#v, want a KindUnknown ProviderError of op", err)
			}
		})
	}
	t.Run("network", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		c, _ := New(Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: "u", APIKey: "k-123456"})
		_, status, err := c.post(context.Background(), "op", srv.URL, nil)
		var pe *flows.ProviderError
		if !errors.As(err, &pe) || pe.Kind != flows.KindUnknown || status != 0 {
			t.Errorf("err = %#v status %d, want KindUnknown, 0", err, status)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		block := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
		defer srv.Close()
		defer close(block)
		c, _ := New(Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: "u", APIKey: "k-123456"})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, status, err := c.post(ctx, "op", srv.URL, nil)
		var pe *flows.ProviderError
		if !errors.As(err, &pe) || pe.Kind != flows.KindUnknown || status != 0 || !errors.Is(err, context.Canceled) {
			t.Errorf("err = %#v status %d, want KindUnknown wrapping context.Canceled, 0", err, status)
		}
	})
}
