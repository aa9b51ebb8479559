package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"topupbot/bot"
	"topupbot/flows"
	"topupbot/internal/config"
	"topupbot/storage"
)

// The demo's terminal chat and buyer, an admin, and the ops group the
// terminal also shows.
const (
	demoChat    = 1
	demoUser    = 1
	demoOpsChat = -1000000000001
)

// demoSaldo is the terminal user's saldo at the start of the demo.
const demoSaldo = 500_000

// payDemoQRIS stands in for the buyer's banking app in the terminal demo:
// every second it pays the QR codes the sandbox gateway has waiting, and
// the simulator calls the bot back as Tripay would.
func payDemoQRIS(ctx context.Context, a *app) {
	sim := a.gatewaySim
	if sim == nil {
		return
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for ref, status := range sim.Payments() {
			if status == string(flows.PaymentUnpaid) {
				if err := sim.Pay(ref); err != nil {
					a.log.Warn("demo: paying a QR", "merchant_ref", ref, "err", err)
				}
			}
		}
		sim.DeliverCallbacks(ctx)
	}
}

// demoSettleWait bounds the wait, at the end of the demo's input, for its
// orders to settle and their messages to be printed.
const demoSettleWait = time.Minute

const demoUsage = `usage: topupbot demo [-telegram]

The whole bot against the in-process IAK simulator, with a temporary
database. The terminal is a chat whose user is an admin, with Rp 500.000 of
saldo; /deposit by QRIS prints the QR code, which the simulated gateway
pays a second later. Lines for the ops group (settlements, alerts) print
marked [ops]. Type /start, or a phone number; #N presses button N of the
latest message with buttons; a line "..." waits for the orders placed so far
to settle (their receipts, with "🔁 Beli lagi", print). Piped input is echoed,
so the output reads as a transcript:

  printf '/start\n/balance\n' | topupbot demo
  printf '0812 3456 7890\n#2\n#1\n...\n#1\n#1\n' | topupbot demo

  -telegram   chat on real Telegram instead, with the bot in ` + config.EnvTelegramToken + `
`

