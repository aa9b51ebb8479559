package flows_test

// Regression tests from a review of the money path: the order engine.

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/storage"
)

// answerThenCancel is a provider whose answer arrives just as the caller's
// context ends: the bot's shutdown (dispatcher.stop cancels the workers'
// context after ShutdownGrace) or the update's deadline (UpdateDeadline =
// provider timeout + 1 min, shared by Handle, ThenWait and the first send).
type answerThenCancel struct {
	cancel context.CancelFunc
}

func (p *answerThenCancel) Account() flows.Account {
	return flows.Account{Provider: "fake", ID: "acct", KeyHash: "k"}
}

func (p *answerThenCancel) Place(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	p.cancel()
	return flows.Result{Status: flows.StatusSuccess, SN: "SN-123", Acknowledged: true, ProviderTxID: "T1", RC: "00"}, nil
}

func (p *answerThenCancel) Check(ctx context.Context, req flows.OrderRequest) (flows.Result, error) {
	return flows.Result{Status: flows.StatusPending}, nil
}

// TestDefinitiveAnswerIsRecordedWhenTheCallerGivesUp: the provider has
// answered — here a success with its SN; it could as well be a definitive
// refusal — but record writes it with the caller's context, which has just
// ended, so storage refuses the write and the answer is dropped. The order
// stays "placing" and is re-sent by the poller later (for Mesin R1 a refusal
// that created nothing then becomes a placement long after the buyer was
// told "processing").
func TestDefinitiveAnswerIsRecordedWhenTheCallerGivesUp(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB))
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	prov := &answerThenCancel{cancel: cancel}
	engine := flows.NewEngine(db, prov, flows.EngineConfig{ProviderTimeout: time.Second, Now: clk.Now})
	o, created, err := engine.Create(bg, flows.PlaceRequest{ChatID: buyer, UserID: buyer, Token: "rev-eng-1",
		Product: telkomsel10k(), CustomerNumber: "081234567890", Price: 11500, MessageID: 7})
	if err != nil || !created {
		t.Fatal(created, err)
	}
	_, sendErr := engine.Send(ctx, o.RefID)
	got, _ := db.Order(bg, o.RefID)
	if got.Status != flows.StatusSuccess {
		t.Errorf("provider answered success (SN-123) but the order is %q (send error: %v): the answer was dropped", got.Status, sendErr)
	}
}
