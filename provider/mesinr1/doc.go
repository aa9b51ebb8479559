// Package mesinr1 is the client of the Mesin R1 ("R-ONE") host-to-host API in
// its JSON "rqid" mode (seed 002): every call is a POST to
// {base_url}/V1/api/<name> with the header `rqid: {api_key}` and `mmid` in the
// JSON body. It implements flows.Provider, flows.Catalog,
// flows.BalanceChecker, flows.BillPayer and flows.MutationLister, and offers
// the rest of the API (price, categories, one page of products, history,
// status) for admin commands.
//
// Its real work is classification. Every answer becomes either a flows.Result
// (the provider told us about the transaction) or a *flows.ProviderError
// whose Kind follows the money rules of DESIGN.md:
//
//   - A transaction record decides: status 1 success, 2 and 3 pending,
//     11 failed. A record whose envelope says "error" but whose status says
//     success is a contradiction and is unknown.
//   - rc 94 (duplicate ref_1) means the transaction exists: the client asks
//     `status` (then `history/{ref_1}`) and returns what it says.
//   - A 2xx/4xx "error" answer without a record is a rejection (nothing was
//     created), with a buyer-readable reason from the rc — except rc 68 and
//     96 (unknown: the order stays pending) and rc 92, 63, 55, HTTP 401/403
//     or "Invalid IP" (misconfigured).
//   - 5xx, timeouts, connection errors, HTML, truncated JSON, unexpected
//     types, an answer about another ref_1 — unknown, never rejected.
//   - A status or history answer without a record is KindNotFound; it never
//     fails an order. For bills only a record whose msg starts with BAYAR is
//     the payment: an INQ… record is KindNotFound (inquiry only), any other
//     msg is unknown.
//   - Check of an order Mesin R1 never acknowledged re-sends the identical
//     topup under the same ref_1. A refusal of such a re-send is believed
//     only once status and history confirm no transaction exists: the
//     platform might check the deposit before it notices the duplicate.
//
// Package mesinr1 does not store orders, retry, poll or decide when an
// order has been pending too long: the order engine does. It never makes up
// a ref_1, never re-sends a payment (PayBill is one request; CheckBill only
// reads), and does not speak the sign or HTTP-GET modes or callbacks (Mesin
// R1 documents no callback format). It never logs or returns the api key;
// the only thing it logs is catalog entries it had to skip.
package mesinr1
