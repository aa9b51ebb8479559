package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
	"topupbot/provider/iak"
)

// The fault suite: the whole program under adversity, each test proving
// money rules of DESIGN.md end to end on the real binary. The harness is
// in faults_harness_test.go, the provider's fault front in
// faults_proxy_test.go.

// telkomselBuyer buys Telkomsel pulsa for a number of its own whose test
// digits (2xxx) make the simulator accept it and settle it to success.
func telkomselBuyer(w *world, rnd *lockedRand, chat int64, i int) *buyer {
	products := []string{"Telkomsel 5.000 ·", "Telkomsel 10.000 ·", "Telkomsel 20.000 ·", "Telkomsel 25.000 ·"}
	return &buyer{
		w: w, rnd: rnd, chat: chat,
		path:   []string{"Pulsa", "Telkomsel", products[rnd.IntN(len(products))]},
		number: fmt.Sprintf("0812%04d%04d", 7000+i, 2000+i),
	}
}

// TestFaultKillAndRestart: 50 buyers walk the purchase conversation at once
// while the bot is SIGKILLed at seeded random points of their progress and
// restarted, five times (and once stopped with SIGTERM, which must end in
// order). Buyers act like people: when the bot does not answer, they try
// again; their client re-sends a tap never answered. Afterwards every
// confirmed purchase is one order, placed once at the provider and settled,
// every buyer has the SN, nothing was placed for a purchase not confirmed,
// and duplicate messages (a second SN or "processing" message for one ref)
// stay under 1%.
func TestFaultKillAndRestart(t *testing.T) {
	t.Parallel()
	rnd := seeded(t)
	const purchases, cancellers, kills = 50, 5, 5
	var ids []int64
	for i := range purchases {
		ids = append(ids, int64(6001+i))
	}
	// The simulator settles in 300 ms: long enough that kills find orders
	// at the provider not yet settled, short enough not to be waited for.
	// An order whose first send a kill cut off is re-sent once it is older
	// than the provider timeout and the engine's grace (5 s): the timeout
	// is kept short.
	w := newWorld(t, worldOptions{buyers: ids, settle: 300 * time.Millisecond,
		providerTimeout: 500 * time.Millisecond, callbacks: true})
	runs := newBotRuns(w)

	cancel := map[int]bool{}
	for len(cancel) < cancellers {
		cancel[rnd.IntN(purchases)] = true
	}
	buyers := make([]*buyer, purchases)
	for i, id := range ids {
		b := telkomselBuyer(w, rnd.Child(), id, i)
		b.cancel, b.retry = cancel[i], true
		// Longer than a reply takes at Telegram's pace of a message a
		// second per chat, short enough that a reply lost to a kill is
		// soon asked for again.
		b.patience = b.rnd.Between(time.Second, 2*time.Second)
		buyers[i] = b
	}

	began := time.Now()
	ctx, stopBuyers := context.WithTimeout(context.Background(), 80*time.Second)
	defer stopBuyers()
	runs.start()
	wait := runBuyers(ctx, buyers, 2*time.Second)
	// The kills keep the conversations' pace, not the wall clock's: each
	// comes after a seeded number of the bot's messages and edits (a
	// purchase takes about a dozen, 50 buyers some 550), so all of them
	// land mid-flight, on a fast machine or a loaded one, within the first
	// two thirds of the work.
	after := func(lo, hi int) {
		from, n := w.steps.Load(), lo+rnd.IntN(hi-lo)
		if !w.awaitSteps(from, n, 30*time.Second) {
			t.Logf("the bot sent no %d messages in 30s; going on", n)
		}
	}
	for i := range kills {
		after(25, 65)
		runs.kill()
		runs.start()
		if i == kills/2 {
			// Once in the middle, an operator's restart: SIGTERM under load
			// must end in order, exit 0, within the bound.
			after(10, 30)
			stopped := time.Now()
			runs.stop()
			t.Logf("SIGTERM under load: stopped in %s", time.Since(stopped).Round(time.Millisecond))
			runs.start()
		}
	}
	killedFor := time.Since(began)
	if open := wait(60 * time.Second); len(open) > 0 {
		for _, b := range open[:min(3, len(open))] {
			t.Errorf("buyer %d never finished; chat:\n%s", b.chat, describe(w.fake, b.chat))
		}
		t.Fatalf("%d of %d buyers never finished", len(open), purchases)
	}
	stopBuyers()
	runs.stop()
	t.Logf("%d kills in the first %s; all buyers done after %s", kills, killedFor.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))

	orders := w.orders()
	byChat := map[int64][]flows.Order{}
	for _, o := range orders {
		byChat[o.ChatID] = append(byChat[o.ChatID], o)
	}
	if n := w.sim.TransactionCount(); n != len(orders) {
		t.Errorf("the simulator holds %d transactions for %d orders", n, len(orders))
	}
	var actions, retries, resends, messages, snMessages, dupMessages, alreadyOrdered, resent int
	for i, b := range buyers {
		actions, retries, resends = actions+b.actions, retries+b.retries, resends+b.resends
		msgs := w.fake.Messages(b.chat)
		messages += len(msgs)
		got := byChat[b.chat]
		if cancel[i] {
			if len(got) != 0 || ordered(msgs) {
				t.Errorf("buyer %d cancelled, yet has %d orders; chat:\n%s", b.chat, len(got), describe(w.fake, b.chat))
			}
			continue
		}
		if len(got) != 1 {
			t.Errorf("buyer %d confirmed one purchase and has %d orders; chat:\n%s", b.chat, len(got), describe(w.fake, b.chat))
			continue
		}
		o := got[0]
		tx, ok := w.sim.Transaction(o.RefID)
		switch {
		case !ok:
			t.Errorf("order %s of buyer %d never reached the provider", o.RefID, b.chat)
			continue
		case o.Status != flows.StatusSuccess || tx.Status != 1:
			t.Errorf("order %s: status %s, at the provider %d", o.RefID, o.Status, tx.Status)
		case o.SN != tx.SN || o.CustomerNumber != b.number || tx.CustomerID != b.number:
			t.Errorf("order %s: SN %q number %q, at the provider SN %q number %q, buyer's number %q", o.RefID, o.SN, o.CustomerNumber, tx.SN, tx.CustomerID, b.number)
		}
		if tx.TopUps > 1 {
			resent++
		}
		// Messages naming the ref: one SN message and one "processing"
		// message (edited to the result) per order; more are duplicates.
		// "Already ordered" answers a repeated tap, and is counted apart.
		perRef, processing := map[string]int{}, map[string]int{}
		for _, m := range msgs {
			if strings.Contains(m.Text, markSuccess) {
				perRef[refIn(m.Text)]++
				if !strings.Contains(m.Text, tx.SN) {
					t.Errorf("buyer %d: the SN message lacks the SN %q: %q", b.chat, tx.SN, m.Text)
				}
			}
			for _, v := range m.Versions {
				if strings.Contains(v, markOrdered1) {
					processing[refIn(v)]++
					break
				}
			}
			if strings.Contains(m.Text, markOrdered2) {
				alreadyOrdered++
			}
		}
		for ref, n := range processing {
			dupMessages += n - 1
			if ref != o.RefID {
				t.Errorf("buyer %d was told %q is processing, not their order %s", b.chat, ref, o.RefID)
			}
		}
		for ref, n := range perRef {
			if ref != o.RefID {
				t.Errorf("buyer %d got a settlement message for %q, not their order %s", b.chat, ref, o.RefID)
			}
			snMessages += n
			dupMessages += n - 1
		}
		if perRef[o.RefID] == 0 {
			t.Errorf("buyer %d never got the SN of %s; chat:\n%s", b.chat, o.RefID, describe(w.fake, b.chat))
		}
	}
	t.Logf("%d orders, %d sent again after a kill; buyers: %d actions, %d repeated by hand, %d taps re-sent by the client, %d \"already ordered\" answers",
		len(orders), resent, actions, retries, resends, alreadyOrdered)
	t.Logf("%d messages in the buyers' chats, %d SN messages, %d duplicates", messages, snMessages, dupMessages)
	if float64(dupMessages) >= 0.01*float64(messages) {
		t.Errorf("%d duplicate messages (a second SN or \"processing\" message for one ref) among %d: not under 1%%", dupMessages, messages)
	}
}

