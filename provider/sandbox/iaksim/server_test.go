package iaksim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The credentials of providers.md §5, whose sign vectors TestIAKSign checks.
const (
	iakTestUser = "081234567890"
	iakTestKey  = "5f2b1c0e9a7d4e3b"
)

type iakHarness struct {
	t   *testing.T
	sim *Server
	srv *httptest.Server
}

func newIAKHarness(t *testing.T, opts Options) *iakHarness {
	t.Helper()
	if opts.Username == "" {
		opts.Username = iakTestUser
	}
	if opts.APIKey == "" {
		opts.APIKey = iakTestKey
	}
	if opts.Now == nil {
		// A fixed working hour: postpaid inquiries expire at 23:00 WIB, and
		// a test must not depend on when CI runs it.
		at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("WIB", 7*3600))
		opts.Now = func() time.Time { return at }
	}
	sim := New(opts)
	srv := httptest.NewServer(sim)
	// The simulator closes first: it ends stalled answers the server would
	// otherwise wait for.
	t.Cleanup(func() { sim.Close(); srv.Close() })
	return &iakHarness{t: t, sim: sim, srv: srv}
}

func sign(additional string) string { return iakSign(iakTestUser, iakTestKey, additional) }

// iakAnswer is one HTTP answer: status, raw body and, when it is JSON with a
// "data" object, that object (numbers kept as json.Number so tests can tell
// 0 from "0").
type iakAnswer struct {
	code  int
	body  []byte
	ctype string
	data  map[string]any
	err   error // decoding error
}

func (a iakAnswer) str(key string) string {
	v, ok := a.data[key]
	if !ok {
		return "<absent>"
	}
	return fmt.Sprint(v)
}

