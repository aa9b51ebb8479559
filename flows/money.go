package flows

import "strconv"

// FormatRupiah renders an amount the way Indonesians write prices:
// "Rp 25.000", "-Rp 1.500".
func FormatRupiah(amount int64) string {
	sign := ""
	u := uint64(amount)
	if amount < 0 {
		sign = "-"
		u = uint64(-(amount + 1)) + 1 // safe for math.MinInt64
	}
	digits := strconv.FormatUint(u, 10)
	out := make([]byte, 0, len(digits)+len(digits)/3)
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, digits[i])
	}
	return sign + "Rp " + string(out)
}
