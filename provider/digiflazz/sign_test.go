package digiflazz

import "testing"

// The vectors are providers.md §5's, computed independently of this code.
func TestSignVectors(t *testing.T) {
	for _, tc := range []struct{ x, want string }{
		{"some1d", "5643ee984a68fdd8f55b1c8bee3aa855"},
		{"depo", "8be66b0daa1ba72a266aec4df6536f39"},
		{"pricelist", "89575845b9afb4bdb0f5f45c8de67658"},
		{"deposit", "b5c2a792a0b5a15e40a888f02dc8bd1f"},
	} {
		if got := sign("demouser", "dev-0123456789abcdef", tc.x); got != tc.want {
			t.Errorf("sign(%q) = %s, want %s", tc.x, got, tc.want)
		}
	}
}

func TestWebhookSignatureVector(t *testing.T) {
	got := webhookSignature([]byte("somesecret"), []byte(`{"data":{"ref_id":"some1d","status":"Sukses"}}`))
	if want := "sha1=631ca5acb1d07a21286b6b44373d074be4afd401"; got != want {
		t.Errorf("signature = %s, want %s", got, want)
	}
}
