package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"topupbot/bot/telegramtest"
	"topupbot/flows"
	"topupbot/internal/testbuf"
	"topupbot/provider/sandbox/iaksim"
	"topupbot/storage"
)

// The fault suite runs the real binary, built once per test run, as a
// subprocess: it is SIGKILLed, restarted, starved of its provider and of
// Telegram, while buyers in the test process walk the purchase conversation
// through the fake Bot API. Everything random comes from one seed, printed
// by every test and reusable with TOPUPBOT_FAULT_SEED. The tests wait for
// events — the fake's messages and calls, the fault front's held requests,
// the bot's output — each with a deadline, never for a fixed time, and the
// kills keep the bot's pace: they come after a seeded number of its
// messages. What is left of real time is the bot's own: Telegram's rate
// limits, the poller's second, the engine's grace before a re-send.

// binDir holds the binary; TestMain removes it.
var binDir string

// faultParallel is how many fault tests run at once unless -parallel says
// otherwise. They wait far more than they compute — on Telegram's pace of a
// message a second per chat, which the bot keeps, and on restarts — so the
// default of one per core would leave the machine idle: at two, the suite
// used a third of one core.
const faultParallel = 8

func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		flag.Set("test.parallel", strconv.Itoa(max(faultParallel, runtime.GOMAXPROCS(0))))
	}
	dir, err := os.MkdirTemp("", "topupbot-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var built struct {
	once sync.Once
	path string
	err  error
}

// binary builds the topupbot binary once for the whole test run, with the
// race detector when the tests have it.
func binary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.path = filepath.Join(binDir, "topupbot")
		args := []string{"build", "-o", built.path}
		if raceEnabled() {
			args = append(args, "-race")
		}
		out, err := exec.Command(goTool(), append(args, ".")...).CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// raceEnabled reports whether this test binary runs with the race detector:
// the bot under test then runs with it too.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// seeded returns the test's random source and logs its seed; the seed is
// logged again if the test fails.
func seeded(t *testing.T) *lockedRand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("TOPUPBOT_FAULT_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("TOPUPBOT_FAULT_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (rerun with TOPUPBOT_FAULT_SEED=%d)", seed, seed)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("FAILED with seed %d: rerun with TOPUPBOT_FAULT_SEED=%d go test -race -run '^%s$' .", seed, seed, t.Name())
		}
	})
	return &lockedRand{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// lockedRand is a rand.Rand for several goroutines.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func (l *lockedRand) Float64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64()
}

func (l *lockedRand) IntN(n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.IntN(n)
}

// Between returns a duration in [lo, hi).
func (l *lockedRand) Between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(l.Float64()*float64(hi-lo))
}

// Child returns an independent source derived from this one, so that
// goroutines draw their own sequences whatever the scheduling.
func (l *lockedRand) Child() *lockedRand {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, b := l.r.Uint64(), l.r.Uint64()
	return &lockedRand{r: rand.New(rand.NewPCG(a, b))}
}

const (
	faultToken   = "7000001:AAFault-secret-token-value"
	faultIAKKey  = "fault-iak-api-key-secret"
	faultIAKUser = "081234567890"
	faultAdmin   = int64(9)
	faultOps     = int64(-100888)
)

// world is one fault test's surroundings: the fake Bot API, the IAK
// simulator (behind an optional fault-injecting front), the config and the
// database of the bot under test.
type world struct {
	t    *testing.T
	fake *telegramtest.Server
	sim  *iaksim.Server
	// faults fronts the simulator; nil passes everything.
	faults *providerFaults
	dir    string
	config string
	dbPath string
	// steps counts the messages the bot sent or edited, in any chat: the
	// clock the fault tests keep instead of the wall clock's.
	steps atomic.Int64
}

// worldOptions shape the bot's configuration and the simulator.
type worldOptions struct {
	buyers          []int64
	settle          time.Duration // the simulator's SettleDelay
	providerTimeout time.Duration // [provider] timeout, default 1s
	// callbacks makes the simulator call the bot back at a fixed address.
	callbacks bool
	// catalogRefresh is the [catalog] refresh schedule (default hourly).
	catalogRefresh string
	faults         *providerFaults
	// wallet turns the buyers' saldo on; alertAdmins sends alerts (and
	// deposit lines) to each admin's private chat instead of the ops group;
	// moreAdmins are admins besides faultAdmin.
	wallet      bool
	alertAdmins bool
	moreAdmins  []int64
}

