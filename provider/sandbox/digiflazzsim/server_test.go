package digiflazzsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests speak to the simulator in Digiflazz's wire format directly,
// without the client: the simulator is a reading of the documents of its
// own.

const (
	user = "demouser"
	key  = "dev-0123456789abcdef"
)

type rig struct {
	t   *testing.T
	s   *Server
	url string
	now time.Time
	mu  sync.Mutex
}

func newRig(t *testing.T, opts Options) *rig {
	t.Helper()
	r := &rig{t: t, now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	opts.Username, opts.APIKey = user, key
	if opts.Now == nil {
		opts.Now = r.clock
	}
	if opts.Settle == 0 {
		opts.Settle = -1
	}
	r.s = New(opts)
	srv := httptest.NewServer(r.s)
	t.Cleanup(srv.Close)
	t.Cleanup(r.s.Close)
	r.url = srv.URL + "/v1/"
	return r
}

func (r *rig) clock() time.Time { r.mu.Lock(); defer r.mu.Unlock(); return r.now }
func (r *rig) advance(d time.Duration) {
	r.mu.Lock()
	r.now = r.now.Add(d)
	r.mu.Unlock()
}

// post sends body to endpoint and returns the HTTP status and the data
// member.
func (r *rig) post(endpoint string, body map[string]any) (int, json.RawMessage) {
	r.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(r.url+endpoint, "application/json", bytes.NewReader(b))
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		r.t.Fatalf("%s: %s", endpoint, raw)
	}
	return resp.StatusCode, env.Data
}

type answer struct {
	RefID      string `json:"ref_id"`
	CustomerNo string `json:"customer_no"`
	SKU        string `json:"buyer_sku_code"`
	Status     string `json:"status"`
	RC         string `json:"rc"`
	SN         string `json:"sn"`
	Saldo      int64  `json:"buyer_last_saldo"`
	Price      int64  `json:"price"`
	Message    string `json:"message"`
	// postpaid
	CustomerName string `json:"customer_name"`
	Admin        int64  `json:"admin"`
	SellingPrice int64  `json:"selling_price"`
	Deposit      int64  `json:"deposit"`
}

func (r *rig) data(endpoint string, body map[string]any) answer {
	r.t.Helper()
	_, raw := r.post(endpoint, body)
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		r.t.Fatalf("%s: %s", endpoint, raw)
	}
	return a
}

func topUp(ref, sku, number string) map[string]any {
	return map[string]any{"username": user, "buyer_sku_code": sku, "customer_no": number, "ref_id": ref, "sign": sign(user, key, ref), "testing": true}
}

func TestSignVectors(t *testing.T) {
	for x, want := range map[string]string{
		"some1d":    "5643ee984a68fdd8f55b1c8bee3aa855",
		"depo":      "8be66b0daa1ba72a266aec4df6536f39",
		"pricelist": "89575845b9afb4bdb0f5f45c8de67658",
	} {
		if got := sign(user, key, x); got != want {
			t.Errorf("sign(%q) = %s, want %s", x, got, want)
		}
	}
	if got := Signature("somesecret", []byte(`{"data":{"ref_id":"some1d","status":"Sukses"}}`)); got != "sha1=631ca5acb1d07a21286b6b44373d074be4afd401" {
		t.Errorf("Signature = %s", got)
	}
}

