package mesinr1

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"topupbot/flows"
)

// okRecord is a successful topup answer for ref R1.
const okRecord = `{"status":"success","code":200,"message":"success","rc":"00","data":{"ref_1":"R1","product_code":"IS5","customer_id":"081234567890","status":1,"status_label":"success","price":"5500","total_price":"5500","msg":"TRX IS5.081234567890 SUKSES, SN:ABC123"}}`

// TestTopupClassification is the outcome mapping of a first send, one row
// per answer class (DESIGN rules 3 and 5). Status, when asked, answers
// statusBody.
func TestTopupClassification(t *testing.T) {
	type want struct {
		kind   flows.ErrorKind
		status flows.Status
		reason flows.Reason
		sn     string
		price  int64
	}
	const noRecord = `{"status":"error","code":404,"message":"TRANSAKSI TIDAK DITEMUKAN","rc":"25","data":null}`
	tests := []struct {
		name       string
		http       int
		body       string
		statusBody string
		want       want
	}{
		// Records decide.
		{"success", 200, okRecord, "", want{status: flows.StatusSuccess, sn: "ABC123", price: 5500}},
		{"pending 2", 200, `{"status":"success","rc":"00","data":{"ref_1":"R1","status":2,"status_label":"pending","price":5500}}`, "", want{status: flows.StatusPending, price: 5500}},
		{"pending 3", 200, `{"status":"success","rc":"00","data":{"ref_1":"R1","status":"3"}}`, "", want{status: flows.StatusPending}},
		{"unknown status code is pending", 200, `{"status":"success","data":{"ref_1":"R1","status":7}}`, "", want{status: flows.StatusPending}},
		{"status as a string", 200, `{"status":"success","data":{"ref_1":"R1","status":"1","sn":"XYZ","msg":"TRX SUKSES, SN:OTHER"}}`, "", want{status: flows.StatusSuccess, sn: "XYZ"}},
		{"label only success", 200, `{"status":"success","data":{"ref_1":"R1","status_label":"Sukses","msg":"SN=QQ1."}}`, "", want{status: flows.StatusSuccess, sn: "QQ1"}},
		{"label only failed", 200, `{"status":"success","data":{"ref_1":"R1","status_label":"Gagal"}}`, "", want{status: flows.StatusFailed, reason: flows.ReasonFailed}},
		{"failed record rc 14", 200, `{"status":"error","rc":"14","data":{"ref_1":"R1","status":11}}`, "", want{status: flows.StatusFailed, reason: flows.ReasonWrongNumber}},
		{"failed record rc in record", 200, `{"status":"success","rc":"00","data":{"ref_1":"R1","status":11,"rc":"51"}}`, "", want{status: flows.StatusFailed, reason: flows.ReasonProviderBalance}},
		{"failed record reason from msg", 200, `{"status":"success","data":{"ref_1":"R1","status":11,"msg":"TRX IS5.0812 GAGAL, NOMOR TUJUAN SALAH."}}`, "", want{status: flows.StatusFailed, reason: flows.ReasonWrongNumber}},
		{"record without ref_1", 200, `{"status":"success","data":{"status":1,"msg":"SN:K1 HRG:1"}}`, "", want{status: flows.StatusSuccess, sn: "K1"}},
		{"price as number", 200, `{"status":"success","data":{"ref_1":"R1","status":1,"price":5500}}`, "", want{status: flows.StatusSuccess, price: 5500}},
		{"price as decimal", 200, `{"status":"success","data":{"ref_1":"R1","status":1,"price":5500.0}}`, "", want{status: flows.StatusSuccess, price: 5500}},
		{"price as decimal string", 200, `{"status":"success","data":{"ref_1":"R1","status":1,"total_price":"5500.00","price":"1"}}`, "", want{status: flows.StatusSuccess, price: 5500}},
		{"record in an array", 200, `{"status":"success","data":[{"ref_1":"R1","status":1}]}`, "", want{status: flows.StatusSuccess}},

		// rc 94: the transaction exists; status answers.
		{"duplicate asks status", 400, `{"status":"error","code":400,"message":"REF_1 SUDAH DIGUNAKAN","rc":"94","data":null}`, okRecord, want{status: flows.StatusSuccess, sn: "ABC123", price: 5500}},
		{"duplicate 200", 200, `{"status":"error","rc":"94"}`, `{"status":"success","data":{"ref_1":"R1","status":2}}`, want{status: flows.StatusPending}},
		{"duplicate with failed status", 200, `{"status":"error","rc":"94"}`, `{"status":"success","data":{"ref_1":"R1","status":11,"rc":"14"}}`, want{status: flows.StatusFailed, reason: flows.ReasonWrongNumber}},
		{"duplicate but no record anywhere", 200, `{"status":"error","rc":"94"}`, noRecord, want{kind: flows.KindUnknown}},
		{"duplicate with record still asks status", 200, `{"status":"error","rc":"94","data":{"ref_1":"R1","status":11}}`, okRecord, want{status: flows.StatusSuccess, sn: "ABC123", price: 5500}},

		// Refusals without a record.
		{"rc 14", 400, `{"status":"error","code":400,"message":"NOMOR TUJUAN SALAH","rc":"14","data":null}`, "", want{kind: flows.KindRejected, reason: flows.ReasonWrongNumber}},
		{"rc 14 on 200", 200, `{"status":"error","message":"NOMOR TUJUAN SALAH","rc":"14"}`, "", want{kind: flows.KindRejected, reason: flows.ReasonWrongNumber}},
		{"rc 12", 400, `{"status":"error","rc":"12"}`, "", want{kind: flows.KindRejected, reason: flows.ReasonProductUnavailable}},
		{"rc 76 on 404", 404, `{"status":"error","rc":"76"}`, "", want{kind: flows.KindRejected, reason: flows.ReasonProductUnavailable}},
		{"rc 13", 400, `{"status":"error","rc":"13"}`, "", want{kind: flows.KindRejected, reason: flows.ReasonProductUnavailable}},
		{"rc 51", 400, `{"status":"error","rc":"51","message":"SALDO TIDAK CUKUP"}`, "", want{kind: flows.KindRejected, reason: flows.ReasonProviderBalance}},
		{"rc 30", 422, `{"status":"error","rc":"30","message":{"ref_1":["required"]}}`, "", want{kind: flows.KindRejected, reason: flows.ReasonFailed}},
		{"rc numeric", 400, `{"status":"error","rc":14}`, "", want{kind: flows.KindRejected, reason: flows.ReasonWrongNumber}},
		{"unknown rc rejects plainly", 400, `{"status":"error","rc":"77","message":"LAINNYA"}`, "", want{kind: flows.KindRejected, reason: flows.ReasonFailed}},
		{"failed status word", 400, `{"status":"failed","rc":"05"}`, "", want{kind: flows.KindRejected, reason: flows.ReasonFailed}},
		{"reason from message", 400, `{"status":"error","rc":"05","message":"Saldo anda tidak cukup"}`, "", want{kind: flows.KindRejected, reason: flows.ReasonProviderBalance}},
		{"validation errors in data", 422, `{"status":"error","rc":"30","data":{"ref_1":["The ref 1 field is required."]}}`, "", want{kind: flows.KindRejected, reason: flows.ReasonFailed}},

		// Still working: unknown.
		{"rc 68", 200, `{"status":"error","rc":"68","message":"TIMEOUT"}`, "", want{kind: flows.KindUnknown}},
		{"rc 96", 400, `{"status":"error","rc":"96"}`, "", want{kind: flows.KindUnknown}},

		// Misconfigured.
		{"rc 92", 403, `{"status":"error","rc":"92","message":"Invalid IP, IP:10.1.2.3"}`, "", want{kind: flows.KindMisconfigured}},
		{"rc 92 on 200", 200, `{"status":"error","rc":"92"}`, "", want{kind: flows.KindMisconfigured}},
		{"rc 63", 401, `{"status":"error","rc":"63"}`, "", want{kind: flows.KindMisconfigured}},
		{"rc 55", 400, `{"status":"error","rc":"55"}`, "", want{kind: flows.KindMisconfigured}},
		{"401 without rc", 401, `{"status":"error","message":"Unauthenticated."}`, "", want{kind: flows.KindMisconfigured}},
		{"invalid ip without rc", 200, `{"status":"error","message":"Invalid IP 1.2.3.4"}`, "", want{kind: flows.KindMisconfigured}},
		{"route not found", 404, `{"status":"error","message":"Not Found"}`, "", want{kind: flows.KindMisconfigured}},

		// Everything that proves nothing: unknown, never rejected.
		{"429 without rc", 429, `{"status":"error","message":"Too Many Attempts."}`, "", want{kind: flows.KindUnknown}},
		{"success without record", 200, `{"status":"success","rc":"00","data":null}`, "", want{kind: flows.KindUnknown}},
		{"success with empty object", 200, `{"status":"success","rc":"00","data":{}}`, "", want{kind: flows.KindUnknown}},
		{"error with rc 00", 200, `{"status":"error","rc":"00"}`, "", want{kind: flows.KindUnknown}},
		{"no status field", 200, `{"rc":"14"}`, "", want{kind: flows.KindUnknown}},
		{"pending envelope", 200, `{"status":"pending","rc":"14"}`, "", want{kind: flows.KindUnknown}},
		{"error envelope, success record", 200, `{"status":"error","rc":"05","data":{"ref_1":"R1","status":1}}`, "", want{kind: flows.KindUnknown}},
		{"record about another ref", 200, `{"status":"success","data":{"ref_1":"OTHER","status":11}}`, "", want{kind: flows.KindUnknown}},
		{"500 json with rc 14", 500, `{"status":"error","rc":"14"}`, "", want{kind: flows.KindUnknown}},
		{"502 html", 502, `<html><body>Bad Gateway</body></html>`, "", want{kind: flows.KindUnknown}},
		{"200 html", 200, `<!DOCTYPE html><html><title>Maintenance</title></html>`, "", want{kind: flows.KindUnknown}},
		{"truncated json", 200, okRecord[:len(okRecord)/2], "", want{kind: flows.KindUnknown}},
		{"empty body", 200, ``, "", want{kind: flows.KindUnknown}},
		{"json null", 200, `null`, "", want{kind: flows.KindUnknown}},
		{"json array", 200, `[{"status":"error","rc":"14"}]`, "", want{kind: flows.KindUnknown}},
		{"status is an object", 200, `{"status":{"a":1},"rc":"14"}`, "", want{kind: flows.KindUnknown}},
		{"record status is an object", 200, `{"status":"success","data":{"ref_1":"R1","status":{"code":1}}}`, "", want{kind: flows.KindUnknown}},
		{"ambiguous price", 200, `{"status":"success","data":{"ref_1":"R1","status":1,"price":"5.500"}}`, "", want{kind: flows.KindUnknown}},
		{"fractional price", 200, `{"status":"success","data":{"ref_1":"R1","status":1,"price":5500.5}}`, "", want{kind: flows.KindUnknown}},
		{"data is a string", 200, `{"status":"success","rc":"00","data":"OK"}`, "", want{kind: flows.KindUnknown}},
		{"redirect", 302, ``, "", want{kind: flows.KindUnknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := cannedClient(t, func(path string, body map[string]any) (int, string) {
				if path == "status" || strings.HasPrefix(path, "history/") {
					if tt.statusBody == "" {
						return 404, noRecord
					}
					return 200, tt.statusBody
				}
				return tt.http, tt.body
			})
			res, err := c.Place(context.Background(), order("R1", "IS5", "081234567890"))
			if got := kindOf(err); got != tt.want.kind {
				t.Fatalf("Place = %+v, %v (kind %q), want kind %q", res, err, got, tt.want.kind)
			}
			if tt.want.kind != "" {
				if tt.want.reason != "" && flows.ReasonOf(err) != tt.want.reason {
					t.Errorf("reason = %q, want %q (%v)", flows.ReasonOf(err), tt.want.reason, err)
				}
				if !strings.HasPrefix(err.Error(), "mesinr1: ") {
					t.Errorf("error %q does not name the operation", err)
				}
				return
			}
			if res.Status != tt.want.status || res.Reason != tt.want.reason || !res.Acknowledged ||
				(tt.want.sn != "" && res.SN != tt.want.sn) || (tt.want.price != 0 && res.Price != tt.want.price) {
				t.Errorf("Place = %+v, want %+v", res, tt.want)
			}
			if tt.statusBody != "" && rec.count("status") == 0 {
				t.Errorf("rc 94 did not ask status: %v", rec.paths())
			}
		})
	}
}

