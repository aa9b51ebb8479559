package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"topupbot/bot"
	"topupbot/flows"
	"topupbot/internal/config"
	"topupbot/internal/metrics"
	"topupbot/provider/sandbox/tripaysim"
	"topupbot/storage"
)

// storage serves the bot's stores too; it cannot say so itself (storage
// never imports bot), so the binary that joins them asserts it.
var (
	_ bot.Inbox       = (*storage.DB)(nil)
	_ bot.OffsetStore = (*storage.DB)(nil)
)

// shutdownTimeout bounds the whole orderly shutdown after a signal.
const shutdownTimeout = 30 * time.Second

// app is the bot with everything it runs, wired from the configuration:
// the one assembly, which the demo adjusts with a preset.
type app struct {
	cfg    config.Config
	preset preset
	log    *slog.Logger
	db     *storage.DB

	// provider is the first of providers, the only one with one.
	provider  flows.Provider
	providers []flows.Provider
	cache     *flows.ProductCache
	engine    *flows.Engine
	drainer   *flows.Drainer
	service   *flows.Service
	chat      chat
	metrics   *metrics.Metrics
	// owed alerts when customers' saldo exceeds the provider deposit; nil
	// without the wallet or without a balance API.
	owed *flows.OwedWatch

	// Listeners opened up front, so the simulator knows where to call back.
	callbackLn, opsLn net.Listener
	// callback routes /callback/iak and /callback/tripay; nil without a
	// callback listener.
	callback  *http.ServeMux
	sandboxes []sandboxServer // the in-process providers, if any
	// gateway is [payment]'s (nil: deposits by transfer only);
	// gatewaySim the in-process simulator behind it in sandbox mode.
	gateway    flows.PaymentGateway
	gatewaySim *tripaysim.Server
	gatewayLn  net.Listener
	closers    []func()
}

// chat carries the conversation: Telegram, or the demo's terminal. The
// drainer delivers the outbox through it; the app runs it as its intake.
type chat interface {
	flows.Notifier
	Run(ctx context.Context) error
}

// menuSetter is a chat with Telegram's command menus.
type menuSetter interface {
	SetCommands(ctx context.Context, menus []bot.CommandMenu) error
}

var (
	_ menuSetter = (*bot.Bot)(nil)
	_ chat       = (*bot.Bot)(nil)
	_ chat       = (*bot.Terminal)(nil)
)

// preset adjusts the one assembly for a use other than the configured bot;
// the zero preset is the bot itself.
type preset struct {
	// name is the chat's, in errors and logs; "telegram" if empty.
	name string
	// chat builds the transport once the conversation exists; nil is
	// Telegram as configured (app.telegram).
	chat func(ctx context.Context, a *app) (chat, error)
	// settleDelay is how long the in-process simulator takes to settle an
	// order (default 3 s).
	settleDelay time.Duration
	// drainIdle is the outbox's idle re-read (the drainer's default if 0).
	drainIdle time.Duration
	// catalogFirst asks the provider for the whole catalog before the chat
	// starts, rather than serving the saved copy at once: a fresh database
	// has none, and the demo's first /start must show the products.
	catalogFirst bool
}