func TestBalanceAndAuth(t *testing.T) {
	r := newRig(t, Options{Deposit: 777})
	if a := r.data("cek-saldo", map[string]any{"cmd": "deposit", "username": user, "sign": sign(user, key, "depo")}); a.Deposit != 777 {
		t.Errorf("deposit %+v", a)
	}
	if a := r.data("cek-saldo", map[string]any{"cmd": "deposit", "username": user, "sign": sign(user, "wrong", "depo")}); a.RC != "41" {
		t.Errorf("wrong sign: %+v", a)
	}
	if a := r.data("cek-saldo", map[string]any{"cmd": "deposit", "username": "nobody", "sign": sign("nobody", key, "depo")}); a.RC != "42" {
		t.Errorf("unknown user: %+v", a)
	}
	body := topUp("R1", "xld10", "087800001230")
	body["sign"] = sign(user, key, "R2") // signed for another ref
	if a := r.data("transaction", body); a.RC != "41" || a.Status != StatusFailed {
		t.Errorf("transaction with a wrong sign: %+v", a)
	}
	if _, ok := r.s.Transaction("R1"); ok || r.s.Requests("R1") != 1 {
		t.Error("a refused request created a transaction, or was not counted")
	}
	resp, err := http.Post(r.url+"transaction", "application/json", bytes.NewReader([]byte("not json")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("not json: http %d", resp.StatusCode)
	}
}

func TestTestNumbers(t *testing.T) {
	r := newRig(t, Options{})
	start := r.s.Deposit()
	for _, tc := range []struct {
		number, first, rc string
	}{
		{"087800001230", StatusSuccess, "00"},
		{"087800001232", StatusFailed, "02"},
		{"087800001233", StatusPending, "03"},
		{"087800001234", StatusPending, "03"},
		{"081299998888", StatusSuccess, "00"},
	} {
		a := r.data("transaction", topUp("R"+tc.number, "xld10", tc.number))
		if a.Status != tc.first || a.RC != tc.rc || a.RefID != "R"+tc.number || a.SKU != "xld10" || a.CustomerNo != tc.number {
			t.Errorf("%s: %+v", tc.number, a)
		}
		if (a.Status == StatusSuccess) != (a.SN != "") {
			t.Errorf("%s: SN %q", tc.number, a.SN)
		}
	}
	// Two successes and two pendings are charged; the failure was refunded.
	if got, want := r.s.Deposit(), start-4*10_125; got != want {
		t.Errorf("deposit %d, want %d", got, want)
	}
	for number, want := range map[string]string{"087800001233": StatusSuccess, "087800001234": StatusFailed} {
		if err := r.s.Settle("R" + number); err != nil {
			t.Fatal(err)
		}
		if tx, _ := r.s.Transaction("R" + number); tx.Status != want || tx.Settled.IsZero() {
			t.Errorf("%s settled %+v", number, tx)
		}
	}
	if got, want := r.s.Deposit(), start-3*10_125; got != want {
		t.Errorf("deposit after settling %d, want %d", got, want)
	}
	if err := r.s.Settle("R087800001230"); err == nil {
		t.Error("settled a transaction that is not pending")
	}
}

func TestReSend(t *testing.T) {
	r := newRig(t, Options{})
	first := r.data("transaction", topUp("R1", "xld10", "087800001233"))
	deposit := r.s.Deposit()
	again := r.data("transaction", topUp("R1", "xld10", "087800001233"))
	if again != first || r.s.Deposit() != deposit {
		t.Errorf("same re-send %+v, want %+v; deposit %d, want %d", again, first, r.s.Deposit(), deposit)
	}
	for name, change := range map[string]func(map[string]any){
		"sku":       func(b map[string]any) { b["buyer_sku_code"] = "tsel10" },
		"number":    func(b map[string]any) { b["customer_no"] = "087800001230" },
		"max_price": func(b map[string]any) { b["max_price"] = 20_000 },
		"testing":   func(b map[string]any) { delete(b, "testing") },
	} {
		body := topUp("R1", "xld10", "087800001233")
		change(body)
		if a := r.data("transaction", body); a.RC != "49" || a.Status != StatusFailed {
			t.Errorf("%s differs: %+v, want rc 49", name, a)
		}
	}
	if tx, _ := r.s.Transaction("R1"); tx.Status != StatusPending || tx.SKU != "xld10" || r.s.Deposit() != deposit {
		t.Errorf("a differing re-send changed %+v", tx)
	}
	if n := r.s.Requests("R1"); n != 6 {
		t.Errorf("%d requests, want 6", n)
	}
}

func TestRefusalsCreateNothing(t *testing.T) {
	r := newRig(t, Options{Deposit: 15_000})
	for _, tc := range []struct {
		body map[string]any
		rc   string
	}{
		{topUp("R1", "nope", "087800001230"), "43"},
		{topUp("R1", "oldtsel1", "087800001230"), "43"},
		{func() map[string]any { b := topUp("R1", "xld10", "087800001230"); b["max_price"] = 10_124; return b }(), "69"},
		{topUp("R1", "tseldata2", "087800001230"), "44"},
		{map[string]any{"username": user, "ref_id": "R1", "sign": sign(user, key, "R1")}, "40"},
	} {
		if a := r.data("transaction", tc.body); a.RC != tc.rc || a.Status != StatusFailed || a.Price != 0 {
			t.Errorf("%v: %+v, want rc %s", tc.body, a, tc.rc)
		}
	}
	if _, ok := r.s.Transaction("R1"); ok || r.s.Deposit() != 15_000 {
		t.Errorf("created or charged: deposit %d", r.s.Deposit())
	}
	// Refused, the ref is judged afresh: at the price it goes through.
	body := topUp("R1", "xld10", "087800001230")
	body["max_price"] = 10_125
	if a := r.data("transaction", body); a.Status != StatusSuccess {
		t.Errorf("at the price: %+v", a)
	}
}

func TestConcurrentSendsChargeOnce(t *testing.T) {
	r := newRig(t, Options{})
	start := r.s.Deposit()
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _ := json.Marshal(topUp("R1", "xld10", "087800001233"))
			resp, err := http.Post(r.url+"transaction", "application/json", bytes.NewReader(b))
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	if got := r.s.Deposit(); got != start-10_125 {
		t.Errorf("deposit %d, want %d", got, start-10_125)
	}
}

func TestPriceListRateLimit(t *testing.T) {
	r := newRig(t, Options{})
	list := func(cmd string, extra map[string]any) json.RawMessage {
		body := map[string]any{"cmd": cmd, "username": user, "sign": sign(user, key, "pricelist")}
		for k, v := range extra {
			body[k] = v
		}
		_, raw := r.post("price-list", body)
		return raw
	}
	isList := func(raw json.RawMessage) bool { return len(raw) > 0 && raw[0] == '[' }
	if raw := list("prepaid", nil); !isList(raw) {
		t.Fatalf("first: %s", raw)
	}
	var refusal answer
	if raw := list("prepaid", nil); isList(raw) || json.Unmarshal(raw, &refusal) != nil || refusal.RC != "83" {
		t.Fatalf("again: %s", raw)
	}
	if raw := list("pasca", nil); !isList(raw) {
		t.Errorf("pasca is limited apart: %s", raw)
	}
	var rows []map[string]any
	if raw := list("prepaid", map[string]any{"category": "PLN"}); json.Unmarshal(raw, &rows) != nil || len(rows) != 2 {
		t.Errorf("filtered: %s", raw)
	}
	r.advance(5 * time.Minute)
	if raw := list("prepaid", nil); !isList(raw) {
		t.Errorf("five minutes on: %s", raw)
	}
}

func TestSettlementWebhook(t *testing.T) {
	type delivery struct {
		header http.Header
		body   []byte
	}
	got := make(chan delivery, 2)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		got <- delivery{req.Header.Clone(), b}
	}))
	defer hook.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		got <- delivery{req.Header.Clone(), append([]byte("cb_url:"), b...)}
	}))
	defer other.Close()
	settled := make(chan string, 2)
	r := newRig(t, Options{Settle: time.Millisecond, WebhookURL: hook.URL, WebhookSecret: "somesecret",
		OnSettle: func(ref, status string, at time.Time) { settled <- ref + " " + status + " " + at.Format(time.RFC3339) }})
	r.data("transaction", topUp("R1", "xld10", "087800001234"))
	if s := <-settled; s != "R1 Gagal 2026-11-23T10:00:00Z" {
		t.Errorf("OnSettle %q", s)
	}
	d := <-got
	if d.header.Get("X-Digiflazz-Event") != "update" || d.header.Get("User-Agent") != "Digiflazz-Hookshot" ||
		d.header.Get("X-Hub-Signature") != Signature("somesecret", d.body) {
		t.Errorf("headers %v", d.header)
	}
	var env struct{ Data answer }
	if err := json.Unmarshal(d.body, &env); err != nil || env.Data.RefID != "R1" || env.Data.Status != StatusFailed || env.Data.RC != "02" {
		t.Errorf("body %s", d.body)
	}
	// A request's cb_url is where its webhook goes.
	body := topUp("R2", "xld10", "087800001233")
	body["cb_url"] = other.URL
	r.data("transaction", body)
	<-settled
	if d := <-got; !bytes.HasPrefix(d.body, []byte("cb_url:")) {
		t.Errorf("webhook went to %s", d.body)
	}
}

