package mesinr1

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// record is a transaction as topup, inquiry, payment, status and history
// return it (seed 002). Fields from providers.md's assumed shape (kode,
// tujuan, keterangan, harga) are read too, as fallbacks.
type record struct {
	Ref1        flex.String     `json:"ref_1"`
	Ref2        flex.String     `json:"ref_2"`
	TrxNo       flex.String     `json:"trx_no"`
	ProductCode flex.String     `json:"product_code"`
	Kode        flex.String     `json:"kode"`
	ProductName flex.String     `json:"product_name"`
	CustomerID  flex.String     `json:"customer_id"`
	Tujuan      flex.String     `json:"tujuan"`
	Status      flex.String     `json:"status"`
	StatusLabel flex.String     `json:"status_label"`
	RC          flex.String     `json:"rc"`
	Price       flex.Int        `json:"price"`
	Harga       flex.Int        `json:"harga"`
	Admin       flex.Int        `json:"admin"`
	TotalPrice  flex.Int        `json:"total_price"`
	SN          flex.String     `json:"sn"`
	Msg         flex.String     `json:"msg"`
	Keterangan  flex.String     `json:"keterangan"`
	Saldo       flex.Int        `json:"saldo"`
	CreatedAt   flex.String     `json:"created_at"`
	Detail      json.RawMessage `json:"detail"`
}

func first(vals ...flex.String) string {
	for _, v := range vals {
		if s := strings.TrimSpace(string(v)); s != "" {
			return s
		}
	}
	return ""
}

func (r *record) ref() string      { return first(r.Ref1) }
func (r *record) msg() string      { return first(r.Msg, r.Keterangan) }
func (r *record) code() string     { return first(r.ProductCode, r.Kode) }
func (r *record) txID() string     { return first(r.Ref2, r.TrxNo) }
func (r *record) customer() string { return first(r.CustomerID, r.Tujuan) }

// price is what the transaction costs: total_price, else price, else harga.
func (r *record) price() int64 {
	for _, v := range []flex.Int{r.TotalPrice, r.Price, r.Harga} {
		if v.Set {
			return v.Value
		}
	}
	return 0
}

// state maps the status code — 1 success, 2 and 3 pending, 11 failed — or,
// when there is none (the seed's history rows carry only status_label), the
// label. Anything else is pending: the record proves the transaction exists
// and nothing proves it is final.
func (r *record) state() flows.Status {
	code := strings.TrimSpace(string(r.Status))
	label := strings.ToLower(strings.TrimSpace(string(r.StatusLabel)))
	if _, err := strconv.Atoi(code); err != nil && code != "" {
		label, code = strings.ToLower(code), ""
	}
	switch code {
	case "1":
		return flows.StatusSuccess
	case "11":
		return flows.StatusFailed
	case "":
		switch label {
		case "success", "sukses", "berhasil":
			return flows.StatusSuccess
		case "failed", "gagal", "fail":
			return flows.StatusFailed
		}
	}
	return flows.StatusPending
}

// isPayment reports a record that shows a bill payment: its msg starts with
// BAYAR (DESIGN rule 8).
func (r *record) isPayment() bool { return hasPrefixFold(r.msg(), "BAYAR") }

// isInquiry reports a record that shows only the inquiry ("INQ …", or the
// legacy template's "CEK …").
func (r *record) isInquiry() bool {
	return hasPrefixFold(r.msg(), "INQ") || hasPrefixFold(r.msg(), "CEK ")
}

func hasPrefixFold(s, prefix string) bool {
	s = strings.TrimSpace(s)
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// records decodes the transaction records in data: an object, or an array
// of objects. An object counts as a record only if it has a status or
// status_label: validation errors ({"ref_1":["required"]}) are not records.
// A record that does not decode is an error (the caller's unknown).
func records(data json.RawMessage) ([]record, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, nil
	}
	var raws []json.RawMessage
	switch data[0] {
	case '{':
		raws = []json.RawMessage{data}
	case '[':
		if err := json.Unmarshal(data, &raws); err != nil {
			return nil, fmt.Errorf("records: %w", err)
		}
	default:
		return nil, nil // null, or a bare string or number: no record
	}
	var out []record
	for _, raw := range raws {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(raw, &keys); err != nil {
			continue // not an object: not a record
		}
		if !present(keys, "status") && !present(keys, "status_label") {
			continue
		}
		var rec record
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		out = append(out, rec)
	}
	return out, nil
}

func present(keys map[string]json.RawMessage, key string) bool {
	v, ok := keys[key]
	return ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null"))
}

// about keeps the records about ref (a record without ref_1 is taken to be
// about the ref asked for) and counts those about another ref.
func about(recs []record, ref string) (mine []record, foreign int) {
	for _, r := range recs {
		if r.ref() == "" || r.ref() == ref {
			mine = append(mine, r)
		} else {
			foreign++
		}
	}
	return mine, foreign
}

// result turns a record into the order's Result. For a bill payment the
// reference the buyer gets falls back to the provider's ids when the record
// carries no SN.
func (c *Client) result(rec record, env *envelope, bill bool) flows.Result {
	msg := c.scrub(rec.msg())
	if msg == "" {
		msg = c.scrub(string(env.Message))
	}
	rc := first(rec.RC, env.RC)
	res := flows.Result{
		Status:       rec.state(),
		Acknowledged: true,
		Price:        rec.price(),
		ProviderTxID: rec.txID(),
		RC:           rc,
		Message:      msg,
	}
	if rec.Saldo.Set {
		res.Balance, res.BalanceKnown = rec.Saldo.Value, true
	}
	switch res.Status {
	case flows.StatusSuccess:
		res.SN = first(rec.SN)
		if res.SN == "" {
			res.SN = snFromMsg(msg)
		}
		if res.SN == "" && bill {
			res.SN = rec.txID()
		}
	case flows.StatusFailed:
		res.Reason = reasonFor(rc, msg)
	}
	return res
}

// timeLayouts are the shapes created_at arrives in: the seed's
// "2026-04-21 11:00:00" (Jakarta time) and Laravel's ISO serialisation.
var timeLayouts = []string{"2006-01-02 15:04:05", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"}

// parseTime reads a provider timestamp; one without a zone is Jakarta time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, flows.WIB); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}
