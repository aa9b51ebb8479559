package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Deposits paid by QRIS through a payment gateway (issue 12, DESIGN rule
// 15). The deposit is written first, with its merchant ref (its id) and the
// time the create is sent; then the gateway is asked; its answer is stored
// on the deposit. An answer that says nothing is looked up by merchant ref,
// never created again. The gateway's notices (callbacks) and the poller's
// detail calls go through one function, applyPayment, in the deposit's own
// transaction: a callback and a poll racing, or a callback re-sent, credit
// once, and only the exact amount the create answer asked the buyer to pay.

const (
	// defaultGatewayTimeout bounds one gateway call.
	defaultGatewayTimeout = 20 * time.Second
	// qrisItemName is the one order item of a deposit's payment.
	qrisItemName = "Deposit saldo"
)

// EvDepositMethod is a method button of /deposit ("transfer", "qris").
const EvDepositMethod Event = "dm"

// gatewayOn reports whether QRIS is offered.
func (s *Service) gatewayOn() bool { return s.depositsOn() && s.cfg.Gateway != nil }

func (s *Service) gatewayTimeout() time.Duration {
	if s.cfg.GatewayTimeout > 0 {
		return s.cfg.GatewayTimeout
	}
	return defaultGatewayTimeout
}

// depositMethodPrompt offers Transfer and QRIS.
func (t *turn) depositMethodPrompt(menu string) Reply {
	nav := []Button{}
	if t.sess.DepositFrom == StateNoSaldo {
		nav = append(nav, t.button(text(t.lang, "btn_back"), menu, EvBack, ""))
	}
	nav = append(nav, t.button(text(t.lang, "btn_cancel"), menu, EvCancel, ""))
	return Reply{
		Text: text(t.lang, "deposit_method"),
		Buttons: [][]Button{{
			t.button(text(t.lang, "btn_method_transfer"), menu, EvDepositMethod, string(MethodTransfer)),
			t.button(text(t.lang, "btn_method_qris"), menu, EvDepositMethod, string(MethodQRIS)),
		}, nav},
	}
}

// chooseDepositMethod is Transfer or QRIS on the method screen.
func (t *turn) chooseDepositMethod(ctx context.Context, arg string) (State, error) {
	switch DepositMethod(arg) {
	case MethodTransfer:
		t.sess.DepositMethod = MethodTransfer
	case MethodQRIS:
		if !t.s.gatewayOn() {
			return StateDepositMethod, nil
		}
		t.sess.DepositMethod = MethodQRIS
	default:
		return StateDepositMethod, nil
	}
	return StateDepositAmount, nil
}

// waitingQRIS finds the buyer's QRIS deposit still waiting for payment.
func (t *turn) waitingQRIS(ctx context.Context) (Deposit, bool, error) {
	ds, err := t.s.cfg.Deposits.UserDeposits(ctx, t.in.UserID, 10)
	if err != nil {
		return Deposit{}, false, fmt.Errorf("deposits of %d: %w", t.in.UserID, err)
	}
	for _, d := range ds {
		if d.Method == MethodQRIS && d.State.Open() {
			return d, true, nil
		}
	}
	return Deposit{}, false, nil
}

// startQRIS writes the deposit and asks the gateway for its payment after
// the "creating" message is on screen.
func (t *turn) startQRIS(ctx context.Context, base int64) (State, error) {
	now := t.s.cfg.Now()
	ref, err := NewRefID(now, t.s.cfg.Random)
	if err != nil {
		return "", fmt.Errorf("deposit id: %w", err)
	}
	d := Deposit{
		ID: "D" + ref, UserID: t.in.UserID, ChatID: t.in.ChatID, Name: strings.TrimSpace(t.in.FirstName),
		Lang: string(t.lang), Method: MethodQRIS, Base: base, CreatedAt: now,
		ExpiresAt: now.Add(t.s.cfg.Wallet.DepositExpiry),
		// Written before the call: whatever happens to the answer, the
		// poller knows a create was sent and looks it up, never resends.
		Gateway: &GatewayPayment{AskedAt: now},
	}
	if t.in.Kind == InputButton {
		d.MessageID = t.in.MessageID
	}
	created, replaced, err := t.s.cfg.Deposits.CreateDeposit(ctx, d, false)
	if err != nil {
		return "", err
	}
	t.s.log.Info("deposit created", "deposit_id", created.ID, "user_id", created.UserID,
		"amount", created.Amount, "method", string(MethodQRIS), "replaced", len(replaced))
	t.editReplaced(ctx, replaced)
	t.restart()
	lang := t.lang
	t.replies = []Reply{{Text: text(lang, "qris_creating", FormatRupiah(created.Amount)), Edit: t.in.Kind == InputButton}}
	t.then = func(ctx context.Context) []Reply { return t.s.createPayment(ctx, created, lang) }
	return StateHome, nil
}

// createPayment asks the gateway for the deposit's payment and answers the
// buyer with its QR code — or that it is on its way, or that QRIS is not
// available now.
func (s *Service) createPayment(ctx context.Context, d Deposit, lang Lang) []Reply {
	gw := s.cfg.Gateway
	cctx, cancel := context.WithTimeout(ctx, s.gatewayTimeout())
	p, err := gw.CreatePayment(cctx, PaymentRequest{
		MerchantRef: d.ID, Method: "QRIS", Amount: d.Amount, ItemName: qrisItemName,
		CustomerName: customerName(d), ExpiresAt: d.ExpiresAt,
	})
	cancel()
	if err == nil && p.MerchantRef != "" && p.MerchantRef != d.ID {
		err = &ProviderError{Kind: KindUnknown, Op: "gateway: create",
			Err: fmt.Errorf("answer for merchant ref %q", p.MerchantRef)}
	}
	if KindOf(err) == KindUnknown {
		// The payment may exist: ask for it by our ref, never create again.
		s.log.Warn("gateway create answer unknown; looking it up", "deposit_id", d.ID, "err", err)
		lctx, cancel := context.WithTimeout(ctx, s.gatewayTimeout())
		p, err = gw.FindPayment(lctx, d.ID)
		cancel()
		if err != nil {
			// The poller looks again once the create's timeout has passed
			// and expires the deposit when the gateway has none.
			s.log.Warn("gateway payment not found yet", "deposit_id", d.ID, "err", err)
			return []Reply{{Text: text(lang, "qris_pending", d.ID)}}
		}
	} else if err != nil {
		return s.paymentRefused(ctx, d, lang, err)
	}
	stored, err := s.recordPayment(ctx, d.ID, p)
	if err != nil {
		s.log.Error("storing the gateway payment", "deposit_id", d.ID, "err", err)
		return []Reply{{Text: text(lang, "qris_pending", d.ID)}}
	}
	if !stored.State.Open() {
		return []Reply{{Text: depositClosedText(lang, stored)}}
	}
	return []Reply{s.shownQR(qrisReply(lang, stored), stored.ID)}
}

// customerName is the name the gateway shows the payer.
func customerName(d Deposit) string {
	if d.Name != "" {
		return d.Name
	}
	return fmt.Sprintf("Pelanggan %d", d.UserID)
}

// paymentRefused closes a deposit whose payment the gateway refused to
// create: nothing exists to pay. Misconfigured credentials alert the admins.
func (s *Service) paymentRefused(ctx context.Context, d Deposit, lang Lang, cause error) []Reply {
	misconfigured := KindOf(cause) == KindMisconfigured
	s.log.Error("gateway refused the payment", "deposit_id", d.ID, "misconfigured", misconfigured, "err", cause)
	now := s.cfg.Now()
	_, _, err := s.updateDeposit(ctx, d.ID, func(d *Deposit) ([]Notification, bool) {
		if d.State != DepositWaiting || d.Gateway != nil && d.Gateway.Reference != "" {
			return nil, false
		}
		d.State, d.ClosedAt = DepositFailed, now
		if misconfigured {
			return s.toAdmins(text(s.cfg.Lang, "qris_alert_misconfigured", d.ID)), true
		}
		return nil, true
	})
	if err != nil {
		s.log.Error("closing a refused deposit", "deposit_id", d.ID, "err", err)
	}
	return []Reply{{Text: text(lang, "qris_unavailable")}}
}

// recordPayment stores the gateway's record on a deposit that has none
// yet. A deposit that has one keeps it: the first answer is the payment.
func (s *Service) recordPayment(ctx context.Context, id string, p Payment) (Deposit, error) {
	d, _, err := s.updateDeposit(ctx, id, func(d *Deposit) ([]Notification, bool) {
		if d.Method != MethodQRIS || d.Gateway != nil && d.Gateway.Reference != "" || p.Reference == "" {
			return nil, false
		}
		g := GatewayPayment{}
		if d.Gateway != nil {
			g = *d.Gateway // copied: fn may run again on the stored deposit
		}
		g.Reference, g.PayAmount, g.FeeMerchant, g.FeeCustomer = p.Reference, p.Amount, p.FeeMerchant, p.FeeCustomer
		g.AmountReceived, g.QRString, g.CheckoutURL, g.ExpiresAt = p.AmountReceived, p.QRString, p.CheckoutURL, p.ExpiresAt
		d.Gateway = &g
		return nil, true
	})
	if err != nil {
		return Deposit{}, err
	}
	if d.Gateway == nil || d.Gateway.Reference != p.Reference {
		return d, fmt.Errorf("deposit %s holds payment %q, the gateway answered %q", id, reference(d), p.Reference)
	}
	s.log.Info("gateway payment created", "deposit_id", d.ID, "reference", p.Reference, "pay_amount", p.Amount,
		"fee_customer", p.FeeCustomer, "fee_merchant", p.FeeMerchant)
	return d, nil
}

func reference(d Deposit) string {
	if d.Gateway == nil {
		return ""
	}
	return d.Gateway.Reference
}

// shownQR has the transport tell the deposit which message shows its QR
// code (the latest shown, if /deposit showed it again), so that its
// caption is edited when the deposit is paid or expires. The id arrives
// after Telegram's answer, which can be after the deposit closed: then the
// closing notes had no QR message to edit, and the hook edits it. It is
// cosmetic: a message id lost to a crash leaves the old caption.
func (s *Service) shownQR(r Reply, id string) Reply {
	if r.QR == "" {
		return r
	}
	r.Sent = func(messageID int) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _, err := s.updateDeposit(ctx, id, func(d *Deposit) ([]Notification, bool) {
			if d.Gateway == nil || d.Gateway.QRMessageID == messageID {
				return nil, false
			}
			if !d.State.Open() && d.Gateway.QRMessageID != 0 {
				return nil, false // the closing notes edited the QR on screen
			}
			g := *d.Gateway // copied: fn may run again on the stored deposit
			g.QRMessageID = messageID
			d.Gateway = &g
			if !d.State.Open() {
				// Telegram's answer came after the deposit closed (a buyer
				// who pays at once, a callback before the send returned):
				// the closing notes had no QR to edit, so this edits it.
				return []Notification{{Kind: NotifyEdit, Caption: true, ChatID: d.ChatID,
					MessageID: messageID, Text: depositClosedText(Lang(d.Lang), *d)}}, true
			}
			return nil, true
		})
		if err != nil {
			s.log.Warn("recording the QR message", "deposit_id", id, "err", err)
		}
	}
	return r
}

