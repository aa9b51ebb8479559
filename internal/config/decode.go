package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"topupbot/flows"
	"topupbot/provider/iak"
)

// keyError is a problem with one key of the file: a value of the wrong type
// or an unknown key. Its message names the key and says what to write.
type keyError struct {
	key string
	msg string
}

func (e *keyError) Error() string { return e.msg }

// decodeFile decodes a TOML file over Defaults, straight into Config. Only
// a syntax error stops it: the file is read into a generic map first and
// each key is then checked against Config's tags, so that every value of
// the wrong type and every unknown key is reported, in the file's order,
// each with its fix — where decoding into the struct would stop at the
// first. Then come the values of the right type that do not parse (a
// duration, a time zone), in a fixed order. A refused value leaves its key
// at the default; mistyped lists the keys of the wrong type.
func decodeFile(data []byte) (cfg Config, problems []error, mistyped map[string]bool, err error) {
	var raw map[string]any
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		return Config{}, nil, nil, decodeError(err)
	}
	cfg = Defaults()
	root := reflect.ValueOf(&cfg).Elem()
	mistyped = map[string]bool{}
	var unparsed []parseProblem
	bad := func(key string, err error) { unparsed = append(unparsed, parseProblem{key, err}) }
	// skip holds the keys reported, unknown or mistyped: what is inside
	// them is not looked at (naming a table once is enough).
	skip := map[string]bool{}
	for _, k := range md.Keys() {
		if underAny(skip, k) || k[0] == routeKey {
			continue // the routes are read below, in one go
		}
		name := k.String()
		dst, elem, ok := fileField(root, k)
		if !ok {
			skip[name] = true
			problems = append(problems, &keyError{key: name, msg: unknownKeyError(k).Error()})
			continue
		}
		v, ok := rawValue(raw, k)
		if !ok {
			continue // inside an array of tables, which its parent's type refused
		}
		if msg := assign(dst, elem, k, v, bad); msg != "" {
			skip[name], mistyped[name] = true, true
			problems = append(problems, &keyError{key: name, msg: msg})
		}
	}
	// apis without api means apis: the default api is not also set.
	if md.IsDefined("provider", "sandbox", "apis") && !md.IsDefined("provider", "sandbox", "api") {
		cfg.Provider.Sandbox.API = ""
	}
	var routeProblems []error
	cfg.Routes, routeProblems = decodeRoutes(md, raw, cfg.Provider.Active(), mistyped)
	problems = append(problems, routeProblems...)
	slices.SortStableFunc(unparsed, func(a, b parseProblem) int { return a.compare(b) })
	for _, p := range unparsed {
		problems = append(problems, p.err)
	}
	cfg.normalize()
	return cfg, problems, mistyped, nil
}

// normalize makes the configurations that mean the same equal: "admins =
// []" and no admins key, an emptied URL and its default.
func (c *Config) normalize() {
	c.Telegram.Admins = nilIfEmpty(c.Telegram.Admins)
	c.Telegram.AllowedUsers = nilIfEmpty(c.Telegram.AllowedUsers)
	if len(c.Pricing.Category) == 0 {
		c.Pricing.Category = nil
	}
	if len(c.Pricing.Level) == 0 {
		c.Pricing.Level = nil
	}
	for _, l := range c.Pricing.Level {
		if len(l.Category) == 0 {
			l.Category = nil
		}
		if len(l.Level) == 0 {
			l.Level = nil
		}
	}
	orDefault := func(s *string, def string) {
		if *s == "" {
			*s = def
		}
	}
	orDefault(&c.Telegram.APIEndpoint, defaultAPIEndpoint)
	orDefault(&c.Provider.IAK.BaseURL, iak.ProductionPrepaidURL)
	orDefault(&c.Provider.IAK.PostpaidURL, iak.ProductionPostpaidURL)
}

// parseProblem is a value of the right TOML type that does not parse.
type parseProblem struct {
	key string
	err error
}

// parseOrder is the order parse problems are reported in, whatever the
// file's: operators' tooling reads them in it.
var parseOrder = []string{"telegram.poll_timeout", "provider.timeout", "poller.alert_after",
	"provider.iak.callback_ips", "pricing.category", "poller.timezone", "log.level"}

func (p parseProblem) rank() int {
	for i, k := range parseOrder {
		if p.key == k || strings.HasPrefix(p.key, k+".") {
			return i
		}
	}
	return len(parseOrder)
}

// compare orders by parseOrder, and the categories by name.
func (p parseProblem) compare(q parseProblem) int {
	if r := p.rank() - q.rank(); r != 0 || !strings.HasPrefix(p.key, "pricing.category.") {
		return r
	}
	return strings.Compare(p.key, q.key)
}

