package mesinr1

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"time"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// dateLayout is the API's date format (seed 002: "ISO YYYY-MM-DD").
const dateLayout = "2006-01-02"

// Balance reports the deposit: `saldo`, the single figure across the
// prepaid and postpaid wallets (seed 002: a plain envelope without rc).
func (c *Client) Balance(ctx context.Context) (int64, error) {
	const op = "mesinr1: balance"
	env, err := c.call(ctx, op, "balance", nil)
	if err != nil {
		return 0, err
	}
	if !env.ok() {
		return 0, c.refusal(op, env)
	}
	var d struct {
		Saldo flex.Int `json:"saldo"`
	}
	if err := json.Unmarshal(env.Data, &d); err != nil {
		return 0, c.unknown(op, "undecodable balance", err)
	}
	if !d.Saldo.Set {
		return 0, c.unknownAnswer(op, env, "no saldo in the answer")
	}
	return d.Saldo.Value, nil
}

// Mutations lists deposit movements between the days of from and to, in
// Asia/Jakarta, inclusive. The platform books from its own side: in seed
// 002 a purchase is a "credit" of its price with the balance going down.
// flows.Mutation is the reseller's side (Debit: out of the deposit), so the
// two columns are swapped here.
func (c *Client) Mutations(ctx context.Context, from, to time.Time) ([]flows.Mutation, error) {
	const op = "mesinr1: mutations"
	fields := map[string]any{
		"start_date": from.In(flows.WIB).Format(dateLayout),
		"end_date":   to.In(flows.WIB).Format(dateLayout),
	}
	var out []flows.Mutation
	err := c.walk(ctx, op, "mutations", fields, func(raw json.RawMessage) error {
		var row struct {
			Debit     flex.Int    `json:"debit"`
			Credit    flex.Int    `json:"credit"`
			Balance   flex.Int    `json:"balance"`
			Notes     flex.String `json:"notes"`
			TrxNo     flex.String `json:"trx_no"`
			CreatedAt flex.String `json:"created_at"`
		}
		if err := json.Unmarshal(raw, &row); err != nil {
			return err
		}
		at, err := parseTime(string(row.CreatedAt))
		if err != nil {
			return err
		}
		out = append(out, flows.Mutation{
			Time: at, Debit: row.Credit.Value, Credit: row.Debit.Value, Balance: row.Balance.Value,
			Note: c.scrub(first(row.Notes)), TxNo: first(row.TrxNo),
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// walk reads a list endpoint: a flat array, or a paginator whose further
// pages it requests until meta.last_page (or while links.next is set). The
// first request carries no page, as the caller's filter had none.
func (c *Client) walk(ctx context.Context, op, name string, fields map[string]any, each func(json.RawMessage) error) error {
	for page := 1; page <= maxPages; page++ {
		req := maps.Clone(fields)
		if page > 1 {
			req["page"] = page
		}
		env, err := c.call(ctx, op, name, req)
		if err != nil {
			return err
		}
		if !env.ok() {
			return c.refusal(op, env)
		}
		items, info, err := decodeList(env.Data)
		if err != nil {
			return c.unknown(op, "undecodable list", err)
		}
		for i, raw := range items {
			if err := each(raw); err != nil {
				return c.unknown(op, fmt.Sprintf("page %d row %d", page, i), err)
			}
		}
		if info.page == 0 && info.lastPage == 0 && info.next == "" {
			return nil // a flat list: all of it
		}
		more, err := morePages(info.page, info.lastPage, info.next, page)
		if err != nil {
			return c.unknown(op, err.Error(), nil)
		}
		if !more {
			return nil
		}
	}
	return c.unknown(op, fmt.Sprintf("more than %d pages", maxPages), nil)
}

// HistoryFilter selects transactions from the history list. Zero fields are
// not sent: without dates the provider shows today.
type HistoryFilter struct {
	// Date is one day (Asia/Jakarta).
	Date time.Time
	// From and To bound a range of days (Asia/Jakarta), inclusive.
	From, To time.Time
	// Status keeps success (1), failed (11) or pending (2,3) transactions.
	Status      flows.Status
	ProductCode string
	CustomerID  string
	// Page selects a page; zero asks for the whole list at once (the API
	// then answers a flat array). PerPage is at most 1000.
	Page    int
	PerPage int
}

func (f HistoryFilter) fields() map[string]any {
	m := map[string]any{}
	day := func(key string, t time.Time) {
		if !t.IsZero() {
			m[key] = t.In(flows.WIB).Format(dateLayout)
		}
	}
	day("date", f.Date)
	day("start_date", f.From)
	day("end_date", f.To)
	switch f.Status {
	case flows.StatusSuccess:
		m["status"] = "1"
	case flows.StatusFailed:
		m["status"] = "11"
	case flows.StatusPending:
		m["status"] = "2,3"
	}
	if f.ProductCode != "" {
		m["product_code"] = f.ProductCode
	}
	if f.CustomerID != "" {
		m["customer_id"] = f.CustomerID
	}
	if f.Page > 0 {
		m["page"] = f.Page
	}
	if f.PerPage > 0 {
		m["per_page"] = f.PerPage
	}
	return m
}

// HistoryPage is an answer of the history list. The paginator fields are
// zero for the flat answer (HistoryFilter.Page zero).
type HistoryPage struct {
	Transactions                   []Transaction
	Page, LastPage, PerPage, Total int
	Next                           string
}

// History lists transactions matching f. It reads both wire shapes: the
// flat array (no page asked) and {data:{data,links,meta}}.
func (c *Client) History(ctx context.Context, f HistoryFilter) (HistoryPage, error) {
	op := "mesinr1: history"
	if f.Page > 0 {
		op += " page " + strconv.Itoa(f.Page)
	}
	env, err := c.call(ctx, op, "history", f.fields())
	if err != nil {
		return HistoryPage{}, err
	}
	if !env.ok() {
		return HistoryPage{}, c.refusal(op, env)
	}
	items, info, err := decodeList(env.Data)
	if err != nil {
		return HistoryPage{}, c.unknown(op, "undecodable history", err)
	}
	out := HistoryPage{Page: info.page, LastPage: info.lastPage, PerPage: info.perPage, Total: info.total, Next: info.next}
	for i, raw := range items {
		var rec record
		if err := json.Unmarshal(raw, &rec); err != nil {
			return HistoryPage{}, c.unknown(op, fmt.Sprintf("row %d", i), err)
		}
		t, err := c.transaction(rec)
		if err != nil {
			return HistoryPage{}, c.unknown(op, fmt.Sprintf("row %d", i), err)
		}
		out.Transactions = append(out.Transactions, t)
	}
	return out, nil
}
