package digiflazz

import (
	"context"
	"errors"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// Balance returns the deposit (cek-saldo).
func (c *Client) Balance(ctx context.Context) (int64, error) {
	const op = "digiflazz: cek-saldo"
	body := map[string]string{"cmd": "deposit", "username": c.username, "sign": c.sign("depo")}
	raw, err := c.post(ctx, op, "cek-saldo", body)
	if err != nil {
		return 0, err
	}
	var d struct {
		Deposit flex.Int    `json:"deposit"`
		RC      flex.String `json:"rc"`
		Message flex.String `json:"message"`
	}
	if err := c.decode(op, raw, &d); err != nil {
		return 0, err
	}
	if d.RC != "" && d.RC != "00" {
		return 0, refusal(op, string(d.RC), string(d.Message))
	}
	if !d.Deposit.Set {
		return 0, c.wire.Unknown(op, "answer without deposit "+c.wire.Snippet(raw), nil)
	}
	return d.Deposit.Value, nil
}

// refusal classifies the rc of a call that is not a transaction (balance,
// price list, inquiries): misconfigured codes are for admins, refusals and
// failures are rejections with a reason, the rest is unknown.
func refusal(op, rc, message string) error {
	e := &flows.ProviderError{Kind: flows.KindUnknown, Op: op, RC: rc, Message: message}
	info, ok := codes[rc]
	if !ok {
		e.Err = errors.New("rc not in Digiflazz's table")
		return e
	}
	switch info.class {
	case classMisconfigured:
		e.Kind, e.Reason = flows.KindMisconfigured, info.reason
	case classFailed, classNoTx:
		e.Kind, e.Reason = flows.KindRejected, info.reason
	}
	return e
}
