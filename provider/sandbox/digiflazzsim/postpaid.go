package digiflazzsim

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"topupbot/provider/sandbox"
)

// bill is an inquiry, held under its ref_id; its payment, once made, is
// the transaction under the same ref.
type bill struct {
	ref, sku, customerNo string
	name                 string
	amount, admin        int64
	sellingPrice, price  int64
	period               string
	inquired             time.Time
	paid                 bool
}

func (b *bill) answer(balance int64) map[string]any {
	return map[string]any{
		"ref_id":           b.ref,
		"customer_no":      b.customerNo,
		"customer_name":    b.name,
		"buyer_sku_code":   b.sku,
		"admin":            b.admin,
		"message":          rcMessage["00"],
		"status":           StatusSuccess,
		"rc":               "00",
		"sn":               "",
		"buyer_last_saldo": balance,
		"price":            b.price,
		"selling_price":    b.sellingPrice,
		"periode":          b.period,
		"desc": map[string]any{
			"tarif":          "R1",
			"daya":           1300,
			"lembar_tagihan": "1",
			"detail": []map[string]any{
				{"periode": b.period, "nilai_tagihan": b.amount, "admin": b.admin, "denda": 0},
			},
		},
	}
}

// Signature is the X-Hub-Signature of body under secret:
// "sha1=" + hex HMAC-SHA1.
func Signature(secret string, body []byte) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(body)
	return "sha1=" + hex.EncodeToString(m.Sum(nil))
}

func (s *Server) inquire(w http.ResponseWriter, req request) {
	ref, no := string(req.RefID), string(req.CustomerNo)
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.bills[ref]; ok {
		if b.sku == string(req.BuyerSKUCode) && b.customerNo == no {
			writeData(w, http.StatusOK, b.answer(s.deposit.Balance()))
			return
		}
		writeData(w, http.StatusOK, s.refusal(req, "49"))
		return
	}
	if _, ok := s.txs[ref]; ok {
		writeData(w, http.StatusOK, s.refusal(req, "49"))
		return
	}
	p, ok := lookup(string(req.BuyerSKUCode), true)
	if !ok {
		writeData(w, http.StatusOK, s.refusal(req, "43"))
		return
	}
	if strings.HasSuffix(no, "3") {
		writeData(w, http.StatusOK, s.refusal(req, "60"))
		return
	}
	now := s.opts.Now()
	amount := int64(150_000)
	if p.SKU == "bpjs" {
		amount = 102_000
	}
	b := &bill{
		ref: ref, sku: p.SKU, customerNo: no,
		name:   "PELANGGAN " + sandbox.Code("ABCDEFGHIJKLMNOPRSTUW", 6, no),
		amount: amount, admin: p.Admin,
		sellingPrice: amount + p.Admin, price: amount + p.Admin - 500,
		period: now.Format("200601"), inquired: now,
	}
	s.bills[ref] = b
	writeData(w, http.StatusOK, b.answer(s.deposit.Balance()))
}

func (s *Server) pay(w http.ResponseWriter, req request) {
	ref, no := string(req.RefID), string(req.CustomerNo)
	s.mu.Lock()
	b, ok := s.bills[ref]
	switch {
	case !ok:
		body := s.refusal(req, "50")
		s.mu.Unlock()
		writeData(w, http.StatusOK, body)
		return
	case b.sku != string(req.BuyerSKUCode) || b.customerNo != no:
		body := s.refusal(req, "49")
		s.mu.Unlock()
		writeData(w, http.StatusOK, body)
		return
	}
	if t, ok := s.txs[ref]; ok {
		body := t.answer()
		s.mu.Unlock()
		writeData(w, http.StatusOK, body)
		return
	}
	if !s.deposit.Covers(b.price) {
		body := s.refusal(req, "44")
		s.mu.Unlock()
		writeData(w, http.StatusOK, body)
		return
	}
	now := s.opts.Now()
	t := &tx{
		Transaction: Transaction{
			RefID: ref, SKU: b.sku, CustomerNo: no, Testing: req.testing(), Postpaid: true,
			Status: StatusPending, RC: "03", Price: b.price, Created: now,
		},
		final: StatusSuccess,
	}
	t.balance = s.deposit.Debit(b.price)
	s.txs[ref] = t
	b.paid = true
	pending := false
	switch {
	case strings.HasSuffix(no, "2"):
		s.finish(t, StatusFailed, now)
		b.paid = false
	case strings.HasSuffix(no, "4"):
		pending = true
	default:
		s.finish(t, StatusSuccess, now)
	}
	body, status := t.answer(), t.Status
	s.mu.Unlock()
	// A transaction final at once is reported before its answer leaves,
	// so that whoever reads the answer can count on the report.
	if !pending && s.onSettle != nil {
		s.onSettle(ref, status, now)
	}
	writeData(w, http.StatusOK, body)
	if pending {
		s.schedule(ref)
	}
}

func (s *Server) status(w http.ResponseWriter, req request) {
	ref := string(req.RefID)
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.txs[ref]
	if !ok || !t.Postpaid {
		writeData(w, http.StatusOK, s.refusal(req, "50"))
		return
	}
	writeData(w, http.StatusOK, t.answer())
}
