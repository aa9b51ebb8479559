package flows_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/storage"
)

// settleOutbox counts what the outbox holds about ref: new messages to the
// buyer, edits of the buyer's message, ops lines and alerts (ops sends that
// are not the settlement line).
func settleOutbox(t *testing.T, db *storage.DB, now time.Time, ref string, chat int64) (buyerSends, edits, ops int) {
	t.Helper()
	notes, err := db.DueNotifications(bg, now.Add(24*time.Hour), 100000)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		switch {
		case n.RefID != ref:
		case n.ChatID == chat && n.Kind == flows.NotifySend:
			buyerSends++
		case n.ChatID == chat && n.Kind == flows.NotifyEdit:
			edits++
		case n.ToOps:
			ops++
		}
	}
	return
}

// TestSettleByHand: /settle in an admin's private chat settles a pending
// order through the normal settlement (buyer told once, the edit, the ops
// line), records the admin and the note, and a second /settle — a double
// tap, the other verb — changes nothing.
func TestSettleByHand(t *testing.T) {
	for _, verb := range []string{"sukses", "gagal"} {
		t.Run(verb, func(t *testing.T) {
			a := newAdminConvo(t, 0)
			o := a.order("081234561039")
			if o.Status != flows.StatusPending {
				t.Fatalf("placed %+v", o)
			}
			line := "/settle " + strings.ToLower(o.RefID) + " gagal dikonfirmasi CS <b>IAK</b>"
			want, wantSN := flows.StatusFailed, ""
			if verb == "sukses" {
				line = "/settle " + o.RefID + " sukses 1234-5678 dikonfirmasi CS <b>IAK</b>"
				want, wantSN = flows.StatusSuccess, "1234-5678"
			}
			got := text(a.cmd(adminID, false, line))
			if !strings.Contains(got, "diselesaikan manual") || !strings.Contains(got, "dikonfirmasi CS &lt;b&gt;IAK&lt;/b&gt;") {
				t.Errorf("/settle: %q", got)
			}
			after, _ := a.db.Order(bg, o.RefID)
			if after.Status != want || after.SN != wantSN || after.SettledBy != adminID ||
				after.SettleNote != "dikonfirmasi CS <b>IAK</b>" || after.SettledAt.IsZero() {
				t.Errorf("after /settle: %+v", after)
			}
			if n, _ := a.db.PendingCount(); n != 0 {
				t.Errorf("%d orders still in the pending index", n)
			}
			// Again, with either verb: refused, nothing changes, nothing queued.
			for _, again := range []string{line, "/settle " + o.RefID + " sukses 999 lain", "/settle " + o.RefID + " gagal lain"} {
				if got := text(a.cmd(adminID, false, again)); !strings.Contains(got, "sudah selesai") {
					t.Errorf("%s on a settled order: %q", again, got)
				}
			}
			// The same update re-delivered is not handled twice.
			in := flows.Input{UpdateID: a.update, ChatID: adminID, UserID: adminID, Private: true,
				Kind: flows.InputCommand, Command: "settle", Args: strings.TrimPrefix(line, "/settle ")}
			if _, err := a.service.Handle(bg, in); err != nil {
				t.Fatal(err)
			}
			if again, _ := a.db.Order(bg, o.RefID); again.Status != want || again.SettleNote != after.SettleNote || !again.UpdatedAt.Equal(after.UpdatedAt) {
				t.Errorf("a second /settle changed the order: %+v", again)
			}
			sends, edits, ops := settleOutbox(t, a.db, a.clk.Now(), o.RefID, buyerID)
			if sends != 1 || edits != 1 || ops != 1 {
				t.Errorf("outbox: %d buyer messages, %d edits, %d ops lines; want 1 each", sends, edits, ops)
			}
		})
	}
}

