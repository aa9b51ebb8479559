// Command topupbot is a Telegram bot that sells prepaid products and pays
// bills through a host-to-host provider. main only wires: see run.
package main

import (
	"context"
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
	_, _, _ = ctx, getenv, stdin
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("the bot runner is not wired yet: only the provider layer exists (see README)")
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(stdout, "topupbot", version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

const usage = `usage:
  topupbot version    print the version
  topupbot help       this text
`
