package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"

	"topupbot/bot"
	"topupbot/bot/telegramtest"
	"topupbot/flows"
	"topupbot/provider/iak"
	"topupbot/provider/sandbox/iaksim"
	"topupbot/storage"
)

// The benchmarks here measure the bot as run wires it — the real bot,
// conversation, engine, outbox and bbolt with fsync — against the fake Bot
// API and the IAK simulator over loopback HTTP. README "Performance" has
// the commands and this machine's figures.

const benchToken = "7000001:AABench-token-not-a-secret"

// benchStack is the bot's parts for a benchmark: storage (fsync on), the
// IAK simulator behind the real client, the product cache, the engine and
// the conversation.
type benchStack struct {
	db      *storage.DB
	sim     *iaksim.Server
	cache   *flows.ProductCache
	engine  *flows.Engine
	service *flows.Service
}

// newBenchStack builds the stack; the simulator settles an order settle
// after its first answer (negative: only when told).
func newBenchStack(b *testing.B, opsChat int64, settle time.Duration) *benchStack {
	return newBenchStackWallet(b, opsChat, settle, false)
}

// newBenchStackWallet is newBenchStack with the wallet on or off: on, every
// order holds its price from the buyer's saldo (DESIGN rule 13).
func newBenchStackWallet(b *testing.B, opsChat int64, settle time.Duration, wallet bool) *benchStack {
	b.Helper()
	db, err := storage.Open(filepath.Join(b.TempDir(), "bench.db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	sim := iaksim.New(iaksim.Options{Username: "081200000000", APIKey: "bench-key", Deposit: 1 << 50, SettleDelay: settle})
	b.Cleanup(sim.Close)
	srv := httptest.NewServer(sim)
	b.Cleanup(srv.Close)
	client, err := iak.New(iak.Config{PrepaidURL: srv.URL, PostpaidURL: srv.URL, Username: "081200000000", APIKey: "bench-key",
		HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		b.Fatal(err)
	}
	cache := flows.NewProductCache(client, db, nil)
	if err := cache.Load(context.Background()); err != nil {
		b.Fatal(err)
	}
	engine := flows.NewEngine(db, client, flows.EngineConfig{ProviderTimeout: 10 * time.Second, OpsChatID: opsChat, Wallet: wallet})
	service := flows.NewService(flows.ServiceConfig{Store: db, Products: cache, Engine: engine, Open: true,
		Pricing: flows.Pricing{Markup: 1000}})
	return &benchStack{db: db, sim: sim, cache: cache, engine: engine, service: service}
}

// startBenchBot runs a bot with cfg's limits and hook against the Bot API
// at endpoint until the benchmark ends.
func startBenchBot(b *testing.B, endpoint string, cfg bot.Config) *bot.Bot {
	b.Helper()
	cfg.Token, cfg.APIEndpoint = benchToken, endpoint
	cfg.Logger = slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tg, err := bot.New(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tg.Run(runCtx) }()
	b.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			b.Error(err)
		}
	})
	return tg
}

// benchBuyer plays one person in their own chat: it says or taps something
// and waits for the bot's answer, as the fake shows it.
type benchBuyer struct {
	fake   *telegramtest.Server
	chat   int64
	screen chan telegramtest.Message
	last   telegramtest.Message
}

func (u *benchBuyer) say(text string) error {
	u.fake.SendText(u.chat, u.chat, text)
	return u.await()
}

// tap taps the button of the screen on display whose label starts with
// label.
func (u *benchBuyer) tap(label string) error {
	for _, row := range u.last.Buttons {
		for _, btn := range row {
			if strings.HasPrefix(btn.Text, label) {
				u.fake.Tap(u.chat, u.chat, u.last.ID, btn.Data)
				return u.await()
			}
		}
	}
	return fmt.Errorf("chat %d: no button %q on %q %v", u.chat, label, u.last.Text, u.last.Buttons)
}

func (u *benchBuyer) await() error {
	select {
	case u.last = <-u.screen:
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("chat %d: no answer within 30 s; last screen %q", u.chat, u.last.Text)
	}
}

