package iaksim

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"topupbot/provider/internal/flex"
	"topupbot/provider/sandbox"
)

// Options configures an IAK simulator. Username and APIKey are required;
// every other field has a default.
type Options struct {
	// Username is the account's "registered phone number", the first part of
	// every sign.
	Username string
	// APIKey is the account's api key, the second part of every sign.
	APIKey string
	// Deposit is the starting deposit in rupiah: zero means 5.000.000, a
	// negative value starts with an empty deposit (to provoke rc 17).
	Deposit int64
	// SettleDelay is the time from acceptance to the final state. Zero
	// settles right after the first answer is written; negative never settles
	// automatically, only through Settle (like IAK's development sandbox).
	SettleDelay time.Duration
	// SettleAfter, when set, is each new top-up's settle delay, by its
	// ref_id, in place of SettleDelay and with its meaning: for a benchmark
	// that settles orders at moments of its own choosing. It is called with
	// the simulator's lock held: it must be quick and not call the Server.
	SettleAfter func(refID string) time.Duration
	// OnSettle, when set, is told of every top-up reaching its final state
	// (success or failure: by its delay, Settle, or at once) with the moment
	// it did, before its callback is sent — the provider's side of a
	// latency. It runs under the simulator's lock, like SettleAfter.
	OnSettle func(refID string, at time.Time)
	// SlowDelay is how long the "slow answer" test number (…9408) stalls
	// before answering; default 35s, longer than a 30s client timeout.
	SlowDelay time.Duration
	// CallbackURL is where settlement callbacks are POSTed; empty sends none.
	CallbackURL string
	// CallbackAttempts is how many times a callback is tried before it is
	// given up (default 5); CallbackBackoff is the wait before the first retry,
	// doubled for each later one (default 1s).
	CallbackAttempts int
	CallbackBackoff  time.Duration
	// CallbackClient sends the callbacks; default a client with a 10s timeout.
	CallbackClient *http.Client
	// Now is the clock (default time.Now). Postpaid inquiries expire at 23:00
	// WIB of the day it says they were made.
	Now func() time.Time
	// Logger receives the simulator's log lines; default discard.
	Logger *slog.Logger
}

// Server simulates IAK's prepaid API (/api/...) and postpaid API
// (/api/v1/bill/check, /api/v1/download/...) on one http.Handler, with one
// account and one deposit shared by both, as at IAK. See the package
// documentation for the behaviour and the test numbers.
type Server struct {
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux

	// life owns the settle timers, the callbacks and stalled answers.
	life *sandbox.Life

	// mu guards everything below. One lock for the whole account is what
	// makes "one ref_id, one transaction, one debit" hold under concurrency.
	mu       sync.Mutex
	closed   bool
	deposit  sandbox.Deposit
	nextTrID int64
	txs      map[string]*iakTx
	// Postpaid: inquiries by ref_id and by tr_id, and every ref_id an
	// inquiry has used (rc 11 on reuse).
	bills      map[string]*iakBill
	billsByTr  map[int64]*iakBill
	usedRefs   map[string]bool
	nextBillTr int64
	// resendRC and withholdSN are the test knobs of RefuseResends and
	// WithholdSN.
	resendRC   string
	withholdSN bool
}

// Prepaid and postpaid transaction ids start at IAK-looking numbers and only
// grow; they are separate sequences because they are separate hosts at IAK.
const (
	iakFirstTrID     = 3482
	iakFirstBillTrID = 9732792
)

