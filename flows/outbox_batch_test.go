package flows_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"topupbot/flows"
	"topupbot/internal/testclock"
)

// TestOpsBatching: orders settling together reach the ops group as one
// message (or a few, each under Telegram's limit) holding every line once,
// within the group's 20 messages a minute; buyers get their own messages
// as before.
func TestOpsBatching(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	const n = 30
	var refs []string
	for i := range n {
		o, err := h.engine.Place(bg, flows.PlaceRequest{ChatID: int64(5000 + i), UserID: int64(5000 + i), Token: nextToken(),
			Product: telkomsel10k(), CustomerNumber: fmt.Sprintf("0812%04d1039", i), Price: 11500, MessageID: 77})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, o.RefID)
	}
	for _, ref := range refs {
		if err := h.sim.Settle(ref, true); err != nil {
			t.Fatal(err)
		}
	}
	if stats, err := h.engine.Poll(bg); err != nil || stats.Settled != n {
		t.Fatalf("poll %+v %v", stats, err)
	}
	rec := &recorder{}
	d := flows.NewDrainer(h.db, rec, flows.DrainerConfig{Now: h.clk.Now, Idle: time.Millisecond})
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	waitFor(t, func() bool { l, _ := h.db.OutboxLen(); return l == 0 })
	cancel()
	<-done

	var ops []flows.Notification
	perBuyer := map[int64][]flows.NotificationKind{}
	for _, m := range rec.got() {
		if m.ChatID == opsChat {
			ops = append(ops, m)
		} else {
			perBuyer[m.ChatID] = append(perBuyer[m.ChatID], m.Kind)
		}
	}
	if len(ops) == 0 || len(ops) > 3 {
		t.Errorf("%d ops messages for %d settlements, want one or a few", len(ops), n)
	}
	checkLines(t, ops, refs)
	for i := range n {
		if got := perBuyer[int64(5000+i)]; !slices.Equal(got, []flows.NotificationKind{flows.NotifySend, flows.NotifyEdit}) {
			t.Errorf("buyer %d got %v, want the SN message then the edit", 5000+i, got)
		}
	}
}

// checkLines checks that the ops messages hold one line per ref, each
// exactly once, and that each message fits Telegram.
func checkLines(t *testing.T, msgs []flows.Notification, refs []string) {
	t.Helper()
	all := ""
	for _, m := range msgs {
		if u := len(utf16.Encode([]rune(m.Text))); u > 4096 {
			t.Errorf("ops message of %d UTF-16 units", u)
		}
		all += m.Text + "\n"
	}
	for _, ref := range refs {
		if c := strings.Count(all, ref); c != 1 {
			t.Errorf("ref %s in the ops messages %d times, want once", ref, c)
		}
	}
}

// TestOpsBatchingTrickle: while one ops message waits for the group's
// rate limit, the lines that settle meanwhile gather and go out together
// next; long runs are split under 4096 characters, in order.
func TestOpsBatchingTrickle(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db := openDB(t, filepath.Join(t.TempDir(), "db"), clk)
	release := make(chan struct{})
	sending := make(chan struct{}, 100)
	rec := &recorder{answer: func(n flows.Notification) error {
		if n.ChatID == opsChat {
			sending <- struct{}{}
			<-release // the group's rate limit
		}
		return nil
	}}
	d := flows.NewDrainer(db, rec, flows.DrainerConfig{Now: clk.Now, Idle: time.Millisecond})
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	defer func() { cancel(); <-done }()

	line := func(i int) flows.Notification {
		// About 150 characters, like a real ops line with an SN.
		return flows.Notification{Kind: flows.NotifySend, ChatID: opsChat, ToOps: true, RefID: fmt.Sprintf("R%03d", i),
			Text: fmt.Sprintf("✅ Telkomsel 10.000 · 0812****%04d · Rp 11.500 · SN 0357706684037416… · 09:00 · <code>R%03d</code> %s", i, i, strings.Repeat("x", 60))}
	}
	db.Enqueue(bg, line(0))
	d.Wake()
	<-sending // the first line is on its way, alone
	var refs []string
	refs = append(refs, "R000")
	for i := 1; i <= 100; i++ {
		db.Enqueue(bg, line(i))
		refs = append(refs, fmt.Sprintf("R%03d", i))
	}
	d.Wake()
	// Meanwhile, a buyer is not held up by the group.
	db.Enqueue(bg, flows.Notification{Kind: flows.NotifySend, ChatID: 42, Text: "SN for a buyer"})
	d.Wake()
	waitFor(t, func() bool {
		for _, m := range rec.got() {
			if m.ChatID == 42 {
				return true
			}
		}
		return false
	})
	close(release)
	waitFor(t, func() bool { l, _ := db.OutboxLen(); return l == 0 })

	var ops []flows.Notification
	for _, m := range rec.got() {
		if m.ChatID == opsChat {
			ops = append(ops, m)
		}
	}
	// 100 lines of ~150 characters: 4 messages under 4096, plus the first.
	if len(ops) < 2 || len(ops) > 6 {
		t.Errorf("%d ops messages for 101 lines", len(ops))
	}
	checkLines(t, ops, refs)
	all := ""
	for _, m := range ops {
		all += m.Text + "\n"
	}
	for i := 1; i < len(refs); i++ {
		if strings.Index(all, "<code>"+refs[i-1]+"</code>") > strings.Index(all, "<code>"+refs[i]+"</code>") {
			t.Errorf("%s after %s: lines out of order", refs[i-1], refs[i])
		}
	}
}

