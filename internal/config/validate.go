package config

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"topupbot/flows"
	"topupbot/provider/digiflazz"
	"topupbot/provider/iak"
	"topupbot/provider/tripay"
)

// Validate checks every rule on the typed configuration and returns all the
// problems joined, each saying how to fix it. It never quotes a secret.
// Parse runs it; a configuration built in code (a test's) runs it itself.
func (c Config) Validate() error { return errors.Join(c.problems()...) }

// problems runs the checks of every section, in the file's order.
func (c Config) problems() []error {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	checkTelegram(c.Telegram, bad)
	checkProvider(c.Provider, bad)
	checkPricing(c.Pricing, bad)
	checkListeners(c.Callback, c.Ops, bad)
	checkStorage(c.Storage, bad)
	checkPoller(c.Poller, c.Catalog, bad)
	checkAlerts(c.Alerts, bad)
	checkLog(c.Log, bad)
	checkWallet(c.Wallet, bad)
	checkPayment(c.Payment, c.Wallet, c.Callback, bad)
	checkRoutes(c.Routes, c.Provider, bad)
	return problems
}

// maxTransferInfo bounds wallet.transfer_info: it is shown inside a
// message with the deposit's amount and expiry.
const maxTransferInfo = 500

func checkWallet(w flows.WalletConfig, bad func(string, ...any)) {
	if w.MinDeposit <= 0 {
		bad("wallet.min_deposit is %d: it must be a positive number of rupiah, e.g. min_deposit = 10000", w.MinDeposit)
	}
	if w.MaxDeposit < w.MinDeposit {
		bad("wallet.max_deposit (%d) is below wallet.min_deposit (%d): raise it, e.g. max_deposit = 10000000", w.MaxDeposit, w.MinDeposit)
	}
	if w.DepositExpiry < time.Minute {
		bad("wallet.deposit_expiry is %s: a buyer needs time to transfer; use e.g. \"24h\" (at least \"1m\")", w.DepositExpiry)
	}
	if len(w.TransferInfo) > maxTransferInfo {
		bad("wallet.transfer_info is %d bytes: keep it under %d (bank, account number, name)", len(w.TransferInfo), maxTransferInfo)
	}
	if w.Enabled && strings.TrimSpace(w.TransferInfo) == "" {
		bad("wallet.transfer_info is empty with wallet.enabled = true: buyers would not know where to transfer; e.g. transfer_info = \"BCA 1234567890 a.n. Toko Budi\"")
	}
}

func checkPayment(p Payment, w flows.WalletConfig, callback Listener, bad func(string, ...any)) {
	t := p.Tripay
	checkSecret(bad, "payment.tripay.api_key", envTripayAPIKey, t.APIKey)
	checkSecret(bad, "payment.tripay.private_key", envTripayPrivate, t.PrivateKey)
	switch p.Gateway {
	case "":
		return
	case GatewayTripay, GatewaySandbox:
	default:
		bad("payment.gateway %q is unknown: use %q, %q (the built-in simulator) or \"\" (deposits by transfer only)", p.Gateway, GatewayTripay, GatewaySandbox)
		return
	}
	if !w.Enabled {
		bad("payment.gateway = %q needs wallet.enabled = true: a QRIS deposit is credited to the buyer's saldo", p.Gateway)
	}
	if callback.Listen == "" {
		bad("payment.gateway = %q needs callback.listen: the gateway calls back at /callback/tripay when the buyer has paid", p.Gateway)
	}
	if p.Gateway != GatewayTripay {
		return
	}
	if err := checkHTTPURL(t.BaseURL); err != nil {
		bad("payment.tripay.base_url %s: production is %s, Tripay's sandbox %s", err, tripay.ProductionURL, tripay.SandboxURL)
	}
	if strings.TrimSpace(t.MerchantCode) == "" || strings.ContainsFunc(t.MerchantCode, isSpaceOrControl) {
		bad("payment.tripay.merchant_code %q: set your merchant code from Tripay's dashboard (e.g. \"T12345\"), without spaces", t.MerchantCode)
	}
	if !t.APIKey.IsSet() {
		bad("payment.tripay.api_key is required with payment.gateway = %q: set it or %s (sandbox and production keys differ)", GatewayTripay, envTripayAPIKey)
	}
	if !t.PrivateKey.IsSet() {
		bad("payment.tripay.private_key is required with payment.gateway = %q: set it or %s", GatewayTripay, envTripayPrivate)
	}
}

