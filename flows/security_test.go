package flows_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/bot"
	"topupbot/flows"
	"topupbot/internal/testlog"
	"topupbot/provider/iak"
)

// Security tests of the core: another chat's orders and tokens, stale and
// forged buttons, oversized input, HTML from people and providers, forged
// and replayed callbacks end to end, and secrets in the logs.

// inputAs applies in as user in chat (private, with that first name), the
// way the bot does, and returns every reply, Then's included.
func inputAs(c *convo, chat, user int64, first string, in flows.Input) []flows.Reply {
	c.t.Helper()
	c.update++
	in.UpdateID, in.ChatID, in.UserID, in.Private, in.FirstName = c.update, chat, user, true, first
	c.clk.Advance(time.Second)
	out, err := c.service.Handle(bg, in)
	if err != nil {
		c.t.Fatalf("handle %+v: %v", in, err)
	}
	replies := out.Replies
	if out.Then != nil {
		replies = append(replies, out.Then(bg)...)
	}
	return replies
}

func joinTexts(rs []flows.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text)
		b.WriteString("\n")
	}
	return b.String()
}

// lastButton is the newest button of c's transcript with action ev.
func lastButton(c *convo, ev string) flows.ButtonData {
	c.t.Helper()
	for i := len(c.outputs) - 1; i >= 0; i-- {
		for _, r := range c.outputs[i] {
			for _, row := range r.Buttons {
				for _, b := range row {
					if b.Data.Action == ev {
						return b.Data
					}
				}
			}
		}
	}
	c.t.Fatalf("no %q button in the transcript", ev)
	return flows.ButtonData{}
}

// TestConfirmTokenOfAnotherChat: chat A's Confirm button, tapped in chat B
// (its callback data copied, or guessed), neither places an order for B nor
// places or reveals A's — before A confirms or after.
func TestConfirmTokenOfAnotherChat(t *testing.T) {
	const chatB = int64(2002)
	c := newConvo(t, convoOptions{allowed: []int64{chatB}})
	toConfirm(c) // chat A at the confirm screen of 081212345678
	confirmA := lastButton(c, "ok")
	inputAs(c, chatB, chatB, "Mallory", flows.Input{Kind: flows.InputCommand, Command: "start"})

	check := func(when string, rs []flows.Reply) {
		t.Helper()
		got := joinTexts(rs)
		for _, secret := range []string{"081212345678", "sudah dibuat", "diproses"} {
			if strings.Contains(got, secret) {
				t.Errorf("%s: chat B was told %q:\n%s", when, secret, got)
			}
		}
		if orders, _ := c.db.ChatOrders(bg, chatB, 10); len(orders) != 0 {
			t.Errorf("%s: chat B has orders %+v", when, orders)
		}
	}
	// Before A confirms: B taps A's button, and A's token under B's menu.
	check("A's button", inputAs(c, chatB, chatB, "Mallory", flows.Input{Kind: flows.InputButton, Button: confirmA, MessageID: 7}))
	check("A's token", inputAs(c, chatB, chatB, "Mallory", flows.Input{Kind: flows.InputButton, MessageID: 7,
		Button: flows.ButtonData{Menu: confirmA.Menu, Action: "ok", Arg: confirmA.Arg}}))
	if n, _ := c.db.PendingCount(); n != 0 {
		t.Fatalf("B's taps placed %d orders", n)
	}
	// A's own tap still works: B consumed nothing.
	c.play("tap ✅ Konfirmasi")
	orders, err := c.db.ChatOrders(bg, c.chat, 10)
	if err != nil || len(orders) != 1 {
		t.Fatalf("A's orders: %+v, %v", orders, err)
	}
	ref := orders[0].RefID
	// After: B replays A's button; the order exists under A's chat only.
	rs := inputAs(c, chatB, chatB, "Mallory", flows.Input{Kind: flows.InputButton, Button: confirmA, MessageID: 7})
	check("A's button after A's order", rs)
	if strings.Contains(joinTexts(rs), ref) {
		t.Errorf("chat B was shown A's ref %s", ref)
	}
	if n, _ := c.db.PendingCount(); n != 1 {
		t.Errorf("%d orders pending, want A's one", n)
	}
}

