package flows_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"topupbot/bot"
	"topupbot/flows"
	"topupbot/internal/testclock"
	"topupbot/provider/iak"
	"topupbot/provider/sandbox/iaksim"
	"topupbot/storage"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/transcripts")

// seededReader is deterministic randomness for menu ids, tokens and refs,
// so that transcripts are stable.
type seededReader struct {
	mu sync.Mutex
	r  *rand.Rand
}

func (s *seededReader) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.Read(p)
}

// convo drives the conversation the way the bot does: inputs in, replies
// out, Output.Then run after the replies; settlement through the simulator,
// the poller and the outbox.
type convo struct {
	t       *testing.T
	clk     *testclock.Clock
	sim     *iaksim.Server
	db      *storage.DB
	service *flows.Service
	engine  *flows.Engine
	drainer *flows.Drainer
	rec     *recorder
	cache   *flows.ProductCache
	update  int
	chat    int64
	user    int64
	log     strings.Builder
	outputs [][]flows.Reply // every output so far, numbered from 1
	menuMsg map[int]int     // output number → message id of its menu
	nextMsg int
	last    flows.Input
	pending []string
	// received are the buyer's delivered messages with buttons (a
	// receipt's Beli lagi), for "tap received LABEL".
	received []flows.Notification
}

type convoOptions struct {
	allowed  []int64
	open     bool
	markup   int64
	catalog  flows.Catalog  // default: the IAK client's pricelist
	pricing  *flows.Pricing // default: markup alone
	pageSize int            // products a menu page; default the service's
	logger   *slog.Logger
}

func newConvo(t *testing.T, o convoOptions) *convo {
	t.Helper()
	c := &convo{t: t, clk: testclock.New(time.Date(2026, 11, 23, 9, 0, 0, 0, flows.WIB)), chat: 1001, user: 1001,
		menuMsg: map[int]int{}, nextMsg: 100}
	random := &seededReader{r: rand.New(rand.NewSource(1))}
	c.sim = iaksim.New(iaksim.Options{Username: simUser, APIKey: simKey, SettleDelay: -1, Now: c.clk.Now})
	t.Cleanup(c.sim.Close)
	srv := httptest.NewServer(c.sim)
	t.Cleanup(srv.Close)
	client, err := iak.New(iak.Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: simUser, APIKey: simKey,
		HTTPClient: &http.Client{Timeout: 2 * time.Second}, Now: c.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	c.db, err = storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{Now: c.clk.Now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.db.Close() })
	var source flows.Catalog = client
	if o.catalog != nil {
		source = o.catalog
	}
	c.cache = flows.NewProductCache(source, c.db, c.clk.Now)
	if err := c.cache.Load(bg); err != nil {
		t.Fatal(err)
	}
	c.engine = flows.NewEngine(c.db, client, flows.EngineConfig{OpsChatID: opsChat, Now: c.clk.Now, Random: random})
	allowed := append([]int64{c.user}, o.allowed...)
	if o.open {
		allowed = nil
	}
	pricing := flows.Pricing{Markup: o.markup}
	if o.pricing != nil {
		pricing = *o.pricing
	}
	c.service = flows.NewService(flows.ServiceConfig{Fits: bot.Fits, Store: c.db, Products: c.cache, Engine: c.engine, Meters: client, Games: client, Bills: client,
		Admins: []int64{9}, Allowed: allowed, Open: o.open, Pricing: pricing, Logger: o.logger, Now: c.clk.Now, Random: random,
		PageSize: o.pageSize})
	c.rec = &recorder{}
	c.drainer = flows.NewDrainer(c.db, c.rec, flows.DrainerConfig{Now: c.clk.Now})
	return c
}

// send applies one input and records the transcript.
func (c *convo) send(in flows.Input) []flows.Reply {
	c.t.Helper()
	if in.UpdateID == 0 {
		c.update++
		in.UpdateID = c.update
	}
	in.ChatID, in.UserID, in.Private, in.FirstName = c.chat, c.user, true, "Budi"
	c.last = in
	c.clk.Advance(time.Second)
	out, err := c.service.Handle(bg, in)
	if err != nil {
		c.t.Fatalf("handle %+v: %v", in, err)
	}
	replies := out.Replies
	if out.Then != nil {
		replies = append(replies, out.Then(bg)...)
	}
	c.outputs = append(c.outputs, replies)
	n := len(c.outputs)
	for _, r := range replies {
		if r.Edit {
			c.menuMsg[n] = in.MessageID
		} else {
			c.nextMsg++
			c.menuMsg[n] = c.nextMsg
		}
		c.render(n, r)
	}
	if len(replies) == 0 {
		fmt.Fprintf(&c.log, "< #%d (no reply)\n", n)
	}
	return replies
}

