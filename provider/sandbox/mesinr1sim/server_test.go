package mesinr1sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
)

const (
	r1TestMMID = "C71283"
	r1TestKey  = "rqid-test-key-0a1b2c"
)

func r1NewTest(t *testing.T, opts Options) (*Server, *testclock.Clock) {
	t.Helper()
	clk := testclock.New(time.Date(2026, 4, 21, 11, 0, 0, 0, flows.WIB))
	opts.MMID, opts.APIKey = r1TestMMID, r1TestKey
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	if opts.SettleDelay == 0 {
		opts.SettleDelay = time.Minute
	}
	s := New(opts)
	t.Cleanup(s.Close)
	return s, clk
}

// r1Answer is a decoded answer.
type r1Answer struct {
	code int
	hdr  http.Header
	raw  string
	env  map[string]any
}

func (a r1Answer) rc() string     { s, _ := a.env["rc"].(string); return s }
func (a r1Answer) status() string { s, _ := a.env["status"].(string); return s }
func (a r1Answer) data() map[string]any {
	m, _ := a.env["data"].(map[string]any)
	return m
}

// r1Do serves one request in process. body is marshalled unless it is a
// string; hdr overrides the default headers ("" removes one).
func r1Do(t *testing.T, s *Server, method, path string, body any, hdr map[string]string) r1Answer {
	t.Helper()
	return r1DoCtx(t, context.Background(), s, method, path, body, hdr)
}

func r1DoCtx(t *testing.T, ctx context.Context, s *Server, method, path string, body any, hdr map[string]string) r1Answer {
	t.Helper()
	raw, ok := body.(string)
	if !ok {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		raw = string(b)
	}
	req := httptest.NewRequestWithContext(ctx, method, path, strings.NewReader(raw))
	req.Header.Set("rqid", r1TestKey)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	a := r1Answer{code: rec.Code, hdr: rec.Header(), raw: rec.Body.String()}
	_ = json.Unmarshal(rec.Body.Bytes(), &a.env)
	return a
}