// New returns an IAK simulator. It panics if Username or APIKey is empty,
// like a bad pattern passed to regexp.MustCompile: that is a programming
// error, not input.
func New(opts Options) *Server {
	if opts.Username == "" || opts.APIKey == "" {
		panic("iaksim: New needs a Username and an APIKey")
	}
	opts.Deposit = sandbox.OpeningDeposit(opts.Deposit, 5_000_000)
	if opts.SlowDelay <= 0 {
		opts.SlowDelay = 35 * time.Second
	}
	if opts.CallbackAttempts <= 0 {
		opts.CallbackAttempts = 5
	}
	if opts.CallbackBackoff <= 0 {
		opts.CallbackBackoff = time.Second
	}
	if opts.CallbackClient == nil {
		opts.CallbackClient = &http.Client{Timeout: 10 * time.Second}
	}
	opts.Now = sandbox.Clock(opts.Now)
	s := &Server{
		opts:       opts,
		log:        sandbox.Logger(opts.Logger, "sandbox.iak"),
		life:       sandbox.NewLife(),
		deposit:    sandbox.NewDeposit(opts.Deposit),
		nextTrID:   iakFirstTrID,
		txs:        make(map[string]*iakTx),
		bills:      make(map[string]*iakBill),
		billsByTr:  make(map[int64]*iakBill),
		usedRefs:   make(map[string]bool),
		nextBillTr: iakFirstBillTrID,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/top-up", s.handleTopUp)
	mux.HandleFunc("POST /api/check-status", s.handleCheckStatus)
	mux.HandleFunc("POST /api/check-balance", s.handleCheckBalance)
	mux.HandleFunc("POST /api/pricelist", s.handlePricelist)
	mux.HandleFunc("POST /api/pricelist/{type}", s.handlePricelist)
	mux.HandleFunc("POST /api/pricelist/{type}/{operator}", s.handlePricelist)
	mux.HandleFunc("POST /api/inquiry-pln", s.handleInquiryPLN)
	mux.HandleFunc("POST /api/inquiry-game", s.handleInquiryGame)
	mux.HandleFunc("POST /api/v1/bill/check", s.handlePostpaid)
	mux.HandleFunc("POST /api/v1/bill/check/{type}", s.handlePostpaid)
	mux.HandleFunc("GET /api/v1/download/{tr_id}", s.handleDownload)
	mux.HandleFunc("GET /api/v1/download/{tr_id}/1", s.handleDownload)
	// Everything else — unknown paths and wrong methods — is IAK's rc 117.
	mux.HandleFunc("/", s.handleNotFound)
	s.mux = mux
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Deposit returns the account's deposit in rupiah.
func (s *Server) Deposit() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deposit.Balance()
}

// AddDeposit adds amount (which may be negative) to the deposit, like the
// "+" button of IAK's sandbox report.
func (s *Server) AddDeposit(amount int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deposit.Credit(amount)
}

// Close stops the settlement timers, ends stalled answers and in-flight
// callbacks, and waits for them. Requests are still answered afterwards, but
// nothing settles by itself and no callback is sent.
func (s *Server) Close() {
	s.life.Close(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.closed = true
		for _, tx := range s.txs {
			s.life.Stop(tx.timer)
			tx.timer = nil
		}
	})
}

// errIAKClosed is returned by Settle and SettleBill after Close.
var errIAKClosed = errors.New("sandbox: iak simulator is closed")

// iakRequest is every field any IAK endpoint reads. The simulator is liberal
// in the JSON types it accepts (tr_id and month arrive as numbers or
// strings) and strict in what the values must be.
type iakRequest struct {
	Commands    flex.String `json:"commands"`
	Username    flex.String `json:"username"`
	Sign        flex.String `json:"sign"`
	RefID       flex.String `json:"ref_id"`
	CustomerID  flex.String `json:"customer_id"`
	ProductCode flex.String `json:"product_code"`
	Status      flex.String `json:"status"`
	Code        flex.String `json:"code"`
	GameCode    flex.String `json:"game_code"`
	HP          flex.String `json:"hp"`
	TrID        flex.String `json:"tr_id"`
	Month       flex.String `json:"month"`
	Province    flex.String `json:"province"`
}

// iakBadRequest is an HTTP 400 answer with rc 107: the request could not be
// read or misses a required field. IAK documents HTTP 400 with Laravel-style
// error_details for "missing a required parameter" (providers.md §1.1).
type iakBadRequest struct {
	field, problem string
}

// iakDecode reads a JSON request body. XML bodies, which IAK also accepts,
// are not simulated: they get the same rc 107 as any unreadable body.
func iakDecode(w http.ResponseWriter, r *http.Request) (iakRequest, *iakBadRequest) {
	var req iakRequest
	body, err := sandbox.ReadBody(w, r)
	if err != nil {
		return req, &iakBadRequest{"body", "The body is too large or could not be read."}
	}
	if strings.Contains(strings.ToLower(r.Header.Get("Content-Type")), "xml") {
		return req, &iakBadRequest{"body", "XML bodies are not simulated; send JSON."}
	}
	trimmed := strings.TrimSpace(string(body))
	if !strings.HasPrefix(trimmed, "{") {
		return req, &iakBadRequest{"body", "The body must be a JSON object."}
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return req, &iakBadRequest{"body", "The body is not valid JSON: " + err.Error()}
	}
	return req, nil
}

// iakRequire returns the first of the named fields that is empty.
func iakRequire(fields ...[2]string) *iakBadRequest {
	for _, f := range fields {
		if strings.TrimSpace(f[1]) == "" {
			return &iakBadRequest{f[0], "The " + strings.ReplaceAll(f[0], "_", " ") + " field is required."}
		}
	}
	return nil
}

// iakSign is md5(username + api_key + additional), lower-case hex.
func iakSign(username, apiKey, additional string) string {
	sum := md5.Sum([]byte(username + apiKey + additional))
	return hex.EncodeToString(sum[:])
}

