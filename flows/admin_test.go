package flows_test

import (
	"bufio"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"topupbot/bot"
	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/provider/iak"
	"topupbot/storage"
)

// adminID is the admin of the convo harness; buyerID a user allowed to
// buy but no admin.
const (
	adminID  = int64(9)
	adminID2 = int64(8)
	buyerID  = int64(1001)
)

// adminConvo is the conversation harness with the admin's extras wired
// (the IAK client answers /balance) and inputs from any user, in private
// or in the ops group.
type adminConvo struct {
	*convo
	client  *iak.Client
	lastRef string
	// cfg is the service's configuration: a test changes it and makes a
	// new service (reconfigure).
	cfg flows.ServiceConfig
	// screens are the messages on screen with buttons, replies and
	// delivered notifications alike, oldest first: "tap" presses the
	// latest one in the chat that has the label. nextMsg numbers new
	// messages.
	screens []screen
	nextMsg int
}

// screen is a message with buttons in a chat.
type screen struct {
	chat    int64
	msg     int
	buttons [][]flows.Button
}

// reconfigure makes a new service from a.cfg changed by change, on the same
// store and engine.
func (a *adminConvo) reconfigure(change func(cfg *flows.ServiceConfig)) {
	change(&a.cfg)
	a.service = flows.NewService(a.cfg)
}

// walletConfig is the harness's [wallet]: the defaults, with where to
// transfer (enabled by the transcript's option).
var walletConfig = func() flows.WalletConfig {
	w := flows.DefaultWallet()
	w.TransferInfo = "BCA 1234567890 a.n. Toko Budi"
	return w
}()

func newAdminConvo(t *testing.T, lowBalance int64) *adminConvo {
	t.Helper()
	return newAdminConvoWallet(t, lowBalance, false)
}

// newAdminConvoWallet is newAdminConvo with the real ledger wired and, with
// wallet, [wallet] on: orders hold their price from the buyer's saldo.
func newAdminConvoWallet(t *testing.T, lowBalance int64, wallet bool) *adminConvo {
	t.Helper()
	c := newConvo(t, convoOptions{})
	srv := httptest.NewServer(c.sim)
	t.Cleanup(srv.Close)
	client, err := iak.New(iak.Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: simUser, APIKey: simKey,
		HTTPClient: &http.Client{Timeout: 2 * time.Second}, Now: c.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	var deposits flows.DepositStore
	if wallet {
		c.engine = flows.NewEngine(c.db, client, flows.EngineConfig{OpsChatID: opsChat, Now: c.clk.Now,
			Random: &seededReader{r: rand.New(rand.NewSource(1))}, Wallet: true})
		deposits = c.db
	}
	cfg := flows.ServiceConfig{Fits: bot.Fits, Store: c.db, Products: c.cache, Engine: c.engine, Meters: client,
		Admins: []int64{adminID}, Allowed: []int64{buyerID}, Balance: client, LowBalance: lowBalance,
		Pricing: flows.Pricing{Level: map[string]*flows.Pricing{ // for /level (testdata/admin/level.txt)
			"reseller": {Markup: 300, Category: map[flows.CategoryID]int64{flows.CategoryPLN: 1000}},
		}},
		Now: c.clk.Now, Random: &seededReader{r: rand.New(rand.NewSource(7))},
		Wallet: walletConfig, Ledger: c.db, Deposits: deposits}
	cfg.Admins = append(cfg.Admins, adminID2)
	cfg.Wallet.Enabled = wallet
	c.service = flows.NewService(cfg)
	c.chat, c.user = adminID, adminID
	return &adminConvo{convo: c, client: client, cfg: cfg, nextMsg: 500}
}

// input applies one input as given (chat, user, private) and records the
// transcript as convo.send does.
func (a *adminConvo) input(in flows.Input) []flows.Reply {
	a.t.Helper()
	a.update++
	in.UpdateID = a.update
	in.FirstName = "Budi"
	a.clk.Advance(time.Second)
	out, err := a.service.Handle(bg, in)
	if err != nil {
		a.t.Fatalf("handle %+v: %v", in, err)
	}
	if out.Then != nil {
		out.Replies = append(out.Replies, out.Then(bg)...)
	}
	a.outputs = append(a.outputs, out.Replies)
	n := len(a.outputs)
	for _, r := range out.Replies {
		msg := in.MessageID
		if !r.Edit {
			a.nextMsg++
			msg = a.nextMsg
		}
		if len(r.Buttons) > 0 {
			a.screens = append(a.screens, screen{chat: in.ChatID, msg: msg, buttons: r.Buttons})
		}
		a.render(n, r)
		if u := utf16.Encode([]rune(r.Text)); len(u) > 4096 {
			a.t.Errorf("reply of %d UTF-16 units: over Telegram's limit", len(u))
		}
	}
	if len(out.Replies) == 0 {
		fmt.Fprintf(&a.log, "< #%d (no reply)\n", n)
	}
	return out.Replies
}

// cmd is "/name args" or plain text from user in a private chat, or in the
// ops group.
func (a *adminConvo) cmd(user int64, group bool, line string) []flows.Reply {
	a.t.Helper()
	in := flows.Input{ChatID: user, UserID: user, Private: true, Kind: flows.InputText, Text: line}
	if group {
		in.ChatID, in.Private = opsChat, false
	}
	if strings.HasPrefix(line, "/") {
		name, args, _ := strings.Cut(line[1:], " ")
		in.Kind, in.Command, in.Args, in.Text = flows.InputCommand, name, args, ""
	}
	return a.input(in)
}

// text is the text of replies, joined.
func text(rs []flows.Reply) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, "\n")
}

