// Package config is topupbot's configuration: the TOML file's schema (the
// typed Config, its tags the keys), the defaults, the TOPUPBOT_* overrides
// of secrets through an injected getenv, strict decoding (an unknown key
// with the key probably meant, a value of the wrong type with what to write)
// and validation that reports every problem at once, each with its fix. No
// error and no printed Config ever shows a secret: see Secret.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // poller.timezone must load on machines without a tz database

	"topupbot/flows"
	"topupbot/provider/digiflazz"
	"topupbot/provider/iak"
	"topupbot/provider/tripay"
)

// Config is the configuration: every value typed, every default applied.
// It is also the file's schema: the toml tags (or, for flows.Pricing, the
// lower-cased field names) are the keys, decoded straight into it over
// Defaults. Parse and Load return it validated; run wires from it.
//
// The key set (see config.example.toml) is a contract with operators'
// tooling: keys may be added, never renamed or given a new meaning.
type Config struct {
	Telegram Telegram           `toml:"telegram"`
	Provider Provider           `toml:"provider"`
	Pricing  flows.Pricing      `toml:"pricing"`  // markup; category overrides it per category
	Callback Listener           `toml:"callback"` // Listen "" means no callback listener
	Ops      Listener           `toml:"ops"`      // Listen is always a loopback address
	Storage  Storage            `toml:"storage"`
	Poller   Poller             `toml:"poller"`
	Catalog  Catalog            `toml:"catalog"`
	Alerts   Alerts             `toml:"alerts"`
	Log      Log                `toml:"log"`
	Wallet   flows.WalletConfig `toml:"wallet"`  // customers' saldo and deposits by transfer
	Payment  Payment            `toml:"payment"` // deposits by QRIS through a payment gateway
	// Routes are the [[route]] tables, in the file's order: shop products
	// filled by several providers' products (see Route).
	Routes []Route `toml:"route"`
}

// Payment is [payment]: the gateway QRIS deposits are paid through.
type Payment struct {
	// Gateway is GatewayTripay, GatewaySandbox (the built-in simulator),
	// or "" for deposits by transfer only.
	Gateway string `toml:"gateway"`
	Tripay  Tripay `toml:"tripay"`
}

// Tripay is [payment.tripay]: the merchant account.
type Tripay struct {
	BaseURL      string `toml:"base_url"`
	MerchantCode string `toml:"merchant_code"`
	APIKey       Secret `toml:"api_key"`
	PrivateKey   Secret `toml:"private_key"`
}

// The gateway names of [payment] gateway.
const (
	GatewayTripay  = "tripay"
	GatewaySandbox = "sandbox"
)

// Telegram is [telegram]: the bot, who may use it, where alerts go.
type Telegram struct {
	Token        Secret        `toml:"token"`
	APIEndpoint  string        `toml:"api_endpoint"` // a fmt pattern with two %s: the token, then the method
	Admins       []int64       `toml:"admins"`
	NotifyChatID int64         `toml:"notify_chat_id"` // 0: alerts go to each admin
	AllowedUsers []int64       `toml:"allowed_users"`
	Open         bool          `toml:"open"`
	PollTimeout  time.Duration `toml:"poll_timeout"`
	// Lang is the language of new chats and of the ops group's lines and
	// alerts; each chat may switch with /lang.
	Lang flows.Lang `toml:"lang"`
}

// Provider is [provider]: which one sells, and its account.
type Provider struct {
	Name string `toml:"name"` // ProviderIAK, ProviderMesinR1, ProviderDigiflazz or ProviderSandbox
	// Names, instead of Name, sells through several providers at once
	// (never the sandbox: its several APIs are Sandbox.APIs).
	Names     []string      `toml:"names"`
	Timeout   time.Duration `toml:"timeout"`
	IAK       IAK           `toml:"iak"`
	MesinR1   MesinR1       `toml:"mesinr1"`
	Digiflazz Digiflazz     `toml:"digiflazz"`
	Sandbox   Sandbox       `toml:"sandbox"`
}