// r1Fields is the usual body with the test mmid and extra fields.
func r1Fields(kv ...string) map[string]any {
	m := map[string]any{"mmid": r1TestMMID}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func r1SendTopup(t *testing.T, s *Server, ref, product, number string) r1Answer {
	t.Helper()
	return r1Do(t, s, "POST", "/V1/api/topup", r1Fields("product_code", product, "customer_id", number, "ref_1", ref), nil)
}

func TestMesinR1Strictness(t *testing.T) {
	s, _ := r1NewTest(t, Options{})
	tests := []struct {
		name     string
		method   string
		path     string
		body     any
		hdr      map[string]string
		wantCode int
		wantRC   string
	}{
		{"unknown path", "POST", "/V1/api/nope", r1Fields(), nil, 404, ""},
		{"outside the api", "POST", "/api/top-up", r1Fields(), nil, 404, ""},
		{"history without ref", "POST", "/V1/api/history/", r1Fields(), nil, 404, ""},
		{"GET", "GET", "/V1/api/balance", "", nil, 405, ""},
		{"no rqid", "POST", "/V1/api/balance", r1Fields(), map[string]string{"rqid": ""}, 401, "63"},
		{"wrong rqid", "POST", "/V1/api/balance", r1Fields(), map[string]string{"rqid": "guess"}, 401, "63"},
		{"rqid in the body is not auth", "POST", "/V1/api/balance", r1Fields("rqid", r1TestKey), map[string]string{"rqid": ""}, 401, "63"},
		{"form body", "POST", "/V1/api/balance", "mmid=" + r1TestMMID, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 400, "30"},
		{"bad json", "POST", "/V1/api/balance", `{"mmid":`, nil, 400, "30"},
		{"json array", "POST", "/V1/api/balance", `[{"mmid":"C71283"}]`, nil, 400, "30"},
		{"trailing data", "POST", "/V1/api/balance", `{"mmid":"C71283"} {}`, nil, 400, "30"},
		{"no mmid", "POST", "/V1/api/balance", map[string]any{}, nil, 400, "30"},
		{"mmid object", "POST", "/V1/api/balance", map[string]any{"mmid": map[string]any{}}, nil, 400, "30"},
		{"unknown mmid", "POST", "/V1/api/balance", map[string]any{"mmid": "C99999"}, nil, 401, "63"},
		{"topup without ref_1", "POST", "/V1/api/topup", r1Fields("product_code", "IS5", "customer_id", "081234567890"), nil, 400, "30"},
		{"topup without customer", "POST", "/V1/api/topup", r1Fields("product_code", "IS5", "ref_1", "X"), nil, 400, "30"},
		{"topup product as object", "POST", "/V1/api/topup", map[string]any{"mmid": r1TestMMID, "product_code": map[string]any{}, "customer_id": "081234567890", "ref_1": "X"}, nil, 400, "30"},
		{"inquiry without product", "POST", "/V1/api/inquiry", r1Fields("customer_id", "546302215889", "ref_1", "X"), nil, 400, "30"},
		{"payment without ref_1", "POST", "/V1/api/payment", r1Fields("product_code", "PLNPASC", "customer_id", "546302215889"), nil, 400, "30"},
		{"status without ref_1", "POST", "/V1/api/status", r1Fields(), nil, 400, "30"},
		{"price without product", "POST", "/V1/api/price", r1Fields(), nil, 400, "30"},
		{"price unknown product", "POST", "/V1/api/price", r1Fields("product_code", "NOPE"), nil, 404, "76"},
		{"history bad date", "POST", "/V1/api/history", r1Fields("date", "21-04-2026"), nil, 400, "30"},
		{"history bad status", "POST", "/V1/api/history", r1Fields("status", "ok"), nil, 400, "30"},
		{"history per_page over 1000", "POST", "/V1/api/history", map[string]any{"mmid": r1TestMMID, "page": 1, "per_page": 1001}, nil, 400, "30"},
		{"products page 0", "POST", "/V1/api/products", map[string]any{"mmid": r1TestMMID, "page": 0}, nil, 400, "30"},
		{"products bad is_open", "POST", "/V1/api/products", r1Fields("is_open", "maybe"), nil, 400, "30"},
		{"products bad category_ids", "POST", "/V1/api/products", r1Fields("category_ids", "22,x"), nil, 400, "30"},
		{"products category as object", "POST", "/V1/api/products", map[string]any{"mmid": r1TestMMID, "category": map[string]any{}}, nil, 400, "30"},
		{"products bad sort", "POST", "/V1/api/products", r1Fields("sort", "harga|asc"), nil, 400, "30"},
		{"mutations bad date", "POST", "/V1/api/mutations", r1Fields("start_date", "2026/04/01"), nil, 400, "30"},
		{"status unknown ref", "POST", "/V1/api/status", r1Fields("ref_1", "NOPE"), nil, 404, "25"},
		{"history unknown ref", "POST", "/V1/api/history/NOPE", r1Fields(), nil, 404, "25"},
		{"balance", "POST", "/V1/api/balance", r1Fields(), nil, 200, ""},
	}
	for _, tt := range tests {
		a := r1Do(t, s, tt.method, tt.path, tt.body, tt.hdr)
		if a.code != tt.wantCode || a.rc() != tt.wantRC {
			t.Errorf("%s: http %d rc %q, want http %d rc %q (%s)", tt.name, a.code, a.rc(), tt.wantCode, tt.wantRC, a.raw)
			continue
		}
		if a.env == nil || a.hdr.Get("Content-Type") != "application/json" {
			t.Errorf("%s: not a JSON envelope: %q", tt.name, a.raw)
		}
		code, _ := a.env["code"].(float64)
		wantStatus := "error"
		if tt.wantCode == 200 {
			wantStatus = "success"
		}
		if int(code) != tt.wantCode || a.status() != wantStatus {
			t.Errorf("%s: envelope %s, want status %q code %d", tt.name, a.raw, wantStatus, tt.wantCode)
		}
	}
	if got := r1Do(t, s, "GET", "/V1/api/balance", "", nil).hdr.Get("Allow"); got != "POST" {
		t.Errorf("405 Allow = %q", got)
	}
	if n := s.TransactionCount(); n != 0 {
		t.Errorf("refused requests created %d transactions", n)
	}
}

func TestMesinR1AuthRCIsConfigurable(t *testing.T) {
	s, _ := r1NewTest(t, Options{AuthRC: "55"})
	if a := r1Do(t, s, "POST", "/V1/api/balance", r1Fields(), map[string]string{"rqid": "x"}); a.rc() != "55" || a.code != 401 {
		t.Errorf("auth refusal = %d %s, want 401 rc 55", a.code, a.raw)
	}
}

func TestNewMesinR1NeedsCredentials(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New without an APIKey did not panic")
		}
	}()
	New(Options{MMID: "C1"})
}