// order places an order for the buyer directly through the engine.
func (a *adminConvo) order(number string) flows.Order {
	a.t.Helper()
	p, ok := a.cache.Lookup("htelkomsel10000")
	if !ok {
		a.t.Fatal("no htelkomsel10000 in the catalog")
	}
	o, err := a.engine.Place(bg, flows.PlaceRequest{ChatID: buyerID, UserID: buyerID, Token: nextToken(), Lang: "id",
		Product: p, CustomerNumber: number, Price: p.Price + 500, MessageID: 300})
	if err != nil {
		a.t.Fatal(err)
	}
	a.lastRef = o.RefID
	return o
}

// deliver delivers the outbox into the transcript, keeping the messages
// with buttons tappable.
func (a *adminConvo) deliver() {
	before := len(a.rec.got())
	a.convo.deliver()
	for _, n := range a.rec.got()[before:] {
		if n.Kind == flows.NotifySend && len(n.Buttons) > 0 {
			a.nextMsg++
			a.screens = append(a.screens, screen{chat: n.ChatID, msg: a.nextMsg, buttons: n.Buttons})
		}
	}
}

// tapLabel presses, as user (in the ops group with group), the button
// labelled label on the latest message in that chat that has one.
func (a *adminConvo) tapLabel(user int64, group bool, label string) {
	a.t.Helper()
	chat := user
	if group {
		chat = opsChat
	}
	for i := len(a.screens) - 1; i >= 0; i-- {
		sc := a.screens[i]
		if sc.chat != chat {
			continue
		}
		for _, row := range sc.buttons {
			for _, b := range row {
				if b.Label == label || strings.HasPrefix(b.Label, label) {
					a.input(flows.Input{ChatID: chat, UserID: user, Private: !group, Kind: flows.InputButton,
						Button: b.Data, MessageID: sc.msg})
					return
				}
			}
		}
	}
	a.t.Fatalf("no message in chat %d has a button %q", chat, label)
}

var asLine = regexp.MustCompile(`^as (\d+) (.+)$`)

