// Package bot speaks Telegram: its own long-poll loop over getUpdates,
// per-chat ordered dispatch, one rate-limited outbound queue, edit-in-place
// menus, and the terminal transport for the demo. It translates Telegram
// updates to flows inputs and flows replies to Telegram calls.
//
// Package bot holds no business rules: what a button does, what an order is
// and when it settles are decided in flows.
package bot
