package flows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
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

// ServiceConfig wires the conversation.
type ServiceConfig struct {
	Store    ConversationStore
	Products *ProductCache
	Engine   *Engine
	// Meters, when the provider has it, names the owner of a PLN meter on
	// the confirm screen.
	Meters MeterInquirer
	// Games, when the provider has it, names the account of a game id on
	// the confirm screen.
	Games GameInquirer
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
	// Fits reports whether a text makes one message of the transport
	// (bot.Fits: Telegram's 4096 UTF-16 units). The admin commands' long
	// lists are paged by it; unset, a list is one reply and the transport
	// splits it wherever it must.
	Fits func(text string) bool

	// The admin commands (admin.go). Reports defaults to Store when Store
	// is one. Balance and Mutations, when the provider offers them, answer
	// /balance and /mutations; /balance warns under LowBalance (rupiah; 0
	// never warns).
	Reports AdminStore
	Balance BalanceChecker
	// Balances, with several providers, are each one's deposit: /balance
	// shows them one a line (Balance is then their sum, for /stats).
	Balances   []NamedBalance
	Mutations  MutationLister
	LowBalance int64

	// Wallet is [wallet]. Ledger answers /saldo and the admins'
	// adjustments, Deposits keeps /deposit's deposits; both are the store
	// in the binary. Without Ledger the wallet commands say the wallet is
	// unavailable.
	Wallet   WalletConfig
	Ledger   WalletStore
	Deposits DepositStore
	// Gateway, when set, offers QRIS deposits beside transfers (issue
	// 12); GatewayTimeout bounds each of its calls (default 20 s).
	Gateway        PaymentGateway
	GatewayTimeout time.Duration
}

// Service is the purchase conversation: a table of transitions over a
// persisted session per chat. It implements Handler.
type Service struct {
	cfg ServiceConfig
	log *slog.Logger
	// staleLevels remembers the stored price levels found missing from
	// the configuration and logged: once each is enough.
	staleLevels sync.Map
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
	// asNew answers with a new message even for a tap, which otherwise
	// edits the menu tapped: the old menu stays as it was (a stale tap, a
	// confirm that expired).
	asNew bool
	// keepMenu redraws the current menu under its id (a stale tap's answer)
	// instead of a new one.
	keepMenu bool
	// pricing is the markups of the buyer's price level, read as the turn
	// starts: the menus and the confirm screen price at it.
	pricing Pricing
	// recent are the buyer's last orders, the home menu's shortcuts, read
	// when the home menu is drawn.
	recent []Order
}

// transition is one row of the conversation table: in state From, the event
// On runs Do and moves to To. Do may name another state for the exceptions
// it finds (a wrong number stays, a product gone goes back); "" takes To. A
// row without Do only moves.
type transition struct {
	From State
	On   Event
	To   State
	Do   func(t *turn, ctx context.Context, arg string) (State, error)
}

