// Package storage keeps topupbot's state in one bbolt file: orders keyed by
// ref_id with their pending, per-chat, creation-time and confirm-token
// indexes, chat sessions, the notification outbox, the catalog cache,
// runtime settings, the Telegram offset, the inbox of updates received but
// not yet applied, and the customer ledger (wallets and their append-only
// entries, ledger.go). Open upgrades a file from an older schema.
//
// Package storage decides nothing: it stores what flows hands it, keeping each
// index in the same transaction as the record it points to.
package storage