// Digiflazz is [provider.digiflazz].
type Digiflazz struct {
	BaseURL  string `toml:"base_url"`
	Username string `toml:"username"`
	APIKey   Secret `toml:"api_key"`
	// WebhookSecret verifies the webhooks at /callback/digiflazz: with it a
	// signed webhook settles its order; without it a webhook is a hint.
	WebhookSecret Secret `toml:"webhook_secret"`
	// Testing sends every transaction with "testing": true (the
	// development key's test numbers).
	Testing bool `toml:"testing"`
}

// IAK is [provider.iak].
type IAK struct {
	BaseURL     string `toml:"base_url"`
	PostpaidURL string `toml:"postpaid_url"`
	Username    string `toml:"username"`
	APIKey      Secret `toml:"api_key"`
	// CallbackIPs are matched against the TCP peer only; empty accepts any.
	CallbackIPs []netip.Prefix `toml:"callback_ips"`
}

// MesinR1 is [provider.mesinr1].
type MesinR1 struct {
	BaseURL string `toml:"base_url"`
	MMID    string `toml:"mmid"`
	APIKey  Secret `toml:"api_key"`
}

// Sandbox is [provider.sandbox].
type Sandbox struct {
	API string `toml:"api"` // which simulator: ProviderIAK, ProviderMesinR1 or ProviderDigiflazz
	// APIs, instead of API, simulates several providers at once. A file
	// that sets apis and not api leaves API empty.
	APIs []string `toml:"apis"`
}

// Active lists the providers that sell, as their accounts name them: the
// names of provider.names, the simulated APIs of a sandbox (apis, else
// api), else provider.name alone. A configuration with more than one is in
// multi mode (see Multi).
func (p Provider) Active() []string {
	switch {
	case len(p.Names) > 0:
		return p.Names
	case p.Name == ProviderSandbox && len(p.Sandbox.APIs) > 0:
		return p.Sandbox.APIs
	case p.Name == ProviderSandbox:
		return []string{p.Sandbox.API}
	case p.Name != "":
		return []string{p.Name}
	}
	return nil
}

// Multi reports whether several providers sell at once: products are then
// named by QualifiedCode and carry their legs, and routes apply.
func (p Provider) Multi() bool { return len(p.Active()) > 1 }

// Route is one [[route]] table: a shop product of the reseller's own code,
// filled by one of several providers' products in order of preference.
type Route struct {
	// Code is the reseller's own product code: 1 to 20 of [A-Za-z0-9_-].
	Code string `toml:"code"`
	Name string `toml:"name"`
	// Category is the menu it shows in (not tagihan: bills are not routed).
	Category flows.CategoryID `toml:"category"`
	// Codes are the providers' product codes in order of preference: the
	// order the file writes them in (codes = { digiflazz = "tsel10", iak =
	// "htelkomsel10000" } prefers Digiflazz), which the decoder reads from
	// the TOML parser's key order since a Go map keeps none.
	Codes []flows.RouteLeg `toml:"codes"`
}

// FlowRoute is the route as the catalog takes it.
func (r Route) FlowRoute() flows.Route {
	return flows.Route{Code: r.Code, Name: r.Name, Category: r.Category, Legs: slices.Clone(r.Codes)}
}

// FlowRoutes converts every route; nil without any.
func (c Config) FlowRoutes() []flows.Route {
	var out []flows.Route
	for _, r := range c.Routes {
		out = append(out, r.FlowRoute())
	}
	return out
}

// Listener is [callback] or [ops].
type Listener struct {
	Listen string `toml:"listen"` // host:port
}

// Storage is [storage].
type Storage struct {
	Path string `toml:"path"`
}

