package iak

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"topupbot/flows"
	"topupbot/internal/testlog"
)

// signPlaceholder lets seeds (and the fuzzer's mutations of them) carry a
// valid sign: {{sign:REF}} becomes md5(username+api_key+REF), the sign IAK
// would send for REF — or, placed under another ref_id, a sign of the wrong
// order. {{SIGN:REF}} is the same in upper case.
var signPlaceholder = regexp.MustCompile(`\{\{(sign|SIGN):([^{}]*)\}\}`)

// callbackPeers are the TCP peers a fuzzed callback comes from, and whether
// an allow list of 52.220.38.0/24 admits them.
var callbackPeers = []struct {
	addr    string
	allowed bool
}{
	{"52.220.38.194:4000", true},
	{"10.1.2.3:4000", false},
	{"[::ffff:52.220.38.9]:4000", true},
	{"[2001:db8::1]:80", false},
	{"garbage", false},
	{"52.220.39.1:4000", false},
}

// bodyValues collects every string and number of a JSON document, with the
// key each was found under ("" in arrays and at the top).
func bodyValues(raw []byte) (vals []struct{ key, val string }) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return nil
	}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				walk(k, e)
			}
		case []any:
			for _, e := range v {
				walk(key, e)
			}
		case string:
			vals = append(vals, struct{ key, val string }{key, v})
		case json.Number:
			vals = append(vals, struct{ key, val string }{key, v.String()})
		}
	}
	walk("", doc)
	return vals
}

// FuzzCallback: whatever arrives at the callback endpoint, the answer is
// one of 200, 400, 403, 413 or 500; Handle is called exactly when the
// answer is 200 or 500 (Handle's own failure), only for a peer the allow
// list admits, only with a trimmed, non-empty ref_id whose valid sign is in
// the body, and at most once. The accepted sign never reaches the log,
// nor does the api key.
func FuzzCallback(f *testing.F) {
	c, err := New(Config{Username: testUser, APIKey: testKey})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, peer uint8) {
		body = signPlaceholder.ReplaceAllFunc(body, func(m []byte) []byte {
			sub := signPlaceholder.FindSubmatch(m)
			if string(sub[1]) == "SIGN" {
				return []byte(strings.ToUpper(sign(testUser, testKey, string(sub[2]))))
			}
			return []byte(sign(testUser, testKey, string(sub[2])))
		})
		p := callbackPeers[int(peer>>2)%len(callbackPeers)]
		restrict, failing := peer&1 == 1, peer&2 == 2
		logs := testlog.New(t, testKey)
		sink := &callbackSink{}
		if failing {
			sink.err = errors.New("store unavailable")
		}
		var allowed []string
		if restrict {
			allowed = []string{"52.220.38.0/24"}
		}
		h, err := c.CallbackHandler(CallbackOptions{AllowedIPs: allowed, Handle: sink.handle, Logger: logs.Logger()})
		if err != nil {
			t.Fatal(err)
		}
		rec := postCallback(h, p.addr, string(body))
		calls := sink.calls()
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusForbidden, http.StatusRequestEntityTooLarge,
			http.StatusInternalServerError:
		default:
			t.Fatalf("HTTP %d", rec.Code)
		}
		handled := rec.Code == http.StatusOK || rec.Code == http.StatusInternalServerError
		if handled != (len(calls) == 1) || len(calls) > 1 {
			t.Fatalf("HTTP %d after %d calls of Handle", rec.Code, len(calls))
		}
		if rec.Code == http.StatusOK && failing || rec.Code == http.StatusInternalServerError && !failing {
			t.Fatalf("HTTP %d with Handle failing %v", rec.Code, failing)
		}
		if len(calls) == 0 {
			return
		}
		cb := calls[0]
		if restrict && !p.allowed {
			t.Fatalf("a callback from %s passed the allow list", p.addr)
		}
		if cb.RefID == "" || cb.RefID != strings.TrimSpace(cb.RefID) {
			t.Fatalf("Handle got ref_id %q", cb.RefID)
		}
		switch cb.Claimed {
		case "", flows.StatusPending, flows.StatusSuccess, flows.StatusFailed:
		default:
			t.Fatalf("claimed status %q", cb.Claimed)
		}
		want := sign(testUser, testKey, cb.RefID)
		signed, echoed := false, false
		for _, v := range bodyValues(body) {
			if strings.ToLower(strings.TrimSpace(v.val)) != want {
				continue
			}
			if strings.EqualFold(v.key, "sign") {
				signed = true
			} else {
				echoed = true // the sender put it in another field, which may be logged
			}
		}
		if !signed {
			t.Fatalf("Handle got ref_id %q without its sign in the body %q", cb.RefID, body)
		}
		if !echoed {
			logs.Secret(want)
		}
	})
}
