package digiflazz

import "topupbot/flows"

// class is what a response code says about the transaction it answers.
type class string

const (
	// classUnknown: nothing can be concluded (50 not found, 85 rate limit,
	// 86 PLN check limit), and every rc missing from the table.
	classUnknown class = "unknown"
	classSuccess class = "success"
	classPending class = "pending"
	// classFailed: the transaction exists and has failed (Digiflazz
	// refunds it). It fails an order on a first send and on a check.
	classFailed class = "failed"
	// classNoTx: Digiflazz refused the request and created nothing. On a
	// first send the order is rejected; on a check (a same-ref re-send) it
	// says nothing about the transaction the first send created.
	classNoTx class = "no_transaction"
	// classMisconfigured: the account cannot transact (payload, sign,
	// username, IP, verification, blocked). On a first send the order fails
	// and admins are alerted; on a check nothing changes and admins are
	// alerted.
	classMisconfigured class = "misconfigured"
	// classRefNotUnique: rc 49. On a re-send it means our stored request
	// differs from the first send; on a first send, that some transaction
	// already holds our ref. Neither says what happened to it.
	classRefNotUnique class = "ref_not_unique"
)

type code struct {
	desc   string
	class  class
	reason flows.Reason
}

// codes is Digiflazz's buyer rc table (developer.digiflazz.com
// /api/buyer/response-code; providers.md §3). An rc missing here is unknown,
// never a failure. Which codes create no transaction follows the table's
// meaning: validation, deposit, stock and seller refusals happen before a
// transaction is made; 01, 02, 51–55, 57–60, 70–74 and 84 are a made
// transaction's failure.
var codes = map[string]code{
	"00": {"Transaksi Sukses", classSuccess, ""},
	"01": {"Timeout", classFailed, flows.ReasonFailed},
	"02": {"Transaksi Gagal", classFailed, flows.ReasonFailed},
	"03": {"Transaksi Pending", classPending, ""},
	"40": {"Payload Error", classMisconfigured, flows.ReasonServiceUnavailable},
	"41": {"Signature tidak valid", classMisconfigured, flows.ReasonServiceUnavailable},
	"42": {"Gagal memproses API Buyer", classMisconfigured, flows.ReasonServiceUnavailable},
	"43": {"SKU tidak di temukan atau Non-Aktif", classNoTx, flows.ReasonProductUnavailable},
	"44": {"Saldo tidak cukup", classNoTx, flows.ReasonProviderBalance},
	"45": {"IP Anda tidak kami kenali", classMisconfigured, flows.ReasonServiceUnavailable},
	"47": {"Transaksi sudah terjadi di buyer lain", classNoTx, flows.ReasonFailed},
	"49": {"Ref ID tidak unik", classRefNotUnique, ""},
	"50": {"Transaksi Tidak Ditemukan", classUnknown, ""},
	"51": {"Nomor Tujuan Diblokir", classFailed, flows.ReasonNumberBlocked},
	"52": {"Prefix Tidak Sesuai Operator", classFailed, flows.ReasonOperatorMismatch},
	"53": {"Produk Seller Sedang Tidak Tersedia", classFailed, flows.ReasonProductUnavailable},
	"54": {"Nomor Tujuan Salah", classFailed, flows.ReasonWrongNumber},
	"55": {"Produk Sedang Gangguan", classFailed, flows.ReasonProductUnavailable},
	"56": {"Limit saldo seller", classNoTx, flows.ReasonServiceUnavailable},
	"57": {"Jumlah Digit Kurang Atau Lebih", classFailed, flows.ReasonWrongNumber},
	"58": {"Sedang Cut Off", classFailed, flows.ReasonCutOff},
	"59": {"Tujuan di Luar Wilayah/Cluster", classFailed, flows.ReasonFailed},
	"60": {"Tagihan belum tersedia", classFailed, flows.ReasonBillUnavailable},
	"61": {"Belum pernah melakukan deposit", classNoTx, flows.ReasonProviderBalance},
	"62": {"Seller sedang mengalami gangguan", classNoTx, flows.ReasonProductUnavailable},
	"63": {"Tidak support transaksi multi", classNoTx, flows.ReasonServiceUnavailable},
	"64": {"Tarik tiket gagal", classNoTx, flows.ReasonServiceUnavailable},
	"65": {"Limit transaksi multi", classNoTx, flows.ReasonServiceUnavailable},
	"66": {"Cut Off (Perbaikan Sistem Seller)", classNoTx, flows.ReasonCutOff},
	"67": {"Seller belum ter-verifikasi", classNoTx, flows.ReasonServiceUnavailable},
	"68": {"Stok habis", classNoTx, flows.ReasonProductUnavailable},
	"69": {"Harga seller lebih besar dari ketentuan harga Buyer", classNoTx, flows.ReasonProductUnavailable},
	"70": {"Timeout Dari Biller", classFailed, flows.ReasonFailed},
	"71": {"Produk Sedang Tidak Stabil", classFailed, flows.ReasonProductUnavailable},
	"72": {"Lakukan Unreg Paket Dahulu", classFailed, flows.ReasonFailed},
	"73": {"Kwh Melebihi Batas", classFailed, flows.ReasonFailed},
	"74": {"Transaksi Refund", classFailed, flows.ReasonFailed},
	"80": {"Akun Anda telah diblokir oleh Seller", classMisconfigured, flows.ReasonServiceUnavailable},
	"81": {"Seller ini telah diblokir oleh Anda", classNoTx, flows.ReasonServiceUnavailable},
	"82": {"Akun Anda belum ter-verifikasi", classMisconfigured, flows.ReasonServiceUnavailable},
	"83": {"Limitasi pricelist", classNoTx, flows.ReasonServiceUnavailable},
	"84": {"Nominal tidak valid", classFailed, flows.ReasonFailed},
	"85": {"Limitasi transaksi", classUnknown, ""},
	"86": {"Limitasi cek nomor PLN", classUnknown, ""},
	"87": {"Nominal harus kelipatan 1.000", classNoTx, flows.ReasonFailed},
	"88": {"Akun tidak dapat melakukan aksi ini", classMisconfigured, flows.ReasonServiceUnavailable},
	"99": {"DF Router Issue", classPending, ""},
}
