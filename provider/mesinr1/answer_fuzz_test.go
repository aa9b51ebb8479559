package mesinr1

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testlog"
	"topupbot/provider/internal/flex"
)

// The fuzz target's seeds are in testdata/fuzz/FuzzAnswer: seed 002's
// envelopes and records, the simulator's, and the ugly ones. go test runs
// them as ordinary tests.

// fuzzStatuses are the HTTP statuses a fuzzed answer comes with, chosen by
// the fuzzer's int (modulo).
var fuzzStatuses = []int{200, 422, 400, 401, 403, 404, 405, 408, 409, 429, 500, 502, 503, 201, 302}

// keyPlaceholder in a fuzzed body becomes the api key: a platform that
// echoes the rqid must not put it into our errors, results or logs.
const keyPlaceholder = "{{key}}"

// fuzzServer answers every request — the first call and the status and
// history look-ups that follow it — with the current fuzz input.
type fuzzServer struct {
	mu     sync.Mutex
	status int
	body   []byte
}

func (s *fuzzServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	status, body := s.status, s.body
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// jsonObjects returns every object in a JSON document, depth first.
func jsonObjects(raw []byte) []map[string]any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return nil
	}
	var out []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			out = append(out, v)
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	return out
}

func textOf(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	}
	return ""
}

// evidence is what the oracle finds in an answer: records (objects with a
// status or status_label) about ref, of each state, and payment records.
type evidence struct {
	success, failed, payment bool
	envStatus, envRC         string
}

func findEvidence(body []byte, ref string) evidence {
	var ev evidence
	// The envelope as encoding/json reads it: keys in any case, the last
	// of duplicates.
	var env struct {
		Status flex.String `json:"status"`
		RC     flex.String `json:"rc"`
	}
	if json.Unmarshal(body, &env) == nil {
		ev.envStatus = strings.ToLower(strings.TrimSpace(string(env.Status)))
		ev.envRC = strings.TrimSpace(string(env.RC))
	}
	objs := jsonObjects(body)
	for i, o := range objs {
		if i == 0 {
			continue // the envelope: its status is the call's, not a transaction's
		}
		_, hasStatus := o["status"]
		_, hasLabel := o["status_label"]
		if !hasStatus && !hasLabel {
			continue
		}
		if r := textOf(o["ref_1"]); r != "" && r != ref {
			continue
		}
		st, label := strings.ToLower(textOf(o["status"])), strings.ToLower(textOf(o["status_label"]))
		if n, ok := o["status"].(json.Number); ok {
			if f, err := n.Float64(); err == nil && (f == 1 || f == 11) {
				st = fmt.Sprint(f)
			}
		}
		if st == "1" || st == "success" || st == "sukses" || st == "berhasil" || label == "success" || label == "sukses" || label == "berhasil" {
			ev.success = true
		}
		if st == "11" || st == "failed" || st == "gagal" || st == "fail" || label == "failed" || label == "gagal" || label == "fail" {
			ev.failed = true
		}
		for _, k := range []string{"msg", "keterangan"} {
			if strings.HasPrefix(strings.ToUpper(textOf(o[k])), "BAYAR") {
				ev.payment = true
			}
		}
	}
	return ev
}

// leaksKey reports whether s shows the api key or any 8 characters of it.
func leaksKey(s string) bool {
	for i := 0; i+8 <= len(testKey); i++ {
		if strings.Contains(s, testKey[i:i+8]) {
			return true
		}
	}
	return false
}

