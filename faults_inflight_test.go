package main

import (
	"strings"
	"testing"
	"time"
)

// TestFaultInFlightUpdateReplayed: an update still being handled when the
// bot dies is not lost. The poll loop confirms updates to Telegram without
// waiting for its workers, so Telegram no longer holds it; the inbox does,
// and the restarted bot handles it. Here a buyer's meter number is being
// handled (its inquiry-pln on the wire) when the bot is killed; after the
// restart the buyer gets the confirm screen. (Found by the fault suite: it
// used to be lost.)
func TestFaultInFlightUpdateReplayed(t *testing.T) {
	t.Parallel()
	rnd := seeded(t)
	faults := newProviderFaults(rnd.Child())
	const chat = 9201
	w := newWorld(t, worldOptions{buyers: []int64{chat}, faults: faults})
	runs := newBotRuns(w)
	runs.start()
	step := func(marker, label string) {
		t.Helper()
		var msg int
		var data string
		if !w.fake.WaitFor(func() bool {
			msgs := w.fake.Messages(chat)
			if len(msgs) == 0 || !strings.Contains(msgs[len(msgs)-1].Text, marker) {
				return false
			}
			last := msgs[len(msgs)-1]
			for _, row := range last.Buttons {
				for _, b := range row {
					if strings.HasPrefix(b.Text, label) {
						msg, data = last.ID, b.Data
						return true
					}
				}
			}
			return false
		}, 20*time.Second) {
			t.Fatalf("no %q under %q; chat:\n%s", label, marker, describe(w.fake, chat))
		}
		w.fake.Tap(chat, chat, msg, data)
	}
	w.fake.SendText(chat, chat, "/start")
	step(markHome, "Token PLN")
	step(markProducts, "PLN 20.000")
	if !w.fake.WaitFor(func() bool {
		msgs := w.fake.Messages(chat)
		return len(msgs) > 0 && strings.Contains(msgs[len(msgs)-1].Text, markNumber)
	}, 20*time.Second) {
		t.Fatalf("no number prompt; chat:\n%s", describe(w.fake, chat))
	}

	arrived, release := faults.hold("inquiry-pln", false)
	defer release()
	update := w.fake.SendText(chat, chat, "12345678901")
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the meter number was never handled")
	}
	// The bot has polled again meanwhile: Telegram holds the update no more.
	if !w.fake.WaitFor(func() bool { return w.fake.Confirmed(update) }, 10*time.Second) {
		t.Fatal("the bot never polled past the update")
	}
	runs.kill()
	release()
	runs.start()
	if !w.fake.WaitFor(func() bool {
		msgs := w.fake.Messages(chat)
		return len(msgs) > 0 && strings.Contains(msgs[len(msgs)-1].Text, markConfirm)
	}, 20*time.Second) {
		t.Errorf("the meter number, in flight when the bot was killed, was never handled after the restart; chat:\n%s", describe(w.fake, chat))
	}
	runs.stop()
}
