package wire

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"topupbot/flows"
)

func TestPost(t *testing.T) {
	const secret = "key-1234"
	for _, tc := range []struct {
		name, body string
		status     int
		wantErr    string // "" for a decoded answer
	}{
		{"decoded", `{"v":"x"}`, 200, ""},
		{"status not accepted", `<html>bad gateway</html>`, 502, `http 502: "<html>bad gateway</html>"`},
		{"undecodable", `not json`, 200, `undecodable http 200 answer "not json"`},
		{"secret echoed", `oops ` + secret, 500, `http 500: "oops [redacted]"`},
		{"empty", ``, 503, `http 503: (empty body)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Rqid") != secret || r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("headers = %v", r.Header)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := &Client{HTTP: srv.Client(), Header: http.Header{"Rqid": {secret}}, Secret: secret,
				Accept: func(s int) bool { return s == 200 }}
			var got struct{ V string }
			status, _, err := c.Post(context.Background(), "op", srv.URL, map[string]string{"a": "b"}, &got)
			if status != tc.status {
				t.Errorf("status = %d, want %d", status, tc.status)
			}
			if tc.wantErr == "" {
				if err != nil || got.V != "x" {
					t.Fatalf("Post = %+v, %v", got, err)
				}
				return
			}
			if flows.KindOf(err) != flows.KindUnknown || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want unknown containing %s", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("err %v carries the secret", err)
			}
		})
	}
}

func TestPostTransportFailureIsUnknown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	c := &Client{HTTP: http.DefaultClient, Accept: func(int) bool { return true }}
	var v any
	if _, _, err := c.Post(context.Background(), "op", srv.URL, nil, &v); flows.KindOf(err) != flows.KindUnknown || err == nil {
		t.Errorf("err = %v, want unknown", err)
	}
}

// TestGetAndMax: a GET carries the client's headers and no body, and a
// client's own cap turns a larger answer into KindUnknown before decoding.
func TestGetAndMax(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.Header.Get("Authorization") != "Bearer k" || r.URL.Query().Get("q") != "1" {
			t.Errorf("request = %s %s %v", r.Method, r.URL, r.Header)
		}
		_, _ = w.Write([]byte(`{"v":"` + strings.Repeat("x", 100) + `"}`))
	}))
	defer srv.Close()
	c := &Client{HTTP: srv.Client(), Header: http.Header{"Authorization": {"Bearer k"}}, Accept: func(int) bool { return true }}
	var got struct{ V string }
	if _, _, err := c.Get(context.Background(), "op", srv.URL+"?q=1", &got); err != nil || len(got.V) != 100 {
		t.Fatalf("Get = %v, %d bytes", err, len(got.V))
	}
	c.Max = 50
	_, _, err := c.Get(context.Background(), "op", srv.URL+"?q=1", &got)
	if flows.KindOf(err) != flows.KindUnknown || !strings.Contains(err.Error(), "larger than 50 bytes") {
		t.Errorf("capped Get = %v, want KindUnknown larger than 50 bytes", err)
	}
}
