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
	"topupbot/provider/iak"
)

// config is the validated configuration: every value typed, every default
// applied. Parse is the only way to get one; run wires from it.
//
// The key set (see fileConfig and config.example.toml) is a contract with
// operators' tooling: keys may be added, never renamed or given a new meaning.
type Config struct {
	Telegram Telegram
	Provider Provider
	Pricing  flows.Pricing // Category overrides Markup per category
	Callback Listener      // Listen "" means no callback listener
	Ops      Listener      // Listen is always a loopback address
	Storage  Storage
	Poller   Poller
	Catalog  Catalog
	Alerts   Alerts
	Log      Log
}

type Telegram struct {
	Token        Secret
	APIEndpoint  string // a fmt pattern with two %s: the token, then the method
	Admins       []int64
	NotifyChatID int64 // 0: alerts go to each admin
	AllowedUsers []int64
	Open         bool
	PollTimeout  time.Duration
	// Lang is the language of new chats and of the ops group's lines and
	// alerts; each chat may switch with /lang.
	Lang flows.Lang
}

type Provider struct {
	Name    string // ProviderIAK, ProviderMesinR1 or ProviderSandbox
	Timeout time.Duration
	IAK     IAK
	MesinR1 MesinR1
	Sandbox Sandbox
}

type IAK struct {
	BaseURL     string
	PostpaidURL string
	Username    string
	APIKey      Secret
	// CallbackIPs are matched against the TCP peer only; empty accepts any.
	CallbackIPs []netip.Prefix
}

type MesinR1 struct {
	BaseURL string
	MMID    string
	APIKey  Secret
}

type Sandbox struct {
	API string // which simulator: ProviderIAK or ProviderMesinR1
}

type Listener struct {
	Listen string // host:port
}

type Storage struct {
	Path string
}

type Poller struct {
	Schedule    string // a cron spec, checked with cron.ParseStandard
	Concurrency int
	Location    *time.Location
	AlertAfter  time.Duration
}

type Catalog struct {
	Refresh string // a cron spec, checked with cron.ParseStandard
}

type Alerts struct {
	LowBalance int64 // rupiah; 0 disables the warning
}

type Log struct {
	Level  slog.Level
	Format string // "text" or "json"
}

// The provider names, also the values of [provider.sandbox] api.
const (
	ProviderIAK     = "iak"
	ProviderMesinR1 = "mesinr1"
	ProviderSandbox = "sandbox"
)