// qrisReply is the QR code to pay: the amount with fees, the expiry, the
// checkout link.
func qrisReply(lang Lang, d Deposit) Reply {
	g := d.Gateway
	lines := []string{text(lang, "qris_title", FormatRupiah(d.Amount))}
	if fee := g.PayAmount - d.Amount; fee > 0 {
		lines = append(lines, text(lang, "qris_pay_fee", FormatRupiah(g.PayAmount), FormatRupiah(fee)))
	} else {
		lines = append(lines, text(lang, "qris_pay", FormatRupiah(g.PayAmount)))
	}
	expires := g.ExpiresAt
	if expires.IsZero() {
		expires = d.ExpiresAt
	}
	lines = append(lines, text(lang, "qris_scan", shortTime(expires)))
	if g.CheckoutURL != "" {
		lines = append(lines, text(lang, "qris_checkout", g.CheckoutURL))
	}
	lines = append(lines, text(lang, "qris_auto"), text(lang, "deposit_id", d.ID))
	return Reply{Text: strings.Join(lines, "\n"), QR: g.QRString}
}

// PaymentNotice is what the gateway says of a payment: a callback, or the
// poller's detail call.
type PaymentNotice struct {
	MerchantRef string
	Reference   string
	Status      PaymentStatus
	// TotalAmount is what the buyer paid (fees included).
	TotalAmount int64
	// Source is "callback" or "poll", for the log.
	Source string
}

