package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"topupbot/flows"
)

// routeKey is the name of the [[route]] tables.
const routeKey = "route"

// routeFix says how a route is written, for a value of the wrong shape.
const routeFix = `write each route as a [[route]] table: code = "T10", name = "Telkomsel 10.000", category = "pulsa", codes = { digiflazz = "tsel10", iak = "htelkomsel10000" }`

// maxRouteCode is the longest route code: buyers type it, and it travels
// in buttons (callback_data ≤ 64 bytes).
const maxRouteCode = 20

// decodeRoutes reads the [[route]] tables, which the generic walk over the
// file's keys skips: it cannot reach inside an array of tables. The order
// of each route's codes is the file's, taken from md's keys (a Go map has
// none); when it cannot be told (a route written in a form whose keys the
// parser does not list one by one), the order of active is used, then the
// names' alphabetical order. Keys of the wrong type are added to mistyped.
func decodeRoutes(md toml.MetaData, raw map[string]any, active []string, mistyped map[string]bool) ([]Route, []error) {
	v, ok := raw[routeKey]
	if !ok {
		return nil, nil
	}
	wrong := func(found string) []error {
		mistyped[routeKey] = true
		return []error{&keyError{key: routeKey, msg: fmt.Sprintf("%s: found %s, not a list of tables; %s", routeKey, found, routeFix)}}
	}
	var tables []map[string]any
	switch x := v.(type) {
	case []map[string]any:
		tables = x
	case []any:
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, wrong(kindOf(e) + " in the list")
			}
			tables = append(tables, m)
		}
	default:
		return nil, wrong(kindOf(v))
	}
	order := codesOrder(md, len(tables))
	var problems []error
	bad := func(key, msg string) {
		mistyped[key] = true
		problems = append(problems, &keyError{key: key, msg: msg})
	}
	routes := make([]Route, len(tables))
	for i, t := range tables {
		prefix := fmt.Sprintf("%s[%d]", routeKey, i)
		r := &routes[i]
		for _, name := range slices.Sorted(maps.Keys(t)) {
			key, v := prefix+"."+name, t[name]
			switch name {
			case "code", "name", "category":
				s, ok := v.(string)
				if !ok {
					bad(key, fmt.Sprintf("%s: found %s; write it in quotes: %s = %q", key, describeValue(v, false), name, routeExample(name)))
					continue
				}
				switch name {
				case "code":
					r.Code = s
				case "name":
					r.Name = s
				default:
					r.Category = flows.CategoryID(s)
				}
			case "codes":
				m, ok := v.(map[string]any)
				if !ok {
					bad(key, fmt.Sprintf("%s: found %s, not a table; write the providers' codes in order of preference: codes = { digiflazz = \"tsel10\", iak = \"htelkomsel10000\" }", key, kindOf(v)))
					continue
				}
				for _, provider := range codesIn(m, order[i], active) {
					code, ok := m[provider].(string)
					if !ok {
						mistyped[key] = true // not "codes is required" as well
						bad(key+"."+provider, fmt.Sprintf("%s.%s: found %s; write the provider's product code in quotes: %s = \"...\"", key, provider, describeValue(m[provider], false), provider))
						continue
					}
					r.Codes = append(r.Codes, flows.RouteLeg{Provider: provider, Code: code})
				}
			default:
				msg := fmt.Sprintf("unknown key %s: remove it (a route has code, name, category and codes)", key)
				if guess := suggestKey(toml.Key{routeKey, name}); strings.HasPrefix(guess, routeKey+".") {
					msg = fmt.Sprintf("unknown key %s: did you mean %s.%s?", key, prefix, strings.TrimPrefix(guess, routeKey+"."))
				}
				problems = append(problems, &keyError{key: key, msg: msg})
			}
		}
	}
	return routes, problems
}

// codesOrder lists, for each of n routes, the keys of its codes table in
// the file's order. md lists "route" once per [[route]] table, then the
// table's keys; an inline array of tables lists "route" once, so a key
// seen again in the same table starts the next one.
func codesOrder(md toml.MetaData, n int) [][]string {
	order := make([][]string, n)
	i, seen := -1, map[string]bool{}
	next := func() { i, seen = i+1, map[string]bool{} }
	for _, k := range md.Keys() {
		if k[0] != routeKey {
			continue
		}
		switch {
		case len(k) == 1:
			if md.Type(k...) == "ArrayHash" || i < 0 {
				next()
			}
		case len(k) == 2:
			if i < 0 || seen[k[1]] {
				next()
			}
			seen[k[1]] = true
		case len(k) == 3 && k[1] == "codes" && i >= 0 && i < n:
			order[i] = append(order[i], k[2])
		}
	}
	return order
}

