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

		"choose_biller":     "<b>Tagihan</b>\nPilih jenis tagihan (halaman %d dari %d):",
		"ask_bill_number":   "<b>%s</b>\nKetik nomor pelanggan / ID tagihan.",
		"ask_months":        "<b>%s</b> · <code>%s</code>\nBerapa bulan yang dibayar? Ketik angka 1–12.",
		"bad_months":        "Jumlah bulan harus angka 1–12.",
		"inquiry_refused":   "Tagihan tidak dapat dibayar: %s",
		"inquiry_failed":    "Maaf, tagihan tidak dapat dicek saat ini. Silakan coba lagi sebentar lagi.",
		"bill_expired":      "⚠️ Tagihan ini sudah kedaluwarsa dan tidak dibayar. Cek ulang tagihan untuk membayar.",
		"bill_title":        "<b>%s</b>",
		"bill_customer":     "No. pelanggan: <code>%s</code>",
		"bill_period":       "Periode: %s",
		"bill_amount":       "Tagihan: %s",
		"bill_admin":        "Biaya admin: %s",
		"bill_total":        "Total bayar: <b>%s</b>",
		"bill_until":        "Bayar sebelum: %s WIB",
		"paying":            "⏳ Pembayaran <code>%s</code> sedang diproses.\nTagihan: %s\nNo. pelanggan: <code>%s</code>\nTotal: %s\n\nKami kirim bukti bayar di chat ini.",
		"btn_pay":           "💳 Bayar",
		"btn_inquire_again": "🔄 Cek ulang tagihan",

		"settled_ok":      "✅ <b>Transaksi berhasil</b>",
		"settled_failed":  "❌ <b>Transaksi gagal</b>",
		"line_product":    "Produk: %s",
		"line_number":     "Nomor: %s",
		"line_name":       "Nama: %s",
		"line_price":      "Harga: %s",
		"line_token":      "Token: %s",
		"line_tariff":     "Tarif/Daya: %s",
		"line_kwh":        "kWh: %s",
		"line_info":       "Info: %s",
		"line_sn":         "SN: %s",
		"line_reference":  "No. Referensi: %s",
		"line_pin":        "PIN: %s",
		"line_activation": "Kode aktivasi: %s",
		"line_reason":     "Alasan: %s",
		"line_ref":        "Ref: %s",
		"edit_ok":         "✅ Pesanan %s berhasil. Detail ada di pesan berikut.",
		"edit_failed":     "❌ Pesanan %s gagal. Detail ada di pesan berikut.",

		"alert_order":                  "⚠️ Pesanan %s (%s, %s) %s.",
		"alert_pending_too_long":       "masih menunggu sejak %s WIB",
		"alert_unacknowledged":         "tidak pernah dikonfirmasi provider dalam 24 jam; tidak dikirim ulang otomatis. Cek manual di provider",
		"alert_misconfigured":          "ditolak karena konfigurasi akun provider (sign, IP, atau akun ditangguhkan)",
		"alert_account_missing":        "dibuat dengan akun provider %s yang tidak lagi dikonfigurasi; tidak dikirim ulang",
		"alert_bill_unresolved":        "pembayaran tagihan belum pasti setelah batas waktu",
		"provider_alert_misconfigured": "Akun provider menolak permintaan (sign, IP belum di-whitelist, atau akun ditangguhkan). Periksa konfigurasi.",
		"provider_alert_low_balance":   "Saldo deposit provider menipis.",

		"reason_failed":              "Transaksi gagal diproses oleh penyedia.",
		"reason_wrong_number":        "Nomor tujuan salah.",
		"reason_operator_mismatch":   "Nomor tidak sesuai dengan operator produk.",
		"reason_number_blocked":      "Nomor tujuan diblokir.",
		"reason_product_unavailable": "Produk sedang tidak tersedia.",
		"reason_limit_reached":       "Batas transaksi untuk nomor ini sudah tercapai hari ini.",
		"reason_provider_balance":    "Layanan sedang tidak dapat memproses transaksi. Silakan coba lagi nanti.",
		"reason_invalid_game_id":     "ID game tidak valid.",
		"reason_number_unavailable":  "Nomor tidak tersedia atau sudah digunakan.",
		"reason_bill_paid":           "Tagihan sudah dibayar.",
		"reason_bill_unavailable":    "Tagihan tidak tersedia.",
		"reason_bill_expired":        "Tagihan kedaluwarsa. Silakan cek tagihan lagi.",
		"reason_cut_off":             "Sedang jam tutup layanan biller. Silakan coba lagi nanti.",
		"reason_service_unavailable": "Layanan sedang gangguan. Silakan coba lagi nanti.",
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

// Text is the reason as a sentence for the buyer, in Bahasa Indonesia.
func (r Reason) Text() string { return r.In(LangID) }

// In is the reason as a sentence in lang. An unknown reason reads as a
// plain failure: the buyer never sees an internal code.
func (r Reason) In(lang Lang) string {
	if _, ok := catalogue[LangID][Msg("reason_"+string(r))]; !ok {
		r = ReasonFailed
	}
	return text(lang, Msg("reason_"+string(r)))
}
