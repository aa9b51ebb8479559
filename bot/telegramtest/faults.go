package telegramtest

import (
	"math"
	"time"

	"golang.org/x/time/rate"
)

// ErrorParams are the "parameters" of a Bot API error.
type ErrorParams struct {
	RetryAfter      int   // seconds, with 429
	MigrateToChatID int64 // with 400 "group chat was upgraded to a supergroup chat"
}

// fault is the answer to the next n calls of a method: err, or a dropped
// connection.
type fault struct {
	n    int
	err  apiError
	drop bool
}

// FailNext makes the next n calls of method fail with status, description
// and params, e.g. FailNext("sendMessage", 1, 429, "Too Many Requests:
// retry after 1", ErrorParams{RetryAfter: 1}). Faults, these and
// DropConnection's, apply in the order they were set.
func (s *Server) FailNext(method string, n, status int, description string, params ErrorParams) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], fault{n: n, err: apiError{status: status, desc: description, params: params}})
}

// DropConnection makes the next n calls of method end with the connection
// closed before any answer: the client sees a reset (or EOF), and the call
// had no effect.
func (s *Server) DropConnection(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], fault{n: n, drop: true})
}

// Block makes every send or edit to chatID fail with 403, as when the user
// blocked the bot (or, for a group, kicked it).
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chatID] = true
}

// Migrate makes group chatID a supergroup to: sends to chatID fail with 400
// and migrate_to_chat_id.
func (s *Server) Migrate(chatID, to int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.migrated[chatID] = to
}

// Limit is a token bucket: Rate tokens a second, up to Burst. A zero Rate
// means no limit.
type Limit struct {
	Rate  rate.Limit
	Burst int
}

// Limits makes sendMessage and editMessageText answer 429 with retry_after
// when a bucket is empty: global for all chats, perChat for each private
// chat (positive id), perGroup for each group (negative id). TooMany counts
// those answers.
func (s *Server) Limits(global, perChat, perGroup Limit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = &limits{cfg: [3]Limit{global, perChat, perGroup}, chats: map[int64]*rate.Limiter{}}
	if global.Rate > 0 {
		s.limits.global = rate.NewLimiter(global.Rate, global.Burst)
	}
}

type limits struct {
	cfg    [3]Limit
	global *rate.Limiter
	chats  map[int64]*rate.Limiter
}

// take takes a token for chatID from its bucket and the global one, or
// neither. A nil *limits takes nothing.
func (l *limits) take(chatID int64) *apiError {
	if l == nil {
		return nil
	}
	now := time.Now()
	var reserved []*rate.Reservation
	cancel := func() {
		for _, r := range reserved {
			r.CancelAt(now)
		}
	}
	for _, lim := range []*rate.Limiter{l.chat(chatID), l.global} {
		if lim == nil {
			continue
		}
		r := lim.ReserveN(now, 1)
		if d := r.DelayFrom(now); !r.OK() || d > 0 {
			r.CancelAt(now)
			cancel()
			secs := max(1, int(math.Ceil(d.Seconds())))
			return &apiError{status: 429, desc: "Too Many Requests: retry after " + itoa(secs), params: ErrorParams{RetryAfter: secs}}
		}
		reserved = append(reserved, r)
	}
	return nil
}

func (l *limits) chat(chatID int64) *rate.Limiter {
	cfg := l.cfg[1]
	if chatID < 0 {
		cfg = l.cfg[2]
	}
	if cfg.Rate <= 0 {
		return nil
	}
	lim := l.chats[chatID]
	if lim == nil {
		lim = rate.NewLimiter(cfg.Rate, cfg.Burst)
		l.chats[chatID] = lim
	}
	return lim
}
