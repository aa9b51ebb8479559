package flows

import (
	"context"
	"errors"
)

// saldoShort reports whether the store refused an order because the
// buyer's saldo is short of its price: nothing was written, no provider
// was called, and the confirm token is still unused (DESIGN rule 13).
func saldoShort(err error) (*BalanceTooLowError, bool) {
	var short *BalanceTooLowError
	return short, errors.As(err, &short)
}

// noSaldo shows the buyer what is missing instead of placing the order.
// The session keeps the product, the number, the quote and the token, so
// Back returns to the same confirm screen (or bill card) once they have
// topped up.
func (t *turn) noSaldo(price int64, short *BalanceTooLowError) (State, error) {
	t.s.log.Info("order refused: saldo short", "chat_id", t.in.ChatID, "user_id", t.in.UserID,
		"price", price, "balance", short.Balance)
	t.sess.Quote, t.sess.Saldo = price, short.Balance
	return StateNoSaldo, nil
}

// backFromNoSaldo returns to the screen the refused Confirm or Pay was on.
func (t *turn) backFromNoSaldo(ctx context.Context, _ string) (State, error) {
	t.sess.Saldo = 0
	if t.sess.Bill != nil {
		return StateBillCard, nil
	}
	return StateConfirm, nil
}

// noSaldoPrompt is the screen of a refused order: the price, the saldo,
// what is missing, and the ways on — top up, back to the order, cancel.
func (t *turn) noSaldoPrompt(menu string) Reply {
	missing := max(t.sess.Quote-t.sess.Saldo, 0)
	rows := [][]Button{}
	if t.s.cfg.Deposits != nil {
		rows = append(rows, []Button{t.button(text(t.lang, "btn_deposit"), menu, EvDeposit, "")})
	}
	rows = append(rows, []Button{
		t.button(text(t.lang, "btn_back"), menu, EvBack, ""),
		t.button(text(t.lang, "btn_cancel"), menu, EvCancel, ""),
	})
	return Reply{
		Text: text(t.lang, "no_saldo", FormatRupiah(t.sess.Quote), FormatRupiah(t.sess.Saldo),
			FormatRupiah(missing)),
		Buttons: rows,
	}
}