// The types written as quoted text in the file and parsed from it.
var (
	durationType = reflect.TypeFor[time.Duration]()
	secretType   = reflect.TypeFor[Secret]()
	locationType = reflect.TypeFor[*time.Location]()
	levelType    = reflect.TypeFor[slog.Level]()
	prefixType   = reflect.TypeFor[netip.Prefix]()
	stringType   = reflect.TypeFor[string]()
)

func isText(t reflect.Type) bool {
	return t == durationType || t == secretType || t == locationType || t == levelType || t == prefixType
}

// fileType is the type a value of t has in the file.
func fileType(t reflect.Type) reflect.Type {
	switch {
	case isText(t):
		return stringType
	case t.Kind() == reflect.Slice && isText(t.Elem()):
		return reflect.SliceOf(stringType)
	}
	return t
}

// parseText reads s, the text of key, into a value of type t; cur is the
// value it replaces (the default, which a duration's message shows).
func parseText(key string, t reflect.Type, s string, cur reflect.Value) (reflect.Value, error) {
	switch t {
	case durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s %q is not a duration: use Go syntax such as %q or \"2m\"", key, s, time.Duration(cur.Int()).String())
		}
		return reflect.ValueOf(d), nil
	case secretType:
		return reflect.ValueOf(Secret{s}), nil
	case locationType:
		// time.LoadLocation("") is UTC: an emptied value must not quietly
		// move the schedule seven hours.
		loc, err := time.LoadLocation(s)
		if err != nil || s == "" {
			return reflect.Value{}, fmt.Errorf("%s %q is not a time zone: use an IANA name such as %q", key, s, defaultTimezone)
		}
		return reflect.ValueOf(loc), nil
	case levelType:
		level, ok := logLevels[s]
		if !ok {
			return reflect.Value{}, fmt.Errorf("%s %q is unknown: use \"debug\", \"info\", \"warn\" or \"error\"", key, s)
		}
		return reflect.ValueOf(level), nil
	}
	return reflect.Value{}, fmt.Errorf("%s: no parser for %s", key, t) // unreachable: isText lists the types
}

// underAny reports whether k or one of its parents is in set.
func underAny(set map[string]bool, k toml.Key) bool {
	for i := 1; i <= len(k); i++ {
		if set[k[:i].String()] {
			return true
		}
	}
	return false
}

// aboutKey reports whether a problem's message is about one of keys: the
// messages start with the key.
func aboutKey(msg string, keys map[string]bool) bool {
	for k := range keys {
		if rest, ok := strings.CutPrefix(msg, k); ok && (rest == "" || strings.ContainsAny(rest[:1], " [:(.")) {
			return true
		}
	}
	return false
}

// fileField finds the field of Config that k names. A key inside a map
// field (pricing.category.pln) gives the map and the element's name.
func fileField(root reflect.Value, k toml.Key) (v reflect.Value, elem string, ok bool) {
	v = root
	for i, name := range k {
		switch {
		case isText(v.Type()):
			return reflect.Value{}, "", false // a leaf: nothing is under it
		case v.Kind() == reflect.Struct:
			f, found := fieldByTag(v, name)
			if !found {
				return reflect.Value{}, "", false
			}
			v = f
		case v.Kind() == reflect.Map && v.Type().Elem().Kind() == reflect.Pointer:
			// A map of tables ([pricing.level.NAME]): the element is made
			// when first named and walked into like a struct field.
			if v.IsNil() {
				v.Set(reflect.MakeMap(v.Type()))
			}
			e := v.MapIndex(reflect.ValueOf(name).Convert(v.Type().Key()))
			if !e.IsValid() {
				e = reflect.New(v.Type().Elem().Elem())
				v.SetMapIndex(reflect.ValueOf(name).Convert(v.Type().Key()), e)
			}
			v = e.Elem()
		case v.Kind() == reflect.Map:
			if i != len(k)-1 {
				return reflect.Value{}, "", false
			}
			return v, name, true
		default:
			return reflect.Value{}, "", false
		}
	}
	return v, "", true
}

func fieldByTag(v reflect.Value, name string) (reflect.Value, bool) {
	for f := range v.Type().Fields() {
		if keyName(f) == name {
			return v.FieldByIndex(f.Index), true
		}
	}
	return reflect.Value{}, false
}

// keyName is the file's name of a field: its toml tag or, in a type of
// another package (flows.Pricing), its name in lower case.
func keyName(f reflect.StructField) string {
	if tag := f.Tag.Get("toml"); tag != "" {
		return tag
	}
	return strings.ToLower(f.Name)
}

