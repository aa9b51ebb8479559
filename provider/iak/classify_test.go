package iak

import (
	"encoding/json"
	"testing"

	"topupbot/flows"
)

// TestClassifyPrepaid pins DESIGN rules 3–5 for IAK prepaid answers: which
// answers settle an order, which keep it pending, which fail it, and that the
// same code can mean different things on a first send and on a check.
func TestClassifyPrepaid(t *testing.T) {
	type want struct {
		status flows.Status    // for a Result
		kind   flows.ErrorKind // for an error
		reason flows.Reason
	}
	res := func(s flows.Status, r flows.Reason) want { return want{status: s, reason: r} }
	fail := func(k flows.ErrorKind, r flows.Reason) want { return want{kind: k, reason: r} }
	tests := []struct {
		name        string
		body        string
		send, check want
	}{
		{"process", `{"ref_id":"R1","status":0,"rc":"39","tr_id":3482}`,
			res(flows.StatusPending, ""), res(flows.StatusPending, "")},
		{"success", `{"ref_id":"R1","status":1,"rc":"00","sn":"123","tr_id":3482}`,
			res(flows.StatusSuccess, ""), res(flows.StatusSuccess, "")},
		{"transaction failed", `{"ref_id":"R1","status":2,"rc":"07","tr_id":3482}`,
			fail(flows.KindRejected, flows.ReasonFailed), res(flows.StatusFailed, flows.ReasonFailed)},
		{"wrong number", `{"ref_id":"R1","status":2,"rc":"14","tr_id":0}`,
			fail(flows.KindRejected, flows.ReasonWrongNumber), res(flows.StatusFailed, flows.ReasonWrongNumber)},
		{"operator mismatch", `{"status":2,"rc":"16"}`,
			fail(flows.KindRejected, flows.ReasonOperatorMismatch), res(flows.StatusFailed, flows.ReasonOperatorMismatch)},
		{"no deposit", `{"status":2,"rc":"17"}`,
			fail(flows.KindRejected, flows.ReasonProviderBalance), res(flows.StatusFailed, flows.ReasonProviderBalance)},
		// Without a status a refusal code fails a first send, but on a
		// check it may be IAK validating a re-send of a live transaction.
		{"unknown product", `{"rc":"20","message":"CODE NOT FOUND"}`,
			fail(flows.KindRejected, flows.ReasonProductUnavailable), fail(flows.KindUnknown, "")},
		{"inactive product", `{"status":2,"rc":"106"}`,
			fail(flows.KindRejected, flows.ReasonProductUnavailable), res(flows.StatusFailed, flows.ReasonProductUnavailable)},
		{"daily limit", `{"status":2,"rc":"202"}`,
			fail(flows.KindRejected, flows.ReasonLimitReached), res(flows.StatusFailed, flows.ReasonLimitReached)},
		// 06 on a check means "not found": it never fails an order.
		{"not found", `{"ref_id":"R1","status":2,"rc":"06"}`,
			fail(flows.KindUnknown, ""), fail(flows.KindNotFound, "")},
		// Rule 5: 107, 110, 117, 201, 205, 208 change nothing on a check.
		{"xml format", `{"status":2,"rc":"107"}`,
			fail(flows.KindMisconfigured, flows.ReasonServiceUnavailable), fail(flows.KindUnknown, "")},
		{"maintenance", `{"status":2,"rc":"110"}`,
			fail(flows.KindRejected, flows.ReasonServiceUnavailable), fail(flows.KindUnknown, "")},
		{"page not found", `{"rc":"117"}`,
			fail(flows.KindMisconfigured, flows.ReasonServiceUnavailable), fail(flows.KindUnknown, "")},
		{"undefined rc", `{"status":0,"rc":"201"}`,
			res(flows.StatusPending, ""), res(flows.StatusPending, "")},
		{"wrong command", `{"rc":"205"}`,
			fail(flows.KindMisconfigured, flows.ReasonServiceUnavailable), fail(flows.KindUnknown, "")},
		{"invalid data", `{"rc":"208"}`,
			fail(flows.KindMisconfigured, flows.ReasonServiceUnavailable), fail(flows.KindUnknown, "")},
		// Rule 5: 102, 118, 204 are misconfigured on a send and on a check.
		{"invalid ip", `{"status":2,"rc":"102"}`,
			fail(flows.KindMisconfigured, flows.ReasonServiceUnavailable), fail(flows.KindMisconfigured, flows.ReasonServiceUnavailable)},
		{"suspended", `{"rc":"118"}`,
			fail(flows.KindMisconfigured, flows.ReasonServiceUnavailable), fail(flows.KindMisconfigured, flows.ReasonServiceUnavailable)},
		{"wrong sign", `{"rc":"204"}`,
			fail(flows.KindMisconfigured, flows.ReasonServiceUnavailable), fail(flows.KindMisconfigured, flows.ReasonServiceUnavailable)},
		// Rule 3: an rc the table lacks is unknown.
		{"unknown rc", `{"status":2,"rc":"999"}`,
			fail(flows.KindUnknown, ""), fail(flows.KindUnknown, "")},
		// The rc decides; status only when rc is absent.
		{"status only, process", `{"status":0}`, res(flows.StatusPending, ""), res(flows.StatusPending, "")},
		{"status only, success", `{"status":"1"}`, res(flows.StatusSuccess, ""), res(flows.StatusSuccess, "")},
		{"status only, failed", `{"status":2}`,
			fail(flows.KindRejected, flows.ReasonFailed), res(flows.StatusFailed, flows.ReasonFailed)},
		{"status only, odd", `{"status":7}`, fail(flows.KindUnknown, ""), fail(flows.KindUnknown, "")},
		{"neither rc nor status", `{"message":"?"}`, fail(flows.KindUnknown, ""), fail(flows.KindUnknown, "")},
		{"pending rc beats status", `{"status":2,"rc":"39"}`, res(flows.StatusPending, ""), res(flows.StatusPending, "")},
		// A status contradicting a final rc: no money moves on it.
		{"success rc, failed status", `{"status":2,"rc":"00"}`, fail(flows.KindUnknown, ""), fail(flows.KindUnknown, "")},
		{"failure rc, success status", `{"status":1,"rc":"07"}`, fail(flows.KindUnknown, ""), fail(flows.KindUnknown, "")},
		{"another ref's answer", `{"ref_id":"OTHER","status":1,"rc":"00"}`, fail(flows.KindUnknown, ""), fail(flows.KindUnknown, "")},
		{"postpaid key spelling", `{"status":1,"response_code":"00"}`, res(flows.StatusSuccess, ""), res(flows.StatusSuccess, "")},
	}
	for _, tt := range tests {
		var d txData
		if err := json.Unmarshal([]byte(tt.body), &d); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		for _, mode := range []struct {
			check bool
			want  want
		}{{false, tt.send}, {true, tt.check}} {
			r, err := classifyPrepaid("op", "R1", d, mode.check)
			label := tt.name + map[bool]string{false: " (send)", true: " (check)"}[mode.check]
			if mode.want.kind != "" {
				if err == nil {
					t.Errorf("%s: got result %+v, want %s error", label, r, mode.want.kind)
					continue
				}
				if got := flows.KindOf(err); got != mode.want.kind {
					t.Errorf("%s: kind %s, want %s (%v)", label, got, mode.want.kind, err)
				}
				if got := flows.ReasonOf(err); mode.want.reason != "" && got != mode.want.reason {
					t.Errorf("%s: reason %s, want %s", label, got, mode.want.reason)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: error %v, want status %s", label, err, mode.want.status)
				continue
			}
			if r.Status != mode.want.status || r.Reason != mode.want.reason {
				t.Errorf("%s: got %s/%q, want %s/%q", label, r.Status, r.Reason, mode.want.status, mode.want.reason)
			}
		}
	}
}

func TestPrepaidCodesAreComplete(t *testing.T) {
	// Every failure code must carry a reason a buyer can be shown.
	for rc, c := range prepaidCodes {
		if c.class == classFailed && c.reason == "" {
			t.Errorf("prepaid rc %s fails orders without a reason", rc)
		}
	}
	for rc, c := range postpaidCodes {
		if c.class == classFailed && c.reason == "" {
			t.Errorf("postpaid rc %s fails bills without a reason", rc)
		}
	}
}