// codesIn is the order of m's keys: fileOrder when it lists exactly them,
// else those of active first, in active's order, then the rest sorted.
func codesIn(m map[string]any, fileOrder, active []string) []string {
	keys := slices.Sorted(maps.Keys(m))
	if sorted := slices.Sorted(slices.Values(fileOrder)); slices.Equal(sorted, keys) {
		return fileOrder
	}
	var out []string
	for _, a := range active {
		if _, ok := m[a]; ok && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, k := range keys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func routeExample(field string) string {
	switch field {
	case "code":
		return "T10"
	case "name":
		return "Telkomsel 10.000"
	}
	return string(flows.CategoryPulsa)
}

// checkRoutes checks the [[route]] tables against the providers that sell.
func checkRoutes(routes []Route, p Provider, bad func(string, ...any)) {
	if len(routes) == 0 {
		return
	}
	active := p.Active()
	if !p.Multi() {
		bad("route: a [[route]] fills a product from several providers: set provider.names = [\"digiflazz\", \"iak\"] (or, with provider.name = \"sandbox\", provider.sandbox.apis), or remove the routes")
	}
	seen := map[string]int{}
	for i, r := range routes {
		key := fmt.Sprintf("%s[%d]", routeKey, i)
		switch {
		case r.Code == "":
			bad("%s.code is required: the reseller's own code for the product, e.g. code = \"T10\"", key)
		case strings.Contains(r.Code, ":"):
			bad("%s.code %q contains ':': that is how providers' own codes are written (digiflazz:tsel10); use letters, digits, '-' or '_', e.g. \"T10\"", key, r.Code)
		case len(r.Code) > maxRouteCode || !validRouteCode(r.Code):
			bad("%s.code %q: a route's code is 1 to %d letters, digits, '-' or '_', e.g. \"T10\"", key, r.Code, maxRouteCode)
		default:
			if j, dup := seen[strings.ToUpper(r.Code)]; dup {
				bad("%s.code %q is also route[%d]'s (codes are compared without case: buyers type them): give each route its own code", key, r.Code, j)
			} else {
				seen[strings.ToUpper(r.Code)] = i
			}
		}
		if strings.TrimSpace(r.Name) == "" {
			bad("%s.name is required: what buyers see, e.g. name = \"Telkomsel 10.000\"", key)
		}
		switch _, ok := flows.LookupCategory(r.Category); {
		case r.Category == "":
			bad("%s.category is required: the menu it shows in, one of %s", key, categoryList())
		case r.Category == flows.CategoryBill:
			bad("%s.category = %q: bills are not routed (each is paid where it was inquired); use a prepaid category or remove the route", key, r.Category)
		case !ok:
			bad("%s.category %q is not a category: the categories are %s", key, r.Category, categoryList())
		}
		if len(r.Codes) == 0 {
			bad("%s.codes is required: the providers' product codes in order of preference, e.g. codes = { digiflazz = \"tsel10\", iak = \"htelkomsel10000\" }", key)
		}
		for _, c := range r.Codes {
			if p.Multi() && !slices.Contains(active, c.Provider) {
				bad("%s.codes.%s: %q is not a provider configured to sell (%s): add it there or remove it from the route", key, c.Provider, c.Provider, activeKey(p))
			}
			if strings.TrimSpace(c.Code) == "" || strings.ContainsFunc(c.Code, isSpaceOrControl) {
				bad("%s.codes.%s %q: write the provider's product code as its price list has it, without spaces", key, c.Provider, c.Code)
			}
		}
	}
}

// activeKey names the key that lists the providers that sell, with its
// value.
func activeKey(p Provider) string {
	if len(p.Names) > 0 {
		return fmt.Sprintf("provider.names = %q", p.Names)
	}
	return fmt.Sprintf("provider.sandbox.apis = %q", p.Sandbox.APIs)
}

func validRouteCode(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
