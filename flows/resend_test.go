package flows_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/storage"
)

// resender is a provider whose check is the order sent again, with
// Digiflazz's limits: a gap between sends and a re-send age limit. It
// records every request it got and answers what next holds (pending by
// default).
type resender struct {
	mu   sync.Mutex
	reqs []flows.OrderRequest
	next []func(flows.OrderRequest) (flows.Result, error)
}

var (
	_ flows.Provider     = (*resender)(nil)
	_ flows.ResendLimits = (*resender)(nil)
)

func (p *resender) Account() flows.Account {
	return flows.Account{Provider: "digiflazz", ID: "demouser"}
}
func (p *resender) MinCheckGap() time.Duration  { return time.Minute }
func (p *resender) MaxResendAge() time.Duration { return 89 * 24 * time.Hour }

func (p *resender) answer(req flows.OrderRequest) (flows.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reqs = append(p.reqs, req)
	if len(p.next) > 0 {
		f := p.next[0]
		p.next = p.next[1:]
		return f(req)
	}
	return flows.Result{Status: flows.StatusPending, Acknowledged: true, RC: "03"}, nil
}

func (p *resender) Place(_ context.Context, req flows.OrderRequest) (flows.Result, error) {
	return p.answer(req)
}

func (p *resender) Check(_ context.Context, req flows.OrderRequest) (flows.Result, error) {
	return p.answer(req)
}

func (p *resender) requests() []flows.OrderRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]flows.OrderRequest(nil), p.reqs...)
}

type resendRig struct {
	clk    *testclock.Clock
	db     *storage.DB
	p      *resender
	engine *flows.Engine
	timers chan timer
}

func newResendRig(t *testing.T, margin int64) *resendRig {
	t.Helper()
	r := &resendRig{clk: testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB)), p: &resender{}, timers: make(chan timer, 16)}
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: r.clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r.db = db
	r.engine = flows.NewEngine(db, r.p, flows.EngineConfig{OpsChatID: opsChat, Now: r.clk.Now, MinMargin: margin,
		QuickChecks: flows.DefaultQuickChecks, After: func(d time.Duration, f func()) { r.timers <- timer{d, f} }})
	return r
}

func (r *resendRig) place(t *testing.T) flows.Order {
	t.Helper()
	o, err := r.engine.Place(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: nextToken(),
		Product: telkomsel10k(), CustomerNumber: "087800001233", Price: 11500, MessageID: 77})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// The order's max price is its price less the minimum margin, written with
// it, and every re-send repeats the first request exactly: Digiflazz reads
// a same-ref transaction with other parameters as another transaction (rc
// 49).
func TestResendRepeatsTheRequest(t *testing.T) {
	r := newResendRig(t, 500)
	o := r.place(t)
	if o.MaxPrice != 11000 || o.Status != flows.StatusPending {
		t.Fatalf("placed %+v", o)
	}
	r.clk.Advance(2 * time.Minute)
	if _, err := r.engine.Check(bg, o.RefID); err != nil {
		t.Fatal(err)
	}
	reqs := r.p.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	first, again := reqs[0], reqs[1]
	if first.MaxPrice != 11000 || first.RefID != o.RefID || first.ProductCode != "htelkomsel10000" {
		t.Errorf("first send %+v", first)
	}
	if first.RefID != again.RefID || first.ProductCode != again.ProductCode || first.CustomerNumber != again.CustomerNumber ||
		first.MaxPrice != again.MaxPrice || !again.SentAt.Equal(first.SentAt) {
		t.Errorf("re-send %+v differs from the first send %+v", again, first)
	}
	// A margin at or above the price caps at 1 rupiah: refused, never sold
	// at a loss.
	r2 := newResendRig(t, 20000)
	if o := r2.place(t); o.MaxPrice != 1 {
		t.Errorf("max price with a margin above the price: %d", o.MaxPrice)
	}
}

