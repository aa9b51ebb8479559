package digiflazz_test

import (
	"testing"

	"topupbot/provider/digiflazz"
)

// An order records the account it was placed with, and checks go only to
// that account (DESIGN rule 4). Testing (testing:true) is part of every
// re-send but not of the account: an order placed as a test and still
// pending when the operator turns testing off is re-sent with testing
// omitted under the same key — a request other than the first send (rc 49
// at best, a real purchase of a test order at worst) instead of staying
// pending with an account-missing alert.
func TestReviewAccountIncludesTesting(t *testing.T) {
	mk := func(testing bool) *digiflazz.Client {
		c, err := digiflazz.New(digiflazz.Config{BaseURL: "https://example.invalid/v1", Username: "demouser",
			APIKey: "dev-0123456789abcdef", Testing: testing})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if a, b := mk(true).Account(), mk(false).Account(); a == b {
		t.Errorf("the same account %v with testing on and off: test orders would be re-sent as real ones", a)
	}
}
