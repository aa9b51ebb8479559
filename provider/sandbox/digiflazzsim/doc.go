// Package digiflazzsim simulates Digiflazz's buyer API for topupbot's demo,
// tests and benchmarks; the shared machinery lives in package sandbox.
//
// New serves the API under /v1, as api.digiflazz.com does: a client's base
// URL is server.URL + "/v1". It keeps one account with one deposit.
//
//	POST /v1/cek-saldo      cmd "deposit"; sign md5(username+api_key+"depo")
//	POST /v1/price-list     cmd "prepaid"|"pasca", code/category/brand/type filters;
//	                        sign md5(username+api_key+"pricelist")
//	POST /v1/transaction    top-up (no commands), or commands inq-pasca,
//	                        pay-pasca, status-pasca; sign md5(username+api_key+ref_id)
//	POST /v1/inquiry-pln    sign md5(username+api_key+customer_no)
//
// Options:
//
//	Username, APIKey    required; an unknown username is rc 42, a wrong sign rc 41
//	Deposit             starting deposit; 0 means Rp 5.000.000, negative means empty
//	PriceListInterval   least time between two full lists of one cmd (rc 83 sooner);
//	                    0 = 5 minutes, negative = no limit; filtered lists are not limited
//	Settle              pending to final; 0 = right after the answer, negative = only by Settle
//	SettleAfter         each pending transaction's own delay, by ref, in place of Settle
//	WebhookURL          where settlement webhooks go unless the request sent cb_url
//	WebhookSecret       signs webhooks with X-Hub-Signature: sha1=<hex HMAC-SHA1(body)>
//	WebhookClient       default: an http.Client with a 10s timeout
//	OnSettle            called with (ref, "Sukses"|"Gagal", time) when a transaction
//	                    is final: after the first answer, or when a pending one settles;
//	                    the moment a latency benchmark measures to
//	Now                 the clock: price-list limits, transaction and settle times
//	Logger              default: discard; keys, signs and secrets are never logged
//
// Every answer is {"data":…}, HTTP 200, except a body that is not JSON
// (HTTP 400, rc 40 Payload Error). A price list is {"data":[…]}; a refusal
// of one {"data":{"rc":…,"message":…}}.
//
// A top-up is checked in this order: username (42) and sign (41); ref_id,
// buyer_sku_code and customer_no present (40); a ref_id already used —
// with the same buyer_sku_code, customer_no, max_price and testing it is a
// status check and answers the transaction's current state, with anything
// different it is rc 49 "Ref ID tidak unik" and nothing changes; the sku
// exists and the buyer has it active (43); max_price, when above zero, is
// at least the price (69); the deposit covers the price (44). A refusal
// creates nothing, charges nothing and answers status Gagal with price 0,
// so a later request under its ref_id is judged afresh. Then the
// transaction is created and the price debited; a failure refunds it.
//
// The outcome is decided by the customer number's last four digits, in
// testing mode or not, after Digiflazz's test cases:
//
//	…1230 and any other number  Sukses at once (rc 00, an SN)
//	…1232                       Gagal at once (rc 02), charged then refunded
//	…1233                       Pending (rc 03), then Sukses after Settle
//	…1234                       Pending (rc 03), then Gagal (rc 02) after Settle, refunded
//
// so 087800001230…087800001234 behave as Digiflazz documents. A product the
// seller has switched off (tsel100) creates the transaction and fails it
// with rc 53. When a pending transaction settles, OnSettle is called and a
// webhook is POSTed once with X-Digiflazz-Event: update and User-Agent
// Digiflazz-Hookshot (Digiflazz-Pasca-Hookshot for a bill). No "create"
// webhook is sent.
//
// SNs: a PLN token line "1234-5678-9012-3456-7890/NAME/R1/1300/13.4" for
// PLN tokens, a 16-character code for Google Play, 20 digits otherwise.
//
// Postpaid (skus pln and bpjs): inq-pasca under a new ref_id answers the
// bill (customer_name, admin, price — what the deposit pays —,
// selling_price — the bill plus admin —, periode, desc with tarif, daya and
// detail); a customer number ending in 3 has no bill (rc 60). The same
// inquiry again under its ref_id answers it again; a differing one is rc 49.
// pay-pasca under the inquiry's ref_id pays it: a number ending in 2 fails
// (rc 02, refunded), one ending in 4 is Pending and then Sukses, the others
// Sukses at once; paying again answers the payment; no inquiry is rc 50.
// status-pasca answers the payment, or rc 50 while there is none. The
// inquiry's day is not enforced.
//
// inquiry-pln knows 12345678901 (SINTYA OKTAVIANI, R1 /1300) and
// 530000000001 (BUDI SANTOSO, R1M /900); any other number of 11 or 12
// digits is found with a derived name, except one ending in 9999 (rc 54
// Nomor Tujuan Salah); other lengths are rc 57.
//
// Test accessors: Transaction(ref), Requests(ref), Bodies(ref), Deposit,
// AddDeposit, Settle(ref).
package digiflazzsim