// rawValue is the decoded value at k.
func rawValue(raw map[string]any, k toml.Key) (any, bool) {
	var v any = raw
	for _, name := range k {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[name]; !ok {
			return nil, false
		}
	}
	return v, true
}

// assign sets dst (or, for a map, its element elem) from v, or returns why
// it cannot: the key, what was found, what to write instead. A table's keys
// are assigned one by one as the walk reaches them. A value of the right
// type that does not parse (a duration, a category) goes to bad, and its
// key keeps the default.
func assign(dst reflect.Value, elem string, k toml.Key, v any, bad func(key string, err error)) string {
	t := dst.Type()
	if elem != "" {
		t = t.Elem()
	}
	ft := fileType(t)
	key := k.String()
	var set reflect.Value
	switch ft.Kind() {
	case reflect.Struct, reflect.Map:
		if _, ok := v.(map[string]any); !ok {
			return typeProblem(k, ft, v, -1)
		}
		if t.Kind() == reflect.Map && dst.IsNil() {
			dst.Set(reflect.MakeMap(t))
		}
		return ""
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			return typeProblem(k, ft, v, -1)
		}
		for i, e := range list {
			if !scalarFits(ft.Elem(), e) {
				return typeProblem(k, ft, list, i)
			}
		}
		set = reflect.MakeSlice(t, 0, len(list))
		for i, e := range list {
			if !isText(t.Elem()) {
				set = reflect.Append(set, reflect.ValueOf(e).Convert(t.Elem()))
				continue
			}
			p, err := parseIPPrefix(e.(string))
			if err != nil {
				bad(key, fmt.Errorf("%s[%d] %q is not an IP address or CIDR prefix: use e.g. \"52.220.38.194\" or \"52.220.38.0/24\"", key, i, e))
				continue
			}
			set = reflect.Append(set, reflect.ValueOf(p))
		}
		if isText(t.Elem()) && set.Len() == 0 {
			set = reflect.Zero(t)
		}
	default:
		if !scalarFits(ft, v) {
			return typeProblem(k, ft, v, -1)
		}
		if isText(t) {
			p, err := parseText(key, t, v.(string), dst)
			if err != nil {
				bad(key, err)
				return ""
			}
			set = p
		} else {
			set = reflect.ValueOf(v).Convert(t)
		}
	}
	if elem == "" {
		dst.Set(set)
		return ""
	}
	if dst.Type().Key() == reflect.TypeFor[flows.CategoryID]() {
		if _, ok := flows.LookupCategory(flows.CategoryID(elem)); !ok {
			bad(key, fmt.Errorf("unknown key %s: the categories are %s", key, categoryList()))
			return ""
		}
	}
	dst.SetMapIndex(reflect.ValueOf(elem).Convert(dst.Type().Key()), set)
	return ""
}

// scalarFits reports whether the decoded v is a value of kind t.
func scalarFits(t reflect.Type, v any) bool {
	switch t.Kind() {
	case reflect.String:
		_, ok := v.(string)
		return ok
	case reflect.Bool:
		_, ok := v.(bool)
		return ok
	case reflect.Int, reflect.Int64:
		n, ok := v.(int64)
		return ok && !reflect.New(t).Elem().OverflowInt(n)
	}
	return false
}

// The keys whose values need more than their type to say what to write.
var (
	rupiahKeys   = []string{"pricing.markup", "pricing.min_margin", "alerts.low_balance", "wallet.min_deposit", "wallet.max_deposit"}
	durationKeys = []string{"telegram.poll_timeout", "provider.timeout", "poller.alert_after", "wallet.deposit_expiry"}
	userIDKeys   = []string{"telegram.admins", "telegram.allowed_users"}
	// numberExamples are shown when the value found cannot be turned into
	// the number meant.
	numberExamples = map[string]string{
		"pricing.markup":          "500",
		"alerts.low_balance":      "500000",
		"telegram.notify_chat_id": "-1001234567890",
		"poller.concurrency":      strconv.Itoa(defaultConcurrency),
	}
)