// Poller is [poller]: how pending orders are checked.
type Poller struct {
	Schedule    string         `toml:"schedule"` // a cron spec, checked with ParseSchedule
	Concurrency int            `toml:"concurrency"`
	Location    *time.Location `toml:"timezone"`
	AlertAfter  time.Duration  `toml:"alert_after"`
}

// Catalog is [catalog].
type Catalog struct {
	Refresh string `toml:"refresh"` // a cron spec, checked with ParseSchedule
}

// Alerts is [alerts].
type Alerts struct {
	LowBalance int64 `toml:"low_balance"` // rupiah; 0 disables the warning
}

// Log is [log].
type Log struct {
	Level  slog.Level `toml:"level"`
	Format string     `toml:"format"` // "text" or "json"
}

// The provider names, also the values of [provider.sandbox] api.
const (
	ProviderIAK       = "iak"
	ProviderMesinR1   = "mesinr1"
	ProviderDigiflazz = "digiflazz"
	ProviderSandbox   = "sandbox"
)

// The environment variables that override secrets in the file.
const (
	EnvTelegramToken = "TOPUPBOT_TELEGRAM_TOKEN"
	envIAKAPIKey     = "TOPUPBOT_IAK_API_KEY"
	envMesinR1APIKey = "TOPUPBOT_MESINR1_API_KEY"
	envDigiflazzKey  = "TOPUPBOT_DIGIFLAZZ_API_KEY"
	envDigiflazzHook = "TOPUPBOT_DIGIFLAZZ_WEBHOOK_SECRET"
	envTripayAPIKey  = "TOPUPBOT_TRIPAY_API_KEY"
	envTripayPrivate = "TOPUPBOT_TRIPAY_PRIVATE_KEY"
)

// Defaults of the keys that have one. config.example.toml repeats them.
const (
	defaultAPIEndpoint     = "https://api.telegram.org/bot%s/%s"
	defaultPollTimeout     = 50 * time.Second
	defaultProviderTimeout = 30 * time.Second
	defaultCallbackListen  = "127.0.0.1:8090"
	defaultOpsListen       = "127.0.0.1:8091"
	defaultStoragePath     = "topupbot.db"
	defaultPollSchedule    = "@every 15s"
	defaultConcurrency     = 8
	defaultTimezone        = "Asia/Jakarta"
	defaultAlertAfter      = time.Hour
	defaultCatalogRefresh  = "@every 30m"
)

// Defaults is the configuration of a file that sets nothing: every default
// applied, nothing validated (the token and the provider are not set). The
// file is decoded over it; a preset such as the demo, or a test, starts from
// it and sets what it needs.
func Defaults() Config {
	jakarta, err := time.LoadLocation(defaultTimezone)
	if err != nil {
		panic("config: " + err.Error()) // time/tzdata is linked in
	}
	return Config{
		Telegram: Telegram{APIEndpoint: defaultAPIEndpoint, PollTimeout: defaultPollTimeout, Lang: flows.LangID},
		Provider: Provider{
			Timeout:   defaultProviderTimeout,
			IAK:       IAK{BaseURL: iak.ProductionPrepaidURL, PostpaidURL: iak.ProductionPostpaidURL},
			Digiflazz: Digiflazz{BaseURL: digiflazz.ProductionURL},
			Sandbox:   Sandbox{API: ProviderIAK},
		},
		Callback: Listener{Listen: defaultCallbackListen},
		Ops:      Listener{Listen: defaultOpsListen},
		Storage:  Storage{Path: defaultStoragePath},
		Poller: Poller{Schedule: defaultPollSchedule, Concurrency: defaultConcurrency,
			Location: jakarta, AlertAfter: defaultAlertAfter},
		Catalog: Catalog{Refresh: defaultCatalogRefresh},
		Log:     Log{Level: slog.LevelInfo, Format: "text"},
		Wallet:  flows.DefaultWallet(),
		Payment: Payment{Tripay: Tripay{BaseURL: tripay.ProductionURL}},
	}
}