func TestPostpaid(t *testing.T) {
	r := newRig(t, Options{})
	start := r.s.Deposit()
	cmd := func(command, ref, sku, number string) answer {
		return r.data("transaction", map[string]any{"commands": command, "username": user, "buyer_sku_code": sku,
			"customer_no": number, "ref_id": ref, "sign": sign(user, key, ref), "testing": true})
	}
	if a := cmd("status-pasca", "B1", "pln", "530000000001"); a.RC != "50" {
		t.Errorf("status before inquiry: %+v", a)
	}
	inq := cmd("inq-pasca", "B1", "pln", "530000000001")
	if inq.RC != "00" || inq.CustomerName == "" || inq.Admin != 2_500 || inq.SellingPrice != 152_500 || inq.Price != 152_000 {
		t.Fatalf("inquiry %+v", inq)
	}
	if a := cmd("inq-pasca", "B1", "pln", "530000000009"); a.RC != "49" {
		t.Errorf("differing inquiry under the ref: %+v", a)
	}
	if a := cmd("status-pasca", "B1", "pln", "530000000001"); a.RC != "50" {
		t.Errorf("status before payment: %+v", a)
	}
	pay := cmd("pay-pasca", "B1", "pln", "530000000001")
	if pay.Status != StatusSuccess || pay.SN == "" || r.s.Deposit() != start-152_000 {
		t.Errorf("pay %+v, deposit %d", pay, r.s.Deposit())
	}
	if a := cmd("pay-pasca", "B1", "pln", "530000000001"); a.Status != StatusSuccess || r.s.Deposit() != start-152_000 {
		t.Errorf("paying again charged or changed: %+v", a)
	}
	if a := cmd("status-pasca", "B1", "pln", "530000000001"); a.Status != StatusSuccess || a.SN != pay.SN {
		t.Errorf("status after payment: %+v", a)
	}
	cmd("inq-pasca", "B2", "bpjs", "8801234560002")
	if a := cmd("pay-pasca", "B2", "bpjs", "8801234560002"); a.Status != StatusFailed || r.s.Deposit() != start-152_000 {
		t.Errorf("failing payment %+v, deposit %d", a, r.s.Deposit())
	}
	if a := cmd("inq-pasca", "B3", "pln", "530000000003"); a.RC != "60" || a.Status != StatusFailed {
		t.Errorf("no bill: %+v", a)
	}
	if a := cmd("pay-pasca", "B3", "pln", "530000000003"); a.RC != "50" {
		t.Errorf("paying without inquiry: %+v", a)
	}
	if a := r.data("transaction", topUp("B1", "xld10", "087800001230")); a.RC != "49" {
		t.Errorf("top-up under a bill's ref: %+v", a)
	}
}

