package mesinr1sim

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"topupbot/provider/sandbox"
)

// Options configures a Mesin R1 simulator. MMID and APIKey are
// required; every other field has a default.
type Options struct {
	// MMID is the partner's member id every body must carry.
	MMID string
	// APIKey is the partner's key, expected in the rqid header.
	APIKey string
	// Deposit is the starting deposit in rupiah: zero means 1.000.000 (the
	// seed's balance example), a negative value starts empty (to provoke
	// rc 51).
	Deposit int64
	// SettleDelay is the time from acceptance to the final state of the
	// "pending first" test numbers. Zero settles at the first look after
	// the first answer; negative never settles by itself, only by Settle.
	SettleDelay time.Duration
	// SettleAfter, when set, is each new pending topup's or payment's
	// settle delay, by its ref_1, in place of SettleDelay and with its
	// meaning: for a benchmark that settles orders at moments of its own
	// choosing. It is called with the simulator's lock held: it must be
	// quick and not call the Server.
	SettleAfter func(ref1 string) time.Duration
	// OnSettle, when set, is told of every transaction reaching its final
	// state, with the moment it did: for one settled by its delay, the
	// moment it fell due — settlement is lazy, and the look that found it
	// came later — otherwise the moment of Settle or of the answer. It runs
	// under the simulator's lock, like SettleAfter.
	OnSettle func(ref1 string, at time.Time)
	// SlowDelay is how long the "slow answer" test number (…9408) stalls;
	// default 35s, longer than the client's 30s timeout.
	SlowDelay time.Duration
	// InquiryHold is how long an inquiry stays payable; default 15 minutes
	// (seed 002).
	InquiryHold time.Duration
	// AuthRC is the rc of an auth refusal (wrong rqid, unknown mmid);
	// default "63" ([INF] ISO 8583 "security violation").
	AuthRC string
	// ExpiredRC is the rc of a payment after the hold; default "54"
	// ([INF] ISO 8583 "expired").
	ExpiredRC string
	// PerPage is the products and history page size when per_page is not
	// sent; default 50 (the seed's example).
	PerPage int
	// Now is the clock (default time.Now). Settlement and inquiry expiry
	// follow it, so a test moves time by moving its clock.
	Now func() time.Time
	// Logger receives one line per request; default discard. The rqid is
	// never logged.
	Logger *slog.Logger
}

// Server simulates the Mesin R1 JSON "rqid" API (/V1/api/*) for one
// partner account. See the package documentation for its behaviour and
// the test numbers.
type Server struct {
	opts Options
	log  *slog.Logger
	// life ends stalled answers at Close.
	life *sandbox.Life

	// mu guards everything below. One lock for the account is what makes
	// "one ref_1, one transaction, one debit" hold under concurrency.
	mu        sync.Mutex
	deposit   sandbox.Deposit
	seq       int
	txs       map[string]*r1Tx
	order     []*r1Tx // creation order
	mutations []r1Mutation
	// paid holds product|customer of bills paid here: a new inquiry for
	// them is refused as already paid.
	paid map[string]bool
	// withholdSN is the test knob of WithholdSN.
	withholdSN bool
}

// New returns a Mesin R1 simulator. It panics if MMID or APIKey is
// empty: that is a programming error, not input.
func New(opts Options) *Server {
	if opts.MMID == "" || opts.APIKey == "" {
		panic("mesinr1sim: New needs an MMID and an APIKey")
	}
	opts.Deposit = sandbox.OpeningDeposit(opts.Deposit, 1_000_000)
	if opts.SlowDelay <= 0 {
		opts.SlowDelay = 35 * time.Second
	}
	if opts.InquiryHold <= 0 {
		opts.InquiryHold = 15 * time.Minute
	}
	if opts.AuthRC == "" {
		opts.AuthRC = "63"
	}
	if opts.ExpiredRC == "" {
		opts.ExpiredRC = "54"
	}
	if opts.PerPage <= 0 {
		opts.PerPage = 50
	}
	opts.Now = sandbox.Clock(opts.Now)
	s := &Server{
		opts:    opts,
		log:     sandbox.Logger(opts.Logger, "sandbox.mesinr1"),
		life:    sandbox.NewLife(),
		deposit: sandbox.NewDeposit(opts.Deposit),
		txs:     make(map[string]*r1Tx),
		paid:    make(map[string]bool),
	}
	s.mutations = append(s.mutations, r1Mutation{debit: opts.Deposit, balance: opts.Deposit,
		notes: "DEPOSIT AWAL", at: opts.Now()})
	return s
}

