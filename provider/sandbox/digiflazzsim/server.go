package digiflazzsim

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"topupbot/provider/internal/flex"
	"topupbot/provider/sandbox"
)

// Options configures a Digiflazz simulator. Username and APIKey are
// required; every other field has a default.
type Options struct {
	// Username and APIKey are the one account the simulator knows; every
	// sign is md5(username+api_key+x).
	Username string
	APIKey   string
	// Deposit is the starting deposit in rupiah: zero means 5.000.000, a
	// negative value starts with an empty deposit (to provoke rc 44).
	Deposit int64
	// PriceListInterval is the least time between two full price lists of
	// one cmd; sooner is rc 83. Zero means 5 minutes, negative no limit.
	PriceListInterval time.Duration
	// Settle is the time from a pending answer to the final state. Zero
	// settles right after the answer is written; negative never settles by
	// itself, only through Server.Settle.
	Settle time.Duration
	// SettleAfter, when set, is each pending transaction's settle delay,
	// by its ref_id, in place of Settle: for a benchmark that settles
	// orders at moments of its own choosing. It is called with the
	// simulator's lock held: it must be quick and not call the Server.
	SettleAfter func(ref string) time.Duration
	// WebhookURL is where settlement webhooks are POSTed, unless a request
	// brought its own cb_url; empty with no cb_url sends none.
	WebhookURL string
	// WebhookSecret signs webhooks (X-Hub-Signature); empty sends them
	// unsigned, as Digiflazz does without a secret.
	WebhookSecret string
	// WebhookClient sends the webhooks; default a client with a 10s timeout.
	WebhookClient *http.Client
	// OnSettle, when set, is called (outside the simulator's lock) each time
	// a transaction reaches its final state — right after the first answer
	// for one final at once, at settlement for a pending one — with the
	// ref, the final status ("Sukses" or "Gagal") and the simulator clock's
	// time: the moment a latency benchmark measures to.
	OnSettle func(ref, status string, at time.Time)
	// Now is the clock (default time.Now): price-list limits, the day of a
	// bill.
	Now func() time.Time
	// Logger receives the simulator's log lines; default discard. Keys,
	// signs and secrets are never logged.
	Logger *slog.Logger
}

// Server simulates Digiflazz's buyer API on one http.Handler, with one
// account and one deposit. See the package documentation for the behaviour
// and the test numbers.
type Server struct {
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux
	life *sandbox.Life

	// mu guards everything below. One lock for the account is what makes
	// "one ref_id, one transaction, one debit" hold under concurrency.
	mu        sync.Mutex
	closed    bool
	deposit   sandbox.Deposit
	txs       map[string]*tx
	bills     map[string]*bill
	requests  map[string][][]byte
	lastFull  map[string]time.Time
	sequence  int
	onSettle  func(ref, status string, at time.Time)
	webhookCl *http.Client
}

// New returns a Digiflazz simulator. It panics if Username or APIKey is
// empty: that is a programming error, not input.
func New(opts Options) *Server {
	if opts.Username == "" || opts.APIKey == "" {
		panic("digiflazzsim: New needs a Username and an APIKey")
	}
	opts.Deposit = sandbox.OpeningDeposit(opts.Deposit, 5_000_000)
	if opts.PriceListInterval == 0 {
		opts.PriceListInterval = 5 * time.Minute
	}
	if opts.WebhookClient == nil {
		opts.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	opts.Now = sandbox.Clock(opts.Now)
	s := &Server{
		opts:      opts,
		log:       sandbox.Logger(opts.Logger, "sandbox.digiflazz"),
		life:      sandbox.NewLife(),
		deposit:   sandbox.NewDeposit(opts.Deposit),
		txs:       make(map[string]*tx),
		bills:     make(map[string]*bill),
		requests:  make(map[string][][]byte),
		lastFull:  make(map[string]time.Time),
		onSettle:  opts.OnSettle,
		webhookCl: opts.WebhookClient,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/cek-saldo", s.handleBalance)
	mux.HandleFunc("POST /v1/price-list", s.handlePriceList)
	mux.HandleFunc("POST /v1/transaction", s.handleTransaction)
	mux.HandleFunc("POST /v1/inquiry-pln", s.handleInquiryPLN)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	s.mux = mux
	return s
}

// ServeHTTP implements http.Handler. The API lives under /v1, as at
// api.digiflazz.com: point a client's base URL at server.URL + "/v1".
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Deposit returns the account's deposit in rupiah.
func (s *Server) Deposit() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deposit.Balance()
}

// AddDeposit adds amount (which may be negative) to the deposit.
func (s *Server) AddDeposit(amount int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deposit.Credit(amount)
}

// Requests returns how many transaction requests (any command) arrived
// under ref, refused ones included.
func (s *Server) Requests(ref string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests[ref])
}

