// Package flows is the core of topupbot: the domain vocabulary (products, orders,
// provider results, bills), the interfaces the core consumes from the outside
// world, the conversation (a table of transitions over a persisted session
// per chat, and a table of commands), the order engine (write-ahead, place,
// check, settle once; bills under DESIGN rule 8), the outbox drainer and the
// message catalogue.
//
// Package flows imports only the standard library. It does not speak Telegram,
// HTTP or bbolt, and it knows no provider's wire format: the packages that do
// (bot, provider/iak, provider/mesinr1, storage) import flows and translate to
// and from its types. A test keeps it that way.
//
// Where things are. The vocabulary: product.go (Product, categories),
// order.go (Order, Status, alerts), bill.go (Bill and the engine's bill
// payments), account.go, outcome.go (ProviderError, Reason), input.go
// (Input, Reply), notification.go (Notification and the texts it carries),
// money.go, pricing.go, wib.go (the WIB clock), refid.go, numbers.go,
// pln.go. What flows consumes: provider.go, store.go and the smaller
// interfaces beside their consumers. The conversation: conversation.go
// (Service, the transition table and the prompt of each state),
// purchase.go and payment.go (the steps of a purchase and of a bill),
// command.go (the command table), struk.go (/struk), admin.go (the admins' commands),
// access.go (who may do what), session.go, menu.go. The engine: engine.go,
// poll.go, productcache.go, outbox.go. What people read: messages.go (the
// catalogue, which escapes its arguments), messages_en.go, receipt.go (the
// receipt of a settled order), privacy.go (what a group may see).
package flows