// table is the conversation. Cancel, stale taps and the commands are handled
// before it; an input with no row gets a polite hint and the prompt again.
var table = []transition{
	// A purchase: category → brand → product → number → confirm.
	{StateHome, EvCategory, StateBrand, (*turn).chooseCategory}, // or products (one brand), billers (Tagihan)
	{StateHome, EvRetry, StateHome, nil},                        // the categories loaded since
	{StateHome, EvText, StateHome, (*turn).typedAtHome},         // a number, a code, a word (quickbuy.go)
	{StateQuick, EvProduct, StateConfirm, (*turn).chooseQuickProduct},
	{StateQuick, EvCategory, StateQuick, (*turn).switchQuick},
	{StateQuick, EvPage, StateQuick, (*turn).turnPage},
	{StateQuick, EvBack, StateHome, (*turn).backFromQuick},
	// A number, a code or a word typed on a menu of buttons starts afresh.
	{StateQuick, EvText, StateHome, (*turn).typedWhileBrowsing},
	{StateBrand, EvText, StateHome, (*turn).typedWhileBrowsing},
	{StateProducts, EvText, StateHome, (*turn).typedWhileBrowsing},
	{StateBillers, EvText, StateHome, (*turn).typedWhileBrowsing},
	{StateBrand, EvBrand, StateProducts, (*turn).chooseBrand},
	{StateBrand, EvBack, StateHome, (*turn).backHome},
	{StateProducts, EvProduct, StateNumber, (*turn).chooseProduct},
	{StateProducts, EvPage, StateProducts, (*turn).turnPage},
	{StateProducts, EvBack, StateBrand, (*turn).backFromProducts}, // or home (one brand)
	{StateNumber, EvText, StateConfirm, (*turn).enterNumber},      // or a game id's next part
	{StateNumber, EvBack, StateProducts, (*turn).backToProducts},
	{StateGameField, EvText, StateConfirm, (*turn).enterGamePart}, // or its next part
	{StateGameField, EvBack, StateNumber, (*turn).backToNumber},   // to the id's first part
	{StateConfirm, EvConfirm, StateHome, (*turn).confirm},         // the order is placed
	{StateConfirm, EvBack, StateNumber, (*turn).backToNumber},

	// A bill: biller → customer number → (months) → inquiry → bill card → pay.
	{StateBillers, EvProduct, StateBillNumber, (*turn).chooseBiller},
	{StateBillers, EvPage, StateBillers, (*turn).turnPage},
	{StateBillers, EvBack, StateHome, (*turn).backHome},
	{StateBillNumber, EvText, StateBillCard, (*turn).enterBillNumber}, // or months (BPJS)
	{StateBillNumber, EvBack, StateBillers, (*turn).backToBillers},
	{StateBillMonths, EvText, StateBillCard, (*turn).enterMonths},
	{StateBillMonths, EvBack, StateBillNumber, (*turn).backToBillNumber},
	{StateBillCard, EvConfirm, StateHome, (*turn).payBill}, // the payment is placed
	{StateBillCard, EvRetry, StateBillCard, (*turn).inquireAgain},
	{StateBillCard, EvBack, StateBillNumber, (*turn).backToBillNumber},

	// The saldo is short of the price (the wallet): back to the confirm
	// screen or the bill card, its token still unused.
	{StateNoSaldo, EvBack, StateConfirm, (*turn).backFromNoSaldo}, // or the bill card
	{StateNoSaldo, EvDeposit, StateDepositAmount, (*turn).openDeposit},

	// A deposit (depositflow.go): an amount, tapped or typed, makes the
	// deposit; its own buttons (no menu) take it on from there.
	{StateDepositAmount, EvDepositAmount, StateHome, (*turn).chooseDepositAmount},
	{StateDepositAmount, EvText, StateHome, (*turn).typeDepositAmount},
	{StateDepositAmount, EvBack, StateHome, (*turn).backFromDeposit}, // or the short-saldo screen, or the method screen
	// With a payment gateway (qris.go), the method comes first.
	{StateDepositMethod, EvDepositMethod, StateDepositAmount, (*turn).chooseDepositMethod},
	{StateDepositMethod, EvBack, StateHome, (*turn).backFromDeposit}, // or the short-saldo screen

	// /harga (pricelist.go): categories → a category's prices, paged;
	// they only show; 🛒 Beli and 🏠 Menu go on to buying.
	{StatePriceCats, EvCategory, StatePriceList, (*turn).choosePriceCategory},
	{StatePriceCats, EvMenu, StateHome, (*turn).goHome},
	{StatePriceList, EvPage, StatePriceList, (*turn).turnPage},
	{StatePriceList, EvBack, StatePriceCats, (*turn).backToPriceCats},
	{StatePriceList, EvMenu, StateHome, (*turn).goHome},
	{StatePriceList, EvCategory, StateBrand, (*turn).buyFromPriceList}, // or products (one brand)
}