// typeProblem says that k holds v where a value of type t belongs (in a
// list, at index i ≥ 0), and what to write instead. A secret's value is
// never shown, nor is a value where a table belongs: it could be anything,
// a token written as telegram = "…" included.
func typeProblem(k toml.Key, t reflect.Type, v any, i int) string {
	key, leaf := k.String(), k[len(k)-1]
	secretKey := slices.Contains(secretKeys, key)
	if t.Kind() == reflect.Struct || t.Kind() == reflect.Map {
		fix := "write [" + key + "] and its keys under it (config.example.toml shows them)"
		if key == "pricing.category" {
			fix = "write [pricing.category] and under it lines such as pln = 1500"
		}
		return fmt.Sprintf("%s: found %s, not a table; %s", key, kindOf(v), fix)
	}
	found := describeValue(v, secretKey)
	if i >= 0 {
		found = describeValue(v.([]any)[i], secretKey) + " in the list"
	}
	return fmt.Sprintf("%s: found %s; %s", key, found, fixFor(key, leaf, t, v, secretKey))
}

// fixFor says what to write for key instead of v.
func fixFor(key, leaf string, t reflect.Type, v any, secretKey bool) string {
	switch {
	case secretKey:
		return fmt.Sprintf("write it as one quoted string: %s = \"...\" (the value is not shown: it is a secret)", leaf)
	case slices.Contains(durationKeys, key):
		example := "50s"
		switch n := v.(type) {
		case int64:
			example = strconv.FormatInt(n, 10) + "s"
		case float64:
			example = strconv.FormatFloat(n, 'f', -1, 64) + "s"
		}
		return fmt.Sprintf("write a duration in quotes, with its unit: %s = %q (or \"2m\", \"1h\")", leaf, example)
	case t.Kind() == reflect.String:
		example := "..."
		switch x := v.(type) {
		case int64, float64, bool:
			example = fmt.Sprint(x)
		case []any:
			if s, ok := only[string](x); ok {
				example = shorten(s)
			}
		}
		return fmt.Sprintf("write it in quotes: %s = %q", leaf, example)
	case t.Kind() == reflect.Bool:
		example := "true"
		if s, ok := v.(string); ok && slices.Contains([]string{"false", "no", "off", "tidak", "0"}, strings.ToLower(s)) {
			example = "false"
		}
		return fmt.Sprintf("write true or false, without quotes: %s = %s", leaf, example)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		example := "52.220.38.194"
		if s, ok := v.(string); ok {
			example = shorten(s)
		}
		return fmt.Sprintf("write a list of quoted addresses: %s = [%q]", leaf, example)
	case t.Kind() == reflect.Slice:
		return fmt.Sprintf("write user ids as numbers, without quotes: %s = [%s]", leaf, idList(v))
	case slices.Contains(rupiahKeys, key) || strings.HasPrefix(key, "pricing.category.") || isLevelMarkup(key):
		example, ok := numberExamples[key]
		if !ok {
			example = "1500"
		}
		if n, ok := rupiahGuess(v); ok {
			example = strconv.FormatInt(n, 10)
		}
		return fmt.Sprintf("write a whole number of rupiah, without quotes or dots: %s = %s", leaf, example)
	default:
		example := numberExamples[key]
		if n, ok := intGuess(v); ok {
			example = strconv.FormatInt(n, 10)
		}
		return fmt.Sprintf("write a whole number, without quotes: %s = %s", leaf, example)
	}
}

// isLevelMarkup reports whether key is a markup of a price level:
// pricing.level.NAME.markup or pricing.level.NAME.category.CAT.
func isLevelMarkup(key string) bool {
	rest, ok := strings.CutPrefix(key, "pricing.level.")
	if !ok {
		return false
	}
	_, leaf, ok := strings.Cut(rest, ".")
	return ok && (leaf == "markup" || strings.HasPrefix(leaf, "category."))
}

// only returns the single element of list, if it is one of type T.
func only[T any](list []any) (T, bool) {
	var zero T
	if len(list) != 1 {
		return zero, false
	}
	x, ok := list[0].(T)
	return x, ok
}

// idList is the list of user ids v meant, or an example.
func idList(v any) string {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	ids := make([]string, 0, len(list))
	for _, e := range list {
		n, ok := intGuess(e)
		if !ok || n <= 0 {
			return "123456789"
		}
		ids = append(ids, strconv.FormatInt(n, 10))
	}
	if len(ids) == 0 {
		return "123456789"
	}
	return strings.Join(ids, ", ")
}

