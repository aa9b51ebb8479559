package config

import (
	"strings"
	"testing"
)

// TestReviewConfigSeveralSecretsNotInErrors: every refusal of a
// configuration with several providers — names, apis, routes, a key
// mistyped, values from the environment — names no secret.
func TestReviewConfigSeveralSecretsNotInErrors(t *testing.T) {
	const iakKey, dfKey, hook = "iak-SECRET-0001", "df-SECRET-0002", "hook-SECRET-0003"
	base := strings.Replace(strings.Replace(severalBase, `"iak-key"`, `"`+iakKey+`"`, 1), `"dev-key"`, `"`+dfKey+`"`, 1) +
		"webhook_secret = \"" + hook + "\"\n"
	env := func(k string) string {
		switch k {
		case envIAKAPIKey:
			return iakKey
		case envDigiflazzKey:
			return dfKey
		case envDigiflazzHook:
			return hook
		}
		return ""
	}
	for _, f := range []string{
		strings.Replace(base, "[provider]\n", "[provider]\nname = \"iak\"\n", 1),
		strings.Replace(base, `names = ["digiflazz", "iak"]`, `names = ["iak", "otomax"]`, 1),
		strings.Replace(base, `names = ["digiflazz", "iak"]`, `names = ["iak", "iak"]`, 1),
		strings.Replace(base, `names = ["digiflazz", "iak"]`, `names = ["iak"]`, 1),
		strings.Replace(base, `names = ["digiflazz", "iak"]`, `names = ["mesinr1", "iak"]`, 1),
		strings.Replace(base, `username = "demouser"`, `username = "demo user"`, 1),
		strings.Replace(base, `"`+dfKey+`"`, `" `+dfKey+` "`, 1),
		strings.Replace(base, `"`+iakKey+`"`, `12345`, 1),
		base + "[[route]]\ncode = \"T10\"\nname = \"T\"\ncategory = \"pulsa\"\ncodes = { mesinr1 = \"a\", iak = \"a x\" }\n",
		base + "[[route]]\napi_key = \"" + dfKey + "\"\n",
		base + "[provider.sandbox]\napis = [\"iak\", \"digiflazz\"]\n",
	} {
		for _, e := range []func(string) string{noEnv, env} {
			_, err := Parse([]byte(f), e)
			if err == nil {
				continue // (a key with spaces around it is trimmed)
			}
			for _, s := range []string{"SECRET"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error names a secret: %v", err)
				}
			}
		}
	}
}

// TestReviewConfigEmptyLists: names = [] and apis = [] are refused or
// ignored, never a provider named "".
func TestReviewConfigEmptyLists(t *testing.T) {
	sandbox := "[telegram]\ntoken = \"123456:AAE-config-test-token-abcdefgh\"\n[provider]\nname = \"sandbox\"\n[provider.sandbox]\napis = []\n"
	cfg, err := Parse([]byte(sandbox), noEnv)
	if err == nil {
		t.Errorf("apis = [] accepted: Active = %q", cfg.Provider.Active())
	} else if !strings.Contains(err.Error(), "provider.sandbox.apis is empty") {
		t.Errorf("apis = [] refused as: %v", err)
	}
	names := strings.Replace(severalBase, `names = ["digiflazz", "iak"]`, `names = []`, 1)
	if cfg, err := Parse([]byte(names), noEnv); err == nil {
		t.Errorf("names = [] without name accepted: Active = %q", cfg.Provider.Active())
	}
}
