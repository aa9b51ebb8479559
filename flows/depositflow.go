package flows

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Deposits by bank transfer (issue 11, DESIGN rule 15): the buyer's
// /deposit, their "Sudah transfer" and "Batal" taps, the admins' "Terima",
// "Tolak" and the one-tap credit of money that arrived after its deposit
// closed, /deposits, and the expiry the poller runs. Every change is one
// UpdateDeposit transaction, whose function decides from the stored deposit
// alone: a tap re-delivered, or two admins tapping at once, find it moved
// and change nothing.

// The deposit buttons. They outlive every menu, so they carry the deposit
// id and no menu id (DESIGN rule 2); each acts only for whom it is meant —
// the buyer's for the deposit's owner, the admins' for an admin.
const (
	EvDepositAmount  Event = "am" // an amount button of /deposit (a menu's)
	EvDepositSent    Event = "ds" // buyer: "✅ Sudah transfer"
	EvDepositCancel  Event = "dx" // buyer: "❌ Batal"
	EvDepositApprove Event = "da" // admin: "✅ Terima"
	EvDepositReject  Event = "dr" // admin: "❌ Tolak"
	EvDepositCredit  Event = "dc" // admin: credit a closed deposit as an adjustment
)

// depositTapEvents are the buttons handled by depositTap, before the menu
// check; adminDepositEvents those only an admin's tap acts on, in a group
// too.
var (
	depositTapEvents   = []Event{EvDepositSent, EvDepositCancel, EvDepositApprove, EvDepositReject, EvDepositCredit}
	adminDepositEvents = []Event{EvDepositApprove, EvDepositReject, EvDepositCredit}
)

// maxListedDeposits bounds /deposits: each is a message of its own.
const maxListedDeposits = 20

// Outbox queues notifications outside any other change. The conversation's
// store implements it; the deposit flow uses it only to edit the messages
// of deposits a new one replaced, which is cosmetic: their buttons answer
// "replaced" anyway.
type Outbox interface {
	Enqueue(ctx context.Context, notes ...Notification) error
}

// depositsOn reports whether buyers may start deposits.
func (s *Service) depositsOn() bool { return s.cfg.Wallet.Enabled && s.cfg.Deposits != nil }

// deposit is /deposit: the amount screen.
func (t *turn) deposit(ctx context.Context) (Output, error) {
	if !t.s.depositsOn() {
		return t.say(text(t.lang, "deposit_off")), nil
	}
	t.restart()
	if t.s.gatewayOn() {
		// A QRIS deposit waiting for payment is shown again, never
		// replaced: its payment exists at the gateway.
		d, ok, err := t.waitingQRIS(ctx)
		if err != nil {
			return Output{}, err
		}
		if ok && reference(d) != "" {
			return Output{Replies: []Reply{t.s.shownQR(qrisReply(t.lang, d), d.ID)}}, nil
		}
		if ok {
			return t.say(text(t.lang, "qris_pending", d.ID)), nil
		}
		t.sess.State = StateDepositMethod
		return t.render(ctx)
	}
	t.sess.DepositMethod = MethodTransfer
	t.sess.State = StateDepositAmount
	return t.render(ctx)
}

// openDeposit is the "💰 Deposit" button of the short-saldo screen. Back
// from the amount screen returns to it.
func (t *turn) openDeposit(ctx context.Context, _ string) (State, error) {
	if !t.s.depositsOn() {
		t.notes = append(t.notes, text(t.lang, "deposit_off"))
		return StateNoSaldo, nil
	}
	t.sess.DepositFrom = StateNoSaldo
	if t.s.gatewayOn() {
		return StateDepositMethod, nil
	}
	t.sess.DepositMethod = MethodTransfer
	return StateDepositAmount, nil
}

// backFromDeposit leaves the amount screen for the screen it came from.
func (t *turn) backFromDeposit(ctx context.Context, _ string) (State, error) {
	if t.sess.State == StateDepositAmount && t.s.gatewayOn() {
		return StateDepositMethod, nil
	}
	from := t.sess.DepositFrom
	t.sess.DepositFrom = ""
	if from == StateNoSaldo {
		return StateNoSaldo, nil
	}
	t.restart()
	return StateHome, nil
}

