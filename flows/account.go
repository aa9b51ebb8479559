package flows

import (
	"crypto/sha256"
	"encoding/hex"
)

// Account identifies the provider account an order was placed with. Checks on
// an order go only to the account it was placed with (DESIGN rule 4): an order
// placed on a sandbox key is never re-sent to production.
type Account struct {
	// Provider is the provider's name: "iak" or "mesinr1".
	Provider string
	// ID is the account's login: the IAK username or the Mesin R1 mmid.
	ID string
	// KeyHash is a short, non-reversible fingerprint of the api key
	// (see KeyFingerprint); it tells a sandbox key from a production key
	// without storing either.
	KeyHash string
	// Host is the API host, for providers whose tenants share mmids and
	// keys (Mesin R1 is white-label: each tenant has its own host). Empty
	// for IAK, whose key tells sandbox from production, and in orders
	// written before the host was recorded (see storage's AdoptAccountHost).
	Host string `json:",omitempty"`
}

// String renders the account for logs: it holds no secret.
func (a Account) String() string {
	s := a.Provider + ":" + a.ID + ":" + a.KeyHash
	if a.Host != "" {
		s += "@" + a.Host
	}
	return s
}

// KeyFingerprint returns a short fingerprint of an api key: the first 12 hex
// digits of its SHA-256. It identifies the key without revealing it.
func KeyFingerprint(apiKey string) string {
	sum := sha256.Sum256([]byte(apiKey))
	return hex.EncodeToString(sum[:6])
}
