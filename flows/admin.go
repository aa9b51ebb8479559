package flows

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AdminStore is what the admin commands read and write beyond the
// conversation's store.
type AdminStore interface {
	// PendingOrders returns the orders in the pending index.
	PendingOrders(ctx context.Context) ([]Order, error)
	// OrdersCreated returns the orders created in [from, to) with status
	// (any when empty), newest first, at most limit, and how many match.
	OrdersCreated(ctx context.Context, from, to time.Time, status Status, limit int) ([]Order, int, error)
	// EachOrderCreated calls fn with every order created in [from, to). fn
	// must not use the store.
	EachOrderCreated(ctx context.Context, from, to time.Time, fn func(o *Order) error) error
	// UpdateSettings reads keys, lets fn change them and writes them back in
	// one transaction; an empty value deletes a key.
	UpdateSettings(ctx context.Context, keys []string, fn func(values map[string]string) error) error
}

const (
	// adminListLimit bounds a list: the newest this many, with the count of
	// all, keep a reply to a few messages.
	adminListLimit = 50
	// maxMutationDays is the longest /mutations range: a month of a busy
	// deposit is already thousands of rows.
	maxMutationDays = 31
	// failedWindow is how far back /orders failed looks.
	failedWindow = 7 * 24 * time.Hour
)

// reports is the admin commands' store: ServiceConfig.Reports, or the
// conversation's store when it is one.
func (s *Service) reports() AdminStore {
	if s.cfg.Reports != nil {
		return s.cfg.Reports
	}
	r, _ := s.cfg.Store.(AdminStore)
	return r
}

// number shows a customer number in full in an admin's private chat and
// masked in a group (DESIGN rule 12).
func (t *turn) number(n string) string {
	if t.in.Private {
		return n
	}
	return MaskNumber(n)
}

// provided is text a provider wrote — a message, a mutation note, an
// error — as an admin may see it here: in full in a private chat, and in a
// group with o's customer number and codes and any other long number
// masked (DESIGN rule 12). It is not escaped.
func (t *turn) provided(s string, o *Order) string {
	if t.in.Private {
		return s
	}
	return scrub(s, o)
}

func (t *turn) providerError(op string, err error) Output {
	// The clients scrub keys from their errors; the admin needs the rc and
	// message to act.
	t.s.log.Warn("admin command: provider call failed", "op", op, "chat_id", t.in.ChatID, "err", err)
	return t.say(text(t.lang, "admin_provider_error", shorten(t.provided(err.Error(), nil), 500)))
}

// pages splits lines into messages within the transport's limit, so a long
// list arrives whole in a few messages instead of being cut by the
// transport mid-line. A page is measured with a newline after its last line,
// as it always was, so a page stays one message even if a line is appended.
func (t *turn) pages(lines []string) Output {
	var (
		out Output
		cur []string
	)
	fits := t.s.cfg.Fits
	for _, l := range lines {
		if len(cur) > 0 && fits != nil && !fits(strings.Join(append(cur, l), "\n")+"\n") {
			out.Replies = append(out.Replies, Reply{Text: strings.Join(cur, "\n")})
			cur = nil
		}
		cur = append(cur, l)
	}
	if len(cur) > 0 {
		out.Replies = append(out.Replies, Reply{Text: strings.Join(cur, "\n")})
	}
	return out
}

// --- /balance ----------------------------------------------------------------

func (t *turn) adminBalance(ctx context.Context) (Output, error) {
	if len(t.s.cfg.Balances) > 0 {
		return t.adminBalances(ctx), nil
	}
	bc := t.s.cfg.Balance
	if bc == nil {
		return t.say(text(t.lang, "admin_balance_unsupported")), nil
	}
	balance, err := bc.Balance(ctx)
	if err != nil {
		return t.providerError("balance", err), nil
	}
	msg := text(t.lang, "admin_balance", FormatRupiah(balance))
	if low := t.s.cfg.LowBalance; low > 0 && balance < low {
		msg += "\n" + text(t.lang, "admin_balance_low", FormatRupiah(low))
	}
	return t.say(msg), nil
}