// ErrUnknownPayment: a notice for a merchant ref that is no QRIS deposit
// of ours. The callback answers it 200 (the gateway must stop) and logs it.
var ErrUnknownPayment = errors.New("no such QRIS deposit")

// HandlePaymentCallback applies a gateway's verified callback. A deposit
// whose create answer was lost learns its payment from the gateway first.
func (s *Service) HandlePaymentCallback(ctx context.Context, cb PaymentCallback) error {
	return s.notice(ctx, PaymentNotice{MerchantRef: cb.MerchantRef, Reference: cb.Reference, Status: cb.Status,
		TotalAmount: cb.TotalAmount, Source: "callback"})
}

func (s *Service) notice(ctx context.Context, n PaymentNotice) error {
	if s.cfg.Deposits == nil {
		return ErrUnknownPayment
	}
	d, err := s.cfg.Deposits.Deposit(ctx, n.MerchantRef)
	if errors.Is(err, ErrNotFound) || err == nil && d.Method != MethodQRIS {
		return fmt.Errorf("%w: merchant ref %q", ErrUnknownPayment, n.MerchantRef)
	}
	if err != nil {
		return err
	}
	if reference(d) == "" && s.cfg.Gateway != nil {
		// The callback came before (or instead of) the create's answer:
		// the amount to compare with is the gateway's own record of it.
		cctx, cancel := context.WithTimeout(ctx, s.gatewayTimeout())
		p, err := s.cfg.Gateway.PaymentDetail(cctx, n.Reference)
		cancel()
		if err != nil {
			return fmt.Errorf("payment %s of deposit %s: %w", n.Reference, d.ID, err)
		}
		if p.MerchantRef != d.ID {
			return fmt.Errorf("payment %s is for merchant ref %q, not deposit %s", n.Reference, p.MerchantRef, d.ID)
		}
		if _, err := s.recordPayment(ctx, d.ID, p); err != nil {
			return err
		}
	}
	return s.applyPayment(ctx, n)
}

