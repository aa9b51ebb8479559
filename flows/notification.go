package flows

import "time"

// NotificationKind tells a new message from an edit of an existing one.
type NotificationKind string

// Notification kinds.
const (
	NotifySend NotificationKind = "send"
	NotifyEdit NotificationKind = "edit"
)

// Notification is one outbound Telegram message waiting in the outbox
// (DESIGN rule 10). It is persisted as JSON.
type Notification struct {
	// ID is assigned by the store and orders the outbox.
	ID   string           `json:"id"`
	Kind NotificationKind `json:"kind"`
	// ChatID is the target; for an edit, MessageID the message to edit.
	ChatID    int64 `json:"chat_id"`
	MessageID int   `json:"message_id,omitempty"`
	// ToOps marks a notification for the ops group: its chat may migrate
	// to a supergroup and is re-read at delivery.
	ToOps bool `json:"to_ops,omitempty"`
	// Text is HTML (Telegram parse mode HTML), already escaped.
	Text string `json:"text"`
	// Buttons go under a new message. They outlive any menu, so they carry
	// what they act on (a user id), never a menu id (DESIGN rule 2).
	Buttons [][]Button `json:"buttons,omitempty"`
	// RefID is the order it is about, if any, for logs.
	RefID     string    `json:"ref_id,omitempty"`
	Attempts  int       `json:"attempts,omitempty"`
	NotBefore time.Time `json:"not_before,omitzero"`
	CreatedAt time.Time `json:"created_at"`
}