// adminBalances is /balance with several providers: each one's deposit on
// its own line, with the warning under it when low; one provider failing
// to answer leaves the others shown.
func (t *turn) adminBalances(ctx context.Context) Output {
	lines := []string{text(t.lang, "admin_balances")}
	for _, b := range t.s.cfg.Balances {
		balance, err := b.Balance.Balance(ctx)
		if err != nil {
			t.s.log.Warn("admin command: provider call failed", "op", "balance", "provider", b.Provider, "chat_id", t.in.ChatID, "err", err)
			lines = append(lines, text(t.lang, "admin_balances_error", b.Provider, shorten(t.provided(err.Error(), nil), 200)))
			continue
		}
		lines = append(lines, text(t.lang, "admin_balances_line", b.Provider, FormatRupiah(balance)))
		if low := t.s.cfg.LowBalance; low > 0 && balance < low {
			lines = append(lines, "   "+text(t.lang, "admin_balance_low", FormatRupiah(low)))
		}
	}
	return t.say(strings.Join(lines, "\n"))
}

// --- /mutations --------------------------------------------------------------

func (t *turn) adminMutations(ctx context.Context) (Output, error) {
	ml := t.s.cfg.Mutations
	if ml == nil {
		return t.say(text(t.lang, "admin_mutations_unsupported")), nil
	}
	today := startOfDay(t.s.cfg.Now())
	from, to := today, today
	args := strings.Fields(t.in.Args)
	if len(args) > 2 {
		return t.say(text(t.lang, "admin_mutations_usage")), nil
	}
	for i, a := range args {
		d, err := time.ParseInLocation("2006-01-02", a, WIB)
		if err != nil {
			return t.say(text(t.lang, "admin_bad_date", shorten(a, 24)) + "\n" + text(t.lang, "admin_mutations_usage")), nil
		}
		if i == 0 {
			from = d
		} else {
			to = d
		}
	}
	if from.After(to) {
		return t.say(text(t.lang, "admin_date_order", day(from), day(to))), nil
	}
	// WIB has no daylight saving: every day is 24 hours.
	if days := int(to.Sub(from)/(24*time.Hour)) + 1; days > maxMutationDays {
		return t.say(text(t.lang, "admin_date_range", maxMutationDays, days)), nil
	}
	list, err := ml.Mutations(ctx, from, to)
	if err != nil {
		return t.providerError("mutations", err), nil
	}
	if len(list) == 0 {
		return t.say(text(t.lang, "admin_mutations_empty", day(from), day(to))), nil
	}
	var debit, credit int64
	for _, m := range list {
		debit += m.Debit
		credit += m.Credit
	}
	// Newest first; providers list oldest first, so movements in the same
	// second keep their order reversed too.
	list = slices.Clone(list)
	slices.Reverse(list)
	slices.SortStableFunc(list, func(a, b Mutation) int { return b.Time.Compare(a.Time) })
	lines := []string{
		text(t.lang, "admin_mutations_title", day(from), day(to), len(list)),
		text(t.lang, "admin_mutations_total", FormatRupiah(debit), FormatRupiah(credit)),
	}
	for _, m := range list[:min(len(list), adminListLimit)] {
		amount := FormatRupiah(m.Credit - m.Debit)
		if m.Credit > m.Debit {
			amount = "+" + amount
		}
		var note Markup
		if m.Note != "" {
			note = markupf(" · %s", shorten(t.provided(m.Note, nil), 80))
		}
		lines = append(lines, text(t.lang, "admin_mutation_line", shortTime(m.Time), amount, FormatRupiah(m.Balance), note))
	}
	if len(list) > adminListLimit {
		lines = append(lines, text(t.lang, "admin_list_more", adminListLimit, len(list)))
	}
	return t.pages(lines), nil
}

// --- /orders and /order --------------------------------------------------------

