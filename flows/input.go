package flows

import "context"

// InputKind tells what a person did.
type InputKind string

// Input kinds.
const (
	// InputCommand is a "/command args" message.
	InputCommand InputKind = "command"
	// InputText is any other text message.
	InputText InputKind = "text"
	// InputButton is a tap on an inline button.
	InputButton InputKind = "button"
)

// Input is one thing a person did in a chat, as the bot decoded it from a
// Telegram update (or the demo from a terminal line).
type Input struct {
	// UpdateID is Telegram's update id. Within a chat it only grows; an
	// input not newer than the last one applied is a re-delivery and is
	// ignored.
	UpdateID int
	ChatID   int64
	UserID   int64
	// Private is true in a one-to-one chat with the bot.
	Private bool
	// FirstName and LanguageCode come from the sender's Telegram profile.
	FirstName    string
	LanguageCode string

	Kind InputKind
	// Command is the command without its slash or @botname, lower case;
	// Args is the rest of the line.
	Command string
	Args    string
	// Text is the message text for InputText.
	Text string
	// Button is the tapped button for InputButton; MessageID the message
	// it sits on (edited in place by the reply).
	Button    ButtonData
	MessageID int
}

// ButtonData is what a button carries back when tapped. The bot encodes it
// into Telegram's callback_data, at most 64 bytes: Menu and Action are short
// and Arg is kept under MaxButtonArg bytes.
type ButtonData struct {
	// Menu is the id of the menu the button belongs to: a tap on an older
	// menu is recognised as stale and never acts on a newer one.
	Menu   string
	Action string
	Arg    string
}

// MaxButtonArg bounds ButtonData.Arg so that every button fits Telegram's
// 64-byte callback_data with its menu id and action.
const MaxButtonArg = 40

// Button is one inline button.
type Button struct {
	Label string
	Data  ButtonData
}

// Reply is one message the bot sends, or an edit of the message a tapped
// button sits on.
type Reply struct {
	// Edit replaces the text and buttons of Input.MessageID instead of
	// sending a new message.
	Edit bool
	// Text is HTML (Telegram parse mode HTML) with everything that came from
	// a person or a provider escaped.
	Text    string
	Buttons [][]Button
	// QR, when set, is a payload (a QRIS string) the transport shows as a
	// QR code image with Text as its caption; Sent, when set, is told the
	// id of the image's message once Telegram accepted it (from the
	// transport's goroutine), so that its caption can be edited later.
	QR   string
	Sent func(messageID int)
	// AwaitsText says the bot now waits for typed input (a customer
	// number, a count of months): the demo's terminal reads a bare number as
	// that input rather than as a button.
	AwaitsText bool
}

// Output is what the bot does in answer to an Input.
type Output struct {
	Replies []Reply
	// Then, when set, runs after Replies were delivered — the "processing"
	// message is on the buyer's screen — and places the order. Its replies,
	// if any, are sent after it returns.
	Then func(ctx context.Context) []Reply
}

// Handler answers inputs. The bot calls it from one worker per chat, in
// update order; it must be safe for concurrent use across chats.
type Handler interface {
	Handle(ctx context.Context, in Input) (Output, error)
}