// applyPayment moves a QRIS deposit by what the gateway says of its
// payment, in one transaction (DESIGN rule 15): PAID with exactly the
// amount the create answer asked credits the deposit's own amount, once;
// EXPIRED and FAILED close it (the gateway decides when a QRIS deposit has
// expired); a PAID that cannot be credited (another amount, another
// payment, a deposit closed) and a REFUND after the credit tell the admins
// once, the first with a one-tap credit.
func (s *Service) applyPayment(ctx context.Context, n PaymentNotice) error {
	now := s.cfg.Now()
	var what string
	d, changed, err := s.updateDeposit(ctx, n.MerchantRef, func(d *Deposit) ([]Notification, bool) {
		what = ""
		if d.Gateway == nil || d.Gateway.Reference == "" {
			return nil, false
		}
		g := *d.Gateway // copied: fn may run again on the stored deposit
		d.Gateway = &g
		if n.Source == "poll" {
			g.CheckedAt = now
		}
		credited := d.State == DepositCredited || d.AdjustedBy != 0
		switch {
		case n.Reference != g.Reference:
			// Another payment under our merchant ref (a create the gateway
			// made twice): the deposit is left as it is, its own payment
			// still credits it; a paid one is the admins' to check, once
			// per payment, and credit by hand if the money is there.
			what = "another payment"
			if n.Status != PaymentPaid || g.ForeignAlerted == n.Reference {
				return nil, n.Source == "poll"
			}
			g.ForeignAlerted = n.Reference
			return s.toAdmins(text(s.cfg.Lang, "qris_alert_foreign", n.Reference, FormatRupiah(n.TotalAmount), d.ID,
				d.UserID, d.UserID)), true
		case n.Status == PaymentPaid && d.State.Open() && n.TotalAmount == g.PayAmount:
			what = "credited"
			d.State, d.ClosedAt = DepositCredited, now
			return buyerDepositNotes(*d, d.Wallet.Balance+d.Amount), true
		case n.Status == PaymentPaid && credited:
			what = "paid again" // a re-sent notice, or a poll after the callback
			return nil, n.Source == "poll"
		case n.Status == PaymentPaid && d.State.Open():
			what = "amount mismatch"
			return s.paymentAlert(d, &g, now, "qris_alert_amount", FormatRupiah(n.TotalAmount), FormatRupiah(g.PayAmount))
		case n.Status == PaymentPaid:
			what = "paid after closing"
			return s.paymentAlert(d, &g, now, "qris_alert_closed", text(s.cfg.Lang, Msg("deposit_state_"+string(d.State))))
		case (n.Status == PaymentExpired || n.Status == PaymentFailed) && d.State.Open():
			what = "expired"
			d.State, d.ClosedAt = DepositExpired, now
			return buyerDepositNotes(*d, 0), true
		case n.Status == PaymentRefund && d.State.Open():
			// Paid and given back before we heard of the payment: nothing
			// to credit, and a PAID re-sent later must not credit it.
			what = "refunded before credit"
			d.State, d.ClosedAt = DepositFailed, now
			return buyerDepositNotes(*d, 0), true
		case n.Status == PaymentRefund && credited && !g.RefundAlerted:
			what = "refunded after credit"
			g.RefundAlerted = true
			return s.toAdmins(text(s.cfg.Lang, "qris_alert_refund", d.ID, FormatRupiah(d.Amount), d.UserID, d.UserID)), true
		}
		return nil, n.Source == "poll" // a poll records when it asked
	})
	if err != nil {
		return fmt.Errorf("applying payment %s (%s) to deposit %s: %w", n.Reference, n.Status, n.MerchantRef, err)
	}
	if changed && what != "" {
		s.log.Info("gateway payment applied", "deposit_id", d.ID, "user_id", d.UserID, "status", string(n.Status),
			"source", n.Source, "outcome", what, "amount", d.Amount, "entry_id", d.EntryID)
	} else if what != "" {
		s.log.Info("gateway payment changes nothing", "deposit_id", d.ID, "status", string(n.Status),
			"source", n.Source, "outcome", what)
	}
	return nil
}

