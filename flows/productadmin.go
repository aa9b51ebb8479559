package flows

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"
)

// /rename, /hide and /show: the admins' names and visibility of products,
// kept in the store by the product cache, which applies them where it
// builds the list — so the menus, /harga, the confirm screen and the
// orders made from then on all see them.

// maxDisplayName bounds a display name: it must leave room for the price
// on a product's button.
const maxDisplayName = 48

// adminRename is /rename CODE NAME (a display name), /rename CODE (the
// provider's name again) and /rename alone (the list).
func (t *turn) adminRename(ctx context.Context) (Output, error) {
	typed, rest, _ := strings.Cut(strings.TrimSpace(t.in.Args), " ")
	if typed == "" {
		return t.overrideList(text(t.lang, "admin_rename_usage")), nil
	}
	code, ok := t.productCode(typed)
	if !ok {
		return t.say(text(t.lang, "admin_product_unknown", shorten(typed, 40))), nil
	}
	name := strings.Join(strings.Fields(rest), " ") // one line, as a button shows it
	if utf8.RuneCountInString(name) > maxDisplayName {
		return t.say(text(t.lang, "admin_rename_long", maxDisplayName)), nil
	}
	cache := t.s.cfg.Products
	provided := t.providedName(code)
	if name == "" {
		if cache.Overrides()[code].Name == "" {
			return t.say(text(t.lang, "admin_rename_none", code, provided)), nil
		}
	}
	if _, err := cache.SetOverride(ctx, code, func(o *ProductOverride) { o.Name = name }); err != nil {
		return Output{}, err
	}
	t.s.log.Info("product display name set", "admin_id", t.in.UserID, "chat_id", t.in.ChatID, "product_code", code, "name", name)
	if name == "" {
		return t.say(text(t.lang, "admin_rename_removed", code, provided)), nil
	}
	return t.say(text(t.lang, "admin_renamed", code, name, provided)), nil
}

// adminHide is /hide CODE: the product leaves the buyers' menus, /harga
// and the purchase; /hide alone lists what is hidden and renamed.
func (t *turn) adminHide(ctx context.Context) (Output, error) { return t.setHidden(ctx, true) }

// adminShow is /show CODE: a hidden product is offered again.
func (t *turn) adminShow(ctx context.Context) (Output, error) { return t.setHidden(ctx, false) }

func (t *turn) setHidden(ctx context.Context, hide bool) (Output, error) {
	typed := strings.TrimSpace(t.in.Args)
	if typed == "" || strings.ContainsAny(typed, " \n") {
		return t.overrideList(text(t.lang, "admin_hide_usage")), nil
	}
	code, ok := t.productCode(typed)
	if !ok {
		return t.say(text(t.lang, "admin_product_unknown", shorten(typed, 40))), nil
	}
	cache := t.s.cfg.Products
	name := t.shownName(code)
	switch hidden := cache.Overrides()[code].Hidden; {
	case hide && hidden:
		return t.say(text(t.lang, "admin_hide_already", name, code)), nil
	case !hide && !hidden:
		return t.say(text(t.lang, "admin_show_not_hidden", name, code)), nil
	}
	if _, err := cache.SetOverride(ctx, code, func(o *ProductOverride) { o.Hidden = hide }); err != nil {
		return Output{}, err
	}
	if hide {
		t.s.log.Info("product hidden from buyers", "admin_id", t.in.UserID, "chat_id", t.in.ChatID, "product_code", code)
		return t.say(text(t.lang, "admin_hidden", name, code)), nil
	}
	t.s.log.Info("product shown to buyers again", "admin_id", t.in.UserID, "chat_id", t.in.ChatID, "product_code", code)
	msg := text(t.lang, "admin_shown", name, code)
	if p, ok := cache.Provided(code); ok && !p.Available {
		msg += "\n" + text(t.lang, "admin_shown_unavailable")
	}
	return t.say(msg), nil
}

// productCode finds the product code an admin typed: as it is, else the
// one code that matches it but for case (IAK's codes are lower case,
// Mesin R1's upper). A code no list holds any more still names its
// override, so that it can be taken off.
func (t *turn) productCode(typed string) (string, bool) {
	cache := t.s.cfg.Products
	overrides := cache.Overrides()
	if _, ok := cache.Provided(typed); ok {
		return typed, true
	}
	if _, ok := overrides[typed]; ok {
		return typed, true
	}
	var found []string
	add := func(code string) {
		if strings.EqualFold(code, typed) && !slices.Contains(found, code) {
			found = append(found, code)
		}
	}
	for _, p := range cache.Products() {
		add(p.Code)
	}
	for code := range overrides {
		add(code)
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

// providedName is a product's name from its provider, or a dash when no
// list holds it now.
func (t *turn) providedName(code string) string {
	if p, ok := t.s.cfg.Products.Provided(code); ok && p.Name != "" {
		return p.Name
	}
	return "—"
}

// shownName is a product's name as buyers see it.
func (t *turn) shownName(code string) string {
	if p, ok := t.s.cfg.Products.Lookup(code); ok && p.Name != "" {
		return p.Name
	}
	if o := t.s.cfg.Products.Overrides()[code]; o.Name != "" {
		return o.Name
	}
	return code
}

// overrideList is head and the products renamed or hidden, one a line by
// code, paged to the transport's messages.
func (t *turn) overrideList(head string) Output {
	overrides := t.s.cfg.Products.Overrides()
	codes := make([]string, 0, len(overrides))
	for code := range overrides {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	lines := []string{head, ""}
	if len(codes) == 0 {
		lines = append(lines, text(t.lang, "admin_overrides_none"))
	} else {
		lines = append(lines, text(t.lang, "admin_overrides_title", len(codes)))
	}
	for _, code := range codes {
		o := overrides[code]
		var marks []string
		if o.Name != "" {
			marks = append(marks, text(t.lang, "admin_overrides_renamed", o.Name, t.providedName(code)))
		} else {
			marks = append(marks, text(t.lang, "admin_overrides_named", t.providedName(code)))
		}
		if o.Hidden {
			marks = append(marks, text(t.lang, "admin_overrides_hidden"))
		}
		lines = append(lines, text(t.lang, "admin_overrides_line", code, Markup(strings.Join(marks, " · "))))
	}
	return t.pages(lines)
}
