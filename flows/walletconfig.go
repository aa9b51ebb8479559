package flows

import "time"

// WalletConfig is [wallet]: whether buyers pay from their saldo, and how
// they top it up by bank transfer (DESIGN rules 13–15).
type WalletConfig struct {
	// Enabled makes every purchase and bill hold its price from the
	// buyer's saldo when the order is written; off, orders hold nothing.
	Enabled bool `toml:"enabled"`
	// MinDeposit and MaxDeposit bound the amount a buyer may ask to
	// deposit, before the unique code (rupiah).
	MinDeposit int64 `toml:"min_deposit"`
	MaxDeposit int64 `toml:"max_deposit"`
	// DepositExpiry is how long a deposit the buyer has not marked as
	// sent waits before it expires on its own.
	DepositExpiry time.Duration `toml:"deposit_expiry"`
	// UniqueCode adds 1–999 rupiah to each transfer, so that the bank
	// statement's amount tells the open deposits apart.
	UniqueCode bool `toml:"unique_code"`
	// TransferInfo is where to transfer, shown to the buyer as written.
	TransferInfo string `toml:"transfer_info"`
}

// DefaultWallet is [wallet] when the file says nothing: off, with the
// limits a reseller would start with.
func DefaultWallet() WalletConfig {
	return WalletConfig{MinDeposit: 10000, MaxDeposit: 10000000, DepositExpiry: 24 * time.Hour, UniqueCode: true}
}

// DepositAmounts are the amount buttons of /deposit; those outside the
// configured limits are not offered.
var DepositAmounts = []int64{50000, 100000, 250000, 500000}
