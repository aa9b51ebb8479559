package flows

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestCommandMenu: the menu is the command table — every command of the
// audience, in its order, described by its /help line in each language —
// within Telegram's limits, /deposit only with deposits on.
func TestCommandMenu(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	for _, wallet := range []bool{false, true} {
		cfg := ServiceConfig{}
		cfg.Wallet.Enabled = wallet
		if wallet {
			cfg.Deposits = noDeposits{}
		}
		s := &Service{cfg: cfg}
		for _, lang := range []Lang{LangID, LangEN} {
			for _, admin := range []bool{false, true} {
				menu := s.CommandMenu(admin, lang)
				var want []string
				for _, c := range commands {
					if (c.Who == forBuyers || admin) && (c.Name != "deposit" || wallet) {
						want = append(want, c.Name)
					}
				}
				var got []string
				for _, m := range menu {
					got = append(got, m.Name)
					if !valid.MatchString(m.Name) {
						t.Errorf("%s admin=%v: command %q breaks Telegram's [a-z0-9_]{1,32}", lang, admin, m.Name)
					}
					if n := utf8.RuneCountInString(m.Description); n < 1 || n > 256 || strings.ContainsAny(m.Description, "<>\n") {
						t.Errorf("%s admin=%v: /%s description %q: want 1–256 characters of plain text", lang, admin, m.Name, m.Description)
					}
				}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%s admin=%v wallet=%v: menu %v, want %v", lang, admin, wallet, got, want)
				}
				if len(menu) > 100 {
					t.Errorf("%d commands, Telegram takes 100", len(menu))
				}
			}
		}
	}
	s := &Service{}
	checks := []struct {
		lang       Lang
		admin      bool
		name, want string
	}{
		{LangID, false, "status", "status satu pesanan"},
		{LangEN, false, "status", "the status of one order"},
		{LangEN, true, "addsaldo", "add to a user's saldo"},
		{LangID, true, "settle", strings.SplitN(text(LangID, "admin_help_settle"), " — ", 2)[1]},
		{LangEN, true, "id", "this chat's ID (in a group: for notify_chat_id)"},
	}
	for _, c := range checks {
		found := false
		for _, m := range s.CommandMenu(c.admin, c.lang) {
			if m.Name == c.name {
				found = true
				if m.Description != c.want {
					t.Errorf("%s /%s: %q, want %q", c.lang, c.name, m.Description, c.want)
				}
			}
		}
		if !found {
			t.Errorf("%s admin=%v: no /%s", c.lang, c.admin, c.name)
		}
	}
}

// noDeposits is a DepositStore that is only there: the menu never calls it.
type noDeposits struct{ DepositStore }