// TestCheckResendRefusalIsConfirmed: a refusal of a re-send is believed only
// when status and history show no transaction under the ref.
func TestCheckResendRefusalIsConfirmed(t *testing.T) {
	tests := []struct {
		name       string
		statusCode int
		statusBody string
		wantKind   flows.ErrorKind
		wantStatus flows.Status
	}{
		{"transaction exists", 200, `{"status":"success","data":{"ref_1":"R1","status":2}}`, "", flows.StatusPending},
		{"nothing exists", 404, `{"status":"error","rc":"25","message":"TIDAK DITEMUKAN"}`, flows.KindRejected, ""},
		{"status unreachable", 502, `<html>bad gateway</html>`, flows.KindUnknown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := cannedClient(t, func(path string, body map[string]any) (int, string) {
				if path == "topup" {
					return 400, `{"status":"error","rc":"51","message":"SALDO TIDAK CUKUP"}`
				}
				return tt.statusCode, tt.statusBody
			})
			res, err := c.Check(context.Background(), order("R1", "IS5", "081234567890"))
			if kindOf(err) != tt.wantKind || res.Status != tt.wantStatus {
				t.Errorf("Check = %+v, %v; want kind %q status %q", res, err, tt.wantKind, tt.wantStatus)
			}
			if tt.wantKind == flows.KindRejected && flows.ReasonOf(err) != flows.ReasonProviderBalance {
				t.Errorf("reason = %q, want the re-send's provider_balance", flows.ReasonOf(err))
			}
			if rec.count("topup") != 1 || rec.count("status") != 1 {
				t.Errorf("calls = %v", rec.paths())
			}
		})
	}
}