func TestInquiryPLN(t *testing.T) {
	r := newRig(t, Options{})
	q := func(no string) map[string]any {
		return map[string]any{"username": user, "customer_no": no, "sign": sign(user, key, no)}
	}
	_, raw := r.post("inquiry-pln", q("12345678901"))
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil || got["rc"] != "00" || got["name"] != "SINTYA OKTAVIANI" || got["meter_no"] != "12345678901" {
		t.Errorf("%s", raw)
	}
	for no, rc := range map[string]string{"12345679999": "54", "123": "57"} {
		if a := r.data("inquiry-pln", q(no)); a.RC != rc || a.Status != StatusFailed {
			t.Errorf("%s: %+v, want rc %s", no, a, rc)
		}
	}
}

func TestCloseStopsSettlement(t *testing.T) {
	r := newRig(t, Options{Settle: time.Hour})
	r.data("transaction", topUp("R1", "xld10", "087800001233"))
	r.s.Close()
	if err := r.s.Settle("R1"); err != ErrClosed {
		t.Errorf("Settle after Close: %v", err)
	}
}

func TestOnSettleForImmediateFinals(t *testing.T) {
	var mu sync.Mutex
	var got []string
	r := newRig(t, Options{OnSettle: func(ref, status string, at time.Time) {
		mu.Lock()
		got = append(got, ref+" "+status)
		mu.Unlock()
	}})
	r.data("transaction", topUp("R1", "xld10", "087800001230"))
	r.data("transaction", topUp("R2", "xld10", "087800001232"))
	r.data("transaction", topUp("R3", "xld10", "087800001233")) // pending: not yet
	r.data("transaction", topUp("R1", "xld10", "087800001230")) // a re-send settles nothing again
	mu.Lock()
	defer mu.Unlock()
	if want := "R1 Sukses|R2 Gagal"; strings.Join(got, "|") != want {
		t.Errorf("OnSettle calls %q, want %q", got, want)
	}
}

// SettleAfter gives each pending transaction its own delay, by ref.
func TestSettleAfter(t *testing.T) {
	settled := make(chan string, 2)
	asked := make(chan string, 2)
	r := newRig(t, Options{
		SettleAfter: func(ref string) time.Duration {
			asked <- ref
			if ref == "LATE" {
				return time.Hour
			}
			return time.Millisecond
		},
		OnSettle: func(ref, status string, at time.Time) { settled <- ref + " " + status },
	})
	r.data("transaction", topUp("LATE", "xld10", "087800001233"))
	r.data("transaction", topUp("SOON", "xld10", "087800001233"))
	if a, b := <-asked, <-asked; a != "LATE" || b != "SOON" {
		t.Errorf("SettleAfter asked for %s, %s", a, b)
	}
	select {
	case got := <-settled:
		if got != "SOON Sukses" {
			t.Errorf("settled %q first, want SOON", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("SOON never settled")
	}
	if tx, _ := r.s.Transaction("LATE"); tx.Status != StatusPending {
		t.Errorf("LATE is %s before its hour", tx.Status)
	}
}
