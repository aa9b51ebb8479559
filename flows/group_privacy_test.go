package flows_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"topupbot/bot"
	"topupbot/flows"
	"topupbot/internal/testclock"
)

// secretsOf is what of o must never reach a group: the customer number in
// both Indonesian forms (and its game-id parts), the SN and each part of a
// PLN serial, the token with and without its dashes, PIN, activation code.
func secretsOf(o flows.Order) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); len(s) >= 5 {
			out = append(out, s)
		}
	}
	add(o.CustomerNumber)
	for _, p := range strings.Split(o.CustomerNumber, "|") {
		add(p)
	}
	if rest, ok := strings.CutPrefix(o.CustomerNumber, "0"); ok {
		add("62" + rest)
	}
	add(o.SN)
	if token, _, _ := strings.Cut(o.SN, "/"); token != "" {
		add(token)
		add(strings.ReplaceAll(token, "-", ""))
		for _, g := range strings.Split(token, "-") {
			if len(g) >= 4 && len(token) > 16 {
				// A token's groups: none but the last may show.
				if !strings.HasSuffix(token, g) {
					add(g + "-")
				}
			}
		}
	}
	add(o.PIN)
	add(o.ActivationCode)
	return out
}

func assertHidden(t *testing.T, where, got string, orders ...flows.Order) {
	t.Helper()
	for _, o := range orders {
		for _, s := range secretsOf(o) {
			if strings.Contains(got, s) {
				t.Errorf("%s shows %q of %s:\n%s", where, s, o.RefID, got)
			}
		}
	}
}

// TestGroupAnswersHideCustomerDataMesinR1: in the ops group /order,
// /recheck, /orders and /mutations show no customer number, SN or PLN token
// of Mesin R1 orders, although the provider's msg and the mutation notes
// repeat them ("TRX IS5.081234567890 SUKSES, SN:…"); in a private chat the
// admin sees everything.
func TestGroupAnswersHideCustomerDataMesinR1(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	_, client := newMesinR1Sim(t, clk)
	db := openDB(t, filepath.Join(t.TempDir(), "db"), clk)
	engine := flows.NewEngine(db, client, flows.EngineConfig{OpsChatID: opsChat, Now: clk.Now})
	service := flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: db, Products: flows.NewProductCache(client, db, clk.Now),
		Engine: engine, Admins: []int64{adminID}, Balance: client, Mutations: client, Now: clk.Now})
	ask := func(group bool, cmd, args string) string {
		t.Helper()
		clk.Advance(time.Second)
		in := flows.Input{ChatID: adminID, UserID: adminID, Private: true, Kind: flows.InputCommand, Command: cmd, Args: args}
		if group {
			in.ChatID, in.Private = opsChat, false
		}
		out, err := service.Handle(bg, in)
		if err != nil {
			t.Fatal(err)
		}
		return text(out.Replies)
	}
	place := func(code string, cat flows.CategoryID, number string) flows.Order {
		t.Helper()
		o, err := engine.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(),
			Product: flows.Product{Code: code, Name: code, Category: cat, Kind: flows.Prepaid}, CustomerNumber: number, Price: 100000})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	pulsa := place("IS5", flows.CategoryPulsa, "081234567890")
	pln := place("PLN20", flows.CategoryPLN, "12345678901")
	game := place("ML86", flows.CategoryGame, "87654321|5678")
	pending := place("TSEL10", flows.CategoryPulsa, "081298761000") // pending, then success
	for _, o := range []flows.Order{pulsa, pln, game} {
		if o.Status != flows.StatusSuccess || o.SN == "" {
			t.Fatalf("placed %+v", o)
		}
	}
	if !strings.Contains(pulsa.Message, "TRX IS5.081234567890 SUKSES") || !strings.Contains(pln.Message, strings.SplitN(pln.SN, "/", 2)[0]) {
		t.Fatalf("the simulator's msg no longer repeats number and SN: %q, %q", pulsa.Message, pln.Message)
	}
	all := []flows.Order{pulsa, pln, game, pending}

	for _, o := range []flows.Order{pulsa, pln, game} {
		got := ask(true, "order", o.RefID)
		assertHidden(t, "group /order", got, o)
		if !strings.Contains(got, o.RefID) || !strings.Contains(got, "Pesan provider: ") {
			t.Errorf("group /order lost the ref or the message:\n%s", got)
		}
		got = ask(true, "recheck", o.RefID)
		assertHidden(t, "group /recheck", got, o)
		// The admin's private chat shows it all.
		if got := ask(false, "order", o.RefID); !strings.Contains(got, o.SN) || !strings.Contains(got, o.Message) {
			t.Errorf("private /order hides the SN or message:\n%s", got)
		}
	}
	clk.Advance(2 * time.Minute) // the simulator settles the pending one
	got := ask(true, "recheck", pending.RefID)
	settled, err := db.Order(bg, pending.RefID)
	if err != nil {
		t.Fatal(err)
	}
	if settled.Status != flows.StatusSuccess || !strings.Contains(got, "berhasil") {
		t.Fatalf("recheck: %+v\n%s", settled, got)
	}
	assertHidden(t, "group /recheck", got, settled)
	all[3] = settled

	got = ask(true, "orders", "today")
	assertHidden(t, "group /orders", got, all...)
	got = ask(true, "mutations", "")
	assertHidden(t, "group /mutations", got, all...)
	if !strings.Contains(got, "REF:"+pulsa.RefID) || !strings.Contains(got, "TRX IS5.0812****7890") {
		t.Errorf("group /mutations should keep the ref and a masked number:\n%s", got)
	}
	if got := ask(false, "mutations", ""); !strings.Contains(got, "TRX IS5.081234567890 REF:"+pulsa.RefID) {
		t.Errorf("private /mutations should show the note in full:\n%s", got)
	}

	// The settlement lines of the ops group.
	notes, err := db.DueNotifications(bg, clk.Now().Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	ops := 0
	for _, n := range notes {
		if n.ChatID == opsChat {
			ops++
			assertHidden(t, "ops line", n.Text, all...)
		}
	}
	if ops != len(all) {
		t.Errorf("%d ops lines, want %d", ops, len(all))
	}
}

