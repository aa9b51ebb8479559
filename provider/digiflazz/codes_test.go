package digiflazz

import (
	"errors"
	"fmt"
	"testing"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// documentedRCs is the rc list of providers.md §3, every code Digiflazz
// documents for buyers.
var documentedRCs = []string{
	"00", "01", "02", "03", "40", "41", "42", "43", "44", "45", "47", "49", "50",
	"51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61", "62", "63",
	"64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "80", "81",
	"82", "83", "84", "85", "86", "87", "88", "99",
}

// outcomeOf is what classify made of an answer, in one word: a Result's
// status or an error's kind.
func outcomeOf(res flows.Result, err error) string {
	if err != nil {
		return string(flows.KindOf(err))
	}
	return string(res.Status)
}

// statusFor is the status word Digiflazz sends with rc.
func statusFor(rc string) string {
	switch rc {
	case "00":
		return "Sukses"
	case "03", "99":
		return "Pending"
	}
	return "Gagal"
}

// TestEveryDocumentedRCIsClassified is the rc table read as a
// specification: for each documented rc, with the status Digiflazz sends
// with it, what a first send and a check (re-send, webhook) make of it.
func TestEveryDocumentedRCIsClassified(t *testing.T) {
	const (
		success = "success"
		pending = "pending"
		failed  = "failed"
		rej     = "rejected"
		unk     = "unknown"
		mis     = "misconfigured"
	)
	// want[rc] = {first send, check}
	want := map[string][2]string{
		"00": {success, success}, "03": {pending, pending}, "99": {pending, pending},
		// A made transaction's failure fails the order either way.
		"01": {failed, failed}, "02": {failed, failed}, "51": {failed, failed}, "52": {failed, failed},
		"53": {failed, failed}, "54": {failed, failed}, "55": {failed, failed}, "57": {failed, failed},
		"58": {failed, failed}, "59": {failed, failed}, "60": {failed, failed}, "70": {failed, failed},
		"71": {failed, failed}, "72": {failed, failed}, "73": {failed, failed}, "74": {failed, failed},
		"84": {failed, failed},
		// Refusals that create nothing reject a first send; on a check they
		// say nothing about the first send's transaction.
		"43": {rej, unk}, "44": {rej, unk}, "47": {rej, unk}, "56": {rej, unk}, "61": {rej, unk},
		"62": {rej, unk}, "63": {rej, unk}, "64": {rej, unk}, "65": {rej, unk}, "66": {rej, unk},
		"67": {rej, unk}, "68": {rej, unk}, "69": {rej, unk}, "81": {rej, unk}, "83": {rej, unk},
		"87": {rej, unk},
		// The account cannot transact: for admins, on either.
		"40": {mis, mis}, "41": {mis, mis}, "42": {mis, mis}, "45": {mis, mis}, "80": {mis, mis},
		"82": {mis, mis}, "88": {mis, mis},
		// Nothing can be concluded.
		"49": {unk, unk}, "50": {unk, unk}, "85": {unk, unk}, "86": {unk, unk},
	}
	for _, rc := range documentedRCs {
		w, ok := want[rc]
		if !ok {
			t.Errorf("rc %s: no expectation written", rc)
			continue
		}
		if _, ok := codes[rc]; !ok {
			t.Errorf("rc %s is missing from the table", rc)
		}
		d := txData{RefID: "R1", RC: flex.String(rc), Status: flex.String(statusFor(rc)), Message: "m"}
		for i, check := range []bool{false, true} {
			res, err := classify("test", expect{refID: "R1"}, d, check)
			if got := outcomeOf(res, err); got != w[i] {
				t.Errorf("rc %s check=%v: %s, want %s (err %v)", rc, check, got, w[i], err)
			}
			if err == nil && !res.Acknowledged {
				t.Errorf("rc %s check=%v: a transaction record not acknowledged", rc, check)
			}
			if flows.KindOf(err) == flows.KindRejected && flows.ReasonOf(err) == "" {
				t.Errorf("rc %s: rejected without a reason", rc)
			}
		}
	}
	for rc := range codes {
		if _, ok := want[rc]; !ok {
			t.Errorf("rc %s is in the table but not documented", rc)
		}
	}
}

func TestClassifyRefusesContradictions(t *testing.T) {
	for _, tc := range []struct{ status, rc string }{
		{"Sukses", "02"}, {"Sukses", "03"}, {"Pending", "00"}, {"Pending", "02"},
		{"Gagal", "00"}, {"Gagal", "03"}, {"Gagal", "99"}, {"Berhasil", "00"}, {"", "00"},
		{"Sukses", ""}, {"Gagal", ""}, {"Gagal", "48"}, {"Gagal", "999"},
	} {
		for _, check := range []bool{false, true} {
			d := txData{RefID: "R1", RC: flex.String(tc.rc), Status: flex.String(tc.status)}
			res, err := classify("test", expect{refID: "R1"}, d, check)
			if flows.KindOf(err) != flows.KindUnknown {
				t.Errorf("status %q rc %q check=%v: %s, want unknown", tc.status, tc.rc, check, outcomeOf(res, err))
			}
		}
	}
}

func TestClassifyRefusesAnAnswerAboutAnotherTransaction(t *testing.T) {
	want := expect{refID: "R1", sku: "xld10", customerNo: "087800001230"}
	for _, d := range []txData{
		{RefID: "R2", BuyerSKUCode: "xld10", CustomerNo: "087800001230", Status: "Sukses", RC: "00"},
		{RefID: "R1", BuyerSKUCode: "xld25", CustomerNo: "087800001230", Status: "Gagal", RC: "02"},
		{RefID: "R1", BuyerSKUCode: "xld10", CustomerNo: "087800009999", Status: "Sukses", RC: "00"},
	} {
		if _, err := classify("test", want, d, false); flows.KindOf(err) != flows.KindUnknown {
			t.Errorf("%+v: %v, want unknown", d, err)
		}
	}
}

func TestRefNotUniqueIsRecognisable(t *testing.T) {
	d := txData{RefID: "R1", RC: "49", Status: "Gagal", Message: "Ref ID tidak unik"}
	_, err := classify("test", expect{refID: "R1"}, d, true)
	var pe *flows.ProviderError
	if !errors.As(err, &pe) || pe.RC != "49" || !IsRefNotUnique(err) || pe.Kind != flows.KindUnknown || pe.Alert != flows.AlertRefConflict {
		t.Fatalf("err = %v, want unknown rc 49 recognised by IsRefNotUnique, alerting once per order", err)
	}
	if IsRefNotUnique(fmt.Errorf("wrapped: %w", err)) != true || IsRefNotUnique(errors.New("rc 49")) {
		t.Error("IsRefNotUnique must follow wrapping and only recognise the sentinel")
	}
}
