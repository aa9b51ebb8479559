package tripay

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// The expected hex was computed apart from this code, with
//
//	python3 -c "import hmac,hashlib; print(hmac.new(b'PRIV-k3y-0001', b'T0001DEP123ABC50000', hashlib.sha256).hexdigest())"
//	python3 -c "import hmac,hashlib; print(hmac.new(b'PRIV-k3y-0001', b'{\"reference\":\"DEV-T1\",\"status\":\"PAID\"}', hashlib.sha256).hexdigest())"
func TestSignVectors(t *testing.T) {
	const key = "PRIV-k3y-0001"
	const createWant = "29bffd86df36fc7ea65e7cfc6605d3d76ada350393183894007532125784df94"
	const callbackWant = "6461fbf0a2f6876791bc64f6f2d2466cac0b21da9a100f442b42f36eb26a2f9a"
	body := []byte(`{"reference":"DEV-T1","status":"PAID"}`)

	// The standard library on the literal, as a check on the vectors.
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("T0001DEP123ABC50000"))
	if got := hex.EncodeToString(m.Sum(nil)); got != createWant {
		t.Fatalf("crypto/hmac on the literal = %s, want %s", got, createWant)
	}

	if got := Sign("T0001", "DEP123ABC", 50000, key); got != createWant {
		t.Errorf("Sign = %s, want %s", got, createWant)
	}
	if got := CallbackSignature(body, key); got != callbackWant {
		t.Errorf("CallbackSignature = %s, want %s", got, callbackWant)
	}
}