func (t *turn) adminOrders(ctx context.Context) (Output, error) {
	store := t.s.reports()
	if store == nil {
		return t.say(text(t.lang, "admin_unavailable")), nil
	}
	today := startOfDay(t.s.cfg.Now())
	var (
		orders []Order
		total  int
		title  string
		err    error
	)
	switch strings.ToLower(strings.TrimSpace(t.in.Args)) {
	case "", "pending":
		orders, err = store.PendingOrders(ctx)
		slices.SortStableFunc(orders, func(a, b Order) int { return b.CreatedAt.Compare(a.CreatedAt) })
		total = len(orders)
		orders = orders[:min(len(orders), adminListLimit)]
		title = text(t.lang, "admin_orders_pending", total)
	case "failed":
		orders, total, err = store.OrdersCreated(ctx, t.s.cfg.Now().Add(-failedWindow), today.AddDate(0, 0, 1), StatusFailed, adminListLimit)
		title = text(t.lang, "admin_orders_failed", total)
	case "today":
		orders, total, err = store.OrdersCreated(ctx, today, today.AddDate(0, 0, 1), "", adminListLimit)
		title = text(t.lang, "admin_orders_today", day(today), total)
	default:
		return t.say(text(t.lang, "admin_orders_usage")), nil
	}
	if err != nil {
		return Output{}, err
	}
	lines := []string{title}
	if total == 0 {
		lines = append(lines, text(t.lang, "admin_orders_empty"))
	}
	for _, o := range orders {
		lines = append(lines, text(t.lang, "admin_order_line", statusIcon(o.Status), o.RefID, shortTime(o.CreatedAt),
			o.ProductName, t.number(o.CustomerNumber), FormatRupiah(o.Price), statusText(t.lang, o.Status)))
	}
	if total > len(orders) {
		lines = append(lines, text(t.lang, "admin_list_more", len(orders), total))
	}
	return t.pages(lines), nil
}

// refArg reads the REF of /order and /recheck and finds its order. When
// there is none, ok is false and answer says why.
func (t *turn) refArg(ctx context.Context) (o Order, answer Output, ok bool, err error) {
	ref := strings.ToUpper(strings.TrimSpace(t.in.Args))
	if ref == "" {
		return Order{}, t.say(text(t.lang, "admin_ref_usage", t.in.Command, t.in.Command)), false, nil
	}
	notFound := t.say(text(t.lang, "status_not_found", shorten(ref, 24)))
	if !ValidRefID(ref) {
		return Order{}, notFound, false, nil
	}
	o, err = t.s.cfg.Store.Order(ctx, ref)
	if errors.Is(err, ErrNotFound) {
		return Order{}, notFound, false, nil
	}
	if err != nil {
		return Order{}, Output{}, false, err
	}
	return o, Output{}, true, nil
}

func (t *turn) adminOrder(ctx context.Context) (Output, error) {
	o, answer, ok, err := t.refArg(ctx)
	if !ok {
		return answer, err
	}
	return t.pages(t.orderDetail(&o)), nil
}