// TestMesinR1SeedShapes: answers carry seed 002's field names and types.
func TestMesinR1SeedShapes(t *testing.T) {
	s, _ := r1NewTest(t, Options{})
	a := r1Do(t, s, "POST", "/V1/api/balance", r1Fields(), nil)
	if _, hasRC := a.env["rc"]; hasRC || a.data()["saldo"] != float64(1_000_000) {
		t.Errorf("balance = %s, want {saldo: 1000000} without rc", a.raw)
	}
	a = r1Do(t, s, "POST", "/V1/api/price", r1Fields("product_code", "IS5"), nil)
	want := map[string]any{"gangguan": "Tidak", "kosong": "Tidak", "harga": "5500", "kode": "IS5", "nama": "INDOSAT SMS 5.000"}
	if fmt.Sprint(a.data()) != fmt.Sprint(want) || a.rc() != "00" {
		t.Errorf("price = %s, want the seed's %v", a.raw, want)
	}
	a = r1Do(t, s, "POST", "/V1/api/product-categories", r1Fields(), nil)
	cats, _ := a.env["data"].([]any)
	if len(cats) == 0 || fmt.Sprint(cats[0]) != fmt.Sprint(map[string]any{"id": float64(22), "code": "PULSA", "name": "PULSA", "type": "PRABAYAR"}) {
		t.Errorf("categories = %s", a.raw)
	}
	a = r1SendTopup(t, s, "TEST-1", "IS5", "081234567890")
	d := a.data()
	for _, k := range []string{"ref_1", "product_code", "product_name", "customer_id", "status", "status_label", "price", "total_price", "msg"} {
		if _, ok := d[k]; !ok {
			t.Errorf("topup answer lacks %q: %s", k, a.raw)
		}
	}
	if d["status"] != float64(1) || d["status_label"] != "success" || d["price"] != "5500" ||
		!strings.HasPrefix(d["msg"].(string), "TRX IS5.081234567890 SUKSES, SN:") {
		t.Errorf("topup answer = %s", a.raw)
	}
}