// TestStatusOfAnotherChatsOrder: /status of another chat's ref reads "not
// found", exactly as a ref that does not exist, to everyone but admins;
// /history shows a chat its own orders only.
func TestStatusOfAnotherChatsOrder(t *testing.T) {
	const chatB = int64(2002)
	c := newConvo(t, convoOptions{allowed: []int64{chatB}})
	toConfirm(c)
	c.play("tap ✅ Konfirmasi")
	orders, _ := c.db.ChatOrders(bg, c.chat, 10)
	if len(orders) != 1 {
		t.Fatalf("orders %+v", orders)
	}
	ref := orders[0].RefID
	status := func(user int64, args string) string {
		return joinTexts(inputAs(c, user, user, "X", flows.Input{Kind: flows.InputCommand, Command: "status", Args: args}))
	}
	other := status(chatB, ref)
	missing := status(chatB, "R261123090000ZZZZ")
	if !strings.Contains(other, "tidak ditemukan") || strings.Contains(other, "Telkomsel") || strings.Contains(other, "081212345678") {
		t.Errorf("B's /status of A's order: %s", other)
	}
	if strings.Replace(other, ref, "R261123090000ZZZZ", 1) != missing {
		t.Errorf("another chat's order reads differently from a missing one:\n%s\n%s", other, missing)
	}
	if got := status(c.user, strings.ToLower(ref)); !strings.Contains(got, "Telkomsel") {
		t.Errorf("A's own /status: %s", got)
	}
	if got := status(9, ref); !strings.Contains(got, "Telkomsel") {
		t.Errorf("the admin's /status: %s", got)
	}
	hist := joinTexts(inputAs(c, chatB, chatB, "X", flows.Input{Kind: flows.InputCommand, Command: "history"}))
	if strings.Contains(hist, ref) || strings.Contains(hist, "Telkomsel") {
		t.Errorf("B's /history shows A's order: %s", hist)
	}
	// Garbage and huge refs are answered, shortened and escaped.
	for _, arg := range []string{"<b>x</b>&", strings.Repeat("A", 5000), "' OR 1=1 --", "../../etc/passwd", "R1\x00"} {
		got := status(chatB, arg)
		if !strings.Contains(got, "tidak ditemukan") || len(got) > 200 || strings.Contains(got, "<b>x") {
			t.Errorf("/status %.20q: %q", arg, got)
		}
	}
}

// TestStaleAndForgedButtons: buttons of an old menu, of no menu, with
// another menu's id or a forged token are answered as an expired menu and
// order nothing; the confirm screen on display still works afterwards
// unless the tap was a Confirm of the current menu with a wrong token.
func TestStaleAndForgedButtons(t *testing.T) {
	c := newConvo(t, convoOptions{})
	toConfirm(c)
	confirm := lastButton(c, "ok")
	product := lastButton(c, "p") // on the product list, an older menu
	newest := confirm
	for _, tc := range []struct {
		name string
		b    flows.ButtonData
	}{
		{"empty", flows.ButtonData{}},
		{"old menu", product},
		{"old menu, confirm", flows.ButtonData{Menu: product.Menu, Action: "ok", Arg: confirm.Arg}},
		{"unknown menu", flows.ButtonData{Menu: "zzzzzz", Action: "ok", Arg: confirm.Arg}},
		{"huge arg, old menu", flows.ButtonData{Menu: product.Menu, Action: "ok", Arg: strings.Repeat("x", 5000)}},
		{"category of old menu", flows.ButtonData{Menu: product.Menu, Action: "c", Arg: "pulsa"}},
		// The current menu with an action it does not have: the confirm
		// screen is drawn again, under a new menu id.
		{"unknown action", flows.ButtonData{Menu: confirm.Menu, Action: "rm -rf", Arg: "x"}},
	} {
		rs := inputAs(c, c.chat, c.user, "Budi", flows.Input{Kind: flows.InputButton, Button: tc.b, MessageID: 1})
		if n, _ := c.db.PendingCount(); n != 0 {
			t.Fatalf("%s: an order was placed", tc.name)
		}
		if len(rs) == 0 {
			t.Errorf("%s: no answer", tc.name)
		}
		for _, r := range rs {
			for _, row := range r.Buttons {
				for _, b := range row {
					if b.Data.Action == "ok" {
						newest = b.Data
					}
				}
			}
		}
	}
	if newest.Arg != confirm.Arg {
		t.Errorf("the confirm screen's token changed from %q to %q", confirm.Arg, newest.Arg)
	}
	inputAs(c, c.chat, c.user, "Budi", flows.Input{Kind: flows.InputButton, Button: newest, MessageID: 1})
	if n, _ := c.db.PendingCount(); n != 1 {
		t.Fatalf("the confirm screen stopped working after stale taps: %d orders", n)
	}
	// A forged token under the current menu resets the conversation.
	toConfirm(c)
	current := lastButton(c, "ok")
	for _, arg := range []string{"", "guess", strings.Repeat("t", 5000), confirm.Arg} {
		inputAs(c, c.chat, c.user, "Budi", flows.Input{Kind: flows.InputButton, MessageID: 1,
			Button: flows.ButtonData{Menu: current.Menu, Action: "ok", Arg: arg}})
	}
	if n, _ := c.db.PendingCount(); n != 1 {
		t.Errorf("forged tokens placed orders: %d pending", n)
	}
}

