package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"

	"topupbot/flows"
	"topupbot/internal/config"
	"topupbot/provider/digiflazz"
	"topupbot/provider/iak"
	"topupbot/provider/mesinr1"
	"topupbot/provider/sandbox/digiflazzsim"
	"topupbot/provider/sandbox/iaksim"
	"topupbot/provider/sandbox/mesinr1sim"
)

// Credentials of the in-process simulator; not secrets: it is on loopback.
const (
	sandboxUser = "081200000000"
	sandboxKey  = "sandbox-key"
	sandboxMMID = "SANDBOX1"
	// sandboxWebhookSecret signs the Digiflazz simulator's webhooks, so
	// that sandbox mode settles from them as production does with its
	// secret.
	sandboxWebhookSecret = "sandbox-webhook-secret"
)

// sandboxServer is one in-process simulator and the loopback listener it
// is served on: each simulated API has its own, so that several never
// clash over a path.
type sandboxServer struct {
	api string
	ln  net.Listener
	h   http.Handler
}

// buildProviders makes every configured provider's client and, with a
// callback listener, the handler of its callbacks (one path per provider:
// /callback/iak, /callback/digiflazz); in sandbox mode it also makes the
// simulators the clients talk to. a.providers holds them in the
// configuration's order; a.provider is the first, the only one with one.
func (a *app) buildProviders() error {
	cfg := a.cfg.Provider
	for _, name := range cfg.Active() {
		// Each provider's calls are measured under its own name, as its
		// orders' accounts name it.
		httpClient := &http.Client{Timeout: cfg.Timeout, Transport: a.metrics.Transport(name, nil)}
		var p flows.Provider
		var err error
		if cfg.Name == config.ProviderSandbox {
			p, err = a.buildSandbox(name, httpClient)
		} else {
			p, err = a.buildProvider(name, httpClient)
		}
		if err != nil {
			return fmt.Errorf("provider %s: %w", name, err)
		}
		a.providers = append(a.providers, p)
	}
	if len(a.providers) == 0 {
		return fmt.Errorf("unknown provider %q", cfg.Name)
	}
	a.provider = a.providers[0]
	return nil
}

// buildProvider makes the client of the real provider name.
func (a *app) buildProvider(name string, httpClient *http.Client) (flows.Provider, error) {
	cfg := a.cfg.Provider
	switch name {
	case config.ProviderIAK:
		c, err := iak.New(iak.Config{PrepaidURL: cfg.IAK.BaseURL, PostpaidURL: cfg.IAK.PostpaidURL,
			Username: cfg.IAK.Username, APIKey: cfg.IAK.APIKey.Reveal(), HTTPClient: httpClient})
		if err != nil {
			return nil, err
		}
		return c, a.iakCallbacks(c, cfg.IAK.CallbackIPs)
	case config.ProviderMesinR1:
		return mesinr1.New(mesinr1.Config{BaseURL: cfg.MesinR1.BaseURL, MMID: cfg.MesinR1.MMID,
			APIKey: cfg.MesinR1.APIKey.Reveal(), HTTPClient: httpClient, Logger: a.log})
	case config.ProviderDigiflazz:
		d := cfg.Digiflazz
		c, err := digiflazz.New(digiflazz.Config{BaseURL: d.BaseURL, Username: d.Username, APIKey: d.APIKey.Reveal(),
			Testing: d.Testing, HTTPClient: httpClient})
		if err != nil {
			return nil, err
		}
		return c, a.digiflazzWebhook(d.WebhookSecret.Reveal())
	}
	return nil, fmt.Errorf("unknown provider %q", name)
}

// buildSandbox serves the simulator of api on a loopback listener of its
// own and makes the real client of that API against it.
func (a *app) buildSandbox(api string, httpClient *http.Client) (flows.Provider, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sandbox listener: %w", err)
	}
	a.closers = append(a.closers, func() { ln.Close() })
	base := "http://" + ln.Addr().String()
	serve := func(h http.Handler) { a.sandboxes = append(a.sandboxes, sandboxServer{api: api, ln: ln, h: h}) }
	switch api {
	case config.ProviderMesinR1:
		sim := mesinr1sim.New(mesinr1sim.Options{MMID: sandboxMMID, APIKey: sandboxKey, SettleDelay: a.preset.settleDelay, Logger: a.log})
		a.closers = append(a.closers, sim.Close)
		serve(sim)
		return mesinr1.New(mesinr1.Config{BaseURL: base, MMID: sandboxMMID, APIKey: sandboxKey, HTTPClient: httpClient, Logger: a.log})
	case config.ProviderDigiflazz:
		opts := digiflazzsim.Options{Username: sandboxUser, APIKey: sandboxKey, Settle: a.preset.settleDelay,
			WebhookSecret: sandboxWebhookSecret, Logger: a.log}
		if a.callbackLn != nil {
			opts.WebhookURL = "http://" + a.callbackLn.Addr().String() + "/callback/digiflazz"
		}
		sim := digiflazzsim.New(opts)
		a.closers = append(a.closers, sim.Close)
		serve(sim)
		c, err := digiflazz.New(digiflazz.Config{BaseURL: base + "/v1", Username: sandboxUser, APIKey: sandboxKey,
			Testing: true, HTTPClient: httpClient})
		if err != nil {
			return nil, err
		}
		return c, a.digiflazzWebhook(sandboxWebhookSecret)
	case config.ProviderIAK:
		opts := iaksim.Options{Username: sandboxUser, APIKey: sandboxKey, SettleDelay: a.preset.settleDelay, Logger: a.log}
		if a.callbackLn != nil {
			opts.CallbackURL = "http://" + a.callbackLn.Addr().String() + "/callback/iak"
		}
		sim := iaksim.New(opts)
		a.closers = append(a.closers, sim.Close)
		serve(sim)
		c, err := iak.New(iak.Config{PrepaidURL: base, PostpaidURL: base, Username: sandboxUser, APIKey: sandboxKey, HTTPClient: httpClient})
		if err != nil {
			return nil, err
		}
		return c, a.iakCallbacks(c, nil)
	}
	return nil, fmt.Errorf("unknown sandbox api %q", api)
}