func TestMesinR1DepositAndRefund(t *testing.T) {
	s, clk := r1NewTest(t, Options{Deposit: 100_000})
	r1SendTopup(t, s, "A", "IS5", "081234567890")  // success: -5500
	r1SendTopup(t, s, "B", "IS10", "081234562014") // failed at once: -10500 +10500
	r1SendTopup(t, s, "C", "IS20", "081234561014") // pending, fails later
	if got := s.Deposit(); got != 100_000-5500-20500 {
		t.Errorf("deposit = %d, want %d", got, 100_000-5500-20500)
	}
	clk.Advance(time.Minute)
	if got := s.Deposit(); got != 100_000-5500 {
		t.Errorf("after settlement deposit = %d, want the refund back: %d", got, 100_000-5500)
	}
	tx, _ := s.Transaction("C")
	if tx.Status != 11 || tx.RC != "14" || !strings.Contains(tx.Msg, "GAGAL") {
		t.Errorf("C = %+v", tx)
	}
	s.AddDeposit(50_000)
	a := r1Do(t, s, "POST", "/V1/api/mutations", r1Fields("start_date", "2026-04-21", "end_date", "2026-04-21"), nil)
	rows, _ := a.env["data"].([]any)
	type m struct{ debit, credit, balance float64 }
	want := []m{{100_000, 0, 100_000}, {0, 5500, 94_500}, {0, 10_500, 84_000}, {10_500, 0, 94_500}, {0, 20_500, 74_000}, {20_500, 0, 94_500}, {50_000, 0, 144_500}}
	if len(rows) != len(want) {
		t.Fatalf("mutations = %s", a.raw)
	}
	for i, r := range rows {
		row := r.(map[string]any)
		if got := (m{row["debit"].(float64), row["credit"].(float64), row["balance"].(float64)}); got != want[i] {
			t.Errorf("mutation %d = %v, want %v", i, got, want[i])
		}
	}
	// Not enough left: rc 51, nothing created.
	if a := r1SendTopup(t, s, "D", "PLN1000", "12345678901"); a.rc() != "51" || s.TransactionCount() != 3 {
		t.Errorf("topup over the deposit = %s", a.raw)
	}
	empty, _ := r1NewTest(t, Options{Deposit: -1})
	if empty.Deposit() != 0 {
		t.Errorf("negative Deposit option = %d, want an empty deposit", empty.Deposit())
	}
}

func TestMesinR1Duplicates(t *testing.T) {
	s, _ := r1NewTest(t, Options{})
	if a := r1SendTopup(t, s, "T1", "IS5", "081234567890"); a.code != 200 {
		t.Fatal(a.raw)
	}
	if a := r1SendTopup(t, s, "T1", "IS5", "081234567890"); a.rc() != "94" || a.env["data"] != nil {
		t.Errorf("second topup = %s, want rc 94 without a record", a.raw)
	}
	inq := func(ref string) r1Answer {
		return r1Do(t, s, "POST", "/V1/api/inquiry", r1Fields("product_code", "PLNPASC", "customer_id", "546302215889", "ref_1", ref), nil)
	}
	pay := func(ref string) r1Answer {
		return r1Do(t, s, "POST", "/V1/api/payment", r1Fields("product_code", "PLNPASC", "customer_id", "546302215889", "ref_1", ref), nil)
	}
	if a := inq("T1"); a.rc() != "94" {
		t.Errorf("inquiry under a topup's ref = %s, want 94", a.raw)
	}
	if a := inq("P1"); a.rc() != "00" || !strings.HasPrefix(a.data()["msg"].(string), "INQ PLNPASC.546302215889 SUKSES") {
		t.Fatalf("inquiry = %s", a.raw)
	}
	if a := inq("P1"); a.rc() != "94" {
		t.Errorf("second inquiry = %s, want 94", a.raw)
	}
	if a := r1Do(t, s, "POST", "/V1/api/status", r1Fields("ref_1", "P1"), nil); !strings.HasPrefix(a.data()["msg"].(string), "INQ ") {
		t.Errorf("status of an inquiry = %s, want the INQ msg", a.raw)
	}
	if a := r1Do(t, s, "POST", "/V1/api/payment", r1Fields("product_code", "PLNPASC", "customer_id", "546302219999", "ref_1", "P1"), nil); a.rc() != "30" {
		t.Errorf("payment for another customer = %s, want 30", a.raw)
	}
	if a := pay("P1"); a.rc() != "00" || !strings.HasPrefix(a.data()["msg"].(string), "BAYAR PLNPASC.546302215889 SUKSES") {
		t.Errorf("payment with the inquiry's ref_1 = %s, want success", a.raw)
	}
	if a := pay("P1"); a.rc() != "94" {
		t.Errorf("second payment = %s, want 94", a.raw)
	}
	if a := pay("T1"); a.rc() != "94" {
		t.Errorf("payment under a topup's ref = %s, want 94", a.raw)
	}
	if a := pay("NOINQ"); a.rc() != "25" {
		t.Errorf("payment without inquiry = %s, want 25", a.raw)
	}
	if a := r1Do(t, s, "POST", "/V1/api/history/P1", r1Fields(), nil); !strings.HasPrefix(a.data()["msg"].(string), "BAYAR ") {
		t.Errorf("history of the paid bill = %s", a.raw)
	}
	if a := inq("P2"); a.rc() != "88" {
		t.Errorf("inquiry of a paid bill = %s, want 88", a.raw)
	}
	if s.TransactionCount() != 2 {
		t.Errorf("transactions = %d, want 2", s.TransactionCount())
	}
}

