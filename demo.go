package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	"topupbot/bot"
	"topupbot/flows"
	"topupbot/provider/iak"
	"topupbot/provider/sandbox/iaksim"
	"topupbot/storage"
)

// The demo's terminal chat and buyer, an admin, and the ops group the
// terminal also shows.
const (
	demoChat    = 1
	demoUser    = 1
	demoOpsChat = -1000000000001
)

// demoSettleWait bounds the wait, at the end of the demo's input, for its
// orders to settle and their messages to be printed.
const demoSettleWait = time.Minute

const demoUsage = `usage: topupbot demo [-telegram]

The whole bot against the in-process IAK simulator, with a temporary
database. The terminal is a chat whose user is an admin; lines for the ops
group (settlements, alerts) print marked [ops]. Type /start; #N presses
button N. Piped input is echoed, so the output reads as a transcript:

  printf '/start\n/balance\n' | topupbot demo

  -telegram   chat on real Telegram instead, with the bot in ` + envTelegramToken + `
`

// runDemo runs the whole bot without a token or an account: the IAK
// simulator in-process, a temporary database, and a chat in the terminal
// (or, with -telegram, on real Telegram).
func runDemo(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	onTelegram := fs.Bool("telegram", false, "chat on real Telegram with the bot in "+envTelegramToken)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, demoUsage)
			return nil
		}
		fmt.Fprint(stderr, demoUsage)
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dir, err := os.MkdirTemp("", "topupbot-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	sim := iaksim.New(iaksim.Options{Username: sandboxUser, APIKey: sandboxKey, SettleDelay: 2 * time.Second, Logger: log})
	defer sim.Close()
	simLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + simLn.Addr().String()
	client, err := iak.New(iak.Config{PrepaidURL: base, PostpaidURL: base, Username: sandboxUser, APIKey: sandboxKey,
		HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		return err
	}
	db, err := storage.Open(filepath.Join(dir, "demo.db"), storage.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	cache := flows.NewProductCache(client, db, nil)
	// The terminal's user is an admin, so /balance, /orders, /stats and the
	// rest can be tried too, and the terminal shows the ops group's lines
	// and alerts, so that a refused order (…0102, IP not whitelisted) shows
	// what admins would get. On Telegram nobody is an admin and there is no
	// ops group: user 1 does not exist.
	engineCfg := flows.EngineConfig{ProviderTimeout: 10 * time.Second, Logger: log}
	var admins []int64
	if !*onTelegram {
		admins = []int64{demoUser}
		engineCfg.OpsChatID, engineCfg.Admins = demoOpsChat, admins
	}
	engine := flows.NewEngine(db, client, engineCfg)
	service := flows.NewService(flows.ServiceConfig{Store: db, Products: cache, Engine: engine, Meters: client, Bills: client,
		Open: true, Admins: admins, Balance: client, Logger: log})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var g errgroup.Group
	defer g.Wait()
	defer cancel()
	g.Go(func() error { return serve(ctx, simLn, sim, log) })
	if err := cache.Load(ctx); err != nil {
		return err
	}
	poll, err := newPoller("@every 1s", flows.WIB, log, func(ctx context.Context) { engine.Poll(ctx) })
	if err != nil {
		return err
	}
	g.Go(func() error { return poll.run(ctx) })
	g.Go(func() error { return engine.Run(ctx) })

	if *onTelegram {
		token := getenv(envTelegramToken)
		if token == "" {
			return fmt.Errorf("demo -telegram needs the bot token in %s", envTelegramToken)
		}
		if err := checkTokenShape(token); err != nil {
			return fmt.Errorf("%s %w (the value is not shown: it is a secret)", envTelegramToken, err)
		}
		b, err := bot.New(ctx, bot.Config{Token: token, Handler: service, Offsets: db, Inbox: db, Logger: log})
		if err != nil {
			return err
		}
		drainer := flows.NewDrainer(db, b, flows.DrainerConfig{Logger: log})
		g.Go(func() error { return drainer.Run(ctx) })
		fmt.Fprintln(stdout, "demo running on Telegram as @"+b.Username()+" with a simulated provider; Ctrl-C stops it")
		return b.Run(ctx)
	}

	term := bot.NewTerminal(stdin, stdout, service, demoChat, demoUser)
	term.OpsChatID = demoOpsChat
	// Piped input is echoed, so that the output reads as a transcript; typed
	// input is on the screen already.
	term.Echo = !isTerminal(stdin)
	drainer := flows.NewDrainer(db, term, flows.DrainerConfig{Idle: 100 * time.Millisecond, Logger: log})
	g.Go(func() error { return drainer.Run(ctx) })
	fmt.Fprintln(stdout, "topupbot demo: a simulated IAK provider and this terminal as the chat, you an admin; lines marked [ops] are the ops group's. Type /start; #N presses button N.")
	if err := term.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return awaitDemoOrders(ctx, db, drainer, stdout)
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
