package flows_test

import (
	"math/rand"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"topupbot/bot"
	"topupbot/flows"
	"topupbot/internal/testclock"
)

const stranger = int64(7001)

// strangerLines are the queued notifications with an Allow button.
func strangerLines(t *testing.T, a *adminConvo) []flows.Notification {
	t.Helper()
	notes, err := a.db.DueNotifications(bg, a.clk.Now().Add(24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []flows.Notification
	for _, n := range notes {
		if len(n.Buttons) > 0 {
			out = append(out, n)
		}
	}
	return out
}

func (a *adminConvo) tapAs(user, chat int64, data flows.ButtonData) []flows.Reply {
	a.t.Helper()
	return a.input(flows.Input{ChatID: chat, UserID: user, Private: chat > 0, Kind: flows.InputButton, Button: data, MessageID: 1})
}

// TestStrangerLineOnce: a stranger who writes ten times — and again after a
// restart — is one line to the ops group, with their name and id and an
// Allow button carrying the user id; without an ops group each admin gets
// it privately.
func TestStrangerLineOnce(t *testing.T) {
	a := newAdminConvo(t, 0)
	for i := range 10 {
		var got []flows.Reply
		switch i % 3 {
		case 0:
			got = a.cmd(stranger, false, "/start")
		case 1:
			got = a.cmd(stranger, false, "halo")
		default:
			got = a.tapAs(stranger, stranger, flows.ButtonData{Menu: "old", Action: "c", Arg: "pulsa"})
		}
		if !strings.Contains(text(got), "<code>7001</code>") {
			t.Fatalf("stranger's answer: %q", text(got))
		}
	}
	lines := strangerLines(t, a)
	if len(lines) != 1 {
		t.Fatalf("%d stranger lines after ten messages, want 1: %+v", len(lines), lines)
	}
	l := lines[0]
	if l.ChatID != opsChat || !l.ToOps || !strings.Contains(l.Text, "Budi") || !strings.Contains(l.Text, "<code>7001</code>") {
		t.Errorf("line %+v", l)
	}
	want := flows.ButtonData{Action: string(flows.EvAllow), Arg: strconv.FormatInt(stranger, 10)}
	if len(l.Buttons) != 1 || len(l.Buttons[0]) != 1 || l.Buttons[0][0].Data != want || l.Buttons[0][0].Label != "Izinkan" {
		t.Errorf("buttons %+v, want one Izinkan carrying %+v", l.Buttons, want)
	}

	// A restart: a new conversation on the same database remembers.
	restarted := flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: a.db, Products: a.cache, Engine: a.engine,
		Admins: []int64{adminID}, Now: a.clk.Now, Random: &seededReader{r: rand.New(rand.NewSource(3))}})
	a.service = restarted
	a.cmd(stranger, false, "/start")
	if n := len(strangerLines(t, a)); n != 1 {
		t.Errorf("%d stranger lines after a restart, want 1", n)
	}

	// Delivered, the line goes out alone (its button is its own), not batched
	// with settlement lines.
	o := a.order("081234561000")
	if err := a.sim.Settle(o.RefID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := a.engine.Poll(bg); err != nil {
		t.Fatal(err)
	}
	before := len(a.rec.got())
	if _, err := a.drainer.DrainOnce(bg); err != nil {
		t.Fatal(err)
	}
	for _, n := range a.rec.got()[before:] {
		if n.ChatID == opsChat && strings.Contains(n.Text, "7001") && (len(n.Buttons) == 0 || strings.Contains(n.Text, o.RefID)) {
			t.Errorf("the stranger line went out batched or without its button: %+v", n)
		}
	}

	// No ops group: each admin privately.
	clk := testclock.New(a.clk.Now())
	db := openDB(t, filepath.Join(t.TempDir(), "db"), clk)
	engine := flows.NewEngine(db, a.client, flows.EngineConfig{Admins: []int64{adminID, 10}, Now: clk.Now})
	service := flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: db, Products: a.cache, Engine: engine, Admins: []int64{adminID, 10}, Now: clk.Now})
	for i := range 3 {
		if _, err := service.Handle(bg, flows.Input{UpdateID: i + 1, ChatID: stranger, UserID: stranger, Private: true, FirstName: "Budi",
			Kind: flows.InputText, Text: "halo"}); err != nil {
			t.Fatal(err)
		}
	}
	notes, err := db.DueNotifications(bg, clk.Now().Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	var chats []int64
	for _, n := range notes {
		if len(n.Buttons) == 1 && !n.ToOps {
			chats = append(chats, n.ChatID)
		}
	}
	if len(notes) != 2 || len(chats) != 2 || chats[0] != adminID || chats[1] != 10 {
		t.Errorf("without an ops group: %+v", notes)
	}
}