func TestMesinR1InquiryHold(t *testing.T) {
	s, clk := r1NewTest(t, Options{ExpiredRC: "05"})
	inq := func(ref, number string) {
		t.Helper()
		if a := r1Do(t, s, "POST", "/V1/api/inquiry", r1Fields("product_code", "PLNPASC", "customer_id", number, "ref_1", ref), nil); a.rc() != "00" {
			t.Fatal(a.raw)
		}
	}
	pay := func(ref, number string) r1Answer {
		return r1Do(t, s, "POST", "/V1/api/payment", r1Fields("product_code", "PLNPASC", "customer_id", number, "ref_1", ref), nil)
	}
	inq("IN1", "546302211111")
	inq("IN2", "546302212222")
	clk.Advance(15*time.Minute - time.Second)
	if a := pay("IN1", "546302211111"); a.rc() != "00" {
		t.Errorf("payment inside the hold = %s", a.raw)
	}
	clk.Advance(time.Second)
	a := pay("IN2", "546302212222")
	if a.rc() != "05" || a.code != 400 || !strings.Contains(a.env["message"].(string), "KADALUARSA") {
		t.Errorf("payment at the end of the hold = %s, want the configured rc 05", a.raw)
	}
	if tx, _ := s.Transaction("IN2"); tx.Kind != "inquiry" || !tx.Expires.Equal(clk.Now()) {
		t.Errorf("expired inquiry = %+v", tx)
	}
}

func TestMesinR1Settlement(t *testing.T) {
	s, clk := r1NewTest(t, Options{})
	r1SendTopup(t, s, "P1", "TSEL10", "081234561000")
	r1SendTopup(t, s, "P2", "TSEL10", "081234561002")
	if tx, _ := s.Transaction("P1"); tx.Status != 2 {
		t.Errorf("P1 = %+v, want pending", tx)
	}
	if tx, _ := s.Transaction("P2"); tx.Status != 3 {
		t.Errorf("P2 = %+v, want in process", tx)
	}
	clk.Advance(time.Hour)
	a := r1Do(t, s, "POST", "/V1/api/status", r1Fields("ref_1", "P1"), nil)
	if a.data()["status"] != float64(1) || !strings.Contains(a.data()["msg"].(string), "SN:") {
		t.Errorf("P1 after the delay = %s", a.raw)
	}
	if tx, _ := s.Transaction("P2"); tx.Status != 3 {
		t.Errorf("P2 settled by itself: %+v", tx)
	}
	if err := s.Settle("P2", true); err != nil {
		t.Fatal(err)
	}
	if tx, _ := s.Transaction("P2"); tx.Status != 1 || tx.SN == "" {
		t.Errorf("P2 after Settle = %+v", tx)
	}
	if err := s.Settle("P2", false); err == nil {
		t.Error("Settle of a settled transaction succeeded")
	}
	if err := s.Settle("NOPE", true); err == nil {
		t.Error("Settle of an unknown ref succeeded")
	}

	manual, clk2 := r1NewTest(t, Options{SettleDelay: -1})
	r1SendTopup(t, manual, "M1", "TSEL10", "081234561000")
	clk2.Advance(24 * time.Hour)
	if tx, _ := manual.Transaction("M1"); tx.Status != 2 {
		t.Errorf("with a negative SettleDelay M1 = %+v, want still pending", tx)
	}
}