// play runs a line of an admin transcript:
//
//	/cmd args            the admin, in a private chat
//	group /cmd args      the admin, in the ops group
//	as N /cmd | text     user N (prefix with group for the ops group)
//	order NUMBER         the buyer orders Telkomsel 10.000 for NUMBER
//	provider settles REF the simulator settles the order (fails: fails it);
//	                     nothing polls
//	poll                 the poller runs, then the outbox is delivered
//	deliver              the outbox is delivered into the transcript
//	credit USER AMOUNT ID deposit ID of AMOUNT is credited to USER
//	tap LABEL            press the button on the latest message of the
//	                     chat (as N, group: whose) that has it
//	expire               the poller expires deposits, then delivers
//
// $REF is the ref of the latest order; anything else is convo.play's.
func (a *adminConvo) play(line string) {
	a.t.Helper()
	script := line
	line = strings.ReplaceAll(line, "$REF", a.lastRef)
	user, group := adminID, false
	if rest, ok := strings.CutPrefix(line, "group "); ok {
		line, group = rest, true
	}
	if m := asLine.FindStringSubmatch(line); m != nil {
		user, _ = strconv.ParseInt(m[1], 10, 64)
		line = m[2]
	}
	switch {
	case strings.HasPrefix(line, "tap "):
		fmt.Fprintf(&a.log, "> %s\n", script)
		a.tapLabel(user, group, strings.TrimPrefix(line, "tap "))
	case line == "expire":
		fmt.Fprintf(&a.log, "> %s\n", script)
		if _, err := a.service.ExpireDeposits(bg); err != nil {
			a.t.Fatal(err)
		}
		a.deliver()
	case strings.HasPrefix(line, "/") || user != adminID || group:
		fmt.Fprintf(&a.log, "> %s\n", script)
		a.cmd(user, group, line)
	case strings.HasPrefix(line, "order "):
		fmt.Fprintf(&a.log, "> %s\n", script)
		a.order(strings.TrimPrefix(line, "order "))
	case strings.HasPrefix(line, "provider settles ") || strings.HasPrefix(line, "provider fails "):
		fmt.Fprintf(&a.log, "> %s\n", script)
		f := strings.Fields(line)
		if err := a.sim.Settle(f[2], f[1] == "settles"); err != nil {
			a.t.Fatal(err)
		}
	case line == "poll":
		fmt.Fprintf(&a.log, "> %s\n", script)
		if _, err := a.engine.Poll(bg); err != nil {
			a.t.Fatal(err)
		}
		a.deliver()
	case line == "deliver":
		fmt.Fprintf(&a.log, "> %s\n", script)
		a.deliver()
	case strings.HasPrefix(line, "credit "):
		// credit USER AMOUNT ID: a deposit credited by the ledger itself,
		// as an approved deposit is (the deposit flow is not scripted here).
		fmt.Fprintf(&a.log, "> %s\n", script)
		f := strings.Fields(line)
		user, _ := strconv.ParseInt(f[1], 10, 64)
		amount, _ := strconv.ParseInt(f[2], 10, 64)
		if _, _, err := a.db.Credit(bg, user, amount, f[3], adminID, ""); err != nil {
			a.t.Fatal(err)
		}
	default:
		a.convo.play(line)
	}
}

// TestAdminTranscripts replays testdata/admin/*.txt like TestTranscripts
// (go test ./flows -run Transcripts -update rewrites them too).
func TestAdminTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/admin/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no admin transcripts: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var low int64
			wallet := false
			var header strings.Builder
			var script []string
			sc := bufio.NewScanner(strings.NewReader(string(raw)))
			for sc.Scan() {
				line := sc.Text()
				switch {
				case strings.HasPrefix(line, "# options: low_balance="):
					low, _ = strconv.ParseInt(strings.TrimPrefix(line, "# options: low_balance="), 10, 64)
				case line == "# options: wallet":
					wallet = true
				case strings.HasPrefix(line, "> "):
					script = append(script, strings.TrimPrefix(line, "> "))
				}
				if strings.HasPrefix(line, "#") && len(script) == 0 {
					header.WriteString(line + "\n")
				}
			}
			a := newAdminConvoWallet(t, low, wallet)
			for _, line := range script {
				a.play(line)
			}
			got := header.String() + a.log.String()
			checkGolden(t, file, string(raw), got)
		})
	}
}

// adminLines are every admin command with arguments that make it act.
var adminLines = []string{
	"/balance", "/mutations", "/mutations 2026-11-01 2026-11-23", "/orders", "/orders failed", "/orders today",
	"/order $REF", "/recheck $REF", "/catalog", "/stats", "/stats 7d", "/allow 7777", "/deny 7777", "/id",
	"/addsaldo 1001 5000", "/kurangsaldo 1001 5000",
	"/rename htelkomsel5000 Murah", "/rename htelkomsel5000", "/rename", "/hide xld5000", "/show xld5000", "/hide",
}