// intGuess reads the whole number a value of the wrong type meant: 8 in
// "8", 1500 in 1500.0.
func intGuess(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x == float64(int64(x)) {
			return int64(x), true
		}
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// rupiahGuess reads the amount a price written as text meant: "500rb",
// "Rp 25.000", "1,5jt", "2k".
func rupiahGuess(v any) (int64, bool) {
	s, ok := v.(string)
	if !ok {
		return intGuess(v)
	}
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSpace(strings.TrimPrefix(s, "rp"))
	s = strings.TrimPrefix(s, ".")
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"ribu", 1000}, {"rb", 1000}, {"k", 1000}, {"juta", 1000000}, {"jt", 1000000}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	if mult == 1 {
		s = strings.ReplaceAll(s, ".", "") // thousands: 25.000
		s = strings.TrimSuffix(s, ",-")
	} else {
		s = strings.ReplaceAll(s, ",", ".") // a decimal comma: 1,5jt
	}
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f*float64(mult) > 1e15 {
		return 0, false
	}
	n := f * float64(mult)
	if n != float64(int64(n)) {
		return 0, false
	}
	return int64(n), true
}

// describeValue says what a decoded value is, showing it unless it is a secret.
func describeValue(v any, secretKey bool) string {
	kind := kindOf(v)
	if secretKey {
		return kind
	}
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q (%s)", shorten(x), kind)
	case float64:
		f := strconv.FormatFloat(x, 'f', -1, 64)
		if !strings.ContainsAny(f, ".IN") { // 2.0 is not the integer 2
			f += ".0"
		}
		return fmt.Sprintf("%s (%s)", f, kind)
	case int64, bool:
		return fmt.Sprintf("%v (%s)", x, kind)
	}
	return kind
}

// kindOf names the TOML type of a decoded value.
func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "text in quotes"
	case int64:
		return "a number"
	case float64:
		return "a decimal number"
	case bool:
		return "true or false"
	case []any:
		return "a list"
	case []map[string]any:
		return "a list of tables"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a date or time"
	}
	return "a value"
}

// shorten keeps a shown value to a line.
func shorten(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// secretKeys are the keys whose values must never appear in an error.
var secretKeys = []string{"telegram.token", "provider.iak.api_key", "provider.mesinr1.api_key",
	"provider.digiflazz.api_key", "provider.digiflazz.webhook_secret", "payment.tripay.api_key", "payment.tripay.private_key"}

// decodeError makes the TOML decoder's error safe to show. Its syntax
// errors quote the offending text (`expected value but found "123:ABC"`),
// which for an unquoted token is the token itself, so for a secret's line
// only the position and the usual fix are kept.
func decodeError(err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) && slices.Contains(secretKeys, pe.LastKey) {
		return fmt.Errorf("toml: line %d (last key %q): cannot read it (the parser's message is withheld: it may quote the secret): write it once, as a quoted string: %s = \"...\"",
			pe.Position.Line, pe.LastKey, pe.LastKey[strings.LastIndexByte(pe.LastKey, '.')+1:])
	}
	return err
}

// unknownKeyError names k and suggests the key probably meant: one a typo
// away in the same table, or a key of that name in another table.
func unknownKeyError(k toml.Key) error {
	name := k.String()
	if guess := suggestKey(k); guess != "" {
		return fmt.Errorf("unknown key %s: did you mean %s?", name, guess)
	}
	return fmt.Errorf("unknown key %s: remove it (config.example.toml lists every key)", name)
}

func suggestKey(k toml.Key) string {
	// A price level has the keys of [pricing]: suggest among those.
	if len(k) > 3 && k[0] == "pricing" && k[1] == "level" {
		if guess := suggestKey(append(toml.Key{"pricing"}, k[3:]...)); strings.HasPrefix(guess, "pricing.") {
			return "pricing.level." + k[2] + guess[len("pricing"):]
		}
		return ""
	}
	parent, leaf := strings.Join(k[:len(k)-1], "."), k[len(k)-1]
	best, bestDist := "", 3 // at most two edits away
	for _, known := range knownKeys() {
		i := strings.LastIndexByte(known, '.')
		kParent, kLeaf := "", known
		if i >= 0 {
			kParent, kLeaf = known[:i], known[i+1:]
		}
		switch {
		case kLeaf == leaf && kParent != parent:
			return known // right key, wrong table
		case kParent == parent:
			if d := editDistance(leaf, kLeaf); d < bestDist {
				best, bestDist = known, d
			}
		}
	}
	return best
}

// knownKeys lists the dotted keys of Config, tables included.
func knownKeys() []string {
	var keys []string
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, t reflect.Type) {
		for f := range t.Fields() {
			name := prefix + keyName(f)
			keys = append(keys, name)
			if f.Type.Kind() == reflect.Struct && !isText(f.Type) {
				walk(name+".", f.Type)
			}
			if f.Type == reflect.TypeFor[[]Route]() { // [[route]]: each table has Route's keys
				walk(name+".", f.Type.Elem())
			}
		}
	}
	walk("", reflect.TypeFor[Config]())
	return keys
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
