package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"topupbot/flows"
)

// configEnv returns a getenv serving vars.
func configEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func noEnv(string) string { return "" }

// minimalConfig is the smallest valid file: everything else defaults.
const minimalConfig = `
[telegram]
token = "123456:AAE-config-test-token-abcdefgh"
[provider]
name = "sandbox"
`

// configFile writes a TOML file from the base valid configuration with
// some keys replaced or added. A key is "section.leaf" ("pricing.category.pln"
// lands in [pricing.category]); a value is a TOML literal, or "-" to drop the
// key.
func configFile(overrides map[string]string) string {
	base := []struct{ key, value string }{
		{"telegram.token", `"123456:AAE-config-test-token-abcdefgh"`},
		{"provider.name", `"iak"`},
		{"provider.iak.username", `"081234567890"`},
		{"provider.iak.api_key", `"iak-key"`},
	}
	seen := map[string]bool{}
	var keys, values []string
	for _, kv := range base {
		seen[kv.key] = true
		v, ok := overrides[kv.key]
		if !ok {
			v = kv.value
		}
		keys, values = append(keys, kv.key), append(values, v)
	}
	extra := make([]string, 0, len(overrides))
	for k := range overrides {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		keys, values = append(keys, k), append(values, overrides[k])
	}

	bySection := map[string][]string{}
	var sections []string
	for i, k := range keys {
		if values[i] == "-" {
			continue
		}
		dot := strings.LastIndexByte(k, '.')
		section, leaf := "", k
		if dot >= 0 {
			section, leaf = k[:dot], k[dot+1:]
		}
		if _, ok := bySection[section]; !ok {
			sections = append(sections, section)
		}
		bySection[section] = append(bySection[section], leaf+" = "+values[i])
	}
	var b strings.Builder
	if top, ok := bySection[""]; ok {
		b.WriteString(strings.Join(top, "\n") + "\n")
	}
	for _, s := range sections {
		if s != "" {
			fmt.Fprintf(&b, "[%s]\n%s\n", s, strings.Join(bySection[s], "\n"))
		}
	}
	return b.String()
}

// errLines splits a joined error into its messages.
func errLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

// comparable drops what reflect.DeepEqual cannot compare (each
// time.LoadLocation returns a new *Location) after checking it by name.
func comparableConfig(t *testing.T, c Config, wantZone string) Config {
	t.Helper()
	if c.Poller.Location == nil || c.Poller.Location.String() != wantZone {
		t.Errorf("poller location %v, want %s", c.Poller.Location, wantZone)
	}
	c.Poller.Location = nil
	return c
}

func TestConfigDefaults(t *testing.T) {
	got, err := Parse([]byte(minimalConfig), noEnv)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := Config{
		Telegram: Telegram{
			Token:       Secret{"123456:AAE-config-test-token-abcdefgh"},
			APIEndpoint: "https://api.telegram.org/bot%s/%s",
			PollTimeout: 50 * time.Second,
			Lang:        flows.LangID,
		},
		Provider: Provider{
			Name:      "sandbox",
			Timeout:   30 * time.Second,
			IAK:       IAK{BaseURL: "https://prepaid.iak.id", PostpaidURL: "https://mobilepulsa.net"},
			Digiflazz: Digiflazz{BaseURL: "https://api.digiflazz.com/v1"},
			Sandbox:   Sandbox{API: "iak"},
		},
		Callback: Listener{Listen: "127.0.0.1:8090"},
		Ops:      Listener{Listen: "127.0.0.1:8091"},
		Storage:  Storage{Path: "topupbot.db"},
		Poller:   Poller{Schedule: "@every 15s", Concurrency: 8, AlertAfter: time.Hour},
		Catalog:  Catalog{Refresh: "@every 30m"},
		Log:      Log{Level: slog.LevelInfo, Format: "text"},
		Wallet:   flows.WalletConfig{MinDeposit: 10000, MaxDeposit: 10000000, DepositExpiry: 24 * time.Hour, UniqueCode: true},
		Payment:  Payment{Tripay: Tripay{BaseURL: "https://tripay.co.id/api/"}},
	}
	if got := comparableConfig(t, got, "Asia/Jakarta"); !reflect.DeepEqual(got, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", got, want)
	}
}

// fullConfig sets every key to a value other than its default.
const fullConfig = `
[telegram]
token = "123456:AAE-config-test-token-abcdefgh"
api_endpoint = "http://127.0.0.1:8081/bot%s/%s"
admins = [111, 222]
notify_chat_id = -1001234567890
allowed_users = [333]
open = true
poll_timeout = "25s"
lang = "en"

[provider]
name = "iak"
# names = ["digiflazz", "iak"] (TestConfigSeveralProviders: not with name)
timeout = "45s"

[provider.iak]
base_url = "https://prepaid.iak.dev/"
postpaid_url = "https://testpostpaid.mobilepulsa.net"
username = "081234567890"
api_key = "iak-key"
callback_ips = ["52.76.169.212", "10.1.2.3/16", "2001:db8::/32", "::ffff:52.220.38.194"]

[provider.mesinr1]
base_url = "https://apiindotel.mesinr1.com"
mmid = "MM123"
api_key = "mr1-key"

[provider.digiflazz]
base_url = "https://digiflazz.example/v1"
username = "demouser"
api_key = "dev-0123456789abcdef"
webhook_secret = "somesecret"
testing = true

[provider.sandbox]
api = "mesinr1"
# apis = ["iak", "digiflazz"] (TestConfigSeveralProviders: not with api)

[pricing]
markup = 500
min_margin = 200

[pricing.category]
pulsa = 0
data = 100
pln = 1500
game = 200
emoney = 300
voucher = 400
esim = 600
tagihan = 2500

[pricing.level.reseller]
markup = 300

[pricing.level.reseller.category]
pln = 1000

[callback]
listen = ""

[ops]
listen = "[::1]:9000"

[storage]
path = "/var/lib/topupbot/bot.db"

[poller]
schedule = "*/2 * * * *"
concurrency = 3
timezone = "Asia/Makassar"
alert_after = "90m"

[catalog]
refresh = "@hourly"

[alerts]
low_balance = 250000

[log]
level = "debug"
format = "json"

[wallet]
enabled = true
min_deposit = 20000
max_deposit = 5000000
deposit_expiry = "6h"
unique_code = false
transfer_info = "BCA 1234567890 a.n. Toko Budi"

[payment]
gateway = ""

[payment.tripay]
base_url = "https://tripay.co.id/api-sandbox/"
merchant_code = "T12345"
api_key = "DEV-abc"
private_key = "priv-xyz"

# [[route]] needs several providers: TestConfigRoutes
# code = "T10"
# name = "Telkomsel 10.000"
# category = "pulsa"
# codes = { digiflazz = "tsel10", iak = "htelkomsel10000" }
`

