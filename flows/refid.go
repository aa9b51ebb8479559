package flows

import (
	"crypto/rand"
	"io"
	"regexp"
	"time"
)

// refAlphabet is what IAK postpaid accepts in a ref_id: [A-Z0-9].
const refAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// refRandom is the number of random characters after the timestamp: 36^7
// ≈ 7.8e10 refs a second before a collision becomes likely.
const refRandom = 7

var refPattern = regexp.MustCompile(`^[A-Z0-9]{1,20}$`)

// NewRefID returns a fresh order reference: the time in Asia/Jakarta as
// YYMMDDhhmmss followed by random characters, 19 characters of [A-Z0-9]
// (DESIGN rule 1). Time plus randomness keeps refs unique across restarts
// and database resets, which a bbolt sequence would not. random defaults to
// crypto/rand.
func NewRefID(now time.Time, random io.Reader) (string, error) {
	if random == nil {
		random = rand.Reader
	}
	var b [refRandom]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", err
	}
	out := []byte(now.In(WIB).Format("060102150405"))
	for _, c := range b {
		// 252 = 7×36: rejecting the top values would remove the bias, but a
		// 4-in-256 tilt on one character costs nothing here.
		out = append(out, refAlphabet[int(c)%len(refAlphabet)])
	}
	return string(out), nil
}

// ValidRefID reports whether s is a ref every provider accepts.
func ValidRefID(s string) bool { return refPattern.MatchString(s) }