// The environment variables that override secrets in the file.
const (
	EnvTelegramToken = "TOPUPBOT_TELEGRAM_TOKEN"
	envIAKAPIKey     = "TOPUPBOT_IAK_API_KEY"
	envMesinR1APIKey = "TOPUPBOT_MESINR1_API_KEY"
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

// fileConfig mirrors the TOML file key for key. Values that need parsing are
// kept as text here so that validation can report every bad one at once,
// where decoding into typed fields would stop at the first.
type fileConfig struct {
	Telegram fileTelegram `toml:"telegram"`
	Provider fileProvider `toml:"provider"`
	Pricing  filePricing  `toml:"pricing"`
	Callback fileListen   `toml:"callback"`
	Ops      fileListen   `toml:"ops"`
	Storage  fileStorage  `toml:"storage"`
	Poller   filePoller   `toml:"poller"`
	Catalog  fileCatalog  `toml:"catalog"`
	Alerts   fileAlerts   `toml:"alerts"`
	Log      fileLog      `toml:"log"`
}

type fileTelegram struct {
	Token        string  `toml:"token"`
	APIEndpoint  string  `toml:"api_endpoint"`
	Admins       []int64 `toml:"admins"`
	NotifyChatID int64   `toml:"notify_chat_id"`
	AllowedUsers []int64 `toml:"allowed_users"`
	Open         bool    `toml:"open"`
	PollTimeout  string  `toml:"poll_timeout"`
	Lang         string  `toml:"lang"`
}

type fileProvider struct {
	Name    string         `toml:"name"`
	Timeout string         `toml:"timeout"`
	IAK     fileIAK        `toml:"iak"`
	MesinR1 fileMesinR1    `toml:"mesinr1"`
	Sandbox fileSandboxAPI `toml:"sandbox"`
}

type fileIAK struct {
	BaseURL     string   `toml:"base_url"`
	PostpaidURL string   `toml:"postpaid_url"`
	Username    string   `toml:"username"`
	APIKey      string   `toml:"api_key"`
	CallbackIPs []string `toml:"callback_ips"`
}

type fileMesinR1 struct {
	BaseURL string `toml:"base_url"`
	MMID    string `toml:"mmid"`
	APIKey  string `toml:"api_key"`
}

type fileSandboxAPI struct {
	API string `toml:"api"`
}

type filePricing struct {
	Markup int64 `toml:"markup"`
	// Category is a map, not a struct, so that its keys are checked against
	// flows.Categories itself and can never drift from it.
	Category map[string]int64 `toml:"category"`
}

type fileListen struct {
	Listen string `toml:"listen"`
}

type fileStorage struct {
	Path string `toml:"path"`
}

type filePoller struct {
	Schedule    string `toml:"schedule"`
	Concurrency int    `toml:"concurrency"`
	Timezone    string `toml:"timezone"`
	AlertAfter  string `toml:"alert_after"`
}

type fileCatalog struct {
	Refresh string `toml:"refresh"`
}

type fileAlerts struct {
	LowBalance int64 `toml:"low_balance"`
}

type fileLog struct {
	Level  string `toml:"level"`
	Format string `toml:"format"`
}

// defaultFile is decoded over: a key the file leaves out keeps its default,
// while a key present with a bad value (concurrency = 0) is an error rather
// than silently defaulted.
func defaultFile() fileConfig {
	return fileConfig{
		Telegram: fileTelegram{APIEndpoint: defaultAPIEndpoint, PollTimeout: defaultPollTimeout.String(), Lang: string(flows.LangID)},
		Provider: fileProvider{
			Timeout: defaultProviderTimeout.String(),
			IAK:     fileIAK{BaseURL: iak.ProductionPrepaidURL, PostpaidURL: iak.ProductionPostpaidURL},
			Sandbox: fileSandboxAPI{API: ProviderIAK},
		},
		Callback: fileListen{Listen: defaultCallbackListen},
		Ops:      fileListen{Listen: defaultOpsListen},
		Storage:  fileStorage{Path: defaultStoragePath},
		Poller: filePoller{Schedule: defaultPollSchedule, Concurrency: defaultConcurrency,
			Timezone: defaultTimezone, AlertAfter: defaultAlertAfter.String()},
		Catalog: fileCatalog{Refresh: defaultCatalogRefresh},
		Log:     fileLog{Level: "info", Format: "text"},
	}
}

// Defaults is the configuration of a file that sets nothing: every default
// applied, nothing validated (the token and the provider are not set). A
// preset such as the demo, or a test, starts from it and sets what it needs.
func Defaults() Config {
	c, _ := defaultFile().build()
	return c
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
	f, problems, mistyped, err := decodeFile(data)
	if err != nil {
		return Config{}, err
	}
	if getenv != nil {
		for _, o := range []struct {
			env string
			dst *string
		}{
			{EnvTelegramToken, &f.Telegram.Token},
			{envIAKAPIKey, &f.Provider.IAK.APIKey},
			{envMesinR1APIKey, &f.Provider.MesinR1.APIKey},
		} {
			if v := getenv(o.env); v != "" {
				*o.dst = v
			}
		}
	}
	cfg, buildProblems := f.build()
	problems = append(problems, buildProblems...)
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

// build converts the text values that need parsing. A value that fails to
// parse is reported here and replaced by its default, so that validate,
// which checks the typed result, does not report it a second time.
func (f fileConfig) build() (Config, []error) {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	duration := func(key, s string, def time.Duration) time.Duration {
		d, err := time.ParseDuration(s)
		if err != nil {
			bad("%s %q is not a duration: use Go syntax such as %q or \"2m\"", key, s, def.String())
			return def
		}
		return d
	}
	orDefault := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}

	c := Config{
		Telegram: Telegram{
			Token:        Secret{f.Telegram.Token},
			APIEndpoint:  orDefault(f.Telegram.APIEndpoint, defaultAPIEndpoint),
			Admins:       nilIfEmpty(f.Telegram.Admins),
			NotifyChatID: f.Telegram.NotifyChatID,
			AllowedUsers: nilIfEmpty(f.Telegram.AllowedUsers),
			Open:         f.Telegram.Open,
			PollTimeout:  duration("telegram.poll_timeout", f.Telegram.PollTimeout, defaultPollTimeout),
			Lang:         flows.Lang(f.Telegram.Lang),
		},
		Provider: Provider{
			Name:    f.Provider.Name,
			Timeout: duration("provider.timeout", f.Provider.Timeout, defaultProviderTimeout),
			IAK: IAK{
				BaseURL:     orDefault(f.Provider.IAK.BaseURL, iak.ProductionPrepaidURL),
				PostpaidURL: orDefault(f.Provider.IAK.PostpaidURL, iak.ProductionPostpaidURL),
				Username:    f.Provider.IAK.Username,
				APIKey:      Secret{f.Provider.IAK.APIKey},
			},
			MesinR1: MesinR1{
				BaseURL: f.Provider.MesinR1.BaseURL,
				MMID:    f.Provider.MesinR1.MMID,
				APIKey:  Secret{f.Provider.MesinR1.APIKey},
			},
			Sandbox: Sandbox{API: f.Provider.Sandbox.API},
		},
		Pricing:  flows.Pricing{Markup: f.Pricing.Markup},
		Callback: Listener{Listen: f.Callback.Listen},
		Ops:      Listener{Listen: f.Ops.Listen},
		Storage:  Storage{Path: f.Storage.Path},
		Poller: Poller{
			Schedule:    f.Poller.Schedule,
			Concurrency: f.Poller.Concurrency,
			AlertAfter:  duration("poller.alert_after", f.Poller.AlertAfter, defaultAlertAfter),
		},
		Catalog: Catalog{Refresh: f.Catalog.Refresh},
		Alerts:  Alerts{LowBalance: f.Alerts.LowBalance},
		Log:     Log{Format: f.Log.Format},
	}

	for i, s := range f.Provider.IAK.CallbackIPs {
		p, err := parseIPPrefix(s)
		if err != nil {
			bad("provider.iak.callback_ips[%d] %q is not an IP address or CIDR prefix: use e.g. \"52.220.38.194\" or \"52.220.38.0/24\"", i, s)
			continue
		}
		c.Provider.IAK.CallbackIPs = append(c.Provider.IAK.CallbackIPs, p)
	}

	keys := make([]string, 0, len(f.Pricing.Category))
	for k := range f.Pricing.Category {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, ok := flows.LookupCategory(flows.CategoryID(k)); !ok {
			bad("unknown key pricing.category.%s: the categories are %s", k, categoryList())
			continue
		}
		if c.Pricing.Category == nil {
			c.Pricing.Category = map[flows.CategoryID]int64{}
		}
		c.Pricing.Category[flows.CategoryID(k)] = f.Pricing.Category[k]
	}

	// time.LoadLocation("") is UTC: an emptied value must not quietly move
	// the schedule seven hours.
	loc, err := time.LoadLocation(f.Poller.Timezone)
	if err != nil || f.Poller.Timezone == "" {
		bad("poller.timezone %q is not a time zone: use an IANA name such as %q", f.Poller.Timezone, defaultTimezone)
		loc, _ = time.LoadLocation(defaultTimezone)
	}
	c.Poller.Location = loc

	level, ok := logLevels[f.Log.Level]
	if !ok {
		bad("log.level %q is unknown: use \"debug\", \"info\", \"warn\" or \"error\"", f.Log.Level)
		level = slog.LevelInfo
	}
	c.Log.Level = level

	return c, problems
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
