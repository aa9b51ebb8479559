package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"

	"topupbot/flows"
	"topupbot/internal/config"
)

// runBot loads the configuration at configPath and runs the bot on it.
func runBot(ctx context.Context, configPath string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(configPath, getenv)
	if err != nil {
		return err
	}
	return runConfig(ctx, cfg, stderr)
}

// runConfig runs the bot on a configuration already loaded and valid until
// ctx ends: what run does after reading the file, so that tests can build a
// typed configuration rather than write TOML. A configuration built in code
// is validated like a file.
func runConfig(ctx context.Context, cfg config.Config, stderr io.Writer) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	log := newLogger(cfg.Log, stderr)
	warnConfig(cfg, log)
	a, err := newApp(ctx, cfg, log, preset{})
	if err != nil {
		return fmt.Errorf("starting: %w", err)
	}
	return a.operate(ctx)
}

// warnConfig logs what a valid configuration probably did not mean.
func warnConfig(cfg config.Config, log *slog.Logger) {
	t := cfg.Telegram
	if len(t.Admins) == 0 && len(t.AllowedUsers) == 0 && !t.Open {
		log.Warn("nobody can buy: telegram.admins and telegram.allowed_users are empty and telegram.open is false; add your user id to admins (ask @userinfobot), list your buyers in allowed_users, or set open = true")
	}
	// An order's provider may charge at most its price less min_margin:
	// with a markup under it, the products it applies to are refused.
	if m := cfg.Pricing.MinMargin; m > 0 {
		for _, low := range markupsBelow(cfg.Pricing, m) {
			log.Warn("a markup is under pricing.min_margin: its products are refused as unavailable (the provider's price is above the price less the margin); raise the markup or lower min_margin",
				"markup", low, "min_margin", m)
		}
	}
}

// markupsBelow names the categories, at each price level, whose markup is
// under margin.
func markupsBelow(p flows.Pricing, margin int64) []string {
	var low []string
	check := func(level string, q flows.Pricing) {
		for _, c := range flows.Categories {
			// Bills carry no max price: the margin does not bind them.
			if m := q.For(c.ID); c.ID != flows.CategoryBill && m < margin {
				low = append(low, fmt.Sprintf("level %s, category %s: %d", level, c.ID, m))
			}
		}
	}
	check(flows.DefaultLevel, p)
	for _, name := range slices.Sorted(maps.Keys(p.Level)) {
		if l := p.Level[name]; l != nil {
			check(name, *l)
		}
	}
	return low
}

// newLogger is the program's one logger; packages add their component.
func newLogger(c config.Log, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.Level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
