package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // poller.timezone must load on machines without a tz database

	"github.com/BurntSushi/toml"
	"github.com/robfig/cron/v3"

	"topupbot/flows"
	"topupbot/provider/iak"
)

// config is the validated configuration: every value typed, every default
// applied. parseConfig is the only way to get one; run wires from it.
//
// The key set (see fileConfig and config.example.toml) is a contract with
// operators' tooling: keys may be added, never renamed or given a new meaning.
type config struct {
	Telegram telegramConfig
	Provider providerConfig
	Pricing  pricingConfig
	Callback listenConfig // Listen "" means no callback listener
	Ops      listenConfig // Listen is always a loopback address
	Storage  storageConfig
	Poller   pollerConfig
	Catalog  catalogConfig
	Alerts   alertsConfig
	Log      logConfig
}

type telegramConfig struct {
	Token        secret
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

type providerConfig struct {
	Name    string // providerIAK, providerMesinR1 or providerSandbox
	Timeout time.Duration
	IAK     iakConfig
	MesinR1 mesinr1Config
	Sandbox sandboxConfig
}

type iakConfig struct {
	BaseURL     string
	PostpaidURL string
	Username    string
	APIKey      secret
	// CallbackIPs are matched against the TCP peer only; empty accepts any.
	CallbackIPs []netip.Prefix
}

type mesinr1Config struct {
	BaseURL string
	MMID    string
	APIKey  secret
}

type sandboxConfig struct {
	API string // which simulator: providerIAK or providerMesinR1
}

type pricingConfig struct {
	Markup   int64                      // rupiah added to every provider price
	Category map[flows.CategoryID]int64 // overrides Markup per category
}

// markupFor returns the rupiah added to the provider price of a product in
// category cat.
func (p pricingConfig) markupFor(cat flows.CategoryID) int64 {
	if m, ok := p.Category[cat]; ok {
		return m
	}
	return p.Markup
}

type listenConfig struct {
	Listen string // host:port
}

type storageConfig struct {
	Path string
}

type pollerConfig struct {
	Schedule    string // a cron spec, checked with cron.ParseStandard
	Concurrency int
	Location    *time.Location
	AlertAfter  time.Duration
}

type catalogConfig struct {
	Refresh string // a cron spec, checked with cron.ParseStandard
}

type alertsConfig struct {
	LowBalance int64 // rupiah; 0 disables the warning
}

type logConfig struct {
	Level  slog.Level
	Format string // "text" or "json"
}

// The provider names, also the values of [provider.sandbox] api.
const (
	providerIAK     = "iak"
	providerMesinR1 = "mesinr1"
	providerSandbox = "sandbox"
)

// The environment variables that override secrets in the file.
const (
	envTelegramToken = "TOPUPBOT_TELEGRAM_TOKEN"
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
			Sandbox: fileSandboxAPI{API: providerIAK},
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

// loadConfig reads the TOML file at path; see parseConfig.
func loadConfig(path string, getenv func(string) string) (config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return config{}, fmt.Errorf("config file %s not found: copy config.example.toml to %s and fill it in, or pass -config FILE", path, path)
	}
	if err != nil {
		return config{}, fmt.Errorf("config: %w", err)
	}
	cfg, err := parseConfig(data, getenv)
	if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 1 {
		return config{}, fmt.Errorf("config %s has %d problems:\n\t%w", path, len(j.Unwrap()), indented{err})
	}
	if err != nil {
		return config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// indented lists the problems of a joined error one a line, indented under
// the line that names the file.
type indented struct{ error }

func (e indented) Error() string { return strings.ReplaceAll(e.error.Error(), "\n", "\n\t") }
func (e indented) Unwrap() error { return e.error }

// parseConfig decodes a TOML configuration strictly (an unknown key is an
// error), lets a non-empty TOPUPBOT_* variable from getenv override its
// secret, applies the defaults and validates. All problems are reported at
// once, each with its fix; no error ever contains a secret.
func parseConfig(data []byte, getenv func(string) string) (config, error) {
	f, problems, mistyped, err := decodeFile(data)
	if err != nil {
		return config{}, err
	}
	if getenv != nil {
		for _, o := range []struct {
			env string
			dst *string
		}{
			{envTelegramToken, &f.Telegram.Token},
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
		return config{}, errors.Join(problems...)
	}
	return cfg, nil
}

// secretKeys are the keys whose values must never appear in an error.
var secretKeys = []string{"telegram.token", "provider.iak.api_key", "provider.mesinr1.api_key"}

// decodeError makes the TOML decoder's error safe to show. Its syntax
// errors quote the offending text (`expected value but found "123:ABC"`),
// which for an unquoted token is the token itself, so for a secret's line
// only the position and the usual fix are kept.
func decodeError(err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) && slices.Contains(secretKeys, pe.LastKey) {
		return fmt.Errorf("toml: line %d (last key %q): cannot read it (the parser's message is withheld: it may quote the secret): write it once, as a quoted string: %s = \"...\"",
			pe.Position.Line, pe.LastKey, pe.LastKey[strings.LastIndexByte(pe.LastKey, '.')+1:])
	}
	return err
}

// unknownKeyError names k and suggests the key probably meant: one a typo
// away in the same table, or a key of that name in another table.
func unknownKeyError(k toml.Key) error {
	name := k.String()
	if guess := suggestKey(k); guess != "" {
		return fmt.Errorf("unknown key %s: did you mean %s?", name, guess)
	}
	return fmt.Errorf("unknown key %s: remove it (config.example.toml lists every key)", name)
}

func suggestKey(k toml.Key) string {
	parent, leaf := strings.Join(k[:len(k)-1], "."), k[len(k)-1]
	best, bestDist := "", 3 // at most two edits away
	for _, known := range knownKeys() {
		i := strings.LastIndexByte(known, '.')
		kParent, kLeaf := "", known
		if i >= 0 {
			kParent, kLeaf = known[:i], known[i+1:]
		}
		switch {
		case kLeaf == leaf && kParent != parent:
			return known // right key, wrong table
		case kParent == parent:
			if d := editDistance(leaf, kLeaf); d < bestDist {
				best, bestDist = known, d
			}
		}
	}
	return best
}

// knownKeys lists the dotted keys of fileConfig, tables included.
func knownKeys() []string {
	var keys []string
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, t reflect.Type) {
		for f := range t.Fields() {
			name := prefix + f.Tag.Get("toml")
			keys = append(keys, name)
			if f.Type.Kind() == reflect.Struct {
				walk(name+".", f.Type)
			}
		}
	}
	walk("", reflect.TypeFor[fileConfig]())
	return keys
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// build converts the text values that need parsing. A value that fails to
// parse is reported here and replaced by its default, so that validate,
// which checks the typed result, does not report it a second time.
func (f fileConfig) build() (config, []error) {
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

	c := config{
		Telegram: telegramConfig{
			Token:        secret{f.Telegram.Token},
			APIEndpoint:  orDefault(f.Telegram.APIEndpoint, defaultAPIEndpoint),
			Admins:       nilIfEmpty(f.Telegram.Admins),
			NotifyChatID: f.Telegram.NotifyChatID,
			AllowedUsers: nilIfEmpty(f.Telegram.AllowedUsers),
			Open:         f.Telegram.Open,
			PollTimeout:  duration("telegram.poll_timeout", f.Telegram.PollTimeout, defaultPollTimeout),
			Lang:         flows.Lang(f.Telegram.Lang),
		},
		Provider: providerConfig{
			Name:    f.Provider.Name,
			Timeout: duration("provider.timeout", f.Provider.Timeout, defaultProviderTimeout),
			IAK: iakConfig{
				BaseURL:     orDefault(f.Provider.IAK.BaseURL, iak.ProductionPrepaidURL),
				PostpaidURL: orDefault(f.Provider.IAK.PostpaidURL, iak.ProductionPostpaidURL),
				Username:    f.Provider.IAK.Username,
				APIKey:      secret{f.Provider.IAK.APIKey},
			},
			MesinR1: mesinr1Config{
				BaseURL: f.Provider.MesinR1.BaseURL,
				MMID:    f.Provider.MesinR1.MMID,
				APIKey:  secret{f.Provider.MesinR1.APIKey},
			},
			Sandbox: sandboxConfig{API: f.Provider.Sandbox.API},
		},
		Pricing:  pricingConfig{Markup: f.Pricing.Markup},
		Callback: listenConfig{Listen: f.Callback.Listen},
		Ops:      listenConfig{Listen: f.Ops.Listen},
		Storage:  storageConfig{Path: f.Storage.Path},
		Poller: pollerConfig{
			Schedule:    f.Poller.Schedule,
			Concurrency: f.Poller.Concurrency,
			AlertAfter:  duration("poller.alert_after", f.Poller.AlertAfter, defaultAlertAfter),
		},
		Catalog: catalogConfig{Refresh: f.Catalog.Refresh},
		Alerts:  alertsConfig{LowBalance: f.Alerts.LowBalance},
		Log:     logConfig{Format: f.Log.Format},
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

// validate checks every rule on the typed configuration and returns all the
// problems joined, each saying how to fix it. It never quotes a secret.
func (c config) validate() error { return errors.Join(c.problems()...) }

func (c config) problems() []error {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	t := c.Telegram
	if !t.Token.isSet() {
		bad("telegram.token is required: set it or %s", envTelegramToken)
	}
	if !checkSecret(bad, "telegram.token", envTelegramToken, t.Token) && t.Token.isSet() {
		if err := checkTokenShape(t.Token.reveal()); err != nil {
			bad("telegram.token (or %s) %v (the value is not shown: it is a secret)", envTelegramToken, err)
		}
	}
	if err := checkAPIEndpoint(t.APIEndpoint); err != nil {
		bad("telegram.api_endpoint %q %v: use e.g. \"http://127.0.0.1:8081/bot%%s/%%s\" for a local Bot API server, or leave it out for Telegram's", t.APIEndpoint, err)
	}
	for _, list := range []struct {
		key string
		ids []int64
	}{{"telegram.admins", t.Admins}, {"telegram.allowed_users", t.AllowedUsers}} {
		for i, id := range list.ids {
			if id <= 0 {
				bad("%s[%d] = %d is not a user id: user ids are positive (ask @userinfobot); a group's id goes in telegram.notify_chat_id", list.key, i, id)
			}
		}
	}
	// Telegram's long-poll timeout is whole seconds: less than one would
	// turn long polling into a busy loop.
	if t.PollTimeout < time.Second {
		bad("telegram.poll_timeout is %v: it must be at least 1s (the default is %q)", t.PollTimeout, defaultPollTimeout.String())
	}
	if t.Lang != flows.LangID && t.Lang != flows.LangEN {
		bad("telegram.lang is %q: use \"id\" (Bahasa Indonesia, the default) or \"en\" (English)", t.Lang)
	}

	p := c.Provider
	switch p.Name {
	case providerIAK:
		if p.IAK.Username == "" {
			bad("provider.iak.username is required with provider.name = %q: the phone number the IAK account is registered with", providerIAK)
		}
		if !p.IAK.APIKey.isSet() {
			bad("provider.iak.api_key is required with provider.name = %q: set it or %s (sandbox and production keys differ)", providerIAK, envIAKAPIKey)
		}
	case providerMesinR1:
		if p.MesinR1.BaseURL == "" {
			bad("provider.mesinr1.base_url is required with provider.name = %q: your tenant's URL, e.g. \"https://apiindotel.mesinr1.com\"", providerMesinR1)
		}
		if p.MesinR1.MMID == "" {
			bad("provider.mesinr1.mmid is required with provider.name = %q: the member id Mesin R1 gave you", providerMesinR1)
		}
		if !p.MesinR1.APIKey.isSet() {
			bad("provider.mesinr1.api_key is required with provider.name = %q: set it or %s", providerMesinR1, envMesinR1APIKey)
		}
	case providerSandbox:
		// The simulators need no account.
	case "":
		bad("provider.name is required: set %q, %q or %q (the simulator, nothing real is sold)", providerIAK, providerMesinR1, providerSandbox)
	default:
		bad("provider.name %q is unknown: use %q, %q or %q", p.Name, providerIAK, providerMesinR1, providerSandbox)
	}
	if p.Timeout <= 0 {
		bad("provider.timeout is %v: it must be positive (the default is %q)", p.Timeout, defaultProviderTimeout.String())
	}
	if err := checkHTTPURL(p.IAK.BaseURL); err != nil {
		bad("provider.iak.base_url %s: production is %s, IAK's sandbox %s", err, iak.ProductionPrepaidURL, iak.SandboxPrepaidURL)
	}
	if err := checkHTTPURL(p.IAK.PostpaidURL); err != nil {
		bad("provider.iak.postpaid_url %s: production is %s, IAK's sandbox %s", err, iak.ProductionPostpaidURL, iak.SandboxPostpaidURL)
	}
	checkSecret(bad, "provider.iak.api_key", envIAKAPIKey, p.IAK.APIKey)
	for i, ip := range p.IAK.CallbackIPs {
		if !ip.IsValid() {
			bad("provider.iak.callback_ips[%d] is not a valid prefix", i)
		}
	}
	if p.MesinR1.BaseURL != "" {
		if err := checkHTTPURL(p.MesinR1.BaseURL); err != nil {
			bad("provider.mesinr1.base_url %s: use your tenant's URL, e.g. \"https://apiindotel.mesinr1.com\"", err)
		}
	}
	if strings.ContainsFunc(p.MesinR1.MMID, isSpaceOrControl) {
		bad("provider.mesinr1.mmid %q contains white space or control characters: remove them", p.MesinR1.MMID)
	}
	checkSecret(bad, "provider.mesinr1.api_key", envMesinR1APIKey, p.MesinR1.APIKey)
	if p.Sandbox.API != providerIAK && p.Sandbox.API != providerMesinR1 {
		bad("provider.sandbox.api %q is unknown: use %q or %q", p.Sandbox.API, providerIAK, providerMesinR1)
	}

	if c.Pricing.Markup < 0 {
		bad("pricing.markup is %d: a markup cannot be negative (0 sells at the provider's price)", c.Pricing.Markup)
	}
	for _, cat := range flows.Categories {
		if m, ok := c.Pricing.Category[cat.ID]; ok && m < 0 {
			bad("pricing.category.%s is %d: a markup cannot be negative (0 sells at the provider's price)", cat.ID, m)
		}
	}
	for cat := range c.Pricing.Category {
		if _, ok := flows.LookupCategory(cat); !ok {
			bad("pricing.category.%s is not a category: the categories are %s", cat, categoryList())
		}
	}

	if c.Callback.Listen != "" {
		if _, err := splitListen(c.Callback.Listen); err != nil {
			bad("callback.listen %q %v: use host:port such as %q, or \"\" for no callback listener", c.Callback.Listen, err, defaultCallbackListen)
		}
	}
	// /backup streams the whole database, customers' numbers included; the
	// ops listener has no authentication, so only this machine may reach it.
	if host, err := splitListen(c.Ops.Listen); err != nil {
		bad("ops.listen %q %v: use a loopback host:port such as %q", c.Ops.Listen, err, defaultOpsListen)
	} else if !isLoopback(host) {
		bad("ops.listen %q is not a loopback address: /backup hands out the whole database, so use 127.0.0.1, [::1] or localhost, e.g. %q", c.Ops.Listen, defaultOpsListen)
	}
	if c.Callback.Listen != "" && c.Callback.Listen == c.Ops.Listen && !strings.HasSuffix(c.Ops.Listen, ":0") {
		bad("callback.listen and ops.listen are both %q: give them different ports", c.Ops.Listen)
	}

	if c.Storage.Path == "" {
		bad("storage.path is empty: name the database file (the default is %q)", defaultStoragePath)
	}

	if err := checkCron(c.Poller.Schedule); err != nil {
		bad("poller.schedule %q: %v: use a cron line or a descriptor such as %q", c.Poller.Schedule, err, defaultPollSchedule)
	}
	if c.Poller.Concurrency < 1 {
		bad("poller.concurrency is %d: it must be at least 1 (the default is %d)", c.Poller.Concurrency, defaultConcurrency)
	}
	if c.Poller.Location == nil {
		bad("poller.timezone is not set: use an IANA name such as %q", defaultTimezone)
	}
	if c.Poller.AlertAfter <= 0 {
		bad("poller.alert_after is %v: it must be positive (the default is %q)", c.Poller.AlertAfter, defaultAlertAfter.String())
	}
	if err := checkCron(c.Catalog.Refresh); err != nil {
		bad("catalog.refresh %q: %v: use a cron line or a descriptor such as %q", c.Catalog.Refresh, err, defaultCatalogRefresh)
	}

	if c.Alerts.LowBalance < 0 {
		bad("alerts.low_balance is %d: it cannot be negative (0 disables the warning)", c.Alerts.LowBalance)
	}

	if _, ok := logLevels[strings.ToLower(c.Log.Level.String())]; !ok {
		bad("log.level %v is unknown: use \"debug\", \"info\", \"warn\" or \"error\"", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format %q is unknown: use \"text\" or \"json\"", c.Log.Format)
	}
	return problems
}

// checkSecret rejects white space and control characters in a secret, the
// usual residue of copying it; the message names the key, never the value.
// It reports whether it found a problem.
func checkSecret(bad func(string, ...any), key, env string, s secret) bool {
	if strings.ContainsFunc(s.reveal(), isSpaceOrControl) {
		bad("%s (or %s) contains white space or control characters: copy it again without them (the value is not shown: it is a secret)", key, env)
		return true
	}
	return false
}

// minTokenSecret is the shortest secret half of a bot token accepted.
// @BotFather's are 35 characters; the check is for a token cut short or
// something else pasted, not for the exact length.
const minTokenSecret = 20

// checkTokenShape checks that token looks like @BotFather's
// "123456789:AAE…": the bot's id, a colon, then letters, digits, - and _.
// A token of another shape would only be refused by Telegram, after a
// round trip and with a less helpful error. The error never quotes the
// token.
func checkTokenShape(token string) error {
	const want = "does not look like a bot token: @BotFather gives one like 123456789:AAE… (the bot's id, a colon, then about 35 letters, digits, - or _)"
	id, rest, ok := strings.Cut(token, ":")
	switch {
	case strings.Contains(token, "/"):
		return errors.New("looks like a URL: write only the token, the part after /bot")
	case strings.HasPrefix(strings.ToLower(id), "bot"):
		return errors.New(`starts with "bot": write only the token, without the "bot" of the URL in front`)
	case !ok:
		return errors.New("has no colon: " + want)
	case id == "" || strings.ContainsFunc(id, func(r rune) bool { return r < '0' || r > '9' }):
		return errors.New("does not start with the bot's id: " + want)
	case strings.ContainsFunc(rest, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}):
		return errors.New("has characters no token has after the colon: " + want)
	case len(rest) < minTokenSecret:
		return errors.New("is too short after the colon, probably cut off: " + want)
	}
	return nil
}

func isSpaceOrControl(r rune) bool {
	return r <= ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u00a0' || r == '\u2028' || r == '\u2029' || r == '\ufeff'
}

// checkAPIEndpoint accepts what tgbotapi formats with
// fmt.Sprintf(endpoint, token, method): an http(s) URL with exactly two %s
// and no other verb.
func checkAPIEndpoint(s string) error {
	if strings.Count(s, "%s") != 2 || strings.Count(s, "%") != 2 {
		return errors.New("must contain %s twice (for the token, then the method) and no other %")
	}
	if err := checkHTTPURL(strings.ReplaceAll(s, "%s", "x")); err != nil {
		return errors.New("is not an absolute http(s) URL")
	}
	return nil
}

// checkHTTPURL accepts an absolute http(s) URL without user info, query or
// fragment. Its error starts with the (redacted) URL.
func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, user info included
		}
		return fmt.Errorf("is not a URL (%v)", err)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Opaque != "":
		return fmt.Errorf("%q is not an absolute http(s) URL", u.Redacted())
	case u.User != nil, u.RawQuery != "", u.ForceQuery, u.Fragment != "":
		return fmt.Errorf("%q must not carry user info, a query or a fragment", u.Redacted())
	}
	return nil
}

// splitListen checks a listen address and returns its host. The port must
// be a number: 0 picks a free one (tests use it).
func splitListen(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", errors.New("is not host:port")
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", fmt.Errorf("has port %q, not a number from 0 to 65535", port)
	}
	return host, nil
}