// orderDetail is everything known about an order, for admins. In a group
// the customer number and the SN are masked, the codes a buyer redeems
// (PIN, activation code) are left out, and the provider's message, which
// may repeat any of them, is scrubbed.
func (t *turn) orderDetail(o *Order) []string {
	l := t.lang
	lines := []string{
		text(l, "admin_order_title", o.RefID),
		text(l, "admin_f_status", statusIcon(o.Status), statusText(l, o.Status), string(o.Status)),
	}
	add := func(key Msg, args ...any) { lines = append(lines, text(l, key, args...)) }
	if o.Reason != "" {
		add("line_reason", o.Reason.In(l))
	}
	add("admin_f_product", o.ProductName, o.ProductCode,
		categoryNameIn(t.lang, o.Category), string(o.Kind))
	add("line_number", code(t.number(o.CustomerNumber)))
	if o.CustomerName != "" {
		add("line_name", o.CustomerName)
	}
	add("admin_f_money", FormatRupiah(o.Price), FormatRupiah(o.Cost), FormatRupiah(o.Price-o.Cost))
	if b := o.Bill; b != nil {
		add("admin_f_bill", b.Period, FormatRupiah(b.Amount), FormatRupiah(b.AdminFee), FormatRupiah(b.Total))
		if !b.Expires.IsZero() {
			add("admin_f_bill_expires", wibTime(b.Expires))
		}
	}
	add("admin_f_buyer", o.ChatID, o.UserID)
	add("admin_f_account", o.Account.String())
	if o.ProviderRef != "" {
		add("admin_f_provider_ref", o.ProviderRef)
	}
	// Every earlier attempt (several providers): where it went and how it
	// ended without a charge.
	for i, a := range o.Attempts {
		add("admin_f_attempt", i+1, a.Account.Provider, a.RefID, a.ProductCode, FormatRupiah(a.Cost), a.Outcome,
			orDash(a.RC), orDash(shorten(t.provided(a.Message, o), 120)), wibTime(a.EndedAt))
	}
	if len(o.Attempts) > 0 {
		add("admin_f_attempt_now", len(o.Attempts)+1, o.Account.Provider)
	}
	ack := Markup(text(l, "admin_no"))
	if o.Acknowledged {
		ack = Markup(text(l, "admin_yes"))
	}
	add("admin_f_provider_tx", orDash(o.ProviderTxID), ack)
	add("admin_f_rc", orDash(o.RC), orDash(shorten(t.provided(o.Message, o), 300)))
	if o.SN != "" {
		sn := o.SN
		if !t.in.Private {
			sn = maskedSN(sn)
		}
		add("line_sn", code(sn))
	}
	if t.in.Private {
		if o.PIN != "" {
			add("line_pin", code(o.PIN))
		}
		if o.ActivationCode != "" {
			add("line_activation", code(o.ActivationCode))
		}
	}
	add("admin_f_created", wibTime(o.CreatedAt))
	add("admin_f_updated", wibTime(o.UpdatedAt))
	if !o.SettledAt.IsZero() {
		add("admin_f_settled", wibTime(o.SettledAt))
	}
	if o.SettledBy != 0 {
		add("admin_f_settled_by", o.SettledBy, o.SettleNote)
	}
	next := "-"
	if !o.NextCheckAt.IsZero() && !o.Status.Final() {
		next = wibTime(o.NextCheckAt)
	}
	add("admin_f_checks", o.Checks, next)
	if len(o.Alerted) > 0 {
		kinds := make([]string, len(o.Alerted))
		for i, k := range o.Alerted {
			kinds[i] = string(k)
		}
		add("admin_f_alerts", strings.Join(kinds, ", "))
	}
	return lines
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// --- /recheck -------------------------------------------------------------------

// adminRecheck asks the provider about one order now, through Engine.Check:
// a status question only. Check itself refuses what DESIGN rule 4 forbids
// (another account, an IAK top-up unacknowledged for over a day), and says
// so by raising the order's alert instead of asking.
func (t *turn) adminRecheck(ctx context.Context) (Output, error) {
	o, answer, ok, err := t.refArg(ctx)
	if !ok {
		return answer, err
	}
	if o.Status.Final() {
		return t.pages(append([]string{text(t.lang, "admin_recheck_final", statusText(t.lang, o.Status))}, t.orderDetail(&o)...)), nil
	}
	if t.s.cfg.Engine == nil {
		return t.say(text(t.lang, "admin_unavailable")), nil
	}
	after, err := t.s.cfg.Engine.Check(ctx, o.RefID)
	if err != nil {
		t.s.log.Warn("admin recheck failed", "ref_id", o.RefID, "err", err)
		return t.say(text(t.lang, "admin_recheck_failed", shorten(t.provided(err.Error(), &o), 300))), nil
	}
	var head string
	switch {
	case after.Status.Final():
		head = text(t.lang, "admin_recheck_settled", statusText(t.lang, after.Status))
	case after.Checks > o.Checks:
		head = text(t.lang, "admin_recheck_pending")
	case after.HasAlerted(AlertAccountMissing):
		head = text(t.lang, "admin_recheck_account", after.Account.String())
	case after.HasAlerted(AlertUnacknowledged) && !after.Acknowledged:
		head = text(t.lang, "admin_recheck_unacked")
	case after.HasAlerted(AlertResendTooOld):
		head = text(t.lang, "admin_recheck_too_old")
	case after.NextCheckAt.After(t.s.cfg.Now()):
		// Only a provider's gap between sends leaves a check unasked.
		head = text(t.lang, "admin_recheck_gap")
	default:
		head = text(t.lang, "admin_recheck_not_asked")
	}
	return t.pages(append([]string{head, ""}, t.orderDetail(&after)...)), nil
}

// --- /catalog -------------------------------------------------------------------

func (t *turn) adminCatalog(ctx context.Context) (Output, error) {
	// A failing source is reported below; the others' products are served.
	if err := t.s.cfg.Products.Refresh(ctx); err != nil {
		t.s.log.Warn("admin catalog refresh failed", "err", err)
	}
	type count struct{ all, available int }
	per := map[CategoryID]*count{}
	var total count
	unpriced := 0
	for _, p := range t.s.cfg.Products.Products() {
		if Unpriced(p) {
			unpriced++
		}
		c := per[p.Category]
		if c == nil {
			c = &count{}
			per[p.Category] = c
		}
		c.all++
		total.all++
		if p.Available {
			c.available++
			total.available++
		}
	}
	head := "admin_catalog_failed"
	for _, src := range t.s.cfg.Products.Sources() {
		if src.Err == nil {
			head = "admin_catalog" // at least one list is fresh
		}
	}
	lines := []string{text(t.lang, Msg(head), total.all, total.available)}
	for _, cat := range categoryOrder(per) {
		c := per[cat]
		lines = append(lines, text(t.lang, "admin_catalog_category", categoryLabel(t.lang, cat), c.all, c.available))
	}
	if unpriced > 0 {
		lines = append(lines, text(t.lang, "admin_catalog_unpriced", unpriced))
	}
	for _, src := range t.s.cfg.Products.Sources() {
		if src.Err == nil {
			continue
		}
		state := Markup(text(t.lang, "admin_catalog_source_hidden"))
		if !src.UpdatedAt.IsZero() {
			state = Markup(text(t.lang, "admin_catalog_source_kept", shortTime(src.UpdatedAt)))
		}
		lines = append(lines, text(t.lang, "admin_catalog_source_failed", src.Name, state, shorten(t.provided(src.Err.Error(), nil), 300)))
	}
	return t.pages(lines), nil
}

// categoryOrder lists the categories of m in menu order, unknown ones last.
func categoryOrder[V any](m map[CategoryID]V) []CategoryID {
	var out []CategoryID
	for _, c := range Categories {
		if _, ok := m[c.ID]; ok {
			out = append(out, c.ID)
		}
	}
	var rest []CategoryID
	for c := range m {
		if _, known := LookupCategory(c); !known {
			rest = append(rest, c)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

func categoryLabel(lang Lang, c CategoryID) string {
	if c == "" {
		return "-"
	}
	return categoryNameIn(lang, c)
}

// --- /stats -----------------------------------------------------------------------

// tally is what /stats counts. Revenue is over successful orders only: what
// buyers were shown (Price) minus what the provider charged (Cost).
type tally struct {
	orders, success, failed, pending int
	sales, cost                      int64
}

func (c *tally) add(o *Order) {
	c.orders++
	switch o.Status {
	case StatusSuccess:
		c.success++
		c.sales += o.Price
		c.cost += o.Cost
	case StatusFailed:
		c.failed++
	default:
		c.pending++
	}
}

// rate is the success rate of the settled orders, "97,5%"; "-" before any
// has settled.
func (c *tally) rate() string {
	settled := c.success + c.failed
	if settled == 0 {
		return "-"
	}
	permille := (c.success*1000 + settled/2) / settled
	return strconv.Itoa(permille/10) + "," + strconv.Itoa(permille%10) + "%"
}

func (t *turn) adminStats(ctx context.Context) (Output, error) {
	store := t.s.reports()
	if store == nil {
		return t.say(text(t.lang, "admin_unavailable")), nil
	}
	today := startOfDay(t.s.cfg.Now())
	to := today.AddDate(0, 0, 1)
	var from time.Time
	var title string
	switch strings.ToLower(strings.TrimSpace(t.in.Args)) {
	case "", "today":
		from, title = today, text(t.lang, "admin_stats_today", day(today))
	case "7d":
		from = today.AddDate(0, 0, -6)
		title = text(t.lang, "admin_stats_7d", day(from), day(today))
	default:
		return t.say(text(t.lang, "admin_stats_usage")), nil
	}
	var total tally
	per := map[CategoryID]*tally{}
	err := store.EachOrderCreated(ctx, from, to, func(o *Order) error {
		total.add(o)
		c := per[o.Category]
		if c == nil {
			c = &tally{}
			per[o.Category] = c
		}
		c.add(o)
		return nil
	})
	if err != nil {
		return Output{}, err
	}
	wallet, err := t.walletStats(ctx, from)
	if err != nil {
		return Output{}, err
	}
	lines := []string{title}
	if total.orders == 0 {
		return t.pages(append([]string{title, text(t.lang, "admin_stats_none")}, wallet...)), nil
	}
	lines = append(lines,
		text(t.lang, "admin_stats_orders", total.orders, total.success, total.failed, total.pending),
		text(t.lang, "admin_stats_rate", total.rate()),
		text(t.lang, "admin_stats_money", FormatRupiah(total.sales), FormatRupiah(total.cost), FormatRupiah(total.sales-total.cost)),
		"",
		text(t.lang, "admin_stats_per_category"),
	)
	for _, cat := range categoryOrder(per) {
		c := per[cat]
		lines = append(lines, text(t.lang, "admin_stats_category", categoryLabel(t.lang, cat),
			c.orders, c.success, c.failed, c.rate(), FormatRupiah(c.sales-c.cost)))
	}
	return t.pages(append(lines, wallet...)), nil
}

// --- /id ----------------------------------------------------------------------------

// adminChatID is /id, and an admin's /start in a group: the chat's id, so
// that notify_chat_id can be set without guessing.
func (t *turn) adminChatID(ctx context.Context) (Output, error) {
	if t.in.Private {
		return t.say(text(t.lang, "admin_id_private", t.in.UserID)), nil
	}
	msg := text(t.lang, "admin_id_group", t.in.ChatID)
	if e := t.s.cfg.Engine; e != nil && e.opsChat.Load() == t.in.ChatID {
		msg += "\n" + text(t.lang, "admin_id_is_ops")
	} else {
		msg += "\n" + text(t.lang, "admin_id_set_ops", t.in.ChatID)
	}
	return t.say(msg), nil
}

// --- /settle --------------------------------------------------------------------

// adminSettle is /settle REF sukses SN NOTE… and /settle REF gagal NOTE…:
// an admin settles a stuck order by hand after the provider's support
// confirmed its fate (DESIGN rule 16), through Engine.SettleByHand. Only in
// an admin's private chat: a group is no place to type an SN, and a
// settlement by hand is one admin's word, on record under their id.
func (t *turn) adminSettle(ctx context.Context) (Output, error) {
	if !t.in.Private {
		return t.say(text(t.lang, "admin_settle_private")), nil
	}
	usage := t.say(text(t.lang, "admin_settle_usage"))
	f := strings.Fields(t.in.Args)
	if len(f) < 3 {
		return usage, nil
	}
	ref := strings.ToUpper(f[0])
	m := ManualSettlement{RefID: ref, AdminID: t.in.UserID}
	switch strings.ToLower(f[1]) {
	case "sukses", "success":
		if len(f) < 4 {
			return usage, nil
		}
		m.Status, m.SN, m.Note = StatusSuccess, f[2], strings.Join(f[3:], " ")
		if m.SN == "-" {
			m.SN = ""
		}
	case "gagal", "failed":
		m.Status, m.Note = StatusFailed, strings.Join(f[2:], " ")
	default:
		return usage, nil
	}
	notFound := t.say(text(t.lang, "status_not_found", shorten(ref, 24)))
	if !ValidRefID(ref) {
		return notFound, nil
	}
	e := t.s.cfg.Engine
	if e == nil {
		return t.say(text(t.lang, "admin_unavailable")), nil
	}
	o, err := e.SettleByHand(ctx, m)
	switch {
	case errors.Is(err, ErrNotFound):
		return notFound, nil
	case errors.Is(err, ErrSettled):
		before, rerr := t.s.cfg.Store.Order(ctx, ref)
		if rerr != nil {
			return Output{}, rerr
		}
		return t.say(text(t.lang, "admin_settle_final", before.RefID, statusText(t.lang, before.Status))), nil
	case errors.Is(err, ErrCodeRequired):
		return t.say(text(t.lang, "admin_settle_sn")), nil
	case errors.Is(err, ErrNotAnswered):
		return t.say(text(t.lang, "admin_settle_placing", ref)), nil
	case err != nil:
		return Output{}, err
	}
	return t.pages(append([]string{text(t.lang, "admin_settle_done", statusText(t.lang, o.Status)), ""}, t.orderDetail(&o)...)), nil
}
