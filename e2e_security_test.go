package main

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// e2eSign is IAK's callback sign for ref with the e2e account.
func e2eSign(key, ref string) string {
	sum := md5.Sum([]byte("081234567890" + key + ref))
	return hex.EncodeToString(sum[:])
}

// TestEndToEndCallbacks: IAK's callback endpoint of the running binary
// refuses forged, oversized and mis-sent callbacks; a valid one only makes
// the bot ask IAK, so its claim (a fake SN) never reaches the buyer; replays
// after settlement change nothing. Nothing of it puts a secret in run's
// output (checked by newE2E, signs included).
func TestEndToEndCallbacks(t *testing.T) {
	t.Parallel()
	e := newE2E(t, -1) // the simulator settles only when told
	addr := freeAddr(t)
	e.cfg.Callback.Listen = addr
	e.start()
	e.say("/start")
	e.tap("Pulsa")
	e.tap("Telkomsel")
	e.tap("Telkomsel 10.000")
	e.waitFor(e2eBuyer, "Ketik nomor HP")
	e.say("081212345678")
	e.waitFor(e2eBuyer, "Konfirmasi pesanan")
	e.tap("✅ Konfirmasi")
	e.waitFor(e2eBuyer, "sedang diproses")
	var ref string
	// The order is written ahead before it is sent: wait until IAK holds it
	// too, or settling it there below races the bot's send.
	if !e.fake.WaitFor(func() bool {
		ref = pendingRef(e)
		_, sent := e.sim.Transaction(ref)
		return ref != "" && sent
	}, 10*time.Second) {
		t.Fatal("no pending order at IAK")
	}

	url := "http://" + addr + "/callback/iak"
	post := func(body string) int {
		t.Helper()
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	callback := func(status, rc, sn, sign string) string {
		b, _ := json.Marshal(map[string]any{"data": map[string]string{"ref_id": ref, "status": status, "rc": rc,
			"sn": sn, "price": "10850", "tr_id": "1", "sign": sign}})
		return string(b)
	}
	valid := e2eSign(e2eIAKKey, ref)
	for name, tc := range map[string]struct {
		body string
		code int
	}{
		"signed with another key":  {callback("1", "00", "FAKE-SN-1", e2eSign("sandbox-key", ref)), http.StatusForbidden},
		"signed for another order": {callback("1", "00", "FAKE-SN-2", e2eSign(e2eIAKKey, "R1")), http.StatusForbidden},
		"the api key as the sign":  {callback("1", "00", "FAKE-SN-3", e2eIAKKey), http.StatusForbidden},
		"no sign":                  {callback("1", "00", "FAKE-SN-4", ""), http.StatusBadRequest},
		"garbage":                  {"<xml>FAKE-SN-5</xml>", http.StatusBadRequest},
		"a megabyte":               {callback("1", "00", "FAKE-SN-6"+strings.Repeat("x", 1<<20), valid), http.StatusRequestEntityTooLarge},
		// Valid, while IAK still says pending: a check, nothing more.
		"valid, claiming success": {callback("1", "00", "FAKE-SN-7", valid), http.StatusOK},
	} {
		if code := post(tc.body); code != tc.code {
			t.Errorf("%s: HTTP %d, want %d", name, code, tc.code)
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: HTTP %d, want 405", resp.StatusCode)
	}

	// IAK settles; its callback (or the poller) delivers IAK's SN.
	if err := e.sim.Settle(ref, true); err != nil {
		t.Fatal(err)
	}
	if code := post(callback("1", "00", "FAKE-SN-8", valid)); code != http.StatusOK {
		t.Errorf("valid callback after settlement: HTTP %d", code)
	}
	done := e.waitFor(e2eBuyer, "Transaksi berhasil")
	// Replays of a settled order are answered at once and change nothing.
	for _, body := range []string{callback("1", "00", "FAKE-SN-9", valid), callback("2", "07", "", valid)} {
		for range 3 {
			if code := post(body); code != http.StatusOK {
				t.Errorf("replay: HTTP %d", code)
			}
		}
	}
	e.say("/history")
	e.waitFor(e2eBuyer, "10 pesanan terakhir")
	e.stop()

	settled := 0
	for _, m := range e.fake.Messages(e2eBuyer) {
		if strings.Contains(m.Text, "FAKE-SN") {
			t.Errorf("a callback's claim reached the buyer: %q", m.Text)
		}
		if strings.Contains(m.Text, "Transaksi berhasil") {
			settled++
		}
	}
	if settled != 1 || !strings.Contains(done.Text, "SN: <code>") {
		t.Errorf("%d settlement messages, want 1; SN message %q", settled, done.Text)
	}
	if strings.Contains(e.out.String(), "FAKE-SN-6xxxxxxxx") {
		t.Error("the megabyte's body reached the log")
	}
}
