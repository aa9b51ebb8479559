package mesinr1

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/provider/sandbox/mesinr1sim"
)

func TestPlaceSuccessTakesSNFromMsg(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	res, err := w.client.Place(ctx, order("R1A", "IS5", phone("7890")))
	if err != nil {
		t.Fatal(err)
	}
	tx, ok := w.sim.Transaction("R1A")
	if !ok {
		t.Fatal("simulator holds no transaction")
	}
	want := flows.Result{
		Status: flows.StatusSuccess, SN: tx.SN, Price: 5500, ProviderTxID: tx.TrxNo, Acknowledged: true,
		RC: "00", Message: tx.Msg, Balance: 1_000_000 - 5500, BalanceKnown: true,
	}
	if res != want {
		t.Errorf("Place =\n %+v, want\n %+v", res, want)
	}
	if tx.SN == "" || !strings.Contains(tx.Msg, "SN:"+tx.SN+" HRG:") {
		t.Errorf("the simulator's msg %q should carry the SN %q before HRG:", tx.Msg, tx.SN)
	}
}

// TestPlaceOutcomes walks the simulator's test numbers through Place and,
// for the pending ones, through Check as time passes.
func TestPlaceOutcomes(t *testing.T) {
	type want struct {
		kind   flows.ErrorKind // "" for a Result
		status flows.Status
		reason flows.Reason
	}
	tests := []struct {
		name    string
		product string
		number  string
		place   want
		// later is the Check after the settle delay; zero means none.
		later want
		// txs is how many transactions the simulator holds after Place.
		txs int
	}{
		{"success", "IS5", phone("7890"), want{status: flows.StatusSuccess}, want{}, 1},
		{"pending then success", "IS5", phone("1000"), want{status: flows.StatusPending}, want{status: flows.StatusSuccess}, 1},
		{"pending then wrong number", "IS5", phone("1014"), want{status: flows.StatusPending}, want{status: flows.StatusFailed, reason: flows.ReasonWrongNumber}, 1},
		{"stays pending", "IS5", phone("1002"), want{status: flows.StatusPending}, want{status: flows.StatusPending}, 1},
		{"failed at once", "IS5", phone("2014"), want{status: flows.StatusFailed, reason: flows.ReasonWrongNumber}, want{}, 1},
		{"refused wrong number", "IS5", phone("0014"), want{kind: flows.KindRejected, reason: flows.ReasonWrongNumber}, want{}, 0},
		{"refused balance", "IS5", phone("0051"), want{kind: flows.KindRejected, reason: flows.ReasonProviderBalance}, want{}, 0},
		{"refused unknown rc", "IS5", phone("0005"), want{kind: flows.KindRejected, reason: flows.ReasonFailed}, want{}, 0},
		{"invalid ip", "IS5", phone("0092"), want{kind: flows.KindMisconfigured}, want{}, 0},
		{"timeout rc 68", "IS5", phone("0068"), want{kind: flows.KindUnknown}, want{status: flows.StatusSuccess}, 1},
		{"malfunction rc 96", "IS5", phone("0096"), want{kind: flows.KindUnknown}, want{status: flows.StatusSuccess}, 1},
		{"504 html", "IS5", phone("9504"), want{kind: flows.KindUnknown}, want{status: flows.StatusSuccess}, 1},
		{"truncated json", "IS5", phone("9200"), want{kind: flows.KindUnknown}, want{status: flows.StatusSuccess}, 1},
		{"bad number format", "IS5", "12345", want{kind: flows.KindRejected, reason: flows.ReasonWrongNumber}, want{}, 0},
		{"unknown product", "NOPE1", phone("7890"), want{kind: flows.KindRejected, reason: flows.ReasonProductUnavailable}, want{}, 0},
		{"gangguan", "SM100", "0881234" + "7890", want{kind: flows.KindRejected, reason: flows.ReasonProductUnavailable}, want{}, 0},
		{"kosong", "AX100", "0831234" + "7890", want{kind: flows.KindRejected, reason: flows.ReasonProductUnavailable}, want{}, 0},
		{"postpaid via topup", "PLNPASC", "546302217890", want{kind: flows.KindRejected, reason: flows.ReasonProductUnavailable}, want{}, 0},
		{"pln token", "PLN20", "12345677890", want{status: flows.StatusSuccess}, want{}, 1},
		{"mobile legends", "ML86", "123456789|7890", want{status: flows.StatusSuccess}, want{}, 1},
		{"mobile legends without zone", "ML86", "1234567890", want{kind: flows.KindRejected, reason: flows.ReasonWrongNumber}, want{}, 0},
	}
	check := func(t *testing.T, step string, res flows.Result, err error, w want) {
		t.Helper()
		if kindOf(err) != w.kind {
			t.Fatalf("%s: err = %v (kind %q), want kind %q", step, err, kindOf(err), w.kind)
		}
		if w.kind != "" {
			if w.reason != "" && flows.ReasonOf(err) != w.reason {
				t.Errorf("%s: reason = %q, want %q", step, flows.ReasonOf(err), w.reason)
			}
			return
		}
		if res.Status != w.status || res.Reason != w.reason || !res.Acknowledged {
			t.Errorf("%s: result = %+v, want status %q reason %q", step, res, w.status, w.reason)
		}
		if res.Status == flows.StatusSuccess && res.SN == "" {
			t.Errorf("%s: success without an SN: %+v", step, res)
		}
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			ctx := context.Background()
			req := order(fmt.Sprintf("R%02d", i), tt.product, tt.number)
			res, err := w.client.Place(ctx, req)
			check(t, "Place", res, err, tt.place)
			if n := w.sim.TransactionCount(); n != tt.txs {
				t.Errorf("simulator holds %d transactions, want %d", n, tt.txs)
			}
			if tt.later == (want{}) {
				return
			}
			req.Acknowledged = err == nil
			w.clock.Advance(time.Hour)
			res, err = w.client.Check(ctx, req)
			check(t, "Check", res, err, tt.later)
			if n := w.sim.TransactionCount(); n != tt.txs {
				t.Errorf("after Check the simulator holds %d transactions, want %d", n, tt.txs)
			}
		})
	}
}