// converse is one conversation: /start to the confirm screen, and Confirm
// if buy.
func (u *benchBuyer) converse(number string, buy bool) error {
	if err := u.say("/start"); err != nil {
		return err
	}
	for _, label := range []string{"Pulsa", "Telkomsel", "Telkomsel 10.000"} {
		if err := u.tap(label); err != nil {
			return err
		}
	}
	if err := u.say(number); err != nil {
		return err
	}
	if !buy {
		return nil
	}
	if err := u.tap("✅"); err != nil {
		return err
	}
	if !strings.Contains(u.last.Text, "sedang diproses") {
		return fmt.Errorf("chat %d: Confirm answered %q", u.chat, u.last.Text)
	}
	return nil
}

// benchBuyers makes n buyers and routes the bot's messages to them.
func benchBuyers(b *testing.B, fake *telegramtest.Server, n int, firstChat int64) []*benchBuyer {
	bs := make([]*benchBuyer, n)
	byChat := make(map[int64]*benchBuyer, n)
	for i := range bs {
		bs[i] = &benchBuyer{fake: fake, chat: firstChat + int64(i), screen: make(chan telegramtest.Message, 4)}
		byChat[bs[i].chat] = bs[i]
	}
	var unexpected atomic.Int64
	fake.OnBotMessage(func(m telegramtest.Message) {
		if u := byChat[m.ChatID]; u != nil {
			select {
			case u.screen <- m:
				return
			default:
			}
		}
		unexpected.Add(1)
	})
	b.Cleanup(func() {
		if n := unexpected.Load(); n > 0 {
			b.Errorf("%d bot messages no buyer was waiting for", n)
		}
	})
	return bs
}

// benchLatencies collects Config.OnReplyQueued's samples.
type benchLatencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *benchLatencies) add(_ int, received time.Time) {
	d := time.Since(received)
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *benchLatencies) reset() {
	l.mu.Lock()
	l.d = l.d[:0]
	l.mu.Unlock()
}

