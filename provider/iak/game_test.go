package iak

import (
	"errors"
	"testing"

	"topupbot/flows"
)

func TestGameCode(t *testing.T) {
	for _, tc := range []struct{ brand, want string }{
		{"Mobile Legend", "103"},
		{"MOBILE LEGENDS", "103"},
		{"Mobile Legends: Bang Bang", "103"},
		{"Free Fire", "135"},
		{"FREE FIRE MAX", "135"},
		{"Genshin Impact", "172"},
		{"LoL Wild Rift", "176"},
		{"Google Play Indonesia", ""},
		{"", ""},
	} {
		if got := gameCode(tc.brand); got != tc.want {
			t.Errorf("gameCode(%q) = %q, want %q", tc.brand, got, tc.want)
		}
	}
}

// TestInquireGameAnswers maps each kind of inquiry-game answer: the
// request carries the game's code and the sign of it; 20 and 143 mean no
// check, 14 no such account, a misconfigured rc is for admins, and
// anything unreadable or undecided is unknown.
func TestInquireGameAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, answer string
		want         string
		check        func(error) bool
	}{
		{"success", `{"data":{"username":"budi","status":1,"message":"SUCCESS","rc":"00"}}`, "budi", nil},
		{"success, status a string", `{"data":{"username":"budi","status":"1","message":"SUCCESS","rc":"00"}}`, "budi", nil},
		{"no such account", `{"data":{"status":2,"message":"INCORRECT DESTINATION NUMBER","rc":"14"}}`, "",
			func(err error) bool {
				return flows.KindOf(err) == flows.KindRejected && flows.ReasonOf(err) == flows.ReasonWrongNumber
			}},
		{"code not found", `{"data":{"status":2,"message":"CODE NOT FOUND","rc":"20"}}`, "",
			func(err error) bool { return errors.Is(err, flows.ErrNoGameCheck) }},
		{"inquiry not needed", `{"data":{"status":2,"message":"INQUIRY NOT NEEDED","rc":"143"}}`, "",
			func(err error) bool { return errors.Is(err, flows.ErrNoGameCheck) }},
		{"wrong sign", `{"data":{"status":2,"message":"WRONG AUTHENTICATION","rc":"204"}}`, "",
			func(err error) bool { return flows.KindOf(err) == flows.KindMisconfigured }},
		{"success without a name", `{"data":{"status":1,"message":"SUCCESS","rc":"00"}}`, "",
			func(err error) bool { return flows.KindOf(err) == flows.KindUnknown }},
		{"failed status with rc 00", `{"data":{"username":"budi","status":2,"rc":"00"}}`, "",
			func(err error) bool { return flows.KindOf(err) == flows.KindUnknown }},
		{"no rc", `{"data":{"username":"budi","status":1}}`, "",
			func(err error) bool { return flows.KindOf(err) == flows.KindUnknown }},
		{"html", `<html>502</html>`, "",
			func(err error) bool { return flows.KindOf(err) == flows.KindUnknown }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, fake := newCanned(t, func(string, map[string]any) (int, string) { return 200, tc.answer })
			got, err := c.InquireGame(t.Context(), "Mobile Legend", "156378300|8483")
			if tc.check == nil && err != nil || tc.check != nil && !tc.check(err) {
				t.Fatalf("InquireGame = %q, %v", got, err)
			}
			if got != tc.want {
				t.Errorf("nickname %q, want %q", got, tc.want)
			}
			reqs := fake.requests()
			if len(reqs) != 1 || reqs[0].path != "/api/inquiry-game" {
				t.Fatalf("requests %+v", reqs)
			}
			b := reqs[0].body
			if b["game_code"] != "103" || b["customer_id"] != "156378300|8483" || b["username"] != testUser ||
				b["sign"] != sign(testUser, testKey, "103") {
				t.Errorf("request body %v", b)
			}
		})
	}
}

func TestInquireGameUnknownGameAsksNothing(t *testing.T) {
	c, fake := newCanned(t, func(string, map[string]any) (int, string) { return 200, `{}` })
	if _, err := c.InquireGame(t.Context(), "Google Play Indonesia", "081234567890"); !errors.Is(err, flows.ErrNoGameCheck) {
		t.Fatalf("err = %v, want ErrNoGameCheck", err)
	}
	if n := len(fake.requests()); n != 0 {
		t.Errorf("%d requests for a game without a code", n)
	}
}
