package flows

import "fmt"

// Lang is a message catalogue language. Persisted as its code.
type Lang string

// Languages. Bahasa Indonesia is the default.
const LangID Lang = "id"

// Msg names a text of the message catalogue.
type Msg string

// The catalogue. Every text the conversation sends lives here, so a second
// language is one more column. Texts are HTML with fmt verbs; arguments are
// escaped by the caller.
var catalogue = map[Lang]map[Msg]string{
	LangID: {
		"welcome":           "Halo %s! Mau beli apa hari ini?",
		"welcome_back":      "Mau beli apa lagi?",
		"choose_brand":      "<b>%s</b>\nPilih operator atau brand:",
		"choose_product":    "<b>%s</b>\nPilih produk (halaman %d dari %d):",
		"no_products":       "Maaf, produk <b>%s</b> sedang tidak tersedia. Silakan pilih kategori lain.",
		"ask_number":        "<b>%s</b>\nHarga: %s\n\n%s",
		"hint_phone":        "Ketik nomor HP tujuan, contoh: <code>081234567890</code>",
		"hint_meter":        "Ketik nomor meter atau ID pelanggan PLN (11–12 digit), contoh: <code>12345678901</code>",
		"hint_game":         "Ketik ID akun game dengan format <code>%s</code>, contoh: <code>%s</code>",
		"hint_any":          "Ketik nomor tujuan.",
		"confirm":           "<b>Konfirmasi pesanan</b>\nProduk: %s\nNomor: <code>%s</code>%s\nHarga: <b>%s</b>\n\nPastikan nomor sudah benar: pesanan yang sudah diproses tidak dapat dibatalkan.",
		"confirm_name":      "\nNama: %s",
		"price_rose":        "⚠️ Harga berubah dari %s menjadi <b>%s</b>. Lanjutkan dengan harga baru?",
		"unavailable_now":   "Maaf, %s baru saja tidak tersedia. Silakan pilih produk lain.",
		"price_unknown":     "Maaf, harga tidak dapat dicek saat ini. Silakan coba lagi sebentar lagi.",
		"processing":        "⏳ Pesanan <code>%s</code> sedang diproses.\nProduk: %s\nNomor: <code>%s</code>\nHarga: %s\n\nKami kirim hasilnya (SN/token) di chat ini.",
		"already_ordered":   "Pesanan ini sudah dibuat: <code>%s</code> (%s).",
		"bad_phone":         "Nomor HP tidak valid. Gunakan nomor Indonesia yang diawali 08, 10–13 digit.",
		"wrong_operator":    "Nomor ini bukan nomor %s. Periksa lagi nomornya atau pilih produk operator yang sesuai.",
		"bad_meter":         "Nomor meter PLN harus 11–12 digit angka.",
		"bad_game_id":       "Format ID tidak sesuai. Gunakan format <code>%s</code>, contoh: <code>%s</code>",
		"bad_customer_no":   "Nomor tujuan tidak valid. Ketik angka saja.",
		"meter_unknown":     "Nomor meter tidak ditemukan. Periksa lagi nomornya.",
		"menu_expired":      "Menu itu sudah tidak berlaku. Gunakan menu berikut.",
		"use_buttons":       "Silakan pilih dengan tombol pada menu.",
		"cancelled":         "Dibatalkan. Ketik /start untuk mulai lagi.",
		"unknown_command":   "Perintah tidak dikenal. Ketik /help untuk bantuan.",
		"help":              "<b>Cara membeli</b>\n/start — mulai pembelian\n/history — 10 pesanan terakhir\n/status <i>REF</i> — status satu pesanan\n/cancel — batalkan langkah sekarang\n/help — bantuan ini\n\nPilih kategori, produk, ketik nomor tujuan, lalu konfirmasi. SN/token dikirim ke chat ini setelah pesanan berhasil.",
		"history_empty":     "Belum ada pesanan.",
		"history_title":     "<b>10 pesanan terakhir</b>",
		"status_usage":      "Ketik /status diikuti nomor referensi, contoh: <code>/status 261123130405ABCD123</code>",
		"status_not_found":  "Pesanan <code>%s</code> tidak ditemukan.",
		"not_allowed":       "Maaf, Anda belum terdaftar untuk bertransaksi di bot ini.\nKirim ID pengguna Anda ke admin: <code>%d</code>",
		"error":             "Maaf, terjadi gangguan. Silakan coba lagi sebentar lagi.",
		"btn_back":          "⬅️ Kembali",
		"btn_cancel":        "❌ Batal",
		"btn_confirm":       "✅ Konfirmasi",
		"btn_prev":          "◀️ Sebelumnya",
		"btn_next":          "Berikutnya ▶️",
		"btn_change_number": "✏️ Ubah nomor",
		"status_placing":    "diproses",
		"status_pending":    "diproses",
		"status_success":    "berhasil",
		"status_failed":     "gagal",
		"name_unknown":      "(tidak dapat dicek)",
	},
}

// text renders a catalogue entry. A missing entry falls back to Bahasa
// Indonesia, then to the key itself, so a gap shows up in tests rather
// than as an empty message.
func text(lang Lang, key Msg, args ...any) string {
	t, ok := catalogue[lang][key]
	if !ok {
		t, ok = catalogue[LangID][key]
	}
	if !ok {
		return string(key)
	}
	if len(args) == 0 {
		return t
	}
	return fmt.Sprintf(t, args...)
}

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