func TestConfigEveryKey(t *testing.T) {
	got, err := Parse([]byte(fullConfig), noEnv)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := Config{
		Telegram: Telegram{
			Token:        Secret{"123456:AAE-config-test-token-abcdefgh"},
			APIEndpoint:  "http://127.0.0.1:8081/bot%s/%s",
			Admins:       []int64{111, 222},
			NotifyChatID: -1001234567890,
			AllowedUsers: []int64{333},
			Open:         true,
			PollTimeout:  25 * time.Second,
			Lang:         flows.LangEN,
		},
		Provider: Provider{
			Name:    "iak",
			Timeout: 45 * time.Second,
			IAK: IAK{
				BaseURL:     "https://prepaid.iak.dev/",
				PostpaidURL: "https://testpostpaid.mobilepulsa.net",
				Username:    "081234567890",
				APIKey:      Secret{"iak-key"},
				CallbackIPs: []netip.Prefix{
					netip.MustParsePrefix("52.76.169.212/32"),
					netip.MustParsePrefix("10.1.0.0/16"),
					netip.MustParsePrefix("2001:db8::/32"),
					netip.MustParsePrefix("52.220.38.194/32"),
				},
			},
			MesinR1: MesinR1{BaseURL: "https://apiindotel.mesinr1.com", MMID: "MM123", APIKey: Secret{"mr1-key"}},
			Digiflazz: Digiflazz{BaseURL: "https://digiflazz.example/v1", Username: "demouser",
				APIKey: Secret{"dev-0123456789abcdef"}, WebhookSecret: Secret{"somesecret"}, Testing: true},
			Sandbox: Sandbox{API: "mesinr1"},
		},
		Pricing: flows.Pricing{Markup: 500, MinMargin: 200, Category: map[flows.CategoryID]int64{
			flows.CategoryPulsa: 0, flows.CategoryData: 100, flows.CategoryPLN: 1500, flows.CategoryGame: 200,
			flows.CategoryEMoney: 300, flows.CategoryVoucher: 400, flows.CategoryESIM: 600, flows.CategoryBill: 2500,
		}, Level: map[string]*flows.Pricing{
			"reseller": {Markup: 300, Category: map[flows.CategoryID]int64{flows.CategoryPLN: 1000}},
		}},
		Callback: Listener{Listen: ""},
		Ops:      Listener{Listen: "[::1]:9000"},
		Storage:  Storage{Path: "/var/lib/topupbot/bot.db"},
		Poller:   Poller{Schedule: "*/2 * * * *", Concurrency: 3, AlertAfter: 90 * time.Minute},
		Catalog:  Catalog{Refresh: "@hourly"},
		Alerts:   Alerts{LowBalance: 250000},
		Log:      Log{Level: slog.LevelDebug, Format: "json"},
		Wallet: flows.WalletConfig{Enabled: true, MinDeposit: 20000, MaxDeposit: 5000000, DepositExpiry: 6 * time.Hour,
			TransferInfo: "BCA 1234567890 a.n. Toko Budi"},
		Payment: Payment{Tripay: Tripay{BaseURL: "https://tripay.co.id/api-sandbox/", MerchantCode: "T12345",
			APIKey: Secret{"DEV-abc"}, PrivateKey: Secret{"priv-xyz"}}},
	}
	if got := comparableConfig(t, got, "Asia/Makassar"); !reflect.DeepEqual(got, want) {
		t.Errorf("every key:\n got %+v\nwant %+v", got, want)
	}

	// The fixture must keep up with the key set.
	written := tomlKeysWritten(fullConfig)
	for _, k := range knownKeys() {
		if !written[k] {
			t.Errorf("fullConfig does not set %s", k)
		}
	}
}

// tomlKeysWritten lists the keys and table headers in a TOML text, counting
// commented-out ones ("# pln = 1500", "# [pricing.level.reseller]") too:
// for documentation, they count.
func tomlKeysWritten(text string) map[string]bool {
	keys := map[string]bool{}
	header := regexp.MustCompile(`^(?:# ?)?\[\[?([a-z0-9_.]+)\]`)
	key := regexp.MustCompile(`^(?:# ?)?([a-z0-9_]+) = `)
	section := ""
	for line := range strings.Lines(text) {
		if m := header.FindStringSubmatch(line); m != nil {
			section = m[1]
			parts := strings.Split(section, ".")
			for i := range parts {
				keys[strings.Join(parts[:i+1], ".")] = true
			}
		} else if m := key.FindStringSubmatch(line); m != nil {
			keys[section+"."+m[1]] = true
		}
	}
	return keys
}

func TestConfigMarkupFor(t *testing.T) {
	cfg, err := Parse([]byte(configFile(map[string]string{
		"pricing.markup": "1000", "pricing.category.pln": "2500", "pricing.category.pulsa": "0",
	})), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cat  flows.CategoryID
		want int64
	}{
		{flows.CategoryPLN, 2500},
		{flows.CategoryPulsa, 0}, // an explicit 0 overrides the general markup
		{flows.CategoryData, 1000},
		{flows.CategoryBill, 1000},
	} {
		if got := cfg.Pricing.For(tc.cat); got != tc.want {
			t.Errorf("markupFor(%s) = %d, want %d", tc.cat, got, tc.want)
		}
	}
}

func TestConfigEnvOverrides(t *testing.T) {
	file := configFile(map[string]string{
		"telegram.token":           `"111:AAE-file-token-abcdefghijklmnop"`,
		"provider.iak.api_key":     `"file-iak"`,
		"provider.mesinr1.api_key": `"file-mr1"`,
	})
	tests := []struct {
		name           string
		file           string
		env            map[string]string
		token, iak, mr string
	}{
		{"no env", file, nil, "111:AAE-file-token-abcdefghijklmnop", "file-iak", "file-mr1"},
		{"empty env does not override", file, map[string]string{
			"TOPUPBOT_TELEGRAM_TOKEN": "", "TOPUPBOT_IAK_API_KEY": "", "TOPUPBOT_MESINR1_API_KEY": "",
		}, "111:AAE-file-token-abcdefghijklmnop", "file-iak", "file-mr1"},
		{"token", file, map[string]string{"TOPUPBOT_TELEGRAM_TOKEN": "222:AAE-env-token-abcdefghijklmnopq"}, "222:AAE-env-token-abcdefghijklmnopq", "file-iak", "file-mr1"},
		{"iak key", file, map[string]string{"TOPUPBOT_IAK_API_KEY": "env-iak"}, "111:AAE-file-token-abcdefghijklmnop", "env-iak", "file-mr1"},
		{"mesinr1 key", file, map[string]string{"TOPUPBOT_MESINR1_API_KEY": "env-mr1"}, "111:AAE-file-token-abcdefghijklmnop", "file-iak", "env-mr1"},
		{"env fills what the file leaves out", configFile(map[string]string{
			"telegram.token": "-", "provider.iak.api_key": "-",
		}), map[string]string{
			"TOPUPBOT_TELEGRAM_TOKEN": "222:AAE-env-token-abcdefghijklmnopq", "TOPUPBOT_IAK_API_KEY": "env-iak", "TOPUPBOT_MESINR1_API_KEY": "env-mr1",
		}, "222:AAE-env-token-abcdefghijklmnopq", "env-iak", "env-mr1"},
		{"other TOPUPBOT_ variables are ignored", file, map[string]string{"TOPUPBOT_IAK_USERNAME": "x"},
			"111:AAE-file-token-abcdefghijklmnop", "file-iak", "file-mr1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tc.file), configEnv(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			got := []string{cfg.Telegram.Token.Reveal(), cfg.Provider.IAK.APIKey.Reveal(), cfg.Provider.MesinR1.APIKey.Reveal()}
			if want := []string{tc.token, tc.iak, tc.mr}; !slices.Equal(got, want) {
				t.Errorf("token, iak key, mesinr1 key = %q, want %q", got, want)
			}
		})
	}

	// Required secrets can come from the environment alone.
	onlyEnv := configFile(map[string]string{"telegram.token": "-", "provider.iak.api_key": "-"})
	if _, err := Parse([]byte(onlyEnv), noEnv); err == nil {
		t.Error("token and api key missing from file and environment: no error")
	}
	// A nil getenv means no environment.
	if _, err := Parse([]byte(minimalConfig), nil); err != nil {
		t.Errorf("nil getenv: %v", err)
	}
}