// TestOversizedText: a 5 KB and a 1 MB message where a number is expected,
// at home, as command arguments and as a first name get a defined answer of
// bounded size, and the session stays small.
func TestOversizedText(t *testing.T) {
	c := newConvo(t, convoOptions{})
	for _, line := range []string{"/start", "tap Pulsa", "tap Telkomsel", "tap Telkomsel 10.000"} {
		c.play(line)
	}
	big := strings.Repeat("0812 3456 7890 <b>&amp; ", 200) // 5 KB
	huge := strings.Repeat("9", 1<<20)
	for name, in := range map[string]flows.Input{
		"5 KB as the number": {Kind: flows.InputText, Text: big},
		"1 MB as the number": {Kind: flows.InputText, Text: huge},
		"/status 1 MB":       {Kind: flows.InputCommand, Command: "status", Args: huge},
		"/start 5 KB":        {Kind: flows.InputCommand, Command: "start", Args: big},
		"unknown command":    {Kind: flows.InputCommand, Command: strings.Repeat("x", 5000), Args: big},
		"5 KB at home":       {Kind: flows.InputText, Text: big},
	} {
		rs := inputAs(c, c.chat, c.user, strings.Repeat("<b>Budi</b>", 500), in)
		if len(rs) == 0 {
			t.Errorf("%s: no answer", name)
		}
		if got := joinTexts(rs); len(got) > 2000 || strings.Contains(got, "<b>Budi") || strings.Contains(got, "&amp; 0812") {
			t.Errorf("%s: a %d-byte answer, echoing the input: %.120q", name, len(got), got)
		}
		var sess map[string]any
		if ok, err := c.db.Session(bg, c.chat, &sess); !ok || err != nil {
			t.Fatalf("%s: session %v %v", name, ok, err)
		}
		if raw, _ := json.Marshal(sess); len(raw) > 1024 {
			t.Errorf("%s: the session grew to %d bytes: %.200s", name, len(raw), raw)
		}
	}
	if n, _ := c.db.PendingCount(); n != 0 {
		t.Errorf("%d orders from oversized input", n)
	}
}

// checkHTML refuses what Telegram's HTML parse mode would, and any tag
// outside what the catalogue itself writes: after escaping, text from a
// person or a provider cannot add one.
func checkHTML(s string) error {
	ours := map[string]bool{"b": true, "i": true, "u": true, "code": true, "pre": true, "s": true}
	var stack []string
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return fmt.Errorf("a bare '<' at %d", i)
			}
			name := strings.TrimPrefix(s[i+1:i+j], "/")
			if !ours[name] {
				return fmt.Errorf("tag <%s> at %d", s[i+1:i+j], i)
			}
			if strings.HasPrefix(s[i+1:], "/") {
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return fmt.Errorf("</%s> closes nothing at %d", name, i)
				}
				stack = stack[:len(stack)-1]
			} else {
				stack = append(stack, name)
			}
			i += j
		case '&':
			j := strings.IndexByte(s[i:], ';')
			if j < 0 {
				return fmt.Errorf("a bare '&' at %d", i)
			}
			switch ent := s[i+1 : i+j]; ent {
			case "lt", "gt", "amp", "quot", "#39", "#34":
			default:
				return fmt.Errorf("entity &%s; at %d", ent, i)
			}
			i += j
		case '>':
			return fmt.Errorf("a bare '>' at %d", i)
		}
	}
	if len(stack) > 0 {
		return fmt.Errorf("<%s> left open", stack[len(stack)-1])
	}
	return nil
}