// TestGroupAnswersHideCustomerDataIAK: the same for IAK, whose PLN serial
// is "token/NAME/R1/900VA/kWh": the token is masked in /order, /recheck and
// the ops line; a message that repeats the number (IAK's texts may) too.
func TestGroupAnswersHideCustomerDataIAK(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	service := flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: h.db, Products: flows.NewProductCache(h.client, h.db, h.clk.Now),
		Engine: h.engine, Admins: []int64{adminID}, Now: h.clk.Now})
	ask := func(cmd, ref string) string {
		t.Helper()
		out, err := service.Handle(bg, flows.Input{ChatID: opsChat, UserID: adminID, Kind: flows.InputCommand, Command: cmd, Args: ref})
		if err != nil {
			t.Fatal(err)
		}
		return text(out.Replies)
	}
	o, err := h.engine.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(), Price: 21000,
		Product: flows.Product{Code: "hpln20000", Name: "PLN 20.000", Category: flows.CategoryPLN, Kind: flows.Prepaid}, CustomerNumber: "12345678901"})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.sim.Settle(o.RefID, true); err != nil {
		t.Fatal(err)
	}
	got := ask("recheck", o.RefID)
	o = h.order(o.RefID)
	if o.Status != flows.StatusSuccess || strings.Count(o.SN, "/") < 3 {
		t.Fatalf("settled %+v", o)
	}
	assertHidden(t, "group /recheck", got, o)
	assertHidden(t, "group /order", ask("order", o.RefID), o)
	for _, n := range h.outbox() {
		if n.ChatID == opsChat {
			assertHidden(t, "ops line", n.Text, o)
		}
	}

	// An order whose stored message repeats the number and the SN.
	leaky := flows.Order{RefID: "261123080000LEAKY01", ChatID: buyer, UserID: buyer, Token: "leaky", Kind: flows.Prepaid,
		ProductCode: "htelkomsel10000", ProductName: "Telkomsel 10.000", CustomerNumber: "081212361000", Price: 11500,
		Account: h.client.Account(), Status: flows.StatusPending, CreatedAt: h.clk.Now(),
		RC: "14", Message: "NOMOR 6281212361000 SALAH; SN 4455667788990011", SN: "4455667788990011"}
	if _, _, err := h.db.CreateOrder(bg, leaky); err != nil {
		t.Fatal(err)
	}
	assertHidden(t, "group /order", ask("order", leaky.RefID), leaky)
}