// paymentAlert closes an open deposit whose payment cannot be credited as
// it is (nothing is credited) and tells the admins once, with the one-tap
// credit of the deposit's amount for an admin who checked the money is
// there.
func (s *Service) paymentAlert(d *Deposit, g *GatewayPayment, now time.Time, key Msg, args ...any) ([]Notification, bool) {
	changed := false
	if d.State.Open() {
		d.State, d.ClosedAt, changed = DepositFailed, now, true
	}
	if g.Alerted || d.State == DepositCredited || d.AdjustedBy != 0 {
		return nil, changed
	}
	g.Alerted = true
	detail := text(s.cfg.Lang, key, args...)
	notes := s.toAdmins(text(s.cfg.Lang, "qris_alert", d.ID, FormatRupiah(d.Amount), d.UserID, Markup(detail)))
	credit := [][]Button{{{Label: text(s.cfg.Lang, "btn_deposit_credit", FormatRupiah(d.Amount)),
		Data: ButtonData{Action: string(EvDepositCredit), Arg: d.ID}}}}
	for i := range notes {
		notes[i].Buttons = credit
	}
	return notes, true
}

// qrisCheckEvery is how often the poller asks the gateway about a waiting
// QRIS deposit, by its age: often while the buyer is likely paying, then
// thinning out (callbacks do the work; this only catches lost ones).
func qrisCheckEvery(age time.Duration) time.Duration {
	switch {
	case age < 15*time.Minute:
		return 0 // every poll
	case age < 2*time.Hour:
		return 2 * time.Minute
	case age < 24*time.Hour:
		return 10 * time.Minute
	}
	return time.Hour
}

