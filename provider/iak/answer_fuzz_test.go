package iak

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// The fuzz targets' seeds are in testdata/fuzz/<target>: IAK's documented
// answers, the simulator's, and the ugly ones (HTML, truncation, wrong
// types, contradictions). go test runs them as ordinary tests.

// statuses are the HTTP statuses a fuzzed answer comes with, chosen by the
// fuzzer's int (modulo): IAK's two (200, 400) and what gateways send.
var statuses = []int{200, 400, 200, 500, 502, 503, 504, 201, 404, 401, 403, 429, 302, 204, 400}

func statusOf(n int) int {
	if n < 0 {
		n = -n
	}
	if n < 0 { // math.MinInt
		n = 0
	}
	return statuses[n%len(statuses)]
}

// fuzzServer answers every request with the current fuzz input. One server
// serves a whole fuzz target: the fuzz function runs one input at a time in
// each process.
type fuzzServer struct {
	mu     sync.Mutex
	status int
	body   []byte
	hits   int
}

func (s *fuzzServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	status, body := s.status, s.body
	s.hits++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *fuzzServer) answer(status int, body []byte) {
	s.mu.Lock()
	s.status, s.body, s.hits = status, body, 0
	s.mu.Unlock()
}

// fuzzClient is a client of a fuzzServer. Bills are inquired at 09:00 WIB
// on the fuzz day, so a payment is never refused locally as expired.
func fuzzClient(f *testing.F) (*Client, *fuzzServer) {
	fake := &fuzzServer{}
	srv := httptest.NewServer(fake)
	f.Cleanup(srv.Close)
	now := func() time.Time { return time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB) }
	c, err := New(Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: testUser, APIKey: testKey,
		HTTPClient: &http.Client{Timeout: 5 * time.Second}, Now: now})
	if err != nil {
		f.Fatal(err)
	}
	return c, fake
}

// oracleTx is what the oracle reads of an answer's data: the fields the
// rules of DESIGN 3–5 and 8 speak of, decoded on their own.
type oracleTx struct {
	RefID        flex.String `json:"ref_id"`
	TrID         flex.String `json:"tr_id"`
	Status       flex.Int    `json:"status"`
	RC           flex.String `json:"rc"`
	ResponseCode flex.String `json:"response_code"`
}

// readAnswer decodes an answer as the oracle sees it. ok is false when the
// body is no {"data":{...}} object with readable fields: such an answer
// says nothing about the transaction.
func readAnswer(body []byte) (d oracleTx, ok bool) {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Data) == 0 || string(env.Data) == "null" {
		return d, false
	}
	if json.Unmarshal(env.Data, &d) != nil {
		return d, false
	}
	return d, true
}

