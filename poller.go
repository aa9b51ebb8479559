package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"topupbot/internal/config"
)

// poller runs a job on a cron schedule: a run still going when the next is
// due is skipped rather than stacked, and a panic in a run is logged instead
// of ending the bot.
type poller struct {
	schedule cron.Schedule
	loc      *time.Location
	log      *slog.Logger
	job      func(ctx context.Context)
}

// newPoller checks spec — a cron line or a descriptor such as "@every 15s" —
// with the configuration's own parser, and returns a poller that runs job on
// it, in loc.
func newPoller(spec string, loc *time.Location, log *slog.Logger, job func(ctx context.Context)) (*poller, error) {
	schedule, err := config.ParseSchedule(spec)
	if errors.Is(err, config.ErrNotCronSpec) {
		return nil, fmt.Errorf("poller: schedule %q is not a cron spec", spec)
	}
	if err != nil {
		return nil, fmt.Errorf("poller: schedule %q: %w", spec, err)
	}
	return &poller{schedule: schedule, loc: loc, log: log, job: job}, nil
}

// loop runs the schedule until ctx ends, then waits for a run in progress;
// the job sees ctx end too, so that wait is short.
func (p *poller) loop(ctx context.Context) error {
	clog := cronLogger{p.log}
	// Recover must sit inside SkipIfStillRunning: a panic passing through
	// the skip wrapper would keep its token, and every later run would skip.
	c := cron.New(cron.WithLocation(p.loc), cron.WithLogger(clog),
		cron.WithChain(cron.SkipIfStillRunning(clog), cron.Recover(clog)))
	c.Schedule(p.schedule, cron.FuncJob(func() { p.job(ctx) }))
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	return nil
}

// cronLogger speaks slog for robfig/cron. Its Info lines (every run, every
// skip) are debug noise for an operator.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, keysAndValues ...any) {
	l.log.Debug("cron: "+msg, keysAndValues...)
}

func (l cronLogger) Error(err error, msg string, keysAndValues ...any) {
	l.log.Error("cron: "+msg, append(keysAndValues, "err", err)...)
}