func (h *iakHarness) do(client *http.Client, method, path string, body any) (iakAnswer, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return iakAnswer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return iakAnswer{}, err
	}
	a := iakAnswer{code: resp.StatusCode, body: raw, ctype: resp.Header.Get("Content-Type")}
	var env struct {
		Data map[string]any `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	a.err = dec.Decode(&env)
	a.data = env.Data
	return a, nil
}

func (h *iakHarness) post(path string, body any) iakAnswer {
	h.t.Helper()
	a, err := h.do(h.srv.Client(), http.MethodPost, path, body)
	if err != nil {
		h.t.Fatalf("POST %s: %v", path, err)
	}
	return a
}

func (h *iakHarness) topUp(ref, product, customer string) iakAnswer {
	h.t.Helper()
	return h.post("/api/top-up", map[string]string{
		"username": iakTestUser, "ref_id": ref, "customer_id": customer, "product_code": product, "sign": sign(ref),
	})
}

func (h *iakHarness) checkStatus(ref string) iakAnswer {
	h.t.Helper()
	return h.post("/api/check-status", map[string]string{"username": iakTestUser, "ref_id": ref, "sign": sign(ref)})
}

// want asserts fields of a JSON answer, compared as printed.
func (h *iakHarness) want(a iakAnswer, fields map[string]string) {
	h.t.Helper()
	if a.err != nil {
		h.t.Fatalf("answer is not JSON with data (%v): %s", a.err, a.body)
	}
	for k, v := range fields {
		if got := a.str(k); got != v {
			h.t.Errorf("%s = %s, want %s (body %s)", k, got, v, a.body)
		}
	}
}

// eventually polls cond until it holds or a deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestIAKSign(t *testing.T) {
	// Self-computed vectors from providers.md §5.
	tests := map[string]string{
		"order001":    "f6393288967423e61ec2785e2214c132",
		"bl":          "2080b334470e40a81242308b6a53cd89",
		"pl":          "abe82f3517aa12c71b0b635d4ac6a915",
		"12345678901": "6d9af72f44e719767588f93dcbca5186",
		"cs":          "0b2d7a64612862689b9650c0bbf07d22",
		"9732792":     "4fe0add9b16c52fd393aa2a807d462d4",
	}
	for add, want := range tests {
		if got := sign(add); got != want {
			t.Errorf("sign(%q) = %s, want %s", add, got, want)
		}
	}
}

func TestIAKTopUpAccepted(t *testing.T) {
	h := newIAKHarness(t, Options{Deposit: 100_000, SettleDelay: -1})
	a := h.topUp("ORDER001", "htelkomsel10000", "081234567890")
	if a.code != http.StatusOK || !strings.HasPrefix(a.ctype, "application/json") {
		t.Fatalf("HTTP %d %s", a.code, a.ctype)
	}
	h.want(a, map[string]string{
		"ref_id": "ORDER001", "status": "0", "product_code": "htelkomsel10000", "customer_id": "081234567890",
		"price": "10850", "message": "PROCESS", "balance": "89150", "tr_id": "3482", "rc": "39", "sn": "<absent>",
	})
	if _, isNum := a.data["status"].(json.Number); !isNum {
		t.Errorf("status is %T, want a JSON number", a.data["status"])
	}
	if got := h.sim.Deposit(); got != 89_150 {
		t.Errorf("deposit = %d, want 89150 (debited at once)", got)
	}
	tx, ok := h.sim.Transaction("ORDER001")
	if !ok || tx.Status != 0 || tx.RC != "39" || tx.TrID != 3482 || tx.TopUps != 1 {
		t.Errorf("transaction = %+v, %v", tx, ok)
	}
	// tr_ids only grow.
	h.want(h.topUp("ORDER002", "xld25000", "0817777215"), map[string]string{"tr_id": "3483", "price": "25000"})
}

func TestIAKSameRefIsStatusCheck(t *testing.T) {
	h := newIAKHarness(t, Options{Deposit: 100_000, SettleDelay: -1})
	h.want(h.topUp("R1", "htelkomsel10000", "081234567890"), map[string]string{"tr_id": "3482", "rc": "39"})
	// A re-send — even one that differs — answers the existing transaction.
	h.want(h.topUp("R1", "xld25000", "0817777215"), map[string]string{
		"tr_id": "3482", "rc": "39", "status": "0", "product_code": "htelkomsel10000", "balance": "89150",
	})
	if err := h.sim.Settle("R1", true); err != nil {
		t.Fatal(err)
	}
	a := h.topUp("R1", "htelkomsel10000", "081234567890")
	h.want(a, map[string]string{"status": "1", "rc": "00", "message": "SUCCESS", "balance": "89150"})
	if a.str("sn") == "<absent>" {
		t.Error("a successful re-send answers without sn")
	}
	if n, dep := h.sim.TransactionCount(), h.sim.Deposit(); n != 1 || dep != 89_150 {
		t.Errorf("count %d deposit %d, want 1 and 89150", n, dep)
	}
	if tx, _ := h.sim.Transaction("R1"); tx.TopUps != 3 {
		t.Errorf("TopUps = %d, want 3", tx.TopUps)
	}
}

func TestIAKAuth(t *testing.T) {
	h := newIAKHarness(t, Options{SettleDelay: -1})
	h.want(h.topUp("KNOWN", "htelkomsel10000", "081234567890"), map[string]string{"rc": "39"})

	body := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name     string
		path     string
		body     map[string]string
		wantHTTP int
		wantRC   string
	}{
		{"top-up wrong sign", "/api/top-up", body("username", iakTestUser, "ref_id", "X1", "customer_id", "081234567890", "product_code", "htelkomsel10000", "sign", sign("X2")), 200, "204"},
		{"top-up sign with another key", "/api/top-up", body("username", iakTestUser, "ref_id", "X1", "customer_id", "081234567890", "product_code", "htelkomsel10000", "sign", iakSign(iakTestUser, "other", "X1")), 200, "204"},
		{"top-up wrong username", "/api/top-up", body("username", "089999999999", "ref_id", "X1", "customer_id", "081234567890", "product_code", "htelkomsel10000", "sign", iakSign("089999999999", iakTestKey, "X1")), 200, "208"},
		{"top-up no sign", "/api/top-up", body("username", iakTestUser, "ref_id", "X1", "customer_id", "081234567890", "product_code", "htelkomsel10000"), 400, "107"},
		// The sign is checked before a known ref answers its state.
		{"known ref wrong sign", "/api/top-up", body("username", iakTestUser, "ref_id", "KNOWN", "sign", sign("OTHER")), 200, "204"},
		// A known ref answers before the body is checked.
		{"known ref without other fields", "/api/top-up", body("username", iakTestUser, "ref_id", "KNOWN", "sign", sign("KNOWN")), 200, "39"},
		{"check-status wrong sign", "/api/check-status", body("username", iakTestUser, "ref_id", "KNOWN", "sign", sign("bl")), 200, "204"},
		{"check-balance wrong sign", "/api/check-balance", body("username", iakTestUser, "sign", sign("pl")), 200, "204"},
		{"check-balance", "/api/check-balance", body("username", iakTestUser, "sign", sign("bl")), 200, "00"},
		{"pricelist wrong sign", "/api/pricelist", body("username", iakTestUser, "sign", sign("bl")), 200, "204"},
		{"inquiry-pln wrong sign", "/api/inquiry-pln", body("username", iakTestUser, "customer_id", "12345678901", "sign", sign("pl")), 200, "204"},
		{"upper-case sign is the same digest", "/api/check-balance", body("username", iakTestUser, "sign", strings.ToUpper(sign("bl"))), 200, "00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := h.post(tt.path, tt.body)
			if a.code != tt.wantHTTP || a.str("rc") != tt.wantRC {
				t.Errorf("HTTP %d rc %s, want %d %s: %s", a.code, a.str("rc"), tt.wantHTTP, tt.wantRC, a.body)
			}
		})
	}
	if n := h.sim.TransactionCount(); n != 1 {
		t.Errorf("TransactionCount = %d, want 1", n)
	}
}

func TestIAKBadRequests(t *testing.T) {
	h := newIAKHarness(t, Options{SettleDelay: -1})
	for _, body := range []string{"", "not json", "[1,2]", `{"username":`, `{"username":{"a":1}}`} {
		a := h.post("/api/top-up", body)
		if a.code != http.StatusBadRequest || a.str("rc") != "107" || a.str("message") != "ERROR IN XML FORMAT" {
			t.Errorf("body %q: HTTP %d %s", body, a.code, a.body)
		}
	}
	// A missing field is named in error_details, Laravel style.
	a := h.post("/api/top-up", map[string]string{"username": iakTestUser, "ref_id": "R", "product_code": "xld25000", "sign": sign("R")})
	if a.code != http.StatusBadRequest || a.str("rc") != "107" || !strings.Contains(string(a.body), `"customer_id":["The customer id field is required."]`) {
		t.Errorf("missing customer_id: HTTP %d %s", a.code, a.body)
	}
	// XML is IAK's other format; the simulator answers it with 107.
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/api/check-balance", strings.NewReader("<mp><username>x</username></mp>"))
	req.Header.Set("Content-Type", "application/xml")
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("XML body: HTTP %d, want 400", resp.StatusCode)
	}
	// Numbers where strings are expected are read liberally.
	h.want(h.post("/api/top-up", map[string]any{"username": iakTestUser, "ref_id": "N1", "customer_id": "081234567890", "product_code": "htelkomsel10000", "sign": sign("N1")}), map[string]string{"rc": "39"})
	if h.sim.TransactionCount() != 1 {
		t.Error("a bad request created a transaction")
	}
}

func TestIAKUnknownPath(t *testing.T) {
	h := newIAKHarness(t, Options{})
	for _, path := range []string{"/api/topup", "/api/v2/top-up", "/", "/api/pricelist/a/b/c"} {
		a := h.post(path, map[string]string{"username": iakTestUser})
		if a.code != http.StatusOK || a.str("rc") != "117" || a.str("message") != "PAGE NOT FOUND" {
			t.Errorf("%s: HTTP %d %s", path, a.code, a.body)
		}
	}
	a, err := h.do(h.srv.Client(), http.MethodGet, "/api/top-up", nil)
	if err != nil || a.str("rc") != "117" {
		t.Errorf("GET /api/top-up: %v %s", err, a.body)
	}
	a = h.post("/api/v1/nothing", map[string]string{})
	if a.str("response_code") != "117" || !strings.Contains(string(a.body), `"meta":[]`) {
		t.Errorf("postpaid unknown path: %s", a.body)
	}
}

func TestIAKTopUpRefusals(t *testing.T) {
	tests := []struct {
		product, customer, rc string
	}{
		{"nosuchproduct", "081234567890", "20"},
		{"hsmart5000", "088112345678", "106"},   // non active (gangguan)
		{"indomaret100", "081234567890", "106"}, // non active (out of stock)
		{"htelkomsel10000", "0817777215", "16"}, // an XL number
		{"hbyu10000", "081234567890", "16"},     // Telkomsel, not by.U
		{"htelkomsel10000", "0812345", "14"},    // too short
		{"htelkomsel10000", "08123456789a", "14"},
		{"htelkomsel10000", "08123456789012", "203"},
		{"dana10000", "62812345678", "14"}, // e-money takes 08…
		{"hpln20000", "1234567890", "14"},  // 10 digits
		{"hpln20000", "1234567890123", "14"},
		{"hmobilelegend86", "12345678", "141"}, // no zone id
		{"hmobilelegend86", "abc|1234", "141"},
		{"hfreefire70", "12a45", "142"},
		{"alfamart100", "0812", "14"},
		// Test digits 0RRR refuse with rc RRR once the number is valid.
		{"htelkomsel10000", "081234560013", "13"},
		{"htelkomsel10000", "081234560014", "14"},
		{"htelkomsel10000", "081234560202", "202"},
		{"htelkomsel10000", "081234560102", "102"},
		{"htelkomsel10000", "081234560118", "118"},
		{"htelkomsel10000", "081234560110", "110"},
		{"hmobilelegend86", "12340207|2001", "207"},
		{"hpln20000", "12345670017", "17"},
		// Natural validation comes first: a prefix mismatch wins over 0013.
		{"htelkomsel10000", "081734560013", "16"},
	}
	h := newIAKHarness(t, Options{Deposit: 1_000_000, SettleDelay: -1})
	for i, tt := range tests {
		ref := fmt.Sprintf("REF%d", i)
		a := h.topUp(ref, tt.product, tt.customer)
		h.want(a, map[string]string{
			"rc": tt.rc, "status": "2", "tr_id": "0", "price": "0", "balance": "1000000", "ref_id": ref,
			"product_code": tt.product, "customer_id": tt.customer, "message": iakPrepaidMessage(tt.rc),
		})
		// Nothing was created, so a re-send is refused again.
		h.want(h.topUp(ref, tt.product, tt.customer), map[string]string{"rc": tt.rc})
	}
	if n, dep := h.sim.TransactionCount(), h.sim.Deposit(); n != 0 || dep != 1_000_000 {
		t.Errorf("count %d deposit %d: refusals must create and debit nothing", n, dep)
	}
}

func TestIAKInsufficientDeposit(t *testing.T) {
	h := newIAKHarness(t, Options{Deposit: -1, SettleDelay: -1})
	h.want(h.topUp("D1", "htelkomsel10000", "081234567890"), map[string]string{"rc": "17", "message": "INSUFFICIENT DEPOSIT", "balance": "0"})
	h.sim.AddDeposit(10_850)
	// The same ref_id goes through once the deposit is there: the refusal
	// created nothing.
	h.want(h.topUp("D1", "htelkomsel10000", "081234567890"), map[string]string{"rc": "39", "balance": "0"})
}

func TestIAKTestNumbersSettle(t *testing.T) {
	tests := []struct {
		customer string
		status   string
		rc       string
		message  string
		refunded bool
	}{
		{"081234567890", "1", "00", "SUCCESS", false},
		{"081234561000", "1", "00", "SUCCESS", false},
		{"081234561007", "2", "07", "FAILED", true},
		{"081234561013", "2", "13", "CUSTOMER NUMBER BLOCKED", true},
		{"081234561014", "2", "14", "INCORRECT DESTINATION NUMBER", true},
		{"081234561039", "0", "39", "PROCESS", false},
		{"081234561201", "0", "201", "UNDEFINED RESPONSE CODE", false},
		{"081234560000", "1", "00", "SUCCESS", false},
		{"081234565013", "1", "00", "SUCCESS", false},
	}
	for _, tt := range tests {
		t.Run(tt.customer, func(t *testing.T) {
			h := newIAKHarness(t, Options{Deposit: 100_000})
			h.want(h.topUp("T", "htelkomsel10000", tt.customer), map[string]string{"rc": "39", "status": "0", "balance": "89150"})
			want := map[string]string{"status": tt.status, "rc": tt.rc, "message": tt.message, "balance": "89150", "price": "10850"}
			if tt.refunded {
				want["balance"] = "100000"
			}
			h.want(h.checkStatus("T"), want)
		})
	}
}

func TestIAKPendingTestNumberResolvedBySettle(t *testing.T) {
	h := newIAKHarness(t, Options{Deposit: 100_000})
	h.topUp("P", "htelkomsel10000", "081234561039")
	h.want(h.checkStatus("P"), map[string]string{"status": "0", "rc": "39"})
	if err := h.sim.Settle("P", false); err != nil {
		t.Fatal(err)
	}
	h.want(h.checkStatus("P"), map[string]string{"status": "2", "rc": "07", "balance": "100000"})
}

func TestIAKSettleDelay(t *testing.T) {
	h := newIAKHarness(t, Options{SettleDelay: 10 * time.Millisecond})
	h.want(h.topUp("S1", "xld25000", "0817777215"), map[string]string{"rc": "39"})
	eventually(t, "settlement", func() bool { tx, _ := h.sim.Transaction("S1"); return tx.Status == 1 })
	a := h.checkStatus("S1")
	h.want(a, map[string]string{"status": "1", "rc": "00"})
	if !regexp.MustCompile(`^\d{16}$`).MatchString(a.str("sn")) {
		t.Errorf("pulsa sn = %q, want a numeric serial", a.str("sn"))
	}
	if tx, _ := h.sim.Transaction("S1"); tx.StatusChecks != 1 || tx.Settled.IsZero() {
		t.Errorf("snapshot = %+v", tx)
	}
}

func TestIAKSettleManually(t *testing.T) {
	h := newIAKHarness(t, Options{Deposit: 100_000, SettleDelay: -1})
	h.topUp("M1", "htelkomsel10000", "081234567890")
	h.topUp("M2", "htelkomsel10000", "081234567891")
	if err := h.sim.Settle("M1", true); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.Settle("M1", false); err == nil {
		t.Error("a second action on a final transaction succeeded")
	}
	if err := h.sim.Settle("NOPE", true); err == nil {
		t.Error("settling an unknown ref succeeded")
	}
	if err := h.sim.Settle("M2", false); err != nil {
		t.Fatal(err)
	}
	if got := h.sim.Deposit(); got != 100_000-10_850 {
		t.Errorf("deposit = %d, want %d (M1 paid, M2 refunded)", got, 100_000-10_850)
	}
	h.want(h.checkStatus("M2"), map[string]string{"status": "2", "rc": "07", "message": "FAILED", "sn": "<absent>"})
}

func TestIAKSNFormats(t *testing.T) {
	tests := []struct {
		product, customer string
		sn, pin, esim     string // regexps; "" = must be absent
	}{
		{"htelkomsel10000", "081234567890", `^\d{16}$`, "", ""},
		{"tseldata2gb", "081234567890", `^\d{16}$`, "", ""},
		{"hpln20000", "12345678901", `^\d{4}(-\d{4}){4}/Sintya Oktaviani/R1 /000001300/12\.5$`, "", ""},
		{"hmobilelegend86", "123456789|2001", `^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$`, "", ""},
		{"hgoogleplay20000", "081234567890", `^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$`, `^\d{12}$`, ""},
		{"alfamart100", "081234567890", `^[A-Z0-9]{12} / \d{4}-\d{2}-\d{2}$`, "", ""},
		{"dana10000", "081234567890", `^[A-Z ]+ \d{15}$`, "", ""},
		{"esimjapan3gb", "081234567890", `^8962\d{15}$`, "", `^LPA:1\$smdp\.sandbox\.example\$[A-Z0-9-]+$`},
	}
	h := newIAKHarness(t, Options{})
	for i, tt := range tests {
		ref := fmt.Sprintf("SN%d", i)
		h.want(h.topUp(ref, tt.product, tt.customer), map[string]string{"rc": "39"})
		a := h.checkStatus(ref)
		h.want(a, map[string]string{"status": "1"})
		for key, pattern := range map[string]string{"sn": tt.sn, "pin": tt.pin, "activation_code": tt.esim} {
			got := a.str(key)
			if pattern == "" {
				if got != "<absent>" {
					t.Errorf("%s: %s = %q, want absent", tt.product, key, got)
				}
				continue
			}
			if !regexp.MustCompile(pattern).MatchString(got) {
				t.Errorf("%s: %s = %q, want %s", tt.product, key, got, pattern)
			}
		}
	}
}

func TestIAKCheckStatusUnknown(t *testing.T) {
	h := newIAKHarness(t, Options{Deposit: 50_000})
	h.want(h.checkStatus("NEVERSENT"), map[string]string{
		"rc": "06", "message": "TRANSACTION NOT FOUND", "ref_id": "NEVERSENT", "tr_id": "0", "status": "2",
	})
	a := h.post("/api/check-status", map[string]string{"username": iakTestUser, "sign": sign("")})
	if a.code != http.StatusBadRequest || a.str("rc") != "107" {
		t.Errorf("no ref_id: HTTP %d %s", a.code, a.body)
	}
}

func TestIAKCheckBalance(t *testing.T) {
	h := newIAKHarness(t, Options{Deposit: 997_136_249})
	h.want(h.post("/api/check-balance", map[string]string{"username": iakTestUser, "sign": sign("bl")}),
		map[string]string{"balance": "997136249", "message": "SUCCESS", "rc": "00"})
}

func TestIAKPricelist(t *testing.T) {
	h := newIAKHarness(t, Options{})
	list := func(path, status string) []map[string]any {
		t.Helper()
		body := map[string]string{"username": iakTestUser, "sign": sign("pl")}
		if status != "" {
			body["status"] = status
		}
		a := h.post(path, body)
		h.want(a, map[string]string{"rc": "00", "message": "SUCCESS"})
		raw, _ := a.data["pricelist"].([]any)
		out := make([]map[string]any, 0, len(raw))
		for _, it := range raw {
			out = append(out, it.(map[string]any))
		}
		return out
	}
	all := list("/api/pricelist", "")
	if len(all) != len(iakCatalog) {
		t.Fatalf("%d items, want %d", len(all), len(iakCatalog))
	}
	fields := []string{"product_code", "product_description", "product_nominal", "product_details", "product_price",
		"product_type", "active_period", "status", "icon_url", "product_category"}
	types := map[string]bool{}
	for _, it := range all {
		for _, f := range fields {
			if _, ok := it[f]; !ok {
				t.Errorf("%v lacks %s", it["product_code"], f)
			}
		}
		if _, ok := it["product_price"].(json.Number); !ok {
			t.Errorf("%v: product_price is %T, want a number", it["product_code"], it["product_price"])
		}
		types[fmt.Sprint(it["product_type"])] = true
		if it["product_code"] == "htelkomsel10000" && fmt.Sprint(it["product_price"]) != "10850" {
			t.Errorf("htelkomsel10000 costs %v", it["product_price"])
		}
	}
	for _, typ := range []string{"pulsa", "data", "pln", "game", "voucher", "etoll", "esim-international"} {
		if !types[typ] {
			t.Errorf("no %s product", typ)
		}
	}
	for _, it := range list("/api/pricelist/pulsa", "") {
		if it["product_type"] != "pulsa" {
			t.Errorf("pulsa filter let %v through", it["product_code"])
		}
	}
	tsel := list("/api/pricelist/pulsa/telkomsel", "active")
	if len(tsel) != 6 {
		t.Errorf("%d active Telkomsel pulsa products, want 6", len(tsel))
	}
	inactive := list("/api/pricelist", "non active")
	var codes []string
	for _, it := range inactive {
		codes = append(codes, fmt.Sprint(it["product_code"]))
	}
	if strings.Join(codes, ",") != "hsmart5000,indomaret100" {
		t.Errorf("non active = %v", codes)
	}
	if got := len(list("/api/pricelist/nosuchtype", "")); got != 0 {
		t.Errorf("unknown type lists %d items", got)
	}
	if got := len(list("/api/pricelist", "active")) + len(inactive); got != len(all) {
		t.Errorf("active + non active = %d, want %d", got, len(all))
	}
}

func TestIAKInquiryPLN(t *testing.T) {
	h := newIAKHarness(t, Options{})
	inquire := func(id string) iakAnswer {
		return h.post("/api/inquiry-pln", map[string]string{"username": iakTestUser, "customer_id": id, "sign": sign(id)})
	}
	a := inquire("12345678901")
	h.want(a, map[string]string{
		"status": "1", "customer_id": "12345678901", "meter_no": "548933889287", "subscriber_id": "12345678901",
		"name": "Sintya Oktaviani", "segment_power": "R1 /000001300", "message": "SUCCESS", "rc": "00",
	})
	if _, isString := a.data["status"].(string); !isString {
		t.Errorf("inquiry-pln status is %T, want a string", a.data["status"])
	}
	h.want(inquire("543210987654"), map[string]string{"status": "1", "name": "PT SINAR ABADI"})
	h.want(inquire("12345671007"), map[string]string{"status": "1", "rc": "00"})
	h.want(inquire("12345670014"), map[string]string{"status": "2", "rc": "14"})
	h.want(inquire("12345670013"), map[string]string{"status": "2", "rc": "13"})
	h.want(inquire("99999999999"), map[string]string{"status": "2", "rc": "14", "message": "INCORRECT DESTINATION NUMBER", "name": ""})
	h.want(inquire("1234"), map[string]string{"rc": "14"})
}

func TestIAKInquiryGame(t *testing.T) {
	h := newIAKHarness(t, Options{})
	inquire := func(game, id string) iakAnswer {
		return h.post("/api/inquiry-game", map[string]string{"username": iakTestUser, "game_code": game, "customer_id": id, "sign": sign(game)})
	}
	a := inquire("103", "156378300|8483")
	h.want(a, map[string]string{"status": "1", "username": "budi", "message": "SUCCESS", "rc": "00"})
	if _, isNumber := a.data["status"].(json.Number); !isNumber {
		t.Errorf("inquiry-game status is %T, want a number", a.data["status"])
	}
	h.want(inquire("103", "12345678|1234"), map[string]string{"status": "2", "rc": "14", "message": "INCORRECT DESTINATION NUMBER"})
	h.want(inquire("135", "12345678"), map[string]string{"status": "2", "rc": "20", "message": "CODE NOT FOUND"})
	// The sign is of the game code, not of the customer id.
	wrong := h.post("/api/inquiry-game", map[string]string{"username": iakTestUser, "game_code": "103", "customer_id": "156378300|8483", "sign": sign("156378300|8483")})
	h.want(wrong, map[string]string{"rc": "204"})
	if a := h.post("/api/inquiry-game", map[string]string{"username": iakTestUser, "customer_id": "156378300|8483", "sign": sign("")}); a.str("rc") != "107" {
		t.Errorf("without game_code: rc %s, want 107", a.str("rc"))
	}
}

func TestIAKMisbehavingFirstAnswers(t *testing.T) {
	t.Run("504", func(t *testing.T) {
		h := newIAKHarness(t, Options{SettleDelay: -1})
		a := h.topUp("G1", "htelkomsel10000", "081234569504")
		if a.code != http.StatusGatewayTimeout || !strings.HasPrefix(a.ctype, "text/html") || !strings.Contains(string(a.body), "<html>") {
			t.Fatalf("HTTP %d %s: %s", a.code, a.ctype, a.body)
		}
		// The transaction exists; a re-send answers it normally.
		h.want(h.topUp("G1", "htelkomsel10000", "081234569504"), map[string]string{"rc": "39", "tr_id": "3482"})
		h.want(h.checkStatus("G1"), map[string]string{"rc": "39"})
		if h.sim.TransactionCount() != 1 || h.sim.Deposit() != 5_000_000-10_850 {
			t.Error("the 504 transaction was not created and debited once")
		}
	})
	t.Run("truncated", func(t *testing.T) {
		h := newIAKHarness(t, Options{SettleDelay: -1})
		a := h.topUp("G2", "htelkomsel10000", "081234569200")
		if a.code != http.StatusOK || json.Valid(a.body) || !bytes.HasPrefix(a.body, []byte(`{"data":{"ref_id":"G2"`)) {
			t.Fatalf("HTTP %d, want a truncated JSON body: %s", a.code, a.body)
		}
		h.want(h.topUp("G2", "htelkomsel10000", "081234569200"), map[string]string{"rc": "39"})
	})
	t.Run("slow", func(t *testing.T) {
		h := newIAKHarness(t, Options{SlowDelay: 20 * time.Millisecond})
		start := time.Now()
		a := h.topUp("G3", "htelkomsel10000", "081234569408")
		if time.Since(start) < 20*time.Millisecond {
			t.Error("the slow answer came at once")
		}
		h.want(a, map[string]string{"rc": "39", "status": "0"})
		// The transaction settles to success once the answer is out.
		h.want(h.checkStatus("G3"), map[string]string{"rc": "00", "status": "1"})
	})
	t.Run("slow, client gives up", func(t *testing.T) {
		// SlowDelay is far beyond the test's deadline: the stall must end
		// when the client goes away.
		h := newIAKHarness(t, Options{SlowDelay: time.Hour})
		client := &http.Client{Timeout: 50 * time.Millisecond}
		_, err := h.do(client, http.MethodPost, "/api/top-up", map[string]string{
			"username": iakTestUser, "ref_id": "G4", "customer_id": "081234569408", "product_code": "htelkomsel10000", "sign": sign("G4"),
		})
		if err == nil {
			t.Fatal("the client got an answer within its timeout")
		}
		// With SettleDelay 0 the transaction settles once the abandoned
		// answer is given up.
		eventually(t, "settlement after the client gave up", func() bool { tx, _ := h.sim.Transaction("G4"); return tx.Status == 1 })
		// A re-send is not slow.
		h.want(h.topUp("G4", "htelkomsel10000", "081234569408"), map[string]string{"rc": "00"})
	})
	t.Run("close ends a stall", func(t *testing.T) {
		h := newIAKHarness(t, Options{SlowDelay: time.Hour})
		done := make(chan error, 1)
		go func() {
			_, err := h.do(h.srv.Client(), http.MethodPost, "/api/top-up", map[string]string{
				"username": iakTestUser, "ref_id": "G5", "customer_id": "081234569408", "product_code": "htelkomsel10000", "sign": sign("G5"),
			})
			done <- err
		}()
		eventually(t, "the transaction", func() bool { return h.sim.TransactionCount() == 1 })
		h.sim.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not end the stalled answer")
		}
	})
}

func TestIAKConcurrentSameRef(t *testing.T) {
	h := newIAKHarness(t, Options{Deposit: 100_000, SettleDelay: -1})
	const n = 64
	var wg sync.WaitGroup
	trIDs := make([]string, n)
	for i := range n {
		wg.Go(func() {
			a, err := h.do(h.srv.Client(), http.MethodPost, "/api/top-up", map[string]string{
				"username": iakTestUser, "ref_id": "SAME", "customer_id": "081234567890", "product_code": "htelkomsel10000", "sign": sign("SAME"),
			})
			if err != nil {
				t.Error(err)
				return
			}
			trIDs[i] = a.str("tr_id") + "/" + a.str("rc")
		})
	}
	wg.Wait()
	for i, id := range trIDs {
		if id != "3482/39" {
			t.Errorf("answer %d: tr_id/rc %s, want 3482/39", i, id)
		}
	}
	if c, d := h.sim.TransactionCount(), h.sim.Deposit(); c != 1 || d != 100_000-10_850 {
		t.Errorf("count %d deposit %d, want one transaction debited once", c, d)
	}
	if tx, _ := h.sim.Transaction("SAME"); tx.TopUps != n {
		t.Errorf("TopUps = %d, want %d", tx.TopUps, n)
	}
}

// callbackReceiver is a partner's callback endpoint: it answers the first
// failFirst requests with 500 and records every body.
type callbackReceiver struct {
	srv      *httptest.Server
	attempts atomic.Int32
	bodies   chan []byte
}

func newCallbackReceiver(t *testing.T, failFirst int32) *callbackReceiver {
	c := &callbackReceiver{bodies: make(chan []byte, 100)}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("callback %s with %q", r.Method, r.Header.Get("Content-Type"))
		}
		if c.attempts.Add(1) <= failFirst {
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		c.bodies <- body
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *callbackReceiver) next(t *testing.T) map[string]any {
	t.Helper()
	select {
	case body := <-c.bodies:
		var env struct {
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("callback body %s: %v", body, err)
		}
		return env.Data
	case <-time.After(5 * time.Second):
		t.Fatal("no callback")
		return nil
	}
}

func TestIAKCallback(t *testing.T) {
	rcv := newCallbackReceiver(t, 2)
	h := newIAKHarness(t, Options{
		Deposit: 100_000, SettleDelay: -1, CallbackURL: rcv.srv.URL,
		CallbackAttempts: 3, CallbackBackoff: time.Millisecond,
	})
	h.topUp("CB1", "hgoogleplay20000", "081234567890")
	if err := h.sim.Settle("CB1", true); err != nil {
		t.Fatal(err)
	}
	data := rcv.next(t)
	if got := rcv.attempts.Load(); got != 3 {
		t.Errorf("delivered on attempt %d, want 3 (two 500s retried)", got)
	}
	tx, _ := h.sim.Transaction("CB1")
	want := map[string]string{
		"ref_id": "CB1", "status": "1", "product_code": "hgoogleplay20000", "customer_id": "081234567890",
		"price": "20600", "message": "SUCCESS", "sn": tx.SN, "pin": tx.PIN, "balance": "79400", "tr_id": "3482",
		"rc": "00", "sign": sign("CB1"),
	}
	for k, v := range data {
		if _, isString := v.(string); !isString {
			t.Errorf("callback %s is %T, want a string", k, v)
		}
	}
	for k, v := range want {
		if data[k] != v {
			t.Errorf("callback %s = %v, want %s", k, data[k], v)
		}
	}
	if len(data) != len(want) {
		t.Errorf("callback has %d fields, want %d: %v", len(data), len(want), data)
	}

	// A failure: no sn, the balance after the refund.
	h.topUp("CB2", "htelkomsel10000", "081234567891")
	if err := h.sim.Settle("CB2", false); err != nil {
		t.Fatal(err)
	}
	data = rcv.next(t)
	if data["status"] != "2" || data["rc"] != "07" || data["message"] != "FAILED" || data["balance"] != "79400" || data["sn"] != nil {
		t.Errorf("failure callback = %v", data)
	}
}

func TestIAKCallbackAutomaticAndESIM(t *testing.T) {
	rcv := newCallbackReceiver(t, 0)
	h := newIAKHarness(t, Options{CallbackURL: rcv.srv.URL})
	h.topUp("E1", "esimjapan3gb", "081234567890")
	data := rcv.next(t)
	if data["ref_id"] != "E1" || data["status"] != "1" || !strings.HasPrefix(fmt.Sprint(data["activation_code"]), "LPA:1$") {
		t.Errorf("callback = %v", data)
	}
	// 1039 is never final by itself: no callback until Settle.
	h.topUp("E2", "htelkomsel10000", "081234561039")
	select {
	case b := <-rcv.bodies:
		t.Fatalf("callback for a transaction in process: %s", b)
	default:
	}
	if err := h.sim.Settle("E2", true); err != nil {
		t.Fatal(err)
	}
	if data := rcv.next(t); data["ref_id"] != "E2" || data["status"] != "1" {
		t.Errorf("callback = %v", data)
	}
}

func TestIAKCallbackGivesUp(t *testing.T) {
	rcv := newCallbackReceiver(t, 1000)
	h := newIAKHarness(t, Options{SettleDelay: -1, CallbackURL: rcv.srv.URL, CallbackAttempts: 4, CallbackBackoff: time.Millisecond})
	h.topUp("GU", "htelkomsel10000", "081234567890")
	if err := h.sim.Settle("GU", true); err != nil {
		t.Fatal(err)
	}
	eventually(t, "four attempts", func() bool { return rcv.attempts.Load() >= 4 })
	h.sim.Close() // waits for the delivery goroutine
	if got := rcv.attempts.Load(); got != 4 {
		t.Errorf("%d attempts, want 4", got)
	}
}

func TestIAKCallbackTransportError(t *testing.T) {
	// A closed port: every attempt is a transport error.
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	var attempts atomic.Int32
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		attempts.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	h := newIAKHarness(t, Options{SettleDelay: -1, CallbackURL: url, CallbackAttempts: 3, CallbackBackoff: time.Millisecond, CallbackClient: client})
	h.topUp("TE", "htelkomsel10000", "081234567890")
	if err := h.sim.Settle("TE", true); err != nil {
		t.Fatal(err)
	}
	eventually(t, "three attempts", func() bool { return attempts.Load() >= 3 })
	h.sim.Close()
	if got := attempts.Load(); got != 3 {
		t.Errorf("%d attempts, want 3", got)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestIAKCloseStopsEverything(t *testing.T) {
	// A receiver that never answers until the test ends: Close must cancel
	// the delivery in flight.
	block := make(chan struct{})
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer rcv.Close()
	defer close(block)
	h := newIAKHarness(t, Options{SettleDelay: time.Hour, CallbackURL: rcv.URL, CallbackBackoff: time.Hour})
	h.topUp("C1", "htelkomsel10000", "081234567890") // a timer an hour away
	h.topUp("C2", "htelkomsel10000", "081234567891")
	if err := h.sim.Settle("C2", true); err != nil { // a callback stuck in flight
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() { h.sim.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	if err := h.sim.Settle("C1", true); !errors.Is(err, errIAKClosed) {
		t.Errorf("Settle after Close = %v", err)
	}
	if tx, _ := h.sim.Transaction("C1"); tx.Status != 0 {
		t.Error("a transaction settled after Close")
	}
	// Requests are still answered.
	h.want(h.checkStatus("C1"), map[string]string{"rc": "39"})
}

func TestIAKNeverPanicsOnGarbage(t *testing.T) {
	h := newIAKHarness(t, Options{})
	bodies := []string{
		`{"username":null,"sign":null}`,
		`{"username":"` + iakTestUser + `","sign":"` + sign("") + `","ref_id":""}`,
		`{"username":"` + iakTestUser + `","sign":"` + sign("X") + `","ref_id":"X","customer_id":"|","product_code":"hmobilelegend86"}`,
		`{"username":"` + iakTestUser + `","sign":"` + sign("Y") + `","ref_id":"Y","customer_id":"` + strings.Repeat("9", 5000) + `","product_code":"htelkomsel10000"}`,
		`{"commands":"pay-pasca","username":"` + iakTestUser + `","tr_id":"abc","sign":"` + sign("abc") + `"}`,
		`{"commands":"inq-pasca","username":"` + iakTestUser + `","ref_id":"Z","code":"BPJS","hp":"8801234560000","month":"x","sign":"` + sign("Z") + `"}`,
		strings.Repeat("{", 60_000),
	}
	for _, path := range []string{"/api/top-up", "/api/check-status", "/api/inquiry-pln", "/api/pricelist", "/api/v1/bill/check"} {
		for _, b := range bodies {
			a := h.post(path, b)
			if a.code != http.StatusOK && a.code != http.StatusBadRequest {
				t.Errorf("%s %.40q: HTTP %d", path, b, a.code)
			}
		}
	}
	a, err := h.do(h.srv.Client(), http.MethodGet, "/api/v1/download/notanumber/1", nil)
	if err != nil || !strings.Contains(string(a.body), "<response_code>06</response_code>") {
		t.Errorf("download garbage: %v %s", err, a.body)
	}
}

func TestIAKNewPanicsWithoutCredentials(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New without credentials did not panic")
		}
	}()
	New(Options{})
}

func TestIAKCancelledRequestContext(t *testing.T) {
	// In-process use without a server: a handler called with a context that
	// is already cancelled answers nothing for the slow number and still
	// settles the transaction.
	sim := New(Options{Username: iakTestUser, APIKey: iakTestKey, SlowDelay: time.Hour})
	defer sim.Close()
	body := fmt.Sprintf(`{"username":%q,"ref_id":"IP","customer_id":"081234569408","product_code":"htelkomsel10000","sign":%q}`, iakTestUser, sign("IP"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/api/top-up", strings.NewReader(body))
	rec := httptest.NewRecorder()
	sim.ServeHTTP(rec, req)
	if rec.Body.Len() != 0 {
		t.Errorf("answered a gone client: %s", rec.Body)
	}
	if tx, ok := sim.Transaction("IP"); !ok || tx.Status != 1 {
		t.Errorf("transaction = %+v %v", tx, ok)
	}
}

// SettleAfter gives each top-up its own delay, with SettleDelay's meaning
// (zero at once, negative only by Settle), and OnSettle hears of every
// final state with its moment, before the callback goes.
func TestIAKSettleAfterAndOnSettle(t *testing.T) {
	type settled struct {
		ref string
		at  time.Time
	}
	got := make(chan settled, 4)
	delays := map[string]time.Duration{"SA0": 0, "SA1": 10 * time.Millisecond, "SAN": -1}
	h := newIAKHarness(t, Options{
		SettleDelay: time.Hour, // overridden by SettleAfter
		SettleAfter: func(ref string) time.Duration { return delays[ref] },
		OnSettle:    func(ref string, at time.Time) { got <- settled{ref, at} },
	})
	for ref := range delays {
		h.want(h.topUp(ref, "xld25000", "0817777215"), map[string]string{"rc": "39"})
	}
	next := func() settled {
		t.Helper()
		select {
		case s := <-got:
			return s
		case <-time.After(5 * time.Second):
			t.Fatal("no settlement reported")
		}
		return settled{}
	}
	seen := map[string]time.Time{}
	for range 2 {
		s := next()
		seen[s.ref] = s.at
	}
	for _, ref := range []string{"SA0", "SA1"} {
		tx, _ := h.sim.Transaction(ref)
		if at, ok := seen[ref]; !ok || tx.Status != 1 || !at.Equal(tx.Settled) {
			t.Errorf("%s: reported %v (%v), transaction %+v", ref, at, ok, tx)
		}
	}
	if tx, _ := h.sim.Transaction("SAN"); tx.Status != 0 {
		t.Fatalf("SAN settled by itself: %+v", tx)
	}
	if err := h.sim.Settle("SAN", false); err != nil {
		t.Fatal(err)
	}
	if s := next(); s.ref != "SAN" {
		t.Errorf("reported %s, want SAN", s.ref)
	}
}
