package main

import (
	"context"
	"fmt"
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

// buildProvider makes the configured provider's client and, with a
// callback listener, the handler of its callbacks; in sandbox mode it also
// makes the simulator the client talks to.
func (a *app) buildProvider() error {
	cfg := a.cfg.Provider
	label := cfg.Name
	if label == config.ProviderSandbox {
		label = cfg.Sandbox.API // the API spoken, as the orders' accounts name it
	}
	httpClient := &http.Client{Timeout: cfg.Timeout, Transport: a.metrics.Transport(label, nil)}
	switch cfg.Name {
	case config.ProviderIAK:
		c, err := iak.New(iak.Config{PrepaidURL: cfg.IAK.BaseURL, PostpaidURL: cfg.IAK.PostpaidURL,
			Username: cfg.IAK.Username, APIKey: cfg.IAK.APIKey.Reveal(), HTTPClient: httpClient})
		if err != nil {
			return err
		}
		a.provider = c
		return a.iakCallbacks(c, cfg.IAK.CallbackIPs)
	case config.ProviderMesinR1:
		c, err := mesinr1.New(mesinr1.Config{BaseURL: cfg.MesinR1.BaseURL, MMID: cfg.MesinR1.MMID,
			APIKey: cfg.MesinR1.APIKey.Reveal(), HTTPClient: httpClient, Logger: a.log})
		if err != nil {
			return err
		}
		a.provider = c
		return nil
	case config.ProviderDigiflazz:
		d := cfg.Digiflazz
		c, err := digiflazz.New(digiflazz.Config{BaseURL: d.BaseURL, Username: d.Username, APIKey: d.APIKey.Reveal(),
			Testing: d.Testing, HTTPClient: httpClient})
		if err != nil {
			return err
		}
		a.provider = c
		return a.digiflazzWebhook(d.WebhookSecret.Reveal())
	case config.ProviderSandbox:
		return a.buildSandbox(httpClient)
	}
	return fmt.Errorf("unknown provider %q", cfg.Name)
}

// buildSandbox serves the simulator of [provider.sandbox] api on the
// sandbox listener and makes the real client of that API against it.
func (a *app) buildSandbox(httpClient *http.Client) error {
	base := "http://" + a.sandboxLn.Addr().String()
	switch a.cfg.Provider.Sandbox.API {
	case config.ProviderMesinR1:
		sim := mesinr1sim.New(mesinr1sim.Options{MMID: sandboxMMID, APIKey: sandboxKey, SettleDelay: a.preset.settleDelay, Logger: a.log})
		a.closers = append(a.closers, sim.Close)
		a.sandbox = sim
		c, err := mesinr1.New(mesinr1.Config{BaseURL: base, MMID: sandboxMMID, APIKey: sandboxKey, HTTPClient: httpClient, Logger: a.log})
		a.provider = c
		return err
	case config.ProviderDigiflazz:
		opts := digiflazzsim.Options{Username: sandboxUser, APIKey: sandboxKey, Settle: a.preset.settleDelay,
			WebhookSecret: sandboxWebhookSecret, Logger: a.log}
		if a.callbackLn != nil {
			opts.WebhookURL = "http://" + a.callbackLn.Addr().String() + "/callback/digiflazz"
		}
		sim := digiflazzsim.New(opts)
		a.closers = append(a.closers, sim.Close)
		a.sandbox = sim
		c, err := digiflazz.New(digiflazz.Config{BaseURL: base + "/v1", Username: sandboxUser, APIKey: sandboxKey,
			Testing: true, HTTPClient: httpClient})
		if err != nil {
			return err
		}
		a.provider = c
		return a.digiflazzWebhook(sandboxWebhookSecret)
	}
	opts := iaksim.Options{Username: sandboxUser, APIKey: sandboxKey, SettleDelay: a.preset.settleDelay, Logger: a.log}
	if a.callbackLn != nil {
		opts.CallbackURL = "http://" + a.callbackLn.Addr().String() + "/callback/iak"
	}
	sim := iaksim.New(opts)
	a.closers = append(a.closers, sim.Close)
	a.sandbox = sim
	c, err := iak.New(iak.Config{PrepaidURL: base, PostpaidURL: base, Username: sandboxUser, APIKey: sandboxKey, HTTPClient: httpClient})
	if err != nil {
		return err
	}
	a.provider = c
	return a.iakCallbacks(c, nil)
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
