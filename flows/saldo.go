package flows

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The wallet's commands (issue 11): a buyer's /saldo, and the admins'
// /saldo USERID, /addsaldo and /kurangsaldo. They read and write the
// ledger through ServiceConfig.Ledger only; the money moves in the store's
// transactions (DESIGN rules 13–14, 16).

const (
	// saldoEntries is how many ledger entries /saldo shows.
	saldoEntries = 10
	// saldoHolds bounds the holds /saldo lists one by one; the held total
	// is always the wallet's own.
	saldoHolds = 10
	// maxAdjustment bounds one adjustment (Rp 1 triliun): far above any
	// shop's saldo, so a typo of many zeros is refused as a bad amount
	// instead of reaching the ledger's overflow check.
	maxAdjustment = 1_000_000_000_000
)

// AdjustNotifier is a WalletStore that queues notifications in the
// transaction that writes an adjustment: the user hears of the adjustment
// exactly as it is on the ledger, once, and never of one that was refused.
// notes gets the stored entry (its balance after included); it may run more
// than once and must decide from the entry alone.
type AdjustNotifier interface {
	AdjustNotify(ctx context.Context, userID, amount, by int64, note string,
		notes func(e LedgerEntry) []Notification) (LedgerEntry, error)
}

// parseSaldoAmount reads an amount of rupiah as admins type it: "50000",
// "50.000", "Rp50.000", "Rp 50.000". Dots must group thousands. It accepts
// only positive whole rupiah that fit an int64.
func parseSaldoAmount(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && strings.EqualFold(s[:2], "rp") {
		s = strings.TrimSpace(s[2:])
	}
	if s == "" {
		return 0, false
	}
	if strings.Contains(s, ".") {
		groups := strings.Split(s, ".")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return 0, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, false
			}
		}
		s = strings.Join(groups, "")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// signedRupiah is a ledger change with its sign: "+Rp 50.000", "-Rp 11.350".
func signedRupiah(amount int64) string {
	if amount > 0 {
		return "+" + FormatRupiah(amount)
	}
	return FormatRupiah(amount)
}

