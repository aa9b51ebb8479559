package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// redacted replaces the bot token wherever it would be shown (DESIGN rule
// 12). tgbotapi puts the token in every request URL, so *url.Error, its own
// log lines and anything formatting a request carry it.
const redacted = "[redacted]"

// tokenShape matches anything that looks like a bot token (digits, a colon,
// 30 or more URL-safe characters), so a token we were not told about — one
// from a previous configuration in an old error — is hidden as well.
var tokenShape = regexp.MustCompile(`[0-9]{5,}:[A-Za-z0-9_-]{30,}`)

// redactor hides one token.
type redactor struct{ token string }

func (r redactor) string(s string) string {
	if r.token != "" {
		s = strings.ReplaceAll(s, r.token, redacted)
		// Inside a URL the token's colon may be escaped.
		s = strings.ReplaceAll(s, url.QueryEscape(r.token), redacted)
	}
	return tokenShape.ReplaceAllString(s, redacted)
}

// error returns err with the token removed from its text. An *url.Error (what
// http.Client.Do returns) keeps its type, callers test it for timeouts, with
// the URL redacted; any other error still showing the token is flattened to
// its redacted text.
func (r redactor) error(err error) error {
	if err == nil {
		return nil
	}
	if ue, ok := err.(*url.Error); ok {
		cp := *ue
		cp.URL = r.string(ue.URL)
		err = &cp
	}
	if s := err.Error(); s != r.string(s) {
		return &redactedError{msg: r.string(s)}
	}
	return err
}

// redactedError is an error whose text had the token removed. It unwraps to
// nothing: what it wrapped showed the token.
type redactedError struct{ msg string }

func (e *redactedError) Error() string { return e.msg }

// redactHandler is a slog.Handler that removes the token from the message and
// every attribute, errors included, before passing the record on.
type redactHandler struct {
	r     redactor
	inner slog.Handler
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.string(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return &redactHandler{r: h.r, inner: h.inner.WithAttrs(clean)}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{r: h.r, inner: h.inner.WithGroup(name)}
}

func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.string(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = h.attr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.r.string(err.Error()))
		}
		return slog.String(a.Key, h.r.string(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// tgbotapi has one package-wide logger. It writes only in Debug mode (off)
// and from GetUpdatesChan and the webhook helpers (unused), but whatever it
// writes goes through the latest Bot's redacting logger.
var (
	tgLoggerOnce sync.Once
	tgLogger     atomic.Pointer[slog.Logger]
)

type tgLogAdapter struct{}

func (tgLogAdapter) Println(v ...any) {
	if l := tgLogger.Load(); l != nil {
		l.Warn(strings.TrimSuffix(fmt.Sprintln(v...), "\n"), "source", "tgbotapi")
	}
}

func (tgLogAdapter) Printf(format string, v ...any) {
	if l := tgLogger.Load(); l != nil {
		l.Warn(strings.TrimSuffix(fmt.Sprintf(format, v...), "\n"), "source", "tgbotapi")
	}
}

// routeLibraryLog sends tgbotapi's own log lines to log, which redacts.
func routeLibraryLog(log *slog.Logger) {
	tgLogger.Store(log)
	tgLoggerOnce.Do(func() { _ = tgbotapi.SetLogger(tgLogAdapter{}) })
}
