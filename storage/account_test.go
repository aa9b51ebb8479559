package storage

import (
	"testing"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// TestAdoptAccountHost: a pending Mesin R1 order written before accounts
// recorded their host — its JSON has no "Host" — is adopted by the
// configured account with the same mmid and key hash, once; orders with a
// host, of another mmid or key, of IAK, or settled are left alone.
func TestAdoptAccountHost(t *testing.T) {
	db, _, clk := openTest(t)
	configured := flows.Account{Provider: "mesinr1", ID: "C71283", KeyHash: "k1", Host: "b.mesinr1.com"}
	// As the previous version wrote it.
	const old = `{"ref_id":"OLD1","chat_id":1,"user_id":1,"token":"T0","kind":"prepaid","product_code":"IS5",` +
		`"product_name":"INDOSAT 5.000","category":"pulsa","customer_number":"081234567890","price":6000,"cost":5500,` +
		`"account":{"Provider":"mesinr1","ID":"C71283","KeyHash":"k1"},"status":"pending",` +
		`"created_at":"2026-11-23T10:00:00Z","updated_at":"2026-11-23T10:00:00Z"}`
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketOrders).Put([]byte("OLD1"), []byte(old)); err != nil {
			return err
		}
		return tx.Bucket(bucketPending).Put([]byte("OLD1"), i64(clk.Now().UnixNano()))
	})
	if err != nil {
		t.Fatal(err)
	}
	others := map[string]flows.Account{
		"HOSTED": {Provider: "mesinr1", ID: "C71283", KeyHash: "k1", Host: "a.mesinr1.com"},
		"OTHKEY": {Provider: "mesinr1", ID: "C71283", KeyHash: "k2"},
		"OTHMID": {Provider: "mesinr1", ID: "C99999", KeyHash: "k1"},
		"IAK":    {Provider: "iak", ID: "C71283", KeyHash: "k1"},
	}
	for ref, acct := range others {
		o := newOrder(ref, 1, "T"+ref)
		o.Account = acct
		if _, _, err := db.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	settled := newOrder("SETTLED", 1, "TS")
	settled.Account = flows.Account{Provider: "mesinr1", ID: "C71283", KeyHash: "k1"}
	if _, _, err := db.CreateOrder(ctx, settled); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateOrder(ctx, "SETTLED", func(o *flows.Order) ([]flows.Notification, error) {
		o.Status = flows.StatusSuccess
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}

	if n, err := db.AdoptAccountHost(ctx, flows.Account{Provider: "iak", ID: "C71283", KeyHash: "k1"}); err != nil || n != 0 {
		t.Fatalf("an account without a host adopted %d orders (%v)", n, err)
	}
	n, err := db.AdoptAccountHost(ctx, configured)
	if err != nil || n != 1 {
		t.Fatalf("adopted %d orders (%v), want 1", n, err)
	}
	got, err := db.Order(ctx, "OLD1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Account != configured || got.Status != flows.StatusPending || got.CustomerNumber != "081234567890" {
		t.Errorf("old order after adoption: %+v", got)
	}
	for ref, acct := range others {
		if o, _ := db.Order(ctx, ref); o.Account != acct {
			t.Errorf("%s: account %+v, want it untouched (%+v)", ref, o.Account, acct)
		}
	}
	if o, _ := db.Order(ctx, "SETTLED"); o.Account.Host != "" {
		t.Errorf("settled order adopted: %+v", o.Account)
	}
	// Idempotent: a second start finds nothing to adopt, whatever it runs with.
	db = reopen(t, db, clk)
	for _, acct := range []flows.Account{configured, {Provider: "mesinr1", ID: "C71283", KeyHash: "k1", Host: "c.mesinr1.com"}} {
		if n, err := db.AdoptAccountHost(ctx, acct); err != nil || n != 0 {
			t.Errorf("second run with %s adopted %d (%v), want 0", acct, n, err)
		}
	}
	if o, _ := db.Order(ctx, "OLD1"); o.Account != configured {
		t.Errorf("after the second run: %+v", o.Account)
	}
}
