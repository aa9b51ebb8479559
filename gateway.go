package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	"topupbot/flows"
	"topupbot/internal/config"
	"topupbot/provider/sandbox/tripaysim"
	"topupbot/provider/tripay"
)

// The sandbox gateway's merchant account: the in-process simulator's only.
const (
	sandboxMerchant   = "T0000"
	sandboxPrivateKey = "sandbox-private-key"
)

// buildGateway makes the payment gateway of [payment] (issue 12): Tripay,
// or its simulator served in-process on a loopback port of its own. Its
// callbacks are routed to /callback/tripay on the callback listener.
func (a *app) buildGateway() error {
	cfg := a.cfg.Payment
	if cfg.Gateway == "" {
		return nil
	}
	httpClient := &http.Client{Timeout: tripay.DefaultTimeout}
	tc := tripay.Config{BaseURL: cfg.Tripay.BaseURL, MerchantCode: cfg.Tripay.MerchantCode,
		APIKey: cfg.Tripay.APIKey.Reveal(), PrivateKey: cfg.Tripay.PrivateKey.Reveal(), HTTPClient: httpClient}
	if cfg.Gateway == config.GatewaySandbox {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("sandbox gateway listener: %w", err)
		}
		a.closers = append(a.closers, func() { ln.Close() })
		sim := tripaysim.New(tripaysim.Options{MerchantCode: sandboxMerchant, APIKey: sandboxKey, PrivateKey: sandboxPrivateKey,
			FeeToCustomer: true, CallbackURL: "http://" + a.callbackLn.Addr().String() + "/callback/tripay", Logger: a.log})
		a.gatewaySim, a.gatewayLn = sim, ln
		// "Paying" a QR by hand, for trying the shop out: on the callback
		// listener, which the operator reaches; only in sandbox mode.
		a.callback.Handle("POST /sandbox/pay", sim)
		tc = tripay.Config{BaseURL: "http://" + ln.Addr().String() + "/", MerchantCode: sandboxMerchant,
			APIKey: sandboxKey, PrivateKey: sandboxPrivateKey, HTTPClient: httpClient}
	}
	c, err := tripay.New(tc)
	if err != nil {
		return fmt.Errorf("payment gateway: %w", err)
	}
	a.gateway = c
	a.callback.Handle("POST /callback/tripay", tripayCallback(c, func(ctx context.Context, cb flows.PaymentCallback) error {
		return a.service.HandlePaymentCallback(ctx, cb)
	}, a.log))
	return nil
}

// callbackParser is what the Tripay callback handler needs of the client.
type callbackParser interface {
	ParseCallback(header http.Header, body []byte) (flows.PaymentCallback, error)
}

var _ callbackParser = (*tripay.Client)(nil)

// tripayCallback serves Tripay's payment callbacks: a body over the cap or
// a bad signature changes nothing (403 for the signature); another event is
// acknowledged and ignored; a payment of no deposit of ours is acknowledged
// and logged (Tripay must stop resending it); anything that failed on our
// side answers 500, so Tripay calls again.
func tripayCallback(p callbackParser, apply func(ctx context.Context, cb flows.PaymentCallback) error, log *slog.Logger) http.Handler {
	log = log.With("component", "tripay callback")
	answer := func(w http.ResponseWriter, status int, ok bool) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]bool{"success": ok})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, tripay.MaxCallbackBody))
		if err != nil {
			log.Warn("callback body refused", "remote", r.RemoteAddr, "err", err)
			answer(w, http.StatusRequestEntityTooLarge, false)
			return
		}
		cb, err := p.ParseCallback(r.Header, body)
		switch {
		case errors.Is(err, tripay.ErrCallbackSignature):
			log.Warn("callback with a bad signature", "remote", r.RemoteAddr)
			answer(w, http.StatusForbidden, false)
			return
		case errors.Is(err, tripay.ErrCallbackEvent):
			log.Info("callback of another event ignored", "event", r.Header.Get(tripay.EventHeader))
			answer(w, http.StatusOK, true)
			return
		case err != nil:
			log.Warn("callback refused", "remote", r.RemoteAddr, "err", err)
			answer(w, http.StatusBadRequest, false)
			return
		}
		err = apply(r.Context(), cb)
		switch {
		case errors.Is(err, flows.ErrUnknownPayment):
			log.Info("callback for no deposit of ours", "merchant_ref", cb.MerchantRef, "reference", cb.Reference, "status", string(cb.Status))
			answer(w, http.StatusOK, true)
		case err != nil:
			log.Error("applying a callback", "merchant_ref", cb.MerchantRef, "reference", cb.Reference, "err", err)
			answer(w, http.StatusInternalServerError, false)
		default:
			answer(w, http.StatusOK, true)
		}
	})
}