func TestMesinR1Faults(t *testing.T) {
	s, _ := r1NewTest(t, Options{})
	a := r1SendTopup(t, s, "F1", "IS5", "081234569504")
	if a.code != 504 || !strings.Contains(a.hdr.Get("Content-Type"), "text/html") || !strings.Contains(a.raw, "504 Gateway") {
		t.Errorf("9504 = %d %q", a.code, a.raw)
	}
	if tx, ok := s.Transaction("F1"); !ok || tx.Status != 1 {
		t.Errorf("9504 transaction = %+v, %v; want created and successful", tx, ok)
	}
	if a := r1SendTopup(t, s, "F1", "IS5", "081234569504"); a.rc() != "94" {
		t.Errorf("re-send after 9504 = %s, want 94 (faults hit the first send only)", a.raw)
	}
	a = r1SendTopup(t, s, "F2", "IS5", "081234569200")
	if a.code != 200 || json.Valid([]byte(a.raw)) || !strings.HasPrefix(a.raw, `{"status":"success"`) {
		t.Errorf("9200 = %d %q, want truncated JSON", a.code, a.raw)
	}
	a = r1SendTopup(t, s, "F3", "IS5", "081234560068")
	if a.code != 200 || a.rc() != "68" || a.status() != "error" || a.env["data"] != nil {
		t.Errorf("0068 = %s", a.raw)
	}
	if tx, _ := s.Transaction("F3"); tx.Status != 2 {
		t.Errorf("0068 transaction = %+v, want pending", tx)
	}
	a = r1SendTopup(t, s, "F4", "IS5", "081234560092")
	if a.code != 403 || a.rc() != "92" || !strings.Contains(a.env["message"].(string), "Invalid IP") || !strings.Contains(a.env["message"].(string), "IP:192.0.2.1") {
		t.Errorf("0092 = %d %s", a.code, a.raw)
	}
	a = r1SendTopup(t, s, "F5", "IS5", "081234562013")
	if a.status() != "error" || a.rc() != "13" || a.data()["status"] != float64(11) {
		t.Errorf("2013 = %s, want an error envelope with a failed record", a.raw)
	}
	if n := s.TransactionCount(); n != 4 {
		t.Errorf("transactions = %d, want 4 (9504, 9200, 0068, 2013)", n)
	}
}

// TestMesinR1SlowAnswer: the stalled answer returns as soon as the client
// gives up, or when the simulator closes.
func TestMesinR1SlowAnswer(t *testing.T) {
	s, _ := r1NewTest(t, Options{SlowDelay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan r1Answer)
	go func() {
		done <- r1DoCtx(t, ctx, s, "POST", "/V1/api/topup", r1Fields("product_code", "IS5", "customer_id", "081234569408", "ref_1", "SL1"), nil)
	}()
	r1WaitFor(t, func() bool { _, ok := s.Transaction("SL1"); return ok })
	cancel()
	if a := <-done; a.raw != "" {
		t.Errorf("a cancelled request got an answer: %q", a.raw)
	}

	go func() {
		done <- r1Do(t, s, "POST", "/V1/api/topup", r1Fields("product_code", "IS5", "customer_id", "081234569408", "ref_1", "SL2"), nil)
	}()
	r1WaitFor(t, func() bool { _, ok := s.Transaction("SL2"); return ok })
	s.Close()
	<-done

	quick, _ := r1NewTest(t, Options{SlowDelay: time.Millisecond})
	if a := r1SendTopup(t, quick, "SL3", "IS5", "081234569408"); a.rc() != "00" {
		t.Errorf("a patient client gets the answer: %s", a.raw)
	}
}

// r1WaitFor polls cond until it holds or a deadline passes.
func r1WaitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestMesinR1ConcurrentDuplicates(t *testing.T) {
	s, _ := r1NewTest(t, Options{})
	const n = 20
	rcs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { rcs[i] = r1SendTopup(t, s, "SAME", "IS5", "081234567890").rc() })
	}
	wg.Wait()
	count := map[string]int{}
	for _, rc := range rcs {
		count[rc]++
	}
	if count["00"] != 1 || count["94"] != n-1 || s.TransactionCount() != 1 || s.Deposit() != 1_000_000-5500 {
		t.Errorf("rcs %v, %d transactions, deposit %d; want one success", count, s.TransactionCount(), s.Deposit())
	}
}

