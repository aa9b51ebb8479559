package flows

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// LevelKey is the Settings key that holds a user's price level, set by an
// admin's /level; no key (or an empty value) is the default level.
func LevelKey(userID int64) string { return "pricing.level." + strconv.FormatInt(userID, 10) }

// userPricing is the pricing of a user's current level. A stored level no
// longer configured prices as the default and is logged once per user and
// level: the admin removed it from the file and may not know who was on it.
func (s *Service) userPricing(ctx context.Context, userID int64) (Pricing, error) {
	level, _, err := s.cfg.Store.Setting(ctx, LevelKey(userID))
	if err != nil {
		return Pricing{}, fmt.Errorf("price level of %d: %w", userID, err)
	}
	p, known := s.cfg.Pricing.AtLevel(level)
	if !known {
		if _, logged := s.staleLevels.LoadOrStore(LevelKey(userID)+"="+level, true); !logged {
			s.log.Warn("stored price level is not configured; pricing as the default", "user_id", userID, "level", level)
		}
	}
	return p, nil
}

// price is what the buyer of this turn pays for p: the provider's price
// plus the markup of their level.
func (t *turn) price(p Product) int64 { return p.Price + t.pricing.For(p.Category) }

// adminLevel is /level USERID NAME: it puts a user on a price level, or
// back on the default with NAME "default".
func (t *turn) adminLevel(ctx context.Context) (Output, error) {
	args := strings.Fields(t.in.Args)
	names := append([]string{DefaultLevel}, slices.Sorted(maps.Keys(t.s.cfg.Pricing.Level))...)
	if len(args) != 2 {
		return t.say(text(t.lang, "admin_level_usage", strings.Join(names, ", "))), nil
	}
	user, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || user <= 0 {
		return t.say(text(t.lang, "admin_bad_user_id", shorten(args[0], 24))), nil
	}
	name := args[1]
	if !slices.Contains(names, name) {
		return t.say(text(t.lang, "admin_level_unknown", shorten(name, 32), strings.Join(names, ", "))), nil
	}
	store := t.s.reports()
	if store == nil {
		return t.say(text(t.lang, "admin_unavailable")), nil
	}
	key := LevelKey(user)
	err = store.UpdateSettings(ctx, []string{key}, func(v map[string]string) error {
		v[key] = name
		if name == DefaultLevel {
			v[key] = "" // deleted: the default needs no key
		}
		return nil
	})
	if err != nil {
		return Output{}, fmt.Errorf("level of %d: %w", user, err)
	}
	t.s.log.Info("price level changed by an admin", "admin_id", t.in.UserID, "user_id", user, "level", name)
	return t.say(text(t.lang, "admin_level_set", user, name)), nil
}