func TestConfigUnknownKeys(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // the whole error, one problem a line
	}{
		{"top level", minimalConfig + "\nverbose = true\n",
			// Under [provider], so it is provider.verbose.
			[]string{"unknown key provider.verbose: remove it (config.example.toml lists every key)"}},
		{"top level before any table", "verbose = true\n" + minimalConfig,
			[]string{"unknown key verbose: remove it (config.example.toml lists every key)"}},
		{"nested typo", configFile(map[string]string{"provider.iak.usrname": `"x"`}),
			[]string{"unknown key provider.iak.usrname: did you mean provider.iak.username?"}},
		{"right key, wrong table", configFile(map[string]string{"provider.callback_ips": `["1.2.3.4"]`}),
			[]string{"unknown key provider.callback_ips: did you mean provider.iak.callback_ips?"}},
		{"pricing.category", configFile(map[string]string{"pricing.category.pulse": "5"}),
			[]string{"unknown key pricing.category.pulse: the categories are pulsa, data, pln, game, emoney, voucher, esim, tagihan"}},
		{"a whole table, named once", configFile(map[string]string{"webhook.url": `"x"`, "webhook.port": "1"}),
			[]string{"unknown key webhook: remove it (config.example.toml lists every key)"}},
		{"with a validation problem", configFile(map[string]string{"telegram.tokn": `"x"`, "telegram.token": "-"}),
			[]string{
				"unknown key telegram.tokn: did you mean telegram.token?",
				"telegram.token is required: set it or TOPUPBOT_TELEGRAM_TOKEN",
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.file), noEnv)
			if got := errLines(err); !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestConfigWrongType(t *testing.T) {
	tests := []struct{ key, value string }{
		{"telegram.token", "123"},
		{"telegram.admins", `"111"`},
		{"telegram.admins", `["111"]`},
		{"telegram.open", `"yes"`},
		{"telegram.poll_timeout", "50"},
		{"telegram.notify_chat_id", "1.5"},
		{"provider.iak.callback_ips", `"1.2.3.4"`},
		{"pricing.markup", `"500"`},
		{"pricing.category.pln", `"1500"`},
		{"pricing.category", "5"},
		{"pricing.category", `"pln"`},
		{"pricing.category", "[1500]"},
		{"poller.concurrency", `"8"`},
		{"pricing.markup", "99999999999999999999"},
	}
	for _, tc := range tests {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			var file string
			if tc.key == "pricing.category" {
				file = configFile(nil) + "[pricing]\ncategory = " + tc.value + "\n"
			} else {
				file = configFile(map[string]string{tc.key: tc.value})
			}
			_, err := Parse([]byte(file), noEnv)
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Errorf("error %v does not name %s", err, tc.key)
			}
		})
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]string
		want      string // the only problem
	}{
		{"token missing", map[string]string{"telegram.token": "-"},
			"telegram.token is required: set it or TOPUPBOT_TELEGRAM_TOKEN"},
		{"token empty", map[string]string{"telegram.token": `""`},
			"telegram.token is required: set it or TOPUPBOT_TELEGRAM_TOKEN"},
		{"token with a space", map[string]string{"telegram.token": `"123456:AAE-config-test-token-abcdefgh "`},
			"telegram.token (or TOPUPBOT_TELEGRAM_TOKEN) contains white space or control characters: copy it again without them (the value is not shown: it is a secret)"},
		{"api_endpoint one %s", map[string]string{"telegram.api_endpoint": `"http://127.0.0.1:8081/bot%s"`},
			`telegram.api_endpoint "http://127.0.0.1:8081/bot%s" must contain %s twice (for the token, then the method) and no other %: use e.g. "http://127.0.0.1:8081/bot%s/%s" for a local Bot API server, or leave it out for Telegram's`},
		{"api_endpoint another verb", map[string]string{"telegram.api_endpoint": `"http://h/bot%s/%s?x=%d"`},
			`telegram.api_endpoint "http://h/bot%s/%s?x=%d" must contain %s twice`},
		{"api_endpoint not http", map[string]string{"telegram.api_endpoint": `"ftp://h/bot%s/%s"`},
			`telegram.api_endpoint "ftp://h/bot%s/%s" is not an absolute http(s) URL`},
		{"admin zero", map[string]string{"telegram.admins": "[1, 0]"},
			"telegram.admins[1] = 0 is not a user id: user ids are positive (ask @userinfobot); a group's id goes in telegram.notify_chat_id"},
		{"allowed user negative", map[string]string{"telegram.allowed_users": "[-100123]"},
			"telegram.allowed_users[0] = -100123 is not a user id"},
		{"poll_timeout unreadable", map[string]string{"telegram.poll_timeout": `"50"`},
			`telegram.poll_timeout "50" is not a duration: use Go syntax such as "50s" or "2m"`},
		{"poll_timeout under a second", map[string]string{"telegram.poll_timeout": `"500ms"`},
			`telegram.poll_timeout is 500ms: it must be at least 1s (the default is "50s")`},
		{"lang unknown", map[string]string{"telegram.lang": `"jv"`},
			`telegram.lang is "jv": use "id" (Bahasa Indonesia, the default) or "en" (English)`},
		{"poll_timeout negative", map[string]string{"telegram.poll_timeout": `"-5s"`},
			`telegram.poll_timeout is -5s: it must be at least 1s`},

		{"provider name missing", map[string]string{"provider.name": "-", "provider.iak.username": "-", "provider.iak.api_key": "-"},
			`provider.name is required: set "iak", "mesinr1", "digiflazz" or "sandbox" (the simulator, nothing real is sold)`},
		{"provider name unknown", map[string]string{"provider.name": `"otomax"`},
			`provider.name "otomax" is unknown: use "iak", "mesinr1", "digiflazz" or "sandbox"`},
		{"digiflazz account", map[string]string{"provider.name": `"digiflazz"`, "provider.digiflazz.api_key": `"dev-key"`},
			`provider.digiflazz.username is required with provider.name = "digiflazz"`},
		{"digiflazz key", map[string]string{"provider.name": `"digiflazz"`, "provider.digiflazz.username": `"demouser"`},
			`provider.digiflazz.api_key is required with provider.name = "digiflazz": set it or TOPUPBOT_DIGIFLAZZ_API_KEY`},
		{"digiflazz url", map[string]string{"provider.digiflazz.base_url": `"ftp://digiflazz"`},
			`provider.digiflazz.base_url`},
		{"min margin negative", map[string]string{"pricing.min_margin": `-1`},
			`pricing.min_margin is -1: it cannot be negative`},
		{"iak username", map[string]string{"provider.iak.username": "-"},
			`provider.iak.username is required with provider.name = "iak": the phone number the IAK account is registered with`},
		{"iak api key", map[string]string{"provider.iak.api_key": `""`},
			`provider.iak.api_key is required with provider.name = "iak": set it or TOPUPBOT_IAK_API_KEY (sandbox and production keys differ)`},
		{"iak api key with a newline", map[string]string{"provider.iak.api_key": `"key\n"`},
			"provider.iak.api_key (or TOPUPBOT_IAK_API_KEY) contains white space or control characters"},
		{"iak base_url", map[string]string{"provider.iak.base_url": `"prepaid.iak.id"`},
			`provider.iak.base_url "prepaid.iak.id" is not an absolute http(s) URL: production is https://prepaid.iak.id, IAK's sandbox https://prepaid.iak.dev`},
		{"iak postpaid_url", map[string]string{"provider.iak.postpaid_url": `"https://u:pw@mobilepulsa.net"`},
			`provider.iak.postpaid_url "https://u:xxxxx@mobilepulsa.net" must not carry user info, a query or a fragment: production is https://mobilepulsa.net`},
		{"iak base_url unparsable", map[string]string{"provider.iak.base_url": `"http://[::1"`},
			`provider.iak.base_url is not a URL (missing ']' in host)`},
		{"iak callback ip", map[string]string{"provider.iak.callback_ips": `["52.220.38.194", "52.220.38"]`},
			`provider.iak.callback_ips[1] "52.220.38" is not an IP address or CIDR prefix: use e.g. "52.220.38.194" or "52.220.38.0/24"`},
		{"iak callback prefix", map[string]string{"provider.iak.callback_ips": `["10.0.0.0/33"]`},
			`provider.iak.callback_ips[0] "10.0.0.0/33" is not an IP address or CIDR prefix`},
		{"iak callback host name", map[string]string{"provider.iak.callback_ips": `["callback.iak.id"]`},
			`provider.iak.callback_ips[0] "callback.iak.id" is not an IP address or CIDR prefix`},
		{"mesinr1 all missing", map[string]string{"provider.name": `"mesinr1"`, "provider.mesinr1.mmid": `"MM1"`, "provider.mesinr1.api_key": `"k"`},
			`provider.mesinr1.base_url is required with provider.name = "mesinr1": your tenant's URL, e.g. "https://apiindotel.mesinr1.com"`},
		{"mesinr1 mmid", map[string]string{"provider.name": `"mesinr1"`, "provider.mesinr1.base_url": `"https://x.mesinr1.com"`, "provider.mesinr1.api_key": `"k"`},
			`provider.mesinr1.mmid is required with provider.name = "mesinr1": the member id Mesin R1 gave you`},
		{"mesinr1 api key", map[string]string{"provider.name": `"mesinr1"`, "provider.mesinr1.base_url": `"https://x.mesinr1.com"`, "provider.mesinr1.mmid": `"MM1"`},
			`provider.mesinr1.api_key is required with provider.name = "mesinr1": set it or TOPUPBOT_MESINR1_API_KEY`},
		{"mesinr1 base_url checked even when unused", map[string]string{"provider.mesinr1.base_url": `"x.mesinr1.com"`},
			`provider.mesinr1.base_url "x.mesinr1.com" is not an absolute http(s) URL: use your tenant's URL`},
		{"mesinr1 mmid with a space", map[string]string{"provider.mesinr1.mmid": `"MM 1"`},
			`provider.mesinr1.mmid "MM 1" contains white space or control characters: remove them`},
		{"sandbox api", map[string]string{"provider.sandbox.api": `"otomax"`},
			`provider.sandbox.api "otomax" is unknown: use "iak", "mesinr1" or "digiflazz"`},
		{"provider timeout zero", map[string]string{"provider.timeout": `"0s"`},
			`provider.timeout is 0s: it must be positive (the default is "30s")`},
		{"provider timeout unreadable", map[string]string{"provider.timeout": `"30 seconds"`},
			`provider.timeout "30 seconds" is not a duration: use Go syntax such as "30s" or "2m"`},

		{"markup negative", map[string]string{"pricing.markup": "-1"},
			"pricing.markup is -1: a markup cannot be negative (0 sells at the provider's price)"},
		{"category markup negative", map[string]string{"pricing.category.pln": "-1500"},
			"pricing.category.pln is -1500: a markup cannot be negative (0 sells at the provider's price)"},

		{"callback listen", map[string]string{"callback.listen": `"8090"`},
			`callback.listen "8090" is not host:port: use host:port such as "127.0.0.1:8090", or "" for no callback listener`},
		{"callback listen port", map[string]string{"callback.listen": `"0.0.0.0:http"`},
			`callback.listen "0.0.0.0:http" has port "http", not a number from 0 to 65535`},
		{"callback listen port range", map[string]string{"callback.listen": `":70000"`},
			`callback.listen ":70000" has port "70000", not a number from 0 to 65535`},
		{"same listen twice", map[string]string{"callback.listen": `"127.0.0.1:8091"`},
			`callback.listen and ops.listen are both "127.0.0.1:8091": give them different ports`},
		{"ops listen empty", map[string]string{"ops.listen": `""`},
			`ops.listen "" is not host:port: use a loopback host:port such as "127.0.0.1:8091"`},

		{"storage path", map[string]string{"storage.path": `""`},
			`storage.path is empty: name the database file (the default is "topupbot.db")`},

		{"poller schedule", map[string]string{"poller.schedule": `"every 15s"`},
			`poller.schedule "every 15s": `},
		{"poller schedule empty", map[string]string{"poller.schedule": `""`},
			`poller.schedule "": empty spec: use a cron line or a descriptor such as "@every 15s"`},
		{"poller schedule that panics robfig/cron", map[string]string{"poller.schedule": `"TZ=Asia/Jakarta"`},
			`poller.schedule "TZ=Asia/Jakarta": not a cron spec: use a cron line or a descriptor such as "@every 15s"`},
		{"poller concurrency", map[string]string{"poller.concurrency": "0"},
			"poller.concurrency is 0: it must be at least 1 (the default is 8)"},
		{"poller timezone", map[string]string{"poller.timezone": `"Asia/Jakrta"`},
			`poller.timezone "Asia/Jakrta" is not a time zone: use an IANA name such as "Asia/Jakarta"`},
		{"poller timezone empty", map[string]string{"poller.timezone": `""`},
			`poller.timezone "" is not a time zone`},
		{"poller alert_after", map[string]string{"poller.alert_after": `"-1h"`},
			`poller.alert_after is -1h0m0s: it must be positive (the default is "1h0m0s")`},
		{"catalog refresh", map[string]string{"catalog.refresh": `"@every"`},
			`catalog.refresh "@every": `},
		{"catalog refresh fields", map[string]string{"catalog.refresh": `"* * *"`},
			`catalog.refresh "* * *": expected exactly 5 fields, found 3: [* * *]: use a cron line or a descriptor such as "@every 30m"`},

		{"low balance", map[string]string{"alerts.low_balance": "-5"},
			"alerts.low_balance is -5: it cannot be negative (0 disables the warning)"},
		{"log level", map[string]string{"log.level": `"verbose"`},
			`log.level "verbose" is unknown: use "debug", "info", "warn" or "error"`},
		{"log format", map[string]string{"log.format": `"logfmt"`},
			`log.format "logfmt" is unknown: use "text" or "json"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(configFile(tc.overrides)), noEnv)
			got := errLines(err)
			if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
				t.Errorf("problems:\n got %q\nwant one starting %q", got, tc.want)
			}
		})
	}
}

func TestConfigValid(t *testing.T) {
	for name, overrides := range map[string]map[string]string{
		"mesinr1":                      {"provider.name": `"mesinr1"`, "provider.mesinr1.base_url": `"https://x.mesinr1.com/V1/api"`, "provider.mesinr1.mmid": `"MM1"`, "provider.mesinr1.api_key": `"k"`, "provider.iak.username": "-", "provider.iak.api_key": "-"},
		"sandbox needs no account":     {"provider.name": `"sandbox"`, "provider.iak.username": "-", "provider.iak.api_key": "-"},
		"sandbox mesinr1":              {"provider.name": `"sandbox"`, "provider.sandbox.api": `"mesinr1"`},
		"empty IAK URLs mean default":  {"provider.iak.base_url": `""`, "provider.iak.postpaid_url": `""`},
		"empty api_endpoint":           {"telegram.api_endpoint": `""`},
		"no callback listener":         {"callback.listen": `""`},
		"both listeners on port 0":     {"callback.listen": `"127.0.0.1:0"`, "ops.listen": `"127.0.0.1:0"`},
		"cron line":                    {"poller.schedule": `"*/1 * * * *"`, "catalog.refresh": `"0 */2 * * *"`},
		"UTC":                          {"poller.timezone": `"UTC"`},
		"open":                         {"telegram.open": "true"},
		"zero markups":                 {"pricing.markup": "0", "pricing.category.pln": "0"},
		"group notify chat":            {"telegram.notify_chat_id": "-1001234567890"},
		"a one-second poll":            {"telegram.poll_timeout": `"1s"`},
		"inline category table":        {"pricing.category": "{ pln = 1500 }"},
		"every log level, upper bound": {"log.level": `"error"`},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(configFile(overrides)), noEnv); err != nil {
				t.Errorf("%v", err)
			}
		})
	}
}

func TestConfigSeveralProblems(t *testing.T) {
	file := configFile(map[string]string{
		"telegram.token":        "-",
		"telegram.admins":       "[0]",
		"provider.iak.username": "-",
		"provider.timeout":      `"soon"`,
		"pricing.markup":        "-1",
		"ops.listen":            `"0.0.0.0:8091"`,
		"poller.timezone":       `"Mars/Olympus"`,
		"poller.concurrency":    "0",
		"log.format":            `"xml"`,
		"storage.paht":          `"x.db"`,
	})
	_, err := Parse([]byte(file), noEnv)
	got := errLines(err)
	want := []string{
		"unknown key storage.paht",
		"provider.timeout \"soon\" is not a duration",
		"poller.timezone \"Mars/Olympus\" is not a time zone",
		"telegram.token is required",
		"telegram.admins[0] = 0",
		"provider.iak.username is required",
		"pricing.markup is -1",
		"ops.listen \"0.0.0.0:8091\" is not a loopback address",
		"poller.concurrency is 0",
		"log.format \"xml\" is unknown",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(got), len(want), err)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q, want it to start %q", i, got[i], want[i])
		}
	}
}

func TestConfigOpsListen(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:8091", "127.1.2.3:8091", "[::1]:8091", "localhost:8091", "LOCALHOST:8091", "[::ffff:127.0.0.1]:8091", "127.0.0.1:0"} {
		if _, err := Parse([]byte(configFile(map[string]string{"ops.listen": `"` + addr + `"`})), noEnv); err != nil {
			t.Errorf("ops.listen %q refused: %v", addr, err)
		}
	}
	for _, addr := range []string{"0.0.0.0:8091", "10.0.0.1:8091", ":8091", "[::]:8091", "[2001:db8::1]:8091", "example.com:8091", "localhost.example.com:8091", "192.168.1.10:8091"} {
		_, err := Parse([]byte(configFile(map[string]string{"ops.listen": `"` + addr + `"`})), noEnv)
		want := fmt.Sprintf(`ops.listen %q is not a loopback address: /backup hands out the whole database, so use 127.0.0.1, [::1] or localhost, e.g. "127.0.0.1:8091"`, addr)
		if got := errLines(err); !slices.Equal(got, []string{want}) {
			t.Errorf("ops.listen %q: problems %q, want %q", addr, got, want)
		}
	}
}

func TestConfigCallbackIPs(t *testing.T) {
	tests := []struct {
		in   []string
		want []string
	}{
		{nil, nil},
		{[]string{"52.220.38.194"}, []string{"52.220.38.194/32"}},
		{[]string{"52.220.38.5/24"}, []string{"52.220.38.0/24"}}, // host bits dropped
		{[]string{"2001:db8::1"}, []string{"2001:db8::1/128"}},
		{[]string{"::ffff:10.0.0.1"}, []string{"10.0.0.1/32"}}, // the peer address is unmapped too
		{[]string{"52.76.169.212", "52.220.38.194"}, []string{"52.76.169.212/32", "52.220.38.194/32"}},
	}
	for _, tc := range tests {
		quoted := make([]string, len(tc.in))
		for i, s := range tc.in {
			quoted[i] = `"` + s + `"`
		}
		cfg, err := Parse([]byte(configFile(map[string]string{
			"provider.iak.callback_ips": "[" + strings.Join(quoted, ", ") + "]",
		})), noEnv)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		var got []string
		for _, p := range cfg.Provider.IAK.CallbackIPs {
			got = append(got, p.String())
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("callback_ips %q = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "52.220.38", "52.220.38.0/", "fe80::1%eth0", "10.0.0.0/33", " 1.2.3.4", "any"} {
		_, err := Parse([]byte(configFile(map[string]string{"provider.iak.callback_ips": fmt.Sprintf("[%q]", bad)})), noEnv)
		want := fmt.Sprintf("provider.iak.callback_ips[0] %q is not an IP address or CIDR prefix", bad)
		if got := errLines(err); len(got) != 1 || !strings.HasPrefix(got[0], want) {
			t.Errorf("callback_ips [%q]: problems %q, want %q", bad, got, want)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "topupbot.toml")
	_, err := Load(missing, noEnv)
	want := fmt.Sprintf("config file %s not found: copy config.example.toml to %s and fill it in, or pass -config FILE", missing, missing)
	if err == nil || err.Error() != want {
		t.Errorf("missing file: %v, want %q", err, want)
	}

	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(minimalConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, noEnv); err != nil {
		t.Errorf("valid file: %v", err)
	}

	if err := os.WriteFile(path, []byte("[provider]\nname = \"sandbox\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path, noEnv)
	if err == nil || err.Error() != "config "+path+": telegram.token is required: set it or TOPUPBOT_TELEGRAM_TOKEN" {
		t.Errorf("invalid file: %v, want the path and the problem", err)
	}

	if err := os.WriteFile(path, []byte("[provider]\nname = \"sandbox\"\n[log]\nformat = \"xml\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path, noEnv)
	want = "config " + path + " has 2 problems:\n" +
		"\ttelegram.token is required: set it or TOPUPBOT_TELEGRAM_TOKEN\n" +
		"\tlog.format \"xml\" is unknown: use \"text\" or \"json\""
	if err == nil || err.Error() != want {
		t.Errorf("several problems:\n%v\nwant\n%s", err, want)
	}
}

// TestConfigExample keeps config.example.toml honest: it parses and
// validates once the secrets come from the environment, it documents every
// key, and the values it shows are the defaults.
func TestConfigExample(t *testing.T) {
	env := configEnv(map[string]string{"TOPUPBOT_TELEGRAM_TOKEN": "123456:AAE-config-test-token-abcdefgh", "TOPUPBOT_IAK_API_KEY": "iak-key"})
	example, err := Load("../../config.example.toml", env)
	if err != nil {
		t.Fatalf("config.example.toml: %v", err)
	}

	defaults, err := Parse([]byte(minimalConfig), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	example.Provider.IAK.APIKey = Secret{}
	if a, b := comparableConfig(t, example, "Asia/Jakarta"), comparableConfig(t, defaults, "Asia/Jakarta"); !reflect.DeepEqual(a, b) {
		t.Errorf("config.example.toml shows other values than the defaults:\n got %+v\nwant %+v", a, b)
	}

	data, err := os.ReadFile("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	written := tomlKeysWritten(string(data))
	for _, k := range knownKeys() {
		if !written[k] {
			t.Errorf("config.example.toml does not document %s", k)
		}
	}
	for _, c := range flows.Categories {
		if !strings.Contains(string(data), " "+string(c.ID)) {
			t.Errorf("config.example.toml does not list category %s", c.ID)
		}
	}
}

// TestConfigPayment: a gateway needs the wallet and the callback listener;
// Tripay needs its account, its secrets from the environment first.
func TestConfigPayment(t *testing.T) {
	base := "[telegram]\ntoken = \"123456:AAEexampleexampleexampleexample\"\n[provider]\nname = \"sandbox\"\n"
	wallet := "[wallet]\nenabled = true\ntransfer_info = \"BCA 1 a.n. X\"\n"
	for _, tc := range []struct {
		name, file string
		env        map[string]string
		want       []string // problems mentioned; none: valid
	}{
		{"transfer only", base, nil, nil},
		{"sandbox", base + wallet + "[payment]\ngateway = \"sandbox\"\n", nil, nil},
		{"no wallet", base + "[payment]\ngateway = \"sandbox\"\n", nil, []string{"needs wallet.enabled = true"}},
		{"no callback", base + "[callback]\nlisten = \"\"\n" + wallet + "[payment]\ngateway = \"sandbox\"\n", nil, []string{"needs callback.listen"}},
		{"unknown", base + wallet + "[payment]\ngateway = \"midtrans\"\n", nil, []string{`payment.gateway "midtrans" is unknown`}},
		{"tripay without account", base + wallet + "[payment]\ngateway = \"tripay\"\n", nil,
			[]string{"payment.tripay.merchant_code", "payment.tripay.api_key is required", "payment.tripay.private_key is required"}},
		{"tripay from the environment", base + wallet + "[payment]\ngateway = \"tripay\"\n[payment.tripay]\nmerchant_code = \"T1\"\n",
			map[string]string{"TOPUPBOT_TRIPAY_API_KEY": "k", "TOPUPBOT_TRIPAY_PRIVATE_KEY": "p"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tc.file), func(k string) string { return tc.env[k] })
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if tc.env != nil && (cfg.Payment.Tripay.APIKey.Reveal() != "k" || cfg.Payment.Tripay.PrivateKey.Reveal() != "p") {
					t.Errorf("the environment's secrets were not used")
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse accepted %q", tc.file)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestConfigKnownKeys(t *testing.T) {
	keys := knownKeys()
	for _, k := range []string{"telegram", "telegram.token", "provider.iak.callback_ips", "pricing.category", "log.format"} {
		if !slices.Contains(keys, k) {
			t.Errorf("knownKeys lacks %s", k)
		}
	}
	if len(keys) != 74 {
		// The key set is a contract: a new key is fine (update the count,
		// the example and the README), a removed or renamed one is not.
		t.Errorf("%d keys, want 74:\n%s", len(keys), strings.Join(keys, "\n"))
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	const token, iakKey, mr1Key = "123456:TOKEN-VALUE-abcdefghijklmnop", "IAK-KEY-VALUE", "MR1-KEY-VALUE"
	cfg, err := Parse([]byte(configFile(map[string]string{
		"provider.mesinr1.api_key": `"` + mr1Key + `"`,
	})), configEnv(map[string]string{"TOPUPBOT_TELEGRAM_TOKEN": token, "TOPUPBOT_IAK_API_KEY": iakKey}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Telegram.Token.Reveal() != token {
		t.Fatalf("token not read")
	}

	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		outputs = append(outputs,
			fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, &cfg), fmt.Sprintf(verb, cfg.Telegram),
			fmt.Sprintf(verb, cfg.Provider.IAK.APIKey), fmt.Sprintf(verb, []Secret{cfg.Provider.MesinR1.APIKey}))
	}
	outputs = append(outputs, fmt.Sprint(cfg), fmt.Sprintln(cfg.Telegram.Token), cfg.Telegram.Token.String(),
		cfg.Telegram.Token.GoString(), fmt.Errorf("starting with %v", cfg).Error(),
		fmt.Errorf("token %s: %w", cfg.Telegram.Token, errors.New("x")).Error())

	for _, newHandler := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(newHandler(&buf))
		log.Info("config", "cfg", cfg, "telegram", cfg.Telegram, "token", cfg.Telegram.Token,
			slog.Group("provider", "iak", cfg.Provider.IAK, "key", cfg.Provider.MesinR1.APIKey),
			slog.Any("ptr", &cfg))
		log.With("token", cfg.Telegram.Token).Warn("with")
		outputs = append(outputs, buf.String())
	}
	for _, v := range []any{cfg, &cfg, cfg.Telegram.Token} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%T): %v", v, err)
		}
		outputs = append(outputs, string(b))
	}
	if b, err := cfg.Telegram.Token.MarshalText(); err != nil || string(b) != "[redacted]" {
		t.Errorf("MarshalText = %q, %v", b, err)
	}

	for _, out := range outputs {
		for _, s := range []string{token, iakKey, mr1Key, "TOKEN-VALUE", "KEY-VALUE"} {
			if strings.Contains(out, s) {
				t.Errorf("output shows a secret: %s", out)
			}
		}
		// Each output holds a secret: it must have gone through secret's
		// methods, not been dropped or printed some other way.
		if !strings.Contains(out, "[redacted]") {
			t.Errorf("output without [redacted]: %s", out)
		}
	}
	if got := fmt.Sprintf("%v|%#v|%q", cfg.Telegram.Token, cfg.Telegram.Token, cfg.Telegram.Token); got != "[redacted]|[redacted]|[redacted]" {
		t.Errorf("secret prints as %s", got)
	}
}

func TestConfigErrorsHideSecrets(t *testing.T) {
	const value = "9876:SECRETVALUE"
	tests := []struct {
		name string
		file string
		env  map[string]string
	}{
		{"unquoted token", "[telegram]\ntoken = " + value + "\n", nil},
		{"unquoted iak key", "[provider.iak]\napi_key = " + value + "\n", nil},
		{"unquoted mesinr1 key inline", "provider = { mesinr1 = { api_key = " + value + " } }\n", nil},
		{"unterminated token", "[telegram]\ntoken = \"" + value + "\n", nil},
		{"bad escape in key", "[provider.mesinr1]\napi_key = \"" + value + "\\q\"\n", nil},
		{"token with a space", configFile(map[string]string{"telegram.token": `"` + value + ` "`}), nil},
		{"env token with a newline", configFile(nil), map[string]string{"TOPUPBOT_TELEGRAM_TOKEN": value + "\n"}},
		{"env keys with control characters", configFile(nil), map[string]string{
			"TOPUPBOT_IAK_API_KEY": value + "\x00", "TOPUPBOT_MESINR1_API_KEY": "\t" + value,
		}},
		// Type errors: the value found is never shown for a secret, nor for
		// a table, which may be a secret under the wrong name.
		{"token a list", "[telegram]\ntoken = [\"" + value + "\"]\n", nil},
		{"token an inline table", "[telegram]\ntoken = { v = \"" + value + "\" }\n", nil},
		{"token a table", "[telegram.token]\nv = \"" + value + "\"\n", nil},
		{"iak key a list", "[provider.iak]\napi_key = [\"" + value + "\", 1]\n", nil},
		{"telegram a string", "telegram = \"" + value + "\"\n", nil},
		{"provider.mesinr1 a string", "[provider]\nmesinr1 = \"" + value + "\"\n", nil},
		{"token badly shaped", configFile(map[string]string{"telegram.token": `"bot` + value + `"`}), nil},
		{"env token badly shaped", configFile(nil), map[string]string{"TOPUPBOT_TELEGRAM_TOKEN": value}},
		{"everything else wrong", configFile(map[string]string{
			"provider.name": `"other"`, "poller.schedule": `"x"`, "telegram.token": `"` + value + `"`,
		}), map[string]string{"TOPUPBOT_IAK_API_KEY": value}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.file), configEnv(tc.env))
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "SECRETVALUE") {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}

	// A secret written as a number is not shown either.
	for _, file := range []string{
		"[telegram]\ntoken = 98765432101234\n",
		"[provider.iak]\napi_key = 98765432101234\n",
		"[provider.mesinr1]\napi_key = 98765432101234.5\n",
		"[telegram]\ntoken = [98765432101234]\n",
	} {
		_, err := Parse([]byte(file), noEnv)
		if err == nil || !strings.Contains(err.Error(), "(the value is not shown: it is a secret)") {
			t.Errorf("%q: error %v does not say the secret is withheld", file, err)
		}
		if err != nil && strings.Contains(err.Error(), "98765432101234") {
			t.Errorf("%q: error shows the secret: %v", file, err)
		}
	}
}

// TestConfigTokenShape: a token that cannot be one is refused locally,
// before any call to Telegram, with a problem that does not quote it.
func TestConfigTokenShape(t *testing.T) {
	for _, tok := range []string{
		"123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", // Telegram's documented example
		"7000001:AAE2E-secret-token-value",
		"1:abcdefghijklmnopqrst_-",
	} {
		if _, err := Parse([]byte(configFile(map[string]string{"telegram.token": `"` + tok + `"`})), noEnv); err != nil {
			t.Errorf("token %q refused: %v", tok, err)
		}
	}
	for _, tc := range []struct{ token, want string }{
		{"AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "has no colon"},
		{"bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", `starts with "bot"`},
		{"https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe", "looks like a URL"},
		{"my-bot:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "does not start with the bot's id"},
		{":AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "does not start with the bot's id"},
		{"123456789:AAHdqTcvCH1vGWJ", "is too short after the colon"},
		{"123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw\"", "has characters no token has"},
		{"123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsa…", "has characters no token has"},
	} {
		_, err := Parse([]byte(configFile(map[string]string{"telegram.token": "-"})),
			configEnv(map[string]string{"TOPUPBOT_TELEGRAM_TOKEN": tc.token}))
		want := "telegram.token (or TOPUPBOT_TELEGRAM_TOKEN) " + tc.want
		got := errLines(err)
		if len(got) != 1 || !strings.HasPrefix(got[0], want) || !strings.HasSuffix(got[0], "(the value is not shown: it is a secret)") {
			t.Errorf("token %q: problems %q, want one starting %q", tc.token, got, want)
		}
		if err != nil && strings.Contains(err.Error(), "AAHdqTcvCH1vGWJ") {
			t.Errorf("token %q: the problem shows it: %v", tc.token, err)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	example, err := os.ReadFile("../../config.example.toml")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example), minimalConfig, fullConfig, "", "[telegram]\ntoken = 1\n",
		"[ops]\nlisten = \"[::1]:0\"\n", "[poller]\nschedule = \"TZ=Asia/Jakarta */5 * * * *\"\n", "[catalog]\nrefresh = \"CRON_TZ=UTC\"\n",
		"[pricing.category]\npln = -1\nfoo = 2\n", "[provider.iak]\ncallback_ips = [\"::ffff:1.2.3.4/104\"]\n",
		"[telegram]\napi_endpoint = \"http://h/bot%s/%s\"\n",
	} {
		f.Add(seed)
	}
	const token, key = "4242:FUZZ-TOKEN-4242-abcdefghijklm", "FUZZ-KEY-4242"
	env := configEnv(map[string]string{"TOPUPBOT_TELEGRAM_TOKEN": token, "TOPUPBOT_IAK_API_KEY": key})
	// Secrets written in the file (seeds in testdata/fuzz/FuzzParseConfig)
	// must not show in an error either, however broken the rest is. Only a
	// value of some length that appears once in the file can be told apart
	// from the rest of the error's text.
	fileSecret := regexp.MustCompile(`(?m)(?:token|api_key)\s*=\s*"([^"\\\n]{8,})"`)
	f.Fuzz(func(t *testing.T, data string) {
		cfg, err := Parse([]byte(data), env)
		if err != nil {
			if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), key) {
				t.Fatalf("error shows a secret: %v", err)
			}
			for _, m := range fileSecret.FindAllStringSubmatch(data, -1) {
				if strings.Count(data, m[1]) == 1 && strings.Contains(err.Error(), m[1]) {
					t.Fatalf("error shows the file's secret %q: %v", m[1], err)
				}
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("parsed config fails validation: %v", err)
		}
		if cfg.Poller.Location == nil {
			t.Fatal("no location")
		}
		if _, err := ParseSchedule(cfg.Poller.Schedule); err != nil {
			t.Fatalf("valid schedule refused by ParseSchedule: %v", err)
		}
	})
}