func (c *convo) render(n int, r flows.Reply) {
	kind := "new"
	if r.Edit {
		kind = "edit"
	}
	if r.AwaitsText {
		kind += ", awaits text"
	}
	fmt.Fprintf(&c.log, "< #%d %s\n", n, kind)
	if r.QR != "" {
		fmt.Fprintf(&c.log, "  [QR image: %s]\n", r.QR)
	}
	for _, line := range strings.Split(r.Text, "\n") {
		fmt.Fprintf(&c.log, "  %s\n", line)
	}
	for _, row := range r.Buttons {
		labels := make([]string, len(row))
		for i, b := range row {
			labels[i] = "[" + b.Label + "]"
			if len(b.Data.Menu)+len(b.Data.Action)+len(b.Data.Arg) > 60 {
				c.t.Errorf("button %q carries %d bytes", b.Label, len(b.Data.Menu)+len(b.Data.Action)+len(b.Data.Arg))
			}
		}
		fmt.Fprintf(&c.log, "  %s\n", strings.Join(labels, " "))
	}
}

// tap presses the button labelled label on output n (0: the latest output
// with buttons).
func (c *convo) tap(n int, label string) {
	c.t.Helper()
	if n == 0 {
		for i := len(c.outputs); i > 0; i-- {
			if hasButtons(c.outputs[i-1]) {
				n = i
				break
			}
		}
	}
	if n < 1 || n > len(c.outputs) {
		c.t.Fatalf("no output #%d", n)
	}
	for _, r := range c.outputs[n-1] {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label == label || strings.HasPrefix(b.Label, label) {
					c.send(flows.Input{Kind: flows.InputButton, Button: b.Data, MessageID: c.menuMsg[n]})
					return
				}
			}
		}
	}
	c.t.Fatalf("output #%d has no button %q", n, label)
}

func hasButtons(rs []flows.Reply) bool {
	for _, r := range rs {
		if len(r.Buttons) > 0 {
			return true
		}
	}
	return false
}

// settle resolves every transaction at the simulator, polls until the
// orders settle and delivers the outbox into the transcript.
func (c *convo) settle(success bool) {
	c.t.Helper()
	orders, err := c.db.PendingOrders(bg)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, o := range orders {
		settle := c.sim.Settle
		if o.Kind == flows.Postpaid {
			settle = c.sim.SettleBill
		}
		// A payment already final at the simulator (a lost answer) has
		// nothing to settle; the poll below finds its state.
		if err := settle(o.RefID, success); err != nil && o.Kind != flows.Postpaid {
			c.t.Fatal(err)
		}
	}
	for range 10 {
		c.engine.Poll(bg)
		if n, _ := c.db.PendingCount(); n == 0 {
			break
		}
		c.clk.Advance(time.Minute)
	}
	c.deliver()
}

func (c *convo) deliver() {
	before := len(c.rec.got())
	if _, err := c.drainer.DrainOnce(bg); err != nil {
		c.t.Fatal(err)
	}
	// Deliveries run concurrently; the transcript shows them in outbox order.
	delivered := c.rec.got()[before:]
	sort.Slice(delivered, func(i, j int) bool { return delivered[i].ID < delivered[j].ID })
	for _, n := range delivered {
		fmt.Fprintf(&c.log, "<< %s to %d", n.Kind, n.ChatID)
		if n.MessageID != 0 {
			fmt.Fprintf(&c.log, " message %d", n.MessageID)
		}
		c.log.WriteString("\n")
		if n.QR != "" {
			fmt.Fprintf(&c.log, "  [QR image: %s]\n", n.QR)
		}
		for _, line := range strings.Split(n.Text, "\n") {
			fmt.Fprintf(&c.log, "  %s\n", line)
		}
		for _, row := range n.Buttons {
			labels := make([]string, len(row))
			for i, b := range row {
				labels[i] = "[" + b.Label + "]"
			}
			fmt.Fprintf(&c.log, "  %s\n", strings.Join(labels, " "))
		}
		if n.ChatID == c.chat && len(n.Buttons) > 0 {
			c.received = append(c.received, n)
		}
	}
}

