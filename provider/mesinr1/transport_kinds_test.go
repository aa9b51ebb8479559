package mesinr1

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

// TestCallKinds: every way call fails to read a Mesin R1 answer — the
// network, a cancelled context, an oversized or undecodable answer, a 1xx,
// 3xx or 5xx status — is KindUnknown with the api key scrubbed, as it was
// before the shared transport; 2xx and 4xx envelopes are read, with their
// status kept.
func TestCallKinds(t *testing.T) {
	const key = "rqid-secret-123"
	big := `{"rc":"00","pad":"` + strings.Repeat("x", 16<<20) + `"}`
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		wantErr bool
	}{
		{"ok", 200, `{"rc":"00"}`, false},
		{"created", 201, `{"rc":"00"}`, false},
		{"refused 422", 422, `{"rc":"14","message":"no"}`, false},
		{"unauthorized", 401, `{"message":"bad key ` + key + `"}`, false},
		{"gateway 502", 502, `<html>bad gateway ` + key + `</html>`, true},
		{"not modified 304", 304, ``, true},
		{"undecodable", 200, `not json ` + key, true},
		{"oversized", 200, big, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("rqid") != key {
					t.Errorf("rqid header = %q", r.Header.Get("rqid"))
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c, err := New(Config{BaseURL: srv.URL, MMID: "M1", APIKey: key, HTTPClient: &http.Client{Timeout: 5 * time.Second}})
			if err != nil {
				t.Fatal(err)
			}
			env, err := c.call(context.Background(), "op", "x", map[string]any{"a": "b"})
			if !tc.wantErr {
				if err != nil || env == nil || env.httpStatus != tc.status {
					t.Errorf("call = %+v, %v; want the envelope of http %d", env, err, tc.status)
				}
				return
			}
			var pe *flows.ProviderError
			if !errors.As(err, &pe) || pe.Kind != flows.KindUnknown || pe.Op != "op" {
				t.Errorf("err = %#v, want a KindUnknown ProviderError of op", err)
			}
			if err != nil && strings.Contains(err.Error(), key) {
				t.Errorf("err %v carries the key", err)
			}
		})
	}
	t.Run("network", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		c, _ := New(Config{BaseURL: srv.URL, MMID: "M1", APIKey: key})
		_, err := c.call(context.Background(), "op", "x", nil)
		if flows.KindOf(err) != flows.KindUnknown || err == nil {
			t.Errorf("err = %v, want unknown", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		c, _ := New(Config{BaseURL: srv.URL, MMID: "M1", APIKey: key})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.call(ctx, "op", "x", nil)
		if flows.KindOf(err) != flows.KindUnknown || !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want unknown wrapping context.Canceled", err)
		}
	})
}