// holdAge is how long an order has held its price, in lang: "baru saja",
// "5 menit", "2 jam 3 menit", "1 hari 4 jam".
func holdAge(lang Lang, d time.Duration) string {
	switch {
	case d < time.Minute:
		return text(lang, "saldo_age_now")
	case d < time.Hour:
		return text(lang, "saldo_age_min", int(d/time.Minute))
	case d < 24*time.Hour:
		return text(lang, "saldo_age_hour", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return text(lang, "saldo_age_day", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

// saldo is /saldo: the buyer's own wallet. An admin's /saldo USERID is the
// same view of another user; anyone else naming a user is told /saldo shows
// their own only.
func (t *turn) saldo(ctx context.Context) (Output, error) {
	arg := strings.TrimSpace(t.in.Args)
	user := t.in.UserID
	if arg != "" {
		if !t.s.isAdmin(t.in.UserID) {
			return t.say(text(t.lang, "saldo_own_only")), nil
		}
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || id <= 0 {
			return t.say(text(t.lang, "admin_bad_user_id", shorten(arg, 24))), nil
		}
		user = id
	}
	ledger := t.s.cfg.Ledger
	if ledger == nil {
		return t.say(text(t.lang, "wallet_unavailable")), nil
	}
	out, err := t.saldoView(ctx, ledger, user, user != t.in.UserID)
	if err != nil {
		return Output{}, fmt.Errorf("saldo of %d: %w", user, err)
	}
	return out, nil
}

// saldoView is a wallet as /saldo shows it: the balance, the holds of the
// orders in process (ref, product, number, amount, age), the last entries,
// newest first. other is an admin looking at another user's.
func (t *turn) saldoView(ctx context.Context, ledger WalletStore, user int64, other bool) (Output, error) {
	w, err := ledger.Wallet(ctx, user)
	if err != nil {
		return Output{}, err
	}
	entries, err := ledger.Entries(ctx, user, saldoEntries)
	if err != nil {
		return Output{}, err
	}
	l := t.lang
	var lines []string
	if other {
		lines = append(lines, text(l, "saldo_title_user", user, FormatRupiah(w.Balance)))
	} else {
		lines = append(lines, text(l, "saldo_title", FormatRupiah(w.Balance)))
	}
	if !t.s.cfg.Wallet.Enabled {
		lines = append(lines, text(l, "saldo_wallet_off"))
	}
	if w.Balance == 0 && w.Held == 0 && len(entries) == 0 {
		switch {
		case other:
			lines = append(lines, text(l, "saldo_empty_user"))
		case t.s.cfg.Deposits != nil:
			lines = append(lines, text(l, "saldo_empty"))
		default:
			lines = append(lines, text(l, "saldo_empty_no_deposit"))
		}
		return t.say(strings.Join(lines, "\n")), nil
	}
	if w.Held > 0 {
		lines = append(lines, "", text(l, "saldo_held", FormatRupiah(w.Held)))
		holds, err := t.holds(ctx, user)
		if err != nil {
			return Output{}, err
		}
		now := t.s.cfg.Now()
		for _, o := range holds[:min(len(holds), saldoHolds)] {
			lines = append(lines, text(l, "saldo_hold_line", o.RefID, o.ProductName, t.number(o.CustomerNumber),
				FormatRupiah(o.Hold), holdAge(l, now.Sub(o.CreatedAt))))
		}
		if len(holds) > saldoHolds {
			lines = append(lines, text(l, "saldo_holds_more", len(holds)-saldoHolds))
		}
	}
	if len(entries) > 0 {
		lines = append(lines, "", text(l, "saldo_entries_title", len(entries)))
		for _, e := range slices.Backward(entries) {
			lines = append(lines, t.entryLine(e, other))
		}
	}
	return t.pages(lines), nil
}

// holds are user's orders in process that hold saldo, oldest first. They
// come from the pending index: an order holds until it settles.
func (t *turn) holds(ctx context.Context, user int64) ([]Order, error) {
	store := t.s.reports()
	if store == nil {
		return nil, nil
	}
	pending, err := store.PendingOrders(ctx)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(pending, func(o Order) bool {
		return o.UserID != user || o.Hold <= 0 || o.Status.Final()
	})
	slices.SortStableFunc(out, func(a, b Order) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// entryLine is one ledger entry: time (WIB), kind in words, the change
// (to held for a purchase, which takes nothing more from the balance), the
// order ref, deposit id or note, and the balance after. An admin sees who
// made an adjustment.
func (t *turn) entryLine(e LedgerEntry, forAdmin bool) string {
	l := t.lang
	amount := e.Balance
	if e.Kind == EntryPurchase {
		amount = e.Held
	}
	var what []string
	switch {
	case e.Ref != "":
		what = append(what, string(code(e.Ref)))
	case e.DepositID != "":
		what = append(what, string(code(e.DepositID)))
	}
	if e.Note != "" {
		what = append(what, string(markupf("%s", shorten(e.Note, 60))))
	}
	if forAdmin && e.By != 0 {
		what = append(what, text(l, "saldo_entry_by", e.By))
	}
	detail := ""
	if len(what) > 0 {
		detail = " · " + strings.Join(what, " · ")
	}
	kind := text(l, Msg("saldo_kind_"+string(e.Kind)))
	return text(l, "saldo_entry_line", shortTime(e.At), kind, signedRupiah(amount), Markup(detail), FormatRupiah(e.BalanceAfter))
}

// adminAddSaldo is /addsaldo USERID AMOUNT [note].
func (t *turn) adminAddSaldo(ctx context.Context) (Output, error) { return t.adjustSaldo(ctx, 1) }

// adminSubtractSaldo is /kurangsaldo USERID AMOUNT [note].
func (t *turn) adminSubtractSaldo(ctx context.Context) (Output, error) {
	return t.adjustSaldo(ctx, -1)
}

// adjustSaldo writes an admin's adjustment (DESIGN rule 16): a ledger entry
// with the admin's id and note, refused below zero. The user is told in the
// adjustment's own transaction when the store can (AdjustNotifier).
func (t *turn) adjustSaldo(ctx context.Context, sign int64) (Output, error) {
	usage := t.say(text(t.lang, "admin_saldo_usage", t.in.Command))
	f := strings.Fields(t.in.Args)
	if len(f) < 2 {
		return usage, nil
	}
	user, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || user <= 0 {
		return t.say(text(t.lang, "admin_bad_user_id", shorten(f[0], 24)) + "\n" + text(t.lang, "admin_saldo_usage", t.in.Command)), nil
	}
	amount, ok := parseSaldoAmount(f[1])
	if !ok || amount > maxAdjustment {
		return t.say(text(t.lang, "admin_bad_amount", shorten(f[1], 24)) + "\n" + text(t.lang, "admin_saldo_usage", t.in.Command)), nil
	}
	note := strings.Join(f[2:], " ")
	ledger := t.s.cfg.Ledger
	if ledger == nil {
		return t.say(text(t.lang, "wallet_unavailable")), nil
	}
	admin := t.in.UserID
	var e LedgerEntry
	if n, ok := ledger.(AdjustNotifier); ok {
		lang := t.s.chatLang(ctx, user)
		e, err = n.AdjustNotify(ctx, user, sign*amount, admin, note, func(e LedgerEntry) []Notification {
			return []Notification{{Kind: NotifySend, ChatID: user, Text: adjustedText(lang, e)}}
		})
	} else {
		e, err = ledger.Adjust(ctx, user, sign*amount, admin, note)
	}
	if short, ok := saldoShort(err); ok {
		t.s.log.Info("saldo adjustment refused: balance too low", "admin_id", admin, "user_id", user,
			"amount", sign*amount, "balance", short.Balance)
		return t.say(text(t.lang, "admin_saldo_too_low", user, FormatRupiah(short.Balance), FormatRupiah(amount))), nil
	}
	if err != nil {
		return Output{}, fmt.Errorf("adjusting the saldo of %d by %d: %w", user, sign*amount, err)
	}
	t.s.log.Info("saldo adjusted by an admin", "admin_id", admin, "user_id", user, "amount", e.Balance,
		"balance_after", e.BalanceAfter, "entry_id", e.ID, "note", note)
	key := Msg("admin_saldo_added")
	if sign < 0 {
		key = "admin_saldo_subtracted"
	}
	msg := text(t.lang, key, user, FormatRupiah(amount), FormatRupiah(e.BalanceAfter))
	if note != "" {
		msg += "\n" + text(t.lang, "saldo_note", shorten(note, 200))
	}
	return t.say(msg), nil
}

// adjustedText tells a user of an admin's adjustment to their saldo.
func adjustedText(lang Lang, e LedgerEntry) string {
	key := Msg("saldo_adjusted_added")
	amount := e.Balance
	if amount < 0 {
		key, amount = "saldo_adjusted_subtracted", -amount
	}
	msg := text(lang, key, FormatRupiah(amount), FormatRupiah(e.BalanceAfter))
	if e.Note != "" {
		msg += "\n" + text(lang, "saldo_note", shorten(e.Note, 200))
	}
	return msg
}

// chatLang is the language a chat chose with /lang, or the default.
func (s *Service) chatLang(ctx context.Context, chatID int64) Lang {
	var sess Session
	if ok, err := s.cfg.Store.Session(ctx, chatID, &sess); err == nil && ok && sess.Lang != "" {
		return sess.Lang
	}
	return s.cfg.Lang
}

// walletStats are /stats' wallet lines: deposits credited since from, what
// the reseller owes its customers (Σ balance + held) beside the provider
// deposit, and a warning when the deposit cannot cover it. A shop that never
// used the wallet gets none.
func (t *turn) walletStats(ctx context.Context, from time.Time) ([]string, error) {
	ledger := t.s.cfg.Ledger
	if ledger == nil {
		return nil, nil
	}
	tot, err := ledger.WalletTotals(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("wallet totals: %w", err)
	}
	if !t.s.cfg.Wallet.Enabled && tot.Owed == 0 && tot.DepositCount == 0 {
		return nil, nil
	}
	l := t.lang
	lines := []string{"",
		text(l, "admin_stats_deposits", tot.DepositCount, FormatRupiah(tot.Deposits)),
		text(l, "admin_stats_owed", FormatRupiah(tot.Owed), FormatRupiah(tot.Balance), FormatRupiah(tot.Held)),
	}
	bc := t.s.cfg.Balance
	if bc == nil {
		return lines, nil
	}
	deposit, err := bc.Balance(ctx)
	if err != nil {
		t.s.log.Warn("admin stats: provider balance failed", "err", err)
		return append(lines, text(l, "admin_stats_provider_unknown")), nil
	}
	lines = append(lines, text(l, "admin_stats_provider", FormatRupiah(deposit)))
	if tot.Owed > deposit {
		lines = append(lines, text(l, "admin_stats_owed_over", FormatRupiah(tot.Owed-deposit)))
	}
	return lines, nil
}
