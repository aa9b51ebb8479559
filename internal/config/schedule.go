package config

import (
	"errors"

	"github.com/robfig/cron/v3"
)

// ErrNotCronSpec is ParseSchedule's answer to a spec the cron library
// panics on.
var ErrNotCronSpec = errors.New("not a cron spec")

// ParseSchedule reads a cron line or a descriptor such as "@every 15s": the
// one parser of poller.schedule and catalog.refresh, used by validation and
// by the poller that runs them. robfig/cron v3.0.1 panics on some malformed
// specs (a "TZ=Asia/Jakarta" prefix with nothing after it); a configuration
// must be refused, never crash the bot.
func ParseSchedule(spec string) (s cron.Schedule, err error) {
	defer func() {
		if recover() != nil {
			s, err = nil, ErrNotCronSpec
		}
	}()
	if spec == "" {
		return nil, errors.New("empty spec")
	}
	return cron.ParseStandard(spec)
}

func checkSchedule(spec string) error {
	_, err := ParseSchedule(spec)
	return err
}