// newApp opens the database, builds the provider, the engine, the
// conversation and the chat's transport. Telegram's constructor asks
// Telegram who it is, retrying until ctx ends.
func newApp(ctx context.Context, cfg config.Config, log *slog.Logger, p preset) (_ *app, err error) {
	if p.name == "" {
		p.name = "telegram"
	}
	if p.chat == nil {
		p.chat = func(ctx context.Context, a *app) (chat, error) {
			b, err := a.telegram(ctx)
			if err != nil {
				return nil, err // not a nil *bot.Bot in a non-nil chat
			}
			return b, nil
		}
	}
	if p.settleDelay == 0 {
		p.settleDelay = 3 * time.Second
	}
	a := &app{cfg: cfg, preset: p, log: log}
	defer func() {
		if err != nil {
			a.close() // whatever was opened before the failure
		}
	}()
	if a.db, err = storage.Open(cfg.Storage.Path, storage.Options{Logger: log.With("component", "storage")}); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { a.db.Close() })
	if err := a.listen(); err != nil {
		return nil, err
	}
	a.metrics = metrics.New(a.metricSources())
	if err := a.buildProviders(); err != nil {
		return nil, err
	}
	if err := a.buildGateway(); err != nil {
		return nil, err
	}
	// Orders written before Mesin R1 accounts recorded their host belong to
	// the configured account if its mmid and key match (DESIGN rule 4).
	for _, p := range a.providers {
		if n, err := a.db.AdoptAccountHost(ctx, p.Account()); err != nil {
			return nil, err
		} else if n > 0 {
			log.Info("pending orders adopted by the configured account's host", "count", n, "account", p.Account().String())
		}
	}
	opsChat, err := a.opsChat(ctx)
	if err != nil {
		return nil, err
	}
	catalog, routes, err := a.catalog()
	if err != nil {
		return nil, err
	}
	a.cache = flows.NewProductCacheWith(catalog, a.db, flows.CacheConfig{Logger: log, Lang: cfg.Telegram.Lang, Routes: routes,
		// A failing catalog source tells the admins through the outbox.
		Alert: func(ctx context.Context, text string) error { return a.db.Enqueue(ctx, a.engine.AlertNotes(text)...) }})
	// With several providers the engine holds them all (and no single
	// one): an order goes to its product's legs in order.
	single, several := a.provider, []flows.Provider(nil)
	if cfg.Provider.Multi() {
		single, several = nil, a.providers
	}
	a.engine = flows.NewEngine(a.db, single, flows.EngineConfig{
		Providers:        several,
		CurrentLeg:       a.cache.CurrentLeg,
		ProviderTimeout:  cfg.Provider.Timeout,
		AlertAfter:       cfg.Poller.AlertAfter,
		CheckConcurrency: cfg.Poller.Concurrency,
		OpsChatID:        opsChat,
		Admins:           cfg.Telegram.Admins,
		LowBalance:       cfg.Alerts.LowBalance,
		Wallet:           cfg.Wallet.Enabled,
		MinMargin:        cfg.Pricing.MinMargin,
		Lang:             cfg.Telegram.Lang,
		Logger:           log,
		// A pending order is asked about a few seconds apart in its
		// first minute: Mesin R1 calls nobody back.
		QuickChecks: flows.DefaultQuickChecks,
		OnCreated:   a.metrics.OrderCreated,
		OnSettled:   a.metrics.OrderSettled,
		OnMoved:     a.metrics.OrderMoved,
	})
	apis := a.providerAPIs()
	meters, bills, balance, balances, mutations := apis.meters, apis.bills, apis.balance, apis.balances, apis.mutations
	if cfg.Wallet.Enabled && balance != nil {
		a.owed = flows.NewOwedWatch(flows.OwedWatchConfig{Totals: a.db, Provider: balance, Lang: cfg.Telegram.Lang, Logger: log,
			Alert: func(ctx context.Context, text string) error { return a.db.Enqueue(ctx, a.engine.AlertNotes(text)...) }})
	}
	a.service = flows.NewService(flows.ServiceConfig{
		Fits:       bot.Fits,
		Store:      a.db,
		Products:   a.cache,
		Engine:     a.engine,
		Meters:     meters,
		Games:      apis.games,
		Bills:      bills,
		Admins:     cfg.Telegram.Admins,
		Allowed:    cfg.Telegram.AllowedUsers,
		Open:       cfg.Telegram.Open,
		Pricing:    cfg.Pricing,
		Balance:    balance,
		Balances:   balances,
		Mutations:  mutations,
		LowBalance: cfg.Alerts.LowBalance,
		Wallet:     cfg.Wallet,
		Ledger:     a.db,
		Deposits:   a.db,
		Gateway:    a.gateway,
		Lang:       cfg.Telegram.Lang,
		Logger:     log,
	})
	if a.chat, err = p.chat(ctx, a); err != nil {
		return nil, err
	}
	a.drainer = flows.NewDrainer(a.db, a.chat, flows.DrainerConfig{Idle: p.drainIdle, Logger: log, OnMigrate: a.migrated})
	return a, nil
}

// telegram is the bot's own chat: Telegram's Bot API, as configured.
func (a *app) telegram(ctx context.Context) (*bot.Bot, error) {
	cfg := a.cfg
	return bot.New(ctx, bot.Config{
		Token:       cfg.Telegram.Token.Reveal(),
		APIEndpoint: cfg.Telegram.APIEndpoint,
		PollTimeout: cfg.Telegram.PollTimeout,
		Handler:     a.service,
		Offsets:     a.db,
		Inbox:       a.db,
		// The engine's first send runs inside an update's handling.
		UpdateDeadline: cfg.Provider.Timeout + time.Minute,
		OnSend:         func(o bot.SendOutcome) { a.metrics.TelegramSend(string(o)) },
		OnUpdates:      a.metrics.TelegramUpdates,
		Logger:         a.log,
	})
}

