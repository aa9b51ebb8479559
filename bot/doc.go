// Package bot speaks Telegram: its own long-poll loop over getUpdates,
// per-chat ordered dispatch, one rate-limited outbound queue, edit-in-place
// menus, the command menus set at start (setMyCommands), and the terminal
// transport for the demo. It translates Telegram
// updates to flows inputs and flows replies to Telegram calls.
//
// Package bot holds no business rules: what a button does, what an order is
// and when it settles are decided in flows. It does not deduplicate updates
// either — it passes Telegram's update id and flows ignores what it has
// applied — and it keeps nothing across restarts but the getUpdates offset,
// through OffsetStore; the outbox that makes notifications survive a crash
// is flows' and storage's.
//
// The Telegram etiquette of DESIGN.md lives here: callback queries answered
// at once (outside the queue), about 30 messages a second overall, one a
// second per person and 20 a minute per group, flood waits honoured,
// "message is not modified" taken as success, groups followed to their
// supergroup, callback data within 64 bytes, texts split at 4096
// characters, and the bot token redacted from every log line and error.
//
// Package telegramtest is a fake Bot API for tests of this package and of
// the packages wiring it.
package bot
