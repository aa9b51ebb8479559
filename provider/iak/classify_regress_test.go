package iak_test

// Regression tests from a review of the money path: IAK prepaid classification on checks.

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/provider/iak"
)

// TestCheckFailureRCWithoutStatusDoesNotFail: DESIGN rule 5 — "IAK, on
// a check (same-ref re-send or check-status): only a transaction's own
// failed state (status 2 with a failure rc such as 07) fails it". An answer
// carrying a failure rc and no status is a request-level refusal (the shape
// providers.md §1.2 says the validation failures come in: {rc, message}),
// not a transaction's state: the first send may be processing and debited
// while a re-send trips over a validation (the deposit is now low, the
// product was just deactivated) before IAK notices the duplicate ref.
func TestCheckFailureRCWithoutStatusDoesNotFail(t *testing.T) {
	for _, body := range []string{
		`{"data":{"rc":"17","message":"INSUFFICIENT DEPOSIT"}}`,
		`{"data":{"rc":"20","message":"CODE NOT FOUND"}}`,
		`{"data":{"rc":"106","message":"PRODUCT IS TEMPORARILY OUT OF SERVICE","tr_id":0}}`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, body)
		}))
		c, err := iak.New(iak.Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: "0812", APIKey: "k",
			HTTPClient: &http.Client{Timeout: 2 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		// An order whose first send timed out: unacknowledged, so the check
		// re-sends the identical top-up under the same ref_id.
		res, err := c.Check(context.Background(), flows.OrderRequest{RefID: "R1", ProductCode: "htelkomsel10000",
			CustomerNumber: "081234567890"})
		srv.Close()
		if err == nil && res.Status == flows.StatusFailed {
			t.Errorf("re-send answered %s: the order is FAILED (reason %s) without a status 2", body, res.Reason)
		}
		if flows.KindOf(err) == flows.KindRejected {
			t.Errorf("re-send answered %s: rejected", body)
		}
	}
}
