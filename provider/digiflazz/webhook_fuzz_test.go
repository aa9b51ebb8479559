package digiflazz_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"topupbot/flows"
	"topupbot/provider/digiflazz"
	"topupbot/provider/sandbox/digiflazzsim"
)

// FuzzWebhook feeds any body and headers to the webhook parser and the
// handler: they never panic, an undecodable body is never handled, and a
// webhook never fails an order without a Gagal and a failure rc.
func FuzzWebhook(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add("update", "Digiflazz-Hookshot", b)
		}
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `{"data":null}`, `{"data":{}}`, `{"data":{"ref_id":""}}`,
		`{"data":{"ref_id":"R1"}}`, `{"data":{"ref_id":"R1","status":"Gagal","rc":"02"}}`,
		`{"data":{"ref_id":"R1","status":"Gagal","rc":"43"}}`, `{"data":{"ref_id":"R1","status":"Sukses","rc":"00","sn":{}}}`,
		`{"data":{"ref_id":1e3,"status":"Sukses","rc":0}}`, `{"hook_id":"x"}`, `{"hook_id":"x","data":{"ref_id":"R1"}}`,
		`{"data":{"ref_id":"R1","status":"Sukses","rc":"00"}`, `{"data":{"ref_id":"R1","price":"1.000"}}`,
	} {
		f.Add("update", "Digiflazz-Pasca-Hookshot", []byte(s))
		f.Add("", "", []byte(s))
	}
	handled := 0
	h, err := digiflazz.WebhookHandler(digiflazz.WebhookOptions{Secret: secret, Handle: func(context.Context, digiflazz.Webhook) error {
		handled++
		return nil
	}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, event, agent string, body []byte) {
		wh, ping, err := digiflazz.ParseWebhook(event, agent, body)
		if !json.Valid(body) && err == nil {
			t.Fatalf("invalid JSON parsed: ping %v, %+v", ping, wh)
		}
		if err == nil && !ping {
			if wh.RefID == "" || wh.Verified {
				t.Fatalf("%+v", wh)
			}
			if flows.KindOf(wh.Err) == flows.KindRejected || (wh.Err == nil) == (wh.Result.Status == "") {
				t.Fatalf("result %+v, err %v", wh.Result, wh.Err)
			}
			word, rc, _ := answerData(body)
			if wh.Result.Status == flows.StatusFailed && (word != "gagal" || !failureRCs[rc]) {
				t.Fatalf("failure from status %q rc %q", word, rc)
			}
			if wh.Result.Status == flows.StatusSuccess && (word != "sukses" || rc != "00") {
				t.Fatalf("success from status %q rc %q", word, rc)
			}
		}
		before := handled
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		req.Header.Set("X-Digiflazz-Event", event)
		req.Header.Set("User-Agent", agent)
		req.Header.Set("X-Hub-Signature", digiflazzsim.Signature(secret, body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		want := http.StatusOK
		if err != nil {
			want = http.StatusBadRequest
		}
		if len(body) > digiflazz.MaxWebhookBody {
			want = http.StatusRequestEntityTooLarge
		}
		if w.Code != want {
			t.Fatalf("status %d, want %d", w.Code, want)
		}
		if got := handled - before; (got == 1) != (want == http.StatusOK && !ping) {
			t.Fatalf("handled %d times (status %d, ping %v)", got, w.Code, ping)
		}
	})
}
