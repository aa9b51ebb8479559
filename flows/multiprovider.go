package flows

import (
	"context"
	"errors"
	"fmt"
)

// With several providers the conversation still sees one balance, one
// bill payer: these adapters speak for all of them.

// NamedBalance is one provider's deposit, under the provider's name.
type NamedBalance struct {
	Provider string
	Balance  BalanceChecker
}

// SumBalances is the deposit of several providers together: what the
// customers' saldo is compared with (/stats, OwedWatch). It fails when any
// of them does: a partial sum would understate the deposit.
func SumBalances(balances []NamedBalance) BalanceChecker { return sumBalances(balances) }

type sumBalances []NamedBalance

func (s sumBalances) Balance(ctx context.Context) (int64, error) {
	var total int64
	for _, b := range s {
		n, err := b.Balance.Balance(ctx)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", b.Provider, err)
		}
		total += n
	}
	return total, nil
}

// NamedBillPayer is one provider's bill payer, under the provider's name.
type NamedBillPayer struct {
	Provider string
	Bills    BillPayer
}

// MultiBills sends a bill inquiry of a product under a qualified code to
// that provider, with the provider's own code; the Bill it answers carries
// that code, which the payment sends back. Bills are not routed: the
// engine pays and checks each at the provider its order was written with
// (the product's one leg), never through MultiBills, so its PayBill and
// CheckBill refuse.
func MultiBills(payers []NamedBillPayer) BillPayer { return multiBills(payers) }

type multiBills []NamedBillPayer

// errBillsThroughEngine is MultiBills' answer to a payment or check.
var errBillsThroughEngine = errors.New("bills: a payment goes to its order's provider through the engine")

func (m multiBills) InquireBill(ctx context.Context, req BillRequest) (Bill, error) {
	provider, code, ok := SplitQualifiedCode(req.ProductCode)
	if !ok {
		return Bill{}, fmt.Errorf("bills: product %q names no provider", req.ProductCode)
	}
	for _, p := range m {
		if p.Provider != provider {
			continue
		}
		req.ProductCode = code
		bill, err := p.Bills.InquireBill(ctx, req)
		if err == nil && bill.ProductCode == "" {
			bill.ProductCode = code
		}
		return bill, err
	}
	return Bill{}, fmt.Errorf("bills: provider %q of product %q pays no bills here", provider, req.ProductCode)
}

func (m multiBills) PayBill(context.Context, Bill) (Result, error) {
	return Result{}, errBillsThroughEngine
}
func (m multiBills) CheckBill(context.Context, Bill) (Result, error) {
	return Result{}, errBillsThroughEngine
}