// TestAdminCommandsAreAdminsOnly: for anyone but an admin the admin
// commands do not exist — the answer is the unknown command's, word for
// word, and in the ops group nothing at all — while an admin gets an answer
// in a private chat and in the ops group.
func TestAdminCommandsAreAdminsOnly(t *testing.T) {
	a := newAdminConvo(t, 0)
	o := a.order("081234561039")
	for _, stranger := range []int64{buyerID, 5555} {
		unknown := text(a.cmd(stranger, false, "/nosuchcommand"))
		for _, line := range adminLines {
			line = strings.ReplaceAll(line, "$REF", o.RefID)
			if got := text(a.cmd(stranger, false, line)); got != unknown {
				t.Errorf("user %d %s: %q, want the unknown-command answer %q", stranger, line, got, unknown)
			}
			if got := a.cmd(stranger, true, line); len(got) != 0 {
				t.Errorf("user %d in the group %s: %q, want silence", stranger, line, text(got))
			}
		}
		if got := text(a.cmd(stranger, false, "/help")); strings.Contains(got, "/balance") {
			t.Errorf("user %d sees the admin commands in /help: %q", stranger, got)
		}
	}
	// Nothing the strangers typed changed the access lists or the order.
	for _, key := range []string{flows.SettingAllowed, flows.SettingDenied} {
		if v, ok, _ := a.db.Setting(bg, key); ok {
			t.Errorf("setting %s = %q after strangers' /allow and /deny", key, v)
		}
	}
	if got, _ := a.db.Order(bg, o.RefID); got.Checks != o.Checks {
		t.Errorf("a stranger's /recheck checked the order")
	}
	if entries, _ := a.db.Entries(bg, buyerID, 0); len(entries) != 0 {
		t.Errorf("strangers' /addsaldo and /kurangsaldo wrote %+v", entries)
	}

	unknown := text(a.cmd(buyerID, false, "/nosuchcommand"))
	for _, group := range []bool{false, true} {
		for _, line := range append(adminLines, "/help") {
			line = strings.ReplaceAll(line, "$REF", o.RefID)
			got := text(a.cmd(adminID, group, line))
			if got == "" || got == unknown || strings.Contains(got, "tidak ditawarkan") && !strings.HasPrefix(line, "/mutations") {
				t.Errorf("admin (group %v) %s: %q", group, line, got)
			}
		}
	}
	// In the group, the admin's other commands and plain text.
	if got := text(a.cmd(adminID, true, "/history")); !strings.Contains(got, "hanya perintah admin") {
		t.Errorf("admin /history in the group: %q", got)
	}
	if got := a.cmd(adminID, true, "hello"); len(got) != 0 {
		t.Errorf("admin's text in the group answered: %q", text(got))
	}
}

func TestAdminHelp(t *testing.T) {
	a := newAdminConvo(t, 0)
	private := text(a.cmd(adminID, false, "/help"))
	group := text(a.cmd(adminID, true, "/help"))
	for _, cmd := range []string{"/balance", "/mutations", "/orders", "/order ", "/recheck", "/catalog", "/stats", "/allow", "/deny",
		"/saldo <i>USERID", "/addsaldo", "/kurangsaldo"} {
		if !strings.Contains(private, cmd) || !strings.Contains(group, cmd) {
			t.Errorf("/help does not list %s", cmd)
		}
	}
	if !strings.Contains(private, "/history") || strings.Contains(group, "/history") {
		t.Errorf("private /help should add the buyer's commands, the group's not:\n%s\n---\n%s", private, group)
	}
}

func TestAdminBalance(t *testing.T) {
	a := newAdminConvo(t, 0)
	deposit := a.sim.Deposit()
	got := text(a.cmd(adminID, false, "/balance"))
	if !strings.Contains(got, flows.FormatRupiah(deposit)) || strings.Contains(got, "⚠️") {
		t.Errorf("/balance: %q, want %s and no warning", got, flows.FormatRupiah(deposit))
	}

	low := newAdminConvo(t, 1_000_000_000)
	got = text(low.cmd(adminID, true, "/balance"))
	if !strings.Contains(got, flows.FormatRupiah(low.sim.Deposit())) || !strings.Contains(got, "⚠️ Saldo di bawah batas peringatan Rp 1.000.000.000") {
		t.Errorf("/balance under the threshold: %q", got)
	}

	// A provider without a balance API.
	none := newAdminConvo(t, 0)
	none.service = flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: none.db, Products: none.cache, Engine: none.engine,
		Admins: []int64{adminID}, Now: none.clk.Now})
	if got := text(none.cmd(adminID, false, "/balance")); !strings.Contains(got, "tidak ditawarkan") {
		t.Errorf("/balance without a balance API: %q", got)
	}
}