// The poller and hints keep Digiflazz's gap: no quick checks, the next
// check no sooner than a minute after the last send, and a hint (an
// unsigned webhook) in the gap waits for its end.
func TestResendGap(t *testing.T) {
	r := newResendRig(t, 0)
	o := r.place(t)
	select {
	case tm := <-r.timers:
		t.Fatalf("quick check scheduled in %s for a provider with a re-send gap", tm.d)
	default:
	}
	if got := o.NextCheckAt.Sub(r.clk.Now()); got != time.Minute {
		t.Errorf("next check in %s, want 1m", got)
	}
	r.clk.Advance(30 * time.Second)
	if st, err := r.engine.Poll(bg); err != nil || st.Checked != 0 {
		t.Fatalf("poll in the gap: %+v %v", st, err)
	}
	if err := r.engine.Hint(bg, o.RefID); err != nil {
		t.Fatal(err)
	}
	select {
	case tm := <-r.timers:
		if tm.d != 30*time.Second {
			t.Errorf("hint in the gap deferred by %s, want the 30s left", tm.d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("hint in the gap was not deferred")
	}
	if n := len(r.p.requests()); n != 1 {
		t.Fatalf("%d sends within the gap", n)
	}
	r.clk.Advance(31 * time.Second)
	if st, err := r.engine.Poll(bg); err != nil || st.Checked != 1 {
		t.Fatalf("poll after the gap: %+v %v", st, err)
	}
}

// A first send older than the provider's re-send limit is never sent again
// (it would be a new transaction): the order alerts once and stays.
func TestResendTooOld(t *testing.T) {
	r := newResendRig(t, 0)
	o := r.place(t)
	r.clk.Advance(90 * 24 * time.Hour)
	for range 3 {
		got, err := r.engine.Check(bg, o.RefID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != flows.StatusPending || !got.HasAlerted(flows.AlertResendTooOld) {
			t.Fatalf("after the limit: %+v", got)
		}
	}
	if n := len(r.p.requests()); n != 1 {
		t.Errorf("%d sends; the old order was re-sent", n)
	}
	if n := alertsAbout(t, r.db, o.RefID); n != 1 {
		t.Errorf("%d alerts, want one", n)
	}
}

// An answer asking for an admin (rc 49 on a re-send) changes nothing and
// alerts once however often it comes.
func TestAnswerAlertOnce(t *testing.T) {
	r := newResendRig(t, 0)
	o := r.place(t)
	conflict := func(flows.OrderRequest) (flows.Result, error) {
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: "digiflazz: transaction", RC: "49",
			Message: "Ref ID tidak unik", Alert: flows.AlertRefConflict}
	}
	r.p.next = append(r.p.next, conflict, conflict, conflict)
	for range 3 {
		r.clk.Advance(2 * time.Minute)
		got, err := r.engine.Check(bg, o.RefID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != flows.StatusPending || !got.HasAlerted(flows.AlertRefConflict) {
			t.Fatalf("after rc 49: %+v", got)
		}
	}
	if n := alertsAbout(t, r.db, o.RefID); n != 1 {
		t.Errorf("%d alerts, want one", n)
	}
}

// A verified provider answer settles its order as a check's answer would —
// once — and one naming another product or number only hints a check.
func TestProviderAnswer(t *testing.T) {
	r := newResendRig(t, 0)
	o := r.place(t)
	// Another number: a check, not a settlement.
	about := func(sku, number string) func(flows.OrderRequest) bool {
		return func(req flows.OrderRequest) bool {
			return req.RefID == o.RefID && req.ProductCode == sku && req.CustomerNumber == number
		}
	}
	wrong := flows.ProviderAnswer{RefID: o.RefID, Matches: about(o.ProductCode, "087800001230"),
		Result: flows.Result{Status: flows.StatusSuccess, SN: "FORGED"}}
	got, err := r.engine.Answer(bg, wrong)
	if err != nil || got.Status != flows.StatusPending {
		t.Fatalf("mismatched answer: %+v %v", got, err)
	}
	select {
	case tm := <-r.timers:
		if tm.d != time.Minute {
			t.Errorf("mismatched answer's check in %s, want after the gap", tm.d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("mismatched answer scheduled no check")
	}
	ok := flows.ProviderAnswer{RefID: o.RefID, Matches: about(o.ProductCode, o.CustomerNumber),
		Result: flows.Result{Status: flows.StatusSuccess, SN: "SN-778899", RC: "00", Acknowledged: true}}
	for range 2 { // a webhook delivered twice
		got, err = r.engine.Answer(bg, ok)
		if err != nil || got.Status != flows.StatusSuccess || got.SN != "SN-778899" {
			t.Fatalf("verified answer: %+v %v", got, err)
		}
	}
	notes, err := r.db.DueNotifications(bg, r.clk.Now().Add(24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	sns := 0
	for _, n := range notes {
		if n.ChatID == buyer && strings.Contains(n.Text, "SN-778899") {
			sns++
		}
	}
	if sns != 1 {
		t.Errorf("%d SN messages for one settlement", sns)
	}
	if n := len(r.p.requests()); n != 1 {
		t.Errorf("%d sends: the answer should have needed none", n)
	}
	// An unknown ref is acknowledged without an error.
	if _, err := r.engine.Answer(bg, flows.ProviderAnswer{RefID: "NOSUCHREF"}); err != nil {
		t.Errorf("unknown ref: %v", err)
	}
}

// alertsAbout counts the admin alerts queued about ref.
func alertsAbout(t *testing.T, db *storage.DB, ref string) int {
	t.Helper()
	notes, err := db.DueNotifications(bg, time.Now().Add(1000*24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, note := range notes {
		if note.ChatID == opsChat && strings.Contains(note.Text, ref) && strings.Contains(note.Text, "⚠️") {
			n++
		}
	}
	return n
}

// A check asked for within the gap — an admin's /recheck, a hint queued
// while the first send was on the wire — sends nothing and is put off to
// the gap's end.
func TestResendGapCheck(t *testing.T) {
	r := newResendRig(t, 0)
	o := r.place(t)
	r.clk.Advance(10 * time.Second)
	got, err := r.engine.Check(bg, o.RefID)
	if err != nil || got.Status != flows.StatusPending || got.Checks != o.Checks {
		t.Fatalf("check in the gap: %+v %v", got, err)
	}
	if n := len(r.p.requests()); n != 1 {
		t.Fatalf("%d sends within the gap", n)
	}
	select {
	case tm := <-r.timers:
		if tm.d != 50*time.Second {
			t.Errorf("check put off by %s, want the 50s left", tm.d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the check in the gap was dropped, not put off")
	}
}

// A provider with its own re-send age is not bound by IAK's 24 hours: an
// order it never acknowledged (every answer unreadable) is still re-sent
// — identically, so never bought twice — until that age.
func TestResendUnackedPastADay(t *testing.T) {
	r := newResendRig(t, 0)
	unreadable := func(flows.OrderRequest) (flows.Result, error) {
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: "digiflazz: transaction", Message: "502"}
	}
	r.p.next = append(r.p.next, unreadable, unreadable)
	o := r.place(t)
	if o.Acknowledged {
		t.Fatalf("acknowledged: %+v", o)
	}
	r.clk.Advance(30 * time.Hour)
	got, err := r.engine.Check(bg, o.RefID)
	if err != nil || got.HasAlerted(flows.AlertUnacknowledged) || len(r.p.requests()) != 2 {
		t.Fatalf("after 30 h: %d sends, %+v %v", len(r.p.requests()), got, err)
	}
}
