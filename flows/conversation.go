package flows

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ConversationStore is what the conversation keeps and reads.
type ConversationStore interface {
	Session(ctx context.Context, chatID int64, v any) (bool, error)
	SaveSession(ctx context.Context, chatID int64, v any) error
	Order(ctx context.Context, refID string) (Order, error)
	OrderByToken(ctx context.Context, chatID int64, token string) (Order, error)
	ChatOrders(ctx context.Context, chatID int64, limit int) ([]Order, error)
	Setting(ctx context.Context, key string) (string, bool, error)
}

// Settings keys for the runtime access lists (comma-separated user ids),
// written by the admins' /allow and /deny.
const (
	SettingAllowed = "access.allowed"
	SettingDenied  = "access.denied"
)

// Pricing is the markup added to provider prices.
type Pricing struct {
	// Markup is added to every product, in rupiah; Category overrides it.
	Markup   int64
	Category map[CategoryID]int64
}

// For returns the markup for a category.
func (p Pricing) For(c CategoryID) int64 {
	if m, ok := p.Category[c]; ok {
		return m
	}
	return p.Markup
}

// ServiceConfig wires the conversation.
type ServiceConfig struct {
	Store    ConversationStore
	Products *ProductCache
	Engine   *Engine
	// Meters, when the provider has it, names the owner of a PLN meter on
	// the confirm screen.
	Meters MeterInquirer
	// Bills, when the provider pays bills, enables "Tagihan".
	Bills BillPayer
	// Admins may do everything; Allowed may buy; with Open anyone may buy.
	Admins  []int64
	Allowed []int64
	Open    bool
	Pricing Pricing
	// SessionTTL is the idle time after which a conversation starts over
	// (default 15 min). PriceMaxAge is how old the product list may be at
	// the confirm step's price check (default 1 min).
	SessionTTL  time.Duration
	PriceMaxAge time.Duration
	// PageSize is the number of products a page (default 8).
	PageSize int
	// CatalogWait bounds how long the home menu waits for a catalog still
	// loading at start (default 3 s); after it, whatever loaded is shown.
	CatalogWait time.Duration
	// Lang is the language of a chat until it chooses one with /lang
	// (default Bahasa Indonesia).
	Lang   Lang
	Now    func() time.Time
	Logger *slog.Logger
	// Random feeds menu ids and confirm tokens; default crypto/rand.
	Random interface{ Read([]byte) (int, error) }

	// The admin commands (admin.go). Reports defaults to Store when Store
	// is one. Balance and Mutations, when the provider offers them, answer
	// /balance and /mutations; /balance warns under LowBalance (rupiah; 0
	// never warns).
	Reports    AdminStore
	Balance    BalanceChecker
	Mutations  MutationLister
	LowBalance int64
}

// Service is the purchase conversation: a table of transitions over a
// persisted session per chat. It implements Handler.
type Service struct {
	cfg ServiceConfig
	log *slog.Logger
}

var _ Handler = (*Service)(nil)