// listen opens the listeners: the ops one always, the callback one when
// configured. Each in-process simulator opens its own (buildSandbox).
func (a *app) listen() error {
	var err error
	if a.opsLn, err = net.Listen("tcp", a.cfg.Ops.Listen); err != nil {
		return fmt.Errorf("ops listener: %w", err)
	}
	a.closers = append(a.closers, func() { a.opsLn.Close() })
	if a.cfg.Callback.Listen != "" {
		if a.callbackLn, err = net.Listen("tcp", a.cfg.Callback.Listen); err != nil {
			return fmt.Errorf("callback listener: %w", err)
		}
		a.closers = append(a.closers, func() { a.callbackLn.Close() })
		a.callback = http.NewServeMux()
	}
	return nil
}

// migratedKey stores the supergroup an ops group became, under the group's
// configured id: a configuration pointing elsewhere is not overridden.
func migratedKey(chatID int64) string { return "telegram.migrated." + strconv.FormatInt(chatID, 10) }

func (a *app) opsChat(ctx context.Context) (int64, error) {
	id := a.cfg.Telegram.NotifyChatID
	if id == 0 {
		return 0, nil
	}
	v, ok, err := a.db.Setting(ctx, migratedKey(id))
	if err != nil || !ok {
		return id, err
	}
	to, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return id, nil
	}
	a.log.Info("ops group became a supergroup; using its new id", "chat_id", id, "new_chat_id", to)
	return to, nil
}