// TestAllowButton: only an admin's tap on a stranger's Allow acts, in the
// group too; it works however old the line is, acts once (a second tap says
// the user may buy already) and never undoes a later /deny.
func TestAllowButton(t *testing.T) {
	a := newAdminConvo(t, 0)
	a.cmd(stranger, false, "/start")
	lines := strangerLines(t, a)
	if len(lines) != 1 {
		t.Fatalf("%d stranger lines", len(lines))
	}
	allow := lines[0].Buttons[0][0].Data
	mayBuy := func() bool {
		return !strings.Contains(text(a.cmd(stranger, false, "/start")), "belum terdaftar")
	}

	// A buyer's tap in the group is silence; in a private chat (a forged
	// button) it is a stale menu. Neither allows anyone.
	if got := a.tapAs(buyerID, opsChat, allow); len(got) != 0 {
		t.Errorf("a buyer's tap in the group: %q", text(got))
	}
	if got := text(a.tapAs(buyerID, buyerID, allow)); !strings.Contains(got, "sudah tidak berlaku") {
		t.Errorf("a buyer's forged tap: %q", got)
	}
	if mayBuy() {
		t.Fatal("a non-admin's tap allowed the stranger")
	}

	a.clk.Advance(40 * 24 * time.Hour) // however old the line
	if got := text(a.tapAs(adminID, opsChat, allow)); got != "✅ Pengguna <code>7001</code> sekarang boleh bertransaksi." {
		t.Errorf("the admin's tap: %q", got)
	}
	if !mayBuy() {
		t.Fatal("the admin's tap did not allow the stranger")
	}
	for _, chat := range []int64{opsChat, adminID} {
		if got := text(a.tapAs(adminID, chat, allow)); got != "Pengguna <code>7001</code> sudah boleh bertransaksi." {
			t.Errorf("a second tap (chat %d): %q", chat, got)
		}
	}
	allowed, _, _ := a.db.Setting(bg, flows.SettingAllowed)
	if allowed != "7001" {
		t.Errorf("allowed list %q", allowed)
	}

	// Denied since: the old button does not undo it.
	a.cmd(adminID, false, "/deny 7001")
	if got := text(a.tapAs(adminID, opsChat, allow)); !strings.Contains(got, "<code>/allow 7001</code>") {
		t.Errorf("a tap after /deny: %q", got)
	}
	if mayBuy() {
		t.Error("an old Allow undid a /deny")
	}
	if n := len(strangerLines(t, a)); n != 1 {
		t.Errorf("%d stranger lines, want still 1", n)
	}

	// A user an admin denied before they ever wrote is not announced.
	a.cmd(adminID, false, "/deny 7002")
	a.cmd(7002, false, "/start")
	if n := len(strangerLines(t, a)); n != 1 {
		t.Errorf("a denied user was announced: %d lines", n)
	}
	// A bad user id on the button is a stale menu, even for an admin.
	for _, arg := range []string{"", "abc", "-5"} {
		if got := text(a.tapAs(adminID, adminID, flows.ButtonData{Action: string(flows.EvAllow), Arg: arg})); !strings.Contains(got, "sudah tidak berlaku") {
			t.Errorf("Allow with %q: %q", arg, got)
		}
	}
}

// TestChatIDInGroup: an admin's /id and /start in a group answer with the
// chat's id and how to make it the ops group; in the ops group they say it
// is one; for anyone else /id does not exist.
func TestChatIDInGroup(t *testing.T) {
	a := newAdminConvo(t, 0)
	const group = int64(-100987654321)
	ask := func(user, chat int64, line string) string {
		t.Helper()
		cmd, args, _ := strings.Cut(strings.TrimPrefix(line, "/"), " ")
		return text(a.input(flows.Input{ChatID: chat, UserID: user, Private: chat > 0, Kind: flows.InputCommand, Command: cmd, Args: args}))
	}
	for _, cmd := range []string{"/id", "/start"} {
		got := ask(adminID, group, cmd)
		if !strings.Contains(got, "<code>-100987654321</code>") || !strings.Contains(got, "notify_chat_id = -100987654321") {
			t.Errorf("admin %s in a group: %q", cmd, got)
		}
		if got := ask(adminID, opsChat, cmd); !strings.Contains(got, "<code>-1001234</code>") || !strings.Contains(got, "grup ops") {
			t.Errorf("admin %s in the ops group: %q", cmd, got)
		}
		if got := ask(buyerID, group, cmd); got != "" {
			t.Errorf("a buyer's %s in a group: %q", cmd, got)
		}
	}
	if got := ask(adminID, adminID, "/id"); !strings.Contains(got, "<code>9</code>") {
		t.Errorf("admin /id in private: %q", got)
	}
	if got := ask(buyerID, buyerID, "/id"); !strings.Contains(got, "Perintah tidak dikenal") {
		t.Errorf("a buyer's /id: %q", got)
	}
}

// TestAllowButtonAfterDenyBeforeAnyTap: an admin who answers a stranger's
// line with /deny, before anyone tapped its Allow, has decided; a later tap
// on that old line (another admin's copy, a slip) must not undo the denial
// — /allow does that, by name (DESIGN rule 2: buttons that outlive their
// menu open nothing the admin did not mean).
func TestAllowButtonAfterDenyBeforeAnyTap(t *testing.T) {
	a := newAdminConvo(t, 0)
	a.cmd(stranger, false, "/start")
	lines := strangerLines(t, a)
	if len(lines) != 1 {
		t.Fatalf("%d stranger lines", len(lines))
	}
	allow := lines[0].Buttons[0][0].Data
	a.cmd(adminID, false, "/deny 7001")
	got := text(a.tapAs(adminID, opsChat, allow))
	if strings.Contains(got, "sekarang boleh bertransaksi") || !strings.Contains(got, "<code>/allow 7001</code>") {
		t.Errorf("a tap after /deny: %q, want the denial kept and /allow named", got)
	}
	if !strings.Contains(text(a.cmd(stranger, false, "/start")), "belum terdaftar") {
		t.Error("the old Allow undid a /deny")
	}
	denied, _, _ := a.db.Setting(bg, flows.SettingDenied)
	if denied != "7001" {
		t.Errorf("denied list %q, want 7001 still", denied)
	}
	// /allow by name still works, and the line's button then says so.
	a.cmd(adminID, false, "/allow 7001")
	if got := text(a.tapAs(adminID, opsChat, allow)); got != "Pengguna <code>7001</code> sudah boleh bertransaksi." {
		t.Errorf("a tap after /allow: %q", got)
	}
}