// depositAmounts are the amount buttons within the configured limits.
func (s *Service) depositAmounts() []int64 {
	var out []int64
	for _, a := range DepositAmounts {
		if a >= s.cfg.Wallet.MinDeposit && (s.cfg.Wallet.MaxDeposit <= 0 || a <= s.cfg.Wallet.MaxDeposit) {
			out = append(out, a)
		}
	}
	return out
}

// depositAmountPrompt asks how much: a button per amount, or one typed.
func (t *turn) depositAmountPrompt(menu string) Reply {
	var rows [][]Button
	var row []Button
	for _, a := range t.s.depositAmounts() {
		row = append(row, t.button(FormatRupiah(a), menu, EvDepositAmount, strconv.FormatInt(a, 10)))
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	nav := []Button{}
	if t.sess.DepositFrom == StateNoSaldo || t.s.gatewayOn() {
		nav = append(nav, t.button(text(t.lang, "btn_back"), menu, EvBack, ""))
	}
	nav = append(nav, t.button(text(t.lang, "btn_cancel"), menu, EvCancel, ""))
	rows = append(rows, nav)
	w := t.s.cfg.Wallet
	return Reply{
		Text:       text(t.lang, "deposit_amount", FormatRupiah(w.MinDeposit), FormatRupiah(w.MaxDeposit)),
		Buttons:    rows,
		AwaitsText: true,
	}
}

// chooseDepositAmount is an amount button.
func (t *turn) chooseDepositAmount(ctx context.Context, arg string) (State, error) {
	amount, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return StateDepositAmount, nil
	}
	return t.startDeposit(ctx, amount)
}

// typeDepositAmount is an amount typed on the amount screen, as people
// write rupiah: 75000, 75.000, Rp75.000.
func (t *turn) typeDepositAmount(ctx context.Context, arg string) (State, error) {
	amount, ok := parseSaldoAmount(arg)
	if !ok {
		t.notes = append(t.notes, text(t.lang, "deposit_bad_amount", shorten(strings.TrimSpace(arg), 24)))
		return StateDepositAmount, nil
	}
	return t.startDeposit(ctx, amount)
}

// startDeposit writes the deposit (replacing the buyer's waiting one) and
// shows what to transfer. The amount screen's session ends here: the
// deposit's own buttons carry its id.
func (t *turn) startDeposit(ctx context.Context, base int64) (State, error) {
	w := t.s.cfg.Wallet
	if base < w.MinDeposit || w.MaxDeposit > 0 && base > w.MaxDeposit {
		t.notes = append(t.notes, text(t.lang, "deposit_out_of_range", FormatRupiah(base),
			FormatRupiah(w.MinDeposit), FormatRupiah(w.MaxDeposit)))
		return StateDepositAmount, nil
	}
	if t.sess.DepositMethod == MethodQRIS && t.s.gatewayOn() {
		return t.startQRIS(ctx, base)
	}
	now := t.s.cfg.Now()
	ref, err := NewRefID(now, t.s.cfg.Random)
	if err != nil {
		return "", fmt.Errorf("deposit id: %w", err)
	}
	code, err := randomCode(t.s.cfg.Random)
	if err != nil {
		return "", fmt.Errorf("deposit unique code: %w", err)
	}
	d := Deposit{
		ID: "D" + ref, UserID: t.in.UserID, ChatID: t.in.ChatID, Name: strings.TrimSpace(t.in.FirstName),
		Lang: string(t.lang), Method: MethodTransfer,
		Base: base, UniqueCode: code, CreatedAt: now, ExpiresAt: now.Add(w.DepositExpiry),
	}
	if t.in.Kind == InputButton {
		d.MessageID = t.in.MessageID // the amount screen becomes the deposit's message
	}
	created, replaced, err := t.s.cfg.Deposits.CreateDeposit(ctx, d, w.UniqueCode)
	if errors.Is(err, ErrDepositCodes) {
		t.notes = append(t.notes, text(t.lang, "deposit_codes_taken"))
		return StateDepositAmount, nil
	}
	if err != nil {
		return "", err
	}
	t.s.log.Info("deposit created", "deposit_id", created.ID, "user_id", created.UserID,
		"amount", created.Amount, "expires_at", created.ExpiresAt, "replaced", len(replaced))
	t.editReplaced(ctx, replaced)
	t.restart()
	t.replies = []Reply{{Text: depositText(t.lang, created, t.s.cfg.Wallet.TransferInfo),
		Buttons: depositButtons(t.lang, created), Edit: t.in.Kind == InputButton}}
	return StateHome, nil
}

