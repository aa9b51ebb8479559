package iak

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
)

const (
	testUser = "081234567890"
	testKey  = "5f2b1c0e9a7d4e3b"
)

// canned is a fake IAK that answers every request with reply and records
// what was asked.
type canned struct {
	mu    sync.Mutex
	reqs  []cannedReq
	reply func(path string, body map[string]any) (status int, answer string)
}

type cannedReq struct {
	path string
	body map[string]any
}

func (c *canned) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	c.mu.Lock()
	c.reqs = append(c.reqs, cannedReq{r.URL.Path, body})
	c.mu.Unlock()
	status, answer := c.reply(r.URL.Path, body)
	w.WriteHeader(status)
	_, _ = io.WriteString(w, answer)
}

func (c *canned) requests() []cannedReq {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]cannedReq(nil), c.reqs...)
}

func newCanned(t *testing.T, reply func(path string, body map[string]any) (int, string)) (*Client, *canned) {
	t.Helper()
	fake := &canned{reply: reply}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := New(Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: testUser, APIKey: testKey,
		HTTPClient: &http.Client{Timeout: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return c, fake
}

func order(ref string) flows.OrderRequest {
	return flows.OrderRequest{RefID: ref, ProductCode: "htelkomsel10000", CustomerNumber: "081212345678"}
}

func TestNewValidates(t *testing.T) {
	_, err := New(Config{})
	if err == nil || !strings.Contains(err.Error(), "username") || !strings.Contains(err.Error(), "api key") {
		t.Fatalf("New(empty) = %v, want every problem named", err)
	}
	c, err := New(Config{Username: "u", APIKey: "secret-key"})
	if err != nil {
		t.Fatal(err)
	}
	if c.prepaidURL != ProductionPrepaidURL || c.postpaidURL != ProductionPostpaidURL {
		t.Errorf("defaults %s %s, want production", c.prepaidURL, c.postpaidURL)
	}
	if strings.Contains(c.String(), "secret-key") || strings.Contains(c.Account().String(), "secret-key") {
		t.Error("the api key leaks through String")
	}
	if a := c.Account(); a.Provider != "iak" || a.ID != "u" || a.KeyHash != flows.KeyFingerprint("secret-key") {
		t.Errorf("Account() = %+v", a)
	}
}

// TestPlaceRequest checks the top-up body field by field, sign included.
func TestPlaceRequest(t *testing.T) {
	c, fake := newCanned(t, func(string, map[string]any) (int, string) {
		return 200, `{"data":{"ref_id":"ORDER001","status":0,"product_code":"htelkomsel10000","customer_id":"081212345678","price":10850,"message":"PROCESS","balance":997061249,"tr_id":3482,"rc":"39"}}`
	})
	r, err := c.Place(context.Background(), order("ORDER001"))
	if err != nil {
		t.Fatal(err)
	}
	want := flows.Result{Status: flows.StatusPending, Price: 10850, ProviderTxID: "3482", Acknowledged: true,
		RC: "39", Message: "PROCESS", Balance: 997061249, BalanceKnown: true}
	if r != want {
		t.Errorf("Place = %+v\nwant    %+v", r, want)
	}
	reqs := fake.requests()
	if len(reqs) != 1 || reqs[0].path != "/api/top-up" {
		t.Fatalf("requests %+v", reqs)
	}
	b := reqs[0].body
	if b["username"] != testUser || b["ref_id"] != "ORDER001" || b["customer_id"] != "081212345678" ||
		b["product_code"] != "htelkomsel10000" || b["sign"] != sign(testUser, testKey, "ORDER001") {
		t.Errorf("top-up body %v", b)
	}
}

// TestDecodingQuirks: numbers as strings and decimals, v1 keys, tr_id as a
// string — all read the same.
func TestDecodingQuirks(t *testing.T) {
	bodies := []string{
		`{"data":{"ref_id":"R1","status":1,"product_code":"x","customer_id":"0812","price":25000,"message":"SUCCESS","sn":"SN1","balance":1000,"tr_id":77,"rc":"00"}}`,
		`{"data":{"ref_id":"R1","status":"1","code":"x","hp":"0812","price":"25000","message":"SUCCESS","sn":"SN1","balance":"1000","tr_id":"77","rc":"00"}}`,
		`{"data":{"ref_id":"R1","status":1.0,"product_code":"x","customer_id":"0812","price":25000.00,"message":"SUCCESS","sn":"SN1","balance":1000.0,"tr_id":77.0,"rc":"00"}}`,
		`{"data":{"ref_id":"R1","status":"1","price":"25000.00","message":"SUCCESS","sn":"SN1","balance":"1000","tr_id":"77","response_code":"00"}}`,
	}
	for i, body := range bodies {
		c, _ := newCanned(t, func(string, map[string]any) (int, string) { return 200, body })
		r, err := c.Check(context.Background(), flows.OrderRequest{RefID: "R1", Acknowledged: true})
		if err != nil {
			t.Errorf("body %d: %v", i, err)
			continue
		}
		if r.Status != flows.StatusSuccess || r.Price != 25000 || r.Balance != 1000 || r.ProviderTxID != "77" || r.SN != "SN1" {
			t.Errorf("body %d: %+v", i, r)
		}
	}
}

// TestGarbageIsUnknown: DESIGN rule 3. Nothing that is not a readable IAK
// answer may fail an order, on a first send or on a check.
func TestGarbageIsUnknown(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"502", 502, `{"data":{"rc":"14","status":2}}`},
		{"504 html", 504, `<html><head><title>504 Gateway Time-out</title></head><body>nginx</body></html>`},
		{"200 html", 200, `<!DOCTYPE html><html><body>Maintenance</body></html>`},
		{"truncated", 200, `{"data":{"ref_id":"R1","status":2,"rc":"1`},
		{"empty", 200, ``},
		{"no data", 200, `{"message":"ok"}`},
		{"null data", 200, `{"data":null}`},
		{"wrong types", 200, `{"data":{"ref_id":"R1","status":{"x":1},"rc":"14"}}`},
		{"price with a fraction", 200, `{"data":{"ref_id":"R1","status":2,"price":"25000.5","rc":"14"}}`},
		{"404", 404, `Not Found`},
		{"400 without body", 400, ``},
	}
	for _, tt := range tests {
		c, _ := newCanned(t, func(string, map[string]any) (int, string) { return tt.status, tt.body })
		for _, call := range []struct {
			name string
			fn   func() (flows.Result, error)
		}{
			{"place", func() (flows.Result, error) { return c.Place(context.Background(), order("R1")) }},
			{"re-send", func() (flows.Result, error) { return c.Check(context.Background(), order("R1")) }},
			{"check-status", func() (flows.Result, error) {
				return c.Check(context.Background(), flows.OrderRequest{RefID: "R1", Acknowledged: true})
			}},
		} {
			r, err := call.fn()
			if flows.KindOf(err) != flows.KindUnknown {
				t.Errorf("%s/%s: got %+v, %v; want unknown", tt.name, call.name, r, err)
			}
		}
	}
}