func TestMesinR1Paging(t *testing.T) {
	s, _ := r1NewTest(t, Options{PerPage: 10})
	a := r1Do(t, s, "POST", "/V1/api/products", r1Fields(), nil)
	meta, _ := a.data()["meta"].(map[string]any)
	links, _ := a.data()["links"].(map[string]any)
	items, _ := a.data()["data"].([]any)
	total := len(r1Catalog)
	last := (total + 9) / 10
	if len(items) != 10 || meta["current_page"] != float64(1) || meta["last_page"] != float64(last) ||
		meta["total"] != float64(total) || meta["per_page"] != float64(10) || meta["from"] != float64(1) || meta["to"] != float64(10) {
		t.Errorf("page 1 = %v items, meta %v", len(items), meta)
	}
	if links["prev"] != nil || links["next"] != "http://example.com/V1/api/products?page=2" {
		t.Errorf("page 1 links = %v", links)
	}
	a = r1Do(t, s, "POST", "/V1/api/products", map[string]any{"mmid": r1TestMMID, "page": last}, nil)
	links, _ = a.data()["links"].(map[string]any)
	items, _ = a.data()["data"].([]any)
	if len(items) != total-(last-1)*10 || links["next"] != nil || links["prev"] == nil {
		t.Errorf("last page = %d items, links %v", len(items), links)
	}
	a = r1Do(t, s, "POST", "/V1/api/products", map[string]any{"mmid": r1TestMMID, "page": "99", "per_page": "5"}, nil)
	items, _ = a.data()["data"].([]any)
	meta, _ = a.data()["meta"].(map[string]any)
	if len(items) != 0 || meta["from"] != nil || meta["current_page"] != float64(99) {
		t.Errorf("page past the end = %s", a.raw)
	}
	// Filters combine.
	a = r1Do(t, s, "POST", "/V1/api/products", map[string]any{"mmid": r1TestMMID, "type": "prabayar", "category": "VOUCHER", "is_open": true}, nil)
	if items, _ = a.data()["data"].([]any); len(items) != 3 {
		t.Errorf("prabayar vouchers = %s", a.raw)
	}

	for i := range 12 {
		r1SendTopup(t, s, fmt.Sprint("H", i), "IS5", "081234567890")
	}
	a = r1Do(t, s, "POST", "/V1/api/history", r1Fields(), nil)
	if rows, ok := a.env["data"].([]any); !ok || len(rows) != 12 {
		t.Errorf("history without page = %.200s, want a flat array of 12", a.raw)
	}
	a = r1Do(t, s, "POST", "/V1/api/history", map[string]any{"mmid": r1TestMMID, "page": 2, "per_page": 5, "status": "1"}, nil)
	meta, _ = a.data()["meta"].(map[string]any)
	if rows, _ := a.data()["data"].([]any); len(rows) != 5 || meta["total"] != float64(12) || meta["last_page"] != float64(3) {
		t.Errorf("history page 2 = %.300s", a.raw)
	}
}

func TestMesinR1Catalog(t *testing.T) {
	codes := map[string]bool{}
	perCategory := map[string]int{}
	operators := map[string]bool{}
	var gangguan, kosong int
	for _, p := range r1Catalog {
		if codes[p.code] {
			t.Errorf("duplicate code %s", p.code)
		}
		codes[p.code] = true
		perCategory[p.category]++
		operators[p.operator] = true
		if p.gangguan {
			gangguan++
		}
		if p.kosong {
			kosong++
		}
		if p.number == nil || (!p.postpaid() && p.sn == nil) {
			t.Errorf("%s has no number rule or SN maker", p.code)
		}
	}
	for _, c := range r1Categories {
		if perCategory[c.Code] == 0 {
			t.Errorf("category %s is empty", c.Code)
		}
	}
	for _, op := range []string{"TELKOMSEL", "INDOSAT", "XL", "AXIS", "TRI", "SMARTFREN", "MOBILE LEGENDS", "FREE FIRE"} {
		if !operators[op] {
			t.Errorf("no products for %s", op)
		}
	}
	if len(r1Catalog) <= 50 || gangguan == 0 || kosong == 0 {
		t.Errorf("%d products, %d gangguan, %d kosong", len(r1Catalog), gangguan, kosong)
	}
}