// TestSettleRefusals: a group, a buyer, a bad line, an unknown ref and a
// code product without its code act on nothing.
func TestSettleRefusals(t *testing.T) {
	a := newAdminConvo(t, 0)
	o := a.order("081234561040")
	line := "/settle " + o.RefID + " gagal CS bilang gagal"
	unknown := text(a.cmd(buyerID, false, "/nosuchcommand"))
	if got := text(a.cmd(buyerID, false, line)); got != unknown {
		t.Errorf("buyer /settle: %q, want the unknown-command answer", got)
	}
	if got := a.cmd(buyerID, true, line); len(got) != 0 {
		t.Errorf("buyer /settle in the group: %q, want silence", text(got))
	}
	if got := text(a.cmd(adminID, true, line)); got != "/settle hanya bisa dipakai di chat pribadi dengan bot." {
		t.Errorf("admin /settle in the group: %q", got)
	}
	a.cmd(adminID, false, "/lang en")
	if got := text(a.cmd(adminID, false, "/settle "+o.RefID)); !strings.HasPrefix(got, "Format: <code>/settle REF sukses SN note…</code>") {
		t.Errorf("admin /settle usage, English: %q", got)
	}
	a.cmd(adminID, false, "/lang id")
	for _, bad := range []string{"/settle", "/settle " + o.RefID, "/settle " + o.RefID + " gagal",
		"/settle " + o.RefID + " sukses 123", "/settle " + o.RefID + " mungkin catatan"} {
		if got := text(a.cmd(adminID, false, bad)); !strings.HasPrefix(got, "Format: <code>/settle") {
			t.Errorf("%q: %q", bad, got)
		}
	}
	if got := text(a.cmd(adminID, false, "/settle 261123000000NOPE0001 gagal catatan")); !strings.Contains(got, "tidak ditemukan") {
		t.Errorf("unknown ref: %q", got)
	}
	if got, _ := a.db.Order(bg, o.RefID); got.Status != flows.StatusPending || got.SettledBy != 0 {
		t.Errorf("refused /settle changed the order: %+v", got)
	}
	if sends, edits, ops := settleOutbox(t, a.db, a.clk.Now(), o.RefID, buyerID); sends+edits+ops != 0 {
		t.Errorf("refused /settle queued %d notifications", sends+edits+ops)
	}
}

// TestSettleCodeProductNeedsSN: a PLN token, a voucher and an eSIM succeed
// by hand only with their code; a credit succeeds with "-".
func TestSettleCodeProductNeedsSN(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := &gateProvider{}
	e := flows.NewEngine(db, p, flows.EngineConfig{OpsChatID: opsChat, Now: clk.Now})
	for _, c := range []struct {
		typ     flows.ProductType
		badSN   string
		goodSN  string
		success bool
	}{
		{flows.TypePLNToken, " /BUDI/R1/900VA/20,5", "1234-5678-9012-3456-7890/BUDI/R1/900VA/20,5", true},
		{flows.TypeVoucher, "", "VCHR-ABCD", true},
		{flows.TypeESIM, "  ", "LPA:1$smdp.example$CODE", true},
	} {
		o, err := e.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(),
			Product:        flows.Product{Code: "X" + string(c.typ), Name: string(c.typ), Kind: flows.Prepaid, Type: c.typ, Price: 1000},
			CustomerNumber: "081234567890", Price: 1500})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.SettleByHand(bg, flows.ManualSettlement{RefID: o.RefID, Status: flows.StatusSuccess, SN: c.badSN, AdminID: adminID, Note: "cs"})
		if !errors.Is(err, flows.ErrCodeRequired) {
			t.Errorf("%s with SN %q: %v, want ErrCodeRequired", c.typ, c.badSN, err)
		}
		if got, _ := db.Order(bg, o.RefID); got.Status.Final() {
			t.Errorf("%s settled without its code: %+v", c.typ, got)
		}
		got, err := e.SettleByHand(bg, flows.ManualSettlement{RefID: o.RefID, Status: flows.StatusSuccess, SN: c.goodSN, AdminID: adminID, Note: "cs"})
		if err != nil || got.Status != flows.StatusSuccess || got.SN != c.goodSN {
			t.Errorf("%s with its code: %+v %v", c.typ, got, err)
		}
	}
	// Through the command: the admin is told, in words.
	a := newAdminConvo(t, 0)
	o := a.order("081234561041")
	if got := text(a.cmd(adminID, false, "/settle "+o.RefID+" sukses - CS: masuk")); !strings.Contains(got, "diselesaikan manual") {
		t.Errorf("a credit with SN -: %q", got)
	}
	if got, _ := a.db.Order(bg, o.RefID); got.Status != flows.StatusSuccess || got.SN != "" {
		t.Errorf("a credit with SN -: %+v", got)
	}
}