// Bodies returns the raw bodies of the transaction requests under ref, in
// the order they arrived: a test compares a re-send with its first send.
func (s *Server) Bodies(ref string) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, len(s.requests[ref]))
	for i, b := range s.requests[ref] {
		out[i] = append([]byte(nil), b...)
	}
	return out
}

// Close stops the settlement timers and in-flight webhooks and waits for
// them. Requests are still answered afterwards, but nothing settles by
// itself and no webhook is sent.
func (s *Server) Close() {
	s.life.Close(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.closed = true
		for _, t := range s.txs {
			s.life.Stop(t.timer)
			t.timer = nil
		}
	})
}

// ErrClosed is returned by Settle after Close.
var ErrClosed = errors.New("digiflazzsim: simulator is closed")

// request is every field any endpoint reads; values may be strings or
// numbers.
type request struct {
	Cmd          flex.String `json:"cmd"`
	Commands     flex.String `json:"commands"`
	Username     flex.String `json:"username"`
	Sign         flex.String `json:"sign"`
	RefID        flex.String `json:"ref_id"`
	BuyerSKUCode flex.String `json:"buyer_sku_code"`
	CustomerNo   flex.String `json:"customer_no"`
	MaxPrice     flex.Int    `json:"max_price"`
	Testing      flex.Flag   `json:"testing"`
	CallbackURL  flex.String `json:"cb_url"`
	Code         flex.String `json:"code"`
	Category     flex.String `json:"category"`
	Brand        flex.String `json:"brand"`
	Type         flex.String `json:"type"`
}

func (r request) testing() bool { return string(r.Testing) == "true" || string(r.Testing) == "1" }

// read decodes a request; an unreadable one is answered with rc 40 and
// HTTP 400, and ok is false.
func (s *Server) read(w http.ResponseWriter, r *http.Request) (req request, raw []byte, ok bool) {
	raw, err := sandbox.ReadBody(w, r)
	if err == nil {
		err = json.Unmarshal(raw, &req)
	}
	if err != nil {
		writeData(w, http.StatusBadRequest, map[string]any{"rc": "40", "message": "Payload Error", "status": "Gagal"})
		return request{}, nil, false
	}
	return req, raw, true
}

// authorized checks username (rc 42) and sign (rc 41) for x and answers
// the refusal itself when they fail.
func (s *Server) authorized(w http.ResponseWriter, req request, x string, extra map[string]any) bool {
	rc, msg := "", ""
	switch {
	case string(req.Username) != s.opts.Username:
		rc, msg = "42", "Gagal memproses API Buyer"
	case subtle.ConstantTimeCompare([]byte(string(req.Sign)), []byte(sign(s.opts.Username, s.opts.APIKey, x))) != 1:
		rc, msg = "41", "Signature Anda salah"
	default:
		return true
	}
	body := map[string]any{"rc": rc, "message": msg, "status": "Gagal"}
	for k, v := range extra {
		body[k] = v
	}
	writeData(w, http.StatusOK, body)
	return false
}

func sign(username, apiKey, x string) string {
	sum := md5.Sum([]byte(username + apiKey + x))
	return hex.EncodeToString(sum[:])
}

// writeData writes {"data": v}.
func writeData(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"data": v})
}

func (s *Server) handleBalance(w http.ResponseWriter, r *http.Request) {
	req, _, ok := s.read(w, r)
	if !ok {
		return
	}
	if req.Cmd != "deposit" {
		writeData(w, http.StatusOK, map[string]any{"rc": "40", "message": "Payload Error", "status": "Gagal"})
		return
	}
	if !s.authorized(w, req, "depo", nil) {
		return
	}
	writeData(w, http.StatusOK, map[string]any{"deposit": s.Deposit()})
}