// randomCode is the unique code's first pick, 1–999; the store moves on
// from it past codes taken.
func randomCode(r io.Reader) (int64, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [2]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, err
	}
	return int64(binary.BigEndian.Uint16(b[:]))%999 + 1, nil
}

// editReplaced says on the messages of replaced deposits that they are.
func (t *turn) editReplaced(ctx context.Context, replaced []Deposit) {
	out, ok := t.s.cfg.Store.(Outbox)
	if !ok {
		return
	}
	var notes []Notification
	for _, d := range replaced {
		if d.MessageID != 0 {
			notes = append(notes, Notification{Kind: NotifyEdit, ChatID: d.ChatID, MessageID: d.MessageID,
				Text: depositClosedText(Lang(d.Lang), d)})
		}
	}
	if len(notes) == 0 {
		return
	}
	if err := out.Enqueue(ctx, notes...); err != nil {
		t.s.log.Warn("editing replaced deposits' messages", "user_id", t.in.UserID, "err", err)
	}
}

// depositText is the buyer's deposit message while it waits: the exact
// amount, where to send it, until when.
func depositText(lang Lang, d Deposit, transferInfo string) string {
	lines := []string{text(lang, "deposit_title", FormatRupiah(d.Amount))}
	if d.UniqueCode > 0 {
		lines = append(lines, text(lang, "deposit_exact_code", FormatRupiah(d.Amount), FormatRupiah(d.UniqueCode)))
	} else {
		lines = append(lines, text(lang, "deposit_exact", FormatRupiah(d.Amount)))
	}
	lines = append(lines, text(lang, "deposit_to", transferInfo), "",
		text(lang, "deposit_expires", shortTime(d.ExpiresAt)),
		text(lang, "deposit_id", d.ID))
	return strings.Join(lines, "\n")
}

// depositButtons are the buyer's buttons on a waiting deposit.
func depositButtons(lang Lang, d Deposit) [][]Button {
	return [][]Button{{
		{Label: text(lang, "btn_deposit_sent"), Data: ButtonData{Action: string(EvDepositSent), Arg: d.ID}},
		{Label: text(lang, "btn_deposit_cancel"), Data: ButtonData{Action: string(EvDepositCancel), Arg: d.ID}},
	}}
}

// depositClosedText is what the buyer's deposit message says once the
// deposit is no longer waiting for them: sent, credited, rejected, expired,
// replaced, cancelled.
func depositClosedText(lang Lang, d Deposit) string {
	amount := FormatRupiah(d.Amount)
	switch {
	case d.State == DepositSent:
		return text(lang, "deposit_msg_sent", amount, d.ID)
	case d.State == DepositCredited || d.AdjustedBy != 0:
		return text(lang, "deposit_msg_credited", amount, d.ID)
	}
	return text(lang, Msg("deposit_msg_"+string(d.State)), amount, d.ID)
}

// adminDepositText is the admins' line of a deposit.
func adminDepositText(lang Lang, d Deposit) string {
	name := d.Name
	if name == "" {
		name = "-"
	}
	state := Msg("deposit_state_" + string(d.State))
	return text(lang, "deposit_admin_line", d.ID, shorten(name, 32), d.UserID, FormatRupiah(d.Amount),
		d.UniqueCode, shortTime(d.CreatedAt), text(lang, state))
}

// adminDepositButtons are Terima and Tolak on an open deposit's line.
func adminDepositButtons(lang Lang, d Deposit) [][]Button {
	return [][]Button{{
		{Label: text(lang, "btn_deposit_approve"), Data: ButtonData{Action: string(EvDepositApprove), Arg: d.ID}},
		{Label: text(lang, "btn_deposit_reject"), Data: ButtonData{Action: string(EvDepositReject), Arg: d.ID}},
	}}
}