// NewService returns the conversation.
func NewService(cfg ServiceConfig) *Service {
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 15 * time.Minute
	}
	if cfg.PriceMaxAge <= 0 {
		cfg.PriceMaxAge = time.Minute
	}
	if cfg.CatalogWait <= 0 {
		cfg.CatalogWait = 3 * time.Second
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 8 {
		cfg.PageSize = 8
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Lang == "" {
		cfg.Lang = LangID
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, log: log.With("component", "conversation")}
}

// turn is one input being handled: the session, what to say, what to do
// after.
type turn struct {
	s       *Service
	in      Input
	sess    *Session
	lang    Lang
	notes   []string // lines said before the state's prompt ("wrong number")
	then    func(ctx context.Context) []Reply
	replies []Reply // replies that replace the prompt entirely
	// keepMenu redraws the current menu under its id (a stale tap's answer)
	// instead of a new one.
	keepMenu bool
}

// transition is one row of the conversation table: in state From, the event
// On runs Do, which returns the next state ("" keeps From).
type transition struct {
	From State
	On   Event
	Do   func(t *turn, ctx context.Context, arg string) (State, error)
}

// table is the purchase conversation. Cancel and the commands are handled
// before it; an input with no row gets a polite hint.
var table = []transition{
	{StateHome, EvCategory, (*turn).chooseCategory},
	{StateHome, EvRetry, (*turn).retryHome},
	{StateBrand, EvBrand, (*turn).chooseBrand},
	{StateBrand, EvBack, (*turn).backHome},
	{StateProducts, EvProduct, (*turn).chooseProduct},
	{StateProducts, EvPage, (*turn).turnPage},
	{StateProducts, EvBack, (*turn).backFromProducts},
	{StateNumber, EvText, (*turn).enterNumber},
	{StateNumber, EvBack, (*turn).backToProducts},
	{StateConfirm, EvConfirm, (*turn).confirm},
	{StateConfirm, EvBack, (*turn).backToNumber},

	// Bills: biller → customer number → (months) → inquiry → bill card → pay.
	{StateBillers, EvProduct, (*turn).chooseBiller},
	{StateBillers, EvPage, (*turn).turnPage},
	{StateBillers, EvBack, (*turn).backHome},
	{StateBillNumber, EvText, (*turn).enterBillNumber},
	{StateBillNumber, EvBack, (*turn).backToBillers},
	{StateBillMonths, EvText, (*turn).enterMonths},
	{StateBillMonths, EvBack, (*turn).backToBillNumber},
	{StateBillCard, EvConfirm, (*turn).payBill},
	{StateBillCard, EvRetry, (*turn).inquireAgain},
	{StateBillCard, EvBack, (*turn).backToBillNumber},
}

// updateIDMemory is how long a chat's last applied update id is trusted:
// Telegram keeps its update ids increasing unless the bot gets no update
// for a week (telegram.md T17).
const updateIDMemory = 6 * 24 * time.Hour

// Handle answers one input.
func (s *Service) Handle(ctx context.Context, in Input) (Output, error) {
	if !in.Private && !s.groupInput(in) {
		// The bot sells in private chats only. In a group (the ops group)
		// an admin's command or Allow tap is answered; everything else is
		// silence.
		return Output{}, nil
	}
	var sess Session
	found, err := s.cfg.Store.Session(ctx, in.ChatID, &sess)
	if err != nil {
		return s.apology(in), fmt.Errorf("conversation: chat %d: %w", in.ChatID, err)
	}
	now := s.cfg.Now()
	// A mark older than Telegram's week of silence may belong to an
	// earlier run of update ids (Telegram restarts them at random after a
	// week without updates): trusting it would mute the chat.
	if found && in.UpdateID != 0 && in.UpdateID <= sess.LastUpdate && now.Sub(sess.UpdatedAt) < updateIDMemory {
		s.log.Info("update applied before; ignoring", "chat_id", in.ChatID, "update_id", in.UpdateID)
		return Output{}, nil
	}
	if !found || now.Sub(sess.UpdatedAt) > s.cfg.SessionTTL {
		sess = Session{State: StateHome, Lang: sess.Lang}
	}
	if sess.Lang == "" {
		sess.Lang = s.cfg.Lang
	}
	t := &turn{s: s, in: in, sess: &sess, lang: sess.Lang}

	allowed, err := s.allowed(ctx, in.UserID)
	if err != nil {
		return s.apology(in), fmt.Errorf("conversation: access of %d: %w", in.UserID, err)
	}
	var out Output
	if !allowed {
		out = Output{Replies: []Reply{{Text: text(t.lang, "not_allowed", in.UserID)}}}
		t.requestAccess(ctx)
	} else {
		out, err = t.run(ctx)
		if err != nil {
			s.log.Error("handling input", "chat_id", in.ChatID, "state", string(sess.State), "err", err)
			out = s.apology(in)
		}
	}
	if in.UpdateID != 0 {
		// Accepted, so newer than the mark, or the mark was stale: either
		// way this is the chat's last applied update now.
		sess.LastUpdate = in.UpdateID
	}
	sess.UpdatedAt = now
	if err := s.cfg.Store.SaveSession(ctx, in.ChatID, &sess); err != nil {
		return s.apology(in), fmt.Errorf("conversation: save session %d: %w", in.ChatID, err)
	}
	return out, nil
}

func (s *Service) apology(in Input) Output {
	return Output{Replies: []Reply{{Text: text(LangID, "error")}}}
}

// allowed says whether a user may buy: admins and allowed users (plus
// runtime additions, minus runtime removals), or anyone when open.
func (s *Service) allowed(ctx context.Context, user int64) (bool, error) {
	if slices.Contains(s.cfg.Admins, user) {
		return true, nil
	}
	denied, err := s.listSetting(ctx, SettingDenied)
	if err != nil {
		return false, err
	}
	if slices.Contains(denied, user) {
		return false, nil
	}
	if s.cfg.Open || slices.Contains(s.cfg.Allowed, user) {
		return true, nil
	}
	added, err := s.listSetting(ctx, SettingAllowed)
	if err != nil {
		return false, err
	}
	return slices.Contains(added, user), nil
}

func (s *Service) listSetting(ctx context.Context, key string) ([]int64, error) {
	v, ok, err := s.cfg.Store.Setting(ctx, key)
	if err != nil || !ok {
		return nil, err
	}
	var ids []int64
	for _, f := range strings.Split(v, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// run applies the input to the session and renders the answer.
func (t *turn) run(ctx context.Context) (Output, error) {
	in := t.in
	switch in.Kind {
	case InputCommand:
		return t.command(ctx)
	case InputButton:
		if Event(in.Button.Action) == EvAllow {
			return t.allowTap(ctx)
		}
		if Event(in.Button.Action) == EvConfirm {
			// A Confirm whose token already made an order — a double tap, a
			// re-sent callback — shows that order, whatever menu is current.
			if o, err := t.s.cfg.Store.OrderByToken(ctx, in.ChatID, in.Button.Arg); err == nil {
				return t.say(text(t.lang, "already_ordered", o.RefID, statusText(t.lang, o.Status))), nil
			} else if !errors.Is(err, ErrNotFound) {
				return Output{}, err
			}
		}
		if in.Button.Menu == "" || in.Button.Menu != t.sess.MenuID {
			return t.stale(ctx)
		}
		if Event(in.Button.Action) == EvCancel {
			return t.cancel()
		}
	}
	ev := EvText
	arg := in.Text
	if in.Kind == InputButton {
		ev, arg = Event(in.Button.Action), in.Button.Arg
	}
	for _, row := range table {
		if row.From != t.sess.State || row.On != ev {
			continue
		}
		next, err := row.Do(t, ctx, arg)
		if err != nil {
			return Output{}, err
		}
		if next != "" {
			t.sess.State = next
		}
		return t.render(ctx)
	}
	// No row: text where a button is expected, or a button of a state the
	// menu no longer shows.
	t.notes = append(t.notes, text(t.lang, "use_buttons"))
	return t.render(ctx)
}

// command handles the slash commands, which work in any state.
func (t *turn) command(ctx context.Context) (Output, error) {
	// Admin commands exist for admins alone: for anyone else they fall
	// through to the unknown-command answer below, word for word.
	if out, ok, err := t.admin(ctx); ok {
		return out, err
	}
	if !t.in.Private {
		// Only admins get here: the purchase commands need a private chat.
		return t.say(text(t.lang, "admin_group_commands")), nil
	}
	switch t.in.Command {
	case "start":
		*t.sess = Session{State: StateHome, Lang: t.sess.Lang, LastUpdate: t.sess.LastUpdate}
		return t.render(ctx)
	case "cancel":
		return t.cancel()
	case "help":
		return t.say(text(t.lang, "help")), nil
	case "history":
		return t.history(ctx)
	case "status":
		return t.status(ctx)
	case "lang":
		return t.setLang(), nil
	}
	return t.say(text(t.lang, "unknown_command")), nil
}

// setLang is /lang en|id: the chat's language, kept with its session (and
// through its expiry), used for every text it gets from now on, the
// settlement messages of its new orders included.
func (t *turn) setLang() Output {
	switch l := Lang(strings.ToLower(strings.TrimSpace(t.in.Args))); l {
	case LangEN, LangID:
		t.sess.Lang, t.lang = l, l
		return t.say(text(l, "lang_set"))
	}
	return t.say(text(t.lang, "lang_usage"))
}

func (t *turn) cancel() (Output, error) {
	*t.sess = Session{State: StateHome, Lang: t.sess.Lang, LastUpdate: t.sess.LastUpdate}
	r := Reply{Text: text(t.lang, "cancelled"), Edit: t.in.Kind == InputButton}
	return Output{Replies: []Reply{r}}, nil
}

// stale answers a tap on a menu that is no longer current: a note and the
// current menu again, as a new message. The session is left as it was, so
// the menu on display — a confirm screen included — still works.
func (t *turn) stale(ctx context.Context) (Output, error) {
	t.notes = append(t.notes, text(t.lang, "menu_expired"))
	t.in.Kind = InputText // a new message: the stale one stays as it was
	t.keepMenu = t.sess.MenuID != ""
	return t.render(ctx)
}

// say is a plain message that leaves the conversation where it is.
func (t *turn) say(msg string) Output {
	return Output{Replies: []Reply{{Text: msg}}}
}

func (t *turn) history(ctx context.Context) (Output, error) {
	orders, err := t.s.cfg.Store.ChatOrders(ctx, t.in.ChatID, 10)
	if err != nil {
		return Output{}, err
	}
	if len(orders) == 0 {
		return t.say(text(t.lang, "history_empty")), nil
	}
	lines := []string{text(t.lang, "history_title")}
	for _, o := range orders {
		lines = append(lines, fmt.Sprintf("%s %s %s · %s · %s\n<code>%s</code>", statusIcon(o.Status),
			shortTime(o.CreatedAt), html.EscapeString(o.ProductName),
			html.EscapeString(o.CustomerNumber), FormatRupiah(o.Price), o.RefID))
	}
	return t.say(strings.Join(lines, "\n")), nil
}

func (t *turn) status(ctx context.Context) (Output, error) {
	ref := strings.ToUpper(strings.TrimSpace(t.in.Args))
	if ref == "" {
		return t.say(text(t.lang, "status_usage")), nil
	}
	notFound := t.say(text(t.lang, "status_not_found", html.EscapeString(shorten(ref, 24))))
	if !ValidRefID(ref) {
		return notFound, nil
	}
	o, err := t.s.cfg.Store.Order(ctx, ref)
	if errors.Is(err, ErrNotFound) {
		return notFound, nil
	}
	if err != nil {
		return Output{}, err
	}
	// Another chat's order is not found, to everyone but admins.
	if o.ChatID != t.in.ChatID && !slices.Contains(t.s.cfg.Admins, t.in.UserID) {
		return notFound, nil
	}
	if o.Status.Final() {
		return t.say(buyerSettledText(&o)), nil
	}
	return t.say(text(t.lang, "processing", o.RefID, html.EscapeString(o.ProductName),
		html.EscapeString(o.CustomerNumber), FormatRupiah(o.Price))), nil
}

func statusIcon(s Status) string {
	switch s {
	case StatusSuccess:
		return "✅"
	case StatusFailed:
		return "❌"
	}
	return "⏳"
}

func statusText(lang Lang, s Status) string { return text(lang, Msg("status_"+string(s))) }

// --- transitions -----------------------------------------------------------

func (t *turn) chooseCategory(ctx context.Context, arg string) (State, error) {
	c := CategoryID(arg)
	if _, ok := LookupCategory(c); !ok || !t.s.sells(c) {
		t.notes = append(t.notes, text(t.lang, "use_buttons"))
		return StateHome, nil
	}
	if c == CategoryBill {
		t.sess.Category, t.sess.Page = c, 0
		return StateBillers, nil
	}
	t.sess.Category, t.sess.Brand, t.sess.Page = c, "", 0
	brands := t.s.brands(c)
	switch len(brands) {
	case 0:
		t.notes = append(t.notes, text(t.lang, "no_products", html.EscapeString(categoryNameIn(t.lang, c))))
		return StateHome, nil
	case 1:
		t.sess.Brand = brands[0]
		return StateProducts, nil
	}
	return StateBrand, nil
}

// retryHome draws the home menu again: the categories whose products have
// loaded since.
func (t *turn) retryHome(ctx context.Context, _ string) (State, error) { return StateHome, nil }

func (t *turn) chooseBrand(ctx context.Context, arg string) (State, error) {
	for _, b := range t.s.brands(t.sess.Category) {
		if buttonArg(b) == arg {
			t.sess.Brand, t.sess.Page = b, 0
			return StateProducts, nil
		}
	}
	t.notes = append(t.notes, text(t.lang, "use_buttons"))
	return "", nil
}

func (t *turn) backHome(ctx context.Context, _ string) (State, error) {
	t.sess.Category, t.sess.Brand = "", ""
	return StateHome, nil
}

func (t *turn) turnPage(ctx context.Context, arg string) (State, error) {
	if p, err := strconv.Atoi(arg); err == nil && p >= 0 {
		t.sess.Page = p
	}
	return "", nil
}

func (t *turn) backFromProducts(ctx context.Context, _ string) (State, error) {
	t.sess.Page = 0
	if len(t.s.brands(t.sess.Category)) > 1 {
		t.sess.Brand = ""
		return StateBrand, nil
	}
	return t.backHome(ctx, "")
}

func (t *turn) chooseProduct(ctx context.Context, arg string) (State, error) {
	for _, p := range t.s.products(t.sess.Category, t.sess.Brand) {
		if buttonArg(p.Code) == arg {
			t.sess.Product, t.sess.Number, t.sess.Name = p.Code, "", ""
			return StateNumber, nil
		}
	}
	// Gone from the list since the page was drawn.
	t.notes = append(t.notes, text(t.lang, "unavailable_now", text(t.lang, "btn_back")))
	return "", nil
}

func (t *turn) backToProducts(ctx context.Context, _ string) (State, error) {
	t.sess.Product, t.sess.Number, t.sess.Name = "", "", ""
	return StateProducts, nil
}

func (t *turn) backToNumber(ctx context.Context, _ string) (State, error) {
	t.sess.Number, t.sess.Name, t.sess.Token, t.sess.Quote = "", "", "", 0
	return StateNumber, nil
}

func (t *turn) enterNumber(ctx context.Context, typed string) (State, error) {
	p, ok := t.s.cfg.Products.Lookup(t.sess.Product)
	if !ok || !p.Available {
		t.notes = append(t.notes, text(t.lang, "unavailable_now", html.EscapeString(t.sess.Product)))
		return StateProducts, nil
	}
	n, err := NormaliseNumber(p, typed)
	var ne NumberError
	if errors.As(err, &ne) {
		t.notes = append(t.notes, t.numberProblem(p, ne))
		return "", nil
	}
	if err != nil {
		return "", err
	}
	t.sess.Number, t.sess.Name = n, ""
	if p.Number == NumberPLNMeter && t.s.cfg.Meters != nil {
		m, err := t.s.cfg.Meters.InquireMeter(ctx, n)
		switch {
		case err == nil:
			t.sess.Name = m.Name
			if m.SegmentPower != "" {
				t.sess.Name += " · " + SegmentPower(m.SegmentPower)
			}
		case KindOf(err) == KindRejected:
			t.notes = append(t.notes, text(t.lang, "meter_unknown"))
			t.sess.Number = ""
			return "", nil
		default:
			// The name is a courtesy: an inquiry that times out must not
			// block the purchase.
			t.s.log.Warn("meter inquiry failed; going on without the name", "chat_id", t.in.ChatID, "err", err)
			t.sess.Name = text(t.lang, "name_unknown")
		}
	}
	if err := t.quote(p); err != nil {
		return "", err
	}
	return StateConfirm, nil
}

// quote sets the confirm screen's price and a fresh one-time token.
func (t *turn) quote(p Product) error {
	token, err := randomID(t.s.cfg.Random, 12)
	if err != nil {
		return err
	}
	t.sess.Quote, t.sess.Token = t.s.price(p), token
	return nil
}

func (t *turn) confirm(ctx context.Context, token string) (State, error) {
	if token == "" || token != t.sess.Token {
		return t.restartState(text(t.lang, "menu_expired"))
	}
	current, err := t.s.cfg.Products.Current(ctx, t.sess.Product, t.s.cfg.PriceMaxAge)
	if err != nil {
		t.s.log.Warn("price check failed at confirmation", "chat_id", t.in.ChatID, "product_code", t.sess.Product, "err", err)
		t.notes = append(t.notes, text(t.lang, "price_unknown"))
		return "", nil
	}
	if !current.Available {
		t.notes = append(t.notes, text(t.lang, "unavailable_now", html.EscapeString(t.productName())))
		t.sess.Product, t.sess.Token, t.sess.Quote = "", "", 0
		return StateProducts, nil
	}
	if current.Name == "" {
		// A price endpoint may quote the price alone.
		if cached, ok := t.s.cfg.Products.Lookup(current.Code); ok {
			current.Name, current.Category, current.Brand, current.Kind = cached.Name, cached.Category, cached.Brand, cached.Kind
		}
	}
	if current.Category == "" {
		current.Category = t.sess.Category
	}
	if current.Type == "" {
		// Mesin R1's price answer names no type; the list does, and the
		// order keeps it (what a success must deliver).
		if cached, ok := t.s.cfg.Products.Lookup(current.Code); ok {
			current.Type = cached.Type
		}
	}
	price := t.s.price(current)
	if price > t.sess.Quote {
		old := t.sess.Quote
		if err := t.quote(current); err != nil {
			return "", err
		}
		t.notes = append(t.notes, text(t.lang, "price_rose", FormatRupiah(old), FormatRupiah(price)))
		return "", nil
	}
	req := PlaceRequest{
		ChatID:         t.in.ChatID,
		UserID:         t.in.UserID,
		Token:          token,
		Lang:           string(t.lang),
		Product:        current,
		CustomerNumber: t.sess.Number,
		CustomerName:   t.sess.Name,
		Price:          price, // a price that fell is passed on
		MessageID:      t.in.MessageID,
	}
	o, created, err := t.s.cfg.Engine.Create(ctx, req)
	if err != nil {
		return "", err
	}
	processing := Reply{Edit: true, Text: text(t.lang, "processing", o.RefID, html.EscapeString(o.ProductName),
		html.EscapeString(o.CustomerNumber), FormatRupiah(o.Price))}
	t.replies = []Reply{processing}
	if created {
		engine, ref, log := t.s.cfg.Engine, o.RefID, t.s.log
		t.then = func(ctx context.Context) []Reply {
			if _, err := engine.Send(ctx, ref); err != nil {
				// The order is written: the poller resumes it.
				log.Error("sending order; the poller will resume it", "ref_id", ref, "err", err)
			}
			return nil
		}
	}
	*t.sess = Session{State: StateHome, Lang: t.sess.Lang, LastUpdate: t.sess.LastUpdate}
	return StateHome, nil
}

// restartState is restart from inside a transition.
func (t *turn) restartState(note string) (State, error) {
	*t.sess = Session{State: StateHome, Lang: t.sess.Lang, LastUpdate: t.sess.LastUpdate}
	t.notes = append(t.notes, note)
	t.in.Kind = InputText
	return StateHome, nil
}

func (t *turn) numberProblem(p Product, ne NumberError) string {
	switch ne {
	case NumberWrongOperator:
		return text(t.lang, "wrong_operator", html.EscapeString(p.Brand))
	case NumberBadGameID:
		return text(t.lang, "bad_game_id", html.EscapeString(p.NumberFormat), gameExample(p.NumberFormat))
	}
	return text(t.lang, Msg(ne))
}

// --- rendering -------------------------------------------------------------

// render draws the current state's prompt as the answer: an edit of the
// tapped menu, or a new message for typed input and commands.
func (t *turn) render(ctx context.Context) (Output, error) {
	out := Output{Then: t.then}
	if t.replies != nil {
		out.Replies = t.replies
		return out, nil
	}
	menu := t.sess.MenuID
	if !t.keepMenu {
		var err error
		if menu, err = randomID(t.s.cfg.Random, 6); err != nil {
			return Output{}, err
		}
		t.sess.MenuID = menu
	}
	if t.sess.State == StateHome {
		t.s.cfg.Products.AwaitLoading(ctx, t.s.cfg.CatalogWait)
	}
	r := t.prompt(menu)
	if len(t.notes) > 0 {
		r.Text = strings.Join(t.notes, "\n") + "\n\n" + r.Text
	}
	r.Edit = t.in.Kind == InputButton
	out.Replies = []Reply{r}
	return out, nil
}

func (t *turn) button(label string, menu string, ev Event, arg string) Button {
	return Button{Label: label, Data: ButtonData{Menu: menu, Action: string(ev), Arg: arg}}
}

func (t *turn) prompt(menu string) Reply {
	s := t.s
	switch t.sess.State {
	case StateBillers, StateBillNumber, StateBillMonths, StateBillCard:
		return t.billPrompt(menu)
	case StateBrand:
		var rows [][]Button
		for _, b := range s.brands(t.sess.Category) {
			rows = append(rows, []Button{t.button(b, menu, EvBrand, buttonArg(b))})
		}
		rows = pairUp(rows)
		rows = append(rows, []Button{t.button(text(t.lang, "btn_back"), menu, EvBack, ""), t.button(text(t.lang, "btn_cancel"), menu, EvCancel, "")})
		return Reply{Text: text(t.lang, "choose_brand", html.EscapeString(categoryNameIn(t.lang, t.sess.Category))), Buttons: rows}
	case StateProducts:
		products := s.products(t.sess.Category, t.sess.Brand)
		pages := max(1, (len(products)+s.cfg.PageSize-1)/s.cfg.PageSize)
		page := min(t.sess.Page, pages-1)
		t.sess.Page = page
		var rows [][]Button
		for _, p := range products[min(page*s.cfg.PageSize, len(products)):min((page+1)*s.cfg.PageSize, len(products))] {
			label := p.Name + " · " + FormatRupiah(s.price(p))
			rows = append(rows, []Button{t.button(label, menu, EvProduct, buttonArg(p.Code))})
		}
		var nav []Button
		if page > 0 {
			nav = append(nav, t.button(text(t.lang, "btn_prev"), menu, EvPage, strconv.Itoa(page-1)))
		}
		if page < pages-1 {
			nav = append(nav, t.button(text(t.lang, "btn_next"), menu, EvPage, strconv.Itoa(page+1)))
		}
		if nav != nil {
			rows = append(rows, nav)
		}
		rows = append(rows, []Button{t.button(text(t.lang, "btn_back"), menu, EvBack, ""), t.button(text(t.lang, "btn_cancel"), menu, EvCancel, "")})
		title := categoryNameIn(t.lang, t.sess.Category)
		if t.sess.Brand != "" {
			title += " · " + t.sess.Brand
		}
		return Reply{Text: text(t.lang, "choose_product", html.EscapeString(title), page+1, pages), Buttons: rows}
	case StateNumber:
		p, _ := s.cfg.Products.Lookup(t.sess.Product)
		return Reply{
			Text:       text(t.lang, "ask_number", html.EscapeString(p.Name), FormatRupiah(s.price(p)), t.numberHint(p)),
			Buttons:    [][]Button{{t.button(text(t.lang, "btn_back"), menu, EvBack, ""), t.button(text(t.lang, "btn_cancel"), menu, EvCancel, "")}},
			AwaitsText: true,
		}
	case StateConfirm:
		name := ""
		if t.sess.Name != "" {
			name = text(t.lang, "confirm_name", html.EscapeString(t.sess.Name))
		}
		return Reply{
			Text: text(t.lang, "confirm", html.EscapeString(t.productName()), html.EscapeString(t.sess.Number), name, FormatRupiah(t.sess.Quote)),
			Buttons: [][]Button{
				{t.button(text(t.lang, "btn_confirm"), menu, EvConfirm, t.sess.Token), t.button(text(t.lang, "btn_cancel"), menu, EvCancel, "")},
				{t.button(text(t.lang, "btn_change_number"), menu, EvBack, "")},
			},
		}
	}
	// Home.
	var rows [][]Button
	for _, c := range Categories {
		if s.sells(c.ID) && (len(s.brands(c.ID)) > 0 || c.ID == CategoryBill && len(s.billers()) > 0) {
			rows = append(rows, []Button{t.button(categoryNameIn(t.lang, c.ID), menu, EvCategory, string(c.ID))})
		}
	}
	name := html.EscapeString(firstName(t.lang, t.in.FirstName))
	if len(rows) == 0 {
		// No products to offer (the provider down since the start, say): a
		// question without buttons would be a dead end.
		return Reply{Text: text(t.lang, "catalog_empty", name),
			Buttons: [][]Button{{t.button(text(t.lang, "btn_retry"), menu, EvRetry, "")}}}
	}
	return Reply{Text: text(t.lang, "welcome", name), Buttons: pairUp(rows)}
}

func (t *turn) productName() string {
	if p, ok := t.s.cfg.Products.Lookup(t.sess.Product); ok {
		return p.Name
	}
	return t.sess.Product
}

func (t *turn) numberHint(p Product) string {
	switch p.Number {
	case NumberPhone:
		return text(t.lang, "hint_phone")
	case NumberPLNMeter:
		return text(t.lang, "hint_meter")
	case NumberGameID:
		return text(t.lang, "hint_game", html.EscapeString(p.NumberFormat), gameExample(p.NumberFormat))
	}
	return text(t.lang, "hint_any")
}

// gameExample shows a game id format filled in: "{userid}|{zoneid}" →
// "12345678|1234".
func gameExample(format string) string {
	if format == "" {
		return "12345678"
	}
	parts := strings.Split(format, "|")
	for i, p := range parts {
		switch strings.Trim(p, "{}") {
		case "zoneid", "serverid":
			parts[i] = "1234"
		case "rolename":
			parts[i] = "NamaKarakter"
		case "tag":
			parts[i] = "ABC"
		default:
			parts[i] = "12345678"
		}
	}
	return html.EscapeString(strings.Join(parts, "|"))
}

func firstName(lang Lang, n string) string {
	n = strings.TrimSpace(n)
	if n == "" {
		return text(lang, "default_name")
	}
	if utf8.RuneCountInString(n) > 32 {
		n = string([]rune(n)[:32])
	}
	return n
}

// categoryName is a category's name in Bahasa Indonesia, for admins' lists.
func categoryName(c CategoryID) string { return categoryNameIn(LangID, c) }

// categoryNameIn is a category's name in lang.
func categoryNameIn(lang Lang, c CategoryID) string {
	if _, ok := LookupCategory(c); ok {
		return text(lang, Msg("cat_"+string(c)))
	}
	return string(c)
}

// pairUp lays single-button rows out two to a row.
func pairUp(rows [][]Button) [][]Button {
	var out [][]Button
	for i := 0; i < len(rows); i += 2 {
		if i+1 < len(rows) {
			out = append(out, []Button{rows[i][0], rows[i+1][0]})
		} else {
			out = append(out, rows[i])
		}
	}
	return out
}

// --- catalog views ---------------------------------------------------------

// sells reports whether the conversation has a flow for a category: bills
// ("Tagihan") need a provider that pays them.
func (s *Service) sells(c CategoryID) bool { return c != CategoryBill || s.cfg.Bills != nil }

// price is what a buyer pays for p: the provider's price plus the markup.
func (s *Service) price(p Product) int64 { return p.Price + s.cfg.Pricing.For(p.Category) }

// products lists a category's available prepaid products of one brand (or
// all brands), cheapest first.
func (s *Service) products(c CategoryID, brand string) []Product {
	var out []Product
	for _, p := range s.cfg.Products.Products() {
		if p.Category == c && p.Available && p.Kind == Prepaid && (brand == "" || p.Brand == brand) {
			out = append(out, p)
		}
	}
	return out
}

// brands lists a category's brands that have an available product, in
// alphabetical order.
func (s *Service) brands(c CategoryID) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range s.products(c, "") {
		if !seen[p.Brand] {
			seen[p.Brand] = true
			out = append(out, p.Brand)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}