// TestFaultProviderAnswers: buyers purchase and pay bills while a seeded
// third of the exchanges with IAK is spoiled — on first sends, re-sends,
// check-status, the pricelist, inquiry-pln, an admin's /balance, and
// postpaid inquiries, payments and checkstatus, before IAK acted and
// after — by 5xx and
// HTML pages, resets, stalls past the timeout, truncated JSON, wrong JSON
// types and an undocumented rc. No order is failed without a definitive
// answer: every failed order failed at the simulator, or was never created
// there after a refusal; no bill is paid twice. Once the faults stop, every
// order settles as the simulator settled it (but a payment IAK never got,
// which waits for its expiry).
func TestFaultProviderAnswers(t *testing.T) {
	t.Parallel()
	rnd := seeded(t)
	faults := newProviderFaults(rnd.Child())
	type kind int
	const (
		succeeds kind = iota
		failsLater
		refused
		pln
		billPaid
		billFails
	)
	plan := slices.Concat(slices.Repeat([]kind{succeeds}, 14), slices.Repeat([]kind{failsLater}, 4),
		slices.Repeat([]kind{refused}, 4), slices.Repeat([]kind{pln}, 4))
	// IAK's inquiries expire at 23:00 WIB of their day: bills join in when
	// one paid now has time to settle.
	if wib := time.Now().In(flows.WIB); wib.Hour() < 22 || wib.Hour() == 22 && wib.Minute() < 30 {
		plan = slices.Concat(plan, slices.Repeat([]kind{billPaid}, 3), slices.Repeat([]kind{billFails}, 2))
	} else {
		t.Logf("%s WIB: too close to IAK's 23:00 bill expiry; bills left out", wib.Format("15:04"))
	}
	isBill := func(k kind) bool { return k == billPaid || k == billFails }
	var ids []int64
	for i := range plan {
		ids = append(ids, int64(7001+i))
	}
	// A stall costs the provider timeout: half a second is still ten times
	// what an exchange with the simulator takes. The catalog is refreshed
	// at the shortest schedule cron has, so its faults come early.
	w := newWorld(t, worldOptions{buyers: ids, settle: 300 * time.Millisecond, providerTimeout: 500 * time.Millisecond,
		callbacks: true, catalogRefresh: "@every 1s", faults: faults})
	runs := newBotRuns(w)
	buyers := make([]*buyer, len(plan))
	for i, k := range plan {
		b := telkomselBuyer(w, rnd.Child(), ids[i], i)
		switch k {
		case failsLater:
			b.number = b.number[:8] + "1007" // accepted, then FAILED rc 07
		case refused:
			b.number = b.number[:8] + "0014" // refused at once, rc 14
		case pln:
			b.path = []string{"Token PLN", "PLN 20.000 ·"}
			b.number = []string{"12345678901", "12345678902"}[i%2]
		case billPaid:
			b.path, b.number = []string{"Tagihan", "PLN Postpaid"}, "530000000000"
		case billFails:
			b.path, b.number = []string{"Tagihan", "PLN Postpaid"}, "530000001037" // the payment fails, rc 37
		}
		b.retry, b.patience = true, b.rnd.Between(2*time.Second, 3*time.Second)
		buyers[i] = b
	}

	faults.setRate(0.35)
	// The buyers act until the test has waited for their settlement: a
	// deadline counted from the start would stop a buyer whose order
	// settles after a long fault phase (on a loaded machine) before it saw
	// the result, and count it as never settled. The fault phase has its
	// own bound.
	ctx, stopBuyers := context.WithCancel(context.Background())
	defer stopBuyers()
	faulting, stopFaulting := context.WithTimeout(ctx, 80*time.Second)
	defer stopFaulting()
	began := time.Now()
	runs.start()
	wait := runBuyers(ctx, buyers, time.Second)
	// Meanwhile an admin keeps asking for the deposit: each /balance gets
	// an answer, the deposit or the provider's failure, never a wrong sum.
	balances := make(chan struct{})
	go func() {
		defer close(balances)
		ctx := faulting
		for ctx.Err() == nil && faults.faulted("check-balance") < 3 {
			n := len(w.fake.Messages(faultAdmin))
			w.fake.SendText(faultAdmin, faultAdmin, "/balance")
			w.fake.WaitFor(func() bool { return ctx.Err() != nil || len(w.fake.Messages(faultAdmin)) > n }, 10*time.Second)
		}
	}()
	// The faults go on until every buyer has an order, and a little after.
	allOrdered := w.fake.WaitFor(func() bool {
		for _, b := range buyers {
			if msgs := w.fake.Messages(b.chat); !ordered(msgs) && !settled(msgs) {
				return false
			}
		}
		return true
	}, 50*time.Second)
	if !allOrdered {
		t.Errorf("not every buyer could order while the provider misbehaved")
	}
	// ... and until every call path has met a fault: which paths a run
	// reaches while the faults last depends on timing (a bill's checkstatus
	// follows its lost payment by a poll or two), and the coverage check
	// below must not.
	paths := []string{"top-up (first send)", "top-up (re-send)", "check-status", "pricelist", "inquiry-pln", "check-balance"}
	if slices.ContainsFunc(plan, isBill) {
		paths = append(paths, "postpaid inq-pasca", "postpaid pay-pasca", "postpaid checkstatus")
	}
	w.fake.WaitFor(func() bool {
		return !slices.ContainsFunc(paths, func(call string) bool { return faults.faulted(call) == 0 })
	}, 30*time.Second)
	<-balances
	faults.setRate(0)
	faultsFor := time.Since(began)
	// Every order settles — but a bill payment IAK never received (its
	// request lost before it arrived) is never paid again (DESIGN rule 8):
	// it waits for IAK's 23:00 expiry, and the test does not.
	neverPaid := func(b *buyer) bool {
		for _, m := range w.fake.Messages(b.chat) {
			for _, v := range m.Versions {
				if ref := refIn(v); ref != "" && strings.Contains(v, "Pembayaran") {
					bill, ok := w.sim.Bill(ref)
					return ok && bill.PayRequests == 0
				}
			}
		}
		return false
	}
	w.fake.WaitFor(func() bool {
		for i, b := range buyers {
			if done, _ := b.state(); !done && !(isBill(plan[i]) && neverPaid(b)) {
				return false
			}
		}
		return true
	}, 60*time.Second) // seconds unloaded; the bound is for a loaded machine
	stopBuyers()
	var open []*buyer
	for _, b := range wait(10 * time.Second) {
		if !isBill(plan[slices.Index(buyers, b)]) || !neverPaid(b) {
			open = append(open, b)
		}
	}
	if len(open) > 0 {
		for _, b := range open[:min(3, len(open))] {
			t.Errorf("buyer %d (%s) never got a result; chat:\n%s", b.chat, b.number, describe(w.fake, b.chat))
		}
		t.Fatalf("%d of %d orders never settled after the faults stopped", len(open), len(plan))
	}
	// The faults over, /balance tells the deposit.
	w.fake.SendText(faultAdmin, faultAdmin, "/balance")
	deposit := "Saldo deposit provider: <b>" + flows.FormatRupiah(w.sim.Deposit()) + "</b>"
	if !w.fake.WaitFor(func() bool {
		msgs := w.fake.Messages(faultAdmin)
		return len(msgs) > 0 && strings.Contains(msgs[len(msgs)-1].Text, deposit)
	}, 20*time.Second) {
		t.Errorf("/balance after the faults: want %q; the admin's chat:\n%s", deposit, describe(w.fake, faultAdmin))
	}
	runs.stop()
	for _, m := range w.fake.Messages(faultAdmin) {
		if strings.Contains(m.Text, "Saldo deposit provider") && !strings.Contains(m.Text, "Saldo deposit provider: <b>Rp ") {
			t.Errorf("/balance answered %q", m.Text)
		}
	}
	t.Logf("faults for %s, all settled after %s; the call paths and their faults:\n%s", faultsFor.Round(time.Millisecond),
		time.Since(began).Round(time.Millisecond), faults.report())
	for _, call := range paths {
		if faults.faulted(call) == 0 {
			t.Errorf("no %s was spoiled: the suite did not cover that path", call)
		}
	}

	byChat := map[int64][]flows.Order{}
	for _, o := range w.orders() {
		byChat[o.ChatID] = append(byChat[o.ChatID], o)
	}
	bills := map[flows.Status]int{}
	defer func() { t.Logf("bill payments: %v (pending: the payment never reached IAK)", bills) }()
	for i, b := range buyers {
		got := byChat[b.chat]
		if len(got) != 1 {
			t.Errorf("buyer %d has %d orders, want 1", b.chat, len(got))
			continue
		}
		o := got[0]
		if isBill(plan[i]) {
			checkBillOrder(t, w, o, plan[i] == billPaid)
			bills[o.Status]++
			continue
		}
		tx, created := w.sim.Transaction(o.RefID)
		// DESIGN rules 3 and 5: a failed order is one the provider failed,
		// or refused so that nothing was created.
		if o.Status == flows.StatusFailed {
			switch {
			case created && tx.Status != 2:
				t.Errorf("order %s (%s) failed, yet at the provider it has status %d rc %s: failed without a definitive answer",
					o.RefID, o.CustomerNumber, tx.Status, tx.RC)
			case !created && !(plan[i] == refused && o.RC == "14"):
				t.Errorf("order %s (%s) failed with rc %q and was never created at the provider: failed without a definitive refusal",
					o.RefID, o.CustomerNumber, o.RC)
			}
		}
		want := flows.StatusSuccess
		if plan[i] == failsLater || plan[i] == refused {
			want = flows.StatusFailed
		}
		if o.Status != want {
			t.Errorf("order %s (%s): %s, want %s; provider: created %v, %+v", o.RefID, o.CustomerNumber, o.Status, want, created, tx)
			continue
		}
		if want == flows.StatusSuccess && (o.SN == "" || o.SN != tx.SN) {
			t.Errorf("order %s: SN %q, the provider's %q", o.RefID, o.SN, tx.SN)
		}
		if plan[i] == refused && created {
			t.Errorf("order %s: a refused number created a transaction", o.RefID)
		}
	}
	for _, m := range w.fake.Messages(faultOps) {
		if strings.Contains(m.Text, "konfigurasi") {
			t.Errorf("admins were alerted of a misconfiguration that was only garbage on the wire: %q", m.Text)
		}
	}
}

