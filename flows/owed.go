package flows

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// AlertOwed: what the shop owes its customers — every saldo and every
// hold — is more than the provider deposit. The customers' money is not
// all there: orders will be refused by the provider while buyers still see
// saldo.
const AlertOwed AlertKind = "owed"

// OwedWatchConfig wires an OwedWatch.
type OwedWatchConfig struct {
	Totals interface {
		WalletTotals(ctx context.Context, since time.Time) (WalletTotals, error)
	}
	Provider BalanceChecker
	// Alert queues a text for the admins (the ops group, or each admin).
	Alert func(ctx context.Context, text string) error
	// Every is how often the provider's deposit is asked (default 5 min):
	// the watch runs with each poll, which is far more often than needed.
	Every  time.Duration
	Lang   Lang
	Now    func() time.Time
	Logger *slog.Logger
}

// OwedWatch compares what the shop owes its customers with the provider
// deposit and alerts the admins once when it exceeds it, and again only
// after it recovered (DESIGN rule 11's provider-wide alerts).
type OwedWatch struct {
	cfg OwedWatchConfig
	log *slog.Logger

	mu     sync.Mutex
	last   time.Time
	raised bool
}

// NewOwedWatch returns the watch.
func NewOwedWatch(cfg OwedWatchConfig) *OwedWatch {
	if cfg.Every <= 0 {
		cfg.Every = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Lang == "" {
		cfg.Lang = LangID
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &OwedWatch{cfg: cfg, log: log.With("component", "owed_watch")}
}

// Check compares once per Every; it is safe to call on every poll.
func (w *OwedWatch) Check(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.cfg.Now()
	if !w.last.IsZero() && now.Sub(w.last) < w.cfg.Every {
		return nil
	}
	w.last = now
	totals, err := w.cfg.Totals.WalletTotals(ctx, now)
	if err != nil {
		return fmt.Errorf("owed watch: wallet totals: %w", err)
	}
	owed := totals.Owed
	if owed == 0 {
		w.raised = false
		return nil
	}
	deposit, err := w.cfg.Provider.Balance(ctx)
	if err != nil {
		// Unknown is not a reason to alert or to clear: ask next time.
		return fmt.Errorf("owed watch: provider balance: %w", err)
	}
	if owed <= deposit {
		w.raised = false
		return nil
	}
	if w.raised {
		return nil
	}
	w.log.Warn("customers' saldo exceeds the provider deposit", "owed", owed, "provider_deposit", deposit)
	detail := text(w.cfg.Lang, "owed_detail", FormatRupiah(owed), FormatRupiah(deposit), FormatRupiah(owed-deposit))
	if err := w.cfg.Alert(ctx, providerAlertText(w.cfg.Lang, AlertOwed, detail, now)); err != nil {
		return fmt.Errorf("owed watch: queueing the alert: %w", err)
	}
	w.raised = true
	return nil
}