// TestAdminMutations: IAK has no mutations API; the Mesin R1 simulator
// lists the deposit's movements, and the range is validated first.
func TestAdminMutations(t *testing.T) {
	a := newAdminConvo(t, 0)
	if got := text(a.cmd(adminID, false, "/mutations")); got != "Mutasi saldo tidak ditawarkan oleh provider ini." {
		t.Errorf("IAK /mutations: %q", got)
	}

	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	_, client := newMesinR1Sim(t, clk)
	db := openDB(t, filepath.Join(t.TempDir(), "db"), clk)
	engine := flows.NewEngine(db, client, flows.EngineConfig{Now: clk.Now})
	service := flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: db, Products: flows.NewProductCache(client, db, clk.Now),
		Engine: engine, Admins: []int64{adminID}, Balance: client, Mutations: client, Now: clk.Now})
	ask := func(args string) string {
		t.Helper()
		clk.Advance(time.Second)
		out, err := service.Handle(bg, flows.Input{ChatID: adminID, UserID: adminID, Private: true,
			Kind: flows.InputCommand, Command: "mutations", Args: args})
		if err != nil {
			t.Fatal(err)
		}
		return text(out.Replies)
	}
	placed, err := engine.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: "m1",
		Product:        flows.Product{Code: "IS5", Name: "INDOSAT SMS 5.000", Kind: flows.Prepaid, Price: 5500},
		CustomerNumber: "081234567890", Price: 6000})
	if err != nil || placed.Status != flows.StatusSuccess {
		t.Fatalf("placed %+v %v", placed, err)
	}
	got := ask("")
	for _, want := range []string{
		"<b>Mutasi saldo 2026-11-23 s.d. 2026-11-23</b>: 2",
		"Keluar: Rp 5.500 · Masuk: Rp 1.000.000",
		"23/11 09:00 · -Rp 5.500 · saldo Rp 994.500 · TRX IS5.081234567890 REF:" + placed.RefID,
		"23/11 09:00 · +Rp 1.000.000 · saldo Rp 1.000.000 · DEPOSIT AWAL",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/mutations: missing %q in\n%s", want, got)
		}
	}
	if i, j := strings.Index(got, "-Rp 5.500"), strings.Index(got, "DEPOSIT AWAL"); i > j {
		t.Errorf("/mutations: want the newest first:\n%s", got)
	}
	if got := ask("2026-11-23 2026-11-23"); !strings.Contains(got, "DEPOSIT AWAL") {
		t.Errorf("one day: %q", got)
	}
	if got := ask("2026-11-01"); !strings.Contains(got, "2026-11-01 s.d. 2026-11-23") {
		t.Errorf("from without to: %q", got)
	}
	if got := ask("2026-10-01 2026-10-31"); got != "Tidak ada mutasi saldo 2026-10-01 s.d. 2026-10-31." {
		t.Errorf("31 days without movements: %q", got)
	}
	for args, want := range map[string]string{
		"23-11-2026":            "Tanggal <code>23-11-2026</code> tidak valid.",
		"2026-02-30":            "Tanggal <code>2026-02-30</code> tidak valid.",
		"2026-11-20 <b>":        "Tanggal <code>&lt;b&gt;</code> tidak valid.",
		"2026-11-23 2026-11-01": "Tanggal awal 2026-11-23 jatuh setelah tanggal akhir 2026-11-01.",
		"2026-10-01 2026-11-01": "Rentang paling lama 31 hari; yang diminta 32 hari.",
		"a b c":                 "Format: /mutations",
	} {
		if got := ask(args); !strings.HasPrefix(got, want) {
			t.Errorf("/mutations %s: %q, want %q", args, got, want)
		}
	}
}

