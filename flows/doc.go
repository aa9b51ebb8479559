// Package flows is the core of topupbot: the domain vocabulary (products, orders,
// provider results, bills), the interfaces the core consumes from the outside
// world, and — as the project grows — the conversation table, the order engine
// and the outbox drainer.
//
// Package flows imports only the standard library. It does not speak Telegram,
// HTTP or bbolt, and it knows no provider's wire format: the packages that do
// (bot, provider/iak, provider/mesinr1, storage) import flows and translate to
// and from its types. A test keeps it that way.
package flows