// checkBillOrder holds a bill payment to DESIGN rule 8 after the provider
// faults: paid at most once; paid or failed only as IAK paid or failed it;
// pending only when IAK never received the payment.
func checkBillOrder(t *testing.T, w *world, o flows.Order, pays bool) {
	t.Helper()
	bill, ok := w.sim.Bill(o.RefID)
	switch {
	case !ok:
		t.Errorf("bill order %s: IAK has no inquiry under its ref", o.RefID)
	case bill.PayRequests > 1:
		t.Errorf("bill order %s: IAK got %d payment requests: a payment was re-sent", o.RefID, bill.PayRequests)
	case o.Status == flows.StatusSuccess && (bill.Status != 1 || o.SN != bill.NoRef):
		t.Errorf("bill order %s paid with reference %q; at IAK status %d reference %q", o.RefID, o.SN, bill.Status, bill.NoRef)
	case o.Status == flows.StatusFailed && bill.Status != 2:
		t.Errorf("bill order %s failed; at IAK status %d rc %s: failed without a definitive answer", o.RefID, bill.Status, bill.RC)
	case !o.Status.Final() && bill.PayRequests != 0:
		t.Errorf("bill order %s still %s although IAK has the payment (status %d)", o.RefID, o.Status, bill.Status)
	case o.Status.Final() && o.Status == flows.StatusSuccess != pays:
		t.Errorf("bill order %s: %s, yet the bill's test digits say paid = %v", o.RefID, o.Status, pays)
	}
}

