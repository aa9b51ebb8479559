package digiflazz_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/provider/digiflazz"
)

// These tests feed the client answers written by hand as Digiflazz sends
// them (testdata/*.json), one HTTP status and body at a time.

// canned answers every request with one body and records the requests.
type canned struct {
	mu     sync.Mutex
	status int
	body   []byte
	paths  []string
}

func (c *canned) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.paths = append(c.paths, r.URL.Path)
	status, body := c.status, c.body
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func cannedClient(t *testing.T, status int, file string) (*digiflazz.Client, *canned) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return cannedBody(t, status, body)
}

func cannedBody(t *testing.T, status int, body []byte) (*digiflazz.Client, *canned) {
	t.Helper()
	c := &canned{status: status, body: body}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, flows.WIB)
	cl, err := digiflazz.New(digiflazz.Config{BaseURL: srv.URL + "/v1", Username: user, APIKey: key, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return cl, c
}

func TestWireTransactionAnswers(t *testing.T) {
	for _, tc := range []struct {
		file    string
		status  int
		number  string
		sku     string
		place   string // outcome of a first send
		check   string // outcome of a re-send
		rc      string
		balance int64
	}{
		{"transaction_sukses.json", 200, "087800001230", "xld10", "success", "success", "00", 988000},
		{"transaction_pending.json", 200, "087800001233", "xld10", "pending", "pending", "03", 988000},
		{"transaction_pending_router.json", 200, "087800001233", "xld10", "pending", "pending", "99", 988000},
		{"transaction_gagal_02.json", 200, "087800001232", "xld10", "failed", "failed", "02", 998125},
		{"transaction_gagal_44.json", 200, "087800001230", "xld10", "rejected", "unknown", "44", 0},
		{"transaction_gagal_41.json", 400, "087800001230", "xld10", "misconfigured", "misconfigured", "41", 0},
		{"transaction_gagal_49.json", 200, "087800001230", "xld10", "unknown", "unknown", "49", 0},
		{"transaction_pln_sukses.json", 200, "12345678901", "pln20", "success", "success", "00", 978000},
		{"gateway_502.html", 502, "087800001230", "xld10", "unknown", "unknown", "", 0},
		{"pricelist_rc83.json", 200, "087800001230", "xld10", "unknown", "unknown", "83", 0}, // no status: not a transaction answer
	} {
		t.Run(tc.file, func(t *testing.T) {
			cl, srv := cannedClient(t, tc.status, tc.file)
			req := order("some1d", tc.sku, tc.number)
			for i, check := range []bool{false, true} {
				var res flows.Result
				var err error
				if check {
					res, err = cl.Check(ctx, req)
				} else {
					res, err = cl.Place(ctx, req)
				}
				got := string(flows.KindOf(err))
				if err == nil {
					got = string(res.Status)
				}
				want := []string{tc.place, tc.check}[i]
				if got != want {
					t.Errorf("check=%v: %s, want %s (%+v, %v)", check, got, want, res, err)
				}
				var pe *flows.ProviderError
				if errors.As(err, &pe) && tc.rc != "" && pe.RC != tc.rc {
					t.Errorf("check=%v: rc %q, want %q", check, pe.RC, tc.rc)
				}
				if err == nil && (res.RC != tc.rc || res.Balance != tc.balance || !res.BalanceKnown) {
					t.Errorf("check=%v: %+v", check, res)
				}
			}
			if srv.paths[0] != "/v1/transaction" {
				t.Errorf("path %s", srv.paths[0])
			}
		})
	}
}

func TestWirePLNTokenSN(t *testing.T) {
	cl, _ := cannedClient(t, 200, "transaction_pln_sukses.json")
	res, err := cl.Place(ctx, order("some1d", "pln20", "12345678901"))
	if err != nil || res.SN != "1234-5678-9012-3456-7890/SINTYA OKTAVIANI/R1/1300/13.4" || res.Price != 20150 {
		t.Fatalf("%+v, %v", res, err)
	}
}

func TestWirePriceLists(t *testing.T) {
	cl, _ := cannedClient(t, 200, "pricelist_prepaid.json")
	items, err := cl.PriceList(ctx, digiflazz.ListPrepaid, digiflazz.PriceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// The row with a price written "5.650" is left out, not the list.
	if len(items) != 6 {
		t.Fatalf("%d items: %+v", len(items), items)
	}
	if it := items[1]; it.Code != "tsel10" || it.Available || it.Stock != 12 || it.UnlimitedStock {
		t.Errorf("seller off: %+v", it)
	}
	if it := items[0]; !it.Available || it.Price != 5650 || it.StartCutOff != "23:45" || it.Desc != "Pulsa Xl Rp 5.000" {
		t.Errorf("xld5: %+v", it)
	}
	products, err := cl.PrepaidProducts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	codes := []string{}
	for _, p := range products {
		codes = append(codes, p.Code)
	}
	// China TOPUP is not sold by the bot.
	if got := strings.Join(codes, ","); got != "xld5,tsel10,pln20,ml86,dana25" {
		t.Errorf("products %s", got)
	}

	cl, _ = cannedClient(t, 200, "pricelist_pasca.json")
	bills, err := cl.PostpaidProducts(ctx)
	if err != nil || len(bills) != 2 || bills[0].Category != flows.CategoryBill || bills[1].Brand != "BPJS KESEHATAN" {
		t.Fatalf("%+v, %v", bills, err)
	}

	for _, file := range []string{"pricelist_rc83.json", "pricelist_empty.json", "gateway_502.html"} {
		status := 200
		if strings.HasSuffix(file, ".html") {
			status = 502
		}
		cl, _ := cannedClient(t, status, file)
		got, err := cl.PrepaidProducts(ctx)
		if err == nil || got != nil || flows.KindOf(err) != flows.KindUnknown {
			t.Errorf("%s: %d products, %v; want an unknown error", file, len(got), err)
		}
	}
	cl, _ = cannedClient(t, 200, "pricelist_rc83.json")
	if _, err := cl.PriceList(ctx, digiflazz.ListPostpaid, digiflazz.PriceFilter{}); !errors.Is(err, digiflazz.ErrTooSoon) {
		t.Errorf("rc 83: %v", err)
	}
}

func TestWireBalanceAndMeter(t *testing.T) {
	cl, srv := cannedClient(t, 200, "cek_saldo.json")
	if n, err := cl.Balance(ctx); err != nil || n != 500_000_000_000 || srv.paths[0] != "/v1/cek-saldo" {
		t.Errorf("balance %d, %v, %v", n, err, srv.paths)
	}
	cl, srv = cannedClient(t, 200, "inquiry_pln.json")
	m, err := cl.InquireMeter(ctx, "530000000001")
	if err != nil || m.Name != "Tes Pelanggan" || m.MeterNumber != "45022853116" || m.SubscriberID != "530000000001" || m.SegmentPower != "R1 /000001300" {
		t.Errorf("%+v, %v", m, err)
	}
	if srv.paths[0] != "/v1/inquiry-pln" {
		t.Errorf("path %v", srv.paths)
	}
}

func TestWireBills(t *testing.T) {
	cl, _ := cannedClient(t, 200, "inq_pasca.json")
	bill, err := cl.InquireBill(ctx, flows.BillRequest{RefID: "test1", ProductCode: "pln", CustomerNumber: "530000000001"})
	if err != nil {
		t.Fatal(err)
	}
	if bill.CustomerName != "Nama Pelanggan Pertama" || bill.Total != 10500 || bill.Cost != 10000 || bill.AdminFee != 2500 || bill.Amount != 8000 ||
		bill.Period != "201901" || bill.ProviderTxID != "test1" {
		t.Errorf("%+v", bill)
	}
	if want := []string{"Tarif/Daya: R1/1300VA", "Lembar tagihan: 1", "Periode 201901: Rp 8.000, denda Rp 500"}; strings.Join(bill.Details, "|") != strings.Join(want, "|") {
		t.Errorf("details %q", bill.Details)
	}
	cl, _ = cannedClient(t, 200, "pay_pasca.json")
	res, err := cl.PayBill(ctx, bill)
	if err != nil || res.Status != flows.StatusSuccess || res.SN != "S1234554321N" {
		t.Errorf("%+v, %v", res, err)
	}
}

func TestWireSecretNeverInErrors(t *testing.T) {
	for _, status := range []int{200, 500} {
		body := []byte(`<html>key ` + key + ` rejected</html>`)
		cl, _ := cannedBody(t, status, body)
		_, err := cl.Place(ctx, order("some1d", "xld10", "087800001230"))
		if err == nil || strings.Contains(err.Error(), key) {
			t.Errorf("http %d: %v", status, err)
		}
		body = []byte(`{"data":{"ref_id":"some1d","status":"Gagal","rc":"41","message":"sign for ` + key + ` wrong"}}`)
		cl, _ = cannedBody(t, status, body)
		_, err = cl.Place(ctx, order("some1d", "xld10", "087800001230"))
		if err == nil || strings.Contains(err.Error(), key) {
			t.Errorf("http %d echo: %v", status, err)
		}
	}
	cl, _ := cannedBody(t, 200, nil)
	if s := cl.String(); strings.Contains(s, key) {
		t.Errorf("String() = %s", s)
	}
}

func TestWireBillStatusNeedsThePaymentReference(t *testing.T) {
	bill := flows.Bill{RefID: "test1", ProductCode: "pln", CustomerNumber: "530000000001", ProviderTxID: "test1"}
	inquiryOnly := []byte(`{"data":{"ref_id":"test1","customer_no":"530000000001","buyer_sku_code":"pln","status":"Sukses","rc":"00","sn":"","price":10000}}`)
	cl, _ := cannedBody(t, 200, inquiryOnly)
	if res, err := cl.CheckBill(ctx, bill); flows.KindOf(err) != flows.KindUnknown {
		t.Errorf("a Sukses without sn: %+v, %v; want unknown", res, err)
	}
	notFound := []byte(`{"data":{"ref_id":"test1","customer_no":"530000000001","buyer_sku_code":"pln","status":"Gagal","rc":"50","message":"Transaksi Tidak Ditemukan"}}`)
	cl, _ = cannedBody(t, 200, notFound)
	if _, err := cl.CheckBill(ctx, bill); flows.KindOf(err) != flows.KindNotFound {
		t.Errorf("rc 50: %v; want not found", err)
	}
	cl, _ = cannedClient(t, 200, "pay_pasca.json")
	if res, err := cl.CheckBill(ctx, bill); err != nil || res.Status != flows.StatusSuccess {
		t.Errorf("paid: %+v, %v", res, err)
	}
}

func TestWireRecordWithoutRefIsUnknown(t *testing.T) {
	cl, _ := cannedBody(t, 200, []byte(`{"data":{"status":"Sukses","rc":"00","sn":"123"}}`))
	if res, err := cl.Place(ctx, order("some1d", "xld10", "087800001230")); flows.KindOf(err) != flows.KindUnknown {
		t.Errorf("%+v, %v", res, err)
	}
}

func TestWireUnreadableAnswersAreUnknown(t *testing.T) {
	ok, err := os.ReadFile(filepath.Join("testdata", "transaction_sukses.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"success body with http 500", 500, string(ok)},
		{"success body with http 503", 503, string(ok)},
		{"truncated", 200, string(ok[:len(ok)/2])},
		{"empty", 200, ""},
		{"data null", 200, `{"data":null}`},
		{"data a string", 200, `{"data":"Sukses"}`},
		{"status a number", 200, `{"data":{"ref_id":"some1d","status":1,"rc":"00"}}`},
		{"price with thousands dots", 200, `{"data":{"ref_id":"some1d","status":"Sukses","rc":"00","price":"10.125"}}`},
		{"sn an object", 200, `{"data":{"ref_id":"some1d","status":"Sukses","rc":"00","sn":{"token":"1"}}}`},
		{"html with 200", 200, `<html><body>maintenance</body></html>`},
	} {
		cl, _ := cannedBody(t, tc.status, []byte(tc.body))
		for _, check := range []bool{false, true} {
			req := order("some1d", "xld10", "087800001230")
			var res flows.Result
			var err error
			if check {
				res, err = cl.Check(ctx, req)
			} else {
				res, err = cl.Place(ctx, req)
			}
			if flows.KindOf(err) != flows.KindUnknown {
				t.Errorf("%s check=%v: %+v, %v; want unknown", tc.name, check, res, err)
			}
		}
	}
}
