package digiflazz_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"topupbot/flows"
	"topupbot/provider/digiflazz"
)

// The fuzz targets' seeds are the testdata answers and the ugly ones added
// below (HTML, truncation, wrong types, contradictions); go test runs them
// as ordinary tests.

// statuses are the HTTP statuses a fuzzed answer comes with, chosen by the
// fuzzer's int: Digiflazz's two (200, 400) and what gateways send.
var statuses = []int{200, 400, 200, 500, 502, 503, 504, 201, 404, 401, 403, 429, 302, 204}

func statusOf(n int) int {
	if n < 0 {
		n = -(n + 1)
	}
	return statuses[n%len(statuses)]
}

// failureRCs are the codes of a made transaction's failure: the only ones
// with which a Gagal may fail an order (written here again, apart from the
// table the client uses).
var failureRCs = map[string]bool{
	"01": true, "02": true, "51": true, "52": true, "53": true, "54": true, "55": true, "57": true,
	"58": true, "59": true, "60": true, "70": true, "71": true, "72": true, "73": true, "74": true, "84": true,
}

func seedAnswers(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err == nil {
			f.Add(0, b, false)
			f.Add(0, b, true)
		}
	}
	for _, s := range []string{
		``, `null`, `{}`, `{"data":null}`, `{"data":[]}`, `{"data":"Sukses"}`,
		`{"data":{"status":"Sukses"}}`, `{"data":{"rc":"00"}}`, `{"data":{"status":"Sukses","rc":0}}`,
		`{"data":{"status":"Sukses","rc":"00","price":"10.125"}}`, `{"data":{"status":"Sukses","rc":"00","sn":true}}`,
		`{"data":{"status":"Gagal","rc":"02","ref_id":"other"}}`, `{"data":{"status":"gagal ","rc":"02"}}`,
		`{"data":{"status":"Sukses","rc":"00"`, `{"data":{"status":"Gagal","rc":"68"}}`,
		`{"data":{"status":["Sukses"],"rc":"00"}}`, `{"data":{"status":"Sukses","rc":"00","price":1e999}}`,
		`{"data":{"status":"Sukses","rc":"00"},"data":{"status":"Gagal","rc":"02"}}`, `<html>502</html>`,
	} {
		f.Add(0, []byte(s), false)
		f.Add(0, []byte(s), true)
		f.Add(3, []byte(s), true)
	}
}

// answerData is the body read apart from the client: the status word and
// rc, when the body is a JSON object with a data object. It reads keys as
// encoding/json does (case-insensitively, the last of duplicates).
func answerData(body []byte) (status, rc string, ok bool) {
	var env struct {
		Data *struct {
			Status json.RawMessage `json:"status"`
			RC     json.RawMessage `json:"rc"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &env) != nil || env.Data == nil {
		return "", "", false
	}
	var s, r string
	_ = json.Unmarshal(env.Data.Status, &s)
	_ = json.Unmarshal(env.Data.RC, &r)
	return strings.ToLower(strings.TrimSpace(s)), r, true
}

// FuzzTransactionAnswer feeds any answer to Place and Check: they never
// panic, an undecodable body or a gateway's status is never a Result, a
// failure needs a Gagal with a failure rc, and a check is never rejected.
func FuzzTransactionAnswer(f *testing.F) {
	seedAnswers(f)
	srv := &canned{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	cl, err := digiflazz.New(digiflazz.Config{BaseURL: ts.URL, Username: user, APIKey: key})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, n int, body []byte, check bool) {
		status := statusOf(n)
		srv.mu.Lock()
		srv.status, srv.body = status, body
		srv.mu.Unlock()
		req := order("some1d", "xld10", "087800001230")
		var res flows.Result
		var err error
		if check {
			res, err = cl.Check(ctx, req)
		} else {
			res, err = cl.Place(ctx, req)
		}
		word, rc, readable := answerData(body)
		if err != nil {
			switch k := flows.KindOf(err); {
			case check && k == flows.KindRejected:
				t.Fatalf("a check was rejected: %v", err)
			case k == flows.KindNotFound:
				t.Fatalf("a top-up answered not found: %v", err)
			case k == flows.KindRejected && (!readable || word != "gagal"):
				t.Fatalf("rejected without a Gagal: %v", err)
			}
			return
		}
		if status != http.StatusOK && status != http.StatusBadRequest {
			t.Fatalf("http %d gave %+v", status, res)
		}
		if !readable {
			t.Fatalf("an undecodable body gave %+v", res)
		}
		switch res.Status {
		case flows.StatusSuccess:
			if word != "sukses" || rc != "00" {
				t.Fatalf("success from status %q rc %q", word, rc)
			}
		case flows.StatusPending:
			if word != "pending" || (rc != "03" && rc != "99") {
				t.Fatalf("pending from status %q rc %q", word, rc)
			}
		case flows.StatusFailed:
			if word != "gagal" || !failureRCs[rc] {
				t.Fatalf("failure from status %q rc %q", word, rc)
			}
		default:
			t.Fatalf("result without a status: %+v", res)
		}
	})
}