// FuzzAnswer: whatever Mesin R1 answers, every call ends in a Result of a
// defined status or a ProviderError of a defined kind; 1xx/3xx/5xx and
// unreadable bodies are unknown; a success needs a record of this ref_1
// showing success (a bill's status check: one whose msg starts with BAYAR),
// a failure one showing failure; a look-up (status, history) is never
// rejected, nor is anything on rc 94, 68 or 96; and the api key, echoed by the
// platform, never reaches an error, a result or the log.
func FuzzAnswer(f *testing.F) {
	fake := &fuzzServer{}
	srv := httptest.NewServer(fake)
	f.Cleanup(srv.Close)
	now := time.Date(2026, 4, 21, 11, 0, 0, 0, flows.WIB)
	f.Fuzz(func(t *testing.T, statusN int, body []byte, mode uint8) {
		if statusN < 0 {
			statusN = -(statusN + 1)
		}
		status := fuzzStatuses[statusN%len(fuzzStatuses)]
		body = bytes.ReplaceAll(body, []byte(keyPlaceholder), []byte(testKey))
		fake.mu.Lock()
		fake.status, fake.body = status, body
		fake.mu.Unlock()
		logs := testlog.New(t, testKey)
		c, err := New(Config{BaseURL: srv.URL, MMID: testMMID, APIKey: testKey, Now: func() time.Time { return now },
			HTTPClient: &http.Client{Timeout: 5 * time.Second}, Logger: logs.Logger()})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		const ref = "R260421110000ABCD"
		req := flows.OrderRequest{RefID: ref, ProductCode: "IS5", CustomerNumber: "085712347890"}
		bill := flows.Bill{RefID: ref, ProductCode: "PLN", CustomerNumber: "546302215889", Total: 302750,
			Expires: now.Add(InquiryHold)}

		var (
			res    flows.Result
			shown  string // everything the call returned, as text
			send   bool   // the call may create a transaction
			isBill bool   // the call is about a bill payment
			lookup bool   // the call asks about a transaction
			what   string
		)
		switch mode % 10 {
		case 0:
			what, send = "place", true
			res, err = c.Place(ctx, req)
		case 1:
			what, send = "check unacknowledged", true
			res, err = c.Check(ctx, req)
		case 2:
			what, lookup = "check acknowledged", true
			req.Acknowledged = true
			res, err = c.Check(ctx, req)
		case 3:
			what, send, isBill = "pay", true, true
			res, err = c.PayBill(ctx, bill)
		case 4:
			what, isBill, lookup = "check bill", true, true
			res, err = c.CheckBill(ctx, bill)
		case 5:
			what, send = "inquire", true
			var b flows.Bill
			b, err = c.InquireBill(ctx, flows.BillRequest{RefID: ref, ProductCode: "PLN", CustomerNumber: "546302215889"})
			shown = fmt.Sprintf("%+v", b)
			if err == nil && (b.Total <= 0 || b.RefID != ref || !b.Expires.Equal(now.Add(InquiryHold))) {
				t.Fatalf("inquiry gave bill %+v", b)
			}
		case 6:
			what, lookup = "lookup", true
			var tx Transaction
			tx, err = c.Lookup(ctx, ref)
			shown = fmt.Sprintf("%+v", tx)
			if err == nil && tx.RefID != "" && tx.RefID != ref {
				t.Fatalf("lookup of %s gave %+v", ref, tx)
			}
		case 7:
			what = "balance"
			var n int64
			n, err = c.Balance(ctx)
			shown = fmt.Sprint(n)
		case 8:
			what = "products"
			var ps []flows.Product
			ps, err = c.Products(ctx)
			shown = fmt.Sprintf("%+v", ps)
			for _, p := range ps {
				if p.Code == "" || p.Price < 0 || p.Category == "" {
					t.Fatalf("product %+v", p)
				}
			}
		case 9:
			what = "mutations"
			var ms []flows.Mutation
			ms, err = c.Mutations(ctx, now.Add(-24*time.Hour), now)
			shown = fmt.Sprintf("%+v", ms)
		}
		shown += fmt.Sprintf("%+v", res)
		if err != nil {
			shown += err.Error()
		}
		if leaksKey(shown) {
			t.Fatalf("%s: the api key shows in %q", what, shown)
		}

		ev := findEvidence(body, ref)
		readable := json.Valid(body) && len(jsonObjects(body)) > 0
		transportOK := status >= 200 && status < 300 || status >= 400 && status < 500
		if err != nil {
			var pe *flows.ProviderError
			if !errors.As(err, &pe) {
				t.Fatalf("%s: %T %v is no *flows.ProviderError", what, err, err)
			}
			switch pe.Kind {
			case flows.KindUnknown, flows.KindMisconfigured:
			case flows.KindRejected:
				failedEnv := ev.envStatus == "error" || ev.envStatus == "failed" || ev.envStatus == "fail" || ev.envStatus == "gagal"
				switch {
				case lookup:
					// A status or history answer never fails an order.
					t.Fatalf("%s rejected: %v", what, err)
				case !failedEnv && !ev.failed:
					t.Fatalf("%s: rejected without an error envelope or a failed record: %v", what, err)
				case !ev.failed && (ev.envRC == rcDuplicate || ev.envRC == rcTimeout || ev.envRC == rcMalfunction):
					t.Fatalf("%s: rejected on rc %s: %v", what, ev.envRC, err)
				}
			case flows.KindNotFound:
				if send && mode%10 != 1 || what == "balance" || what == "products" || what == "mutations" {
					t.Fatalf("%s: not found: %v", what, err)
				}
			default:
				t.Fatalf("%s: undefined kind %q", what, pe.Kind)
			}
			if (!transportOK || !readable) && pe.Kind != flows.KindUnknown {
				t.Fatalf("%s: HTTP %d (readable %v) gave %s: %v", what, status, readable, pe.Kind, err)
			}
			return
		}
		if !transportOK || !readable {
			t.Fatalf("%s: HTTP %d (readable %v) gave a result: %s", what, status, readable, shown)
		}
		switch res.Status {
		case "":
			if mode%10 <= 4 {
				t.Fatalf("%s: a result without a status", what)
			}
		case flows.StatusSuccess:
			if !ev.success || isBill && mode%10 == 4 && !ev.payment {
				t.Fatalf("%s: success without a record showing it (payment %v): %q", what, ev.payment, body)
			}
		case flows.StatusFailed:
			if !ev.failed {
				t.Fatalf("%s: failed without a record showing it: %q", what, body)
			}
		case flows.StatusPending:
		default:
			t.Fatalf("%s: status %q", what, res.Status)
		}
	})
}