// runDemo runs the whole bot without a token or an account: the IAK
// simulator in-process, a temporary database, and a chat in the terminal
// (or, with -telegram, on real Telegram).
func runDemo(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	onTelegram := fs.Bool("telegram", false, "chat on real Telegram with the bot in "+config.EnvTelegramToken)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, demoUsage)
			return nil
		}
		fmt.Fprint(stderr, demoUsage)
		return err
	}
	token := ""
	if *onTelegram {
		token = getenv(config.EnvTelegramToken)
		if token == "" {
			return fmt.Errorf("demo -telegram needs the bot token in %s", config.EnvTelegramToken)
		}
		if err := config.CheckTokenShape(token); err != nil {
			return fmt.Errorf("%s %w (the value is not shown: it is a secret)", config.EnvTelegramToken, err)
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dir, err := os.MkdirTemp("", "topupbot-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	cfg, p := demoPreset(dir, token)
	if !*onTelegram {
		p.chat = func(ctx context.Context, a *app) (chat, error) {
			if _, err := a.db.Adjust(ctx, demoUser, demoSaldo, demoUser, "saldo demo"); err != nil {
				return nil, fmt.Errorf("demo saldo: %w", err)
			}
			go payDemoQRIS(ctx, a)
			return demoTerminal(a, stdin, stdout, stop), nil
		}
	} else {
		p.chat = func(ctx context.Context, a *app) (chat, error) {
			b, err := a.telegram(ctx)
			if err != nil {
				return nil, err
			}
			return announced{b, stdout, "demo running on Telegram as @" + b.Username() + " with a simulated provider; Ctrl-C stops it"}, nil
		}
	}
	a, err := newApp(ctx, cfg, log, p)
	if err != nil {
		return err
	}
	return a.operate(ctx)
}

// demoPreset is the configuration and preset of the demo: the bot as
// assembled for real, with the in-process IAK simulator, a temporary
// database in dir and no listener an operator would reach. In the terminal
// (token "") the user is an admin, so /balance, /orders, /stats and the rest
// can be tried too, and the terminal shows the ops group's lines and alerts,
// so that a refused order (…0102, IP not whitelisted) shows what admins
// would get. On Telegram nobody is an admin and there is no ops group: user
// 1 does not exist.
func demoPreset(dir, token string) (config.Config, preset) {
	cfg := config.Defaults()
	cfg.Telegram.Open = true
	if token != "" {
		cfg.Telegram.Token = config.NewSecret(token)
	} else {
		cfg.Telegram.Admins = []int64{demoUser}
		cfg.Telegram.NotifyChatID = demoOpsChat
		// In the terminal the shop has the wallet, with QRIS through the
		// sandbox gateway: the user starts with demoSaldo, and /deposit's
		// QR codes are paid by the simulator a moment after they show.
		cfg.Wallet.Enabled = true
		cfg.Wallet.TransferInfo = "BCA 1234567890 a.n. Toko Demo (simulasi)"
		cfg.Payment.Gateway = config.GatewaySandbox
	}
	cfg.Provider.Name = config.ProviderSandbox
	cfg.Provider.Sandbox.API = config.ProviderIAK
	cfg.Provider.Timeout = 10 * time.Second
	cfg.Callback.Listen = "" // the simulator's orders settle by polling
	if cfg.Payment.Gateway != "" {
		cfg.Callback.Listen = "127.0.0.1:0" // the gateway simulator calls back
	}
	cfg.Ops.Listen = "127.0.0.1:0"
	cfg.Storage.Path = filepath.Join(dir, "demo.db")
	cfg.Poller.Schedule = "@every 1s"
	return cfg, preset{name: "demo", settleDelay: 2 * time.Second, drainIdle: 100 * time.Millisecond, catalogFirst: true}
}

// announced is a chat that prints a line when it starts.
type announced struct {
	chat
	out  io.Writer
	line string
}

func (c announced) Run(ctx context.Context) error {
	fmt.Fprintln(c.out, c.line)
	return c.chat.Run(ctx)
}

// demoChatter is the demo's terminal: when its input ends, it waits for the
// orders to settle, prints how each ended, and stops the demo.
type demoChatter struct {
	*bot.Terminal
	a    *app
	out  io.Writer
	stop context.CancelFunc
}

func demoTerminal(a *app, stdin io.Reader, stdout io.Writer, stop context.CancelFunc) demoChatter {
	term := bot.NewTerminal(stdin, stdout, a.service, demoChat, demoUser)
	term.OpsChatID = demoOpsChat
	// Piped input is echoed, so that the output reads as a transcript; typed
	// input is on the screen already.
	term.Echo = !isTerminal(stdin)
	term.Pause = func(ctx context.Context) {
		if err := awaitSettled(ctx, a.db, a.drainer, stdout); err != nil {
			fmt.Fprintf(stdout, "(waiting for the orders: %v)\n", err)
		}
	}
	return demoChatter{Terminal: term, a: a, out: stdout, stop: stop}
}

func (t demoChatter) Run(ctx context.Context) error {
	defer t.stop()
	fmt.Fprintln(t.out, "topupbot demo: a simulated IAK provider and this terminal as the chat, you an admin; lines marked [ops] are the ops group's. Type /start; #N presses button N.")
	if err := t.Terminal.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return awaitDemoOrders(ctx, t.a.db, t.a.drainer, t.out)
}

// isTerminal reports whether r is a terminal (a character device), not a
// pipe or a file.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// awaitDemoOrders waits until the demo's orders have settled and their
// messages are out, then prints how each ended.
func awaitDemoOrders(ctx context.Context, db *storage.DB, drainer *flows.Drainer, stdout io.Writer) error {
	if err := awaitSettled(ctx, db, drainer, stdout); err != nil {
		return err
	}
	return printDemoOrders(ctx, db, stdout)
}

// awaitSettled waits, up to demoSettleWait, until no order is pending and
// the outbox is empty: every message of a settlement is printed.
func awaitSettled(ctx context.Context, db *storage.DB, drainer *flows.Drainer, stdout io.Writer) error {
	deadline := time.Now().Add(demoSettleWait)
	for {
		pending, err := db.PendingCount()
		if err != nil {
			return err
		}
		queued, err := db.OutboxLen()
		if err != nil {
			return err
		}
		if pending == 0 && queued == 0 {
			break
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(stdout, "\n%d order(s) still processing after %s.\n", pending, demoSettleWait)
			break
		}
		drainer.Wake()
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// printDemoOrders prints how each of the demo's orders ended.
func printDemoOrders(ctx context.Context, db *storage.DB, stdout io.Writer) error {
	orders, err := db.ChatOrders(ctx, demoChat, 100)
	if err != nil {
		return err
	}
	if len(orders) == 0 {
		return nil
	}
	fmt.Fprintln(stdout, "\nOrders:")
	for i := len(orders) - 1; i >= 0; i-- {
		o := orders[i]
		line := fmt.Sprintf("  %s  %-8s %s  %s  %s", o.RefID, o.Status, o.ProductName, o.CustomerNumber, flows.FormatRupiah(o.Price))
		if o.SN != "" {
			line += "  SN " + o.SN
		}
		if o.Status == flows.StatusFailed {
			line += "  (" + o.Reason.Text() + ")"
		}
		fmt.Fprintln(stdout, line)
	}
	return nil
}
