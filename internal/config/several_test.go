package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"topupbot/flows"
)

// severalBase is a valid configuration selling through Digiflazz and IAK.
const severalBase = `
[telegram]
token = "123456:AAE-config-test-token-abcdefgh"
[provider]
names = ["digiflazz", "iak"]
[provider.iak]
username = "081234567890"
api_key = "iak-key"
[provider.digiflazz]
username = "demouser"
api_key = "dev-key"
`

// TestConfigSeveralProviders: names and apis, each with its rules and a
// message that says what to write.
func TestConfigSeveralProviders(t *testing.T) {
	cfg, err := Parse([]byte(severalBase), noEnv)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := cfg.Provider.Active(); !slices.Equal(got, []string{"digiflazz", "iak"}) || !cfg.Provider.Multi() {
		t.Errorf("Active = %q, Multi = %v", got, cfg.Provider.Multi())
	}
	sandbox := "[telegram]\ntoken = \"123456:AAE-config-test-token-abcdefgh\"\n[provider]\nname = \"sandbox\"\n"
	cfg, err = Parse([]byte(sandbox+"[provider.sandbox]\napis = [\"iak\", \"digiflazz\"]\n"), noEnv)
	if err != nil {
		t.Fatalf("Parse apis: %v", err)
	}
	if got := cfg.Provider.Active(); !slices.Equal(got, []string{"iak", "digiflazz"}) || cfg.Provider.Sandbox.API != "" {
		t.Errorf("sandbox apis: Active = %q, api = %q", got, cfg.Provider.Sandbox.API)
	}
	cfg, err = Parse([]byte(sandbox), noEnv)
	if err != nil || !slices.Equal(cfg.Provider.Active(), []string{"iak"}) || cfg.Provider.Multi() {
		t.Errorf("sandbox alone: %v, Active = %q", err, cfg.Provider.Active())
	}

	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"name and names", strings.Replace(severalBase, "[provider]\n", "[provider]\nname = \"iak\"\n", 1),
			[]string{`provider.name and provider.names are both set: keep one`}},
		{"sandbox in names", strings.Replace(severalBase, `names = ["digiflazz", "iak"]`, `names = ["iak", "sandbox"]`, 1),
			[]string{`provider.names[1] is "sandbox": the simulator is not a provider to combine; use provider.name = "sandbox" with provider.sandbox.apis`}},
		{"unknown", strings.Replace(severalBase, `names = ["digiflazz", "iak"]`, `names = ["iak", "otomax"]`, 1),
			[]string{`provider.names[1] "otomax" is unknown: use "iak", "mesinr1" or "digiflazz"`}},
		{"duplicate", strings.Replace(severalBase, `names = ["digiflazz", "iak"]`, `names = ["iak", "digiflazz", "iak"]`, 1),
			[]string{`provider.names[2] "iak" is also provider.names[0]: name each provider once`}},
		{"one", strings.Replace(severalBase, `names = ["digiflazz", "iak"]`, `names = ["iak"]`, 1),
			[]string{`provider.names lists one provider: write name = "iak" instead`}},
		{"accounts", strings.Replace(severalBase, `names = ["digiflazz", "iak"]`, `names = ["mesinr1", "iak"]`, 1),
			[]string{`provider.mesinr1.base_url is required with "mesinr1" in provider.names`,
				`provider.mesinr1.mmid is required with "mesinr1" in provider.names`,
				`provider.mesinr1.api_key is required with "mesinr1" in provider.names`}},
		{"api and apis", sandbox + "[provider.sandbox]\napi = \"iak\"\napis = [\"iak\", \"digiflazz\"]\n",
			[]string{`provider.sandbox.api and provider.sandbox.apis are both set: keep one`}},
		{"apis without sandbox", severalBase + "[provider.sandbox]\napis = [\"iak\", \"digiflazz\"]\n",
			[]string{`provider.sandbox.apis is set but provider.name is "": the simulators run only with provider.name = "sandbox"`}},
		{"apis duplicate", sandbox + "[provider.sandbox]\napis = [\"iak\", \"iak\"]\n",
			[]string{`provider.sandbox.apis[1] "iak" is also provider.sandbox.apis[0]`}},
		{"apis sandbox", sandbox + "[provider.sandbox]\napis = [\"iak\", \"sandbox\"]\n",
			[]string{`provider.sandbox.apis[1] is "sandbox"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.file), noEnv)
			if err == nil {
				t.Fatalf("Parse accepted:\n%s", tc.file)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestConfigRoutes: [[route]] tables keep the file's order of their codes —
// the order of preference — and every rule has its message.
func TestConfigRoutes(t *testing.T) {
	file := severalBase + `
[[route]]
code = "T10"
name = "Telkomsel 10.000"
category = "pulsa"
codes = { iak = "htelkomsel10000", digiflazz = "tsel10" }

[[route]]
code = "T20"
name = "Telkomsel 20.000"
category = "pulsa"
[route.codes]
digiflazz = "tsel20"
iak = "htelkomsel20000"
`
	cfg, err := Parse([]byte(file), noEnv)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []flows.Route{
		{Code: "T10", Name: "Telkomsel 10.000", Category: flows.CategoryPulsa,
			Legs: []flows.RouteLeg{{Provider: "iak", Code: "htelkomsel10000"}, {Provider: "digiflazz", Code: "tsel10"}}},
		{Code: "T20", Name: "Telkomsel 20.000", Category: flows.CategoryPulsa,
			Legs: []flows.RouteLeg{{Provider: "digiflazz", Code: "tsel20"}, {Provider: "iak", Code: "htelkomsel20000"}}},
	}
	if got := cfg.FlowRoutes(); !reflect.DeepEqual(got, want) {
		t.Errorf("routes:\n got %+v\nwant %+v", got, want)
	}
	// The order is the file's whatever the map's: many codes, many times.
	many := severalBase + "[[route]]\ncode = \"X\"\nname = \"X\"\ncategory = \"data\"\ncodes = { iak = \"a\", digiflazz = \"b\" }\n"
	for range 20 {
		cfg, err := Parse([]byte(many), noEnv)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Routes[0].Codes; got[0].Provider != "iak" || got[1].Provider != "digiflazz" {
			t.Fatalf("codes %+v: not in the file's order", got)
		}
	}
	// An inline array of tables keeps it too.
	cfg, err = Parse([]byte(`route = [{ code = "A", name = "A", category = "pulsa", codes = { iak = "a", digiflazz = "b" } },
  { code = "B", name = "B", category = "pulsa", codes = { digiflazz = "c", iak = "d" } }]
`+severalBase), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := cfg.Routes[0].Codes, cfg.Routes[1].Codes; a[0].Provider != "iak" || b[0].Provider != "digiflazz" {
		t.Errorf("inline routes: %+v, %+v", a, b)
	}

	route := func(body string) string { return severalBase + "[[route]]\n" + body }
	ok := "code = \"T10\"\nname = \"Telkomsel 10.000\"\ncategory = \"pulsa\"\ncodes = { digiflazz = \"tsel10\" }\n"
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"one provider", strings.Replace(route(ok), `names = ["digiflazz", "iak"]`, `name = "digiflazz"`, 1),
			[]string{`route: a [[route]] fills a product from several providers: set provider.names`}},
		{"no code", route(strings.Replace(ok, "code = \"T10\"\n", "", 1)), []string{`route[0].code is required`}},
		{"colon", route(strings.Replace(ok, `"T10"`, `"iak:T10"`, 1)), []string{`route[0].code "iak:T10" contains ':'`}},
		{"long", route(strings.Replace(ok, `"T10"`, `"T123456789012345678901"`, 1)), []string{`a route's code is 1 to 20 letters, digits, '-' or '_'`}},
		{"space", route(strings.Replace(ok, `"T10"`, `"T 10"`, 1)), []string{`route[0].code "T 10": a route's code is 1 to 20`}},
		{"duplicate", route(ok + "[[route]]\n" + strings.Replace(ok, `"T10"`, `"t10"`, 1)),
			[]string{`route[1].code "t10" is also route[0]'s`}},
		{"no name", route(strings.Replace(ok, "name = \"Telkomsel 10.000\"\n", "", 1)), []string{`route[0].name is required`}},
		{"no category", route(strings.Replace(ok, "category = \"pulsa\"\n", "", 1)), []string{`route[0].category is required`}},
		{"bill", route(strings.Replace(ok, `"pulsa"`, `"tagihan"`, 1)), []string{`route[0].category = "tagihan": bills are not routed`}},
		{"bad category", route(strings.Replace(ok, `"pulsa"`, `"pulse"`, 1)), []string{`route[0].category "pulse" is not a category`}},
		{"no codes", route(strings.Replace(ok, "codes = { digiflazz = \"tsel10\" }\n", "", 1)), []string{`route[0].codes is required`}},
		{"empty codes", route(strings.Replace(ok, `{ digiflazz = "tsel10" }`, `{}`, 1)), []string{`route[0].codes is required`}},
		{"provider not configured", route(strings.Replace(ok, `digiflazz = "tsel10"`, `mesinr1 = "T10"`, 1)),
			[]string{`route[0].codes.mesinr1: "mesinr1" is not a provider configured to sell (provider.names = ["digiflazz" "iak"])`}},
		{"empty code", route(strings.Replace(ok, `"tsel10"`, `""`, 1)), []string{`route[0].codes.digiflazz "": write the provider's product code`}},
		{"number code", route(strings.Replace(ok, `"tsel10"`, `10`, 1)),
			[]string{`route[0].codes.digiflazz: found 10 (a number); write the provider's product code in quotes`}},
		{"number name", route(strings.Replace(ok, `"Telkomsel 10.000"`, `10000`, 1)),
			[]string{`route[0].name: found 10000 (a number); write it in quotes: name = "Telkomsel 10.000"`}},
		{"codes not a table", route(strings.Replace(ok, `{ digiflazz = "tsel10" }`, `"tsel10"`, 1)),
			[]string{`route[0].codes: found text in quotes, not a table`}},
		{"typo", route(ok + "catgory = \"pulsa\"\n"), []string{`unknown key route[0].catgory: did you mean route[0].category?`}},
		{"not tables", "route = \"T10\"\n" + severalBase, []string{`route: found text in quotes, not a list of tables; write each route as a [[route]] table`}},
		{"a table", severalBase + "[route]\ncode = \"T10\"\n", []string{`route: found a table, not a list of tables`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.file), noEnv)
			if err == nil {
				t.Fatalf("Parse accepted:\n%s", tc.file)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			// A mistyped key is reported once, not again as missing.
			if strings.Contains(tc.name, "number") && strings.Contains(err.Error(), "is required") {
				t.Errorf("a mistyped key is also reported as missing: %v", err)
			}
		})
	}
}