// iakCallbacks makes the handler for IAK's callbacks: each valid one asks
// the engine to check its order.
func (a *app) iakCallbacks(c *iak.Client, allowed []netip.Prefix) error {
	if a.callbackLn == nil {
		return nil
	}
	ips := make([]string, len(allowed))
	for i, p := range allowed {
		ips[i] = p.String()
	}
	h, err := c.CallbackHandler(iak.CallbackOptions{AllowedIPs: ips, Logger: a.log,
		Handle: func(ctx context.Context, cb iak.Callback) error { return a.engine.Hint(ctx, cb.RefID) }})
	if err != nil {
		return err
	}
	a.callback.Handle("POST /callback/iak", h)
	return nil
}

// digiflazzWebhook makes the handler for Digiflazz's webhooks (DESIGN rule
// 7): one whose signature verified with secret settles its prepaid order
// from its body when it is about that order's request; an unsigned one (no
// secret configured) or a bill's only makes the engine check the order,
// no sooner than Digiflazz's gap after the last send.
func (a *app) digiflazzWebhook(secret string) error {
	if a.callbackLn == nil {
		return nil
	}
	h, err := digiflazz.WebhookHandler(digiflazz.WebhookOptions{Secret: secret, Logger: a.log,
		Handle: func(ctx context.Context, wh digiflazz.Webhook) error {
			return handleDigiflazzWebhook(ctx, a.engine, wh)
		}})
	if err != nil {
		return err
	}
	a.callback.Handle("POST /callback/digiflazz", h)
	return nil
}

// handleDigiflazzWebhook is what a delivery does to its order: a verified
// prepaid one is the provider's answer, anything else a hint.
func handleDigiflazzWebhook(ctx context.Context, engine *flows.Engine, wh digiflazz.Webhook) error {
	if !wh.Verified || wh.Postpaid {
		return engine.Hint(ctx, wh.RefID)
	}
	_, err := engine.Answer(ctx, flows.ProviderAnswer{RefID: wh.RefID, Matches: wh.Matches, Result: wh.Result, Err: wh.Err})
	return err
}

// catalog is what the product cache lists: the only provider's catalog,
// or with several every provider's under qualified codes, with the
// [[route]] tables.
func (a *app) catalog() (flows.Catalog, []flows.Route, error) {
	if !a.cfg.Provider.Multi() {
		c, ok := a.provider.(flows.Catalog)
		if !ok {
			return nil, nil, fmt.Errorf("provider %s lists no products", a.provider.Account().Provider)
		}
		return c, nil, nil
	}
	var named []flows.NamedCatalog
	for _, p := range a.providers {
		c, ok := p.(flows.Catalog)
		if !ok {
			return nil, nil, fmt.Errorf("provider %s lists no products", p.Account().Provider)
		}
		named = append(named, flows.NamedCatalog{Provider: p.Account().Provider, Catalog: c})
	}
	return flows.NewMultiCatalog(named...), a.cfg.FlowRoutes(), nil
}

// providerAPIs are the optional APIs the conversation uses, each nil when
// no provider offers it.
type providerAPIs struct {
	meters    flows.MeterInquirer
	games     flows.GameInquirer
	bills     flows.BillPayer
	balance   flows.BalanceChecker
	balances  []flows.NamedBalance // with several providers: /balance's lines
	mutations flows.MutationLister
}

// providerAPIs finds them on the providers. With one, they are its own.
// With several: a bill inquiry goes to the provider of the biller chosen
// (its qualified code says which); the meter owner's name, which any PLN
// inquiry gives, to the first provider offering one (the conversation
// does not say which product it is for), and so a game account's nickname
// (only IAK checks one); /mutations lists the first provider's offering
// them; /balance shows every provider's deposit, and /stats and the owed
// watch compare the customers' saldo with their sum.
func (a *app) providerAPIs() providerAPIs {
	var apis providerAPIs
	if !a.cfg.Provider.Multi() {
		apis.meters, _ = a.provider.(flows.MeterInquirer)
		apis.games, _ = a.provider.(flows.GameInquirer)
		apis.bills, _ = a.provider.(flows.BillPayer)
		// /balance and /mutations answer "not offered" for a provider
		// without the API (IAK has no mutations).
		apis.balance, _ = a.provider.(flows.BalanceChecker)
		apis.mutations, _ = a.provider.(flows.MutationLister)
		return apis
	}
	var payers []flows.NamedBillPayer
	for _, p := range a.providers {
		name := p.Account().Provider
		if m, ok := p.(flows.MeterInquirer); ok && apis.meters == nil {
			apis.meters = m
		}
		if g, ok := p.(flows.GameInquirer); ok && apis.games == nil {
			apis.games = g
		}
		if b, ok := p.(flows.BillPayer); ok {
			payers = append(payers, flows.NamedBillPayer{Provider: name, Bills: b})
		}
		if b, ok := p.(flows.BalanceChecker); ok {
			apis.balances = append(apis.balances, flows.NamedBalance{Provider: name, Balance: b})
		}
		if m, ok := p.(flows.MutationLister); ok && apis.mutations == nil {
			apis.mutations = m
		}
	}
	if len(payers) > 0 {
		apis.bills = flows.MultiBills(payers)
	}
	if len(apis.balances) > 0 {
		apis.balance = flows.SumBalances(apis.balances)
	}
	return apis
}