// signOK compares a request's sign with the expected one. Upper-case hex is
// accepted: it is the same digest.
func (s *Server) signOK(sign, additional string) bool {
	want := iakSign(s.opts.Username, s.opts.APIKey, additional)
	got := strings.ToLower(strings.TrimSpace(sign))
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// writeJSON writes v as a JSON answer with the given HTTP status.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only our own types are marshalled; this would be a bug.
		s.log.Error("encoding answer", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// iakData wraps a prepaid answer the way IAK does: {"data":{...}}.
type iakData struct {
	Data any `json:"data"`
}

// iakPostpaidEnvelope wraps a postpaid answer: {"data":{...},"meta":[]}.
type iakPostpaidEnvelope struct {
	Data any   `json:"data"`
	Meta []any `json:"meta"`
}

// iakSimple is the body of answers that concern no transaction: auth
// failures, unknown paths, balance.
type iakSimple struct {
	RC           string              `json:"rc"`
	Message      string              `json:"message"`
	ErrorDetails map[string][]string `json:"error_details,omitempty"`
}

func (s *Server) writePrepaidError(w http.ResponseWriter, rc string) {
	s.writeJSON(w, http.StatusOK, iakData{iakSimple{RC: rc, Message: iakPrepaidMessage(rc)}})
}

func (s *Server) writePrepaidBadRequest(w http.ResponseWriter, bad *iakBadRequest) {
	s.writeJSON(w, http.StatusBadRequest, iakData{iakSimple{
		RC:           "107",
		Message:      iakPrepaidMessage("107"),
		ErrorDetails: map[string][]string{bad.field: {bad.problem}},
	}})
}

// handleNotFound answers rc 117 with HTTP 200: IAK lists 117 in its rc table,
// i.e. as a body a client reads, and its HTTP table keeps non-200 statuses
// for validation (400) and its own failures (5xx).
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.log.Info("unknown path", "method", r.Method, "path", r.URL.Path)
	if strings.HasPrefix(r.URL.Path, "/api/v1/") {
		s.writeJSON(w, http.StatusOK, iakPostpaidEnvelope{
			Data: iakPostpaidSimple{ResponseCode: "117", Message: iakPostpaidMessage("117")},
			Meta: []any{},
		})
		return
	}
	s.writePrepaidError(w, "117")
}

// openPrepaid is every prepaid handler's opening: decode the body, then
// check its username and its sign over additional(req). Each step answers
// its own refusal; ok reports whether the handler goes on.
func (s *Server) openPrepaid(w http.ResponseWriter, r *http.Request, op string, additional func(iakRequest) string) (req iakRequest, ok bool) {
	req, bad := iakDecode(w, r)
	if bad != nil {
		s.writePrepaidBadRequest(w, bad)
		return req, false
	}
	return req, s.authPrepaid(w, op, req, additional(req))
}

// authPrepaid checks the username and sign of a prepaid request and answers
// the refusal itself: 107 when either is missing, 208 INVALID DATA for a
// username that is not this account (the community Go client reads 208 as
// "invalid username"), 204 WRONG AUTHENTICATION for a wrong sign.
func (s *Server) authPrepaid(w http.ResponseWriter, op string, req iakRequest, additional string) bool {
	if bad := iakRequire([2]string{"username", string(req.Username)}, [2]string{"sign", string(req.Sign)}); bad != nil {
		s.log.Info("refused", "op", op, "rc", "107", "missing", bad.field)
		s.writePrepaidBadRequest(w, bad)
		return false
	}
	if string(req.Username) != s.opts.Username {
		s.log.Info("refused", "op", op, "rc", "208", "reason", "unknown username")
		s.writePrepaidError(w, "208")
		return false
	}
	if !s.signOK(string(req.Sign), additional) {
		s.log.Info("refused", "op", op, "rc", "204", "reason", "wrong sign")
		s.writePrepaidError(w, "204")
		return false
	}
	return true
}

// iakWriteTruncated writes the first half of a JSON answer with HTTP 200, as
// a connection cut mid-body would deliver it.
func iakWriteTruncated(w http.ResponseWriter, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body[:len(body)/2])
}

// iakDigits returns n decimal digits derived from parts.
func iakDigits(n int, parts ...string) string { return sandbox.Code(sandbox.Digits, n, parts...) }

// iakAlnum returns n upper-case letters and digits derived from parts.
func iakAlnum(n int, parts ...string) string { return sandbox.Code(sandbox.Alnum, n, parts...) }

// iakGroup splits s into groups of n joined by sep: "1234-5678-…".
func iakGroup(s string, n int, sep string) string {
	var parts []string
	for len(s) > n {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return strings.Join(append(parts, s), sep)
}

// iakNames are the account holder names the simulator hands out.
var iakNames = []string{
	"BUDI SANTOSO", "SITI RAHAYU", "AGUS SETIAWAN", "DEWI LESTARI", "EKO PRASETYO",
	"RINA WATI", "HENDRA GUNAWAN", "NURUL HIDAYAH", "JOKO SUSILO", "MAYA SARI",
}

func iakName(parts ...string) string {
	return iakNames[int(sandbox.Digest(1, parts...)[0])%len(iakNames)]
}
