package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"
)

// providerFaults sits in front of the IAK simulator and spoils a seeded
// fraction of the exchanges, in the ways DESIGN rule 3 lists: some before
// the simulator sees the request (a gateway's 5xx page, a reset
// connection, a stall past the client's timeout), most after it has acted
// on it (the answer replaced by an HTML page, cut short, with values of the
// wrong JSON type, with an rc IAK never documented, or lost to a reset or a
// stall). None of these is an answer about the transaction, so none may
// fail an order.
type providerFaults struct {
	next http.Handler
	rnd  *lockedRand

	mu     sync.Mutex
	rate   float64
	topUps map[string]int            // top-up requests seen per ref_id: the first is the first send
	counts map[string]map[string]int // call path → fault → count
	holds  map[string]*hold          // call path → requests held there
}

// hold keeps the requests of one call path waiting, before or after the
// simulator acted on them, until released: the moment to kill the bot.
type hold struct {
	after   bool
	arrived chan struct{} // closed when the first request is held
	once    sync.Once
	release chan struct{}
}

func newProviderFaults(rnd *lockedRand) *providerFaults {
	return &providerFaults{rnd: rnd, topUps: map[string]int{}, counts: map[string]map[string]int{}}
}

// hold makes requests of call wait — after the simulator acted on them
// when after is true — until release is called. arrived is closed when the
// first one waits.
func (p *providerFaults) hold(call string, after bool) (arrived <-chan struct{}, release func()) {
	h := &hold{after: after, arrived: make(chan struct{}), release: make(chan struct{})}
	p.mu.Lock()
	if p.holds == nil {
		p.holds = map[string]*hold{}
	}
	p.holds[call] = h
	p.mu.Unlock()
	var once sync.Once
	return h.arrived, func() {
		once.Do(func() {
			p.mu.Lock()
			delete(p.holds, call)
			p.mu.Unlock()
			close(h.release)
		})
	}
}

// wait holds a request until released or abandoned by the client; it
// reports whether the request may still be answered.
func (h *hold) wait(r *http.Request) bool {
	h.once.Do(func() { close(h.arrived) })
	select {
	case <-h.release:
		return true
	case <-r.Context().Done():
		return false
	}
}

// setRate sets the share of exchanges spoiled; 0 stops the faults.
func (p *providerFaults) setRate(r float64) {
	p.mu.Lock()
	p.rate = r
	p.mu.Unlock()
}

// The faults.
const (
	faultNone = "none"
	// Before the simulator sees the request.
	faultGateway  = "gateway 5xx page"
	faultReset    = "connection reset"
	faultStall    = "stall past the timeout"
	faultEmpty503 = "503 with an empty body"
	// After the simulator acted on it.
	faultHTML        = "answer lost: 5xx HTML page"
	faultHTML200     = "answer lost: 200 HTML page"
	faultTruncated   = "answer truncated"
	faultWrongTypes  = "answer with wrong JSON types"
	faultUnknownRC   = "answer with an unknown rc"
	faultResetAfter  = "answer lost: connection reset"
	faultStallAfter  = "answer lost: stall past the timeout"
	faultEmptyAnswer = "answer lost: 200 with an empty body"
)

var allFaults = []string{
	faultGateway, faultReset, faultStall, faultEmpty503,
	faultHTML, faultHTML200, faultTruncated, faultWrongTypes, faultUnknownRC, faultResetAfter, faultStallAfter, faultEmptyAnswer,
}

// lostAfterActing are the faults that lose an answer the simulator acted on.
var lostAfterActing = []string{faultHTML, faultHTML200, faultTruncated, faultResetAfter, faultStallAfter, faultEmptyAnswer}

// callOf names the call path of a request: an IAK top-up is a first send
// the first time its ref_id is seen and a re-send after.
func (p *providerFaults) callOf(r *http.Request, body []byte) string {
	var req struct {
		RefID    string `json:"ref_id"`
		Commands string `json:"commands"`
	}
	json.Unmarshal(body, &req)
	path := r.URL.Path
	switch {
	case path == "/api/top-up":
		p.mu.Lock()
		defer p.mu.Unlock()
		p.topUps[req.RefID]++
		if p.topUps[req.RefID] == 1 {
			return "top-up (first send)"
		}
		return "top-up (re-send)"
	case path == "/api/check-status":
		return "check-status"
	case path == "/api/check-balance":
		return "check-balance"
	case strings.HasPrefix(path, "/api/pricelist"):
		return "pricelist"
	case path == "/api/inquiry-pln":
		return "inquiry-pln"
	case strings.HasPrefix(path, "/api/v1/bill/check"):
		return "postpaid " + req.Commands
	}
	return path
}