// telegramFault is one of Telegram's failures, injected into the next calls
// of a method.
type telegramFault struct {
	method, kind string
}

func (f telegramFault) inject(fake *telegramtest.Server, n int) {
	switch f.kind {
	case "429":
		fake.FailNext(f.method, n, 429, "Too Many Requests: retry after 1", telegramtest.ErrorParams{RetryAfter: 1})
	case "502":
		fake.FailNext(f.method, n, 502, "Bad Gateway", telegramtest.ErrorParams{})
	case "reset":
		fake.DropConnection(f.method, n)
	}
}

// TestFaultTelegram: buyers purchase while Telegram keeps failing — 429
// with retry_after, 502, reset connections — on sendMessage,
// editMessageText and getUpdates, every combination injected in a seeded
// order. No outbound message is lost: every reply comes (buyers here never
// repeat themselves), every SN message, result edit and ops line arrives. No
// update is applied twice: each chat holds exactly the messages and edits
// of one purchase, one order, one transaction at the provider.
func TestFaultTelegram(t *testing.T) {
	t.Parallel()
	rnd := seeded(t)
	const purchases = 20
	var ids []int64
	for i := range purchases {
		ids = append(ids, int64(8001+i))
	}
	w := newWorld(t, worldOptions{buyers: ids, settle: 200 * time.Millisecond})
	runs := newBotRuns(w)
	buyers := make([]*buyer, purchases)
	for i, id := range ids {
		b := telkomselBuyer(w, rnd.Child(), id, i)
		b.retry, b.patience = false, 45*time.Second
		buyers[i] = b
	}

	var combos []telegramFault
	for _, m := range []string{"sendMessage", "editMessageText", "getUpdates"} {
		for _, k := range []string{"429", "502", "reset"} {
			combos = append(combos, telegramFault{m, k})
		}
	}
	// Faults are a share of the calls, not a backlog: a method gets its next
	// fault only once the last one was spent and a few calls went through
	// after it, so at most two calls in a row fail. The injector keeps the
	// calls' pace: it wakes on every change at the fake, not on a timer.
	injected := map[telegramFault]int{}
	stopFaults := make(chan struct{})
	var injector sync.WaitGroup
	injector.Add(1)
	go func() {
		defer injector.Done()
		inj := rnd.Child()
		spentAt := map[string]int{} // the method's call count once its last fault is spent
		var queue []telegramFault
		stopped := func() bool {
			select {
			case <-stopFaults:
				return true
			default:
				return false
			}
		}
		for !stopped() {
			if len(queue) == 0 {
				queue = slices.Clone(combos)
				for i := len(queue) - 1; i > 0; i-- {
					j := inj.IntN(i + 1)
					queue[i], queue[j] = queue[j], queue[i]
				}
			}
			// The first fault in the queue whose method the bot has called
			// since that method's last fault was spent.
			next, calls := -1, 0
			w.fake.WaitFor(func() bool {
				for i, f := range queue {
					if calls = len(w.fake.Calls(f.method)); calls > spentAt[f.method] {
						next = i
						return true
					}
				}
				return stopped()
			}, time.Second)
			if next < 0 || stopped() {
				continue
			}
			f := queue[next]
			n := 1 + inj.IntN(2)
			f.inject(w.fake, n)
			spentAt[f.method] = calls + n + 2 + inj.IntN(4)
			injected[f]++
			queue = slices.Delete(queue, next, next+1)
		}
	}()

	ctx, stopBuyers := context.WithTimeout(context.Background(), 80*time.Second)
	defer stopBuyers()
	began := time.Now()
	runs.start()
	wait := runBuyers(ctx, buyers, time.Second)
	open := wait(60 * time.Second)
	for _, b := range buyers {
		if _, lost := b.state(); lost != "" {
			t.Errorf("buyer %d: a reply was lost: %s; chat:\n%s", b.chat, lost, describe(w.fake, b.chat))
		}
	}
	if len(open) > 0 {
		close(stopFaults)
		injector.Wait()
		t.Fatalf("%d of %d buyers never finished", len(open), purchases)
	}

	// Exactly one purchase's messages in each chat: the menu (edited to the
	// operators, the products, the number prompt), the confirm screen
	// (edited to "processing", then to the result) and the SN message.
	want := [][]string{{markHome, markBrand, markProducts, markNumber}, {markConfirm, markOrdered1, "berhasil"}, {markSuccess}}
	onePurchase := func(chat int64) bool {
		msgs := w.fake.Messages(chat)
		ok := len(msgs) == len(want)
		for i := 0; ok && i < len(want); i++ {
			ok = len(msgs[i].Versions) == len(want[i])
			for j := 0; ok && j < len(want[i]); j++ {
				ok = strings.Contains(msgs[i].Versions[j], want[i][j])
			}
		}
		return ok
	}
	// The ops group's line of each order names its ref, once.
	opsLines := func() map[string]int {
		refs := map[string]int{}
		for _, m := range w.fake.Messages(faultOps) {
			for _, line := range strings.Split(m.Text, "\n") {
				if i := strings.LastIndex(line, "<code>"); i >= 0 && strings.HasSuffix(line, "</code>") {
					refs[line[i+len("<code>"):len(line)-len("</code>")]]++
				}
			}
		}
		return refs
	}
	// The result's edit of "processing" goes out after the SN message, the
	// ops lines at the group's pace.
	w.fake.WaitFor(func() bool {
		for _, b := range buyers {
			if !onePurchase(b.chat) {
				return false
			}
		}
		return len(opsLines()) >= purchases
	}, 45*time.Second)
	close(stopFaults)
	injector.Wait()
	stopBuyers()
	runs.stop()
	var failed int
	for _, c := range w.fake.Calls("") {
		if c.Status >= 400 || c.Description == "connection dropped" {
			failed++
		}
	}
	t.Logf("all %d purchases delivered after %s; %d calls failed by Telegram; injected: %v", purchases, time.Since(began).Round(time.Millisecond), failed, injected)

	accepted := map[int64]int{}
	for _, c := range w.fake.Calls("sendMessage") {
		if c.Status == 200 {
			id, _ := strconv.ParseInt(c.Params.Get("chat_id"), 10, 64)
			accepted[id]++
		}
	}
	byChat := map[int64]int{}
	lines := opsLines()
	for _, o := range w.orders() {
		byChat[o.ChatID]++
		if lines[o.RefID] != 1 {
			t.Errorf("order %s has %d lines in the ops group, want 1", o.RefID, lines[o.RefID])
		}
	}
	for _, b := range buyers {
		if !onePurchase(b.chat) || accepted[b.chat] != len(want) {
			t.Errorf("buyer %d: %d messages sent, want one purchase's:\n%s", b.chat, accepted[b.chat], describe(w.fake, b.chat))
		}
		if byChat[b.chat] != 1 {
			t.Errorf("buyer %d has %d orders, want 1", b.chat, byChat[b.chat])
		}
	}
	if n := w.sim.TransactionCount(); n != purchases {
		t.Errorf("the simulator holds %d transactions for %d purchases", n, purchases)
	}
	for _, f := range combos {
		if injected[f] == 0 {
			t.Errorf("%s %s was never injected", f.method, f.kind)
		}
	}
}

