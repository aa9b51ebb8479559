package flows

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// What a group may see (DESIGN rule 12): the ops group gets admins'
// answers, settlement lines and alerts, and no customer number, SN, token,
// PIN or activation code in full — not even inside a provider's own text,
// which often repeats them (Mesin R1: "TRX IS5.081234567890 SUKSES, SN:…").

// maskCode hides a code a buyer redeems — an SN, a PLN token, a PIN — for
// a group: a long one keeps its last four characters to be told apart,
// "0123-4567-8901-2345-6789" → "****6789"; a short one is hidden entirely.
// The length is not shown either.
func maskCode(s string) string {
	r := []rune(s)
	if len(r) >= 10 {
		return "****" + string(r[len(r)-4:])
	}
	if len(r) == 0 {
		return ""
	}
	return "****"
}

var (
	// snValue is an "SN:" / "SN=" / "S/N:" part of a provider message and
	// its value, up to the next "KEY:" part (HRG:, REFID:) or the end; as
	// provider/mesinr1 reads it.
	snValue = regexp.MustCompile(`(?i)(^|[^A-Z0-9])(S/?N\s*[:=]\s*)(.*?)([\s,;]+[A-Za-z][A-Za-z_]*\s*[:=]|[.,;]?\s*$)`)
	snNone  = regexp.MustCompile(`(?i)^(?:HRG|HARGA|REFID|REF|SALDO|SISA|TRXID)\s*[:=]`)
	// pinValue is a "PIN:" / "PIN=" part and its value (digits, possibly
	// grouped, or one word): masked before the SN, so a PIN glued to its SN
	// ("SN:…/PIN:5931") does not survive as the SN's last four.
	pinValue = regexp.MustCompile(`(?i)(^|[^A-Z0-9])(PIN\s*[:=]\s*)(\d+(?:[- ]\d+)*|[A-Z0-9-]+)`)
	// digitGroups is a number written in groups — a PLN token
	// "0123-4567-8901-2345-6789", a phone "0812 3456 7890" — and
	// digitRun a plain run of digits long enough to be a customer number,
	// meter, token or SN. Dates ("2026-11-23") and prices ("HRG:5500",
	// "Rp 10.850") are neither.
	digitGroups = regexp.MustCompile(`\d{3,6}(?:[- ]\d{3,6}){2,}`)
	digitRun    = regexp.MustCompile(`\d{8,}`)
	// r1Dest is the destination of a Mesin R1 message or mutation note,
	// "TRX IS5.081234567890", "BAYAR PLNPASC.546302215889": what follows the
	// product code is the customer number, however short (a game id).
	r1Dest = regexp.MustCompile(`(?i)(\b(?:TRX|CEK|BAYAR|INQ)\s+[A-Z0-9_-]+\.)([^\s,;]+)`)
	// word is a run of letters and digits: a ref is one.
	word = regexp.MustCompile(`[A-Za-z0-9]+`)
)