func TestDepositMovesAndRefunds(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := w.client.Place(ctx, order("D1", "IS5", phone("7890"))); err != nil {
		t.Fatal(err)
	}
	res, err := w.client.Place(ctx, order("D2", "IS10", phone("2005")))
	if err != nil || res.Status != flows.StatusFailed {
		t.Fatalf("Place = %+v, %v; want failed", res, err)
	}
	bal, err := w.client.Balance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if bal != 1_000_000-5500 || w.sim.Deposit() != bal {
		t.Errorf("Balance = %d (simulator %d), want %d: the failed order is refunded", bal, w.sim.Deposit(), 1_000_000-5500)
	}
	if res.Balance != bal || !res.BalanceKnown {
		t.Errorf("the failed answer's saldo = %d, want %d", res.Balance, bal)
	}
}

func TestRealDepositShortfallIsRejected(t *testing.T) {
	w := newWorld(t, func(o *mesinr1sim.Options, _ *Config) { o.Deposit = 5000 })
	_, err := w.client.Place(context.Background(), order("S1", "IS5", phone("7890")))
	if kindOf(err) != flows.KindRejected || flows.ReasonOf(err) != flows.ReasonProviderBalance {
		t.Fatalf("Place = %v, want rejected provider_balance", err)
	}
	if w.sim.TransactionCount() != 0 || w.sim.Deposit() != 5000 {
		t.Errorf("a refusal created something: %d transactions, deposit %d", w.sim.TransactionCount(), w.sim.Deposit())
	}
}