// pick decides the fault of one exchange. The first exchange of every call
// path is spoiled, so that each path meets a fault whatever the seed; the
// others at the rate.
func (p *providerFaults) pick(call string) string {
	p.mu.Lock()
	rate := p.rate
	first := p.faultedLocked(call) == 0
	p.mu.Unlock()
	fault := faultNone
	if rate > 0 && (first || p.rnd.Float64() < rate) {
		faults := allFaults
		if first && call == "postpaid pay-pasca" {
			// A bill's checkstatus is asked only after a payment whose
			// answer was lost once IAK had acted: the first spoiled payment
			// loses it, so that the checkstatus path is reached whatever
			// the seed. A wrong type in a field the client never reads
			// would leave the answer definitive, and no check would follow.
			faults = lostAfterActing
		}
		fault = faults[p.rnd.IntN(len(faults))]
	}
	p.mu.Lock()
	if p.counts[call] == nil {
		p.counts[call] = map[string]int{}
	}
	p.counts[call][fault]++
	p.mu.Unlock()
	return fault
}

// faulted returns how many exchanges of call were spoiled.
func (p *providerFaults) faulted(call string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.faultedLocked(call)
}

func (p *providerFaults) faultedLocked(call string) int {
	n := 0
	for f, c := range p.counts[call] {
		if f != faultNone {
			n += c
		}
	}
	return n
}

// report lists the call paths and the faults they got.
func (p *providerFaults) report() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var calls []string
	for c := range p.counts {
		calls = append(calls, c)
	}
	sort.Strings(calls)
	var s strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&s, "  %-20s", c)
		var fs []string
		for f := range p.counts[c] {
			fs = append(fs, f)
		}
		sort.Strings(fs)
		for _, f := range fs {
			fmt.Fprintf(&s, " %s×%d;", f, p.counts[c][f])
		}
		s.WriteString("\n")
	}
	return s.String()
}

func (p *providerFaults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	call := p.callOf(r, body)
	p.mu.Lock()
	h := p.holds[call]
	p.mu.Unlock()
	if h != nil {
		if !h.after {
			if h.wait(r) {
				p.next.ServeHTTP(w, r)
			}
			return
		}
		rec := httptest.NewRecorder()
		p.next.ServeHTTP(rec, r)
		if h.wait(r) {
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
		}
		return
	}
	fault := p.pick(call)

	switch fault {
	case faultNone:
		p.next.ServeHTTP(w, r)
		return
	case faultGateway:
		writeGatewayPage(w, []int{500, 502, 503, 504}[p.rnd.IntN(4)])
		return
	case faultReset:
		resetConn(w)
		return
	case faultStall:
		stall(r)
		resetConn(w)
		return
	case faultEmpty503:
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}

	// The simulator acts on the request; its answer is what gets spoiled.
	rec := httptest.NewRecorder()
	p.next.ServeHTTP(rec, r)
	answer := rec.Body.Bytes()
	switch fault {
	case faultHTML:
		writeGatewayPage(w, []int{500, 502, 504}[p.rnd.IntN(3)])
	case faultHTML200:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "<!DOCTYPE html><html><body><h1>Sedang dalam pemeliharaan</h1></body></html>")
	case faultTruncated:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		w.Write(answer[:len(answer)/2])
	case faultWrongTypes:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		w.Write(p.wrongTypes(answer))
	case faultUnknownRC:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		w.Write(unknownRC(answer))
	case faultResetAfter:
		resetConn(w)
	case faultStallAfter:
		stall(r)
		resetConn(w)
	case faultEmptyAnswer:
		w.WriteHeader(http.StatusOK)
	}
}

func writeGatewayPage(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
		status, http.StatusText(status), status, http.StatusText(status))
}

// resetConn closes the connection without an answer.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
			tc.SetLinger(0) // an RST, not a FIN
		}
		conn.Close()
	}
}

// stall holds the request until the client gives up (its timeout), at most
// a few seconds.
func stall(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

// wrongTypes replaces one value of the answer's data — a field of the
// transaction, of a pricelist entry, or data itself — by a value of a JSON
// type it never has there: an object, an array, a boolean.
func (p *providerFaults) wrongTypes(answer []byte) []byte {
	var doc map[string]any
	if err := json.Unmarshal(answer, &doc); err != nil {
		return answer[:len(answer)/2]
	}
	bad := []any{map[string]any{"value": "?"}, []any{1, "2"}, true}
	// Every object the answer holds: data, and the pricelist's entries.
	var objects []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			objects = append(objects, v)
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc["data"])
	if len(objects) == 0 || p.rnd.IntN(5) == 0 {
		doc["data"] = []any{"unexpected"}
	} else {
		obj := objects[p.rnd.IntN(len(objects))]
		var keys []string
		for k, v := range obj {
			switch v.(type) {
			case string, float64:
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		if len(keys) == 0 {
			doc["data"] = "unexpected"
		} else {
			obj[keys[p.rnd.IntN(len(keys))]] = bad[p.rnd.IntN(len(bad))]
		}
	}
	out, _ := json.Marshal(doc)
	return out
}

// unknownRC replaces the answer's rc (or response_code) by one no IAK table
// has.
func unknownRC(answer []byte) []byte {
	var doc map[string]any
	if err := json.Unmarshal(answer, &doc); err != nil {
		return answer
	}
	if data, ok := doc["data"].(map[string]any); ok {
		for _, k := range []string{"rc", "response_code"} {
			if _, ok := data[k]; ok {
				data[k] = "9X7"
			}
		}
		if _, ok := data["rc"]; !ok {
			data["rc"] = "9X7"
		}
	}
	out, _ := json.Marshal(doc)
	return out
}
