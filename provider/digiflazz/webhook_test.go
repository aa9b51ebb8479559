package digiflazz_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"topupbot/flows"
	"topupbot/provider/digiflazz"
	"topupbot/provider/sandbox/digiflazzsim"
)

const secret = "somesecret"

// hookRig is a webhook handler whose Handle records what it was given.
type hookRig struct {
	h    http.Handler
	got  []digiflazz.Webhook
	fail error
	logs bytes.Buffer
}

func newHookRig(t *testing.T, secret string) *hookRig {
	t.Helper()
	r := &hookRig{}
	h, err := digiflazz.WebhookHandler(digiflazz.WebhookOptions{
		Secret: secret,
		Handle: func(_ context.Context, wh digiflazz.Webhook) error {
			r.got = append(r.got, wh)
			return r.fail
		},
		Logger: slog.New(slog.NewTextHandler(&r.logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	r.h = h
	return r
}

func (r *hookRig) post(body, signature, agent string) int {
	req := httptest.NewRequest(http.MethodPost, "/digiflazz", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Digiflazz-Event", "update")
	if agent == "" {
		agent = "Digiflazz-Hookshot"
	}
	req.Header.Set("User-Agent", agent)
	if signature != "" {
		req.Header.Set("X-Hub-Signature", signature)
	}
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	return w.Code
}

const successBody = `{"data":{"ref_id":"R1","customer_no":"087800001233","buyer_sku_code":"xld10","message":"Transaksi Sukses","status":"Sukses","rc":"00","sn":"1234567890","buyer_last_saldo":4989875,"price":10125,"tele":"","wa":""}}`

func TestWebhookVerified(t *testing.T) {
	r := newHookRig(t, secret)
	if code := r.post(successBody, digiflazzsim.Signature(secret, []byte(successBody)), ""); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if len(r.got) != 1 {
		t.Fatalf("handled %d", len(r.got))
	}
	wh := r.got[0]
	if !wh.Verified || wh.Event != "update" || wh.RefID != "R1" || wh.Result.Status != flows.StatusSuccess || wh.Result.SN != "1234567890" || wh.Err != nil {
		t.Errorf("%+v", wh)
	}
	if strings.Contains(r.logs.String(), secret) || strings.Contains(r.logs.String(), "sha1=") {
		t.Errorf("the secret or signature was logged:\n%s", r.logs.String())
	}
}

func TestWebhookForgedOrUnsignedWithASecretIsForbidden(t *testing.T) {
	for name, sig := range map[string]string{
		"forged":         digiflazzsim.Signature("othersecret", []byte(successBody)),
		"missing":        "",
		"other body":     digiflazzsim.Signature(secret, []byte(successBody+" ")),
		"no prefix":      strings.TrimPrefix(digiflazzsim.Signature(secret, []byte(successBody)), "sha1="),
		"sha256 claimed": "sha256=" + strings.TrimPrefix(digiflazzsim.Signature(secret, []byte(successBody)), "sha1="),
	} {
		r := newHookRig(t, secret)
		if code := r.post(successBody, sig, ""); code != http.StatusForbidden || len(r.got) != 0 {
			t.Errorf("%s: status %d, handled %d; want 403 and nothing handled", name, code, len(r.got))
		}
		if sig != "" && strings.Contains(r.logs.String(), sig) {
			t.Errorf("%s: signature logged", name)
		}
	}
}

func TestWebhookWithoutASecretIsAHint(t *testing.T) {
	r := newHookRig(t, "")
	if code := r.post(successBody, "", ""); code != http.StatusOK || len(r.got) != 1 {
		t.Fatalf("status %d, handled %d", code, len(r.got))
	}
	if r.got[0].Verified {
		t.Error("an unsigned webhook was verified")
	}
}

func TestWebhookOversizedBody(t *testing.T) {
	r := newHookRig(t, secret)
	body := `{"data":{"ref_id":"R1","pad":"` + strings.Repeat("x", digiflazz.MaxWebhookBody) + `"}}`
	if code := r.post(body, digiflazzsim.Signature(secret, []byte(body)), ""); code != http.StatusRequestEntityTooLarge || len(r.got) != 0 {
		t.Errorf("status %d, handled %d; want 413", code, len(r.got))
	}
}

func TestWebhookPing(t *testing.T) {
	r := newHookRig(t, secret)
	body := `{"sed":"Tidak ada yang lebih baik dari sebuah aksi nyata","hook_id":"abc123","hook":{"url":"https://example.com/hook","secret":"somesecret","type":"prepaid","status":true}}`
	if code := r.post(body, digiflazzsim.Signature(secret, []byte(body)), ""); code != http.StatusOK || len(r.got) != 0 {
		t.Errorf("status %d, handled %d; want 200 and nothing handled", code, len(r.got))
	}
	if !strings.Contains(r.logs.String(), "ping") {
		t.Errorf("ping not logged:\n%s", r.logs.String())
	}
}

func TestWebhookWrongMethod(t *testing.T) {
	r := newHookRig(t, secret)
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/digiflazz", nil))
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != http.MethodPost || len(r.got) != 0 {
		t.Errorf("status %d, handled %d", w.Code, len(r.got))
	}
}

func TestWebhookUndecodableBody(t *testing.T) {
	for _, body := range []string{`not json`, `{"data":`, `{"data":[]}`, `{"data":{"status":"Sukses","rc":"00"}}`, `{}`, `{"data":{"ref_id":"R1","price":"5.000"}}`} {
		r := newHookRig(t, secret)
		if code := r.post(body, digiflazzsim.Signature(secret, []byte(body)), ""); code != http.StatusBadRequest || len(r.got) != 0 {
			t.Errorf("%s: status %d, handled %d; want 400", body, code, len(r.got))
		}
	}
}

func TestWebhookRefusalWithoutTransactionDoesNotFail(t *testing.T) {
	r := newHookRig(t, secret)
	body := `{"data":{"ref_id":"R1","customer_no":"087800001230","buyer_sku_code":"xld10","message":"Stok habis","status":"Gagal","rc":"68","sn":"","buyer_last_saldo":0,"price":0}}`
	if code := r.post(body, digiflazzsim.Signature(secret, []byte(body)), ""); code != http.StatusOK || len(r.got) != 1 {
		t.Fatalf("status %d, handled %d", code, len(r.got))
	}
	wh := r.got[0]
	if wh.Result.Status != "" || flows.KindOf(wh.Err) != flows.KindUnknown {
		t.Errorf("a no-transaction rc settled something: %+v", wh)
	}
	// A made transaction's failure is a failure.
	body = strings.Replace(strings.Replace(body, `"rc":"68"`, `"rc":"02"`, 1), "Stok habis", "Transaksi Gagal", 1)
	r.post(body, digiflazzsim.Signature(secret, []byte(body)), "")
	if wh := r.got[1]; wh.Err != nil || wh.Result.Status != flows.StatusFailed {
		t.Errorf("rc 02: %+v", wh)
	}
}

func TestWebhookPostpaid(t *testing.T) {
	r := newHookRig(t, secret)
	if r.post(successBody, digiflazzsim.Signature(secret, []byte(successBody)), "Digiflazz-Pasca-Hookshot"); len(r.got) != 1 || !r.got[0].Postpaid {
		t.Errorf("pasca user agent: %+v", r.got)
	}
}

func TestWebhookHandleErrorAsksForARetry(t *testing.T) {
	r := newHookRig(t, secret)
	r.fail = errors.New("database busy")
	if code := r.post(successBody, digiflazzsim.Signature(secret, []byte(successBody)), ""); code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", code)
	}
}

func TestWebhookHandlerNeedsHandle(t *testing.T) {
	if _, err := digiflazz.WebhookHandler(digiflazz.WebhookOptions{Secret: secret}); err == nil {
		t.Error("no error without Handle")
	}
}

func TestWebhookMatches(t *testing.T) {
	wh := digiflazz.Webhook{RefID: "R1", SKU: "ml86", CustomerNo: "123456785678"}
	if !wh.Matches(order("R1", "ml86", "12345678|5678")) {
		t.Error("the order it is about does not match")
	}
	for _, req := range []flows.OrderRequest{order("R2", "ml86", "12345678|5678"), order("R1", "ml172", "12345678|5678"), order("R1", "ml86", "12345678|5679")} {
		if wh.Matches(req) {
			t.Errorf("matches %+v", req)
		}
	}
}
