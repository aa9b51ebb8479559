package mesinr1

import "testing"

// TestAccountNamesTheTenant: the account of an order includes the tenant's
// host, so a base_url switched to another tenant with the same mmid and key
// is another account (DESIGN rule 4). The port, the scheme, the case and a
// trailing /V1/api are not part of it.
func TestAccountNamesTheTenant(t *testing.T) {
	account := func(base string) string {
		t.Helper()
		c, err := New(Config{BaseURL: base, MMID: "C71283", APIKey: testKey})
		if err != nil {
			t.Fatal(err)
		}
		return c.Account().String()
	}
	a := account("https://apiindotel.mesinr1.com")
	for _, same := range []string{"https://APIINDOTEL.mesinr1.com/", "http://apiindotel.mesinr1.com:8443", "https://apiindotel.mesinr1.com/V1/api"} {
		if got := account(same); got != a {
			t.Errorf("%s: account %s, want %s", same, got, a)
		}
	}
	if b := account("https://apilain.mesinr1.com"); b == a {
		t.Errorf("another tenant's host gives the same account %s", b)
	}
	if want := "@apiindotel.mesinr1.com"; len(a) < len(want) || a[len(a)-len(want):] != want {
		t.Errorf("account %s does not name the host", a)
	}
}
