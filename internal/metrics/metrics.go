// Package metrics exposes what operators watch as Prometheus metrics on the
// ops listener's /metrics: orders created and settled, what is pending,
// provider call latency, the outbox, Telegram's sends, the catalog's age and
// the customers' money. Counters are fed by hooks (the engine's, the bot's,
// an http.RoundTripper around each provider client); gauges are read from
// the database and the catalog when scraped, so they cannot drift.
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"topupbot/flows"
)

const namespace = "topupbot"

// Sources are the readers of the state the gauges show. Any may be nil:
// its metrics are then not exported.
type Sources struct {
	Pending      func() (int, error)
	OutboxLen    func() (int, error)
	OutboxOldest func() (at time.Time, ok bool, err error)
	Catalog      func() []flows.SourceStatus
	// Wallet sums every wallet and the deposits credited (since the zero
	// time: all of them); nil without the wallet.
	Wallet func(ctx context.Context, since time.Time) (flows.WalletTotals, error)
	Now    func() time.Time
	Logger *slog.Logger
}

// Metrics is the registry and the counters the hooks feed.
type Metrics struct {
	reg     *prometheus.Registry
	created *prometheus.CounterVec
	settled *prometheus.CounterVec
	calls   *prometheus.HistogramVec
	sends   *prometheus.CounterVec
	updates prometheus.Counter
	moved   *prometheus.CounterVec
}

// New returns the metrics over src, with Go's runtime and process metrics.
func New(src Sources) *Metrics {
	if src.Now == nil {
		src.Now = time.Now
	}
	if src.Logger == nil {
		src.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		created: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "orders_created_total",
			Help: "Orders and bill payments written, by provider."}, []string{"provider"}),
		settled: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "orders_settled_total",
			Help: "Orders settled, by provider and final status."}, []string{"provider", "status"}),
		calls: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "provider_request_duration_seconds",
			Help:    "Provider (and payment gateway) HTTP calls, by provider, operation and outcome.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}}, []string{"provider", "operation", "outcome"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "telegram_sends_total",
			Help: "Telegram sendMessage and editMessageText calls, by outcome (flood is a 429)."}, []string{"outcome"}),
		updates: prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "telegram_updates_total",
			Help: "Updates received from Telegram."}),
		moved: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "orders_moved_total",
			Help: "Orders moved to their next provider after an answer that charged nothing, by provider left, provider taken and how the attempt ended."},
			[]string{"from", "to", "outcome"}),
	}
	m.reg.MustRegister(m.created, m.settled, m.moved, m.calls, m.sends, m.updates, &state{src: src},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// OrderCreated counts a written order (flows.EngineConfig.OnCreated).
func (m *Metrics) OrderCreated(o flows.Order) {
	m.created.WithLabelValues(o.Account.Provider).Inc()
}

// OrderSettled counts a settlement (flows.EngineConfig.OnSettled).
func (m *Metrics) OrderSettled(o flows.Order) {
	m.settled.WithLabelValues(o.Account.Provider, string(o.Status)).Inc()
}

// OrderMoved counts an order moved to its next provider
// (flows.EngineConfig.OnMoved).
func (m *Metrics) OrderMoved(o flows.Order) {
	if len(o.Attempts) == 0 {
		return
	}
	last := o.Attempts[len(o.Attempts)-1]
	m.moved.WithLabelValues(last.Account.Provider, o.Account.Provider, last.Outcome).Inc()
}

// TelegramSend counts one send by its outcome (bot.Config.OnSend).
func (m *Metrics) TelegramSend(outcome string) { m.sends.WithLabelValues(outcome).Inc() }

// TelegramUpdates counts received updates (bot.Config.OnUpdates).
func (m *Metrics) TelegramUpdates(n int) { m.updates.Add(float64(n)) }

// Transport times every request of one provider's client through next
// (http.DefaultTransport if nil).
func (m *Metrics) Transport(provider string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &timed{m: m, provider: provider, next: next}
}

type timed struct {
	m        *Metrics
	provider string
	next     http.RoundTripper
}

func (t *timed) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	res, err := t.next.RoundTrip(r)
	t.m.calls.WithLabelValues(t.provider, operation(r.URL.Path), outcome(res, err)).Observe(time.Since(start).Seconds())
	return res, err
}

