// Package sandbox holds what the provider simulators share; the simulators
// themselves are its sub-packages, one per provider API topupbot speaks:
// iaksim (IAK prepaid and postpaid), mesinr1sim (Mesin R1's JSON "rqid"
// API), digiflazzsim (Digiflazz's buyer API and its signed webhooks) and
// tripaysim (Tripay's QRIS payment gateway). Each is an http.Handler that speaks its provider's real wire format,
// good enough to develop against instead of the providers' own sandboxes:
// the demo, the tests and the benchmarks all run on them.
//
//	srv := httptest.NewServer(iaksim.New(iaksim.Options{...}))
//	srv := httptest.NewServer(mesinr1sim.New(mesinr1sim.Options{...}))
//	srv := httptest.NewServer(digiflazzsim.New(digiflazzsim.Options{...})) // client base: srv.URL + "/v1"
//	srv := httptest.NewServer(tripaysim.New(tripaysim.Options{...}))
//
// The simulators are strict where the real APIs are (signatures, rqid/mmid,
// required fields, paths) and keep a deposit that moves with every
// transaction and refund. Every delay and the clock are injectable.
//
// Package sandbox and its simulators do not import the clients: they are a
// second, independent reading of the same documents, so a misreading shared
// by client and simulator is less likely to hide (imports_test.go checks it).
package sandbox