// tapReceived presses the button labelled label on the latest delivered
// message that has one.
func (c *convo) tapReceived(label string) {
	c.t.Helper()
	for i := len(c.received) - 1; i >= 0; i-- {
		for _, row := range c.received[i].Buttons {
			for _, b := range row {
				if b.Label == label || strings.HasPrefix(b.Label, label) {
					c.nextMsg++
					c.send(flows.Input{Kind: flows.InputButton, Button: b.Data, MessageID: c.nextMsg})
					return
				}
			}
		}
	}
	c.t.Fatalf("no delivered message has a button %q", label)
}

var tapLine = regexp.MustCompile(`^tap(?: #(\d+))? (.+)$`)

// play runs a script line.
func (c *convo) play(line string) {
	c.t.Helper()
	fmt.Fprintf(&c.log, "> %s\n", line)
	switch {
	case strings.HasPrefix(line, "/"):
		cmd, args, _ := strings.Cut(line[1:], " ")
		c.send(flows.Input{Kind: flows.InputCommand, Command: cmd, Args: args})
	case strings.HasPrefix(line, "tap received "):
		c.tapReceived(strings.TrimPrefix(line, "tap received "))
	case tapLine.MatchString(line):
		m := tapLine.FindStringSubmatch(line)
		n, _ := strconv.Atoi(m[1])
		c.tap(n, m[2])
	case line == "redeliver":
		// The same update again, as after a crash before the offset was saved.
		c.send(c.last)
	case line == "resend":
		// The client re-sends an unanswered callback under a new update id.
		in := c.last
		in.UpdateID = 0
		c.send(in)
	case line == "deliver":
		c.deliver()
	case line == "settle":
		c.settle(true)
	case line == "settle failed":
		c.settle(false)
	case strings.HasPrefix(line, "wait "):
		d, err := time.ParseDuration(strings.TrimPrefix(line, "wait "))
		if err != nil {
			c.t.Fatal(err)
		}
		c.clk.Advance(d)
	case strings.HasPrefix(line, "as "):
		// Another person in their own private chat, from here on ("as
		// 1002"; "as 9" is the admin).
		id, err := strconv.ParseInt(strings.TrimPrefix(line, "as "), 10, 64)
		if err != nil {
			c.t.Fatal(err)
		}
		c.chat, c.user = id, id
	case strings.HasPrefix(line, "garbage button"):
		c.send(flows.Input{Kind: flows.InputButton, MessageID: 1})
	default:
		c.send(flows.Input{Kind: flows.InputText, Text: line})
	}
}

// TestTranscripts replays every testdata/transcripts/*.txt: the lines
// starting with "> " are the script; everything else is what the bot said,
// compared with what it says now. go test -run Transcripts -update rewrites
// them.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/transcripts/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			opts := convoOptions{}
			var script []string
			sc := bufio.NewScanner(strings.NewReader(string(raw)))
			for sc.Scan() {
				line := sc.Text()
				switch {
				case strings.HasPrefix(line, "# options: markup="):
					opts.markup, _ = strconv.ParseInt(strings.TrimPrefix(line, "# options: markup="), 10, 64)
				case strings.HasPrefix(line, "# options: page_size="):
					opts.pageSize, _ = strconv.Atoi(strings.TrimPrefix(line, "# options: page_size="))
				case strings.HasPrefix(line, "# options: allow="):
					id, _ := strconv.ParseInt(strings.TrimPrefix(line, "# options: allow="), 10, 64)
					opts.allowed = append(opts.allowed, id)
				case strings.HasPrefix(line, "# options: stranger"):
					opts.allowed = []int64{}
				case strings.HasPrefix(line, "> "):
					script = append(script, strings.TrimPrefix(line, "> "))
				}
			}
			c := newConvo(t, opts)
			if strings.Contains(string(raw), "# options: stranger") {
				c.user = 5555 // not allowed
			}
			var header strings.Builder
			sc = bufio.NewScanner(strings.NewReader(string(raw)))
			for sc.Scan() && strings.HasPrefix(sc.Text(), "#") {
				header.WriteString(sc.Text() + "\n")
			}
			for _, line := range script {
				c.play(line)
			}
			got := header.String() + c.log.String()
			checkGolden(t, file, string(raw), got)
		})
	}
}

// checkGolden compares a transcript with its golden file, or rewrites the
// file under -update.
func checkGolden(t *testing.T, file, want, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != want {
		t.Errorf("transcript differs; run go test ./flows -run Transcripts -update and review the diff.\n%s", firstDiff(want, got))
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n want %q\n  got %q", i+1, wl, gl)
		}
	}
	return ""
}

var _ = context.Background
