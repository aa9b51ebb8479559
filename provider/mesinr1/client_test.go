package mesinr1

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/provider/sandbox/mesinr1sim"
)

const (
	testMMID = "C71283"
	testKey  = "rqid-secret-9f8e7d6c"
)

// newClock returns a settable clock at the tests' start, shared by a client
// and a simulator.
func newClock() *testclock.Clock {
	return testclock.New(time.Date(2026, 4, 21, 11, 0, 0, 0, flows.WIB))
}

// request is one request a test server saw.
type request struct {
	Path string
	RQID string
	Body map[string]any
}

// recorder keeps every request that reaches the wrapped handler.
type recorder struct {
	mu   sync.Mutex
	reqs []request
	next http.Handler
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, request{Path: r.URL.Path, RQID: r.Header.Get("rqid"), Body: body})
	rec.mu.Unlock()
	rec.next.ServeHTTP(w, r)
}

func (rec *recorder) all() []request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]request(nil), rec.reqs...)
}

// paths lists the endpoints called, without the /V1/api/ prefix.
func (rec *recorder) paths() []string {
	var out []string
	for _, r := range rec.all() {
		out = append(out, strings.TrimPrefix(r.Path, "/V1/api/"))
	}
	return out
}

func (rec *recorder) count(path string) int {
	n := 0
	for _, p := range rec.paths() {
		if p == path {
			n++
		}
	}
	return n
}

// world is a client wired to a simulator through a recorder.
type world struct {
	sim    *mesinr1sim.Server
	client *Client
	clock  *testclock.Clock
	rec    *recorder
	url    string
}

type worldOption func(*mesinr1sim.Options, *Config)

func newWorld(t *testing.T, opts ...worldOption) *world {
	t.Helper()
	clk := newClock()
	so := mesinr1sim.Options{MMID: testMMID, APIKey: testKey, Now: clk.Now, SettleDelay: time.Minute}
	cfg := Config{MMID: testMMID, APIKey: testKey, Now: clk.Now}
	for _, o := range opts {
		o(&so, &cfg)
	}
	sim := mesinr1sim.New(so)
	rec := &recorder{next: sim}
	srv := httptest.NewServer(rec)
	t.Cleanup(func() {
		sim.Close() // first: it releases stalled answers so srv.Close returns
		srv.Close()
	})
	cfg.BaseURL = srv.URL
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &world{sim: sim, client: c, clock: clk, rec: rec, url: srv.URL}
}

// cannedClient is a client of a handler that answers from a function of
// the endpoint and body: the rc classes the simulator does not produce.
func cannedClient(t *testing.T, answer func(path string, body map[string]any) (int, string)) (*Client, *recorder) {
	t.Helper()
	rec := &recorder{next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		status, text := answer(strings.TrimPrefix(r.URL.Path, "/V1/api/"), body)
		if strings.HasPrefix(strings.TrimSpace(text), "<") {
			w.Header().Set("Content-Type", "text/html")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, text)
	})}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, MMID: testMMID, APIKey: testKey, Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// newShortClient times out long before the simulator's slow answer.
func newShortClient() *http.Client { return &http.Client{Timeout: time.Second} }

func order(ref, product, number string) flows.OrderRequest {
	return flows.OrderRequest{RefID: ref, ProductCode: product, CustomerNumber: number}
}

// phone is an Indosat-looking number ending in the test digits.
func phone(last4 string) string { return "0857123" + last4 }

func kindOf(err error) flows.ErrorKind { return flows.KindOf(err) }

func TestNewValidatesConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; nil means valid
	}{
		{"valid", Config{BaseURL: "https://apiindotel.mesinr1.com", MMID: "C71283", APIKey: testKey}, nil},
		{"trailing V1/api", Config{BaseURL: "https://apiindotel.mesinr1.com/V1/api/", MMID: "C71283", APIKey: testKey}, nil},
		{"everything missing", Config{}, []string{"base_url is empty", "mmid is empty", "api key is empty"}},
		{"relative url", Config{BaseURL: "apiindotel.mesinr1.com", MMID: "C1", APIKey: testKey}, []string{"not an absolute http(s) URL"}},
		{"ftp", Config{BaseURL: "ftp://x", MMID: "C1", APIKey: testKey}, []string{"not an absolute"}},
		{"query", Config{BaseURL: "https://x/?a=1", MMID: "C1", APIKey: testKey}, []string{"query"}},
		{"user info", Config{BaseURL: "https://u:" + testKey + "@x", MMID: "C1", APIKey: testKey}, []string{"user info"}},
		{"spaced mmid", Config{BaseURL: "https://x", MMID: "C 1", APIKey: testKey}, []string{"white space"}},
		{"spaced key", Config{BaseURL: "https://x", MMID: "C1", APIKey: " " + testKey}, []string{"api key has surrounding"}},
	}
	for _, tt := range tests {
		c, err := New(tt.cfg)
		if tt.want == nil {
			if err != nil || c == nil {
				t.Errorf("%s: New = %v, want a client", tt.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: New succeeded, want an error", tt.name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tt.name, err, w)
			}
		}
		if strings.Contains(err.Error(), testKey) {
			t.Errorf("%s: error %q contains the api key", tt.name, err)
		}
	}
}

func TestBaseURLForms(t *testing.T) {
	for _, base := range []string{"https://h.example", "https://h.example/", "https://h.example/V1/api", "https://h.example/v1/API/"} {
		c, err := New(Config{BaseURL: base, MMID: "C1", APIKey: testKey})
		if err != nil {
			t.Fatal(err)
		}
		if c.endpoint != "https://h.example/V1/api/" {
			t.Errorf("%s: endpoint = %q", base, c.endpoint)
		}
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	cfg := Config{BaseURL: "https://h.example", MMID: "C71283", APIKey: testKey}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cfg", cfg, "client", c)
	for _, s := range []string{
		fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", &cfg),
		fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), c.Account().String(), logs.String(),
	} {
		if strings.Contains(s, testKey) {
			t.Errorf("printed form leaks the key: %s", s)
		}
	}
	acc := c.Account()
	want := flows.Account{Provider: "mesinr1", ID: "C71283", KeyHash: flows.KeyFingerprint(testKey), Host: "h.example"}
	if acc != want {
		t.Errorf("Account = %+v, want %+v", acc, want)
	}
}

// TestProviderEchoIsScrubbed: a platform that repeats the rqid in its
// message must not put the key into our errors.
func TestProviderEchoIsScrubbed(t *testing.T) {
	c, _ := cannedClient(t, func(path string, body map[string]any) (int, string) {
		return 401, `{"status":"error","code":401,"message":"rqid ` + testKey + ` tidak valid","rc":"63"}`
	})
	_, err := c.Place(context.Background(), order("R1", "IS5", phone("7890")))
	if kindOf(err) != flows.KindMisconfigured {
		t.Fatalf("Place = %v, want misconfigured", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("error leaks the key: %v", err)
	}
	c, _ = cannedClient(t, func(path string, body map[string]any) (int, string) {
		return 502, `<html>bad gateway for ` + testKey + `</html>`
	})
	_, err = c.Place(context.Background(), order("R1", "IS5", phone("7890")))
	if kindOf(err) != flows.KindUnknown || strings.Contains(err.Error(), testKey) {
		t.Errorf("Place = %v, want unknown without the key", err)
	}
}

// TestRequestShape checks the wire form of seed 002's rqid mode.
func TestRequestShape(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		body, _ = io.ReadAll(r.Body)
		_, _ = io.WriteString(w, `{"status":"success","code":200,"message":"success","rc":"00","data":{"ref_1":"REF1","status":1,"status_label":"success","price":"5500","total_price":"5500","msg":"TRX IS5.081234567890 SUKSES, SN:ABC123"}}`)
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL + "/", MMID: testMMID, APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Place(context.Background(), order("REF1", "IS5", "081234567890"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/V1/api/topup" {
		t.Errorf("request = %s %s, want POST /V1/api/topup", got.Method, got.URL.Path)
	}
	if got.Header.Get("rqid") != testKey || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v", got.Header)
	}
	var m map[string]string
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"mmid": testMMID, "product_code": "IS5", "customer_id": "081234567890", "ref_1": "REF1"}
	if fmt.Sprint(m) != fmt.Sprint(want) {
		t.Errorf("body = %v, want %v", m, want)
	}
	if res.SN != "ABC123" || res.Status != flows.StatusSuccess || res.Price != 5500 || !res.Acknowledged {
		t.Errorf("result = %+v", res)
	}
}
