// Package telegramtest is a fake Telegram Bot API for tests: an httptest
// server speaking the wire format tgbotapi uses (form-encoded parameters,
// {"ok":…,"result":…} answers), with helpers to play the users — send a
// text, tap a button — and to inject Telegram's failures: flood waits,
// 5xx, reset connections, blocked users, migrated groups, rate limits.
//
// It is not Telegram: it keeps only what bots in this repository call
// (getMe, getUpdates, sendMessage, sendPhoto, editMessageText, answerCallbackQuery,
// deleteWebhook, setMyCommands, deleteMyCommands) and checks what Telegram
// would refuse of them (bad HTML, texts over 4096 characters, callback data
// over 64 bytes, an edit that changes nothing, a command name or
// description out of bounds).
package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/bot/internal/tglimit"
)

// BotID and BotUsername are the fake bot's identity, as getMe returns it.
const (
	BotID       = 7000001
	BotUsername = "topupbot_test_bot"
)

// Server is a fake Bot API. Its methods are safe for concurrent use.
type Server struct {
	t     testing.TB
	srv   *httptest.Server
	token string

	mu sync.Mutex
	// changed is closed and replaced on every change: long polls and
	// WaitFor wake on it.
	changed    chan struct{}
	closed     bool
	updates    []tgbotapi.Update // not confirmed yet
	confirmed  int               // every update below this id is confirmed
	nextUpdate int
	pollGen    int
	chats      map[int64]*chat
	queries    map[string]*query
	byUpdate   map[int]*query // callback queries by the update that carried them
	nextQuery  int
	calls      []Call
	faults     map[string][]fault
	blocked    map[int64]bool
	migrated   map[int64]int64
	limits     *limits
	tooMany    int
	observer   func(Message)
	menus      map[MenuKey][]tgbotapi.BotCommand // setMyCommands' menus
}

type chat struct {
	id       int64
	nextID   int
	messages map[int]*Message
}

type query struct {
	id       string
	updateID int
	chatID   int64
	userID   int64
	msgID    int
	data     string
	answered bool
}

// Message is a message in a chat as the fake last saw it.
type Message struct {
	ID     int
	ChatID int64
	// Text is the text as sent (HTML when ParseMode is "HTML").
	Text      string
	ParseMode string
	Buttons   [][]Button
	// Versions holds every text the message had, the first one sent and
	// each edit after it.
	Versions []string
	// Photo is a photo message's image (its caption is Text).
	Photo   []byte
	fromBot bool
}

// Button is an inline button of a message.
type Button struct {
	Text string
	Data string
}

// Call is one request the fake received.
type Call struct {
	Method string
	Params url.Values
	// Status is the HTTP status answered; 0 while the call is pending
	// ("pending"), when the connection was dropped ("connection dropped")
	// or the client went away ("client went away"), as Description says.
	Status      int
	Description string
	// At is when the call arrived.
	At time.Time
}

// NewServer starts a fake Bot API for token; it stops when the test ends.
// A request with any other token is answered 401.
func NewServer(t testing.TB, token string) *Server {
	s := &Server{
		t:          t,
		token:      token,
		changed:    make(chan struct{}),
		nextUpdate: 1,
		chats:      map[int64]*chat{},
		queries:    map[string]*query{},
		byUpdate:   map[int]*query{},
		faults:     map[string][]fault{},
		blocked:    map[int64]bool{},
		migrated:   map[int64]int64{},
		menus:      map[MenuKey][]tgbotapi.BotCommand{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.close)
	return s
}

func (s *Server) close() {
	s.mu.Lock()
	s.closed = true
	s.notify()
	s.mu.Unlock()
	s.srv.Close()
}

// Endpoint is the tgbotapi endpoint format of the fake, "…/bot%s/%s".
func (s *Server) Endpoint() string { return s.srv.URL + "/bot%s/%s" }

// URL is the fake's base URL.
func (s *Server) URL() string { return s.srv.URL }

// notify wakes everything waiting for a change. s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// WaitFor waits until cond holds, re-checking it on every change of the
// fake (and every few milliseconds, for conditions on other state), and
// reports whether it did before timeout.
func (s *Server) WaitFor(cond func() bool, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if cond() {
			return true
		}
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-tick.C:
		case <-deadline.C:
			return cond()
		}
	}
}

// SendText makes user userID send text in chatID and returns the update id.
// A text starting with "/" carries a bot_command entity, as Telegram's.
func (s *Server) SendText(chatID, userID int64, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.userMessage(chatID, userID)
	m.Text = text
	if strings.HasPrefix(text, "/") {
		n := strings.IndexAny(text, " \n\t")
		if n < 0 {
			n = len(text)
		}
		m.Entities = []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: tglimit.Len(text[:n])}}
	}
	c := s.chat(chatID)
	c.messages[m.MessageID] = &Message{ID: m.MessageID, ChatID: chatID, Text: text, Versions: []string{text}}
	return s.push(tgbotapi.Update{Message: m})
}

// SendUpdate queues any update — a photo, a service message — and returns
// its update id, which the fake assigns.
func (s *Server) SendUpdate(u tgbotapi.Update) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.push(u)
}

// Tap makes user userID tap the button with callback data data under
// message messageID of chatID, and returns the update id.
func (s *Server) Tap(chatID, userID int64, messageID int, data string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextQuery++
	q := &query{id: fmt.Sprintf("q%d", s.nextQuery), chatID: chatID, userID: userID, msgID: messageID, data: data}
	return s.pushQuery(q)
}