// injected are the names and texts people and providers send: each must
// reach every message escaped.
const (
	evilName   = `Pulsa <b>Evil</b> & <a href="http://evil.example">Co</a>`
	evilBrand  = `Telkomsel <i>Brand</i> &`
	evilPerson = `<a href="tg://user?id=1">Budi</a> & <script>`
	evilMeter  = `<b>ANTO</b> & <a href="x">SONS</a>`
	evilGame   = `Dragon <u>Nest</u> "&"`
	evilRole   = `<i>Knight&"` // no "/": it separates a game id's parts
)

type htmlMeter struct{}

func (htmlMeter) InquireMeter(ctx context.Context, n string) (flows.Meter, error) {
	return flows.Meter{CustomerNumber: n, MeterNumber: n, Name: evilMeter, SegmentPower: "R1 /<b>1300</b>"}, nil
}

// checkTexts fails for every text that is not clean Telegram HTML or shows
// injected markup raw.
func checkTexts(t *testing.T, where string, texts []string) {
	t.Helper()
	for _, s := range texts {
		if err := checkHTML(s); err != nil {
			t.Errorf("%s: %v in:\n%s", where, err, s)
		}
		for _, raw := range []string{"<b>Evil", "<a href", "<i>Brand", "<script", "<b>ANTO", "<u>Nest", "<i>Knight", "<b>1300"} {
			if strings.Contains(s, raw) {
				t.Errorf("%s: %q shown raw in:\n%s", where, raw, s)
			}
		}
	}
}

// TestHTMLInNamesIsEscaped: product, brand and game names from the
// catalogue, a meter owner's name from the provider, a role name typed as a
// game id and a Telegram first name, all with HTML, reach the buyer's
// menus, the confirm screen, the processing message, the settlement, the
// ops group and the admin's /order and /orders escaped.
func TestHTMLInNamesIsEscaped(t *testing.T) {
	s := &shelf{products: []flows.Product{
		{Code: "htelkomsel10000", Name: evilName, Category: flows.CategoryPulsa, Brand: evilBrand, Price: 10850,
			Kind: flows.Prepaid, Available: true, Number: flows.NumberPhone},
		{Code: "hpln20000", Name: "PLN <b>20.000</b>", Category: flows.CategoryPLN, Brand: "PLN", Price: 20250,
			Kind: flows.Prepaid, Available: true, Number: flows.NumberPLNMeter},
		{Code: "dn100", Name: evilGame + " 100", Category: flows.CategoryGame, Brand: evilGame, Price: 15000,
			Kind: flows.Prepaid, Available: true, Number: flows.NumberGameID, NumberFormat: "{rolename}|{serverid}"},
	}}
	c := newConvo(t, convoOptions{catalog: s})
	c.service = flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: c.db, Products: c.cache, Engine: c.engine, Meters: htmlMeter{},
		Admins: []int64{9}, Allowed: []int64{c.user}, Now: c.clk.Now, Random: &seededReader{r: rand.New(rand.NewSource(3))}})
	var texts []string
	buy := func(category flows.CategoryID, number string) {
		t.Helper()
		c.outputs = nil
		step := func(in flows.Input) []flows.Reply {
			rs := inputAs(c, c.chat, c.user, evilPerson, in)
			c.outputs = append(c.outputs, rs)
			for _, r := range rs {
				texts = append(texts, r.Text)
			}
			return rs
		}
		step(flows.Input{Kind: flows.InputCommand, Command: "start"})
		step(flows.Input{Kind: flows.InputButton, Button: lastButtonArg(c, "c", string(category)), MessageID: 50})
		if b, ok := findButton(c, "b"); ok {
			step(flows.Input{Kind: flows.InputButton, Button: b, MessageID: 50})
		}
		step(flows.Input{Kind: flows.InputButton, Button: lastButton(c, "p"), MessageID: 50})
		step(flows.Input{Kind: flows.InputText, Text: number})
		if _, ok := findButton(c, "ok"); !ok {
			t.Fatalf("no confirm screen for %s %q:\n%s", category, number, strings.Join(texts, "\n---\n"))
		}
		step(flows.Input{Kind: flows.InputButton, Button: lastButton(c, "ok"), MessageID: 50})
	}
	buy(flows.CategoryPulsa, "081212345678")
	buy(flows.CategoryPLN, "12345678901")
	buy(flows.CategoryGame, evilRole+"|90001")
	// The simulator knows no dn100: that order fails at once, its failure
	// message is checked as well.
	if orders, _ := c.db.ChatOrders(bg, c.chat, 10); len(orders) != 3 {
		t.Fatalf("%d orders, want 3", len(orders))
	}
	c.settle(true)
	for _, n := range c.rec.got() {
		texts = append(texts, n.Text)
	}
	orders, _ := c.db.ChatOrders(bg, c.chat, 10)
	for _, line := range []string{"orders", "orders today", "order " + orders[0].RefID, "order " + orders[1].RefID, "order " + orders[2].RefID} {
		cmd, args, _ := strings.Cut(line, " ")
		for _, r := range inputAs(c, 9, 9, evilPerson, flows.Input{Kind: flows.InputCommand, Command: cmd, Args: args}) {
			texts = append(texts, r.Text)
		}
	}
	checkTexts(t, "messages", texts)
	all := strings.Join(texts, "\n")
	for _, shown := range []string{"Evil&lt;/b&gt;", "&lt;b&gt;ANTO", "&lt;i&gt;Brand", "&lt;i&gt;Knight", "Halo &lt;a href="} {
		if !strings.Contains(all, shown) {
			t.Errorf("no message shows %q: the names were dropped rather than escaped?\n%s", shown, all)
		}
	}
}