func checkTelegram(t Telegram, bad func(string, ...any)) {
	if !t.Token.IsSet() {
		bad("telegram.token is required: set it or %s", EnvTelegramToken)
	}
	if !checkSecret(bad, "telegram.token", EnvTelegramToken, t.Token) && t.Token.IsSet() {
		if err := CheckTokenShape(t.Token.Reveal()); err != nil {
			bad("telegram.token (or %s) %v (the value is not shown: it is a secret)", EnvTelegramToken, err)
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
}

func checkProvider(p Provider, bad func(string, ...any)) {
	switch p.Name {
	case ProviderIAK, ProviderMesinR1, ProviderDigiflazz:
		if len(p.Names) > 0 {
			bad("provider.name and provider.names are both set: keep one — name = %q for one provider, names = [\"digiflazz\", \"iak\"] for several", p.Name)
		} else {
			checkAccount(p, p.Name, fmt.Sprintf("provider.name = %q", p.Name), bad)
		}
	case ProviderSandbox:
		// The simulators need no account.
		if len(p.Names) > 0 {
			bad("provider.name = %q and provider.names are both set: simulate several with provider.sandbox.apis = %q instead, or remove name", ProviderSandbox, p.Names)
		}
	case "":
		if len(p.Names) == 0 {
			bad("provider.name is required: set %q, %q, %q or %q (the simulator, nothing real is sold), or provider.names for several", ProviderIAK, ProviderMesinR1, ProviderDigiflazz, ProviderSandbox)
		}
	default:
		bad("provider.name %q is unknown: use %q, %q, %q or %q", p.Name, ProviderIAK, ProviderMesinR1, ProviderDigiflazz, ProviderSandbox)
	}
	checkProviderList("provider.names", p.Names, "name", bad)
	for _, n := range slices.Compact(slices.Sorted(slices.Values(p.Names))) {
		if p.Name == "" && (n == ProviderIAK || n == ProviderMesinR1 || n == ProviderDigiflazz) {
			checkAccount(p, n, fmt.Sprintf("%q in provider.names", n), bad)
		}
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
	if err := checkHTTPURL(p.Digiflazz.BaseURL); err != nil {
		bad("provider.digiflazz.base_url %s: Digiflazz's is %s", err, digiflazz.ProductionURL)
	}
	if strings.ContainsFunc(p.Digiflazz.Username, isSpaceOrControl) {
		bad("provider.digiflazz.username %q contains white space or control characters: remove them", p.Digiflazz.Username)
	}
	checkSecret(bad, "provider.digiflazz.api_key", envDigiflazzKey, p.Digiflazz.APIKey)
	checkSecret(bad, "provider.digiflazz.webhook_secret", envDigiflazzHook, p.Digiflazz.WebhookSecret)
	switch {
	case len(p.Sandbox.APIs) > 0 && p.Sandbox.API != "":
		bad("provider.sandbox.api and provider.sandbox.apis are both set: keep one — api = %q for one simulator, apis = [\"iak\", \"digiflazz\"] for several", p.Sandbox.API)
	case len(p.Sandbox.APIs) > 0:
		if p.Name != ProviderSandbox {
			bad("provider.sandbox.apis is set but provider.name is %q: the simulators run only with provider.name = %q; remove apis or set name = %q", p.Name, ProviderSandbox, ProviderSandbox)
		}
		checkProviderList("provider.sandbox.apis", p.Sandbox.APIs, "api", bad)
	case p.Sandbox.APIs != nil && p.Sandbox.API == "":
		bad("provider.sandbox.apis is empty: list the simulators to run, e.g. apis = [\"iak\", \"digiflazz\"], or remove it (api = \"iak\" is the default)")
	default:
		switch p.Sandbox.API {
		case ProviderIAK, ProviderMesinR1, ProviderDigiflazz:
		default:
			bad("provider.sandbox.api %q is unknown: use %q, %q or %q", p.Sandbox.API, ProviderIAK, ProviderMesinR1, ProviderDigiflazz)
		}
	}
}

// checkProviderList checks provider.names or provider.sandbox.apis: real
// providers, each once, at least two (one is written with single, the
// key of one provider).
func checkProviderList(key string, names []string, single string, bad func(string, ...any)) {
	if len(names) == 1 {
		bad("%s lists one provider: write %s = %q instead (%s is for several at once)", key, single, names[0], key[strings.LastIndexByte(key, '.')+1:])
	}
	for i, n := range names {
		switch n {
		case ProviderIAK, ProviderMesinR1, ProviderDigiflazz:
			if j := slices.Index(names, n); j < i {
				bad("%s[%d] %q is also %s[%d]: name each provider once", key, i, n, key, j)
			}
		case ProviderSandbox:
			bad("%s[%d] is %q: the simulator is not a provider to combine; use provider.name = %q with provider.sandbox.apis = [\"iak\", \"digiflazz\"]", key, i, n, ProviderSandbox, ProviderSandbox)
		default:
			bad("%s[%d] %q is unknown: use %q, %q or %q", key, i, n, ProviderIAK, ProviderMesinR1, ProviderDigiflazz)
		}
	}
}

// checkAccount requires the account keys of provider name, which sells
// because of via ("provider.name = \"iak\"").
func checkAccount(p Provider, name, via string, bad func(string, ...any)) {
	switch name {
	case ProviderIAK:
		if p.IAK.Username == "" {
			bad("provider.iak.username is required with %s: the phone number the IAK account is registered with", via)
		}
		if !p.IAK.APIKey.IsSet() {
			bad("provider.iak.api_key is required with %s: set it or %s (sandbox and production keys differ)", via, envIAKAPIKey)
		}
	case ProviderMesinR1:
		if p.MesinR1.BaseURL == "" {
			bad("provider.mesinr1.base_url is required with %s: your tenant's URL, e.g. \"https://apiindotel.mesinr1.com\"", via)
		}
		if p.MesinR1.MMID == "" {
			bad("provider.mesinr1.mmid is required with %s: the member id Mesin R1 gave you", via)
		}
		if !p.MesinR1.APIKey.IsSet() {
			bad("provider.mesinr1.api_key is required with %s: set it or %s", via, envMesinR1APIKey)
		}
	case ProviderDigiflazz:
		if p.Digiflazz.Username == "" {
			bad("provider.digiflazz.username is required with %s: the buyer username of your Digiflazz account", via)
		}
		if !p.Digiflazz.APIKey.IsSet() {
			bad("provider.digiflazz.api_key is required with %s: set it or %s (the development and production keys differ)", via, envDigiflazzKey)
		}
	}
}

func checkPricing(p flows.Pricing, bad func(string, ...any)) {
	checkMarkups("pricing", p, bad)
	if p.MinMargin < 0 {
		bad("pricing.min_margin is %d: it cannot be negative (0 never sells under the provider's price)", p.MinMargin)
	}
	names := slices.Sorted(maps.Keys(p.Level))
	for _, name := range names {
		key := "pricing.level." + name
		switch {
		case name == flows.DefaultLevel:
			bad("%s: %q is reserved for [pricing] itself: give the level another name", key, name)
		case !validLevelName(name):
			bad("%s: a level's name is 1 to 32 lower-case letters, digits, '-' or '_', e.g. [pricing.level.reseller]", key)
		}
		l := p.Level[name]
		if l == nil {
			continue
		}
		checkMarkups(key, *l, bad)
		if l.MinMargin != 0 {
			bad("%s.min_margin: the minimum margin is the shop's, not a level's: set it under [pricing] only", key)
		}
		if len(l.Level) > 0 {
			bad("%s.level: a level has no levels of its own: write each as [pricing.level.NAME]", key)
		}
	}
}

// checkMarkups checks the markups of one level, whose keys start with prefix.
func checkMarkups(prefix string, p flows.Pricing, bad func(string, ...any)) {
	if p.Markup < 0 {
		bad("%s.markup is %d: a markup cannot be negative (0 sells at the provider's price)", prefix, p.Markup)
	}
	for _, cat := range flows.Categories {
		if m, ok := p.Category[cat.ID]; ok && m < 0 {
			bad("%s.category.%s is %d: a markup cannot be negative (0 sells at the provider's price)", prefix, cat.ID, m)
		}
	}
	for cat := range p.Category {
		if _, ok := flows.LookupCategory(cat); !ok {
			bad("%s.category.%s is not a category: the categories are %s", prefix, cat, categoryList())
		}
	}
}

// validLevelName reports whether name can name a price level: it is typed
// in /level, so short, lower-case and without spaces.
func validLevelName(name string) bool {
	if name == "" || len(name) > 32 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func checkListeners(callback, ops Listener, bad func(string, ...any)) {
	if callback.Listen != "" {
		if _, err := splitListen(callback.Listen); err != nil {
			bad("callback.listen %q %v: use host:port such as %q, or \"\" for no callback listener", callback.Listen, err, defaultCallbackListen)
		}
	}
	// /backup streams the whole database, customers' numbers included; the
	// ops listener has no authentication, so only this machine may reach it.
	if host, err := splitListen(ops.Listen); err != nil {
		bad("ops.listen %q %v: use a loopback host:port such as %q", ops.Listen, err, defaultOpsListen)
	} else if !isLoopback(host) {
		bad("ops.listen %q is not a loopback address: /backup hands out the whole database, so use 127.0.0.1, [::1] or localhost, e.g. %q", ops.Listen, defaultOpsListen)
	}
	if callback.Listen != "" && callback.Listen == ops.Listen && !strings.HasSuffix(ops.Listen, ":0") {
		bad("callback.listen and ops.listen are both %q: give them different ports", ops.Listen)
	}
}

func checkStorage(s Storage, bad func(string, ...any)) {
	if s.Path == "" {
		bad("storage.path is empty: name the database file (the default is %q)", defaultStoragePath)
	}
}

// checkPoller checks the poller and the catalog refresh, which runs in the
// poller's time zone.
func checkPoller(p Poller, cat Catalog, bad func(string, ...any)) {
	if err := checkSchedule(p.Schedule); err != nil {
		bad("poller.schedule %q: %v: use a cron line or a descriptor such as %q", p.Schedule, err, defaultPollSchedule)
	}
	if p.Concurrency < 1 {
		bad("poller.concurrency is %d: it must be at least 1 (the default is %d)", p.Concurrency, defaultConcurrency)
	}
	if p.Location == nil {
		bad("poller.timezone is not set: use an IANA name such as %q", defaultTimezone)
	}
	if p.AlertAfter <= 0 {
		bad("poller.alert_after is %v: it must be positive (the default is %q)", p.AlertAfter, defaultAlertAfter.String())
	}
	if err := checkSchedule(cat.Refresh); err != nil {
		bad("catalog.refresh %q: %v: use a cron line or a descriptor such as %q", cat.Refresh, err, defaultCatalogRefresh)
	}
}

func checkAlerts(a Alerts, bad func(string, ...any)) {
	if a.LowBalance < 0 {
		bad("alerts.low_balance is %d: it cannot be negative (0 disables the warning)", a.LowBalance)
	}
}

func checkLog(l Log, bad func(string, ...any)) {
	if _, ok := logLevels[strings.ToLower(l.Level.String())]; !ok {
		bad("log.level %v is unknown: use \"debug\", \"info\", \"warn\" or \"error\"", l.Level)
	}
	if l.Format != "text" && l.Format != "json" {
		bad("log.format %q is unknown: use \"text\" or \"json\"", l.Format)
	}
}

// checkSecret rejects white space and control characters in a secret, the
// usual residue of copying it; the message names the key, never the value.
// It reports whether it found a problem.
func checkSecret(bad func(string, ...any), key, env string, s Secret) bool {
	if strings.ContainsFunc(s.Reveal(), isSpaceOrControl) {
		bad("%s (or %s) contains white space or control characters: copy it again without them (the value is not shown: it is a secret)", key, env)
		return true
	}
	return false
}

// minTokenSecret is the shortest secret half of a bot token accepted.
// @BotFather's are 35 characters; the check is for a token cut short or
// something else pasted, not for the exact length.
const minTokenSecret = 20

// CheckTokenShape checks that token looks like @BotFather's
// "123456789:AAE…": the bot's id, a colon, then letters, digits, - and _.
// A token of another shape would only be refused by Telegram, after a
// round trip and with a less helpful error. The error never quotes the
// token.
func CheckTokenShape(token string) error {
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
