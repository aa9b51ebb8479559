// Command topupbot is a Telegram bot that sells prepaid products and pays
// bills through a host-to-host provider. main only wires: see run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "topupbot:", err)
		os.Exit(1)
	}
}

// run is the whole program behind main: dependencies come in as arguments so
// tests can drive it end to end.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("topupbot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "config.toml", "the configuration `file`")
	// flag calls Usage for -h as well as for a bad flag: I print the
	// usage myself, to stdout when asked for, to stderr after a mistake.
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return nil
		}
		fmt.Fprint(stderr, usage)
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return runBot(ctx, *configPath, getenv, stderr)
	}
	switch rest[0] {
	case "demo":
		return runDemo(ctx, rest[1:], getenv, stdin, stdout, stderr)
	case "backup":
		return runBackup(ctx, *configPath, rest[1:], stdout)
	case "version":
		fmt.Fprintln(stdout, "topupbot", version)
		return nil
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", rest[0])
}

const usage = `usage:
  topupbot [-config FILE]              run the bot (default config.toml)
  topupbot demo [-telegram]            try it: simulated provider, terminal chat
  topupbot [-config FILE] backup OUT   copy the database to OUT
  topupbot version                     print the version
  topupbot -h | demo -h | backup -h    print this help

backup needs only storage.path (and ops.listen, to ask a running bot),
not the token or the provider's keys.
`

// isHelp reports whether args ask a subcommand for its help.
func isHelp(args []string) bool {
	return len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help")
}