// TestSettleByHandContradicted: answers that arrive after a settlement by
// hand — two checks in flight, from two processes — change nothing and
// alert once; later polls and callbacks ask nothing.
func TestSettleByHandContradicted(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := &gateProvider{gate: true, entered: make(chan struct{}, 2), release: make(chan struct{}),
		res: flows.Result{Status: flows.StatusSuccess, SN: "PROVIDER-SN", Acknowledged: true}}
	e1 := flows.NewEngine(db, p, flows.EngineConfig{OpsChatID: opsChat, Now: clk.Now})
	e2 := flows.NewEngine(db, p, flows.EngineConfig{OpsChatID: opsChat, Now: clk.Now})
	o, err := e1.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(),
		Product: telkomsel10k(), CustomerNumber: "081234567890", Price: 11500, MessageID: 77})
	if err != nil || o.Status != flows.StatusPending {
		t.Fatalf("placed %+v %v", o, err)
	}
	var wg sync.WaitGroup
	for _, e := range []*flows.Engine{e1, e2} {
		wg.Go(func() {
			if _, err := e.Check(bg, o.RefID); err != nil {
				t.Error(err)
			}
		})
	}
	<-p.entered
	<-p.entered
	settled, err := e1.SettleByHand(bg, flows.ManualSettlement{RefID: o.RefID, Status: flows.StatusFailed, AdminID: adminID, Note: "CS: gagal"})
	if err != nil {
		t.Fatal(err)
	}
	close(p.release)
	wg.Wait()

	after, _ := db.Order(bg, o.RefID)
	if after.Status != flows.StatusFailed || after.SN != "" || after.SettledBy != adminID || !after.SettledAt.Equal(settled.SettledAt) {
		t.Errorf("the provider's success changed a failed-by-hand order: %+v", after)
	}
	if !after.HasAlerted(flows.AlertManualContradicted) {
		t.Errorf("no contradiction alert recorded: %+v", after.Alerted)
	}
	alerts := func() (n int) {
		notes, _ := db.DueNotifications(bg, clk.Now().Add(24*time.Hour), 1000)
		for _, note := range notes {
			if note.ToOps && strings.Contains(note.Text, "diselesaikan manual") {
				n++
			}
		}
		return n
	}
	if n := alerts(); n != 1 {
		t.Errorf("%d contradiction alerts, want 1", n)
	}
	// Later: the poller and a callback ask nothing and raise nothing.
	calls := p.calls()
	clk.Advance(time.Hour)
	if _, err := e1.Poll(bg); err != nil {
		t.Fatal(err)
	}
	if err := e1.Hint(bg, o.RefID); err != nil {
		t.Fatal(err)
	}
	if _, err := e1.Check(bg, o.RefID); err != nil {
		t.Fatal(err)
	}
	if p.calls() != calls || alerts() != 1 {
		t.Errorf("after the alert: %d more provider calls, %d alerts", p.calls()-calls, alerts())
	}
	sends, _, _ := settleOutbox(t, db, clk.Now(), o.RefID, buyer)
	if sends != 1 {
		t.Errorf("buyer told %d times, want once", sends)
	}
}