// checkKinds fails unless err is nil or a *flows.ProviderError of a defined
// kind, and unless an answer that is not IAK's (any status but 200 and
// 400, or no readable data) is unknown.
func checkKinds(t *testing.T, what string, status int, readable bool, err error) flows.ErrorKind {
	t.Helper()
	if err == nil {
		if status != 200 && status != 400 || !readable {
			t.Fatalf("%s: HTTP %d (readable %v) gave a result", what, status, readable)
		}
		return ""
	}
	var pe *flows.ProviderError
	if !errors.As(err, &pe) {
		t.Fatalf("%s: error %T %v is no *flows.ProviderError", what, err, err)
	}
	switch pe.Kind {
	case flows.KindRejected, flows.KindUnknown, flows.KindMisconfigured, flows.KindNotFound:
	default:
		t.Fatalf("%s: undefined kind %q", what, pe.Kind)
	}
	if (status != 200 && status != 400 || !readable) && pe.Kind != flows.KindUnknown {
		t.Fatalf("%s: HTTP %d (readable %v) gave %s, want unknown: %v", what, status, readable, pe.Kind, err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Fatalf("%s: the error shows the api key: %v", what, err)
	}
	return pe.Kind
}

func classOf(table map[string]code, rc string) class {
	if c, ok := table[rc]; ok {
		return c.class
	}
	return classUnknown
}

// FuzzPrepaidAnswer: whatever IAK's prepaid endpoints answer, Place and
// Check return a Result of a defined status or a ProviderError of a defined
// kind, and money moves only on a definitive answer about this ref_id: a
// success only on rc 00 (or, without an rc, status 1) with no status
// contradicting it, a failure only on a check with a failure rc or status 2,
// a rejection only on a first send. Everything else — other HTTP statuses,
// unreadable bodies, unknown rcs, another ref_id — is unknown.
func FuzzPrepaidAnswer(f *testing.F) {
	c, fake := fuzzClient(f)
	f.Fuzz(func(t *testing.T, statusN int, body []byte, mode uint8) {
		status := statusOf(statusN)
		fake.answer(status, body)
		const ref = "R261123090000ABCD"
		req := flows.OrderRequest{RefID: ref, ProductCode: "htelkomsel10000", CustomerNumber: "081212345678"}
		var (
			res   flows.Result
			err   error
			check bool
			what  string
		)
		switch mode % 3 {
		case 0:
			what = "place"
			res, err = c.Place(context.Background(), req)
		case 1:
			what, check = "re-send", true
			res, err = c.Check(context.Background(), req)
		case 2:
			what, check = "check-status", true
			req.Acknowledged, req.ProviderTxID = true, "3482"
			res, err = c.Check(context.Background(), req)
		}
		d, readable := readAnswer(body)
		kind := checkKinds(t, what, status, readable, err)
		rc := string(d.RC)
		if rc == "" {
			rc = string(d.ResponseCode)
		}
		cls := classOf(prepaidCodes, rc)
		foreign := d.RefID != "" && string(d.RefID) != ref
		definitive := err == nil && res.Status.Final() || kind == flows.KindRejected || kind == flows.KindNotFound
		if foreign && definitive {
			t.Fatalf("%s: an answer about ref_id %q gave %+v, %v", what, d.RefID, res, err)
		}
		switch kind {
		case flows.KindRejected:
			if check {
				t.Fatalf("%s: a check rejected the order: %v", what, err)
			}
			if !(cls == classFailed || cls == classOutage || rc == "" && d.Status.Set && d.Status.Value == 2) {
				t.Fatalf("%s: rejected on rc %q status %+v: %v", what, rc, d.Status, err)
			}
		case flows.KindNotFound:
			if !check || rc != "06" {
				t.Fatalf("%s: not found on rc %q: %v", what, rc, err)
			}
		case flows.KindMisconfigured:
			if !(cls == classMisconfigured || !check && cls == classBadRequest) {
				t.Fatalf("%s: misconfigured on rc %q: %v", what, rc, err)
			}
		}
		if err != nil {
			return
		}
		switch res.Status {
		case flows.StatusSuccess:
			byRC := cls == classSuccess && (!d.Status.Set || d.Status.Value == 1)
			byStatus := rc == "" && d.Status.Set && d.Status.Value == 1
			if !byRC && !byStatus {
				t.Fatalf("%s: success on rc %q status %+v", what, rc, d.Status)
			}
		case flows.StatusFailed:
			byRC := cls == classFailed && (!d.Status.Set || d.Status.Value == 2)
			byStatus := rc == "" && d.Status.Set && d.Status.Value == 2
			if !check || !byRC && !byStatus {
				t.Fatalf("%s: failed on rc %q status %+v", what, rc, d.Status)
			}
		case flows.StatusPending:
			if !(cls == classPending || rc == "" && d.Status.Set && d.Status.Value == 0) {
				t.Fatalf("%s: pending on rc %q status %+v", what, rc, d.Status)
			}
		default:
			t.Fatalf("%s: result with status %q", what, res.Status)
		}
		if res.Acknowledged != (res.ProviderTxID != "") || res.ProviderTxID == "0" {
			t.Fatalf("%s: acknowledged %v with tr_id %q", what, res.Acknowledged, res.ProviderTxID)
		}
	})
}

// FuzzPostpaidAnswer: whatever IAK's postpaid endpoint answers, an inquiry
// yields a payable bill only on response_code 00 with a tr_id and a price;
// a payment is paid only on 00, pending only on 39, refused only on a
// failure code and never on 05, 39, 91, 92, 103, 105, 201 or no code
// (DESIGN rule 8); a status check settles only by status (1 paid, 2
// failed) or, without one, by rc 00 and 37, and never rejects.
func FuzzPostpaidAnswer(f *testing.F) {
	c, fake := fuzzClient(f)
	f.Fuzz(func(t *testing.T, statusN int, body []byte, mode uint8) {
		status := statusOf(statusN)
		fake.answer(status, body)
		const ref, trID = "R261123090000BILL1", "9911"
		d, readable := readAnswer(body)
		rc := string(d.ResponseCode)
		if rc == "" {
			rc = string(d.RC)
		}
		cls := classOf(postpaidCodes, rc)
		foreignRef := d.RefID != "" && string(d.RefID) != ref
		bill := flows.Bill{RefID: ref, ProductCode: "PLNPOSTPAID", CustomerNumber: "512345678901", ProviderTxID: trID,
			Total: 150000, Expires: time.Date(2026, 11, 23, 23, 0, 0, 0, flows.WIB)}
		switch mode % 3 {
		case 0:
			b, err := c.InquireBill(context.Background(), flows.BillRequest{RefID: ref, ProductCode: "PLNPOSTPAID",
				CustomerNumber: "512345678901"})
			kind := checkKinds(t, "inq-pasca", status, readable, err)
			if kind == flows.KindNotFound {
				t.Fatalf("inq-pasca: not found: %v", err)
			}
			if err != nil {
				if kind == flows.KindRejected && cls != classFailed && cls != classOutage {
					t.Fatalf("inq-pasca: rejected on rc %q: %v", rc, err)
				}
				return
			}
			if rc != "00" || foreignRef || b.ProviderTxID == "" || b.ProviderTxID == "0" || b.RefID != ref {
				t.Fatalf("inq-pasca: bill %+v from rc %q ref_id %q", b, rc, d.RefID)
			}
			if !b.Expires.Equal(bill.Expires) {
				t.Fatalf("inq-pasca: expires %v", b.Expires)
			}
		case 1:
			res, err := c.PayBill(context.Background(), bill)
			kind := checkKinds(t, "pay-pasca", status, readable, err)
			foreign := foreignRef || d.TrID != "" && string(d.TrID) != trID
			switch {
			case kind == flows.KindNotFound:
				t.Fatalf("pay-pasca: not found: %v", err)
			case kind == flows.KindRejected && (foreign || cls != classFailed):
				t.Fatalf("pay-pasca: rejected on rc %q (foreign %v): %v", rc, foreign, err)
			case kind == flows.KindMisconfigured && cls != classMisconfigured && cls != classBadRequest:
				t.Fatalf("pay-pasca: misconfigured on rc %q: %v", rc, err)
			case err != nil:
			case foreign:
				t.Fatalf("pay-pasca: an answer about ref_id %q tr_id %q gave %+v", d.RefID, d.TrID, res)
			case res.Status == flows.StatusSuccess && rc != "00",
				res.Status == flows.StatusPending && rc != "39",
				res.Status != flows.StatusSuccess && res.Status != flows.StatusPending:
				t.Fatalf("pay-pasca: %s on rc %q", res.Status, rc)
			}
			for _, unknown := range []string{"", "05", "39", "91", "92", "103", "105", "201"} {
				if rc == unknown && kind == flows.KindRejected {
					t.Fatalf("pay-pasca: rc %q rejected the payment", rc)
				}
			}
		case 2:
			res, err := c.CheckBill(context.Background(), bill)
			kind := checkKinds(t, "checkstatus", status, readable, err)
			st, set := d.Status.Value, d.Status.Set
			switch {
			case kind == flows.KindRejected:
				t.Fatalf("checkstatus rejected: %v", err)
			case kind == flows.KindNotFound && !(set && st == 0):
				t.Fatalf("checkstatus: not found without status 0: %v", err)
			case err != nil:
			case foreignRef:
				t.Fatalf("checkstatus: an answer about ref_id %q gave %+v", d.RefID, res)
			case res.Status == flows.StatusSuccess && !(set && st == 1 || !set && rc == "00"),
				res.Status == flows.StatusFailed && !(set && st == 2 || !set && rc == "37"),
				res.Status == flows.StatusPending && !(set && st == 3 || !set && (rc == "39" || rc == "42")),
				!res.Status.Final() && res.Status != flows.StatusPending:
				t.Fatalf("checkstatus: %s on status %+v rc %q", res.Status, d.Status, rc)
			}
		}
	})
}

// FuzzCatalogAnswer: whatever the pricelist, balance and PLN inquiry
// endpoints answer, the calls end in a defined way; a product offered for
// sale has a code, a name and a price IAK stated, never a negative one.
func FuzzCatalogAnswer(f *testing.F) {
	c, fake := fuzzClient(f)
	f.Fuzz(func(t *testing.T, statusN int, body []byte, mode uint8) {
		status := statusOf(statusN)
		fake.answer(status, body)
		_, readable := readAnswer(body)
		if strings.HasPrefix(strings.TrimSpace(string(body)), `{"data":[`) {
			readable = true // a pricelist may be a bare array
		}
		switch mode % 3 {
		case 0:
			products, err := c.Products(context.Background())
			checkKinds(t, "products", status, readable, err)
			for _, p := range products {
				if p.Code == "" || p.Name == "" && p.Available {
					t.Fatalf("product without code or name: %+v", p)
				}
				if p.Available && p.Price < 0 {
					t.Fatalf("product for sale at a negative price: %+v", p)
				}
			}
		case 1:
			_, err := c.Balance(context.Background())
			checkKinds(t, "balance", status, readable, err)
		case 2:
			m, err := c.InquireMeter(context.Background(), "12345678901")
			checkKinds(t, "inquiry-pln", status, readable, err)
			if err == nil && m.CustomerNumber == "" && m.MeterNumber == "" && m.Name == "" {
				t.Logf("meter answer without customer, meter or name: %q", body)
			}
		}
	})
}