// TestAdminRecheck: /recheck settles a pending order the provider has
// settled, and does nothing DESIGN rule 4 forbids: no check with another
// account, no re-send of a top-up unacknowledged for over 24 hours.
func TestAdminRecheck(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	cache := flows.NewProductCache(h.client, h.db, h.clk.Now)
	newService := func(engine *flows.Engine) *flows.Service {
		return flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: h.db, Products: cache, Engine: engine, Admins: []int64{adminID}, Now: h.clk.Now})
	}
	recheck := func(s *flows.Service, ref string) string {
		t.Helper()
		out, err := s.Handle(bg, flows.Input{ChatID: adminID, UserID: adminID, Private: true,
			Kind: flows.InputCommand, Command: "recheck", Args: strings.ToLower(ref)})
		if err != nil {
			t.Fatal(err)
		}
		return text(out.Replies)
	}
	service := newService(h.engine)

	o := h.place("081212341039") // pending until settled at the simulator
	if o.Status != flows.StatusPending {
		t.Fatalf("placed %+v", o)
	}
	if got := recheck(service, o.RefID); !strings.Contains(got, "masih diproses") {
		t.Errorf("recheck of a pending order: %q", got)
	}
	if err := h.sim.Settle(o.RefID, true); err != nil {
		t.Fatal(err)
	}
	got := recheck(service, o.RefID)
	if !strings.Contains(got, "pesanan kini <b>berhasil</b>") || !strings.Contains(got, "SN: <code>") {
		t.Errorf("recheck after the provider settled: %q", got)
	}
	if s := h.order(o.RefID); s.Status != flows.StatusSuccess || h.buyerMessages(o.RefID) != 1 {
		t.Errorf("order %+v, %d buyer messages", s, h.buyerMessages(o.RefID))
	}
	before := h.hits.total()
	if got := recheck(service, o.RefID); !strings.Contains(got, "sudah selesai (berhasil)") || h.hits.total() != before {
		t.Errorf("recheck of a settled order: %q, %d requests", got, h.hits.total()-before)
	}

	// The configuration now has another key: the order placed with the old
	// one is never asked about with the new one.
	pending := h.place("081212351039")
	other := newService(h.newEngine(h.newClient("production-key")))
	before = h.hits.total()
	got = recheck(other, pending.RefID)
	if h.hits.total() != before {
		t.Errorf("recheck with another account sent %v", h.hits.since(before))
	}
	if !strings.Contains(got, "Tidak dicek") || !strings.Contains(got, "tidak lagi dikonfigurasi") {
		t.Errorf("recheck with another account: %q", got)
	}
	if s := h.order(pending.RefID); s.Status != flows.StatusPending {
		t.Errorf("order %+v", s)
	}

	// An order IAK never acknowledged, older than a day: not re-sent.
	old := flows.Order{RefID: "261122080000UNACKED", ChatID: buyer, UserID: buyer, Token: "unacked", Kind: flows.Prepaid,
		ProductCode: "htelkomsel10000", ProductName: "Telkomsel 10.000", CustomerNumber: "081212361000", Price: 11500,
		Account: h.client.Account(), Status: flows.StatusPending, CreatedAt: h.clk.Now().Add(-25 * time.Hour)}
	if _, _, err := h.db.CreateOrder(bg, old); err != nil {
		t.Fatal(err)
	}
	before = h.hits.total()
	for range 2 {
		got = recheck(service, old.RefID)
		if !strings.Contains(got, "tidak pernah mengonfirmasi") {
			t.Errorf("recheck of an unacknowledged order: %q", got)
		}
	}
	if h.hits.total() != before {
		t.Errorf("recheck of an unacknowledged order sent %v", h.hits.since(before))
	}
	alerts := 0
	for _, n := range h.outbox() {
		if n.RefID == old.RefID && n.ToOps {
			alerts++
		}
	}
	if alerts != 1 {
		t.Errorf("%d alerts for the unacknowledged order, want 1", alerts)
	}

	for ref, want := range map[string]string{
		"":                    "Ketik /recheck diikuti nomor referensi",
		"261122080000NOTHERE": "Pesanan <code>261122080000NOTHERE</code> tidak ditemukan.",
		"<script>":            "Pesanan <code>&lt;SCRIPT&gt;</code> tidak ditemukan.",
	} {
		if got := recheck(service, ref); !strings.HasPrefix(got, want) {
			t.Errorf("recheck %q: %q, want %q", ref, got, want)
		}
	}
}

// TestAdminAccess: /allow lets a user buy, /deny stops them, admins cannot
// be denied, and bad ids are refused.
func TestAdminAccess(t *testing.T) {
	a := newAdminConvo(t, 0)
	const user = int64(7777)
	notAllowed := "Maaf, Anda belum terdaftar"
	if got := text(a.cmd(user, false, "/start")); !strings.HasPrefix(got, notAllowed) {
		t.Fatalf("before /allow: %q", got)
	}
	if got := text(a.cmd(adminID, false, "/allow 7777")); !strings.Contains(got, "<code>7777</code> sekarang boleh") {
		t.Errorf("/allow: %q", got)
	}
	// The user buys, through the menus.
	a.chat, a.user = user, user
	for _, line := range []string{"/start", "tap Pulsa", "tap Telkomsel", "tap Telkomsel 10.000", "081212341000", "tap ✅ Konfirmasi"} {
		a.convo.play(line)
	}
	orders, err := a.db.ChatOrders(bg, user, 10)
	if err != nil || len(orders) != 1 {
		t.Fatalf("after /allow the user's orders: %+v %v\n%s", orders, err, a.log.String())
	}

	if got := text(a.cmd(adminID, true, "/deny 7777")); !strings.Contains(got, "<code>7777</code> sekarang tidak boleh") {
		t.Errorf("/deny: %q", got)
	}
	if got := text(a.cmd(user, false, "/start")); !strings.HasPrefix(got, notAllowed) {
		t.Errorf("after /deny: %q", got)
	}
	checkSetting := func(key, want string) {
		t.Helper()
		if v, _, _ := a.db.Setting(bg, key); v != want {
			t.Errorf("%s = %q, want %q", key, v, want)
		}
	}
	checkSetting(flows.SettingAllowed, "")
	checkSetting(flows.SettingDenied, "7777")

	// A user allowed by the configuration is denied too, and allowed again.
	a.cmd(adminID, false, "/deny 1001")
	if got := text(a.cmd(buyerID, false, "/start")); !strings.HasPrefix(got, notAllowed) {
		t.Errorf("configured user after /deny: %q", got)
	}
	a.cmd(adminID, false, "/allow 1001")
	if got := text(a.cmd(buyerID, false, "/start")); strings.HasPrefix(got, notAllowed) {
		t.Errorf("configured user after /allow: %q", got)
	}
	checkSetting(flows.SettingAllowed, "1001")
	checkSetting(flows.SettingDenied, "7777")

	for args, want := range map[string]string{
		"9":       "Pengguna <code>9</code> adalah admin dan tidak dapat diblokir.",
		"":        "Ketik /deny diikuti ID pengguna",
		"abc":     "ID pengguna <code>abc</code> tidak valid",
		"-100123": "ID pengguna <code>-100123</code> tidak valid",
		"0":       "ID pengguna <code>0</code> tidak valid",
		"1 2":     "ID pengguna <code>1 2</code> tidak valid",
	} {
		if got := text(a.cmd(adminID, false, strings.TrimSpace("/deny "+args))); !strings.HasPrefix(got, want) {
			t.Errorf("/deny %s: %q, want %q", args, got, want)
		}
	}
	if got := text(a.cmd(adminID, false, "/start")); strings.HasPrefix(got, notAllowed) {
		t.Errorf("the admin after /deny 9: %q", got)
	}
	checkSetting(flows.SettingDenied, "7777")
}