// Resend re-delivers the callback query of update updateID as a new update
// with a new query id — what a Telegram client does with a query left
// unanswered — and returns the new update id.
func (s *Server) Resend(updateID int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.byUpdate[updateID]
	if old == nil {
		s.t.Errorf("telegramtest: Resend(%d): no callback query in that update", updateID)
		return 0
	}
	s.nextQuery++
	q := *old
	q.id, q.answered = fmt.Sprintf("q%d", s.nextQuery), false
	return s.pushQuery(&q)
}

func (s *Server) pushQuery(q *query) int {
	msg := &tgbotapi.Message{MessageID: q.msgID, Chat: chatOf(q.chatID), Date: int(time.Now().Unix())}
	if m := s.chat(q.chatID).messages[q.msgID]; m != nil {
		msg.Text = m.Text
		msg.ReplyMarkup = markupOf(m.Buttons)
		if m.fromBot {
			msg.From = botUser()
		}
	}
	cq := &tgbotapi.CallbackQuery{
		ID:           q.id,
		From:         userOf(q.userID),
		Message:      msg,
		ChatInstance: fmt.Sprint(q.chatID),
		Data:         q.data,
	}
	id := s.push(tgbotapi.Update{CallbackQuery: cq})
	q.updateID = id
	s.queries[q.id] = q
	s.byUpdate[id] = q
	return id
}

// userMessage starts a message from userID in chatID. s.mu must be held.
func (s *Server) userMessage(chatID, userID int64) *tgbotapi.Message {
	c := s.chat(chatID)
	c.nextID++
	return &tgbotapi.Message{
		MessageID: c.nextID,
		From:      userOf(userID),
		Chat:      chatOf(chatID),
		Date:      int(time.Now().Unix()),
	}
}

// push queues u with the next update id. s.mu must be held.
func (s *Server) push(u tgbotapi.Update) int {
	u.UpdateID = s.nextUpdate
	s.nextUpdate++
	s.updates = append(s.updates, u)
	s.notify()
	return u.UpdateID
}

// SetNextUpdateID makes the next update carry id — Telegram restarts update
// ids at random after a week without updates.
func (s *Server) SetNextUpdateID(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextUpdate = id
}

// Confirmed reports whether update id was confirmed by a getUpdates with a
// higher offset: Telegram will not deliver it again.
func (s *Server) Confirmed(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return id < s.confirmed
}

// Answered reports whether the callback query of update updateID was
// answered.
func (s *Server) Answered(updateID int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.byUpdate[updateID]
	return q != nil && q.answered
}

// Messages returns the bot's messages in chatID, in order, each in its
// final state with the versions it went through.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []Message
	for _, m := range c.messages {
		if m.fromBot {
			cp := *m
			cp.Versions = slices.Clone(m.Versions)
			cp.Buttons = cloneButtons(m.Buttons)
			out = append(out, cp)
		}
	}
	slices.SortFunc(out, func(a, b Message) int { return a.ID - b.ID })
	return out
}

// Calls returns the requests received for method, all of them for "".
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// OnBotMessage makes f see every message the bot sends and every edit it
// makes, in the state the fake accepted it, as it happens: a driver playing
// many users reacts to the bot without polling Messages. f runs under the
// fake's lock: it must be quick and must not call the Server (hand the
// message to another goroutine).
func (s *Server) OnBotMessage(f func(Message)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.observer = f
}

// observe shows m to the OnBotMessage function, if any. s.mu must be held.
func (s *Server) observe(m *Message) {
	if s.observer != nil {
		cp := *m
		cp.Versions = slices.Clone(m.Versions)
		cp.Buttons = cloneButtons(m.Buttons)
		s.observer(cp)
	}
}

// TooMany is how many requests were answered 429 because of Limits.
func (s *Server) TooMany() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tooMany
}

// chat returns chatID's state, creating it. s.mu must be held.
func (s *Server) chat(chatID int64) *chat {
	c := s.chats[chatID]
	if c == nil {
		c = &chat{id: chatID, messages: map[int]*Message{}}
		s.chats[chatID] = c
	}
	return c
}

func chatOf(id int64) *tgbotapi.Chat {
	switch {
	case id > 0:
		return &tgbotapi.Chat{ID: id, Type: "private", FirstName: fmt.Sprintf("User%d", id)}
	case id <= -1000000000000:
		return &tgbotapi.Chat{ID: id, Type: "supergroup", Title: fmt.Sprintf("Group%d", -id)}
	}
	return &tgbotapi.Chat{ID: id, Type: "group", Title: fmt.Sprintf("Group%d", -id)}
}

func userOf(id int64) *tgbotapi.User {
	return &tgbotapi.User{ID: id, FirstName: fmt.Sprintf("User%d", id), LanguageCode: "id"}
}

func botUser() *tgbotapi.User {
	return &tgbotapi.User{ID: BotID, IsBot: true, FirstName: "Topup Test", UserName: BotUsername}
}

func markupOf(rows [][]Button) *tgbotapi.InlineKeyboardMarkup {
	if len(rows) == 0 {
		return nil
	}
	kb := &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}}
	for _, row := range rows {
		var r []tgbotapi.InlineKeyboardButton
		for _, b := range row {
			r = append(r, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, r)
	}
	return kb
}

func cloneButtons(rows [][]Button) [][]Button {
	if rows == nil {
		return nil
	}
	out := make([][]Button, len(rows))
	for i, r := range rows {
		out[i] = slices.Clone(r)
	}
	return out
}

// reply writes a Bot API answer.
func reply(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