// quantile is the q-quantile of the samples, q in [0, 1].
func (l *benchLatencies) quantile(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func (l *benchLatencies) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

// BenchmarkInbound: 1,000 buyers at once, each in their own chat, walking
// the purchase conversation through the real bot — /start, Pulsa, an
// operator, a product, the number — and, in one conversation out of ten
// with confirm=10%, Confirm, which writes the order and, once the
// "processing" edit is accepted, places it with the simulator. Each buyer
// waits for the bot's answer (as the fake shows it) before the next step.
// b.N counts conversations. It reports updates/s handled and the latency
// from an update's arrival in the poll loop to its reply's entry into the
// send queue (Config.OnReplyQueued), p50 and p99.
//
// The send limits are lifted here: at Telegram's 30 messages/s no bot
// answers thousands of updates a second, and the limiter is the Outbound
// benchmark's subject; this one measures intake: polling, the per-chat
// workers, the conversation and bbolt with fsync.
//
//	go test -run '^$' -bench Inbound -benchtime 20000x .
func BenchmarkInbound(b *testing.B) {
	for _, confirmEvery := range []int{0, 10} {
		name := "confirm=0%"
		if confirmEvery > 0 {
			name = fmt.Sprintf("confirm=%d%%", 100/confirmEvery)
		}
		b.Run(name, func(b *testing.B) { benchInbound(b, 1000, confirmEvery) })
	}
}

func benchInbound(b *testing.B, concurrency, confirmEvery int) {
	st := newBenchStack(b, 0, -1)
	fake := telegramtest.NewServer(b, benchToken)
	lat := &benchLatencies{}
	startBenchBot(b, fake.Endpoint(), bot.Config{
		Handler:       st.service,
		Offsets:       st.db,
		Inbox:         st.db,
		PollTimeout:   30 * time.Second,
		GlobalRate:    1e9,
		GlobalBurst:   1e6,
		ChatRate:      1e9,
		ChatBurst:     1e6,
		OnReplyQueued: lat.add,
	})
	bs := benchBuyers(b, fake, min(concurrency, b.N), 1_000_000)

	// Each buyer says /start once, untimed: connections, the sessions'
	// first pages.
	var wg sync.WaitGroup
	for _, u := range bs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := u.say("/start"); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	lat.reset()

	var (
		next      atomic.Int64 // conversations started
		confirmed atomic.Int64
	)
	b.ResetTimer()
	start := time.Now()
	for i, u := range bs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			number := fmt.Sprintf("0812%04d1000", i%10000)
			for n := next.Add(1); n <= int64(b.N); n = next.Add(1) {
				buy := confirmEvery > 0 && n%int64(confirmEvery) == 0
				if err := u.converse(number, buy); err != nil {
					b.Error(err)
					return
				}
				if buy {
					confirmed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	updates := lat.count()
	b.ReportMetric(float64(updates)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(lat.quantile(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat.quantile(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(confirmed.Load()), "orders")
	b.ReportMetric(0, "ns/op")
	// Every confirmation placed one order (the last ones may still be on
	// their way to the simulator).
	c := int(confirmed.Load())
	if !fake.WaitFor(func() bool { return st.sim.TransactionCount() == c }, 10*time.Second) {
		b.Errorf("simulator holds %d transactions for %d confirmations", st.sim.TransactionCount(), c)
	}
}

// BenchmarkOutbound: 300 buyers' orders settle at once, three each: the
// outbox holds 900 messages for 300 chats and 900 lines for the ops group.
// The drainer delivers them through Bot.Deliver and the bot's send queue, at
// its default limits, to a fake Telegram enforcing Telegram's: 30 messages/s
// overall (burst 30), 1/s per chat (burst 3), 20/min per group (burst 5),
// answering 429 with retry_after past them. It reports msgs/s (messages
// accepted, the ops group's included, from the end of the first second —
// the burst — to the last buyer's message), 429s, buyers-s (when the last
// buyer had their three messages), and drain-s and ops-msgs: the ops
// group's lines, batched by the drainer, go out at the group's 20/min.
//
//	go test -run '^$' -bench Outbound -benchtime 1x .
func BenchmarkOutbound(b *testing.B) {
	const (
		chats    = 300
		perChat  = 3
		opsChat  = int64(-1001234567890)
		firstBuy = int64(2_000_000)
	)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := newBenchStack(b, opsChat, 0)
		fake := telegramtest.NewServer(b, benchToken)
		fake.Limits(telegramtest.Limit{Rate: 30, Burst: 30}, telegramtest.Limit{Rate: 1, Burst: 3},
			telegramtest.Limit{Rate: rate.Every(3 * time.Second), Burst: 5})
		tg := startBenchBot(b, fake.Endpoint(), bot.Config{Handler: st.service, Offsets: st.db, Inbox: st.db}) // Telegram's limits: the defaults
		seedSettled(b, st, firstBuy, chats, perChat)
		if n, _ := st.db.OutboxLen(); n != 2*chats*perChat {
			b.Fatalf("outbox holds %d notifications, want %d", n, 2*chats*perChat)
		}

		drainer := flows.NewDrainer(st.db, tg, flows.DrainerConfig{})
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		b.StartTimer()
		start := time.Now()
		go func() { done <- drainer.Run(ctx) }()
		empty := func() bool { n, _ := st.db.OutboxLen(); return n == 0 }
		if !fake.WaitFor(empty, 10*time.Minute) {
			n, _ := st.db.OutboxLen()
			b.Fatalf("%d notifications still in the outbox after 10 minutes", n)
		}
		drained := time.Since(start)
		b.StopTimer()
		stop()
		<-done

		if testing.Verbose() {
			for _, c := range fake.Calls("") {
				if c.Status == 429 {
					b.Logf("429 at %s: %s chat %s", c.At.Sub(start), c.Method, c.Params.Get("chat_id"))
				}
			}
		}
		var sent []telegramtest.Call
		lastBuyer, ops := time.Time{}, 0
		for _, c := range fake.Calls("sendMessage") {
			if c.Status != 200 {
				continue
			}
			sent = append(sent, c)
			if c.Params.Get("chat_id") == fmt.Sprint(opsChat) {
				ops++
			} else if c.At.After(lastBuyer) {
				lastBuyer = c.At
			}
		}
		// The rate sustained: after the first second (the burst) until the
		// last buyer's message.
		from, inWindow := start.Add(time.Second), 0
		for _, c := range sent {
			if c.At.After(from) && !c.At.After(lastBuyer) {
				inWindow++
			}
		}
		for chat := firstBuy; chat < firstBuy+chats; chat++ {
			if n := len(fake.Messages(chat)); n != perChat {
				b.Errorf("chat %d got %d messages, want %d", chat, n, perChat)
			}
		}
		lines := 0
		for _, m := range fake.Messages(opsChat) {
			lines += strings.Count(m.Text, "\n") + 1
		}
		if lines != chats*perChat {
			b.Errorf("the ops group got %d lines, want %d", lines, chats*perChat)
		}
		b.ReportMetric(float64(inWindow)/lastBuyer.Sub(from).Seconds(), "msgs/s")
		b.ReportMetric(float64(fake.TooMany()), "429s")
		b.ReportMetric(lastBuyer.Sub(start).Seconds(), "buyers-s")
		b.ReportMetric(drained.Seconds(), "drain-s")
		b.ReportMetric(float64(ops), "ops-msgs")
		b.ReportMetric(0, "ns/op")
	}
}

// seedSettled places perChat orders for each of chats buyers with the
// simulator and settles them, as the engine does: each queues the buyer's
// message and the ops group's line.
func seedSettled(b *testing.B, st *benchStack, firstChat int64, chats, perChat int) {
	b.Helper()
	p, ok := st.cache.Lookup("htelkomsel10000")
	if !ok {
		b.Fatal("no product htelkomsel10000 in the simulator's catalog")
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for c := range chats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chat := firstChat + int64(c)
			for k := range perChat {
				o, err := st.engine.Place(ctx, flows.PlaceRequest{ChatID: chat, UserID: chat, Token: fmt.Sprintf("t%d-%d", chat, k),
					Product: p, CustomerNumber: fmt.Sprintf("0812%04d1000", c), Price: p.Price + 1000})
				if err == nil && !o.Status.Final() {
					o, err = st.engine.Check(ctx, o.RefID)
				}
				if err != nil || o.Status != flows.StatusSuccess {
					b.Errorf("chat %d order %d: %s %v", chat, k, o.Status, err)
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkOrders: b.N orders placed with the IAK simulator by 32 buyers at
// once, with the wallet on — written ahead with the price held from the
// buyer's saldo, sent, the answer recorded — then settled by the poller's
// checks, each settlement spending the hold and queueing the buyer's
// message, the edit of the "processing" message and the ops group's line;
// bbolt with fsync. The buyers are credited beforehand through the store.
// It reports, in one run, placed/s (b.N over the placing alone), settled/s
// (b.N from the first placement to the last settlement) and their ratio.
//
//	go test -run '^$' -bench Orders -benchtime 5000x .
func BenchmarkOrders(b *testing.B) {
	const buyers = 32
	st := newBenchStackWallet(b, -1001234567890, 0, true)
	p, ok := st.cache.Lookup("htelkomsel10000")
	if !ok {
		b.Fatal("no product htelkomsel10000 in the simulator's catalog")
	}
	ctx := context.Background()
	price := p.Price + 1000
	for c := range buyers {
		chat := int64(3_000_000 + c)
		// Enough for every order: the buyers share one counter.
		if _, _, err := st.db.Credit(ctx, chat, int64(b.N)*price, fmt.Sprint("bench-", chat), 0, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chat := int64(3_000_000 + c)
			for n := next.Add(1); n <= int64(b.N); n = next.Add(1) {
				o, err := st.engine.Place(ctx, flows.PlaceRequest{ChatID: chat, UserID: chat, Token: fmt.Sprint("t", n),
					Product: p, CustomerNumber: fmt.Sprintf("0812%04d1000", n%10000), Price: price, MessageID: 7})
				if err != nil || o.Status != flows.StatusPending {
					b.Errorf("order %d: %s %v", n, o.Status, err)
				}
			}
		}()
	}
	wg.Wait()
	placed := time.Since(start)
	settled := 0
	for settled < b.N {
		stats, err := st.engine.Poll(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if stats.Checked == 0 {
			b.Fatalf("%d orders pending, none due", stats.Pending)
		}
		settled += stats.Settled
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if n := st.sim.TransactionCount(); n != b.N {
		b.Errorf("simulator holds %d transactions for %d orders", n, b.N)
	}
	if n, _ := st.db.OutboxLen(); n != 3*b.N {
		b.Errorf("outbox holds %d notifications for %d settled orders, want three each", n, b.N)
	}
	for c := range buyers {
		w, err := st.db.Wallet(ctx, int64(3_000_000+c))
		if err != nil {
			b.Fatal(err)
		}
		if w.Held != 0 {
			b.Errorf("buyer %d: Rp %d still held after every order settled", c, w.Held)
		}
	}
	b.ReportMetric(float64(b.N)/placed.Seconds(), "placed/s")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "settled/s")
	b.ReportMetric(placed.Seconds()/elapsed.Seconds(), "settled/placed")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkMemory: the heap the process holds per conversation in progress,
// with 10,000 of them. Buyers walk to the confirm screen (a session with a
// quote and a one-time token) and stay there. The bot, the conversation and
// bbolt with fsync are real; Telegram is a stub that keeps nothing per chat,
// so the figure is the bot's own: the heap after a GC with 11,000
// conversations open minus the heap with 1,000, over 10,000. It reports
// bytes/session and goroutines/session (zero: an idle chat has none).
//
//	go test -run '^$' -bench Memory -benchtime 1x .
func BenchmarkMemory(b *testing.B) {
	const base, measured = 1_000, 10_000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := newBenchStack(b, 0, -1)
		api := newStubAPI(b)
		startBenchBot(b, api.srv.URL+"/bot%s/%s", bot.Config{Handler: st.service, Offsets: st.db, Inbox: st.db, PollTimeout: 30 * time.Second,
			GlobalRate: 1e9, GlobalBurst: 1e6, ChatRate: 1e9, ChatBurst: 1e6})
		b.StartTimer()

		api.converse(b, 5_000_000, base)
		heap0, goroutines0 := liveHeap()
		api.converse(b, 5_000_000+base, measured)
		heap1, goroutines1 := liveHeap()

		b.ReportMetric(float64(int64(heap1)-int64(heap0))/measured, "bytes/session")
		b.ReportMetric(float64(goroutines1-goroutines0)/measured, "goroutines/session")
		b.ReportMetric(0, "ns/op")
	}
}

// liveHeap is the heap in use after a full GC, and the goroutines running.
func liveHeap() (uint64, int) {
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, runtime.NumGoroutine()
}

// stubAPI is a Bot API that remembers nothing per chat: it serves the
// updates the driver queues, answers every send and edit with a message id
// and tells the chat's driver what the bot sent.
type stubAPI struct {
	mu       sync.Mutex
	srv      *httptest.Server
	updates  []json.RawMessage
	nextID   int
	nextMsg  int
	changed  chan struct{}
	watchers map[int64]chan stubScreen
}

type stubScreen struct {
	msgID   int
	buttons [][]tgbotapi.InlineKeyboardButton
}

func newStubAPI(b *testing.B) *stubAPI {
	s := &stubAPI{nextID: 1, changed: make(chan struct{}), watchers: map[int64]chan stubScreen{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	b.Cleanup(s.srv.Close)
	return s
}

func (s *stubAPI) serve(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	var result any = true
	switch method {
	case "getMe":
		result = tgbotapi.User{ID: telegramtest.BotID, IsBot: true, UserName: telegramtest.BotUsername}
	case "getUpdates":
		result = s.getUpdates(r)
	case "sendMessage", "editMessageText":
		chat, _ := strconv.ParseInt(r.PostForm.Get("chat_id"), 10, 64)
		id, _ := strconv.Atoi(r.PostForm.Get("message_id"))
		var kb tgbotapi.InlineKeyboardMarkup
		if m := r.PostForm.Get("reply_markup"); m != "" {
			json.Unmarshal([]byte(m), &kb)
		}
		s.mu.Lock()
		if id == 0 {
			s.nextMsg++
			id = s.nextMsg
		}
		watcher := s.watchers[chat]
		s.mu.Unlock()
		if watcher != nil {
			select {
			case watcher <- stubScreen{msgID: id, buttons: kb.InlineKeyboard}:
			default: // nobody waits for it: the walk reports the timeout
			}
		}
		result = tgbotapi.Message{MessageID: id, Chat: &tgbotapi.Chat{ID: chat, Type: "private"}, Date: int(time.Now().Unix())}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

// getUpdates hands out what is queued, or waits for something (at most
// the poll's timeout). Handed out is forgotten: the stub never re-delivers.
func (s *stubAPI) getUpdates(r *http.Request) []json.RawMessage {
	timeout, _ := strconv.Atoi(r.PostForm.Get("timeout"))
	deadline := time.After(time.Duration(timeout) * time.Second)
	for {
		s.mu.Lock()
		if n := min(100, len(s.updates)); n > 0 {
			out := slices.Clone(s.updates[:n])
			s.updates = slices.Delete(s.updates, 0, n)
			s.mu.Unlock()
			return out
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			return []json.RawMessage{}
		case <-r.Context().Done():
			return []json.RawMessage{}
		}
	}
}

func (s *stubAPI) push(u tgbotapi.Update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u.UpdateID = s.nextID
	s.nextID++
	raw, _ := json.Marshal(u)
	s.updates = append(s.updates, raw)
	close(s.changed)
	s.changed = make(chan struct{})
}

// converse walks n buyers, chats first… first+n-1, 500 at a time, to the
// confirm screen, and forgets them: the driver keeps nothing afterwards.
func (s *stubAPI) converse(b *testing.B, first int64, n int) {
	const parallel = 500
	var wg sync.WaitGroup
	chats := make(chan int64)
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chat := range chats {
				if err := s.walk(chat); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for c := first; c < first+int64(n); c++ {
		chats <- c
	}
	close(chats)
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
}

func (s *stubAPI) walk(chat int64) error {
	screens := make(chan stubScreen, 4)
	s.mu.Lock()
	s.watchers[chat] = screens
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.watchers, chat)
		s.mu.Unlock()
	}()
	user := &tgbotapi.User{ID: chat, FirstName: "Budi", LanguageCode: "id"}
	tgChat := &tgbotapi.Chat{ID: chat, Type: "private"}
	var sc stubScreen
	await := func() error {
		select {
		case sc = <-screens:
			return nil
		case <-time.After(30 * time.Second):
			return fmt.Errorf("chat %d: no answer within 30 s", chat)
		}
	}
	say := func(text string) error {
		s.push(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: 1, From: user, Chat: tgChat, Date: int(time.Now().Unix()), Text: text}})
		return await()
	}
	tap := func(label string) error {
		for _, row := range sc.buttons {
			for _, btn := range row {
				if strings.HasPrefix(btn.Text, label) && btn.CallbackData != nil {
					s.push(tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{ID: fmt.Sprint("q", chat), From: user,
						Message: &tgbotapi.Message{MessageID: sc.msgID, Chat: tgChat}, Data: *btn.CallbackData}})
					return await()
				}
			}
		}
		return fmt.Errorf("chat %d: no button %q in %v", chat, label, sc.buttons)
	}
	if err := say("/start"); err != nil {
		return err
	}
	for _, label := range []string{"Pulsa", "Telkomsel", "Telkomsel 10.000"} {
		if err := tap(label); err != nil {
			return err
		}
	}
	if err := say(fmt.Sprintf("0812%08d", chat%100_000_000)); err != nil {
		return err
	}
	if len(sc.buttons) == 0 || !strings.HasPrefix(sc.buttons[0][0].Text, "✅") {
		return fmt.Errorf("chat %d: not on the confirm screen: %v", chat, sc.buttons)
	}
	return nil
}