func newWorld(t *testing.T, o worldOptions) *world {
	t.Helper()
	w := &world{t: t, dir: t.TempDir(), faults: o.faults}
	w.fake = telegramtest.NewServer(t, faultToken)
	w.fake.OnBotMessage(func(telegramtest.Message) { w.steps.Add(1) })
	// A second is far more than a local exchange takes, even under the race
	// detector on a loaded machine; a stall fault costs that much, and an
	// order whose first send was lost waits that much (plus the engine's
	// grace) before the poller re-sends it.
	if o.providerTimeout == 0 {
		o.providerTimeout = time.Second
	}
	if o.catalogRefresh == "" {
		o.catalogRefresh = "@hourly"
	}
	callbackListen := ""
	opts := iaksim.Options{Username: faultIAKUser, APIKey: faultIAKKey, SettleDelay: o.settle,
		CallbackBackoff: 100 * time.Millisecond, CallbackAttempts: 8}
	if o.callbacks {
		callbackListen = freeAddr(t)
		opts.CallbackURL = "http://" + callbackListen + "/callback/iak"
	}
	w.sim = iaksim.New(opts)
	t.Cleanup(w.sim.Close)
	front := serveProvider(t, w.sim, o.faults)
	w.dbPath = filepath.Join(w.dir, "bot.db")
	w.config = filepath.Join(w.dir, "config.toml")
	admins := []string{strconv.FormatInt(faultAdmin, 10)}
	for _, a := range o.moreAdmins {
		admins = append(admins, strconv.FormatInt(a, 10))
	}
	notify := faultOps
	if o.alertAdmins {
		notify = 0
	}
	users := make([]string, len(o.buyers))
	for i, b := range o.buyers {
		users[i] = strconv.FormatInt(b, 10)
	}
	cfg := fmt.Sprintf(`
[telegram]
api_endpoint = %q
admins = [%s]
notify_chat_id = %d
allowed_users = [%s]
poll_timeout = "1s"

[provider]
name = "iak"
timeout = %q

[provider.iak]
base_url = %q
postpaid_url = %q
username = %q

[callback]
listen = %q

[ops]
listen = "127.0.0.1:0"

[storage]
path = %q

[poller]
schedule = "@every 1s"

[catalog]
refresh = %q

[log]
level = "debug"
`, w.fake.Endpoint(), strings.Join(admins, ", "), notify, strings.Join(users, ", "), o.providerTimeout.String(),
		front, front, faultIAKUser, callbackListen, w.dbPath, o.catalogRefresh)
	if o.wallet {
		cfg += "\n[wallet]\nenabled = true\ntransfer_info = \"BCA 123 a.n. Toko\"\n"
	}
	if err := os.WriteFile(w.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return w
}

// awaitSteps waits until the bot has sent or edited n more messages than
// when from was read, or within has passed; it reports whether it got them.
func (w *world) awaitSteps(from int64, n int, within time.Duration) bool {
	return w.fake.WaitFor(func() bool { return w.steps.Load() >= from+int64(n) }, within)
}

// serveProvider serves the simulator over HTTP, through the fault front if
// any, and returns its URL.
func serveProvider(t *testing.T, sim *iaksim.Server, faults *providerFaults) string {
	t.Helper()
	if faults == nil {
		srv := httptest.NewServer(sim)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	faults.next = sim
	srv := httptest.NewServer(faults)
	t.Cleanup(srv.Close)
	return srv.URL
}

// proc is one run of the binary.
type proc struct {
	cmd  *exec.Cmd
	out  *testbuf.Buffer
	done chan struct{}
	err  error // cmd.Wait's, set before done closes
}

// startProc starts the binary on config, its secrets in the environment as
// an operator would set them.
func startProc(t *testing.T, config string) *proc {
	t.Helper()
	cmd := exec.Command(binary(t), "-config", config)
	env := []string{"TOPUPBOT_TELEGRAM_TOKEN=" + faultToken, "TOPUPBOT_IAK_API_KEY=" + faultIAKKey}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TOPUPBOT_") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	p := &proc{cmd: cmd, out: &testbuf.Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p
}

// botRuns runs the binary again and again on one world and keeps
// everything every run wrote.
type botRuns struct {
	w    *world
	mu   sync.Mutex
	cur  *proc
	runs []*proc
}

func newBotRuns(w *world) *botRuns {
	b := &botRuns{w: w}
	w.t.Cleanup(func() {
		b.mu.Lock()
		p := b.cur
		b.mu.Unlock()
		if p != nil {
			p.cmd.Process.Kill()
			<-p.done
		}
		b.checkOutput()
	})
	return b
}

// start runs the bot; the previous run must have ended.
func (b *botRuns) start() {
	b.w.t.Helper()
	p := startProc(b.w.t, b.w.config)
	b.mu.Lock()
	b.cur = p
	b.runs = append(b.runs, p)
	b.mu.Unlock()
}

// kill is SIGKILL: no shutdown, no flush, nothing saved.
func (b *botRuns) kill() {
	b.mu.Lock()
	p := b.cur
	b.cur = nil
	b.mu.Unlock()
	if p == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop is SIGTERM once the bot is up (before main has installed its
// handler, SIGTERM kills the process like any other): the bot must exit 0
// within the documented 30 s bound.
func (b *botRuns) stop() {
	b.w.t.Helper()
	b.mu.Lock()
	p := b.cur
	b.cur = nil
	b.mu.Unlock()
	if p == nil {
		return
	}
	if !b.w.fake.WaitFor(func() bool { return strings.Contains(p.out.String(), "topupbot running") }, 30*time.Second) {
		b.w.t.Errorf("the bot never came up; its output ends:\n%s", tail(p.out.String(), 3000))
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(40 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		b.w.t.Errorf("the bot did not stop within 40s of SIGTERM")
	}
	if p.err != nil {
		b.w.t.Errorf("the bot exited with %v after SIGTERM; its output ends:\n%s", p.err, tail(p.out.String(), 3000))
	}
}

// output is everything every run wrote, runs separated.
func (b *botRuns) output() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var s strings.Builder
	for i, p := range b.runs {
		fmt.Fprintf(&s, "===== run %d =====\n%s", i+1, p.out.String())
	}
	return s.String()
}

// checkOutput fails the test on a data race, a panic or a secret in what
// the bot wrote; on failure it keeps the output in a file.
func (b *botRuns) checkOutput() {
	t := b.w.t
	out := b.output()
	for _, bad := range []string{"WARNING: DATA RACE", "panic:", faultToken, "AAFault-secret", faultIAKKey} {
		if i := strings.Index(out, bad); i >= 0 {
			t.Errorf("the bot's output contains %q:\n%s", bad, out[max(0, i-2000):min(len(out), i+3000)])
		}
	}
	if t.Failed() {
		path := filepath.Join(os.TempDir(), fmt.Sprintf("topupbot-%s-%d.log", strings.ReplaceAll(t.Name(), "/", "_"), time.Now().UnixNano()))
		if err := os.WriteFile(path, []byte(out), 0o644); err == nil {
			t.Logf("the bot's output is in %s", path)
		}
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// orders reads every order from the database of the stopped bot.
func (w *world) orders() []flows.Order {
	w.t.Helper()
	db, err := storage.Open(w.dbPath, storage.Options{ReadOnly: true})
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	var all []flows.Order
	if err := db.ForEachOrder(context.Background(), func(o flows.Order) error {
		all = append(all, o)
		return nil
	}); err != nil {
		w.t.Fatal(err)
	}
	return all
}

// --- buyers -----------------------------------------------------------------

// buyer is one customer walking the purchase conversation the way a person
// with a Telegram client does: look at the newest message, tap or type
// what it asks for, and when nothing happens for a while, try again — a
// tap whose callback query was never answered is re-sent by the client
// itself (Resend); an answered one, or a typed message, is repeated by the
// person.
type buyer struct {
	w    *world
	rnd  *lockedRand
	chat int64
	// path is the button labels to tap, in order: category, brand (if the
	// category has several), product; or Tagihan and the biller.
	path   []string
	number string
	// cancel taps Batal on the confirm screen instead of Konfirmasi.
	cancel bool
	// retry says whether the buyer repeats an action that got no answer;
	// without it, an unanswered action is a lost reply.
	retry bool
	// patience is how long the buyer waits for an answer.
	patience time.Duration
	// from and seen let one chat make several purchases in turn: the
	// buyer looks only at the messages from index from on, and not at
	// those naming a ref in seen (an earlier purchase's late or repeated
	// messages).
	from int
	seen map[string]bool

	mu       sync.Mutex
	actions  int
	retries  int
	resends  int
	lost     string // the action that got no answer, when !retry
	finished bool
}

// Screen markers: what a bot message asks for, or tells.
const (
	markHome     = "Mau beli apa"
	markBrand    = "Pilih operator"
	markProducts = "Pilih produk"
	markBillers  = "Pilih jenis tagihan"
	markNumber   = "Ketik nomor"
	markConfirm  = "Konfirmasi pesanan"
	markBill     = "Total bayar"
	markOrdered1 = "sedang diproses"
	markOrdered2 = "sudah dibuat"
	markSuccess  = "Transaksi berhasil"
	markFailed   = "Transaksi gagal"
	// A bill's receipt is a payment's.
	markPaid      = "Pembayaran berhasil"
	markPayFailed = "Pembayaran gagal"
)

// settled reports whether the chat holds a settlement message.
func settled(msgs []telegramtest.Message) bool {
	for _, m := range msgs {
		if strings.Contains(m.Text, markSuccess) || strings.Contains(m.Text, markFailed) ||
			strings.Contains(m.Text, markPaid) || strings.Contains(m.Text, markPayFailed) {
			return true
		}
	}
	return false
}

// ordered reports whether the bot told the buyer an order exists.
func ordered(msgs []telegramtest.Message) bool {
	for _, m := range msgs {
		for _, v := range m.Versions {
			if strings.Contains(v, markOrdered1) || strings.Contains(v, markOrdered2) {
				return true
			}
		}
	}
	return false
}

// fingerprint changes whenever the bot sends or edits a message in the chat.
func fingerprint(msgs []telegramtest.Message) int {
	n := 0
	for _, m := range msgs {
		n += 1 + len(m.Versions)
	}
	return n
}

// run walks the conversation until the buyer has the settlement message
// (or, cancelling, has cancelled), or ctx ends.
func (b *buyer) run(ctx context.Context) {
	fake := b.w.fake
	var (
		lastKey    string // the message and version acted on last
		lastUpdate int    // the update of the last tap
		lastTap    bool
	)
	for ctx.Err() == nil {
		msgs := b.view()
		if settled(msgs) {
			b.finish()
			return
		}
		if ordered(msgs) {
			// The order exists: only the result is awaited.
			fp := fingerprint(msgs)
			fake.WaitFor(func() bool { return ctx.Err() != nil || fingerprint(b.view()) != fp }, time.Second)
			continue
		}
		var latest telegramtest.Message
		if len(msgs) > 0 {
			latest = msgs[len(msgs)-1]
		}
		key := fmt.Sprintf("%d/%d", latest.ID, len(latest.Versions))
		repeat := key == lastKey
		fp := fingerprint(msgs)
		switch {
		case repeat && !b.retry:
			b.mu.Lock()
			b.lost = fmt.Sprintf("no answer within %s to the action on %q", b.patience, latest.Text)
			b.mu.Unlock()
			return
		case repeat && lastTap && !fake.Answered(lastUpdate):
			// The client re-sends a query left unanswered.
			lastUpdate = fake.Resend(lastUpdate)
			b.count(&b.resends)
		default:
			if repeat {
				b.count(&b.retries)
			}
			upd, tap, done := b.act(latest)
			if done {
				b.finish()
				return
			}
			lastUpdate, lastTap = upd, tap
		}
		b.count(&b.actions)
		lastKey = key
		fake.WaitFor(func() bool { return ctx.Err() != nil || fingerprint(b.view()) != fp }, b.patience)
	}
}

// view is the chat as this purchase sees it (see buyer.from).
func (b *buyer) view() []telegramtest.Message {
	msgs := b.w.fake.Messages(b.chat)
	if b.from == 0 && len(b.seen) == 0 {
		return msgs
	}
	var out []telegramtest.Message
	for _, m := range msgs[min(b.from, len(msgs)):] {
		old := false
		for _, v := range m.Versions {
			old = old || b.seen[refIn(v)]
		}
		if !old {
			out = append(out, m)
		}
	}
	return out
}

// act does what the newest message asks for; done is true when the buyer
// has nothing more to do.
func (b *buyer) act(latest telegramtest.Message) (update int, tap bool, done bool) {
	fake := b.w.fake
	text := latest.Text
	label := ""
	switch {
	case latest.ID == 0:
		return fake.SendText(b.chat, b.chat, "/start"), false, false
	case strings.Contains(text, markConfirm):
		label = "✅ Konfirmasi"
		if b.cancel {
			label = "❌ Batal"
			done = true
		}
	case strings.Contains(text, markBill):
		label = "💳 Bayar"
	case strings.Contains(text, markNumber):
		return fake.SendText(b.chat, b.chat, b.number), false, false
	case strings.Contains(text, markProducts), strings.Contains(text, markBillers):
		label = b.path[len(b.path)-1]
	case strings.Contains(text, markBrand):
		label = b.path[1]
	case strings.Contains(text, markHome):
		label = b.path[0]
	default:
		// A message without a menu (an apology): start over.
		return fake.SendText(b.chat, b.chat, "/start"), false, false
	}
	for _, row := range latest.Buttons {
		for _, btn := range row {
			if strings.HasPrefix(btn.Text, label) {
				return fake.Tap(b.chat, b.chat, latest.ID, btn.Data), true, done
			}
		}
	}
	// The menu lacks the button (no product list yet, or a product gone
	// from it): start over.
	return fake.SendText(b.chat, b.chat, "/start"), false, false
}

func (b *buyer) count(n *int) {
	b.mu.Lock()
	*n++
	b.mu.Unlock()
}

func (b *buyer) finish() {
	b.mu.Lock()
	b.finished = true
	b.mu.Unlock()
}

func (b *buyer) state() (finished bool, lost string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.finished, b.lost
}

// runBuyers runs every buyer, each after its own start delay within
// stagger, and returns a function that waits for all of them up to a
// deadline and returns those not finished.
func runBuyers(ctx context.Context, buyers []*buyer, stagger time.Duration) (wait func(time.Duration) []*buyer) {
	var wg sync.WaitGroup
	for _, b := range buyers {
		delay := b.rnd.Between(0, stagger)
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return
			}
			b.run(ctx)
		}()
	}
	return func(within time.Duration) []*buyer {
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(within):
		}
		var open []*buyer
		for _, b := range buyers {
			if ok, _ := b.state(); !ok {
				open = append(open, b)
			}
		}
		return open
	}
}

// describe renders a chat for a failure message.
func describe(fake *telegramtest.Server, chat int64) string {
	var s strings.Builder
	for _, m := range fake.Messages(chat) {
		fmt.Fprintf(&s, "  #%d %q", m.ID, m.Versions)
		for _, row := range m.Buttons {
			for _, b := range row {
				fmt.Fprintf(&s, " [%s]", b.Text)
			}
		}
		s.WriteString("\n")
	}
	return s.String()
}

// refIn returns the order reference a settlement or processing text names.
func refIn(text string) string {
	for _, marker := range []string{"Ref: <code>", "Pesanan <code>", "Pembayaran <code>", "sudah dibuat: <code>"} {
		if i := strings.Index(text, marker); i >= 0 {
			rest := text[i+len(marker):]
			if j := strings.Index(rest, "</code>"); j > 0 {
				return rest[:j]
			}
		}
	}
	return ""
}
