package telegramtest

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/bot/internal/tglimit"
)

// apiError is a Bot API refusal.
type apiError struct {
	status int
	desc   string
	params ErrorParams
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		reply(w, http.StatusNotFound, errBody(apiError{status: 404, desc: "Not Found"}))
		return
	}
	var photo []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		// An upload (sendPhoto): its fields are the params, its file the
		// photo.
		if err := r.ParseMultipartForm(maxUpload); err != nil {
			reply(w, http.StatusBadRequest, errBody(apiError{status: 400, desc: "Bad Request: " + err.Error()}))
			return
		}
		var err error
		if photo, err = uploaded(r, "photo"); err != nil {
			reply(w, http.StatusBadRequest, errBody(apiError{status: 400, desc: "Bad Request: " + err.Error()}))
			return
		}
	} else if err := r.ParseForm(); err != nil {
		reply(w, http.StatusBadRequest, errBody(apiError{status: 400, desc: "Bad Request: " + err.Error()}))
		return
	}
	params := r.PostForm
	if r.MultipartForm != nil {
		params = r.MultipartForm.Value
	}
	if len(params) == 0 {
		params = r.Form
	}

	s.mu.Lock()
	// The call is logged when it arrives, a long poll included, and its
	// answer filled in when given.
	call := len(s.calls)
	s.calls = append(s.calls, Call{Method: method, Params: params, At: time.Now(), Description: "pending"})
	s.notify()
	if token != s.token {
		s.record(call, apiError{status: 401, desc: "Unauthorized"})
		s.mu.Unlock()
		reply(w, http.StatusUnauthorized, errBody(apiError{status: 401, desc: "Unauthorized"}))
		return
	}
	if f := s.faults[method]; len(f) > 0 {
		next := f[0]
		if f[0].n--; f[0].n <= 0 {
			s.faults[method] = f[1:]
		}
		if next.drop {
			s.record(call, apiError{desc: "connection dropped"})
			s.mu.Unlock()
			drop(w)
			return
		}
		s.record(call, next.err)
		s.mu.Unlock()
		reply(w, next.err.status, errBody(next.err))
		return
	}
	// A poll supersedes the waiting one as it is logged, so a test that saw
	// the call in Calls knows a later poll is the newer one.
	gen := 0
	if method == "getUpdates" {
		s.pollGen++
		gen = s.pollGen
		s.notify() // a poll waiting is now superseded
	}
	s.mu.Unlock()

	var result any
	var aerr *apiError
	switch method {
	case "getMe":
		result = botUser()
	case "deleteWebhook":
		result = true
	case "getUpdates":
		result, aerr = s.getUpdates(r, params, gen)
		if result == nil && aerr == nil {
			aerr = &apiError{desc: "client went away"}
		}
	case "sendMessage":
		result, aerr = s.sendMessage(params)
	case "sendPhoto":
		result, aerr = s.sendPhoto(params, photo)
	case "editMessageText":
		result, aerr = s.editMessageText(params, false)
	case "editMessageCaption":
		result, aerr = s.editMessageText(params, true)
	case "answerCallbackQuery":
		result, aerr = s.answerCallbackQuery(params)
	case "setMyCommands":
		result, aerr = s.setMyCommands(params)
	case "deleteMyCommands":
		result, aerr = s.deleteMyCommands(params)
	default:
		aerr = &apiError{status: 404, desc: "Not Found: method not found"}
	}

	s.mu.Lock()
	if aerr != nil {
		s.record(call, *aerr)
	} else {
		s.record(call, apiError{status: http.StatusOK})
	}
	s.mu.Unlock()
	if aerr != nil && aerr.status == 0 {
		return
	}
	if aerr != nil {
		reply(w, aerr.status, errBody(*aerr))
		return
	}
	reply(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

// record fills in the answer to call i. s.mu must be held.
func (s *Server) record(i int, e apiError) {
	s.calls[i].Status, s.calls[i].Description = e.status, e.desc
	s.notify()
}

func errBody(e apiError) map[string]any {
	body := map[string]any{"ok": false, "error_code": e.status, "description": e.desc}
	p := map[string]any{}
	if e.params.RetryAfter > 0 {
		p["retry_after"] = e.params.RetryAfter
	}
	if e.params.MigrateToChatID != 0 {
		p["migrate_to_chat_id"] = e.params.MigrateToChatID
	}
	if len(p) > 0 {
		body["parameters"] = p
	}
	return body
}

// drop closes the connection without an answer: the client sees a reset.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("telegramtest: cannot hijack the connection")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

// getUpdates confirms the updates below offset, then answers those left (up
// to limit) at once, or when one arrives, or after timeout seconds with
// none. A newer getUpdates (gen is this one's) ends a waiting one with 409,
// as Telegram does when two instances poll.
func (s *Server) getUpdates(r *http.Request, p map[string][]string, gen int) (any, *apiError) {
	offset, _ := strconv.Atoi(first(p, "offset"))
	limit, _ := strconv.Atoi(first(p, "limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(first(p, "timeout"))
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()

	s.mu.Lock()
	defer s.mu.Unlock()
	if offset > 0 {
		s.confirmed = max(s.confirmed, offset)
		kept := s.updates[:0]
		for _, u := range s.updates {
			if u.UpdateID >= offset {
				kept = append(kept, u)
			}
		}
		s.updates = kept
	}
	expired := timeout <= 0
	for {
		if len(s.updates) > 0 || expired || s.closed {
			n := min(limit, len(s.updates))
			out := make([]tgbotapi.Update, n)
			copy(out, s.updates[:n])
			return out, nil
		}
		if gen != s.pollGen {
			return nil, &apiError{status: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			expired = true
		case <-r.Context().Done():
			s.mu.Lock()
			return nil, nil
		}
		s.mu.Lock()
	}
}

func (s *Server) sendMessage(p map[string][]string) (any, *apiError) {
	chatID, err := strconv.ParseInt(first(p, "chat_id"), 10, 64)
	if err != nil {
		return nil, &apiError{status: 400, desc: "Bad Request: chat not found"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.refuseChat(chatID); e != nil {
		return nil, e
	}
	text, mode := first(p, "text"), first(p, "parse_mode")
	buttons, e := checkMessage(text, mode, first(p, "reply_markup"))
	if e != nil {
		return nil, e
	}
	if e := s.limits.take(chatID); e != nil {
		s.tooMany++
		return nil, e
	}
	c := s.chat(chatID)
	c.nextID++
	m := &Message{ID: c.nextID, ChatID: chatID, Text: text, ParseMode: mode, Buttons: buttons, Versions: []string{text}, fromBot: true}
	c.messages[m.ID] = m
	s.observe(m)
	return wireMessage(m), nil
}

// maxUpload bounds an upload the fake reads (Telegram's own limit for a
// photo is 10 MB).
const maxUpload = 10 << 20

// uploaded reads the file of field from a multipart request; nil when
// there is none.
func uploaded(r *http.Request, field string) ([]byte, error) {
	fhs := r.MultipartForm.File[field]
	if len(fhs) == 0 {
		return nil, nil
	}
	f, err := fhs[0].Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxUpload))
}

// sendPhoto records a photo message: the photo must be an uploaded PNG or
// JPEG, its caption within Telegram's caption limit.
func (s *Server) sendPhoto(p map[string][]string, photo []byte) (any, *apiError) {
	chatID, err := strconv.ParseInt(first(p, "chat_id"), 10, 64)
	if err != nil {
		return nil, &apiError{status: 400, desc: "Bad Request: chat not found"}
	}
	if len(photo) == 0 {
		return nil, &apiError{status: 400, desc: "Bad Request: there is no photo in the request (telegramtest takes uploads only)"}
	}
	if ct := http.DetectContentType(photo); ct != "image/png" && ct != "image/jpeg" {
		return nil, &apiError{status: 400, desc: "Bad Request: IMAGE_PROCESS_FAILED"}
	}
	caption, mode := first(p, "caption"), first(p, "parse_mode")
	var buttons [][]Button
	if caption != "" || first(p, "reply_markup") != "" {
		var e *apiError
		if buttons, e = checkMessage(caption, mode, first(p, "reply_markup")); e != nil && caption != "" {
			return nil, e
		}
		if tglimit.Len(render(caption, mode)) > tglimit.Caption {
			return nil, &apiError{status: 400, desc: "Bad Request: message caption is too long"}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.refuseChat(chatID); e != nil {
		return nil, e
	}
	if e := s.limits.take(chatID); e != nil {
		s.tooMany++
		return nil, e
	}
	c := s.chat(chatID)
	c.nextID++
	m := &Message{ID: c.nextID, ChatID: chatID, Text: caption, ParseMode: mode, Buttons: buttons, Versions: []string{caption},
		Photo: photo, fromBot: true}
	c.messages[m.ID] = m
	s.observe(m)
	return wireMessage(m), nil
}

// editMessageText edits a message's text, or with caption a photo's
// caption; each refuses the other kind of message, as Telegram does.
func (s *Server) editMessageText(p map[string][]string, caption bool) (any, *apiError) {
	if first(p, "inline_message_id") != "" {
		return nil, &apiError{status: 400, desc: "Bad Request: inline messages are not supported by telegramtest"}
	}
	chatID, err := strconv.ParseInt(first(p, "chat_id"), 10, 64)
	if err != nil {
		return nil, &apiError{status: 400, desc: "Bad Request: chat not found"}
	}
	msgID, _ := strconv.Atoi(first(p, "message_id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.refuseChat(chatID); e != nil {
		return nil, e
	}
	c := s.chats[chatID]
	var m *Message
	if c != nil {
		m = c.messages[msgID]
	}
	switch {
	case m == nil:
		return nil, &apiError{status: 400, desc: "Bad Request: message to edit not found"}
	case !m.fromBot:
		return nil, &apiError{status: 400, desc: "Bad Request: message can't be edited"}
	case caption && len(m.Photo) == 0:
		return nil, &apiError{status: 400, desc: "Bad Request: there is no caption in the message to edit"}
	case !caption && len(m.Photo) > 0:
		return nil, &apiError{status: 400, desc: "Bad Request: there is no text in the message to edit"}
	}
	text, mode := first(p, "text"), first(p, "parse_mode")
	if caption {
		text = first(p, "caption")
	}
	buttons, e := checkMessage(text, mode, first(p, "reply_markup"))
	if e != nil {
		return nil, e
	}
	if caption && tglimit.Len(render(text, mode)) > tglimit.Caption {
		return nil, &apiError{status: 400, desc: "Bad Request: message caption is too long"}
	}
	if render(text, mode) == render(m.Text, m.ParseMode) && reflect.DeepEqual(buttons, m.Buttons) {
		return nil, &apiError{status: 400, desc: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a content and reply markup of the current message"}
	}
	if e := s.limits.take(chatID); e != nil {
		s.tooMany++
		return nil, e
	}
	m.Text, m.ParseMode, m.Buttons = text, mode, buttons
	m.Versions = append(m.Versions, text)
	s.observe(m)
	return wireMessage(m), nil
}

func (s *Server) answerCallbackQuery(p map[string][]string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queries[first(p, "callback_query_id")]
	if q == nil || q.answered {
		return nil, &apiError{status: 400, desc: "Bad Request: query is too old and response timeout expired or query ID is invalid"}
	}
	if len([]rune(first(p, "text"))) > 200 {
		return nil, &apiError{status: 400, desc: "Bad Request: MESSAGE_TOO_LONG"}
	}
	q.answered = true
	return true, nil
}

// refuseChat is the refusal of a blocked or migrated chat. s.mu must be held.
func (s *Server) refuseChat(chatID int64) *apiError {
	if s.blocked[chatID] {
		if chatID < 0 {
			return &apiError{status: 403, desc: "Forbidden: bot was kicked from the group chat"}
		}
		return &apiError{status: 403, desc: "Forbidden: bot was blocked by the user"}
	}
	if to, ok := s.migrated[chatID]; ok {
		return &apiError{status: 400, desc: "Bad Request: group chat was upgraded to a supergroup chat", params: ErrorParams{MigrateToChatID: to}}
	}
	return nil
}

// checkMessage refuses what Telegram refuses of a text and its keyboard.
func checkMessage(text, mode, markup string) ([][]Button, *apiError) {
	if mode != "" && mode != "HTML" {
		return nil, &apiError{status: 400, desc: "Bad Request: unsupported parse_mode in telegramtest: " + mode}
	}
	if mode == "HTML" {
		if err := checkHTML(text); err != nil {
			return nil, &apiError{status: 400, desc: "Bad Request: can't parse entities: " + err.Error()}
		}
	}
	plain := render(text, mode)
	switch n := tglimit.Len(plain); {
	case strings.TrimSpace(plain) == "":
		return nil, &apiError{status: 400, desc: "Bad Request: message text is empty"}
	case n > tglimit.Text:
		return nil, &apiError{status: 400, desc: "Bad Request: message is too long"}
	}
	if markup == "" {
		return nil, nil
	}
	var kb tgbotapi.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(markup), &kb); err != nil {
		return nil, &apiError{status: 400, desc: "Bad Request: can't parse reply keyboard markup JSON object"}
	}
	var rows [][]Button
	for _, row := range kb.InlineKeyboard {
		var r []Button
		for _, b := range row {
			if b.CallbackData == nil {
				return nil, &apiError{status: 400, desc: "Bad Request: telegramtest supports callback buttons only"}
			}
			if d := *b.CallbackData; len(d) < 1 || len(d) > tglimit.CallbackData {
				return nil, &apiError{status: 400, desc: "Bad Request: BUTTON_DATA_INVALID"}
			}
			if strings.TrimSpace(b.Text) == "" {
				return nil, &apiError{status: 400, desc: "Bad Request: text buttons are unallowed in the inline keyboard"}
			}
			r = append(r, Button{Text: b.Text, Data: *b.CallbackData})
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// wireMessage is m as the Bot API returns it: the text without markup.
func wireMessage(m *Message) *tgbotapi.Message {
	return &tgbotapi.Message{
		MessageID:   m.ID,
		From:        botUser(),
		Chat:        chatOf(m.ChatID),
		Date:        int(time.Now().Unix()),
		Text:        render(m.Text, m.ParseMode),
		ReplyMarkup: markupOf(m.Buttons),
	}
}

func first(p map[string][]string, key string) string {
	if v := p[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