// statsOrder writes a settled order created at `at`.
func statsOrder(t *testing.T, db *storage.DB, at time.Time, cat flows.CategoryID, price, cost int64, status flows.Status) {
	t.Helper()
	ref, err := flows.NewRefID(at, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := flows.Order{RefID: ref, ChatID: buyer, UserID: buyer, Token: ref, Kind: flows.Prepaid, ProductCode: "x",
		ProductName: "x", Category: cat, CustomerNumber: "081234567890", Price: price, Cost: cost,
		Status: flows.StatusPending, CreatedAt: at}
	if _, _, err := db.CreateOrder(bg, o); err != nil {
		t.Fatal(err)
	}
	if status == flows.StatusPending {
		return
	}
	if _, err := db.UpdateOrder(bg, ref, func(o *flows.Order) ([]flows.Notification, error) {
		o.Status = status
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestAdminStats(t *testing.T) {
	a := newAdminConvo(t, 0)
	now := a.clk.Now() // 2026-11-23 09:00 WIB
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, flows.WIB)
	// Today: pulsa 2 ok + 1 failed, PLN 1 ok + 1 pending.
	statsOrder(t, a.db, today.Add(time.Minute), flows.CategoryPulsa, 11000, 10850, flows.StatusSuccess)
	statsOrder(t, a.db, today.Add(2*time.Hour), flows.CategoryPulsa, 25500, 25000, flows.StatusSuccess)
	statsOrder(t, a.db, now.Add(-time.Minute), flows.CategoryPulsa, 5500, 5300, flows.StatusFailed)
	statsOrder(t, a.db, now.Add(-2*time.Minute), flows.CategoryPLN, 21000, 20100, flows.StatusSuccess)
	statsOrder(t, a.db, now.Add(-3*time.Minute), flows.CategoryPLN, 51000, 50100, flows.StatusPending)
	// Earlier this week: one game order ok, one failed; before it, outside.
	statsOrder(t, a.db, today.AddDate(0, 0, -6), flows.CategoryGame, 15000, 14000, flows.StatusSuccess)
	statsOrder(t, a.db, today.AddDate(0, 0, -1).Add(23*time.Hour), flows.CategoryGame, 15000, 14000, flows.StatusFailed)
	statsOrder(t, a.db, today.AddDate(0, 0, -6).Add(-time.Second), flows.CategoryGame, 99000, 1000, flows.StatusSuccess)

	got := text(a.cmd(adminID, false, "/stats"))
	for _, want := range []string{
		"📊 <b>Statistik hari ini</b> (2026-11-23)",
		"Pesanan: 5 · berhasil 3 · gagal 1 · diproses 1",
		"Tingkat keberhasilan: 75,0%",
		"Penjualan: Rp 57.500 · Modal: Rp 55.950 · Laba: <b>Rp 1.550</b>",
		"• Pulsa: 3 pesanan, 2 berhasil, 1 gagal (66,7%), laba Rp 650",
		"• Token PLN: 2 pesanan, 1 berhasil, 0 gagal (100,0%), laba Rp 900",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/stats: missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "Games") {
		t.Errorf("/stats today counts older orders:\n%s", got)
	}
	got = text(a.cmd(adminID, true, "/stats 7d"))
	for _, want := range []string{
		"📊 <b>Statistik 7 hari</b> (2026-11-17 s.d. 2026-11-23)",
		"Pesanan: 7 · berhasil 4 · gagal 2 · diproses 1",
		"Tingkat keberhasilan: 66,7%",
		"Penjualan: Rp 72.500 · Modal: Rp 69.950 · Laba: <b>Rp 2.550</b>",
		"• Games: 2 pesanan, 1 berhasil, 1 gagal (50,0%), laba Rp 1.000",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/stats 7d: missing %q in\n%s", want, got)
		}
	}
	if got := text(a.cmd(adminID, false, "/stats month")); got != "Format: /stats [today|7d]." {
		t.Errorf("/stats month: %q", got)
	}
	a.clk.Advance(24 * time.Hour)
	if got := text(a.cmd(adminID, false, "/stats")); !strings.HasSuffix(got, "Belum ada pesanan.") {
		t.Errorf("/stats on a day without orders: %q", got)
	}
}

// TestAdminOrderLists: lists are bounded (the newest 50, with the count)
// and split under Telegram's limit; numbers are masked in the group.
func TestAdminOrderLists(t *testing.T) {
	a := newAdminConvo(t, 0)
	for i := range 60 {
		a.clk.Advance(time.Second)
		a.order(fmt.Sprintf("0812%04d1039", i)) // pending until settled
	}
	replies := a.cmd(adminID, false, "/orders")
	got := text(replies)
	if len(replies) < 2 {
		t.Errorf("60 orders in %d message(s); want them split", len(replies))
	}
	if !strings.HasPrefix(got, "<b>Pesanan diproses</b>: 60") || !strings.Contains(got, "… menampilkan 50 terbaru dari 60.") {
		t.Errorf("/orders:\n%s", got)
	}
	if n := strings.Count(got, "⏳ <code>"); n != 50 {
		t.Errorf("%d orders listed, want 50", n)
	}
	if !strings.Contains(got, "<code>081200591039</code>") || strings.Contains(got, "<code>081200091039</code>") {
		t.Errorf("/orders: want the newest 50 (…0059 to …0010)")
	}
	group := text(a.cmd(adminID, true, "/orders today"))
	if !strings.HasPrefix(group, "<b>Pesanan hari ini</b> (2026-11-23): 60") || strings.Contains(group, "081200591039") ||
		!strings.Contains(group, "0812****1039") {
		t.Errorf("/orders today in the group: numbers must be masked\n%s", group)
	}
	if got := text(a.cmd(adminID, false, "/orders failed")); got != "<b>Pesanan gagal 7 hari terakhir</b>: 0\nTidak ada." {
		t.Errorf("/orders failed: %q", got)
	}
	if got := text(a.cmd(adminID, false, "/orders all")); got != "Format: /orders [pending|failed|today]." {
		t.Errorf("/orders all: %q", got)
	}

	// /order: every detail in private; masked in the group.
	private := text(a.cmd(adminID, false, "/order "+a.lastRef))
	for _, want := range []string{"<b>Pesanan</b> <code>" + a.lastRef + "</code>", "Nomor: <code>081200591039</code>",
		"RC: <code>39</code>", "Akun provider: <code>iak:" + simUser + ":", "Harga jual: Rp 11.350 · Modal: Rp 10.850"} {
		if !strings.Contains(private, want) {
			t.Errorf("/order: missing %q in\n%s", want, private)
		}
	}
	if g := text(a.cmd(adminID, true, "/order "+a.lastRef)); strings.Contains(g, "081200591039") || !strings.Contains(g, "0812****1039") {
		t.Errorf("/order in the group: number not masked\n%s", g)
	}
}

func TestAdminCatalog(t *testing.T) {
	a := newAdminConvo(t, 0)
	got := text(a.cmd(adminID, false, "/catalog"))
	products := a.cache.Products()
	available := 0
	for _, p := range products {
		if p.Available {
			available++
		}
	}
	want := fmt.Sprintf("📦 Katalog diperbarui: %d produk, %d tersedia.", len(products), available)
	if !strings.HasPrefix(got, want) || !strings.Contains(got, "• Pulsa: ") {
		t.Errorf("/catalog: %q, want %q and per category", got, want)
	}
	if a.cache.UpdatedAt() != a.clk.Now() {
		t.Errorf("catalog refreshed at %v, want now %v", a.cache.UpdatedAt(), a.clk.Now())
	}
}