// TestSettleByHandAgreeingAnswer: an answer that agrees with the
// settlement by hand is silent.
func TestSettleByHandAgreeingAnswer(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := &gateProvider{gate: true, entered: make(chan struct{}, 1), release: make(chan struct{}),
		res: flows.Result{Status: flows.StatusFailed, Acknowledged: true}}
	e := flows.NewEngine(db, p, flows.EngineConfig{OpsChatID: opsChat, Now: clk.Now})
	o, err := e.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(),
		Product: telkomsel10k(), CustomerNumber: "081234567890", Price: 11500})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); e.Check(bg, o.RefID) }()
	<-p.entered
	if _, err := e.SettleByHand(bg, flows.ManualSettlement{RefID: o.RefID, Status: flows.StatusFailed, AdminID: adminID, Note: "CS"}); err != nil {
		t.Fatal(err)
	}
	close(p.release)
	<-done
	if got, _ := db.Order(bg, o.RefID); len(got.Alerted) != 0 {
		t.Errorf("an agreeing answer alerted: %+v", got.Alerted)
	}
}

// gateProvider acknowledges every order as pending; with gate, its checks
// wait for release and answer res.
type gateProvider struct {
	gate    bool
	entered chan struct{}
	release chan struct{}
	res     flows.Result
	mu      sync.Mutex
	nChecks int
}

var _ flows.Provider = (*gateProvider)(nil)

func (p *gateProvider) Account() flows.Account { return flows.Account{Provider: "fake", ID: "u1"} }

func (p *gateProvider) Place(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	return flows.Result{Status: flows.StatusPending, Acknowledged: true, ProviderTxID: "T" + req.RefID}, nil
}

func (p *gateProvider) Check(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	p.mu.Lock()
	p.nChecks++
	p.mu.Unlock()
	if !p.gate {
		return flows.Result{Status: flows.StatusPending, Acknowledged: true}, nil
	}
	p.entered <- struct{}{}
	<-p.release
	return p.res, nil
}

func (p *gateProvider) calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.nChecks
}

// TestSettleByHandRefusesPlacing: an order still placing — its first send
// on the wire, or waiting for the poller to resume it — cannot be settled
// by hand: the send would reach the provider after a refund (DESIGN rules
// 13, 16). Once the provider has answered, it can.
func TestSettleByHandRefusesPlacing(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Adjust(bg, buyer, 20000, adminID, "modal"); err != nil {
		t.Fatal(err)
	}
	p := &gateProvider{}
	e := flows.NewEngine(db, p, flows.EngineConfig{OpsChatID: opsChat, Now: clk.Now, Wallet: true})
	o, created, err := e.Create(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(),
		Product: telkomsel10k(), CustomerNumber: "081234567890", Price: 11500})
	if err != nil || !created || o.Hold != 11500 {
		t.Fatalf("created %+v %v %v", o, created, err)
	}
	m := flows.ManualSettlement{RefID: o.RefID, Status: flows.StatusFailed, AdminID: adminID, Note: "CS: tidak ada"}
	if _, err := e.SettleByHand(bg, m); !errors.Is(err, flows.ErrNotAnswered) {
		t.Fatalf("placing order settled by hand: %v", err)
	}
	if w, _ := db.Wallet(bg, buyer); w.Balance != 8500 || w.Held != 11500 {
		t.Fatalf("refused settlement moved money: %+v", w)
	}
	if o, err = e.Send(bg, o.RefID); err != nil || o.Status != flows.StatusPending {
		t.Fatalf("sent: %+v %v", o, err)
	}
	if o, err = e.SettleByHand(bg, m); err != nil || o.Status != flows.StatusFailed {
		t.Fatalf("pending order settled by hand: %+v %v", o, err)
	}
	if w, _ := db.Wallet(bg, buyer); w.Balance != 20000 || w.Held != 0 {
		t.Fatalf("failed by hand, not refunded once: %+v", w)
	}
}
