package bot

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"topupbot/flows"
)

// Terminal is the transport of `topupbot demo`: one chat in a terminal. It
// reads lines, hands them to the handler as inputs and prints the replies
// as plain text with their buttons numbered.
//
//	/cmd args   a command
//	#N          presses button N of the latest menu
//	N           presses it too, unless the latest reply awaits typed text
//	...         waits for what is under way (Pause: the demo's orders)
//	anything    text
type Terminal struct {
	in     io.Reader
	h      flows.Handler
	chatID int64
	userID int64
	// Echo prints each input line before its replies, for transcripts of a
	// piped script.
	Echo bool
	// OpsChatID, when not 0, is the ops group: what is delivered to it
	// prints in this terminal too, each line marked "[ops] ", so that the
	// demo shows what admins would get.
	OpsChatID int64
	// Pause, when set, is what a line "..." waits for: in the demo, the
	// orders placed to settle and their messages to print, so that a
	// piped script can go on with a receipt's buttons.
	Pause func(ctx context.Context)

	mu         sync.Mutex // output and the state below
	out        io.Writer
	updateID   int
	messageID  int
	menu       []flows.Button
	menuMsg    int
	awaitsText bool
}

var _ flows.Notifier = (*Terminal)(nil)

// NewTerminal returns a terminal chat chatID of user userID.
func NewTerminal(in io.Reader, out io.Writer, h flows.Handler, chatID, userID int64) *Terminal {
	return &Terminal{in: in, out: out, h: h, chatID: chatID, userID: userID}
}

// Run reads lines until EOF or until ctx ends, handling each after the
// previous one's output was printed. A line being read when ctx ends is
// abandoned: the reading goroutine exits when that read returns.
func (t *Terminal) Run(ctx context.Context) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(t.in)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				select {
				case err := <-readErr:
					if err != nil {
						return fmt.Errorf("terminal: reading input: %w", err)
					}
				default:
				}
				return nil
			}
			t.line(ctx, line)
		}
	}
}

// line handles one input line.
func (t *Terminal) line(ctx context.Context, line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	t.mu.Lock()
	if t.Echo {
		fmt.Fprintf(t.out, "> %s\n", line)
	}
	if line == "..." && t.Pause != nil {
		t.mu.Unlock()
		t.Pause(ctx)
		return
	}
	in := flows.Input{
		ChatID:    t.chatID,
		UserID:    t.userID,
		Private:   t.chatID > 0,
		FirstName: "Demo",
		Kind:      flows.InputText,
		Text:      line,
	}
	ok := t.decode(&in, line)
	if ok {
		t.updateID++
		in.UpdateID = t.updateID
	}
	t.mu.Unlock()
	if !ok {
		return
	}

	out, err := t.h.Handle(ctx, in)
	t.print(in, out.Replies, err)
	if out.Then != nil {
		t.print(in, out.Then(ctx), nil)
	}
}

// decode fills in from line; false when the line was a press of a button
// that does not exist (a hint is printed). t.mu must be held.
func (t *Terminal) decode(in *flows.Input, line string) bool {
	if cmd, args, _, ok := parseCommand(line); ok {
		in.Kind, in.Command, in.Args, in.Text = flows.InputCommand, cmd, args, ""
		return true
	}
	num, hash := line, strings.HasPrefix(line, "#")
	if hash {
		num = line[1:]
	}
	n, err := strconv.Atoi(num)
	if err != nil || num != strconv.Itoa(n) || (!hash && t.awaitsText) {
		return true // text
	}
	if n < 1 || n > len(t.menu) {
		if len(t.menu) == 0 {
			fmt.Fprintf(t.out, "(there is no menu with buttons)\n\n")
		} else {
			fmt.Fprintf(t.out, "(no button %d: the latest menu has buttons 1 to %d)\n\n", n, len(t.menu))
		}
		return false
	}
	in.Kind, in.Text = flows.InputButton, ""
	// The round trip through callback data is what Telegram would do: a
	// button too big for it fails here as it would there.
	data, err := EncodeButton(t.menu[n-1].Data)
	if err != nil {
		fmt.Fprintf(t.out, "(button %d cannot be sent to Telegram: %v)\n", n, err)
	}
	in.Button = DecodeButton(data)
	in.MessageID = t.menuMsg
	return true
}

// print prints replies to in, numbering their buttons.
func (t *Terminal) print(in flows.Input, replies []flows.Reply, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		fmt.Fprintf(t.out, "(error: %v)\n", err)
	}
	for _, r := range replies {
		id := in.MessageID
		if r.Edit && id != 0 {
			fmt.Fprintln(t.out, "(edited)")
		} else {
			t.messageID++
			id = t.messageID
		}
		if r.QR != "" {
			fmt.Fprint(t.out, qrArt(r.QR))
		}
		fmt.Fprintln(t.out, plainText(r.Text))
		var menu []flows.Button
		for _, row := range r.Buttons {
			for _, b := range row {
				menu = append(menu, b)
				fmt.Fprintf(t.out, "[%d] %s\n", len(menu), b.Label)
			}
		}
		fmt.Fprintln(t.out)
		switch {
		case len(menu) > 0:
			t.menu, t.menuMsg = menu, id
		case id == t.menuMsg:
			t.menu = nil // the menu was edited into a message without buttons
		}
		t.awaitsText = r.AwaitsText
	}
}

// opsMark starts every line printed for the ops group.
const opsMark = "[ops] "

// Fits reports whether text goes out as one Telegram message. The terminal
// stands in for Telegram, so the outbox batches for it as it would for the
// ops group.
func (t *Terminal) Fits(text string) bool { return Fits(text) }

// Deliver prints an outbox notification. It is safe to call while Run
// runs.
func (t *Terminal) Deliver(ctx context.Context, n flows.Notification) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.OpsChatID != 0 && n.ChatID == t.OpsChatID {
		if n.Kind == flows.NotifyEdit {
			fmt.Fprintf(t.out, "%s(message %d edited)\n", opsMark, n.MessageID)
		}
		for line := range strings.Lines(plainText(n.Text)) {
			fmt.Fprint(t.out, opsMark+line)
			if !strings.HasSuffix(line, "\n") {
				fmt.Fprintln(t.out)
			}
		}
		fmt.Fprintln(t.out)
		return nil
	}
	to := ""
	if n.ChatID != t.chatID {
		to = fmt.Sprintf(" to chat %d", n.ChatID)
	}
	if n.Kind == flows.NotifyEdit {
		fmt.Fprintf(t.out, "(message %d edited%s)\n", n.MessageID, to)
		if to == "" && n.MessageID == t.menuMsg {
			t.menu = nil
		}
	} else {
		if to == "" {
			t.messageID++
		}
		fmt.Fprintf(t.out, "(new message%s)\n", to)
		if n.QR != "" {
			fmt.Fprint(t.out, qrArt(n.QR))
		}
	}
	fmt.Fprintf(t.out, "%s\n", plainText(n.Text))
	var menu []flows.Button
	for _, row := range n.Buttons {
		for _, b := range row {
			menu = append(menu, b)
			fmt.Fprintf(t.out, "[%d] %s\n", len(menu), b.Label)
		}
	}
	fmt.Fprintln(t.out)
	if to == "" && n.Kind == flows.NotifySend && len(menu) > 0 {
		// Buttons under a new message (a receipt's Beli lagi) are the
		// latest menu, as on Telegram.
		t.menu, t.menuMsg, t.awaitsText = menu, t.messageID, false
	}
	return nil
}
