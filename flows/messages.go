package flows

import (
	"fmt"
	"html"
	"reflect"
)

// Lang is a message catalogue language. Persisted as its code.
type Lang string

// Languages. Bahasa Indonesia is the default.
const LangID Lang = "id"

// Msg names a text of the message catalogue.
type Msg string

// The catalogue. Every text the conversation sends lives here, so a second
// language is one more column. Texts are HTML with fmt verbs; text escapes
// the arguments, except Markup.
var catalogue = map[Lang]map[Msg]string{
	LangEN: english,
	LangID: {
		"welcome":      "Halo %s! Mau beli apa hari ini?",
		"welcome_back": "Mau beli apa lagi?",
		// Faster paths (quickbuy.go, again.go).
		"hint_voucher":      "Ketik nomor HP Anda (08…, 10–13 digit), contoh: <code>081234567890</code>\nNomor ini hanya untuk mencatat pesanan; kode voucher dikirim di chat ini.",
		"hint_esim":         "Ketik nomor HP Anda yang aktif (08…, 10–13 digit), contoh: <code>081234567890</code>\nNomor ini hanya untuk mencatat pesanan, bukan nomor eSIM-nya; kode aktivasi dan QR-nya dikirim di chat ini.",
		"welcome_quick":     "Pilih kategori, atau ketik nomor HP / ID pelanggan PLN untuk beli cepat.",
		"home_hint":         "Maaf, kami tidak mengenali itu. Ketik nomor HP atau ID pelanggan PLN, kode produk diikuti nomor tujuan, atau pilih dengan tombol di bawah.",
		"code_unavailable":  "Maaf, %s sedang tidak tersedia. Silakan pilih produk lain dari menu.",
		"quick_nothing":     "Maaf, tidak ada produk %s untuk nomor ini. Silakan pilih dari menu.",
		"quick_none":        "Maaf, tidak ada produk untuk nomor ini saat ini. Silakan pilih dari menu.",
		"quick_phone":       "📱 <code>%s</code> · %s",
		"quick_meter":       "⚡ ID pelanggan PLN <code>%s</code>",
		"quick_choose":      "<b>%s</b> — pilih produk (halaman %d dari %d):",
		"again_unknown":     "Pesanan itu tidak ditemukan. Silakan pilih dari menu.",
		"btn_again":         "🔁 Beli lagi",
		"btn_menu":          "🏠 Menu",
		"choose_brand":      "<b>%s</b>\nPilih operator atau brand:",
		"choose_product":    "<b>%s</b>\nPilih produk (halaman %d dari %d):",
		"no_products":       "Maaf, produk <b>%s</b> sedang tidak tersedia. Silakan pilih kategori lain.",
		"ask_number":        "<b>%s</b>\nHarga: %s\n\n%s",
		"hint_phone":        "Ketik nomor HP tujuan, contoh: <code>081234567890</code>",
		"hint_meter":        "Ketik nomor meter atau ID pelanggan PLN (11–12 digit), contoh: <code>12345678901</code>",
		"hint_game_one":     "Ketik <b>%s</b> akun game Anda, contoh: <code>%s</code>",
		"hint_game_more":    "Ketik <b>%s</b> akun game Anda, contoh: <code>%s</code>\nAtau ketik %s sekaligus, contoh: <code>%s</code>",
		"ask_game_part":     "<b>%s</b>\nHarga: %s\n\n%s\nSekarang ketik <b>%s</b>, contoh: <code>%s</code>",
		"bad_game_part":     "%s tidak valid.",
		"field_rolename":    "Nama karakter",
		"word_and":          "dan",
		"confirm_game":      "<b>Konfirmasi pesanan</b>\nProduk: %s\n%s%s\nHarga: <b>%s</b>\n\nPastikan ID sudah benar: pesanan yang sudah diproses tidak dapat dibatalkan.",
		"confirm_nickname":  "\nNama akun: %s",
		"game_no_account":   "\n⚠️ Akun dengan ID ini tidak ditemukan. Periksa lagi ID-nya sebelum konfirmasi.",
		"btn_change_id":     "✏️ Ubah ID",
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
		"bad_customer_no":   "Nomor tujuan tidak valid. Ketik angka saja.",
		"meter_unknown":     "Nomor meter tidak ditemukan. Periksa lagi nomornya.",
		"menu_expired":      "Menu itu sudah tidak berlaku. Gunakan menu berikut.",
		"use_buttons":       "Silakan pilih dengan tombol pada menu.",
		"cancelled":         "Dibatalkan. Ketik /start untuk mulai lagi.",
		"unknown_command":   "Perintah tidak dikenal. Ketik /help untuk bantuan.",
		"help_title":        "<b>Cara membeli</b>",
		"help_start":        "/start — mulai pembelian",
		"help_history":      "/history — 10 pesanan terakhir",
		"help_status":       "/status <i>REF</i> — status satu pesanan",
		"help_cancel":       "/cancel — batalkan langkah sekarang",
		"help_lang":         "/lang id|en — Bahasa Indonesia atau English",
		"help_help":         "/help — bantuan ini",
		"help_how":          "Pilih kategori, produk, ketik nomor tujuan, lalu konfirmasi. Lebih cepat: ketik langsung nomor HP atau ID pelanggan PLN, atau kode produk diikuti nomornya. SN/token dikirim ke chat ini setelah pesanan berhasil; tombol 🔁 Beli lagi di struk membeli yang sama lagi.",
		"history_empty":     "Belum ada pesanan.",
		"history_title":     "<b>10 pesanan terakhir</b>",
		"history_line":      "%s %s %s · %s · %s\n<code>%s</code>",
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
		"default_name":      "Kak",
		"lang_set":          "Bahasa diubah ke Bahasa Indonesia.",
		"lang_usage":        "Ketik /lang id untuk Bahasa Indonesia atau /lang en untuk English.",

		"cat_pulsa":   "Pulsa",
		"cat_data":    "Paket Data",
		"cat_pln":     "Token PLN",
		"cat_game":    "Games",
		"cat_emoney":  "E-Money",
		"cat_voucher": "Voucher",
		"cat_esim":    "eSIM",
		"cat_tagihan": "Tagihan",

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
		"bill_detail":       "%s",
		"bill_amount":       "Tagihan: %s",
		"bill_admin":        "Biaya admin: %s",
		"bill_total":        "Total bayar: <b>%s</b>",
		"bill_until":        "Bayar sebelum: %s WIB",
		"paying":            "⏳ Pembayaran <code>%s</code> sedang diproses.\nTagihan: %s\nNo. pelanggan: <code>%s</code>\nTotal: %s\n\nKami kirim bukti bayar di chat ini.",
		"btn_pay":           "💳 Bayar",
		"btn_inquire_again": "🔄 Cek ulang tagihan",

		"settled_ok":          "✅ <b>Transaksi berhasil</b>",
		"settled_failed":      "❌ <b>Transaksi gagal</b>",
		"line_product":        "Produk: %s",
		"line_number":         "Nomor: %s",
		"line_name":           "Nama: %s",
		"line_price":          "Harga: %s",
		"line_token":          "Token: %s",
		"line_tariff":         "Tarif/Daya: %s",
		"line_kwh":            "kWh: %s",
		"line_info":           "Info: %s",
		"line_sn":             "SN: %s",
		"line_reference":      "No. Referensi: %s",
		"line_pin":            "PIN: %s",
		"line_activation":     "Kode aktivasi: %s",
		"line_reason":         "Alasan: %s",
		"line_ref":            "Ref: %s",
		"no_saldo":            "💰 <b>Saldo tidak cukup</b>\nHarga: %s\nSaldo: %s\nKurang: %s\n\nIsi saldo dulu, lalu pesan lagi.",
		"btn_deposit":         "💰 Deposit",
		"line_refunded":       "Saldo %s sudah dikembalikan.",
		"line_saldo":          "Sisa saldo: %s",
		"edit_ok":             "✅ Pesanan %s berhasil. Detail ada di pesan berikut.",
		"edit_failed":         "❌ Pesanan %s gagal. Detail ada di pesan berikut.",
		"settled_bill_ok":     "✅ <b>Pembayaran berhasil</b>",
		"settled_bill_failed": "❌ <b>Pembayaran gagal</b>",
		"line_time":           "Waktu: %s WIB",
		"line_voucher":        "Kode voucher: %s",
		"line_valid_until":    "Kode voucher berlaku s.d. %s",
		"line_not_charged":    "Tidak ada biaya yang diambil.",
		"period_month":        "1 bulan",
		"period_months":       "%d bulan",
		"months":              "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des",
		"esim_steps":          "1. Buka Pengaturan → Seluler (iPhone) atau Pengaturan → Koneksi → Pengelola SIM (Android), lalu Tambah eSIM.\n2. Pindai kode QR ini, atau ketik kode aktivasi di atas.\n3. Nyalakan eSIM dan roaming data setibanya di tujuan.",
		"edit_bill_ok":        "✅ Pembayaran %s berhasil. Detail ada di pesan berikut.",
		"edit_bill_failed":    "❌ Pembayaran %s gagal. Detail ada di pesan berikut.",
		"help_struk":          "/struk <i>REF</i> — kirim ulang struk satu pesanan",
		"struk_usage":         "Ketik /struk diikuti nomor referensi, contoh: <code>/struk 261123130405ABCD123</code>",
		"struk_choose":        "<b>Struk pesanan terakhir</b>\nKetuk perintahnya untuk menyalin, lalu kirim:",
		"struk_line":          "%s %s %s\n<code>/struk %s</code>",
		"struk_pending":       "⏳ Pesanan <code>%s</code> masih diproses. Struk dikirim di chat ini begitu selesai.",
		"line_field":          "%s: %s",
		"line_nickname":       "Nama akun: %s",

		"alert_order":                  "⚠️ Pesanan %s (%s, %s) %s.",
		"alert_pending_too_long":       "masih menunggu sejak %s WIB",
		"alert_manual_contradicted":    "diselesaikan manual, tetapi provider menjawab lain; pesanan tidak diubah. Cek ke CS provider",
		"manual_contradicted_detail":   "Manual: %s · provider: %s",
		"alert_unacknowledged":         "tidak pernah dikonfirmasi provider dalam 24 jam; tidak dikirim ulang otomatis. Cek manual di provider",
		"alert_resend_too_old":         "sudah melewati batas cek ulang provider (kirim ulang akan membuat transaksi baru); tidak dicek lagi otomatis. Cek manual di provider lalu /settle",
		"alert_earlier_attempt":        "dilaporkan SUKSES oleh provider sebelumnya, padahal percobaan itu sudah gagal dan pesanan dipindah ke provider lain; mungkin terisi dua kali. Cek di kedua provider",
		"alert_ref_conflict":           "ref ini tercatat di provider dengan permintaan lain (rc 49); status tidak diubah. Cek manual di provider",
		"alert_misconfigured":          "ditolak karena konfigurasi akun provider (sign, IP, atau akun ditangguhkan)",
		"alert_account_missing":        "dibuat dengan akun provider %s yang tidak lagi dikonfigurasi; tidak dikirim ulang",
		"alert_bill_unresolved":        "pembayaran tagihan belum pasti setelah batas waktu",
		"provider_alert_misconfigured": "Akun provider menolak permintaan (sign, IP belum di-whitelist, atau akun ditangguhkan). Periksa konfigurasi.",
		"provider_alert_low_balance":   "Saldo deposit provider menipis.",
		"deposit_refused_detail":       "Provider menolak pesanan karena saldo deposit tidak cukup; dengan rute, pesanan dipindah ke provider berikutnya. Isi ulang deposit. (%s)",
		"low_balance_detail":           "Saldo %s, di bawah batas %s. Isi ulang deposit agar transaksi tidak ditolak.",
		"provider_alert_owed":          "Saldo pelanggan melebihi deposit provider.",
		"owed_detail":                  "Saldo + tertahan semua pelanggan %s, deposit provider %s: kurang %s. Isi deposit provider.",

		// The catalog: a screen without products, a failing source.
		"catalog_empty":               "Halo %s! Maaf, daftar produk belum bisa ditampilkan saat ini. Silakan coba lagi sebentar lagi.",
		"btn_retry":                   "🔄 Coba lagi",
		"catalog_source_failing":      "⚠️ Daftar produk <b>%s</b> gagal dimuat dari provider; dicoba lagi otomatis. %s",
		"catalog_source_hidden":       "Kategorinya disembunyikan sampai daftar ini dimuat; produk lain tetap dijual.",
		"catalog_source_kept":         "Daftar terakhir (%d produk, %s WIB) tetap dipakai.",
		"catalog_source_recovered":    "✅ Daftar produk <b>%s</b> dimuat lagi: %d produk.",
		"admin_catalog_unpriced":      "• Tanpa harga dari provider (disembunyikan): %d produk",
		"admin_catalog_source_failed": "⚠️ Daftar <b>%s</b> gagal diperbarui; %s\n<code>%s</code>",
		"admin_catalog_source_kept":   "daftar terakhir (%s WIB) tetap dipakai.",
		"admin_catalog_source_hidden": "belum pernah dimuat, kategorinya disembunyikan.",

		// Deposits by transfer (depositflow.go).
		"help_deposit":                  "/deposit — isi saldo lewat transfer bank",
		"admin_help_deposits":           "/deposits — deposit yang menunggu, dengan tombol Terima/Tolak",
		"deposit_off":                   "Deposit saldo tidak tersedia di bot ini. Hubungi admin.",
		"deposit_amount":                "💰 <b>Isi saldo</b>\nPilih jumlah, atau ketik jumlah lain (%s – %s):",
		"deposit_bad_amount":            "<code>%s</code> bukan jumlah yang valid. Tulis rupiah tanpa sen, mis. <code>75000</code>.",
		"deposit_out_of_range":          "Jumlah %s di luar batas: deposit minimal %s, maksimal %s.",
		"deposit_codes_taken":           "Jumlah itu sedang dipakai banyak deposit lain. Silakan pilih jumlah lain.",
		"deposit_title":                 "💰 <b>Deposit %s</b>",
		"deposit_exact_code":            "Transfer <b>tepat %s</b> (sudah termasuk kode unik %s, agar transfer Anda dikenali) ke:",
		"deposit_exact":                 "Transfer <b>tepat %s</b> ke:",
		"deposit_to":                    "%s",
		"deposit_expires":               "Berlaku sampai %s WIB. Setelah transfer, ketuk ✅ Sudah transfer.",
		"deposit_id":                    "ID: <code>%s</code>",
		"btn_deposit_sent":              "✅ Sudah transfer",
		"btn_deposit_cancel":            "❌ Batal",
		"deposit_msg_waiting":           "💰 Deposit %s (<code>%s</code>) menunggu transfer Anda.",
		"deposit_msg_sent":              "⏳ Deposit %s (<code>%s</code>) menunggu konfirmasi admin. Anda diberi tahu saat saldo masuk. Ketik /start untuk belanja.",
		"deposit_msg_credited":          "✅ Deposit %s (<code>%s</code>) sudah masuk ke saldo Anda.",
		"deposit_msg_rejected":          "❌ Deposit %s (<code>%s</code>) ditolak admin.",
		"deposit_msg_expired":           "⌛ Deposit %s (<code>%s</code>) kedaluwarsa. Ketik /deposit untuk membuat yang baru.",
		"deposit_msg_replaced":          "Deposit %s (<code>%s</code>) diganti deposit yang lebih baru: jangan transfer ke yang ini.",
		"deposit_msg_cancelled":         "Deposit %s (<code>%s</code>) dibatalkan. Ketik /deposit untuk membuat yang baru.",
		"deposit_not_found":             "Deposit itu tidak ditemukan. Ketik /deposit untuk membuat yang baru.",
		"deposit_credited":              "✅ <b>Deposit %s masuk.</b>\nSaldo sekarang: <b>%s</b>. Ketik /start untuk belanja.",
		"deposit_rejected":              "❌ Deposit %s (<code>%s</code>) ditolak admin. Jika Anda sudah transfer, hubungi admin dengan bukti transfer.",
		"deposit_expired":               "⌛ Deposit %s (<code>%s</code>) kedaluwarsa karena belum ditandai sudah transfer. Jika Anda sudah transfer, hubungi admin; jika belum, ketik /deposit.",
		"deposit_admin_line":            "💰 <b>Deposit</b> <code>%s</code>\nDari: %s · ID <code>%d</code>\nJumlah: <b>%s</b> (kode unik %d)\nDibuat: %s WIB · %s\nCocokkan dengan mutasi bank sebelum menerima.",
		"deposit_state_waiting":         "belum ditandai transfer",
		"deposit_state_sent":            "pembeli sudah transfer",
		"deposit_state_credited":        "sudah diterima",
		"deposit_state_rejected":        "ditolak",
		"deposit_state_expired":         "kedaluwarsa",
		"deposit_state_replaced":        "diganti deposit baru",
		"deposit_state_cancelled":       "dibatalkan pembeli",
		"btn_deposit_approve":           "✅ Terima",
		"btn_deposit_reject":            "❌ Tolak",
		"btn_deposit_credit":            "💰 Kreditkan %s",
		"deposit_admin_credited":        "✅ Deposit <code>%s</code> %s diterima untuk pengguna <code>%d</code> oleh <code>%d</code>.",
		"deposit_admin_already":         "Deposit <code>%s</code> %s sudah diterima oleh <code>%d</code> (%s WIB). Tidak dikreditkan lagi.",
		"deposit_admin_adjusted_before": "Deposit <code>%s</code> %s sudah dikreditkan sebagai koreksi oleh <code>%d</code>. Tidak dikreditkan lagi.",
		"deposit_admin_closed":          "⚠️ Deposit <code>%s</code> %s pengguna <code>%d</code> sudah %s: tidak dikreditkan. Jika uangnya memang masuk ke rekening, kreditkan sebagai koreksi:",
		"deposit_admin_rejected":        "❌ Deposit <code>%s</code> %s pengguna <code>%d</code> ditolak oleh <code>%d</code>.",
		"deposit_admin_rejected_before": "Deposit <code>%s</code> sudah ditolak oleh <code>%d</code>.",
		"deposit_admin_adjusted":        "✅ Deposit <code>%s</code> %s dikreditkan sebagai koreksi untuk pengguna <code>%d</code> oleh <code>%d</code>.",
		"deposits_none":                 "Tidak ada deposit yang menunggu.",
		"deposits_title":                "<b>Deposit menunggu</b>: %d",
		"deposits_more":                 "… dan %d lagi. Selesaikan yang di atas dulu.",

		// QRIS deposits through the payment gateway (qris.go).
		"deposit_method":           "💰 <b>Isi saldo</b>\nBayar dengan apa?",
		"btn_method_transfer":      "🏦 Transfer",
		"btn_method_qris":          "📱 QRIS",
		"qris_creating":            "⏳ Membuat QRIS untuk deposit %s…",
		"qris_pending":             "⏳ QRIS deposit <code>%s</code> sedang disiapkan. Kami kirim ke chat ini begitu siap; ketik /deposit untuk melihatnya.",
		"qris_unavailable":         "Maaf, QRIS tidak bisa dibuat saat ini. Ketik /deposit dan pilih Transfer, atau coba lagi nanti.",
		"qris_alert_misconfigured": "⚠️ Payment gateway menolak membuat QRIS deposit <code>%s</code>: periksa merchant code, API key dan private key.",
		"qris_title":               "📱 <b>QRIS deposit %s</b>",
		"qris_pay_fee":             "Bayar: <b>%s</b> (termasuk biaya %s)",
		"qris_pay":                 "Bayar: <b>%s</b>",
		"qris_scan":                "Scan dengan aplikasi bank atau e-wallet sebelum %s WIB.",
		"qris_checkout":            "Atau bayar di: %s",
		"qris_auto":                "Saldo masuk otomatis setelah pembayaran.",
		"qris_show_again":          "Ketik /deposit untuk melihat kode QR-nya.",
		"qris_never_created":       "⌛ QRIS deposit %s tidak jadi dibuat oleh payment gateway. Tidak ada yang ditagih: ketik /deposit untuk membuat yang baru.",
		"qris_alert":               "⚠️ Pembayaran QRIS deposit <code>%s</code> %s pengguna <code>%d</code> tidak dikreditkan: %s Cek di dashboard payment gateway; jika uangnya masuk, kreditkan:",
		"qris_alert_foreign":       "⚠️ Payment gateway melaporkan pembayaran lain <code>%s</code> sebesar %s atas deposit <code>%s</code> pengguna <code>%d</code>; tidak dikreditkan otomatis. Cek di dashboard; jika uangnya masuk, <code>/addsaldo %d JUMLAH</code>.",
		"qris_alert_amount":        "dibayar %s, seharusnya %s.",
		"qris_alert_closed":        "dibayar setelah deposit %s.",
		"qris_alert_refund":        "⚠️ Pembayaran QRIS deposit <code>%s</code> %s pengguna <code>%d</code> di-refund oleh payment gateway setelah saldo dikreditkan. Saldo tidak ditarik otomatis: periksa, lalu <code>/kurangsaldo %d JUMLAH</code> bila perlu.",
		"deposit_msg_failed":       "Deposit %s (<code>%s</code>) tidak bisa diproses. Ketik /deposit untuk membuat yang baru.",
		"deposit_state_failed":     "gagal",

		// The wallet's commands (saldo.go).
		"help_saldo":                   "/saldo — saldo Anda, dana tertahan dan 10 mutasi terakhir",
		"admin_help_saldo":             "/saldo <i>USERID</i> — saldo, dana tertahan dan mutasi seorang pengguna\n/addsaldo <i>USERID JUMLAH</i> [<i>catatan</i>] — tambah saldo pengguna",
		"admin_help_kurangsaldo":       "/kurangsaldo <i>USERID JUMLAH</i> [<i>catatan</i>] — kurangi saldo pengguna (tidak bisa di bawah nol)",
		"wallet_unavailable":           "Saldo tidak tersedia di bot ini.",
		"saldo_own_only":               "Ketik /saldo saja: Anda hanya dapat melihat saldo Anda sendiri.",
		"saldo_title":                  "💰 <b>Saldo Anda: %s</b>",
		"saldo_title_user":             "💰 <b>Saldo pengguna</b> <code>%d</code>: <b>%s</b>",
		"saldo_wallet_off":             "ℹ️ Saat ini pembelian tidak dibayar dari saldo.",
		"saldo_empty":                  "Belum ada mutasi saldo. Ketik /deposit untuk mengisi saldo.",
		"saldo_empty_no_deposit":       "Belum ada mutasi saldo. Hubungi admin untuk mengisi saldo.",
		"saldo_empty_user":             "Belum ada mutasi saldo.",
		"saldo_held":                   "⏳ Tertahan untuk pesanan diproses: <b>%s</b>",
		"saldo_hold_line":              "• <code>%s</code> · %s · <code>%s</code> · %s · %s",
		"saldo_holds_more":             "… dan %d pesanan lain.",
		"saldo_entries_title":          "<b>%d mutasi terakhir</b>",
		"saldo_entry_line":             "%s · %s %s%s · saldo %s",
		"saldo_entry_by":               "oleh <code>%d</code>",
		"saldo_kind_hold":              "Ditahan",
		"saldo_kind_purchase":          "Pembelian (dari dana tertahan)",
		"saldo_kind_refund":            "Dikembalikan",
		"saldo_kind_deposit":           "Deposit",
		"saldo_kind_adjustment":        "Koreksi admin",
		"saldo_age_now":                "baru saja",
		"saldo_age_min":                "%d menit",
		"saldo_age_hour":               "%d jam %d menit",
		"saldo_age_day":                "%d hari %d jam",
		"saldo_note":                   "Catatan: %s",
		"saldo_adjusted_added":         "💰 Saldo Anda ditambah %s oleh admin.\nSaldo sekarang: <b>%s</b>",
		"saldo_adjusted_subtracted":    "💰 Saldo Anda dikurangi %s oleh admin.\nSaldo sekarang: <b>%s</b>",
		"admin_saldo_usage":            "Format: <code>/%s USERID JUMLAH [catatan]</code>, jumlah seperti 50000, 50.000 atau Rp50.000.",
		"admin_bad_amount":             "Jumlah <code>%s</code> tidak valid: tulis rupiah tanpa sen, lebih dari nol.",
		"admin_saldo_too_low":          "❌ Saldo pengguna <code>%d</code> hanya %s: tidak dapat dikurangi %s. Saldo tidak boleh di bawah nol.",
		"admin_saldo_added":            "✅ Saldo pengguna <code>%d</code> ditambah %s. Saldo sekarang: <b>%s</b>",
		"admin_saldo_subtracted":       "✅ Saldo pengguna <code>%d</code> dikurangi %s. Saldo sekarang: <b>%s</b>",
		"admin_stats_deposits":         "💰 Deposit masuk: %d · %s",
		"admin_stats_owed":             "Saldo pelanggan: <b>%s</b> (saldo %s + tertahan %s)",
		"admin_stats_provider":         "Deposit provider: %s",
		"admin_stats_provider_unknown": "Deposit provider: tidak dapat dicek",
		"admin_stats_owed_over":        "⚠️ Saldo pelanggan melebihi deposit provider sebesar %s. Isi ulang deposit.",

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

		"admin_help_title":            "<b>Perintah admin</b>",
		"admin_help_balance":          "/balance — saldo deposit provider",
		"admin_help_mutations":        "/mutations [<i>dari</i>] [<i>sampai</i>] — mutasi saldo, tanggal YYYY-MM-DD (WIB); tanpa tanggal: hari ini",
		"admin_help_orders":           "/orders [pending|failed|today] — daftar pesanan (bawaan: pending)",
		"admin_help_order":            "/order <i>REF</i> — detail satu pesanan",
		"admin_help_recheck":          "/recheck <i>REF</i> — tanya status pesanan ke provider sekarang",
		"admin_help_settle":           "/settle <i>REF</i> sukses <i>SN</i> <i>catatan</i> · /settle <i>REF</i> gagal <i>catatan</i> — selesaikan manual pesanan yang macet, setelah dikonfirmasi CS provider (chat pribadi saja)",
		"admin_help_catalog":          "/catalog — perbarui katalog produk sekarang",
		"admin_help_stats":            "/stats [today|7d] — jumlah pesanan, tingkat keberhasilan, laba",
		"admin_help_level":            "/level <i>USERID NAMA</i> — atur level harga pengguna (<code>default</code> mengembalikan)",
		"admin_level_usage":           "Ketik /level diikuti ID pengguna dan nama level, contoh: <code>/level 123456789 reseller</code>. Level: %s",
		"admin_level_unknown":         "Level <code>%s</code> tidak ada. Level: %s",
		"admin_level_set":             "✅ Pengguna <code>%d</code> sekarang di level harga <b>%s</b>.",
		"admin_help_allow":            "/allow <i>USERID</i> — izinkan pengguna bertransaksi",
		"admin_help_deny":             "/deny <i>USERID</i> — blokir pengguna",
		"admin_help_id":               "/id — ID chat ini (di grup: untuk <code>notify_chat_id</code>)",
		"admin_group_commands":        "Di grup hanya perintah admin yang dilayani. Ketik /help untuk daftarnya.",
		"admin_unavailable":           "Perintah ini tidak tersedia di bot ini.",
		"admin_provider_error":        "⚠️ Provider tidak menjawab dengan benar:\n<code>%s</code>",
		"admin_list_more":             "… menampilkan %d terbaru dari %d.",
		"admin_yes":                   "ya",
		"admin_no":                    "belum",
		"admin_balance":               "💰 Saldo deposit provider: <b>%s</b>",
		"admin_balances":              "💰 Saldo deposit provider:",
		"admin_balances_line":         "• %s: <b>%s</b>",
		"admin_balances_error":        "• %s: ⚠️ tidak menjawab dengan benar: <code>%s</code>",
		"admin_balance_low":           "⚠️ Saldo di bawah batas peringatan %s. Segera isi ulang deposit.",
		"admin_balance_unsupported":   "Cek saldo tidak ditawarkan oleh provider ini.",
		"admin_mutations_unsupported": "Mutasi saldo tidak ditawarkan oleh provider ini.",
		"admin_mutations_usage":       "Format: /mutations [<i>dari</i>] [<i>sampai</i>], tanggal YYYY-MM-DD (WIB), contoh: <code>/mutations 2026-11-01 2026-11-07</code>. Tanpa tanggal: hari ini; tanpa <i>sampai</i>: sampai hari ini.",
		"admin_bad_date":              "Tanggal <code>%s</code> tidak valid.",
		"admin_date_order":            "Tanggal awal %s jatuh setelah tanggal akhir %s.",
		"admin_date_range":            "Rentang paling lama %d hari; yang diminta %d hari.",
		"admin_mutations_empty":       "Tidak ada mutasi saldo %s s.d. %s.",
		"admin_mutations_title":       "<b>Mutasi saldo %s s.d. %s</b>: %d",
		"admin_mutations_total":       "Keluar: %s · Masuk: %s",
		"admin_mutation_line":         "%s · %s · saldo %s%s",
		"admin_orders_usage":          "Format: /orders [pending|failed|today].",
		"admin_orders_pending":        "<b>Pesanan diproses</b>: %d",
		"admin_orders_failed":         "<b>Pesanan gagal 7 hari terakhir</b>: %d",
		"admin_orders_today":          "<b>Pesanan hari ini</b> (%s): %d",
		"admin_orders_empty":          "Tidak ada.",
		"admin_order_line":            "%s <code>%s</code> %s\n%s · <code>%s</code> · %s · %s",
		"admin_ref_usage":             "Ketik /%s diikuti nomor referensi, contoh: <code>/%s 261123130405ABCD123</code>",
		"admin_order_title":           "<b>Pesanan</b> <code>%s</code>",
		"admin_f_status":              "Status: %s %s (%s)",
		"admin_f_product":             "Produk: %s (<code>%s</code>, %s, %s)",
		"admin_f_money":               "Harga jual: %s · Modal: %s · Selisih: %s",
		"admin_f_bill":                "Tagihan periode %s: %s + admin %s = %s",
		"admin_f_bill_expires":        "Tagihan berlaku sampai: %s",
		"admin_f_buyer":               "Chat: <code>%d</code> · Pengguna: <code>%d</code>",
		"admin_f_account":             "Akun provider: <code>%s</code>",
		"admin_f_provider_ref":        "Ref di provider: <code>%s</code>",
		"admin_f_attempt":             "Percobaan %d: %s ref <code>%s</code> produk <code>%s</code> modal %s → %s (RC <code>%s</code>: %s) %s",
		"admin_f_attempt_now":         "Percobaan %d (sekarang): %s",
		"admin_f_provider_tx":         "ID transaksi provider: <code>%s</code> · dikonfirmasi provider: %s",
		"admin_f_rc":                  "RC: <code>%s</code> · Pesan provider: %s",
		"admin_f_created":             "Dibuat: %s",
		"admin_f_updated":             "Diperbarui: %s",
		"admin_f_settled":             "Selesai: %s",
		"admin_f_checks":              "Dicek: %d kali · cek berikutnya: %s",
		"admin_f_alerts":              "Peringatan: %s",
		"admin_settle_private":        "/settle hanya bisa dipakai di chat pribadi dengan bot.",
		"admin_settle_usage":          "Format: <code>/settle REF sukses SN catatan…</code> atau <code>/settle REF gagal catatan…</code>. Catatan wajib diisi; SN <code>-</code> bila produk tidak punya kode.",
		"admin_settle_final":          "Pesanan <code>%s</code> sudah selesai (%s); tidak diubah.",
		"admin_settle_sn":             "Produk ini berupa kode (token, voucher, eSIM): SN/kode wajib diisi untuk menyelesaikannya sukses. Pesanan tidak diubah.",
		"admin_settle_done":           "✍️ Pesanan diselesaikan manual: <b>%s</b>. Pembeli diberi tahu.",
		"admin_settle_placing":        "Pesanan <code>%s</code> belum dijawab provider (masih dikirim); poller akan melanjutkannya dalam beberapa menit. Tidak diubah.",
		"admin_f_settled_by":          "Diselesaikan manual oleh admin <code>%d</code>: %s",
		"admin_recheck_final":         "Pesanan sudah selesai (%s); tidak dicek lagi.",
		"admin_recheck_settled":       "🔄 Dicek ke provider: pesanan kini <b>%s</b>.",
		"admin_recheck_pending":       "🔄 Dicek ke provider: pesanan masih diproses.",
		"admin_recheck_account":       "⛔ Tidak dicek: pesanan dibuat dengan akun provider <code>%s</code> yang tidak lagi dikonfigurasi. Pesanan tidak dikirim ulang ke akun lain; cek manual di provider.",
		"admin_recheck_unacked":       "⛔ Tidak dicek: provider tidak pernah mengonfirmasi pesanan ini dalam 24 jam, dan mengirim ulang bisa membuat transaksi baru. Cek manual di provider.",
		"admin_recheck_not_asked":     "Tidak dicek ke provider saat ini; coba lagi sebentar lagi.",
		"admin_recheck_too_old":       "⛔ Tidak dicek: pesanan sudah melewati batas cek ulang provider, dan mengirim ulang akan membuat transaksi baru. Cek manual di provider, lalu /settle.",
		"admin_recheck_gap":           "⏳ Belum dicek: provider meminta jeda (1 menit) antar kirim; dicek otomatis begitu jedanya lewat.",
		"admin_recheck_failed":        "Cek gagal: <code>%s</code>",
		"admin_catalog":               "📦 Katalog diperbarui: %d produk, %d tersedia.",
		"admin_catalog_category":      "• %s: %d produk, %d tersedia",
		"admin_catalog_failed":        "⚠️ Katalog gagal diperbarui; yang tersaji: %d produk, %d tersedia.",
		"admin_stats_usage":           "Format: /stats [today|7d].",
		"admin_stats_today":           "📊 <b>Statistik hari ini</b> (%s)",
		"admin_stats_7d":              "📊 <b>Statistik 7 hari</b> (%s s.d. %s)",
		"admin_stats_none":            "Belum ada pesanan.",
		"admin_stats_orders":          "Pesanan: %d · berhasil %d · gagal %d · diproses %d",
		"admin_stats_rate":            "Tingkat keberhasilan: %s",
		"admin_stats_money":           "Penjualan: %s · Modal: %s · Laba: <b>%s</b>",
		"admin_stats_per_category":    "<b>Per kategori</b>",
		"admin_stats_category":        "• %s: %d pesanan, %d berhasil, %d gagal (%s), laba %s",
		"admin_access_usage":          "Ketik /%s diikuti ID pengguna Telegram (angka), contoh: <code>/%s 123456789</code>",
		"admin_bad_user_id":           "ID pengguna <code>%s</code> tidak valid: harus angka positif.",
		"admin_cannot_deny_admin":     "Pengguna <code>%d</code> adalah admin dan tidak dapat diblokir.",
		"admin_allowed":               "✅ Pengguna <code>%d</code> sekarang boleh bertransaksi.",
		"admin_denied":                "⛔ Pengguna <code>%d</code> sekarang tidak boleh bertransaksi.",
		"admin_id_private":            "🆔 ID pengguna Anda: <code>%d</code>. Ketik /id di grup untuk ID grup itu.",
		"admin_id_group":              "🆔 ID chat ini: <code>%d</code>",
		"admin_id_set_ops":            "Agar baris pesanan dan peringatan masuk ke grup ini, isi <code>notify_chat_id = %d</code> di bagian [telegram] konfigurasi, lalu jalankan ulang bot.",
		"admin_id_is_ops":             "Ini grup ops: baris pesanan dan peringatan masuk ke sini.",
		"access_request":              "🙋 Pengguna belum terdaftar mencoba bertransaksi: %s · ID <code>%d</code>",
		"btn_allow":                   "Izinkan",
		"access_already_allowed":      "Pengguna <code>%d</code> sudah boleh bertransaksi.",
		"access_allowed_before":       "Pengguna <code>%d</code> sudah pernah diizinkan lewat tombol ini, lalu diblokir. Ketik <code>/allow %d</code> untuk mengizinkannya lagi.",
		"access_denied_since":         "Pengguna <code>%d</code> sudah diblokir dengan /deny setelah baris ini dikirim; tombol ini tidak membatalkannya. Ketik <code>/allow %d</code> untuk mengizinkannya.",

		// /harga (pricelist.go)
		"help_harga":       "/harga [<i>kategori</i>] — daftar harga, contoh: <code>/harga pulsa</code>",
		"harga_choose":     "<b>Daftar harga</b>\nPilih kategori:",
		"harga_empty":      "Belum ada produk yang bisa ditampilkan saat ini. Coba lagi sebentar lagi.",
		"harga_unknown":    "Kategori <b>%s</b> tidak ada.",
		"harga_bills":      "Tagihan tidak punya daftar harga: jumlahnya baru diketahui saat tagihan dicek. Bayar lewat /start → Tagihan.",
		"harga_title":      "<b>Daftar harga · %s</b> (halaman %d dari %d)",
		"harga_brand":      "<b>%s</b>",
		"harga_brand_more": "<b>%s</b> (lanjutan)",
		"harga_line":       "%s — %s",
		"harga_footer":     "Harga untuk Anda; bisa berubah sewaktu-waktu.",
		"btn_buy_category": "🛒 Beli %s",

		// /rename, /hide, /show (productadmin.go)
		"admin_help_rename":       "/rename <i>KODE NAMA</i> — nama tampilan produk untuk pembeli (tanpa nama: kembali ke nama penyedia; tanpa apa-apa: daftar)",
		"admin_help_hide":         "/hide <i>KODE</i> — sembunyikan produk dari pembeli",
		"admin_help_show":         "/show <i>KODE</i> — tampilkan lagi produk yang disembunyikan",
		"admin_rename_usage":      "Ketik <code>/rename KODE NAMA</code> untuk memberi produk nama tampilan, atau <code>/rename KODE</code> untuk kembali ke nama dari penyedia.",
		"admin_hide_usage":        "Ketik <code>/hide KODE</code> untuk menyembunyikan produk dari pembeli, <code>/show KODE</code> untuk menampilkannya lagi.",
		"admin_product_unknown":   "Kode produk <code>%s</code> tidak ada di katalog. Periksa kodenya (huruf besar/kecil tidak masalah).",
		"admin_rename_long":       "Nama tampilan paling panjang %d huruf.",
		"admin_rename_none":       "<code>%s</code> tidak punya nama tampilan; namanya dari penyedia: <b>%s</b>.",
		"admin_renamed":           "✅ <code>%s</code> sekarang tampil sebagai <b>%s</b> (dari penyedia: %s). Pesanan yang sudah dibuat tetap dengan nama lamanya.",
		"admin_rename_removed":    "✅ Nama tampilan <code>%s</code> dihapus; kembali ke nama dari penyedia: <b>%s</b>.",
		"admin_hidden":            "🙈 <b>%s</b> (<code>%s</code>) disembunyikan dari pembeli: tidak tampil di menu dan /harga, dan tidak bisa dibeli. /show menampilkannya lagi.",
		"admin_hide_already":      "<b>%s</b> (<code>%s</code>) sudah disembunyikan.",
		"admin_shown":             "👁 <b>%s</b> (<code>%s</code>) tampil lagi untuk pembeli.",
		"admin_shown_unavailable": "Catatan: penyedia sedang menandainya tidak tersedia, jadi belum tampil sampai tersedia lagi.",
		"admin_show_not_hidden":   "<b>%s</b> (<code>%s</code>) tidak disembunyikan.",
		"admin_overrides_none":    "Belum ada produk yang diberi nama tampilan atau disembunyikan.",
		"admin_overrides_title":   "<b>Produk yang diubah (%d)</b>",
		"admin_overrides_line":    "<code>%s</code> — %s",
		"admin_overrides_renamed": "<b>%s</b> (dari penyedia: %s)",
		"admin_overrides_named":   "%s",
		"admin_overrides_hidden":  "🙈 disembunyikan",
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
	return fmt.Sprintf(t, escaped(args)...)
}

// Markup is text that is already HTML (Telegram parse mode HTML): a
// catalogue text, a <code> span. text and markupf pass it on as it is.
type Markup string

// markupf formats HTML the catalogue does not hold — the frame of a line
// joined from parts — escaping its arguments as text does.
func markupf(format string, args ...any) Markup {
	return Markup(fmt.Sprintf(format, escaped(args)...))
}

// escaped returns args with every text HTML-escaped — strings and string
// types, Stringers, errors — except Markup; numbers pass as they are.
func escaped(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		var s string
		switch v := a.(type) {
		case Markup:
			out[i] = string(v)
			continue
		case fmt.Stringer:
			s = v.String()
		case error:
			s = v.Error()
		default:
			rv := reflect.ValueOf(a)
			if rv.Kind() != reflect.String {
				out[i] = a
				continue
			}
			s = rv.String()
		}
		out[i] = html.EscapeString(s)
	}
	return out
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

// shorten keeps long codes readable on one ops line.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// code is a value a buyer copies: an SN, a token, a ref.
func code(s string) Markup { return markupf("<code>%s</code>", s) }
