package bot

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/flows"
	"topupbot/internal/testbuf"
)

// demoHandler is a small conversation: a menu, a button asking for a
// number, a Then, a cancel.
type demoHandler struct {
	mu     sync.Mutex
	inputs []flows.Input
}

func (h *demoHandler) Handle(ctx context.Context, in flows.Input) (flows.Output, error) {
	h.mu.Lock()
	h.inputs = append(h.inputs, in)
	h.mu.Unlock()
	btn := func(label, menu, action string) flows.Button {
		return flows.Button{Label: label, Data: flows.ButtonData{Menu: menu, Action: action}}
	}
	switch {
	case in.Kind == flows.InputCommand && in.Command == "start":
		return flows.Output{Replies: []flows.Reply{{
			Text:    "Welcome <b>Demo</b> &amp; co",
			Buttons: [][]flows.Button{{btn("Pulsa", "m1", "pulsa"), btn("Data", "m1", "data")}, {btn("Help", "m1", "help")}},
		}}}, nil
	case in.Kind == flows.InputButton && in.Button.Action == "pulsa":
		return flows.Output{Replies: []flows.Reply{{
			Edit: true, Text: "Enter the number:", AwaitsText: true,
			Buttons: [][]flows.Button{{btn("Cancel", "m2", "cancel")}},
		}}}, nil
	case in.Kind == flows.InputButton && in.Button.Action == "cancel":
		return flows.Output{Replies: []flows.Reply{{Edit: true, Text: "Cancelled."}}}, nil
	case in.Kind == flows.InputButton:
		return flows.Output{Replies: []flows.Reply{{Text: "You chose " + in.Button.Action}}}, nil
	case in.Kind == flows.InputText && strings.HasPrefix(in.Text, "08"):
		return flows.Output{
			Replies: []flows.Reply{{Text: "Number <code>" + in.Text + "</code>: processing…"}},
			Then: func(ctx context.Context) []flows.Reply {
				return []flows.Reply{{Text: "Done &lt;ok&gt;"}}
			},
		}, nil
	}
	return flows.Output{Replies: []flows.Reply{{Text: "Text: " + in.Text}}}, nil
}

func TestTerminalSession(t *testing.T) {
	script := strings.Join([]string{
		"/start",
		"2",  // a bare number presses a button
		"#1", // Pulsa: the menu becomes a prompt awaiting text
		"9",  // awaiting text: a bare number is text
		"#7", // no such button
		"#1", // Cancel, on the latest menu
		"0812345",
		"#1", // the latest menu was edited away
		"hello",
	}, "\n")
	var out strings.Builder
	h := &demoHandler{}
	term := NewTerminal(strings.NewReader(script), &out, h, 42, 7)
	term.Echo = true
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := term.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := `> /start
Welcome Demo & co
[1] Pulsa
[2] Data
[3] Help

> 2
You chose data

> #1
(edited)
Enter the number:
[1] Cancel

> 9
Text: 9

> #7
(no button 7: the latest menu has buttons 1 to 1)

> #1
(edited)
Cancelled.

> 0812345
Number 0812345: processing…

Done <ok>

> #1
(there is no menu with buttons)

> hello
Text: hello

`
	if got := out.String(); got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.inputs) != 7 {
		t.Fatalf("%d inputs, want 7", len(h.inputs))
	}
	pulsa := h.inputs[2]
	if pulsa.Kind != flows.InputButton || pulsa.MessageID != 1 || pulsa.Button != (flows.ButtonData{Menu: "m1", Action: "pulsa"}) || pulsa.ChatID != 42 || pulsa.UserID != 7 || !pulsa.Private {
		t.Errorf("input of #1 = %+v", pulsa)
	}
	for i, in := range h.inputs {
		if in.UpdateID != i+1 {
			t.Errorf("input %d has update id %d", i, in.UpdateID)
		}
	}
}

func TestTerminalDeliverConcurrent(t *testing.T) {
	pr, pw := io.Pipe()
	var out testbuf.Buffer
	term := NewTerminal(pr, &out, &demoHandler{}, 42, 7)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- term.Run(ctx) }()

	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = term.Deliver(ctx, flows.Notification{Kind: flows.NotifySend, ChatID: 42, Text: "SN <code>1</code>"})
		}()
	}
	for range 5 {
		if _, err := io.WriteString(pw, "/start\n"); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if err := term.Deliver(ctx, flows.Notification{Kind: flows.NotifyEdit, ChatID: -5, MessageID: 3, Text: "ops"}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	pw.Close()
	got := out.String()
	if strings.Count(got, "(new message)\nSN 1\n") != 10 || !strings.Contains(got, "(message 3 edited to chat -5)\nops\n") {
		t.Errorf("output:\n%s", got)
	}
}

// TestTerminalOpsChat: what is delivered to the ops group prints in the
// terminal too, every line marked [ops]; the chat's own messages do not.
func TestTerminalOpsChat(t *testing.T) {
	var out strings.Builder
	term := NewTerminal(strings.NewReader(""), &out, &demoHandler{}, 42, 7)
	term.OpsChatID = -100
	ctx := context.Background()
	for _, n := range []flows.Notification{
		{Kind: flows.NotifySend, ChatID: -100, ToOps: true, Text: "⚠️ <b>Alert</b>\nrc 102\n"},
		{Kind: flows.NotifySend, ChatID: 42, Text: "SN <code>1</code>"},
		{Kind: flows.NotifyEdit, ChatID: -100, MessageID: 9, Text: "✅ line &amp; more"},
		{Kind: flows.NotifySend, ChatID: -5, Text: "elsewhere"},
	} {
		if err := term.Deliver(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	want := `[ops] ⚠️ Alert
[ops] rc 102

(new message)
SN 1

[ops] (message 9 edited)
[ops] ✅ line & more

(new message to chat -5)
elsewhere

`
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// TestTerminalReceiptButtons: a delivered message's buttons print numbered
// and become the latest menu, so "#1" presses a receipt's Beli lagi; a
// line "..." waits for Pause instead of reaching the handler.
func TestTerminalReceiptButtons(t *testing.T) {
	var out strings.Builder
	h := &demoHandler{}
	paused := 0
	pr, pw := io.Pipe()
	term := NewTerminal(pr, &out, h, 42, 7)
	term.Pause = func(ctx context.Context) {
		paused++
		err := term.Deliver(ctx, flows.Notification{Kind: flows.NotifySend, ChatID: 42, Text: "✅ done",
			Buttons: [][]flows.Button{{{Label: "🔁 Beli lagi", Data: flows.ButtonData{Action: "ag", Arg: "REF1"}}}}})
		if err != nil {
			t.Error(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- term.Run(context.Background()) }()
	if _, err := io.WriteString(pw, "...\n#1\n"); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if paused != 1 {
		t.Errorf("Pause ran %d times", paused)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.inputs) != 1 || h.inputs[0].Button.Action != "ag" || h.inputs[0].Button.Arg != "REF1" {
		t.Errorf("inputs %+v: want the receipt's button alone", h.inputs)
	}
	if !strings.Contains(out.String(), "[1] 🔁 Beli lagi") {
		t.Errorf("output %q lacks the numbered button", out.String())
	}
}