// TestTimeoutIsUnknown: the client gives up before IAK answers.
func TestTimeoutIsUnknown(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c, err := New(Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: testUser, APIKey: testKey,
		HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Place(context.Background(), order("R1"))
	if flows.KindOf(err) != flows.KindUnknown {
		t.Fatalf("timeout: %v, want unknown", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Check(ctx, order("R1"))
	if flows.KindOf(err) != flows.KindUnknown {
		t.Fatalf("cancelled: %v, want unknown", err)
	}
}

// A 400 with a readable IAK body is a validation answer: the rc decides.
func TestBadRequestWithBody(t *testing.T) {
	c, _ := newCanned(t, func(string, map[string]any) (int, string) {
		return 400, `{"data":{"rc":"14","message":"INCORRECT DESTINATION NUMBER","error_details":{"customer_id":["invalid"]}}}`
	})
	_, err := c.Place(context.Background(), order("R1"))
	if flows.KindOf(err) != flows.KindRejected || flows.ReasonOf(err) != flows.ReasonWrongNumber {
		t.Fatalf("got %v, want rejected/wrong number", err)
	}
}

// TestCheckRoutes: an unacknowledged order is re-sent as the identical
// top-up; an acknowledged one is asked with check-status; rc 06 there is
// "not found", never a failure.
func TestCheckRoutes(t *testing.T) {
	c, fake := newCanned(t, func(path string, _ map[string]any) (int, string) {
		if path == "/api/check-status" {
			return 200, `{"data":{"ref_id":"R1","status":2,"message":"TRANSACTION NOT FOUND","rc":"06"}}`
		}
		return 200, `{"data":{"ref_id":"R1","status":0,"message":"PROCESS","tr_id":9,"rc":"39"}}`
	})
	r, err := c.Check(context.Background(), order("R1"))
	if err != nil || r.Status != flows.StatusPending || !r.Acknowledged {
		t.Fatalf("re-send: %+v %v", r, err)
	}
	_, err = c.Check(context.Background(), flows.OrderRequest{RefID: "R1", Acknowledged: true, ProviderTxID: "9"})
	if flows.KindOf(err) != flows.KindNotFound {
		t.Fatalf("check-status 06: %v, want not found", err)
	}
	reqs := fake.requests()
	if len(reqs) != 2 || reqs[0].path != "/api/top-up" || reqs[1].path != "/api/check-status" {
		t.Fatalf("paths %+v", reqs)
	}
	if reqs[0].body["ref_id"] != "R1" || reqs[0].body["product_code"] != "htelkomsel10000" {
		t.Errorf("re-send is not the identical order: %v", reqs[0].body)
	}
	if reqs[1].body["sign"] != sign(testUser, testKey, "R1") || reqs[1].body["product_code"] != nil {
		t.Errorf("check-status body %v", reqs[1].body)
	}
}

func TestPricelistShapes(t *testing.T) {
	item := `{"product_code":"htelkomsel10000","product_description":"Telkomsel","product_nominal":"10000","product_details":"-","product_price":10850,"product_type":"pulsa","active_period":"30","status":"active","icon_url":"-","product_category":"pulsa"}`
	for _, body := range []string{
		`{"data":[` + item + `]}`,
		`{"data":{"pricelist":[` + item + `],"rc":"00","message":"SUCCESS"}}`,
	} {
		c, fake := newCanned(t, func(string, map[string]any) (int, string) { return 200, body })
		items, err := c.Pricelist(context.Background(), "pulsa", "telkomsel", PricelistActive)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].Code != "htelkomsel10000" || items[0].Price != 10850 || !items[0].Active {
			t.Errorf("items %+v", items)
		}
		req := fake.requests()[0]
		if req.path != "/api/pricelist/pulsa/telkomsel" || req.body["sign"] != sign(testUser, testKey, "pl") || req.body["status"] != "active" {
			t.Errorf("request %+v", req)
		}
	}
	c, _ := newCanned(t, func(string, map[string]any) (int, string) {
		return 200, `{"data":{"rc":"204","message":"WRONG AUTHENTICATION"}}`
	})
	if _, err := c.Pricelist(context.Background(), "", "", ""); flows.KindOf(err) != flows.KindMisconfigured {
		t.Errorf("pricelist with a bad sign: %v, want misconfigured", err)
	}
	if _, err := c.Pricelist(context.Background(), "", "telkomsel", ""); err == nil {
		t.Error("an operator without a type must be refused")
	}
}

func TestProductMapping(t *testing.T) {
	tests := []struct {
		item PricelistItem
		want flows.Product
		ok   bool
	}{
		{PricelistItem{Code: "htelkomsel10000", Description: "Telkomsel", Nominal: "10000", Price: 10850, Type: "pulsa", Active: true},
			flows.Product{Code: "htelkomsel10000", Name: "Telkomsel 10.000", Category: flows.CategoryPulsa, Brand: "Telkomsel", Price: 10850, Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone, Type: flows.TypeTopUp}, true},
		{PricelistItem{Code: "hpln20000", Description: "PLN", Nominal: "20000", Price: 20500, Type: "pln", Active: false},
			flows.Product{Code: "hpln20000", Name: "PLN 20.000", Category: flows.CategoryPLN, Brand: "PLN", Price: 20500, Kind: flows.Prepaid, Number: flows.NumberPLNMeter, Type: flows.TypePLNToken}, true},
		{PricelistItem{Code: "hmobilelegend110", Description: "Mobile Legend", Nominal: "110 Diamonds", Price: 30000, Type: "game", Active: true},
			flows.Product{Code: "hmobilelegend110", Name: "Mobile Legend 110 Diamonds", Category: flows.CategoryGame, Brand: "Mobile Legend", Price: 30000, Kind: flows.Prepaid, Available: true, Number: flows.NumberGameID, NumberFormat: "{userid}|{zoneid}", Type: flows.TypeTopUp}, true},
		{PricelistItem{Code: "hgoogleplay20", Description: "Google Play", Nominal: "Google Play 20.000", Price: 20000, Type: "game", Active: true},
			flows.Product{Code: "hgoogleplay20", Name: "Google Play 20.000", Category: flows.CategoryGame, Brand: "Google Play", Price: 20000, Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone, Type: flows.TypeVoucher}, true},
		{PricelistItem{Code: "hdana50", Description: "DANA", Nominal: "50000", Price: 50500, Type: "etoll", Active: true},
			flows.Product{Code: "hdana50", Name: "DANA 50.000", Category: flows.CategoryEMoney, Brand: "DANA", Price: 50500, Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone, Type: flows.TypeTopUp}, true},
		{PricelistItem{Code: "alfamart100", Description: "Alfamart Voucher", Nominal: "Voucher Alfamart Rp 100.000", Price: 99000, Type: "voucher", Active: true},
			flows.Product{Code: "alfamart100", Name: "Voucher Alfamart Rp 100.000", Category: flows.CategoryVoucher, Brand: "Alfamart Voucher", Price: 99000, Kind: flows.Prepaid, Available: true, Number: flows.NumberAny, Type: flows.TypeVoucher}, true},
		{PricelistItem{Code: "esimjapan3gb", Description: "eSIM Japan", Nominal: "3 GB / 7 Hari", Price: 65000, Type: "esim-international", Active: true},
			flows.Product{Code: "esimjapan3gb", Name: "eSIM Japan 3 GB / 7 Hari", Category: flows.CategoryESIM, Brand: "eSIM Japan", Price: 65000, Kind: flows.Prepaid, Available: true, Number: flows.NumberAny, Type: flows.TypeESIM}, true},
		{PricelistItem{Code: "malaysia10", Description: "Malaysia Topup", Nominal: "10", Type: "malaysia"}, flows.Product{}, false},
	}
	for _, tt := range tests {
		got, ok := prepaidProduct(tt.item)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v %v\nwant %+v %v", tt.item.Code, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBalance(t *testing.T) {
	for _, body := range []string{
		`{"data":{"balance":997136249,"message":"SUCCESS","rc":"00"}}`,
		`{"data":{"balance":"997136249"}}`, // v1 legacy shape
	} {
		c, fake := newCanned(t, func(string, map[string]any) (int, string) { return 200, body })
		got, err := c.Balance(context.Background())
		if err != nil || got != 997136249 {
			t.Errorf("Balance = %d, %v", got, err)
		}
		if req := fake.requests()[0]; req.path != "/api/check-balance" || req.body["sign"] != sign(testUser, testKey, "bl") {
			t.Errorf("request %+v", req)
		}
	}
	c, _ := newCanned(t, func(string, map[string]any) (int, string) {
		return 200, `{"data":{"rc":"102","message":"INVALID IP ADDRESS"}}`
	})
	if _, err := c.Balance(context.Background()); flows.KindOf(err) != flows.KindMisconfigured {
		t.Errorf("balance from a wrong IP: %v, want misconfigured", err)
	}
	c, _ = newCanned(t, func(string, map[string]any) (int, string) { return 200, `{"data":{"message":"SUCCESS","rc":"00"}}` })
	if _, err := c.Balance(context.Background()); flows.KindOf(err) != flows.KindUnknown {
		t.Errorf("balance without a balance: %v, want unknown", err)
	}
}

func TestProductNameEdges(t *testing.T) {
	tests := []struct {
		desc, nominal, want string
	}{
		{"", "10000", "10.000"},
		{"   ", "Data 1GB", "Data 1GB"},
		{"Telkomsel", "", "Telkomsel"},
		{"Telkomsel", "-", "Telkomsel"},
		{"XL", "Data 10GB / 30 Hari", "XL Data 10GB / 30 Hari"},
	}
	for _, tt := range tests {
		if got := productName(PricelistItem{Description: strings.TrimSpace(tt.desc), Nominal: tt.nominal}); got != tt.want {
			t.Errorf("productName(%q, %q) = %q, want %q", tt.desc, tt.nominal, got, tt.want)
		}
	}
}

// TestPricelistSkipsUnreadableEntries: one entry IAK writes oddly leaves
// that product out, not the catalogue; nothing readable at all is an error.
func TestPricelistSkipsUnreadableEntries(t *testing.T) {
	good := `{"product_code":"htelkomsel10000","product_description":"Telkomsel","product_nominal":"10000","product_price":10850,"product_type":"pulsa","status":"active"}`
	odd := `{"product_code":"hxl5000","product_description":"XL","product_nominal":"5000","product_price":"5.500","product_type":"pulsa","status":"active"}`
	c, _ := newCanned(t, func(string, map[string]any) (int, string) {
		return 200, `{"data":{"pricelist":[` + good + `,` + odd + `],"rc":"00"}}`
	})
	items, err := c.Pricelist(context.Background(), "", "", "")
	if err != nil || len(items) != 1 || items[0].Code != "htelkomsel10000" {
		t.Errorf("items %+v, %v", items, err)
	}
	c, _ = newCanned(t, func(string, map[string]any) (int, string) {
		return 200, `{"data":{"pricelist":[` + odd + `,` + odd + `],"rc":"00"}}`
	})
	if _, err := c.Pricelist(context.Background(), "", "", ""); flows.KindOf(err) != flows.KindUnknown {
		t.Errorf("nothing readable: %v, want unknown", err)
	}
}