// scrub makes provider text — a message, a mutation note, an error — fit
// for a group: the value after "SN:" is masked; o's customer number (as
// typed and in the other Indonesian form), SN, PLN token, PIN and
// activation code are masked wherever they stand as a word of their own;
// so is the destination of a Mesin R1 "TRX CODE.NUMBER"; and any other long
// number — a customer number, meter, token or SN of an
// order we were not told about — is masked too. Refs
// ("261123090103HW1XPK0") stay: they are how an admin finds an order.
func scrub(s string, o *Order) string {
	if s == "" {
		return s
	}
	s = pinValue.ReplaceAllStringFunc(s, func(m string) string {
		g := pinValue.FindStringSubmatch(m)
		return g[1] + g[2] + maskCode(g[3])
	})
	s = snValue.ReplaceAllStringFunc(s, func(m string) string {
		g := snValue.FindStringSubmatch(m)
		if snNone.MatchString(g[3]) {
			return m // "SN: HRG:5500": no SN, the next part follows
		}
		return g[1] + g[2] + maskCode(g[3]) + g[4]
	})
	if o != nil {
		type secret struct{ value, mask string }
		var secrets []secret
		add := func(v string, mask func(string) string) {
			// Shorter than three, a value cannot be told from any other word.
			if v = strings.TrimSpace(v); len([]rune(v)) >= 3 {
				secrets = append(secrets, secret{v, mask(v)})
			}
		}
		n := o.CustomerNumber
		add(n, MaskNumber)
		if rest, ok := strings.CutPrefix(n, "0"); ok {
			add("62"+rest, MaskNumber)
		} else if rest, ok := strings.CutPrefix(n, "62"); ok {
			add("0"+rest, MaskNumber)
		}
		for _, c := range []string{o.SN, o.PIN, o.ActivationCode} {
			add(c, maskCode)
		}
		if o.SN != "" {
			token, _ := plnToken(o.SN)
			add(token, maskCode)
			add(strings.NewReplacer("-", "", " ", "").Replace(token), maskCode)
		}
		// Longest first: a token inside its SN goes with the SN.
		slices.SortStableFunc(secrets, func(a, b secret) int { return len(b.value) - len(a.value) })
		for _, sec := range secrets {
			s = replaceWord(s, sec.value, sec.mask)
		}
	}
	s = r1Dest.ReplaceAllStringFunc(s, func(m string) string {
		g := r1Dest.FindStringSubmatch(m)
		dest := strings.TrimRight(g[2], ".")
		return g[1] + MaskNumber(dest) + g[2][len(dest):]
	})
	// Refs are set aside while long numbers are masked: a ref starts with
	// twelve digits.
	var refs []string
	s = word.ReplaceAllStringFunc(s, func(w string) string {
		if !refLike(w) {
			return w
		}
		refs = append(refs, w)
		return "\x00"
	})
	s = digitGroups.ReplaceAllStringFunc(s, maskDigits)
	s = digitRun.ReplaceAllStringFunc(s, maskDigits)
	for _, r := range refs {
		s = strings.Replace(s, "\x00", r, 1)
	}
	return s
}

// maskDigits masks a long number found in provider text: as a customer
// number when it is as long as one (the number line shows "0812****7890"),
// as a code when longer.
func maskDigits(s string) string {
	digits := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	if digits <= 13 {
		return MaskNumber(s)
	}
	return maskCode(s)
}

// refLike reports a word shaped like our refs: YYMMDDhhmmss, a real time,
// then seven of [A-Z0-9] (NewRefID).
func refLike(w string) bool {
	if len(w) != 12+refRandom || !allDigits(w[:12]) {
		return false
	}
	if _, err := time.Parse("060102150405", w[:12]); err != nil {
		return false
	}
	for _, c := range w[12:] {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// replaceWord replaces every occurrence of old in s that is not glued to a
// letter or digit on either side.
func replaceWord(s, old, repl string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(old)
		if (i == 0 || !alnum(s[i-1])) && (end == len(s) || !alnum(s[end])) {
			b.WriteString(s[:i])
			b.WriteString(repl)
		} else {
			b.WriteString(s[:end])
		}
		s = s[end:]
	}
}

func alnum(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// maskedSN is an order's SN for a group: the PLN token or the SN masked,
// the rest of a PLN serial (name, tariff, kWh) left out.
func maskedSN(sn string) string {
	token, _ := plnToken(sn)
	return maskCode(token)
}

// MaskNumber hides the middle of a customer number for the ops group:
// "081234567890" → "0812****7890".
func MaskNumber(n string) string {
	r := []rune(n)
	switch {
	case len(r) >= 10:
		return string(r[:4]) + strings.Repeat("*", len(r)-8) + string(r[len(r)-4:])
	case len(r) >= 5:
		return string(r[:2]) + strings.Repeat("*", len(r)-4) + string(r[len(r)-2:])
	}
	return strings.Repeat("*", len(r))
}
