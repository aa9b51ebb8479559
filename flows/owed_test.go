package flows_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
)

type fixedTotals struct {
	mu   sync.Mutex
	owed int64
}

func (f *fixedTotals) WalletTotals(context.Context, time.Time) (flows.WalletTotals, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return flows.WalletTotals{Balance: f.owed, Owed: f.owed}, nil
}

type fixedDeposit struct {
	balance int64
	err     error
	calls   int
}

func (f *fixedDeposit) Balance(context.Context) (int64, error) {
	f.calls++
	return f.balance, f.err
}

// The owed alert: once when customers' money exceeds the provider deposit,
// silent while it stays so, again only after it recovered; the provider is
// asked at most once per interval; an unknown deposit neither alerts nor
// clears.
func TestOwedWatch(t *testing.T) {
	clk := testclock.New(time.Date(2026, 12, 2, 9, 0, 0, 0, flows.WIB))
	totals, dep := &fixedTotals{owed: 500000}, &fixedDeposit{balance: 400000}
	var alerts []string
	w := flows.NewOwedWatch(flows.OwedWatchConfig{Totals: totals, Provider: dep, Now: clk.Now, Every: time.Minute,
		Alert: func(_ context.Context, text string) error { alerts = append(alerts, text); return nil }})
	step := func() {
		t.Helper()
		if err := w.Check(bg); err != nil && dep.err == nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
	}
	step()
	if len(alerts) != 1 || !strings.Contains(alerts[0], "Rp 500.000") || !strings.Contains(alerts[0], "kurang Rp 100.000") {
		t.Fatalf("alerts %q", alerts)
	}
	step()
	if len(alerts) != 1 {
		t.Fatalf("alerted again while still short: %q", alerts)
	}
	// Within the interval the provider is not asked.
	if err := w.Check(bg); err != nil {
		t.Fatal(err)
	}
	calls := dep.calls
	if err := w.Check(bg); err != nil || dep.calls != calls {
		t.Fatalf("asked within the interval: %d calls, %v", dep.calls-calls, err)
	}
	clk.Advance(time.Minute)
	dep.err = errors.New("timeout")
	step()
	dep.err = nil
	step()
	if len(alerts) != 1 {
		t.Fatalf("an unknown deposit re-raised: %q", alerts)
	}
	dep.balance = 600000 // topped up: clears
	step()
	dep.balance = 100000
	step()
	if len(alerts) != 2 {
		t.Fatalf("after recovery and a new shortfall: %q", alerts)
	}
	// Nothing owed: the provider is not even asked.
	totals.owed, calls = 0, dep.calls
	step()
	if dep.calls != calls {
		t.Fatal("asked the provider with nothing owed")
	}
}
