package sandbox

// Deposit is a simulated provider account's balance in rupiah. It has no
// lock of its own: a simulator keeps it under the same lock as its
// transactions, so that a debit and the transaction it pays for are one step
// and one ref can never be charged twice.
type Deposit struct{ rupiah int64 }

// NewDeposit opens a deposit holding rupiah (a simulator's options pass
// through OpeningDeposit first).
func NewDeposit(rupiah int64) Deposit { return Deposit{rupiah: rupiah} }

// Balance reports the deposit.
func (d *Deposit) Balance() int64 { return d.rupiah }

// Covers reports whether the deposit can pay amount.
func (d *Deposit) Covers(amount int64) bool { return d.rupiah >= amount }

// Debit takes amount off the deposit and returns the balance after. It does
// not refuse: callers check Covers first, as a provider checks before it
// accepts an order.
func (d *Deposit) Debit(amount int64) int64 {
	d.rupiah -= amount
	return d.rupiah
}

// Credit adds amount (a refund, a top-up; negative takes it away) and
// returns the balance after.
func (d *Deposit) Credit(amount int64) int64 {
	d.rupiah += amount
	return d.rupiah
}
