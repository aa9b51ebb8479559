package bot

import (
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"topupbot/flows"
)

// decodeUpdate turns an update into the input flows handles. It reports
// false for updates that are nobody's input: service messages (members
// joining, a pinned message, the group's migration), a command addressed to
// another bot, a tap on a message we cannot see (inline mode).
func decodeUpdate(u tgbotapi.Update, username string) (flows.Input, bool) {
	switch {
	case u.Message != nil:
		return decodeMessage(u.UpdateID, u.Message, username)
	case u.CallbackQuery != nil:
		return decodeCallback(u.UpdateID, u.CallbackQuery)
	}
	return flows.Input{}, false
}

func decodeMessage(updateID int, m *tgbotapi.Message, username string) (flows.Input, bool) {
	if m.Chat == nil || isService(m) {
		return flows.Input{}, false
	}
	in := flows.Input{
		UpdateID: updateID,
		ChatID:   m.Chat.ID,
		Private:  m.Chat.Type == "private",
		Kind:     flows.InputText,
		Text:     m.Text,
	}
	setSender(&in, m.From)
	cmd, args, to, ok := parseCommand(m.Text)
	if !ok {
		return in, true
	}
	if to != "" && !strings.EqualFold(to, username) {
		return flows.Input{}, false // "/start@OtherBot" in a group
	}
	in.Kind, in.Command, in.Args, in.Text = flows.InputCommand, cmd, args, ""
	return in, true
}

func decodeCallback(updateID int, q *tgbotapi.CallbackQuery) (flows.Input, bool) {
	if q.Message == nil || q.Message.Chat == nil {
		return flows.Input{}, false
	}
	in := flows.Input{
		UpdateID:  updateID,
		ChatID:    q.Message.Chat.ID,
		Private:   q.Message.Chat.Type == "private",
		Kind:      flows.InputButton,
		Button:    DecodeButton(q.Data),
		MessageID: q.Message.MessageID,
	}
	setSender(&in, q.From)
	return in, true
}

func setSender(in *flows.Input, u *tgbotapi.User) {
	if u == nil {
		return
	}
	in.UserID, in.FirstName, in.LanguageCode = u.ID, u.FirstName, u.LanguageCode
}

// parseCommand splits "/Cmd@BotName args" into "cmd", "args" and "BotName".
// Text that only starts with a slash ("/ 5", "/path/x") is not a command.
func parseCommand(text string) (cmd, args, to string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", "", false
	}
	head, rest := text, ""
	if i := strings.IndexAny(text, " \t\n"); i >= 0 {
		head, rest = text[:i], text[i+1:]
	}
	name, to, _ := strings.Cut(head[1:], "@")
	if name == "" || len(name) > 32 || !isCommandName(name) {
		return "", "", "", false
	}
	return strings.ToLower(name), strings.TrimSpace(rest), to, true
}

func isCommandName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// isService reports a service message: something Telegram tells the chat,
// not something a person said to the bot.
func isService(m *tgbotapi.Message) bool {
	return len(m.NewChatMembers) > 0 || m.LeftChatMember != nil || m.NewChatTitle != "" ||
		len(m.NewChatPhoto) > 0 || m.DeleteChatPhoto || m.GroupChatCreated ||
		m.SuperGroupChatCreated || m.ChannelChatCreated || m.MigrateToChatID != 0 ||
		m.MigrateFromChatID != 0 || m.PinnedMessage != nil || m.MessageAutoDeleteTimerChanged != nil ||
		m.ProximityAlertTriggered != nil || m.VoiceChatScheduled != nil || m.VoiceChatStarted != nil ||
		m.VoiceChatEnded != nil || m.VoiceChatParticipantsInvited != nil || m.ConnectedWebsite != ""
}
