package flows

import "strings"

// The PLN prepaid serial as providers write it: the token to type into the
// meter, then the name, tariff, power and kWh.

// plnToken splits IAK's PLN serial "token/NAME/R1/900VA/kWh" into the token
// to type into the meter and the rest.
func plnToken(sn string) (token string, rest []string) {
	parts := strings.Split(sn, "/")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts[0], parts[1:]
}

// SegmentPower tidies PLN's tariff and power as providers write them —
// "R1 /000001300", "R1/1300" — into "R1/1300VA". Anything it cannot read is
// returned as it came.
func SegmentPower(s string) string {
	tariff, power, ok := strings.Cut(s, "/")
	if !ok {
		return strings.TrimSpace(s)
	}
	tariff = strings.TrimSpace(tariff)
	power = strings.TrimSuffix(strings.TrimSpace(strings.ToUpper(power)), "VA")
	power = strings.TrimLeft(power, "0")
	if tariff == "" || !allDigits(power) {
		return strings.TrimSpace(s)
	}
	return tariff + "/" + power + "VA"
}
