package flows_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"topupbot/bot"
	"topupbot/flows"
)

type fixedBalance struct {
	n   int64
	err error
}

func (f fixedBalance) Balance(context.Context) (int64, error) { return f.n, f.err }

// TestAdminBalanceSeveralProviders: /balance names each provider's deposit
// on its own line, warns under the one that is low, and shows the others
// when one does not answer.
func TestAdminBalanceSeveralProviders(t *testing.T) {
	a := newAdminConvo(t, 0)
	balances := []flows.NamedBalance{
		{Provider: "digiflazz", Balance: fixedBalance{n: 2_500_000}},
		{Provider: "iak", Balance: fixedBalance{n: 40_000}},
		{Provider: "mesinr1", Balance: fixedBalance{err: errors.New("rc 63 auth failed")}},
	}
	a.service = flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: a.db, Products: a.cache, Engine: a.engine,
		Admins: []int64{adminID}, Now: a.clk.Now, Balance: flows.SumBalances(balances), Balances: balances, LowBalance: 100_000})
	got := text(a.cmd(adminID, false, "/balance"))
	for _, want := range []string{"Saldo deposit provider:", "• digiflazz: <b>Rp 2.500.000</b>", "• iak: <b>Rp 40.000</b>",
		"⚠️ Saldo di bawah batas peringatan Rp 100.000", "• mesinr1: ⚠️ tidak menjawab dengan benar: <code>rc 63 auth failed</code>"} {
		if !strings.Contains(got, want) {
			t.Errorf("/balance %q lacks %q", got, want)
		}
	}
	if n := strings.Count(got, "batas peringatan"); n != 1 {
		t.Errorf("%d warnings, want the low provider's alone: %q", n, got)
	}
	if i, j := strings.Index(got, "iak:"), strings.Index(got, "batas"); j < i {
		t.Errorf("the warning is not under the low provider: %q", got)
	}
}

func TestSumBalances(t *testing.T) {
	sum := flows.SumBalances([]flows.NamedBalance{{Provider: "a", Balance: fixedBalance{n: 10}}, {Provider: "b", Balance: fixedBalance{n: 5}}})
	if n, err := sum.Balance(bg); n != 15 || err != nil {
		t.Errorf("sum = %d, %v", n, err)
	}
	sum = flows.SumBalances([]flows.NamedBalance{{Provider: "a", Balance: fixedBalance{n: 10}}, {Provider: "b", Balance: fixedBalance{err: errors.New("down")}}})
	if _, err := sum.Balance(bg); err == nil || !strings.Contains(err.Error(), "b: down") {
		t.Errorf("sum with a provider down: %v; want its error, not a partial sum", err)
	}
}

// recordingBills records the inquiries it gets.
type recordingBills struct{ got []flows.BillRequest }

func (r *recordingBills) InquireBill(_ context.Context, req flows.BillRequest) (flows.Bill, error) {
	r.got = append(r.got, req)
	return flows.Bill{RefID: req.RefID, CustomerNumber: req.CustomerNumber, Total: 50000}, nil
}
func (r *recordingBills) PayBill(context.Context, flows.Bill) (flows.Result, error) {
	return flows.Result{}, errors.New("unexpected")
}
func (r *recordingBills) CheckBill(context.Context, flows.Bill) (flows.Result, error) {
	return flows.Result{}, errors.New("unexpected")
}

// TestMultiBills: an inquiry goes to the provider its qualified code names,
// with that provider's code, which the bill keeps for its payment.
func TestMultiBills(t *testing.T) {
	iak, df := &recordingBills{}, &recordingBills{}
	bills := flows.MultiBills([]flows.NamedBillPayer{{Provider: "iak", Bills: iak}, {Provider: "digiflazz", Bills: df}})
	bill, err := bills.InquireBill(bg, flows.BillRequest{RefID: "R1", ProductCode: flows.QualifiedCode("digiflazz", "pln"), CustomerNumber: "530000000001"})
	if err != nil || bill.ProductCode != "pln" || len(df.got) != 1 || df.got[0].ProductCode != "pln" || len(iak.got) != 0 {
		t.Errorf("inquiry = %+v, %v; digiflazz got %+v, iak %+v", bill, err, df.got, iak.got)
	}
	for _, code := range []string{"pln", "mesinr1:pln"} {
		if _, err := bills.InquireBill(bg, flows.BillRequest{RefID: "R2", ProductCode: code}); err == nil {
			t.Errorf("inquiry of %q answered", code)
		}
	}
	if _, err := bills.PayBill(bg, bill); err == nil {
		t.Error("MultiBills paid a bill: payments go through the engine")
	}
}