func TestMesinR1Plan(t *testing.T) {
	tests := []struct {
		number string
		want   r1Plan
	}{
		{"081234560014", r1Plan{'0', "14"}},
		{"081234561000", r1Plan{'1', "00"}},
		{"081234561002", r1Plan{'1', "02"}},
		{"081234569504", r1Plan{'9', "504"}},
		{"123456789|0103", r1Plan{'0', "103"}},
		{"123", r1Plan{}},
	}
	for _, tt := range tests {
		if got := r1PlanFor(tt.number); got != tt.want {
			t.Errorf("r1PlanFor(%q) = %+v, want %+v", tt.number, got, tt.want)
		}
	}
}

func TestMesinR1LogsNoKey(t *testing.T) {
	var logs bytes.Buffer
	s, _ := r1NewTest(t, Options{Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	r1SendTopup(t, s, "L1", "IS5", "081234567890")
	r1Do(t, s, "POST", "/V1/api/balance", r1Fields(), map[string]string{"rqid": "wrong"})
	out := logs.String()
	if !strings.Contains(out, `"ref_1":"L1"`) || !strings.Contains(out, `"component":"sandbox.mesinr1"`) {
		t.Errorf("log = %s", out)
	}
	if strings.Contains(out, r1TestKey) {
		t.Error("the log contains the api key")
	}
}

// SettleAfter gives each pending topup its own delay, with SettleDelay's
// meaning; OnSettle hears of every final state with the moment it fell
// due — not the later look that found it — or the moment of Settle, or of
// the answer for a topup final at once.
func TestMesinR1SettleAfterAndOnSettle(t *testing.T) {
	settled := map[string]time.Time{}
	s, clk := r1NewTest(t, Options{
		SettleAfter: func(ref string) time.Duration {
			return map[string]time.Duration{"A10": 10 * time.Second, "A20": 20 * time.Second, "AN": -1}[ref]
		},
		// Synchronous, under the simulator's lock: no map lock needed.
		OnSettle: func(ref string, at time.Time) { settled[ref] = at },
	})
	start := clk.Now()
	for _, ref := range []string{"A10", "A20", "AN"} {
		r1SendTopup(t, s, ref, "TSEL10", "081234561000")
	}
	r1SendTopup(t, s, "NOW", "TSEL10", "081234567890") // success at once
	if at, ok := settled["NOW"]; !ok || !at.Equal(start) || len(settled) != 1 {
		t.Fatalf("after the topups: %v", settled)
	}
	clk.Advance(15 * time.Second)
	if tx, _ := s.Transaction("A10"); tx.Status != 1 {
		t.Fatalf("A10 after its delay = %+v", tx)
	}
	if tx, _ := s.Transaction("A20"); tx.Status != 2 {
		t.Fatalf("A20 before its delay = %+v", tx)
	}
	clk.Advance(time.Hour) // found long after it fell due
	if tx, _ := s.Transaction("A20"); tx.Status != 1 {
		t.Fatalf("A20 after its delay = %+v", tx)
	}
	if tx, _ := s.Transaction("AN"); tx.Status != 2 {
		t.Fatalf("AN settled by itself: %+v", tx)
	}
	if err := s.Settle("AN", true); err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{"NOW": start, "A10": start.Add(10 * time.Second), "A20": start.Add(20 * time.Second),
		"AN": start.Add(time.Hour + 15*time.Second)}
	for ref, at := range want {
		if !settled[ref].Equal(at) {
			t.Errorf("%s reported settled at +%s, want +%s", ref, settled[ref].Sub(start), at.Sub(start))
		}
	}
	if len(settled) != len(want) {
		t.Errorf("reported %v", settled)
	}
}
