// Package iaksim simulates IAK's host-to-host API for topupbot's demo,
// tests and benchmarks; the shared machinery lives in package sandbox.
//
// New serves IAK's prepaid API (prepaid.iak.id) and postpaid API
// (mobilepulsa.net) on one handler: point both of a client's base URLs at it.
// It keeps one account with one deposit, shared by both APIs as at IAK.
//
//	POST /api/top-up                      sign md5(username+api_key+ref_id)
//	POST /api/check-status                sign md5(username+api_key+ref_id)
//	POST /api/check-balance               sign md5(username+api_key+"bl")
//	POST /api/pricelist[/{type}[/{op}]]   sign "pl"; "status": all|active|non active
//	POST /api/inquiry-pln                 sign md5(username+api_key+customer_id)
//	POST /api/inquiry-game                sign md5(username+api_key+game_code)
//	POST /api/v1/bill/check[/{type}]      "commands": pricelist-pasca (sign "pl"),
//	                                      inq-pasca (ref_id), pay-pasca (tr_id),
//	                                      checkstatus ("cs")
//	GET  /api/v1/download/{tr_id}[/1]     receipt of a paid bill: PDF, or JSON with /1
//
// Options:
//
//	Username, APIKey   required; the first two parts of every sign
//	Deposit            starting deposit; 0 means Rp 5.000.000, negative means empty
//	SettleDelay        acceptance to final state; 0 = right after the first answer;
//	                   negative = only by Settle, like IAK's development sandbox
//	SettleAfter        per top-up (by ref_id) instead of SettleDelay; nil = SettleDelay
//	OnSettle           told of each top-up's final state and its moment (benchmarks)
//	SlowDelay          how long …9408 numbers stall; default 35s
//	CallbackURL        where settlement callbacks go; empty = none
//	CallbackAttempts   tries per callback; default 5
//	CallbackBackoff    wait before the first retry, doubled each time; default 1s
//	CallbackClient     default: an http.Client with a 10s timeout
//	Now                the clock; postpaid expiry reads it in WIB
//	Logger             default: discard; api keys and signs are never logged
//
// Answers are JSON: prepaid {"data":{…}}, postpaid {"data":{…},"meta":[]}
// with response_code for rc. Business results, refusals included, are
// HTTP 200. A body that is not a JSON object, or lacks a required field, is
// HTTP 400 with rc (response_code) 107 and Laravel-style error_details — IAK
// documents HTTP 400 for "missing a required parameter". XML bodies are not
// simulated and get that same answer. An unknown path or a wrong method is
// rc 117 PAGE NOT FOUND with HTTP 200: 117 is in IAK's rc table, so it is a
// body to read. Request values may be JSON strings or numbers.
//
// Prepaid top-up checks, in order: username (208 INVALID DATA) and sign (204
// WRONG AUTHENTICATION); a known ref_id answers its transaction as
// check-status would — no second transaction or debit, the other fields
// unread; required fields (107); the product exists (20) and is active (106);
// the operator prefix (16); the number format (14; 203 for a phone number over
// 13 digits; 141 or 142 for a malformed game id); the test refusals below;
// the deposit (17). Then the transaction is created: tr_id from 3482 upwards,
// status 0, rc 39 PROCESS, the price debited at once and the balance shown
// after the debit. A refusal creates nothing and answers status 2, price 0,
// tr_id 0 and the balance, so a re-send of its ref_id is checked afresh.
// check-status of an unknown ref_id answers rc 06 TRANSACTION NOT FOUND in
// that same shape (status 2: the rc decides). The balance in transaction
// answers and callbacks is the deposit when they are written.
//
// Success (status 1, rc 00) issues an SN in IAK's format for the product type
// (sn-format.md): pulsa and data a 16-digit serial; PLN token/name/segment
// power/kWh, with segment and power as inquiry-pln writes them
// ("0123-4567-8901-2345-6789/Sintya Oktaviani/R1 /000001300/12.5"); games
// "ABCD-EFGH-JKLM-NPQR" and, for game vouchers (Google Play), a 12-digit pin;
// vouchers "SERIAL / YYYY-MM-DD" (expiring a year on); e-money "NAME SERIAL";
// eSIM an ICCID as sn and activation_code "LPA:1$smdp.sandbox.example$…".
// Failure (status 2) refunds the price. Each final state is POSTed to
// CallbackURL with every value a string and sign md5(username+api_key+ref_id),
// retried with a doubling backoff on transport errors and non-2xx answers.
// Settle(ref, success) is the sandbox report's SUCCESS/FAILED button: one
// action per transaction.
//
// Test knob (simulator only, not IAK behaviour that is documented):
// RefuseResends(rc) makes every top-up re-sent under a ref_id the simulator
// holds answer a refusal with rc — status 2, tr_id 0 — instead of the
// transaction, as IAK may when it validates a re-send (the deposit, the daily
// limit) before it notices the duplicate; check-status still finds the
// transaction. RefuseResends("") turns it off. WithholdSN(true) makes
// successes come without SN, PIN or activation code, as IAK may report
// SUCCESS before the token or voucher code; WithholdSN(false) issues them to
// every success still without one.
//
// Prepaid test numbers are the simulator's own (IAK's prepaid test table is
// not public). The last four digits of customer_id — of the userid for game
// ids "userid|zoneid" — are read as S RRR:
//
//	0RRR, RRR≠000  refused at once with rc RRR. Nothing is created, so every
//	               send is refused: …0013 CUSTOMER NUMBER BLOCKED, …0014
//	               INCORRECT DESTINATION NUMBER, …0202 MAXIMUM 1 NUMBER 1 TIME IN
//	               1 DAY, …0207, …0102 INVALID IP ADDRESS, …0118 ACCOUNT
//	               SUSPENDED, …0110 SYSTEM UNDER MAINTENANCE, …0017 INSUFFICIENT
//	               DEPOSIT. The pending rcs (…0039, …0201) come with status 0.
//	1000           accepted, settles to success
//	1007           accepted, settles to FAILED (rc 07); refunded
//	1RRR           accepted, settles to failed with rc RRR and its message
//	               (…1013, …1014, …1016); refunded
//	1039           accepted, stays in process (rc 39) until Settle
//	1201           accepted, then in process with rc 201 UNDEFINED RESPONSE CODE
//	               until Settle
//	9504           created and debited; the first answer is HTTP 504 with an
//	               nginx HTML page
//	9408           created and debited; the first answer stalls SlowDelay (less if
//	               the client gives up), then comes as usual
//	9200           created and debited; the first answer is its JSON cut in half
//	other          accepted, settles to success (081234567890, 0817777215…)
//
// Only the first answer of 9504, 9408 and 9200 misbehaves: re-sends and
// check-status answer normally, and the transactions settle to success. The
// product and number checks come first: …0013 on another operator's product
// is rc 16.
//
// inquiry-pln (its status is a string) knows these meters; top-ups to PLN
// take any 11–12 digit number:
//
//	12345678901    Sintya Oktaviani, R1 /000001300 — IAK's documented sandbox meter
//	12345678902    BUDI SANTOSO, R1 /000000900
//	543210987654   PT SINAR ABADI, B1 /000005500 (a 12-digit customer id)
//	11–12 digits ending 1RRR, 9504, 9408 or 9200: success, an invented name
//	11–12 digits ending 0RRR: rc RRR
//	anything else: rc 14 INCORRECT DESTINATION NUMBER
//
// The catalog holds pulsa and data for Telkomsel, Indosat, XL, Axis, Three,
// Smartfren and by.U (prefixes from IAK's prefix-list.md), PLN tokens
// (hpln20000…), Mobile Legend ("userid|zoneid"), Free Fire ("userid"), Google
// Play vouchers, Alfamart and Indomaret vouchers, DANA, OVO and GoPay (type
// etoll) and eSIM (type esim-international). IAK knows only "active" and
// "non active", so a product out of stock is "non active" like a disturbed
// one: hsmart5000 (disturbed) and indomaret100 (out of stock) are, and a
// top-up of either is rc 106. The pricelist answers in the wrapper form
// {"data":{"pricelist":[…],"rc":"00","message":"SUCCESS"}}; an unknown type
// or operator lists nothing.
//
// Postpaid is synchronous, with no callbacks. inq-pasca checks the sign (100
// INVALID SIGNATURE, also for an unknown username); the ref_id, letters and
// digits only and at most 20 (03 INVALID REF ID); that no earlier inquiry
// used the ref_id (11 DUPLICATE REF ID — it is spent once the product checks
// pass, whatever the biller answers); the product (20, or 106 if non active);
// BPJS's month, 1 to 12 (107); then the number. pay-pasca, signed over the
// inquiry's tr_id in decimal, checks the tr_id (06 INQUIRY ID NOT FOUND); a
// paid bill (34 BILL HAS BEEN PAID), a payment in process (39) or a failed
// one (38 PAYMENT FAILED, PLEASE DO ANOTHER REQUEST: inquire again); the
// expiry at 23:00 WIB of the inquiry day (04 BILLING ID EXPIRED); the deposit
// (17); then pays: selling_price (price minus the commission per bill) is
// debited, and refunded if the payment fails. checkstatus by ref_id answers
// status 0 rc 42 (not paid), 1 rc 00 (paid), 2 rc 37 (failed, noref "") or
// 3 rc 39 (in process); an unknown ref_id, or one whose inquiry failed, is
// rc 06. SettleBill resolves a payment in process.
//
//	product            type      number prefix   0999 bills
//	PLNPOSTPAID        pln       53000000        8
//	BPJS               bpjs      880123456       —  (month required)
//	PDAMKOTA.SURABAYA  pdam      1020            4
//	PDAMKOTA.MEDAN     pdam      1020            4
//	AETRA              pdam      1020            4
//	HPTHREE            hp        0899123         —
//	CBN                internet  0192            —
//	TELKOMPSTN         internet  non active: every inquiry is rc 106
//
// A postpaid number is the product's prefix and four digits S RRR, IAK's new
// sandbox scheme (the older last-digit scheme is not simulated):
//
//	0000   one bill; the payment succeeds (530000000000, 8801234560000)
//	0999   several bills, as in the table; rc 14 where the table has none
//	0RRR   the inquiry fails with rc RRR: 0001 INVOICE HAS BEEN PAID, 0014
//	       INCORRECT DESTINATION NUMBER, 0103 TIMEOUT
//	1000   one bill; the payment succeeds
//	1RRR   the payment answers rc RRR. 1037 PAYMENT FAILED and 1105 MISC ERROR /
//	       BILLER SYSTEM ERROR fail (refunded; checkstatus 2); 1039, 1005 and
//	       1201 stay in process (checkstatus 3) until SettleBill
//	9504   simulator only: the payment is made, its answer is an HTTP 504 page
//	9408   simulator only: the payment is made, its answer stalls SlowDelay
//	9200   simulator only: the payment is made, its answer is truncated JSON
//	other  rc 14 INCORRECT DESTINATION NUMBER
//
// Not simulated: XML, the v1 legacy API, check-operator, the OVO and game
// inquiries, daily limits and IP whitelisting (except through test numbers),
// and PLN's 23:00–01:00 cut-off.
package iaksim