// TestStatusAnswers maps status/history answers for an acknowledged order.
func TestStatusAnswers(t *testing.T) {
	tests := []struct {
		name        string
		status      [2]any // code, body of status
		history     [2]any // code, body of history/{ref}
		wantKind    flows.ErrorKind
		wantStatus  flows.Status
		wantHistory bool // whether history is asked
	}{
		{"record", [2]any{200, okRecord}, [2]any{}, "", flows.StatusSuccess, false},
		{"no record, history has it", [2]any{404, `{"status":"error","rc":"25"}`}, [2]any{200, okRecord}, "", flows.StatusSuccess, true},
		{"no record anywhere", [2]any{404, `{"status":"error","rc":"25"}`}, [2]any{404, `{"status":"error","rc":"25"}`}, flows.KindNotFound, "", true},
		{"empty success", [2]any{200, `{"status":"success","data":[]}`}, [2]any{200, `{"status":"success","data":null}`}, flows.KindNotFound, "", true},
		{"no record, history broken", [2]any{404, `{"status":"error","rc":"25"}`}, [2]any{500, `oops`}, flows.KindUnknown, "", true},
		{"status 5xx", [2]any{503, `<html>down</html>`}, [2]any{}, flows.KindUnknown, "", false},
		{"status truncated", [2]any{200, okRecord[:40]}, [2]any{}, flows.KindUnknown, "", false},
		{"status rc 68", [2]any{200, `{"status":"error","rc":"68"}`}, [2]any{}, flows.KindUnknown, "", false},
		{"status misconfigured", [2]any{403, `{"status":"error","rc":"92","message":"Invalid IP"}`}, [2]any{}, flows.KindMisconfigured, "", false},
		{"status no envelope", [2]any{200, `{}`}, [2]any{}, flows.KindUnknown, "", false},
		{"status about another ref", [2]any{200, `{"status":"success","data":{"ref_1":"X9","status":11}}`}, [2]any{}, flows.KindUnknown, "", false},
		{"status failed record", [2]any{200, `{"status":"success","data":{"ref_1":"R1","status":11,"rc":"14"}}`}, [2]any{}, "", flows.StatusFailed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := cannedClient(t, func(path string, body map[string]any) (int, string) {
				switch {
				case path == "status":
					return tt.status[0].(int), tt.status[1].(string)
				case path == "history/R1" && tt.history[0] != nil:
					return tt.history[0].(int), tt.history[1].(string)
				}
				t.Errorf("unexpected call %s", path)
				return 500, ""
			})
			req := order("R1", "IS5", "081234567890")
			req.Acknowledged = true
			res, err := c.Check(context.Background(), req)
			if kindOf(err) != tt.wantKind || res.Status != tt.wantStatus {
				t.Errorf("Check = %+v, %v; want kind %q status %q", res, err, tt.wantKind, tt.wantStatus)
			}
			if got := rec.count("history/R1") > 0; got != tt.wantHistory {
				t.Errorf("history asked = %v, want %v (%v)", got, tt.wantHistory, rec.paths())
			}
			if rec.count("topup") != 0 {
				t.Error("an acknowledged order was re-sent")
			}
		})
	}
}

