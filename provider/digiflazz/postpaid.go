package digiflazz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// billCutoff is the hour (Asia/Jakarta) at which an inquiry stops being
// payable: Digiflazz pays a bill only on the day of its inquiry, and
// billers close for the night around 23:00.
const billCutoff = 23

// billRequest is a postpaid command's body. Payment and status go under the
// inquiry's ref_id with the inquiry's sku and number.
func (c *Client) billRequest(command, refID, sku, customerNo string) txRequest {
	return txRequest{
		Commands:     command,
		Username:     c.username,
		BuyerSKUCode: sku,
		CustomerNo:   customerNo,
		RefID:        refID,
		Sign:         c.sign(refID),
		Testing:      c.testing,
	}
}

// InquireBill asks Digiflazz for a bill (inq-pasca) under req.RefID, which
// the payment reuses. The bill is payable until 23:00 Asia/Jakarta of the
// inquiry day.
func (c *Client) InquireBill(ctx context.Context, req flows.BillRequest) (flows.Bill, error) {
	op := "digiflazz: inq-pasca " + req.RefID
	now := c.now()
	body := c.billRequest("inq-pasca", req.RefID, req.ProductCode, req.CustomerNumber)
	d, err := c.transaction(ctx, op, body)
	if err != nil {
		return flows.Bill{}, err
	}
	res, err := classify(op, body.expect(), d, false)
	switch {
	case err != nil:
		return flows.Bill{}, err
	case res.Status == flows.StatusFailed:
		// No money moves on an inquiry: a failed one is a refusal.
		return flows.Bill{}, &flows.ProviderError{Kind: flows.KindRejected, Op: op, RC: res.RC, Message: res.Message, Reason: res.Reason}
	case res.Status != flows.StatusSuccess:
		return flows.Bill{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, RC: res.RC, Message: res.Message, Err: errors.New("inquiry still pending")}
	}
	if !d.SellingPrice.Set && !d.Price.Set {
		return flows.Bill{}, c.wire.Unknown(op, "inquiry answer without price", nil)
	}
	total := d.SellingPrice.Value
	if !d.SellingPrice.Set {
		total = d.Price.Value
	}
	amount := total - d.Admin.Value
	if amount < 0 {
		amount = 0
	}
	details, period := descLines(d.Desc)
	if d.Periode != "" {
		period = string(d.Periode)
	}
	wib := now.In(flows.WIB)
	return flows.Bill{
		RefID:          req.RefID,
		ProductCode:    req.ProductCode,
		CustomerNumber: req.CustomerNumber,
		CustomerName:   strings.TrimSpace(string(d.CustomerName)),
		Period:         period,
		Amount:         amount,
		AdminFee:       d.Admin.Value,
		Total:          total,
		Cost:           d.Price.Value,
		Expires:        time.Date(wib.Year(), wib.Month(), wib.Day(), billCutoff, 0, 0, 0, flows.WIB),
		Details:        details,
		// Digiflazz pays under the inquiry's own ref_id: that is its id.
		ProviderTxID: req.RefID,
		Months:       req.Months,
	}, nil
}

// payRef is the ref a bill is paid and checked under: the inquiry's.
func payRef(bill flows.Bill) string {
	if bill.ProviderTxID != "" {
		return bill.ProviderTxID
	}
	return bill.RefID
}

// PayBill pays an inquired bill (pay-pasca under the inquiry's ref_id). It
// is never to be called twice for one bill: a lost answer is resolved with
// CheckBill.
func (c *Client) PayBill(ctx context.Context, bill flows.Bill) (flows.Result, error) {
	ref := payRef(bill)
	op := "digiflazz: pay-pasca " + ref
	if bill.Expired(c.now()) {
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindRejected, Op: op, Reason: flows.ReasonBillExpired,
			Err: fmt.Errorf("inquiry expired at %s", bill.Expires.Format(time.RFC3339))}
	}
	body := c.billRequest("pay-pasca", ref, bill.ProductCode, bill.CustomerNumber)
	d, err := c.transaction(ctx, op, body)
	if err != nil {
		return flows.Result{}, err
	}
	return classify(op, body.expect(), d, false)
}

// CheckBill asks whether a bill payment went through (status-pasca under
// the inquiry's ref_id). rc 50, no such payment, is flows.KindNotFound; a
// refusal without a transaction says nothing about the payment, and
// neither does a Sukses without the payment's sn.
func (c *Client) CheckBill(ctx context.Context, bill flows.Bill) (flows.Result, error) {
	ref := payRef(bill)
	op := "digiflazz: status-pasca " + ref
	body := c.billRequest("status-pasca", ref, bill.ProductCode, bill.CustomerNumber)
	d, err := c.transaction(ctx, op, body)
	if err != nil {
		return flows.Result{}, err
	}
	if d.RC == "50" && strings.EqualFold(strings.TrimSpace(string(d.Status)), "gagal") {
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindNotFound, Op: op, RC: "50", Message: string(d.Message)}
	}
	res, err := classify(op, body.expect(), d, true)
	if err == nil && res.Status == flows.StatusSuccess && res.SN == "" {
		// A paid bill carries the biller's reference; a Sukses without one
		// may be the inquiry's record, which is no payment (DESIGN rule 8).
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, RC: res.RC, Message: res.Message,
			Err: errors.New("status Sukses without a payment reference (sn)")}
	}
	return res, err
}

// descLines renders an inquiry's desc object as lines for the bill card and
// the periods it lists. Unknown keys are left out rather than shown raw.
func descLines(raw json.RawMessage) (lines []string, period string) {
	if len(raw) == 0 {
		return nil, ""
	}
	var desc struct {
		Tarif         flex.String `json:"tarif"`
		Daya          flex.String `json:"daya"`
		LembarTagihan flex.String `json:"lembar_tagihan"`
		JumlahPeserta flex.String `json:"jumlah_peserta"`
		Alamat        flex.String `json:"alamat"`
		Detail        []struct {
			Periode      flex.String `json:"periode"`
			NilaiTagihan flex.Int    `json:"nilai_tagihan"`
			Admin        flex.Int    `json:"admin"`
			Denda        flex.Int    `json:"denda"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(raw, &desc); err != nil {
		return nil, ""
	}
	if desc.Tarif != "" || desc.Daya != "" {
		daya := string(desc.Daya)
		if daya != "" {
			daya += "VA"
		}
		lines = append(lines, "Tarif/Daya: "+strings.Trim(string(desc.Tarif)+"/"+daya, "/"))
	}
	for _, l := range []struct{ label, v string }{
		{"Lembar tagihan", string(desc.LembarTagihan)},
		{"Jumlah peserta", string(desc.JumlahPeserta)},
		{"Alamat", string(desc.Alamat)},
	} {
		if v := strings.TrimSpace(l.v); v != "" {
			lines = append(lines, l.label+": "+v)
		}
	}
	var periods []string
	for _, row := range desc.Detail {
		p := strings.TrimSpace(string(row.Periode))
		if p == "" {
			continue
		}
		periods = append(periods, p)
		line := "Periode " + p + ": " + flows.FormatRupiah(row.NilaiTagihan.Value)
		if row.Denda.Value > 0 {
			line += ", denda " + flows.FormatRupiah(row.Denda.Value)
		}
		lines = append(lines, line)
	}
	if len(periods) > 0 {
		period = strings.Join(periods, ",")
		if len(periods) > 3 {
			period = strconv.Itoa(len(periods)) + " bulan"
		}
	}
	return lines, period
}