// isLoopback reports whether a listen host reaches only this machine. An
// empty host listens on every interface.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// checkCron parses spec as poller.go's newPoller does. robfig/cron v3.0.1
// panics on some malformed specs (a "TZ=Asia/Jakarta" prefix with nothing
// after it); a configuration must be refused, never crash the bot.
func checkCron(spec string) (err error) {
	defer func() {
		if recover() != nil {
			err = errors.New("not a cron spec")
		}
	}()
	if spec == "" {
		return errors.New("empty spec")
	}
	_, err = cron.ParseStandard(spec)
	return err
}

// secret holds a credential. Every way of printing it — fmt's verbs, slog,
// text and JSON encoding — shows "[redacted]", so a config, or a struct or
// error carrying one, is safe to log. reveal is the only way to read it.
// It is a struct, not a string type, so that string(s) cannot leak it.
type secret struct{ v string }

const redacted = "[redacted]"

// reveal returns the credential, for the one client that sends it.
func (s secret) reveal() string { return s.v }

func (s secret) isSet() bool { return s.v != "" }

func (secret) String() string   { return redacted }
func (secret) GoString() string { return redacted }

// Format covers every verb, %x and %q included.
func (secret) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

func (secret) LogValue() slog.Value { return slog.StringValue(redacted) }

func (secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

func (secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