// opName is what a path segment must look like to be a label: the
// providers' endpoints are words; anything else (an id in a path) would
// make a label per request.
var opName = regexp.MustCompile(`^[A-Za-z][A-Za-z_-]{0,39}$`)

// operation is the endpoint a path names: its last segment.
func operation(path string) string {
	seg := path[strings.LastIndex(path, "/")+1:]
	if !opName.MatchString(seg) {
		return "other"
	}
	return strings.ToLower(seg)
}

func outcome(res *http.Response, err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case err != nil:
		return "error"
	}
	return strconv.Itoa(res.StatusCode/100) + "xx"
}

// state reads the gauges when scraped.
type state struct{ src Sources }

var (
	descPending  = prometheus.NewDesc(namespace+"_orders_pending", "Orders not yet settled (placing or pending).", nil, nil)
	descOutbox   = prometheus.NewDesc(namespace+"_outbox_depth", "Notifications waiting in the outbox.", nil, nil)
	descOldest   = prometheus.NewDesc(namespace+"_outbox_oldest_age_seconds", "Age of the oldest notification in the outbox (0 when empty).", nil, nil)
	descCatAge   = prometheus.NewDesc(namespace+"_catalog_age_seconds", "Age of the catalog copy served, by source (-1: never loaded).", []string{"source"}, nil)
	descCatProds = prometheus.NewDesc(namespace+"_catalog_products", "Products in the catalog copy served, by source.", []string{"source"}, nil)
	descCatErr   = prometheus.NewDesc(namespace+"_catalog_source_failing", "1 when the source's last fetch failed.", []string{"source"}, nil)
	descBalance  = prometheus.NewDesc(namespace+"_wallet_balance_rupiah", "Sum of every customer's saldo.", nil, nil)
	descHeld     = prometheus.NewDesc(namespace+"_wallet_held_rupiah", "Sum of what orders in process hold.", nil, nil)
	descDeposits = prometheus.NewDesc(namespace+"_wallet_deposits_credited_rupiah_total", "Deposits credited, in rupiah.", nil, nil)
	descDepCount = prometheus.NewDesc(namespace+"_wallet_deposits_credited_total", "Deposits credited.", nil, nil)
)

func (s *state) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPending, descOutbox, descOldest, descCatAge, descCatProds, descCatErr,
		descBalance, descHeld, descDeposits, descDepCount} {
		ch <- d
	}
}

// Collect reads each source; one that fails is logged and left out of
// this scrape rather than reported as zero.
func (s *state) Collect(ch chan<- prometheus.Metric) {
	src, log := s.src, s.src.Logger
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if src.Pending != nil {
		if n, err := src.Pending(); err != nil {
			log.Warn("metrics: pending orders", "err", err)
		} else {
			gauge(descPending, float64(n))
		}
	}
	if src.OutboxLen != nil {
		if n, err := src.OutboxLen(); err != nil {
			log.Warn("metrics: outbox depth", "err", err)
		} else {
			gauge(descOutbox, float64(n))
		}
	}
	if src.OutboxOldest != nil {
		if at, ok, err := src.OutboxOldest(); err != nil {
			log.Warn("metrics: outbox age", "err", err)
		} else if ok {
			gauge(descOldest, max(src.Now().Sub(at).Seconds(), 0))
		} else {
			gauge(descOldest, 0)
		}
	}
	if src.Catalog != nil {
		for _, c := range src.Catalog() {
			age := -1.0
			if !c.UpdatedAt.IsZero() {
				age = max(src.Now().Sub(c.UpdatedAt).Seconds(), 0)
			}
			failing := 0.0
			if c.Err != nil {
				failing = 1
			}
			gauge(descCatAge, age, c.Name)
			gauge(descCatProds, float64(c.Products), c.Name)
			gauge(descCatErr, failing, c.Name)
		}
	}
	if src.Wallet != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if w, err := src.Wallet(ctx, time.Time{}); err != nil {
			log.Warn("metrics: wallet totals", "err", err)
		} else {
			gauge(descBalance, float64(w.Balance))
			gauge(descHeld, float64(w.Held))
			ch <- prometheus.MustNewConstMetric(descDeposits, prometheus.CounterValue, float64(w.Deposits))
			ch <- prometheus.MustNewConstMetric(descDepCount, prometheus.CounterValue, float64(w.DepositCount))
		}
	}
}