func (a *app) migrated(ctx context.Context, from, to int64) error {
	a.engine.SetOpsChat(to) // what settles from now on goes straight there
	return a.db.SetSetting(ctx, migratedKey(a.cfg.Telegram.NotifyChatID), strconv.FormatInt(to, 10))
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

// operate runs the bot until ctx ends or a part of it fails, then shuts down in
// order: first the intake (Telegram polling with its workers, callbacks),
// then the work behind it (the poller, hinted checks, the outbox, the
// listeners), then the database — bounded by shutdownTimeout.
func (a *app) operate(ctx context.Context) error {
	defer a.close()
	// The copies saved by the last run are served at once; the provider is
	// asked for the rest alongside the intake (below), never before it: a
	// slow provider — or the simulator, not yet served — must not keep
	// Telegram waiting.
	if !a.preset.catalogFirst {
		if err := a.cache.LoadSaved(ctx); err != nil {
			a.log.Error("reading the saved catalog; asking the provider", "err", err)
		}
	}
	poll, err := newPoller(a.cfg.Poller.Schedule, a.cfg.Poller.Location, a.log, func(ctx context.Context) {
		if stats, err := a.engine.Poll(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("poll", "err", err)
		} else if stats.Checked > 0 {
			a.log.Info("poll", "pending", stats.Pending, "checked", stats.Checked, "settled", stats.Settled, "errors", stats.Errors)
		}
		// A deposit the buyer never marked as sent expires on its own
		// (DESIGN rule 15); one marked sent waits for an admin.
		if n, err := a.service.ExpireDeposits(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("expiring deposits", "err", err)
		} else if n > 0 {
			a.log.Info("deposits expired", "count", n)
		}
		if a.gatewaySim != nil {
			a.gatewaySim.DeliverCallbacks(ctx) // the simulator's retries
		}
		if err := a.service.CheckPayments(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("checking QRIS payments", "err", err)
		}
		if a.owed != nil {
			if err := a.owed.Check(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("comparing customers' saldo with the provider deposit", "err", err)
			}
		}
		a.drainer.Wake()
	})
	if err != nil {
		return err
	}
	refresh, err := newPoller(a.cfg.Catalog.Refresh, a.cfg.Poller.Location, a.log, func(ctx context.Context) {
		if err := a.cache.Refresh(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("refreshing the catalog", "err", err)
		}
	})
	if err != nil {
		return err
	}
	// A source that never loaded (the provider down since the start, an
	// account without postpaid) is asked again on every poll, in a job of
	// its own so that a provider timing out never delays order checks.
	retry, err := newPoller(a.cfg.Poller.Schedule, a.cfg.Poller.Location, a.log, func(ctx context.Context) {
		if err := a.cache.RefreshMissing(ctx); err != nil && ctx.Err() == nil {
			a.log.Debug("catalog source still not loaded", "err", err) // admins were alerted once
		}
	})
	if err != nil {
		return err
	}

	// One errgroup runs everything; stages only decide the order in which
	// they stop. First the outbox, whose deliveries in flight finish while
	// Telegram's sender is still open (cut off, an accepted message could
	// go out again after the restart); then the intake — Telegram polling
	// with its workers, callbacks; then the work behind it.
	g, gctx := errgroup.WithContext(ctx)
	intakeCtx, stopIntake := context.WithCancel(context.Background())
	defer stopIntake()
	work, stopWork := context.WithCancel(context.Background())
	defer stopWork()
	var outbox, intake sync.WaitGroup
	goStage := func(wg *sync.WaitGroup, stageCtx context.Context, name string, fn func(context.Context) error) {
		wg.Add(1)
		g.Go(func() error {
			defer wg.Done()
			err := wrapErr(name, fn(stageCtx))
			if err != nil {
				stopIntake() // a failing part stops the whole bot
			}
			return err
		})
	}
	goIntake := func(name string, fn func(context.Context) error) { goStage(&intake, intakeCtx, name, fn) }
	goWork := func(name string, fn func(context.Context) error) {
		g.Go(func() error { return wrapErr(name, fn(work)) })
	}
	g.Go(func() error {
		select {
		case <-gctx.Done():
		case <-intakeCtx.Done():
		}
		a.log.Info("shutting down: the outbox first, then Telegram and callbacks", "cause", context.Cause(gctx))
		outbox.Wait()
		stopIntake()
		intake.Wait()
		stopWork()
		return nil
	})

	goStage(&outbox, gctx, "outbox", a.drainer.Run)
	chatRun := a.chat.Run
	if a.preset.catalogFirst {
		// Asked once the simulator is served (below): its listener is open,
		// so the catalog's requests wait for it rather than fail.
		chatRun = func(ctx context.Context) error {
			if err := a.cache.Load(ctx); err != nil {
				return err
			}
			return a.chat.Run(ctx)
		}
	}
	goIntake(a.preset.name, chatRun)
	if a.callback != nil {
		goIntake("callback listener", func(ctx context.Context) error { return serve(ctx, a.callbackLn, a.callback, a.log) })
	}
	goWork("ops listener", func(ctx context.Context) error {
		return serve(ctx, a.opsLn, opsMux(func(ctx context.Context) error { _, err := a.db.PendingCount(); return err }, backupHandler(a.db, time.Now), a.metrics.Handler()), a.log)
	})
	for _, sb := range a.sandboxes {
		goWork("sandbox "+sb.api, func(ctx context.Context) error { return serve(ctx, sb.ln, sb.h, a.log) })
	}
	if a.gatewaySim != nil {
		goWork("sandbox gateway", func(ctx context.Context) error { return serve(ctx, a.gatewayLn, a.gatewaySim, a.log) })
	}
	// The command menus are set once, beside the intake: a convenience,
	// so a failure (logged by SetCommands) or a slow Telegram never stops
	// the bot nor holds back its updates. The demo's terminal has none.
	if m, ok := a.chat.(menuSetter); ok {
		goWork("command menus", func(ctx context.Context) error {
			_ = m.SetCommands(ctx, bot.Menus(a.cfg.Telegram.Admins, a.service.CommandMenu))
			return nil
		})
	}
	goWork("hints", a.engine.Run)
	goWork("poller", poll.loop)
	goWork("catalog", refresh.loop)
	goWork("catalog retry", retry.loop)
	// Every source is asked once at start (at its own pace), not only the
	// missing ones: a saved copy may be days old, or written by a version
	// that did not record product types (which decide whether a success
	// must carry a code).
	if !a.preset.catalogFirst {
		goWork("catalog load", func(ctx context.Context) error {
			if err := a.cache.Refresh(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("loading the catalog; the sources that failed are retried on every poll", "err", err)
			}
			return nil
		})
	}
	accounts := make([]string, len(a.providers))
	for i, p := range a.providers {
		accounts[i] = p.Account().String()
	}
	a.log.Info("topupbot running", "provider", a.cfg.Provider.Name, "providers", a.cfg.Provider.Active(), "accounts", accounts,
		"ops", a.opsLn.Addr().String())

	done := make(chan error, 1)
	go func() { done <- g.Wait() }()
	select {
	case err := <-done:
		return err
	case <-gctx.Done():
	}
	select {
	case err := <-done:
		return err
	case <-time.After(shutdownTimeout):
		return fmt.Errorf("shutdown: still running after %s; exiting anyway", shutdownTimeout)
	}
}

// wrapErr names the part of the bot an error came from.
func wrapErr(name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", name, err)
}

// metricSources are what /metrics reads when scraped: the database, the
// catalog (built after the metrics, so read through a.cache then), the
// wallet's totals when the wallet is on.
func (a *app) metricSources() metrics.Sources {
	src := metrics.Sources{
		Pending:      a.db.PendingCount,
		OutboxLen:    a.db.OutboxLen,
		OutboxOldest: a.db.OutboxOldest,
		Catalog: func() []flows.SourceStatus {
			if a.cache == nil {
				return nil
			}
			return a.cache.Sources()
		},
		Logger: a.log,
	}
	if a.cfg.Wallet.Enabled {
		src.Wallet = a.db.WalletTotals
	}
	return src
}
