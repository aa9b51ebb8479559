package bot

import (
	"context"
	"net"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// newTransport is http.DefaultTransport with bounded dialing and TLS, and
// enough idle connections for the sends of many chats at once. There is no
// response-header timeout: a long poll's header comes after PollTimeout; the
// clients' own timeouts bound each request.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	// Every tap is answered at once, outside the send queue, so a busy bot
	// has many calls in flight. Connections beyond the idle pool are closed
	// after one call and dialled again for the next (a TLS handshake each,
	// and a socket in TIME_WAIT): keep as many idle as may be in use, and
	// make calls beyond that wait for one rather than dial more.
	t.MaxConnsPerHost = 128
	t.MaxIdleConns = 128
	t.MaxIdleConnsPerHost = 128
	t.IdleConnTimeout = 90 * time.Second
	return t
}

// doer is the tgbotapi.HTTPClient of one call: tgbotapi takes no context
// (telegram.md G3), so the call's context rides here, and errors leave with
// the token redacted from their URL.
type doer struct {
	ctx context.Context
	hc  *http.Client
	r   redactor
}

func (d doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.hc.Do(req.WithContext(d.ctx))
	if err != nil {
		return nil, d.r.error(err)
	}
	return resp, nil
}

// api returns the Bot API client bound to ctx and hc for one call. BotAPI is
// a plain struct without locks; a shallow copy per call is how a context
// reaches tgbotapi's requests.
func (b *Bot) api(ctx context.Context, hc *http.Client) *tgbotapi.BotAPI {
	cp := *b.tg
	cp.Client = doer{ctx: ctx, hc: hc, r: b.redact}
	return &cp
}