// Close ends stalled answers (they return without writing). Nothing else
// runs in the background: settlement happens when a request or a method
// looks at a transaction, by the injected clock. Requests are still
// answered after Close.
func (s *Server) Close() {
	s.life.Close(nil)
}

// Deposit returns the deposit in rupiah, after any settlement now due.
func (s *Server) Deposit() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleDueLocked()
	return s.deposit.Balance()
}

// AddDeposit adds amount (which may be negative) to the deposit, with a
// mutation, like a deposit top-up.
func (s *Server) AddDeposit(amount int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deposit.Credit(amount)
	m := r1Mutation{balance: s.deposit.Balance(), notes: "DEPOSIT", at: s.opts.Now()}
	if amount >= 0 {
		m.debit = amount
	} else {
		m.credit = -amount
	}
	s.mutations = append(s.mutations, m)
}

// r1Call is one request being served: what the handlers read and what the
// log line reports.
type r1Call struct {
	w    http.ResponseWriter
	r    *http.Request
	body r1Body
	name string
	ref  string
	code int
	rc   string
}

type r1Handler func(s *Server, c *r1Call)

// r1Routes are the endpoints of seed 002; history/{ref_1} is matched apart.
var r1Routes = map[string]r1Handler{
	"price":              (*Server).handlePrice,
	"product-categories": (*Server).handleCategories,
	"products":           (*Server).handleProducts,
	"topup":              (*Server).handleTopup,
	"inquiry":            (*Server).handleInquiry,
	"payment":            (*Server).handlePayment,
	"status":             (*Server).handleStatus,
	"history":            (*Server).handleHistory,
	"balance":            (*Server).handleBalance,
	"mutations":          (*Server).handleMutations,
}

// ServeHTTP implements http.Handler for /V1/api/*. The order of the checks
// is a Laravel API's: route, method, then auth, then the body.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &r1Call{w: w, r: r}
	defer func() {
		s.log.Debug("request", "endpoint", c.name, "ref_1", c.ref, "http_status", c.code, "rc", c.rc)
	}()
	name, ok := strings.CutPrefix(r.URL.Path, "/V1/api/")
	h := r1Routes[name]
	if ref, isHistory := strings.CutPrefix(name, "history/"); isHistory && ref != "" && !strings.Contains(ref, "/") {
		h, c.ref = (*Server).handleHistoryRef, ref
	}
	c.name = name
	if !ok || h == nil {
		s.reply(c, http.StatusNotFound, r1Error("", "ENDPOINT TIDAK DITEMUKAN"))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.reply(c, http.StatusMethodNotAllowed, r1Error("", "METHOD TIDAK DIIZINKAN, GUNAKAN POST"))
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("rqid")), []byte(s.opts.APIKey)) != 1 {
		s.reply(c, http.StatusUnauthorized, r1Error(s.opts.AuthRC, "RQID TIDAK VALID"))
		return
	}
	body, err := r1DecodeBody(w, r)
	if err != nil {
		s.reply(c, http.StatusBadRequest, r1Error("30", "FORMAT REQUEST SALAH: "+err.Error()))
		return
	}
	c.body = body
	mmid, err := body.str("mmid")
	switch {
	case err != nil || mmid == "":
		s.reply(c, http.StatusBadRequest, r1Error("30", "MMID WAJIB DIISI"))
		return
	case mmid != s.opts.MMID:
		s.reply(c, http.StatusUnauthorized, r1Error(s.opts.AuthRC, "MMID TIDAK DIKENAL"))
		return
	}
	h(s, c)
}