// TestFaultDatabaseHeld: a second bot started on the database of a running
// one exits non-zero at once, saying why; the first goes on serving.
func TestFaultDatabaseHeld(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{buyers: []int64{9001}})
	runs := newBotRuns(w)
	runs.start()
	if !w.fake.WaitFor(func() bool { return strings.Contains(runs.output(), "topupbot running") }, 30*time.Second) {
		t.Fatalf("the first bot never came up:\n%s", runs.output())
	}
	second := startProc(t, w.config)
	select {
	case <-second.done:
	case <-time.After(30 * time.Second):
		second.cmd.Process.Kill()
		<-second.done
		t.Fatal("the second bot did not exit within 30s")
	}
	var exit *exec.ExitError
	if !errors.As(second.err, &exit) || exit.ExitCode() == 0 {
		t.Errorf("the second bot exited with %v, want a non-zero status", second.err)
	}
	if out := second.out.String(); !strings.Contains(out, "database is in use by another topupbot") {
		t.Errorf("the second bot's output does not say the database is in use:\n%s", out)
	}
	// The first bot still serves.
	w.fake.SendText(9001, 9001, "/start")
	if !w.fake.WaitFor(func() bool {
		msgs := w.fake.Messages(9001)
		return len(msgs) > 0 && strings.Contains(msgs[0].Text, markHome)
	}, 20*time.Second) {
		t.Errorf("the first bot stopped answering")
	}
	runs.stop()
}

