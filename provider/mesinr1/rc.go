package mesinr1

import (
	"net/http"
	"regexp"
	"strings"

	"topupbot/flows"
)

// Response codes the classification depends on. Only 00, 92 and 94 are
// evidenced for Mesin R1 (providers.md §2.5); the rest is the ISO 8583
// reading that document infers, which is why an rc missing from reasons
// below still rejects only as a plain failure and never changes the kind.
const (
	rcSuccess     = "00"
	rcDuplicate   = "94" // ref_1 already used: the transaction exists
	rcTimeout     = "68" // response late: the transaction may still happen
	rcMalfunction = "96" // system malfunction: outcome unknown
	rcInvalidIP   = "92" // observed: "Invalid IP … IP:a.b.c.d"
	rcSecurity    = "63" // bad rqid / mmid / signature [INF]
	rcBadPIN      = "55" // wrong pin or signature [INF]
)

// reasons maps refusal and failure rcs to what the buyer is told.
var reasons = map[string]flows.Reason{
	"05": flows.ReasonFailed,
	"12": flows.ReasonProductUnavailable, // invalid transaction: product closed, disturbed, out of stock
	"13": flows.ReasonProductUnavailable, // invalid amount: this nominal cannot be sold
	"14": flows.ReasonWrongNumber,
	"30": flows.ReasonFailed,
	"34": flows.ReasonBillPaid,
	"51": flows.ReasonProviderBalance,
	"54": flows.ReasonBillExpired, // expired inquiry (the simulator's choice, [INF])
	"61": flows.ReasonLimitReached,
	"65": flows.ReasonLimitReached,
	"76": flows.ReasonProductUnavailable, // product code not found
	"88": flows.ReasonBillPaid,
	"91": flows.ReasonServiceUnavailable,
}

// msgReasons reads a reason out of the message when the rc gives none:
// a failed record often carries no rc, only "… GAGAL, NOMOR TUJUAN SALAH".
var msgReasons = []struct {
	words  []string // all must appear
	reason flows.Reason
}{
	{[]string{"SALDO", "TIDAK CUKUP"}, flows.ReasonProviderBalance},
	{[]string{"SALDO", "KURANG"}, flows.ReasonProviderBalance},
	{[]string{"SUDAH LUNAS"}, flows.ReasonBillPaid},
	{[]string{"SUDAH DIBAYAR"}, flows.ReasonBillPaid},
	{[]string{"SUDAH TERBAYAR"}, flows.ReasonBillPaid},
	{[]string{"KADALUARSA"}, flows.ReasonBillExpired},
	{[]string{"KEDALUWARSA"}, flows.ReasonBillExpired},
	{[]string{"NOMOR", "SALAH"}, flows.ReasonWrongNumber},
	{[]string{"TUJUAN", "SALAH"}, flows.ReasonWrongNumber},
	{[]string{"GANGGUAN"}, flows.ReasonProductUnavailable},
	{[]string{"KOSONG"}, flows.ReasonProductUnavailable},
	{[]string{"CUT OFF"}, flows.ReasonCutOff},
}

// reasonFor is the buyer-readable reason for a refusal or failure.
func reasonFor(rc, msg string) flows.Reason {
	if r, ok := reasons[rc]; ok && r != flows.ReasonFailed {
		return r
	}
	upper := strings.ToUpper(msg)
	for _, m := range msgReasons {
		all := true
		for _, w := range m.words {
			all = all && strings.Contains(upper, w)
		}
		if all {
			return m.reason
		}
	}
	return flows.ReasonFailed
}

// misconfigured reports an answer that says this account cannot transact:
// credentials, signature or source IP.
func misconfigured(rc string, httpStatus int, msg string) bool {
	switch rc {
	case rcInvalidIP, rcSecurity, rcBadPIN:
		return true
	}
	if rc == "" && (httpStatus == http.StatusUnauthorized || httpStatus == http.StatusForbidden) {
		return true
	}
	return strings.Contains(strings.ToLower(msg), "invalid ip")
}

var (
	// snStart finds "SN:" / "SN=" / "S/N:" as a word of its own.
	snStart = regexp.MustCompile(`(?i)(?:^|[^A-Z0-9])S/?N\s*[:=]\s*`)
	// snEnd is where the next "KEY:" part (HRG:, REFID:, SALDO:) begins.
	snEnd = regexp.MustCompile(`[\s,;]+[A-Za-z][A-Za-z_]*\s*[:=]`)
	// snNone is an empty SN followed at once by the next part ("SN: HRG:").
	// Only known keys: an SN may itself start with "LPA:" (eSIM).
	snNone = regexp.MustCompile(`(?i)^(?:HRG|HARGA|REFID|REF|SALDO|SISA|TRXID)\s*[:=]`)
)

// snFromMsg takes the serial number out of a message such as
// "TRX IS5.0812… SUKSES, SN:ABC123 HRG:5500 REFID:X." (the legacy reply
// template the JSON API repeats in msg). It returns "" when there is none.
func snFromMsg(msg string) string {
	loc := snStart.FindStringIndex(msg)
	if loc == nil {
		return ""
	}
	rest := msg[loc[1]:]
	if snNone.MatchString(rest) {
		return ""
	}
	if end := snEnd.FindStringIndex(rest); end != nil {
		rest = rest[:end[0]]
	}
	sn := strings.TrimRight(strings.TrimSpace(rest), ".,; ")
	if sn == "-" {
		return ""
	}
	return sn
}