func findButton(c *convo, ev string) (flows.ButtonData, bool) {
	if len(c.outputs) == 0 {
		return flows.ButtonData{}, false
	}
	for _, r := range c.outputs[len(c.outputs)-1] {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Data.Action == ev {
					return b.Data, true
				}
			}
		}
	}
	return flows.ButtonData{}, false
}

func lastButtonArg(c *convo, ev, arg string) flows.ButtonData {
	c.t.Helper()
	for _, r := range c.outputs[len(c.outputs)-1] {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Data.Action == ev && b.Data.Arg == arg {
					return b.Data
				}
			}
		}
	}
	c.t.Fatalf("no %s/%s button", ev, arg)
	return flows.ButtonData{}
}

// htmlProvider settles every order at once with provider texts full of
// HTML: the SN, the PIN, the activation code and the message.
type htmlProvider struct{ status flows.Status }

func (htmlProvider) Account() flows.Account {
	return flows.Account{Provider: "fake<b>", ID: "<i>acc</i>", KeyHash: "k&"}
}

func (p htmlProvider) Place(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	return flows.Result{Status: p.status, SN: `<b>SN</b>&<a href="x">1</a>`, PIN: "<i>PIN</i>", ActivationCode: "LPA:1$<s>x</s>",
		Message: "<b>SUKSES</b>", ProviderTxID: "<tx>", Acknowledged: true, Reason: "<b>reason</b>"}, nil
}

func (p htmlProvider) Check(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	return p.Place(ctx, req)
}

// TestHTMLFromProviderIsEscaped: an SN, PIN, activation code and product
// name with HTML settle into the buyer's message, the edit and the ops
// line escaped, for a success and a failure.
func TestHTMLFromProviderIsEscaped(t *testing.T) {
	for _, status := range []flows.Status{flows.StatusSuccess, flows.StatusFailed} {
		h := newHarness(t, harnessOptions{})
		e := h.newEngine(htmlProvider{status: status})
		for _, p := range []flows.Product{
			{Code: "x1", Name: evilName, Category: flows.CategoryESIM, Brand: evilBrand, Price: 1, Kind: flows.Prepaid,
				Available: true, Number: flows.NumberAny},
			{Code: "x2", Name: "PLN <b>20</b>", Category: flows.CategoryPLN, Brand: "PLN", Price: 1, Kind: flows.Prepaid,
				Available: true, Number: flows.NumberPLNMeter},
		} {
			if _, err := e.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(), Product: p,
				CustomerNumber: "12345678901", CustomerName: evilMeter, Price: 2, MessageID: 77}); err != nil {
				t.Fatal(err)
			}
		}
		var texts []string
		for _, n := range h.outbox() {
			texts = append(texts, n.Text)
		}
		if len(texts) < 4 {
			t.Errorf("%s: %d notifications", status, len(texts))
		}
		// The admin's view of the orders: provider account, tx id, message.
		svc := flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: h.db, Products: flows.NewProductCache(&shelf{}, h.db, h.clk.Now),
			Engine: e, Admins: []int64{9}, Now: h.clk.Now})
		orders, _ := h.db.ChatOrders(bg, buyer, 10)
		for i, line := range []string{"orders today", "order " + orders[0].RefID, "order " + orders[1].RefID} {
			cmd, args, _ := strings.Cut(line, " ")
			out, err := svc.Handle(bg, flows.Input{UpdateID: i + 1, ChatID: 9, UserID: 9, Private: true, Kind: flows.InputCommand,
				Command: cmd, Args: args})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range out.Replies {
				texts = append(texts, r.Text)
			}
		}
		checkTexts(t, string(status), texts)
		for _, raw := range []string{"<b>SN", "<i>PIN", "<s>x", "<b>reason", "<b>SUKSES", "<tx>"} {
			if strings.Contains(strings.Join(texts, "\n"), raw) {
				t.Errorf("%s: %q shown raw", status, raw)
			}
		}
	}
}