// CheckPayments is the poller's part of QRIS (callbacks can be lost): each
// waiting QRIS deposit's payment is asked for, thinning out with age; one
// whose create answer was lost is looked up by merchant ref once the
// create's timeout has passed, and expires when the gateway has none.
func (s *Service) CheckPayments(ctx context.Context) error {
	if s.cfg.Deposits == nil || s.cfg.Gateway == nil {
		return nil
	}
	open, err := s.cfg.Deposits.OpenDeposits(ctx)
	if err != nil {
		return fmt.Errorf("checking QRIS deposits: %w", err)
	}
	now := s.cfg.Now()
	var errs []error
	for _, d := range open {
		if d.Method != MethodQRIS || ctx.Err() != nil {
			continue
		}
		if err := s.checkPayment(ctx, d, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Service) checkPayment(ctx context.Context, d Deposit, now time.Time) error {
	gw := s.cfg.Gateway
	if reference(d) == "" {
		asked := d.CreatedAt
		if d.Gateway != nil {
			asked = d.Gateway.AskedAt
		}
		if now.Sub(asked) <= s.gatewayTimeout() {
			return nil // the create may still be answering
		}
		cctx, cancel := context.WithTimeout(ctx, s.gatewayTimeout())
		p, err := gw.FindPayment(cctx, d.ID)
		cancel()
		switch {
		case KindOf(err) == KindNotFound:
			return s.expireUncreated(ctx, d.ID, now)
		case err != nil:
			return fmt.Errorf("looking up deposit %s: %w", d.ID, err)
		}
		stored, err := s.recordPayment(ctx, d.ID, p)
		if err != nil {
			return err
		}
		if err := s.tellPaymentReady(ctx, stored); err != nil {
			return err
		}
		return s.applyPayment(ctx, PaymentNotice{MerchantRef: d.ID, Reference: p.Reference, Status: p.Status,
			TotalAmount: p.Amount, Source: "poll"})
	}
	g := d.Gateway
	if last := g.CheckedAt; !last.IsZero() && now.Sub(last) < qrisCheckEvery(now.Sub(d.CreatedAt)) {
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, s.gatewayTimeout())
	p, err := gw.PaymentDetail(cctx, g.Reference)
	cancel()
	if err != nil {
		return fmt.Errorf("payment %s of deposit %s: %w", g.Reference, d.ID, err)
	}
	return s.applyPayment(ctx, PaymentNotice{MerchantRef: d.ID, Reference: p.Reference, Status: p.Status,
		TotalAmount: p.Amount, Source: "poll"})
}

// expireUncreated expires a deposit whose payment the gateway never
// created (its create's answer lost, the gateway has no such merchant ref):
// the buyer starts again; the merchant ref is never created twice.
func (s *Service) expireUncreated(ctx context.Context, id string, now time.Time) error {
	d, changed, err := s.updateDeposit(ctx, id, func(d *Deposit) ([]Notification, bool) {
		if d.State != DepositWaiting || reference(*d) != "" {
			return nil, false
		}
		d.State, d.ClosedAt = DepositExpired, now
		lang := Lang(d.Lang)
		return []Notification{{Kind: NotifySend, ChatID: d.ChatID, Text: text(lang, "qris_never_created", FormatRupiah(d.Amount))}}, true
	})
	if err != nil {
		return fmt.Errorf("expiring deposit %s: %w", id, err)
	}
	if changed {
		s.log.Warn("QRIS deposit expired: the gateway never created its payment", "deposit_id", d.ID, "user_id", d.UserID)
	}
	return nil
}

// tellPaymentReady sends the buyer the payment a look-up found after the
// create's answer was lost: the checkout link and amount (the outbox sends
// text; /deposit shows the QR code again).
func (s *Service) tellPaymentReady(ctx context.Context, d Deposit) error {
	out, ok := s.cfg.Store.(Outbox)
	if !ok || !d.State.Open() {
		return nil
	}
	r := qrisReply(Lang(d.Lang), d)
	msg := r.Text + "\n" + text(Lang(d.Lang), "qris_show_again")
	return out.Enqueue(ctx, Notification{Kind: NotifySend, ChatID: d.ChatID, Text: msg})
}
