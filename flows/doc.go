// Package flows is the core of topupbot: the domain vocabulary (products, orders,
// provider results, bills), the interfaces the core consumes from the outside
// world, the purchase conversation (a table of transitions over a persisted
// session per chat, admin commands included), the order engine (write-ahead,
// place, check, settle once; bills under DESIGN rule 8), the outbox drainer
// and the message catalogue.
//
// Package flows imports only the standard library. It does not speak Telegram,
// HTTP or bbolt, and it knows no provider's wire format: the packages that do
// (bot, provider/iak, provider/mesinr1, storage) import flows and translate to
// and from its types. A test keeps it that way.
package flows
