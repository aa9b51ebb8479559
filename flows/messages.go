package flows

// reasonText is the Bahasa Indonesia wording of each failure reason: short,
// and never the provider's own message.
var reasonText = map[Reason]string{
	ReasonFailed:             "Transaksi gagal diproses oleh penyedia.",
	ReasonWrongNumber:        "Nomor tujuan salah.",
	ReasonOperatorMismatch:   "Nomor tidak sesuai dengan operator produk.",
	ReasonNumberBlocked:      "Nomor tujuan diblokir.",
	ReasonProductUnavailable: "Produk sedang tidak tersedia.",
	ReasonLimitReached:       "Batas transaksi untuk nomor ini sudah tercapai hari ini.",
	ReasonProviderBalance:    "Layanan sedang tidak dapat memproses transaksi. Silakan coba lagi nanti.",
	ReasonInvalidGameID:      "ID game tidak valid.",
	ReasonNumberUnavailable:  "Nomor tidak tersedia atau sudah digunakan.",
	ReasonBillPaid:           "Tagihan sudah dibayar.",
	ReasonBillUnavailable:    "Tagihan tidak tersedia.",
	ReasonBillExpired:        "Tagihan kedaluwarsa. Silakan cek tagihan lagi.",
	ReasonCutOff:             "Sedang jam tutup layanan biller. Silakan coba lagi nanti.",
	ReasonServiceUnavailable: "Layanan sedang gangguan. Silakan coba lagi nanti.",
}

// Text is the reason as a sentence for the buyer. An unknown reason reads as
// a plain failure: the buyer never sees an internal code.
func (r Reason) Text() string {
	if t, ok := reasonText[r]; ok {
		return t
	}
	return reasonText[ReasonFailed]
}