// callbackWorld is the harness with IAK's callback endpoint wired as main
// wires it (engine.Hint), everything logging to a testlog that fails on
// the api key and on the sign of any order.
type callbackWorld struct {
	*harness
	logs     *testlog.Log
	endpoint string
}

func newCallbackWorld(t *testing.T) *callbackWorld {
	t.Helper()
	logs := testlog.New(t, simKey)
	h := newHarness(t, harnessOptions{})
	h.engine = flows.NewEngine(h.db, h.client, flows.EngineConfig{ProviderTimeout: h.timeout, OpsChatID: opsChat,
		Now: h.clk.Now, Logger: logs.Logger()})
	handler, err := h.client.CallbackHandler(iak.CallbackOptions{Logger: logs.Logger(),
		Handle: func(ctx context.Context, cb iak.Callback) error { return h.engine.Hint(ctx, cb.RefID) }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	runEngine(t, h.engine)
	return &callbackWorld{harness: h, logs: logs, endpoint: srv.URL}
}

func (w *callbackWorld) place() flows.Order {
	o := w.harness.place("081212341000")
	w.logs.Secret(iakSign(o.RefID))
	return o
}

func (w *callbackWorld) post(body string) int {
	w.t.Helper()
	resp, err := http.Post(w.endpoint, "application/json", strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func callbackJSON(fields map[string]string) string {
	raw, _ := json.Marshal(map[string]any{"data": fields})
	return string(raw)
}

// TestCallbackSignedWithTheOtherEnvironmentsKey: a callback signed with the
// sandbox key reaching the production bot (or the reverse) is forged: 403,
// no provider request, the order unchanged.
func TestCallbackSignedWithTheOtherEnvironmentsKey(t *testing.T) {
	w := newCallbackWorld(t)
	o := w.place()
	before := w.hits.total()
	for _, key := range []string{"production-key-0001", simKey + " ", strings.ToUpper(simKey)} {
		sum := iakSignWith(simUser, key, o.RefID)
		if sum == iakSign(o.RefID) {
			continue
		}
		if code := w.post(callbackJSON(map[string]string{"ref_id": o.RefID, "status": "1", "sn": "FAKE", "rc": "00", "sign": sum})); code != http.StatusForbidden {
			t.Errorf("key %q: HTTP %d, want 403", key, code)
		}
	}
	if n := w.hits.total(); n != before {
		t.Errorf("forged callbacks caused %d provider requests", n-before)
	}
	if got := w.order(o.RefID); got.Status != flows.StatusPending || got.SN != "" || got.Checks != o.Checks {
		t.Errorf("a forged callback changed the order: %+v", got)
	}
}

// TestCallbackForOneRefClaimingAnother: a valid sign for order A with
// fields claiming order B's tr_id, number and SN checks A only; B is never
// checked and neither settles on the claim.
func TestCallbackForOneRefClaimingAnother(t *testing.T) {
	w := newCallbackWorld(t)
	a, b := w.place(), w.place()
	body := callbackJSON(map[string]string{"ref_id": a.RefID, "status": "1", "rc": "00", "sn": "SN-OF-" + b.RefID,
		"tr_id": b.ProviderTxID, "customer_id": b.CustomerNumber, "message": "ref " + b.RefID + " SUCCESS", "sign": iakSign(a.RefID)})
	if code := w.post(body); code != 200 {
		t.Fatalf("HTTP %d", code)
	}
	waitFor(t, func() bool { return w.order(a.RefID).Checks > a.Checks })
	// The hint is handled; give a stray check of B every chance to show.
	w.engine.Hint(bg, a.RefID)
	waitFor(t, func() bool { return w.order(a.RefID).Checks > a.Checks+1 })
	if got := w.order(b.RefID); got.Checks != b.Checks || got.Status != flows.StatusPending {
		t.Errorf("order B was touched by A's callback: %+v", got)
	}
	if got := w.order(a.RefID); got.Status != flows.StatusPending || got.SN != "" {
		t.Errorf("A settled on the callback's claim: %+v", got)
	}
}

// TestCallbackReplayAfterSettlement: once an order has settled, replays of
// its valid callback — success or failure claimed — cause no provider
// request, no change and no message.
func TestCallbackReplayAfterSettlement(t *testing.T) {
	w := newCallbackWorld(t)
	o := w.place()
	if err := w.sim.Settle(o.RefID, true); err != nil {
		t.Fatal(err)
	}
	signed := func(status, rc, sn string) string {
		return callbackJSON(map[string]string{"ref_id": o.RefID, "status": status, "rc": rc, "sn": sn, "sign": iakSign(o.RefID)})
	}
	if code := w.post(signed("1", "00", "")); code != 200 {
		t.Fatalf("HTTP %d", code)
	}
	waitFor(t, func() bool { return w.order(o.RefID).Status == flows.StatusSuccess })
	settled := w.order(o.RefID)
	notes, hits := len(w.outbox()), w.hits.total()
	for _, body := range []string{signed("1", "00", "REPLAYED"), signed("2", "07", ""), signed("0", "39", ""), signed("1", "00", "")} {
		for range 3 {
			if code := w.post(body); code != 200 {
				t.Errorf("replay: HTTP %d", code)
			}
		}
	}
	if n := w.hits.total(); n != hits {
		t.Errorf("replays caused %d provider requests", n-hits)
	}
	if got := w.order(o.RefID); got.Status != settled.Status || got.SN != settled.SN || got.SettledAt != settled.SettledAt {
		t.Errorf("replays changed the order:\n got %+v\nwant %+v", got, settled)
	}
	if n := len(w.outbox()); n != notes {
		t.Errorf("replays queued %d notifications", n-notes)
	}
}

// TestCallbackOfAMegabyte: a 1 MB body, valid sign and all, is refused
// with 413 before it is read whole; nothing is checked.
func TestCallbackOfAMegabyte(t *testing.T) {
	w := newCallbackWorld(t)
	o := w.place()
	body := callbackJSON(map[string]string{"ref_id": o.RefID, "status": "1", "sign": iakSign(o.RefID), "pad": strings.Repeat("x", 1<<20)})
	hits := w.hits.total()
	if code := w.post(body); code != http.StatusRequestEntityTooLarge {
		t.Errorf("HTTP %d, want 413", code)
	}
	if n := w.hits.total(); n != hits {
		t.Errorf("%d provider requests", n-hits)
	}
}

// TestCallbackFlood: 200 valid callbacks at once, for a pending order and
// for unknown refs, are all answered 200 (a full backlog of hints falls back
// to the poller, never to an error) and settle nothing.
func TestCallbackFlood(t *testing.T) {
	w := newCallbackWorld(t)
	o := w.place()
	var wg sync.WaitGroup
	codes := make([]int, 200)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref := o.RefID
			if i%2 == 1 {
				ref = "R" + strconv.Itoa(i)
			}
			resp, err := http.Post(w.endpoint, "application/json", strings.NewReader(callbackJSON(map[string]string{
				"ref_id": ref, "status": "1", "sign": iakSign(ref)})))
			if err == nil {
				codes[i] = resp.StatusCode
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	for i, code := range codes {
		if code != 200 {
			t.Errorf("callback %d: HTTP %d", i, code)
		}
	}
	if got := w.order(o.RefID); got.Status != flows.StatusPending {
		t.Errorf("the flood settled the order: %+v", got)
	}
}

func iakSignWith(user, key, ref string) string {
	sum := md5.Sum([]byte(user + key + ref))
	return hex.EncodeToString(sum[:])
}