// TestConfigTypeErrors: a value of the wrong type is reported like any
// other problem — the key, what was found, what to write instead — and all
// of them at once, in the file's order, before the file's other problems.
func TestConfigTypeErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // the whole error, one problem a line
	}{
		{"the issue's two", configFile(map[string]string{
			"telegram.admins":    `["123456789"]`,
			"alerts.low_balance": `"500rb"`,
		}), []string{
			`telegram.admins: found "123456789" (text in quotes) in the list; write user ids as numbers, without quotes: admins = [123456789]`,
			`alerts.low_balance: found "500rb" (text in quotes); write a whole number of rupiah, without quotes or dots: low_balance = 500000`,
		}},
		{"many, with unknown keys and other problems", `
[telegram]
token = "123456:AAE-config-test-token-abcdefgh"
admins = [111, "222", 3.5]
allowed_users = 333
notify_chat_id = "-1001234567890"
open = "yes"
poll_timeout = 50
lang = ["en"]
[provider]
name = "iak"
[provider.iak]
api_key = "iak-key"
callback_ips = "52.220.38.194"
[pricing]
markup = "Rp 1.500"
[pricing.category]
pln = "2,5rb"
data = 1.5
[poller]
concurrency = 2.0
[storage]
paht = "x.db"
[log]
format = "xml"
`, []string{
			`telegram.admins: found "222" (text in quotes) in the list; write user ids as numbers, without quotes: admins = [123456789]`,
			`telegram.allowed_users: found 333 (a number); write user ids as numbers, without quotes: allowed_users = [333]`,
			`telegram.notify_chat_id: found "-1001234567890" (text in quotes); write a whole number, without quotes: notify_chat_id = -1001234567890`,
			`telegram.open: found "yes" (text in quotes); write true or false, without quotes: open = true`,
			`telegram.poll_timeout: found 50 (a number); write a duration in quotes, with its unit: poll_timeout = "50s" (or "2m", "1h")`,
			`telegram.lang: found a list; write it in quotes: lang = "en"`,
			`provider.iak.callback_ips: found "52.220.38.194" (text in quotes); write a list of quoted addresses: callback_ips = ["52.220.38.194"]`,
			`pricing.markup: found "Rp 1.500" (text in quotes); write a whole number of rupiah, without quotes or dots: markup = 1500`,
			`pricing.category.pln: found "2,5rb" (text in quotes); write a whole number of rupiah, without quotes or dots: pln = 2500`,
			`pricing.category.data: found 1.5 (a decimal number); write a whole number of rupiah, without quotes or dots: data = 1500`,
			`poller.concurrency: found 2.0 (a decimal number); write a whole number, without quotes: concurrency = 2`,
			`unknown key storage.paht: did you mean storage.path?`,
			`provider.iak.username is required with provider.name = "iak": the phone number the IAK account is registered with`,
			`log.format "xml" is unknown: use "text" or "json"`,
		}},
		{"tables", minimalConfig + `
[alerts.low_balance]
rupiah = 5
[pricing]
category = "pln"
[log]
level = { name = "debug" }
`, []string{
			`alerts.low_balance: found a table; write a whole number of rupiah, without quotes or dots: low_balance = 500000`,
			`pricing.category: found text in quotes, not a table; write [pricing.category] and under it lines such as pln = 1500`,
			`log.level: found a table; write it in quotes: level = "..."`,
		}},
		{"a table that is not one", "telegram = 5\nlog = [1]\n[provider]\nname = \"sandbox\"\n", []string{
			`telegram: found a number, not a table; write [telegram] and its keys under it (config.example.toml shows them)`,
			`log: found a list, not a table; write [log] and its keys under it (config.example.toml shows them)`,
			// No "telegram.token is required": the table was reported.
		}},
		{"an array of tables", minimalConfig + "[[poller]]\nschedule = \"@hourly\"\n[[poller]]\nschedule = \"@daily\"\n", []string{
			`poller: found a list of tables, not a table; write [poller] and its keys under it (config.example.toml shows them)`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.file), noEnv)
			if got := errLines(err); !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestConfigEveryKeyEveryType: any kind of value under any key is either
// taken or reported under that key's name, never a panic or a raw decoder
// message, and a secret's value is never shown.
func TestConfigEveryKeyEveryType(t *testing.T) {
	values := []string{`"SHOWN-VALUE"`, "987654321", "98765.4321", "true", "[987654321]", `["SHOWN-VALUE"]`, `{ x = "SHOWN-VALUE" }`, "2026-01-02", `[{ x = 1 }]`}
	for _, key := range knownKeys() {
		for _, v := range values {
			file := key + " = " + v + "\n"
			_, err := Parse([]byte(file), noEnv)
			if err == nil {
				continue
			}
			if strings.Contains(err.Error(), "toml:") || strings.Contains(err.Error(), "incompatible types") {
				t.Errorf("%s: raw decoder message: %v", file, err)
			}
			secretKey := slices.Contains(secretKeys, key)
			table := slices.Contains([]string{"telegram", "provider", "provider.iak", "provider.mesinr1", "provider.digiflazz", "provider.sandbox", "pricing", "pricing.category", "pricing.level", "callback", "ops", "storage", "poller", "catalog", "alerts", "log"}, key)
			for _, line := range errLines(err) {
				if (secretKey || table) && strings.HasPrefix(line, key+":") && (strings.Contains(line, "SHOWN-VALUE") || strings.Contains(line, "98765")) {
					t.Errorf("%s: the value shows: %v", file, line)
				}
			}
		}
	}
}
