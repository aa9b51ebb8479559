// Package tripaysim simulates Tripay's payment gateway API for closed QRIS
// payments, for topupbot's demo and tests. It is an independent reading of
// Tripay's documents: it shares no code with provider/tripay.
//
// New serves, under any of the prefixes "", "/api" and "/api-sandbox":
//
//	POST /transaction/create               Authorization: Bearer <api key>; JSON body;
//	                                       signature hex(HMAC-SHA256(merchant_code+merchant_ref+amount, private_key))
//	GET  /merchant/transactions[?merchant_ref=…]  a list in data, newest first,
//	                                       the expiry as expired_at (create and detail: expired_time)
//	GET  /transaction/detail?reference=…   the record (paid_at a string, as Tripay shows it), 404 when unknown
//	POST /sandbox/pay?merchant_ref=…|reference=…  pays by hand (the demo's "scan"),
//	                                       then delivers due callbacks; no key needed
//
// Answers are {"success":bool,"message":…,"data":…}. A wrong or missing
// Bearer key and a wrong signature are HTTP 401; a body that cannot be read,
// a missing field, a method other than QRIS, an amount outside
// [MinAmount, MaxAmount], order items that do not add up to the amount, an
// expiry in the past, or a merchant_ref already used are HTTP 400 and
// create nothing.
//
// Fees (the QRIS price in Tripay's channel list and fee calculator, as the
// simulator's model; no minimum or maximum fee is applied): Rp 750 + 0.7% of
// the amount, the percentage rounded up to the rupiah. By default
// the merchant bears it: amount is what was asked, fee_merchant the fee and
// amount_received amount − fee. With Options.FeeToCustomer the buyer bears
// it: amount is the asked amount + fee, fee_customer the fee, and
// amount_received the asked amount. The signature is always over the asked
// amount.
//
// A payment is UNPAID until Pay (PAID, or FAILED for …003), Expire or its
// expired_time passes on the Options.Now clock (EXPIRED; looked at on every
// request and every Pay/Expire/Refund/DeliverCallbacks), and Refund moves a
// PAID one to REFUND. A status never moves backwards; Pay of a payment not
// UNPAID is an error. Each change queues a callback to the payment's
// callback_url (or Options.CallbackURL): a POST of the record with headers
// X-Callback-Event: payment_status and X-Callback-Signature =
// hex(HMAC-SHA256(raw body, private_key)). DeliverCallbacks makes one
// attempt at each queued callback and keeps those not answered
// {"success":true} for the next call: retries are driven by the caller (a
// test, or the demo's ticker), never by the simulator's own sleeps.
//
// Outcomes by the asked amount's last three digits (amount mod 1000):
//
//	001  the payment is created, but the create answer is lost: HTTP 500
//	     with an HTML page (look it up by merchant_ref)
//	002  refused: HTTP 400 "Payment channel is under maintenance", nothing created
//	003  Pay makes it FAILED instead of PAID
//	004  no callback is ever sent for it: only a look-up finds its status
//	005  every callback for it is queued twice (a re-sent callback)
//	else Pay makes it PAID
//
// References look like Tripay's sandbox ones: "DEV-T" + the merchant code +
// a sequence + 5 characters derived from the merchant ref. The qr_string is
// a QRIS-shaped payload that no bank app will pay.
//
// Package tripaysim does not simulate form-encoded create bodies (Tripay's
// PHP example posts a form; its NodeJS example and our client post JSON),
// open payments, other channels, the
// fee calculator, payment instructions or Tripay's IP whitelist.
package tripaysim