// TestConnectionDropIsUnknown: the server reads the order and hangs up.
func TestConnectionDropIsUnknown(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, MMID: testMMID, APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Place(context.Background(), order("R1", "IS5", "081234567890")); kindOf(err) != flows.KindUnknown {
		t.Errorf("Place = %v, want unknown", err)
	}
	// Nobody listening at all.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, _ = New(Config{BaseURL: "http://" + addr, MMID: testMMID, APIKey: testKey})
	if _, err := c.Place(context.Background(), order("R1", "IS5", "081234567890")); kindOf(err) != flows.KindUnknown {
		t.Errorf("Place to a closed port = %v, want unknown", err)
	}
}

func TestSNFromMsg(t *testing.T) {
	tests := []struct{ msg, want string }{
		{"TRX IS5.081234567890 SUKSES, SN:ABC123", "ABC123"},
		{"TRX IS5.081234567890 SUKSES, SN:ABC123.", "ABC123"},
		{"TRX T1.089652137194 SUKSES, HRG:2000 SN:ABC REFID:TEST-1.", "ABC"},
		{"TRX IS5.0812 SUKSES, SN:0041000123456 HRG:5500 REFID:R1.", "0041000123456"},
		{"TRX IS5.0812 SUKSES, SN=XYZ-9, HRG=5500", "XYZ-9"},
		{"TRX IS5.0812 SUKSES. SN: 12 34 56 SALDO:100", "12 34 56"},
		{"sukses sn:lower1;", "lower1"},
		{"TRX PLN20.123 SUKSES, SN:1234-5678-9012-3456-7890/ANTO/R1/1300VA/13.8 HRG:21500 REFID:R2.", "1234-5678-9012-3456-7890/ANTO/R1/1300VA/13.8"},
		{"TRX ESIM.0812 SUKSES, SN:LPA:1$rsp.example$ABCD HRG:1", "LPA:1$rsp.example$ABCD"},
		{"S/N:77X", "77X"},
		{"TRX IS5.0812 SEDANG DIPROSES. REFID:R1.", ""},
		{"TRX IS5.0812 SUKSES, SN:-", ""},
		{"TRX IS5.0812 SUKSES, SN: HRG:5500", ""},
		{"TRXSN:NOPE", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := snFromMsg(tt.msg); got != tt.want {
			t.Errorf("snFromMsg(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}