// updateDeposit is DepositStore.UpdateDeposit with fn saying whether it
// changed the deposit: the store answers a refused change with the stored
// deposit and no error, and the tap's answer depends on which it was. The
// store may run fn more than once; changed is from the run it committed.
func (s *Service) updateDeposit(ctx context.Context, id string, fn func(d *Deposit) ([]Notification, bool)) (Deposit, bool, error) {
	var changed bool
	d, err := s.cfg.Deposits.UpdateDeposit(ctx, id, func(d *Deposit) ([]Notification, error) {
		notes, ok := fn(d)
		if changed = ok; !ok {
			return nil, ErrNoChange
		}
		return notes, nil
	})
	if err != nil {
		return Deposit{}, false, err
	}
	return d, changed, nil
}

// depositTap is a tap on a deposit's button, whatever the session: the
// buyer's Sudah transfer or Batal, an admin's Terima, Tolak or credit.
func (t *turn) depositTap(ctx context.Context) (Output, error) {
	ev, id := Event(t.in.Button.Action), t.in.Button.Arg
	store := t.s.cfg.Deposits
	if store == nil || id == "" {
		return t.stale(ctx)
	}
	admin := slices.Contains(adminDepositEvents, ev)
	if admin && !t.s.isAdmin(t.in.UserID) {
		return t.stale(ctx)
	}
	d, err := store.Deposit(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && !admin && d.UserID != t.in.UserID {
		// Another user's deposit is not found, as another chat's order is.
		return t.say(text(t.lang, "deposit_not_found")), nil
	}
	if err != nil {
		return Output{}, err
	}
	switch ev {
	case EvDepositSent:
		return t.depositSent(ctx, id)
	case EvDepositCancel:
		return t.depositCancel(ctx, id)
	case EvDepositApprove:
		return t.depositApprove(ctx, id)
	case EvDepositReject:
		return t.depositReject(ctx, id)
	default:
		return t.depositCredit(ctx, id)
	}
}

// edit is the answer to a tap that replaces the tapped message.
func (t *turn) edit(msg string, buttons [][]Button) Output {
	return Output{Replies: []Reply{{Text: msg, Buttons: buttons, Edit: t.in.Kind == InputButton}}}
}

// depositSent is the buyer's "Sudah transfer": the deposit waits for the
// admins, who get its line with Terima and Tolak, and no longer expires.
func (t *turn) depositSent(ctx context.Context, id string) (Output, error) {
	now, msgID := t.s.cfg.Now(), t.in.MessageID
	d, changed, err := t.s.updateDeposit(ctx, id, func(d *Deposit) ([]Notification, bool) {
		if d.State != DepositWaiting {
			return nil, false
		}
		d.State, d.SentAt = DepositSent, now
		if msgID != 0 {
			d.MessageID = msgID
		}
		notes := t.s.toAdmins(adminDepositText(t.s.cfg.Lang, *d))
		for i := range notes {
			notes[i].Buttons = adminDepositButtons(t.s.cfg.Lang, *d)
		}
		return notes, true
	})
	if err != nil {
		return Output{}, err
	}
	if changed {
		t.s.log.Info("deposit marked sent", "deposit_id", d.ID, "user_id", d.UserID, "amount", d.Amount)
	}
	return t.edit(depositClosedText(t.lang, d), nil), nil
}

// depositCancel is the buyer's "Batal" on a deposit they have not sent.
func (t *turn) depositCancel(ctx context.Context, id string) (Output, error) {
	now := t.s.cfg.Now()
	d, changed, err := t.s.updateDeposit(ctx, id, func(d *Deposit) ([]Notification, bool) {
		if d.State != DepositWaiting {
			return nil, false
		}
		d.State, d.ClosedAt = DepositCancelled, now
		return nil, true
	})
	if err != nil {
		return Output{}, err
	}
	if changed {
		t.s.log.Info("deposit cancelled by the buyer", "deposit_id", d.ID, "user_id", d.UserID)
	}
	return t.edit(depositClosedText(t.lang, d), nil), nil
}

// buyerDepositNotes tell the buyer how their deposit ended: its message
// edited where it is known, and a new message (with the new balance when
// credited).
func buyerDepositNotes(d Deposit, balance int64) []Notification {
	lang := Lang(d.Lang)
	var notes []Notification
	if d.MessageID != 0 {
		notes = append(notes, Notification{Kind: NotifyEdit, ChatID: d.ChatID, MessageID: d.MessageID,
			Text: depositClosedText(lang, d)})
	}
	if d.Gateway != nil && d.Gateway.QRMessageID != 0 {
		// The QR code's caption says it is no longer to be paid.
		notes = append(notes, Notification{Kind: NotifyEdit, Caption: true, ChatID: d.ChatID,
			MessageID: d.Gateway.QRMessageID, Text: depositClosedText(lang, d)})
	}
	var msg string
	switch {
	case d.State == DepositCredited || d.AdjustedBy != 0:
		msg = text(lang, "deposit_credited", FormatRupiah(d.Amount), FormatRupiah(balance))
	case d.State == DepositRejected:
		msg = text(lang, "deposit_rejected", FormatRupiah(d.Amount), d.ID)
	case d.State == DepositExpired:
		msg = text(lang, "deposit_expired", FormatRupiah(d.Amount), d.ID)
	default:
		return notes
	}
	return append(notes, Notification{Kind: NotifySend, ChatID: d.ChatID, Text: msg})
}

// depositApprove is an admin's Terima: an open deposit is credited, once.
// On one no longer open it credits nothing and says why; where it closed
// without being credited it offers the one-tap adjustment (rule 15).
func (t *turn) depositApprove(ctx context.Context, id string) (Output, error) {
	now, admin := t.s.cfg.Now(), t.in.UserID
	d, changed, err := t.s.updateDeposit(ctx, id, func(d *Deposit) ([]Notification, bool) {
		if !d.State.Open() {
			return nil, false
		}
		d.State, d.ClosedAt, d.ClosedBy = DepositCredited, now, admin
		return buyerDepositNotes(*d, d.Wallet.Balance+d.Amount), true
	})
	if err != nil {
		return Output{}, err
	}
	if changed {
		t.s.log.Info("deposit credited", "deposit_id", d.ID, "user_id", d.UserID, "amount", d.Amount,
			"admin_id", admin, "entry_id", d.EntryID)
		return t.edit(text(t.lang, "deposit_admin_credited", d.ID, FormatRupiah(d.Amount), d.UserID, admin), nil), nil
	}
	return t.closedDepositAnswer(d), nil
}

// closedDepositAnswer is what an admin's tap on a deposit no longer open
// gets: who credited it and when, or that it closed uncredited with the
// one-tap adjustment.
func (t *turn) closedDepositAnswer(d Deposit) Output {
	switch {
	case d.State == DepositCredited:
		return t.edit(text(t.lang, "deposit_admin_already", d.ID, FormatRupiah(d.Amount), d.ClosedBy, shortTime(d.ClosedAt)), nil)
	case d.AdjustedBy != 0:
		return t.edit(text(t.lang, "deposit_admin_adjusted_before", d.ID, FormatRupiah(d.Amount), d.AdjustedBy), nil)
	case d.State.Open():
		return t.edit(adminDepositText(t.lang, d), adminDepositButtons(t.lang, d))
	}
	credit := [][]Button{{{Label: text(t.lang, "btn_deposit_credit", FormatRupiah(d.Amount)),
		Data: ButtonData{Action: string(EvDepositCredit), Arg: d.ID}}}}
	return t.edit(text(t.lang, "deposit_admin_closed", d.ID, FormatRupiah(d.Amount), d.UserID,
		text(t.lang, Msg("deposit_state_"+string(d.State)))), credit)
}

// depositReject is an admin's Tolak on an open deposit.
func (t *turn) depositReject(ctx context.Context, id string) (Output, error) {
	now, admin := t.s.cfg.Now(), t.in.UserID
	d, changed, err := t.s.updateDeposit(ctx, id, func(d *Deposit) ([]Notification, bool) {
		if !d.State.Open() {
			return nil, false
		}
		d.State, d.ClosedAt, d.ClosedBy = DepositRejected, now, admin
		return buyerDepositNotes(*d, 0), true
	})
	if err != nil {
		return Output{}, err
	}
	if changed {
		t.s.log.Info("deposit rejected", "deposit_id", d.ID, "user_id", d.UserID, "amount", d.Amount, "admin_id", admin)
		return t.edit(text(t.lang, "deposit_admin_rejected", d.ID, FormatRupiah(d.Amount), d.UserID, admin), nil), nil
	}
	if d.State == DepositRejected && d.AdjustedBy == 0 {
		return t.edit(text(t.lang, "deposit_admin_rejected_before", d.ID, d.ClosedBy), nil), nil
	}
	return t.closedDepositAnswer(d), nil
}

// depositCredit is an admin's one-tap credit of a deposit that closed
// without being credited, for money that arrived after all: an adjustment
// naming the deposit and the admin, at most once per deposit (the store
// refuses AdjustedBy on a deposit ever credited).
func (t *turn) depositCredit(ctx context.Context, id string) (Output, error) {
	admin := t.in.UserID
	d, changed, err := t.s.updateDeposit(ctx, id, func(d *Deposit) ([]Notification, bool) {
		if d.State.Open() || d.State == DepositCredited || d.AdjustedBy != 0 {
			return nil, false
		}
		d.AdjustedBy = admin
		return buyerDepositNotes(*d, d.Wallet.Balance+d.Amount), true
	})
	if err != nil {
		return Output{}, err
	}
	if changed {
		t.s.log.Info("closed deposit credited as an adjustment", "deposit_id", d.ID, "user_id", d.UserID,
			"amount", d.Amount, "admin_id", admin, "entry_id", d.EntryID, "state", string(d.State))
		return t.edit(text(t.lang, "deposit_admin_adjusted", d.ID, FormatRupiah(d.Amount), d.UserID, admin), nil), nil
	}
	return t.closedDepositAnswer(d), nil
}

// adminDeposits is /deposits: every open deposit, each a message with its
// buttons, oldest first.
func (t *turn) adminDeposits(ctx context.Context) (Output, error) {
	store := t.s.cfg.Deposits
	if store == nil {
		return t.say(text(t.lang, "wallet_unavailable")), nil
	}
	open, err := store.OpenDeposits(ctx)
	if err != nil {
		return Output{}, fmt.Errorf("open deposits: %w", err)
	}
	if len(open) == 0 {
		return t.say(text(t.lang, "deposits_none")), nil
	}
	replies := []Reply{{Text: text(t.lang, "deposits_title", len(open))}}
	for _, d := range open[:min(len(open), maxListedDeposits)] {
		r := Reply{Text: adminDepositText(t.lang, d)}
		if d.Method == MethodTransfer {
			// A QRIS deposit is credited by its gateway, not by hand.
			r.Buttons = adminDepositButtons(t.lang, d)
		}
		replies = append(replies, r)
	}
	if len(open) > maxListedDeposits {
		replies = append(replies, Reply{Text: text(t.lang, "deposits_more", len(open)-maxListedDeposits)})
	}
	return Output{Replies: replies}, nil
}

// ExpireDeposits expires the waiting deposits past their ExpiresAt and
// tells their buyers; the poller runs it. A deposit marked sent never
// expires on its own: it waits for an admin. It returns how many expired.
func (s *Service) ExpireDeposits(ctx context.Context) (int, error) {
	store := s.cfg.Deposits
	if store == nil {
		return 0, nil
	}
	open, err := store.OpenDeposits(ctx)
	if err != nil {
		return 0, fmt.Errorf("expiring deposits: %w", err)
	}
	now := s.cfg.Now()
	n := 0
	for _, d := range open {
		if d.State != DepositWaiting || d.Method != MethodTransfer || now.Before(d.ExpiresAt) {
			continue // the gateway says when a QRIS deposit expired
		}
		_, changed, err := s.updateDeposit(ctx, d.ID, func(d *Deposit) ([]Notification, bool) {
			if d.State != DepositWaiting || now.Before(d.ExpiresAt) {
				return nil, false
			}
			d.State, d.ClosedAt = DepositExpired, now
			return buyerDepositNotes(*d, 0), true
		})
		switch {
		case err != nil:
			return n, fmt.Errorf("expiring deposit %s: %w", d.ID, err)
		case changed:
			n++
			s.log.Info("deposit expired", "deposit_id", d.ID, "user_id", d.UserID, "amount", d.Amount,
				"age", now.Sub(d.CreatedAt).Round(time.Minute))
		}
	}
	return n, nil
}
