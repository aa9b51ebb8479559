// Package mesinr1sim simulates Mesin R1's JSON "rqid" API for topupbot's
// demo, tests and benchmarks; the shared machinery lives in package sandbox.
//
// New serves seed 002's JSON "rqid" API for one partner account:
// POST /V1/api/<name> with the header `rqid: {api_key}` and "mmid" in a JSON
// body sent as application/json.
//
//	price              product_code → {gangguan, kosong, harga, kode, nama}
//	product-categories → [{id, code, name, type}]
//	products           category, category_ids, type, is_open, operator, q, sort,
//	                   page, per_page → Laravel paginator {data, links, meta}
//	topup              product_code, customer_id, ref_1 → transaction record
//	inquiry            product_code, customer_id, ref_1 [, periode] → bill record
//	payment            the inquiry's product_code, customer_id, ref_1 → record
//	status             ref_1 → record
//	history/{ref_1}    → record
//	history            date | start_date, end_date; status ("1", "11", "2,3");
//	                   product_code; customer_id; page, per_page (≤ 1000) →
//	                   a flat array without page, a paginator with it
//	balance            → {"saldo": n}, no rc
//	mutations          start_date, end_date (default today) →
//	                   [{debit, credit, balance, notes, trx_no, created_at}]
//
// Options:
//
//	MMID, APIKey   required
//	Deposit        starting deposit; 0 means Rp 1.000.000, negative means empty
//	SettleDelay    acceptance to final state of the pending numbers; 0 = at the
//	               first look after the first answer; negative = only by Settle
//	SettleAfter    per topup or payment (by ref_1) instead of SettleDelay
//	OnSettle       told of each final state and its moment (benchmarks)
//	SlowDelay      how long …9408 stalls; default 35s
//	InquiryHold    how long an inquiry stays payable; default 15 minutes
//	AuthRC         rc of an auth refusal; default 63 [INF]
//	ExpiredRC      rc of a payment after the hold; default 54 [INF]
//	PerPage        page size when per_page is absent; default 50
//	Now            the clock; settlement and inquiry expiry follow it
//	Logger         default: discard; one debug line per request, never the rqid
//
// Checks, in order: the path (404), the method (405: only POST), the rqid
// header (401, AuthRC), the body — a JSON object sent as application/json
// (400, rc 30) — and mmid (missing: 400, rc 30; unknown: 401, AuthRC); then
// the endpoint's required fields (400, rc 30). Values may be JSON strings or
// numbers. Every answer — 404 and 405 included, the test numbers' transport
// faults aside — is seed 002's envelope {"status","code","message","rc","data"},
// code mirroring the HTTP status.
// An answer with a record is HTTP 200; a refusal is "status":"error" without
// data, HTTP 400 — 404 for an unknown product (76) or ref_1 (25), 401 for
// auth, 403 for an invalid IP (92).
//
// Records carry ref_1, ref_2 (bills: the inquiry's I-YYYYMMDD-XXXXXX),
// trx_no (T-YYYYMMDD-XXXXXX), product_code, product_name, customer_id,
// status (1 success, 2 pending, 3 process, 11 failed) with status_label
// ("success", "pending", "process", "failed"), rc, price, admin (bills) and
// total_price as strings, msg, detail (inquiries), created_at and
// updated_at (Jakarta time); topup and payment answers add saldo. rc,
// trx_no, saldo and updated_at inside a record are assumptions [INF]. As in
// the seed there is no sn field: the SN is in msg.
//
//	TRX IS5.081234567890 SUKSES, SN:826104… HRG:5500 REFID:R1.
//	TRX IS5.081234567890 SEDANG DIPROSES. REFID:R1.
//	TRX IS5.081234567890 GAGAL, NOMOR TUJUAN SALAH. SALDO DIKEMBALIKAN. REFID:R1.
//	INQ PLNPASC.546302215889 SUKSES, DATA:ANTO TAGIHAN:300000 ADMIN:2750.
//	BAYAR PLNPASC.546302215889 SUKSES, SN:… HRG:302750 REFID:R1.
//
// A ref_1 is used once, whatever for: a second topup, inquiry or payment
// under it is rc 94 without a record, and the transaction is untouched. A
// payment under its inquiry's ref_1 is not a duplicate; a second payment
// is. The inquiry becomes its payment: status and history show the INQ msg
// until the payment, the BAYAR msg after it. A payment after InquiryHold is
// refused with ExpiredRC and the inquiry stays as it was; a payment without
// an inquiry is rc 25; one whose product or customer differ from the
// inquiry's is rc 30. A bill paid here cannot be inquired again (rc 88).
// BPJSKS takes periode, the number of months (1–12, else rc 13).
//
// The deposit pays for a topup or payment when it is accepted (rc 51 when it
// cannot, and nothing is created) and gets it back when the transaction
// fails. As in seed 002's example, a purchase is a *credit* in mutations
// (the balance goes down) and a refund a debit.
//
// The rc table is the ISO 8583 reading of providers.md §2.5, assumed [INF]
// except 92 (observed) and 94 (documented): 00 success, 05 failure, 12
// product closed (gangguan, kosong, a postpaid product sent to topup, a
// prepaid one to inquiry), 13 invalid amount, 14 wrong customer number, 25
// no such transaction, 30 format error, 34 and 88 bill already paid, 51
// deposit too low, 54 inquiry expired, 55 wrong pin, 63 bad rqid or mmid, 68
// timeout (the transaction may still happen), 76 unknown product, 92
// invalid IP, 94 duplicate ref_1, 96 system malfunction.
//
// Test numbers are the simulator's own: Mesin R1 publishes no sandbox. The
// last four digits of customer_id, separators ignored (for "userid|zoneid"
// the zone id's), are read as S RRR:
//
//	topup
//	0RRR        refused at once with rc RRR, nothing created: …0014 wrong
//	            number, …0051 deposit, …0092 invalid IP, …0063 auth
//	0068, 0096  created and pending, but answered rc 68 / 96 without a
//	            record (HTTP 200); success after SettleDelay
//	1000        pending, success after SettleDelay
//	1002        pending (status 3) until Settle
//	1RRR        pending, fails with rc RRR after SettleDelay; refunded
//	2RRR        fails at once: an "error" envelope with a status 11 record
//	9504        created, successful; the first answer is an nginx HTML 504
//	9408        created, successful; the first answer stalls SlowDelay (it
//	            returns early when the client gives up or on Close)
//	9200        created, successful; the first answer is truncated JSON
//	other       success at once (081234567890, the seed's number)
//
//	inquiry, then payment
//	0RRR        the inquiry is refused with rc RRR: …0014 wrong number, …0088
//	            and …0034 already paid, …0068 biller timeout (HTTP 200)
//	1000        the payment is pending, paid after SettleDelay
//	1002        the payment stays pending until Settle
//	1RRR        the payment is pending, fails with rc RRR after SettleDelay
//	2RRR        the payment fails at once with rc RRR; refunded
//	9504, 9408, 9200
//	            the payment is made; its first answer is lost as above
//	other       paid at once (546302215889, 0001234567890)
//
// Only a first send misbehaves: a re-send of the ref_1 is rc 94 and status
// answers normally. A test knob (simulator only, not documented Mesin R1
// behaviour): WithholdSN(true) makes successful topups come without an SN
// in msg; WithholdSN(false) gives every such success its SN. Settle(ref_1, success) ends a pending transaction
// (failure is rc 05). Settlement is lazy — it happens when a request or a
// method looks, by the Now clock — so the simulator runs no goroutine or
// timer, and Close only releases stalled answers.
//
// The catalog, 84 products (two default pages): pulsa and data of
// Telkomsel (TSEL5…, TSELD1…), Indosat (IS5 is the seed's "INDOSAT SMS
// 5.000" at 5500), XL, Axis, Tri and Smartfren; PLN tokens PLN20…PLN1000
// (an 11–12 digit meter); Mobile Legends ML5… ("userid|zoneid") and Free
// Fire FF70… ("userid"); e-money DANA, OVO, GOPAY and SHOPEE; vouchers
// GPLAY20, GPLAY50 and VIDIO30 (category type VOUCHER FISIK, so type
// "prabayar" includes them); eSIM ESIMTSEL25 and ESIMXL15; postpaid PLNPASC
// (category PLNPASCA) and BPJSKS (BPJS), type PASCABAYAR, whose harga is the
// admin fee. SM100 is gangguan, AX100 and FF720 are kosong. Phone numbers
// are 08… (10–13 digits) or 628…; the operator prefix is not checked, as the
// seed's own example tops up IS5 to a Telkomsel number. is_open=1 keeps the
// products neither gangguan nor kosong, is_open=0 the others [INF].
//
// Not simulated: the sign and HTTP-GET modes, callbacks (undocumented), IP
// whitelisting other than by test number, the pin, trx_no_mitra.
package mesinr1sim