// TestDuplicatePlaceAsksStatus: rc 94 on the same ref_1 is "exists", answered
// from status — never a failure and never a second transaction.
func TestDuplicatePlaceAsksStatus(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	req := order("DUP1", "TSEL10", "081212347890")
	first, err := w.client.Place(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	second, err := w.client.Place(ctx, req)
	if err != nil {
		t.Fatalf("second Place = %v, want the existing transaction", err)
	}
	if second.Status != flows.StatusSuccess || second.SN != first.SN || !second.Acknowledged {
		t.Errorf("second Place = %+v, want the first's success %+v", second, first)
	}
	if got, want := strings.Join(w.rec.paths(), " "), "topup topup status"; got != want {
		t.Errorf("calls = %q, want %q", got, want)
	}
	if w.sim.TransactionCount() != 1 || w.sim.Deposit() != 1_000_000-11300 {
		t.Errorf("simulator: %d transactions, deposit %d; want one debit", w.sim.TransactionCount(), w.sim.Deposit())
	}
}

// TestCheckResendsSameRef: an order lost in a 504 is checked by re-sending
// the identical topup under the same ref_1; the simulator answers 94, the
// client asks status, and exactly one transaction exists.
func TestCheckResendsSameRef(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	req := order("LOST1", "XL25", "081712349504")
	if _, err := w.client.Place(ctx, req); kindOf(err) != flows.KindUnknown {
		t.Fatalf("Place = %v, want unknown (504)", err)
	}
	res, err := w.client.Check(ctx, req)
	if err != nil || res.Status != flows.StatusSuccess || !res.Acknowledged {
		t.Fatalf("Check = %+v, %v; want success", res, err)
	}
	reqs := w.rec.all()
	if len(reqs) != 3 {
		t.Fatalf("requests = %v, want topup, topup, status", w.rec.paths())
	}
	if fmt.Sprint(reqs[0].Body) != fmt.Sprint(reqs[1].Body) || reqs[1].Path != "/V1/api/topup" {
		t.Errorf("re-send %v differs from the first send %v", reqs[1], reqs[0])
	}
	if reqs[2].Path != "/V1/api/status" || reqs[2].Body["ref_1"] != "LOST1" {
		t.Errorf("third request = %+v, want status of LOST1", reqs[2])
	}
	if w.sim.TransactionCount() != 1 {
		t.Errorf("simulator holds %d transactions, want 1", w.sim.TransactionCount())
	}
}

// TestConcurrentChecksCreateOneTransaction: many checks of an
// unacknowledged order at once (poller, restart, /recheck) still make one
// transaction and one debit.
func TestConcurrentChecksCreateOneTransaction(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	req := order("RACE1", "TSEL50", "081312341000")
	const n = 16
	var wg sync.WaitGroup
	results := make([]flows.Result, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { results[i], errs[i] = w.client.Check(ctx, req) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || results[i].Status != flows.StatusPending {
			t.Errorf("check %d = %+v, %v; want pending", i, results[i], errs[i])
		}
	}
	if got := w.sim.TransactionCount(); got != 1 {
		t.Errorf("simulator holds %d transactions, want 1", got)
	}
	if got, want := w.sim.Deposit(), int64(1_000_000-51300); got != want {
		t.Errorf("deposit = %d, want %d (one debit)", got, want)
	}
	for _, r := range w.rec.all() {
		if r.Body["ref_1"] != nil && r.Body["ref_1"] != "RACE1" {
			t.Errorf("a request used ref_1 %v", r.Body["ref_1"])
		}
	}
}

func TestSlowAnswerIsUnknown(t *testing.T) {
	w := newWorld(t, func(o *mesinr1sim.Options, c *Config) {
		o.SlowDelay = time.Hour
		c.HTTPClient = newShortClient()
	})
	ctx := context.Background()
	req := order("SLOW1", "IS10", phone("9408"))
	_, err := w.client.Place(ctx, req)
	if kindOf(err) != flows.KindUnknown {
		t.Fatalf("Place = %v, want unknown", err)
	}
	res, err := w.client.Check(ctx, req)
	if err != nil || res.Status != flows.StatusSuccess {
		t.Fatalf("Check = %+v, %v; want success", res, err)
	}
	if w.sim.TransactionCount() != 1 {
		t.Errorf("simulator holds %d transactions, want 1", w.sim.TransactionCount())
	}
}

func TestCancelledContextIsUnknown(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.client.Place(ctx, order("C1", "IS5", phone("7890"))); kindOf(err) != flows.KindUnknown {
		t.Errorf("Place with a cancelled context = %v, want unknown", err)
	}
}

func TestCheckAcknowledged(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	req := order("ACK1", "IS5", phone("1002"))
	res, err := w.client.Place(ctx, req)
	if err != nil || res.Status != flows.StatusPending {
		t.Fatalf("Place = %+v, %v", res, err)
	}
	req.Acknowledged, req.ProviderTxID = true, res.ProviderTxID
	if err := w.sim.Settle("ACK1", false); err != nil {
		t.Fatal(err)
	}
	res, err = w.client.Check(ctx, req)
	if err != nil || res.Status != flows.StatusFailed || res.Reason != flows.ReasonFailed || res.RC != "05" {
		t.Errorf("Check = %+v, %v; want failed rc 05", res, err)
	}
	if w.rec.count("topup") != 1 {
		t.Errorf("an acknowledged order was re-sent: %v", w.rec.paths())
	}
}

// TestCheckWithoutRecordIsNotFound: status and history both without a
// record is KindNotFound — it never fails an order.
func TestCheckWithoutRecordIsNotFound(t *testing.T) {
	w := newWorld(t)
	req := order("GHOST1", "IS5", phone("7890"))
	req.Acknowledged = true
	_, err := w.client.Check(context.Background(), req)
	if kindOf(err) != flows.KindNotFound {
		t.Fatalf("Check = %v, want not_found", err)
	}
	if got, want := strings.Join(w.rec.paths(), " "), "status history/GHOST1"; got != want {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func TestLocalRefusalSendsNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, req := range []flows.OrderRequest{order("", "IS5", phone("7890")), order("L1", "", phone("7890")), order("L1", "IS5", "")} {
		if _, err := w.client.Place(ctx, req); kindOf(err) != flows.KindRejected {
			t.Errorf("Place(%+v) = %v, want rejected", req, err)
		}
		if _, err := w.client.Check(ctx, req); kindOf(err) != flows.KindRejected {
			t.Errorf("Check(%+v) = %v, want rejected", req, err)
		}
	}
	if n := len(w.rec.all()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}