// TestOpsBatchOutcomes: a batch is settled as one: a migration re-addresses
// every line of it, a flood wait reschedules them together, a permanent
// refusal drops them all.
func TestOpsBatchOutcomes(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db := openDB(t, filepath.Join(t.TempDir(), "db"), clk)
	enqueue := func(chat int64, texts ...string) {
		for _, s := range texts {
			db.Enqueue(bg, flows.Notification{Kind: flows.NotifySend, ChatID: chat, ToOps: true, Text: s})
		}
	}
	const migrated = int64(-1009999)
	var answer func(n flows.Notification) error
	rec := &recorder{answer: func(n flows.Notification) error { return answer(n) }}
	var moves [][2]int64
	d := flows.NewDrainer(db, rec, flows.DrainerConfig{Now: clk.Now, BackoffBase: time.Second,
		OnMigrate: func(_ context.Context, from, to int64) error { moves = append(moves, [2]int64{from, to}); return nil }})

	enqueue(opsChat, "a", "b", "c")
	answer = func(n flows.Notification) error {
		if n.ChatID == opsChat {
			return &flows.DeliveryError{MigrateTo: migrated, Err: fmt.Errorf("upgraded")}
		}
		return nil
	}
	if _, err := d.DrainOnce(bg); err != nil {
		t.Fatal(err)
	}
	if len(moves) != 1 {
		t.Errorf("OnMigrate called %d times for one batch", len(moves))
	}
	d.DrainOnce(bg)
	if got := rec.got(); len(got) != 1 || got[0].ChatID != migrated || got[0].Text != "a\nb\nc" {
		t.Fatalf("after the migration: %+v", got)
	}

	enqueue(migrated, "d", "e")
	answer = func(flows.Notification) error {
		return &flows.DeliveryError{RetryAfter: 30 * time.Second, Err: fmt.Errorf("Too Many Requests")}
	}
	d.DrainOnce(bg)
	left, _ := db.DueNotifications(bg, clk.Now().Add(time.Hour), 10)
	if len(left) != 2 {
		t.Fatalf("left %+v", left)
	}
	for _, n := range left {
		if n.Attempts != 1 || n.NotBefore.Sub(clk.Now()) != 30*time.Second {
			t.Errorf("flooded line %+v: want both to wait retry_after", n)
		}
	}
	answer = func(flows.Notification) error {
		return &flows.DeliveryError{Permanent: true, Err: fmt.Errorf("Forbidden: bot was kicked")}
	}
	clk.Advance(time.Minute)
	d.DrainOnce(bg)
	if l, _ := db.OutboxLen(); l != 0 {
		t.Errorf("%d left after a permanent refusal, want the batch dropped", l)
	}
	if got := rec.got(); len(got) != 1 {
		t.Errorf("delivered %+v", got)
	}
}