// TestFaultKillDuringFirstSend: the bot is killed while an order's first
// send is on the wire — before IAK saw it, and after IAK created the
// transaction but before its answer came back. After the restart the order
// is resumed under its ref_id (the poller re-sends the identical top-up,
// which IAK treats as a status check): placed exactly once, settled, the
// SN delivered.
func TestFaultKillDuringFirstSend(t *testing.T) {
	t.Parallel()
	for _, after := range []bool{false, true} {
		name := "before IAK saw it"
		if after {
			name = "after IAK created it"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rnd := seeded(t)
			faults := newProviderFaults(rnd.Child())
			const chat = 9101
			// After the restart the poller re-sends the order once it is
			// older than the provider timeout and the engine's grace (5 s):
			// the timeout is kept short.
			w := newWorld(t, worldOptions{buyers: []int64{chat}, settle: 100 * time.Millisecond,
				providerTimeout: 500 * time.Millisecond, faults: faults})
			runs := newBotRuns(w)
			arrived, release := faults.hold("top-up (first send)", after)
			defer release()
			b := telkomselBuyer(w, rnd, chat, 0)
			b.retry, b.patience = true, 3*time.Second

			ctx, stopBuyer := context.WithTimeout(context.Background(), 60*time.Second)
			defer stopBuyer()
			runs.start()
			wait := runBuyers(ctx, []*buyer{b}, 0)
			select {
			case <-arrived:
			case <-time.After(30 * time.Second):
				t.Fatalf("the order was never sent; chat:\n%s", describe(w.fake, chat))
			}
			runs.kill()
			release()
			runs.start()
			if open := wait(45 * time.Second); len(open) > 0 {
				t.Fatalf("no SN after the restart; chat:\n%s", describe(w.fake, chat))
			}
			stopBuyer()
			runs.stop()

			orders := w.orders()
			if len(orders) != 1 || w.sim.TransactionCount() != 1 {
				t.Fatalf("%d orders, %d transactions at the provider; want 1 and 1", len(orders), w.sim.TransactionCount())
			}
			o := orders[0]
			tx, ok := w.sim.Transaction(o.RefID)
			if !ok || o.Status != flows.StatusSuccess || tx.Status != 1 || o.SN != tx.SN {
				t.Errorf("order %s %s SN %q; provider: %v %+v", o.RefID, o.Status, o.SN, ok, tx)
			}
			// After IAK created it, the resumed order is the same transaction
			// asked again, not a new one.
			if after && tx.TopUps < 2 {
				t.Errorf("the transaction saw %d top-ups; the resumed order should have been re-sent", tx.TopUps)
			}
		})
	}
}

// TestFaultBooleanIsNoSN: an IAK success answer with "sn": true — a wrong
// JSON type, not a serial number — leaves the order pending (DESIGN rule
// 3). The fault suite found it settling the order with the SN "true", sent
// to the buyer: flex.String read booleans as text.
func TestFaultBooleanIsNoSN(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"data":{"ref_id":"261123000000ABCDEFG","status":1,"product_code":"htelkomsel10000",` +
			`"customer_id":"081234567890","price":10850,"message":"SUCCESS","sn":true,"balance":1000000,"tr_id":3482,"rc":"00"}}`))
	}))
	defer srv.Close()
	c, err := iak.New(iak.Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: faultIAKUser, APIKey: faultIAKKey})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Check(context.Background(), flows.OrderRequest{RefID: "261123000000ABCDEFG", Acknowledged: true, ProviderTxID: "3482"})
	if err == nil {
		t.Errorf("an answer with a boolean sn was read as %+v; want an unknown outcome (the order stays pending)", res)
	} else if flows.KindOf(err) != flows.KindUnknown {
		t.Errorf("an answer with a boolean sn: %v (kind %s); want kind unknown", err, flows.KindOf(err))
	}
}