// prompts draws each state's screen: its text and its menu, under the menu
// id given. A state without one (none today) shows the home menu.
var prompts = map[State]func(t *turn, menu string) Reply{
	StateHome:       (*turn).homePrompt,
	StateBrand:      (*turn).brandPrompt,
	StateProducts:   (*turn).productsPrompt,
	StateNumber:     (*turn).numberPrompt,
	StateConfirm:    (*turn).confirmPrompt,
	StateQuick:      (*turn).quickPrompt,
	StateGameField:  (*turn).gamePartPrompt,
	StateBillers:    (*turn).billersPrompt,
	StateBillNumber: (*turn).billNumberPrompt,
	StateBillMonths: (*turn).monthsPrompt,
	StateBillCard:   (*turn).billCardPrompt,
	StateNoSaldo:    (*turn).noSaldoPrompt,

	StateDepositAmount: (*turn).depositAmountPrompt,
	StateDepositMethod: (*turn).depositMethodPrompt,

	StatePriceCats: (*turn).priceCatsPrompt,
	StatePriceList: (*turn).priceListPrompt,
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
	} else if t.pricing, err = s.userPricing(ctx, in.UserID); err != nil {
		s.log.Error("handling input", "chat_id", in.ChatID, "state", string(sess.State), "err", err)
		out = s.apology(in)
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
		if slices.Contains(depositTapEvents, Event(in.Button.Action)) {
			return t.depositTap(ctx)
		}
		switch ev := Event(in.Button.Action); {
		case ev == EvAgain:
			return t.again(ctx, in.Button.Arg)
		case ev == EvMenu && in.Button.Menu == "":
			// A receipt's 🏠 Menu; a menu's own (the price list's) is a row
			// of the table.
			return t.menuTap(ctx)
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
	row, ok := lookup(t.sess.State, ev)
	if !ok {
		// Text where a button is expected, or a button of a state the menu
		// no longer shows.
		t.notes = append(t.notes, text(t.lang, "use_buttons"))
		return t.render(ctx)
	}
	next := row.To
	if row.Do != nil {
		to, err := row.Do(t, ctx, arg)
		if err != nil {
			return Output{}, err
		}
		if to != "" {
			next = to
		}
	}
	t.sess.State = next
	return t.render(ctx)
}

// lookup finds the table's row for an event in a state.
func lookup(from State, on Event) (transition, bool) {
	for _, row := range table {
		if row.From == from && row.On == on {
			return row, true
		}
	}
	return transition{}, false
}

// cancel goes back to the start; a tapped menu becomes the answer.
func (t *turn) cancel() (Output, error) {
	t.restart()
	r := Reply{Text: text(t.lang, "cancelled"), Edit: t.in.Kind == InputButton}
	return Output{Replies: []Reply{r}}, nil
}

// stale answers a tap on a menu that is no longer current: a note and the
// current menu again, as a new message. The session is left as it was, so
// the menu on display — a confirm screen included — still works.
func (t *turn) stale(ctx context.Context) (Output, error) {
	t.notes = append(t.notes, text(t.lang, "menu_expired"))
	t.asNew = true
	t.keepMenu = t.sess.MenuID != ""
	return t.render(ctx)
}

// say is a plain message that leaves the conversation where it is.
func (t *turn) say(msg string) Output {
	return Output{Replies: []Reply{{Text: msg}}}
}

// restart puts the chat back at the start, keeping its language and its
// last update.
func (t *turn) restart() {
	*t.sess = Session{State: StateHome, Lang: t.sess.Lang, LastUpdate: t.sess.LastUpdate}
}

// restartState is restart from inside a transition, with a note, as a new
// message under the menu that is no longer valid.
func (t *turn) restartState(note string) (State, error) {
	t.restart()
	t.notes = append(t.notes, note)
	t.asNew = true
	return StateHome, nil
}

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
		t.recent = t.recentOrders(ctx)
	}
	prompt, ok := prompts[t.sess.State]
	if !ok {
		prompt = (*turn).homePrompt
	}
	r := prompt(t, menu)
	if len(t.notes) > 0 {
		r.Text = strings.Join(t.notes, "\n") + "\n\n" + r.Text
	}
	r.Edit = t.in.Kind == InputButton && !t.asNew
	out.Replies = []Reply{r}
	return out, nil
}