// r1Body is a decoded request body. Numbers stay json.Number.
type r1Body map[string]any

func r1DecodeBody(w http.ResponseWriter, r *http.Request) (r1Body, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, errors.New("content-type harus application/json")
	}
	raw, err := sandbox.ReadBody(w, r)
	if err != nil {
		return nil, errors.New("body terlalu besar")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var body r1Body
	if err := dec.Decode(&body); err != nil || body == nil {
		return nil, errors.New("body harus objek JSON")
	}
	if dec.More() {
		return nil, errors.New("data setelah objek JSON")
	}
	return body, nil
}

// str reads a field sent as a string, a number or a boolean; absent or null
// is "". Objects and arrays are a format error.
func (b r1Body) str(key string) (string, error) {
	switch v := b[key].(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(v), nil
	case json.Number:
		return v.String(), nil
	case bool:
		if v {
			return "1", nil
		}
		return "0", nil
	}
	return "", fmt.Errorf("%s harus teks atau angka", key)
}

// required reads fields that must be present and non-empty, the
// validation that opens every handler; when one is missing it answers rc 30
// itself.
func (s *Server) required(c *r1Call, keys ...string) ([]string, bool) {
	out := make([]string, len(keys))
	for i, k := range keys {
		v, err := c.body.str(k)
		if err != nil || v == "" {
			s.refuse(c, "30")
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// r1Envelope is the answer wrapper of seed 002.
type r1Envelope struct {
	Status  string `json:"status"`
	Code    int    `json:"code"`
	Message string `json:"message"`
	RC      string `json:"rc,omitempty"`
	Data    any    `json:"data"`
}

func r1OK(rc string, data any) r1Envelope {
	return r1Envelope{Status: "success", Code: http.StatusOK, Message: "success", RC: rc, Data: data}
}

func r1Error(rc, msg string) r1Envelope {
	return r1Envelope{Status: "error", Message: msg, RC: rc}
}

// reply writes env with the HTTP status mirrored in its code.
func (s *Server) reply(c *r1Call, status int, env r1Envelope) {
	env.Code = status
	c.code, c.rc = status, env.RC
	body, err := json.Marshal(env)
	if err != nil {
		// Only the simulator's own types are marshalled: a failure is a bug.
		panic(fmt.Sprintf("sandbox: mesinr1: marshal answer: %v", err))
	}
	c.w.Header().Set("Content-Type", "application/json")
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
}

// refuse writes a refusal: nothing was created. rc 92 comes as the
// platform's observed "Invalid IP" answer, auth rcs as 401.
func (s *Server) refuse(c *r1Call, rc string) {
	switch rc {
	case "92":
		host, _, err := net.SplitHostPort(c.r.RemoteAddr)
		if err != nil {
			host = c.r.RemoteAddr
		}
		s.reply(c, http.StatusForbidden, r1Error(rc, "Invalid IP, IP:"+host+" belum terdaftar"))
	case s.opts.AuthRC, "55":
		s.reply(c, http.StatusUnauthorized, r1Error(rc, r1RCText(rc)))
	case "76", "25":
		s.reply(c, http.StatusNotFound, r1Error(rc, r1RCText(rc)))
	default:
		s.reply(c, http.StatusBadRequest, r1Error(rc, r1RCText(rc)))
	}
}

// r1Code maps digest bytes onto alphabet.
func r1Code(alphabet string, n int, parts ...string) string {
	return sandbox.Code(alphabet, n, parts...)
}

const (
	r1DigitsAlphabet = sandbox.Digits
	r1AlnumAlphabet  = sandbox.Alnum
)