// Load reads the TOML file at path; see Parse.
func Load(path string, getenv func(string) string) (Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}, fmt.Errorf("config file %s not found: copy config.example.toml to %s and fill it in, or pass -config FILE", path, path)
	}
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	cfg, err := Parse(data, getenv)
	if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 1 {
		return Config{}, fmt.Errorf("config %s has %d problems:\n\t%w", path, len(j.Unwrap()), indented{err})
	}
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// LoadBackup reads the file at path for backup: the problems reported
// are those of the storage and ops tables only.
func LoadBackup(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}, fmt.Errorf("config file %s not found: pass -config FILE, the bot's configuration", path)
	}
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	f, all, _, err := decodeFile(data)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	var problems []error
	for _, p := range all {
		var ke *keyError
		if errors.As(p, &ke) && (ke.key == "storage" || ke.key == "ops" ||
			strings.HasPrefix(ke.key, "storage.") || strings.HasPrefix(ke.key, "ops.")) {
			problems = append(problems, p)
		}
	}
	cfg := Config{Storage: Storage{Path: f.Storage.Path}, Ops: Listener{Listen: f.Ops.Listen}}
	checkStorage(cfg.Storage, func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) })
	if len(problems) > 0 {
		return Config{}, fmt.Errorf("config %s: %w", path, errors.Join(problems...))
	}
	return cfg, nil
}

// indented lists the problems of a joined error one a line, indented under
// the line that names the file.
type indented struct{ error }

func (e indented) Error() string { return strings.ReplaceAll(e.error.Error(), "\n", "\n\t") }
func (e indented) Unwrap() error { return e.error }

// Parse decodes a TOML configuration strictly (an unknown key is an
// error), lets a non-empty TOPUPBOT_* variable from getenv override its
// secret, applies the defaults and validates. All problems are reported at
// once, each with its fix; no error ever contains a secret.
func Parse(data []byte, getenv func(string) string) (Config, error) {
	cfg, problems, mistyped, err := decodeFile(data)
	if err != nil {
		return Config{}, err
	}
	if getenv != nil {
		for _, o := range []struct {
			env string
			dst *Secret
		}{
			{EnvTelegramToken, &cfg.Telegram.Token},
			{envIAKAPIKey, &cfg.Provider.IAK.APIKey},
			{envMesinR1APIKey, &cfg.Provider.MesinR1.APIKey},
			{envDigiflazzKey, &cfg.Provider.Digiflazz.APIKey},
			{envDigiflazzHook, &cfg.Provider.Digiflazz.WebhookSecret},
			{envTripayAPIKey, &cfg.Payment.Tripay.APIKey},
			{envTripayPrivate, &cfg.Payment.Tripay.PrivateKey},
		} {
			if v := getenv(o.env); v != "" {
				*o.dst = Secret{v}
			}
		}
	}
	// A key of the wrong type was reported with its fix and left at its
	// default; "telegram.token is required" after "telegram.token: found a
	// number" would only repeat it.
	for _, p := range cfg.problems() {
		if !aboutKey(p.Error(), mistyped) {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return Config{}, errors.Join(problems...)
	}
	return cfg, nil
}

// nilIfEmpty makes "admins = []" and no admins key the same config.
func nilIfEmpty(ids []int64) []int64 {
	if len(ids) == 0 {
		return nil
	}
	return ids
}

var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError,
}

func categoryList() string {
	ids := make([]string, len(flows.Categories))
	for i, c := range flows.Categories {
		ids[i] = string(c.ID)
	}
	return strings.Join(ids, ", ")
}

// parseIPPrefix reads an address ("52.220.38.194", a one-address prefix) or
// a CIDR prefix ("52.220.38.0/24", host bits dropped).
func parseIPPrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a.Zone() != "" {
		return netip.Prefix{}, errors.New("an address with a zone is not a peer")
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}
