package iak

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// postpaidPath is where every postpaid command is posted, on PostpaidURL.
const postpaidPath = "/api/v1/bill/check"

// PostpaidItem is one biller in IAK's postpaid pricelist.
type PostpaidItem struct {
	Code       string
	Name       string
	Type       string // pln, bpjs, pdam, …
	Fee        int64  // admin fee charged to the customer
	Commission int64  // what IAK gives back to the reseller per payment
	Active     bool
	Province   string // PDAM only
}

func (it PostpaidItem) product() flows.Product {
	return flows.Product{
		Code:      it.Code,
		Name:      it.Name,
		Category:  flows.CategoryBill,
		Brand:     strings.ToUpper(it.Type),
		Kind:      flows.Postpaid,
		Available: it.Active,
		Number:    flows.NumberBill,
	}
}

// PostpaidPricelist lists the billers, all of them or of one type ("pln",
// "bpjs", "pdam"…).
func (c *Client) PostpaidPricelist(ctx context.Context, billType string) ([]PostpaidItem, error) {
	op := "iak: pricelist-pasca"
	path := postpaidPath
	if billType != "" {
		path += "/" + url.PathEscape(billType)
		op += " " + billType
	}
	body := map[string]string{"commands": "pricelist-pasca", "username": c.username, "sign": c.sign("pl"), "status": "all"}
	raw, _, err := c.post(ctx, op, c.postpaidURL+path, body)
	if err != nil {
		return nil, err
	}
	var d struct {
		Pasca []struct {
			Code     flex.String `json:"code"`
			Name     flex.String `json:"name"`
			Status   flex.Int    `json:"status"`
			Fee      flex.Int    `json:"fee"`
			Komisi   flex.Int    `json:"komisi"`
			Type     flex.String `json:"type"`
			Province flex.String `json:"province"`
		} `json:"pasca"`
		ResponseCode flex.String `json:"response_code"`
		Message      flex.String `json:"message"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, Err: fmt.Errorf("decoding pricelist: %w", err)}
	}
	if d.ResponseCode != "" && d.ResponseCode != "00" {
		return nil, simpleError(op, string(d.ResponseCode), string(d.Message), postpaidCodes)
	}
	out := make([]PostpaidItem, 0, len(d.Pasca))
	for _, it := range d.Pasca {
		if it.Code == "" {
			continue
		}
		out = append(out, PostpaidItem{
			Code:       string(it.Code),
			Name:       strings.TrimSpace(string(it.Name)),
			Type:       strings.ToLower(string(it.Type)),
			Fee:        it.Fee.Value,
			Commission: it.Komisi.Value,
			Active:     it.Status.Value == 1, // 1 active, 4 non active
			Province:   string(it.Province),
		})
	}
	return out, nil
}

// billData is an inquiry, payment or check-status answer.
type billData struct {
	TrID         flex.String     `json:"tr_id"`
	Code         flex.String     `json:"code"`
	HP           flex.String     `json:"hp"`
	TrName       flex.String     `json:"tr_name"`
	Period       flex.String     `json:"period"`
	Nominal      flex.Int        `json:"nominal"`
	Admin        flex.Int        `json:"admin"`
	RefID        flex.String     `json:"ref_id"`
	ResponseCode flex.String     `json:"response_code"`
	RC           flex.String     `json:"rc"`
	Message      flex.String     `json:"message"`
	Price        flex.Int        `json:"price"`
	SellingPrice flex.Int        `json:"selling_price"`
	Balance      flex.Int        `json:"balance"`
	NoRef        flex.String     `json:"noref"`
	NoRefAlt     flex.String     `json:"no_ref"` // the XML example's spelling
	Status       flex.Int        `json:"status"`
	Desc         json.RawMessage `json:"desc"`
}

func (d billData) rc() string {
	if d.ResponseCode != "" {
		return string(d.ResponseCode)
	}
	return string(d.RC)
}

func (d billData) noRef() string {
	if d.NoRef != "" {
		return string(d.NoRef)
	}
	return string(d.NoRefAlt)
}

func (d billData) result(status flows.Status, reason flows.Reason) flows.Result {
	price := d.SellingPrice.Value
	if !d.SellingPrice.Set {
		price = d.Price.Value
	}
	return flows.Result{
		Status:       status,
		SN:           d.noRef(),
		Price:        price,
		ProviderTxID: string(d.TrID),
		Acknowledged: d.TrID != "" && d.TrID != "0",
		RC:           d.rc(),
		Message:      string(d.Message),
		Balance:      d.Balance.Value,
		BalanceKnown: d.Balance.Set,
		Reason:       reason,
	}
}

func (c *Client) postBill(ctx context.Context, op string, body map[string]any) (billData, error) {
	raw, _, err := c.post(ctx, op, c.postpaidURL+postpaidPath, body)
	if err != nil {
		return billData{}, err
	}
	var d billData
	if err := json.Unmarshal(raw, &d); err != nil {
		return billData{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, Err: fmt.Errorf("decoding answer %s: %w", snippet(raw), err)}
	}
	return d, nil
}

// billCutoff is the hour (Asia/Jakarta) at which an IAK inquiry stops being
// payable: inquiry and payment must happen on the same day, and PLN closes at
// 23:00.
const billCutoff = 23

// InquireBill asks IAK for a bill (inq-pasca). The bill is payable until
// 23:00 Asia/Jakarta of the inquiry day.
func (c *Client) InquireBill(ctx context.Context, req flows.BillRequest) (flows.Bill, error) {
	op := "iak: inq-pasca " + req.RefID
	body := map[string]any{
		"commands": "inq-pasca",
		"username": c.username,
		"code":     req.ProductCode,
		"hp":       req.CustomerNumber,
		"ref_id":   req.RefID,
		"sign":     c.sign(req.RefID),
	}
	if req.Months > 0 {
		body["month"] = strconv.Itoa(req.Months)
	}
	now := c.now()
	d, err := c.postBill(ctx, op, body)
	if err != nil {
		return flows.Bill{}, err
	}
	if rc := d.rc(); rc != "00" {
		if rc == "" {
			return flows.Bill{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, Message: string(d.Message), Err: fmt.Errorf("answer without response_code")}
		}
		return flows.Bill{}, simpleError(op, rc, string(d.Message), postpaidCodes)
	}
	if d.RefID != "" && string(d.RefID) != req.RefID {
		return flows.Bill{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, Err: fmt.Errorf("answer is for ref_id %q", d.RefID)}
	}
	if d.TrID == "" || d.TrID == "0" || !d.Price.Set {
		return flows.Bill{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, Err: fmt.Errorf("inquiry answer lacks tr_id or price")}
	}
	wib := now.In(flows.WIB)
	return flows.Bill{
		RefID:          req.RefID,
		ProductCode:    req.ProductCode,
		CustomerNumber: req.CustomerNumber,
		CustomerName:   strings.TrimSpace(string(d.TrName)),
		Period:         string(d.Period),
		Amount:         d.Nominal.Value,
		AdminFee:       d.Admin.Value,
		Total:          d.Price.Value,
		Cost:           d.SellingPrice.Value,
		Expires:        time.Date(wib.Year(), wib.Month(), wib.Day(), billCutoff, 0, 0, 0, flows.WIB),
		Details:        descLines(d.Desc),
		ProviderTxID:   string(d.TrID),
		Months:         req.Months,
	}, nil
}

// PayBill pays an inquired bill (pay-pasca with the inquiry's tr_id). It is
// never to be called twice for one bill: a lost answer is resolved with
// CheckBill. Per DESIGN rule 8, rc 05, 39, 91, 92, 103, 105, 201 or no
// answer leave the payment unknown.
func (c *Client) PayBill(ctx context.Context, bill flows.Bill) (flows.Result, error) {
	op := "iak: pay-pasca " + bill.RefID
	if bill.Expired(c.now()) {
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindRejected, Op: op, Reason: flows.ReasonBillExpired, Err: fmt.Errorf("inquiry expired at %s", bill.Expires.Format(time.RFC3339))}
	}
	if bill.ProviderTxID == "" {
		return flows.Result{}, &flows.ProviderError{Kind: flows.KindRejected, Op: op, Reason: flows.ReasonBillExpired, Err: fmt.Errorf("bill has no inquiry tr_id")}
	}
	body := map[string]any{
		"commands": "pay-pasca",
		"username": c.username,
		"tr_id":    bill.ProviderTxID,
		"sign":     c.sign(bill.ProviderTxID),
	}
	d, err := c.postBill(ctx, op, body)
	if err != nil {
		return flows.Result{}, err
	}
	rc := d.rc()
	perr := func(kind flows.ErrorKind, reason flows.Reason, why string) error {
		e := &flows.ProviderError{Kind: kind, Op: op, RC: rc, Message: string(d.Message), Reason: reason}
		if why != "" {
			e.Err = fmt.Errorf("%s", why)
		}
		return e
	}
	if (d.RefID != "" && string(d.RefID) != bill.RefID) || (d.TrID != "" && string(d.TrID) != bill.ProviderTxID) {
		return flows.Result{}, perr(flows.KindUnknown, "", fmt.Sprintf("answer is for ref_id %q tr_id %q", d.RefID, d.TrID))
	}
	info, known := postpaidCodes[rc]
	switch {
	case rc == "" || !known:
		return flows.Result{}, perr(flows.KindUnknown, "", "")
	case info.class == classSuccess:
		return d.result(flows.StatusSuccess, ""), nil
	case rc == "39":
		return d.result(flows.StatusPending, ""), nil
	case info.class == classFailed:
		return flows.Result{}, perr(flows.KindRejected, info.reason, "")
	case info.class == classMisconfigured, info.class == classBadRequest:
		return flows.Result{}, perr(flows.KindMisconfigured, info.reason, "")
	}
	return flows.Result{}, perr(flows.KindUnknown, "", "")
}

// CheckBill asks whether a bill payment went through (checkstatus, by the
// inquiry's ref_id). The status decides: 1 paid, 2 failed, 3 in process, and
// 0 — IAK never received the payment — comes back as flows.KindNotFound.
// Without a status: rc 00 paid, 37 failed, 39 and 42 pending.
func (c *Client) CheckBill(ctx context.Context, bill flows.Bill) (flows.Result, error) {
	op := "iak: checkstatus " + bill.RefID
	body := map[string]any{
		"commands": "checkstatus",
		"username": c.username,
		"ref_id":   bill.RefID,
		"sign":     c.sign("cs"),
	}
	d, err := c.postBill(ctx, op, body)
	if err != nil {
		return flows.Result{}, err
	}
	rc := d.rc()
	perr := func(kind flows.ErrorKind, why string) error {
		e := &flows.ProviderError{Kind: kind, Op: op, RC: rc, Message: string(d.Message)}
		if why != "" {
			e.Err = fmt.Errorf("%s", why)
		}
		return e
	}
	if d.RefID != "" && string(d.RefID) != bill.RefID {
		return flows.Result{}, perr(flows.KindUnknown, fmt.Sprintf("answer is for ref_id %q", d.RefID))
	}
	if info, ok := postpaidCodes[rc]; ok && info.class == classMisconfigured {
		return flows.Result{}, perr(flows.KindMisconfigured, "")
	}
	if d.Status.Set {
		switch d.Status.Value {
		case 1:
			return d.result(flows.StatusSuccess, ""), nil
		case 2:
			return d.result(flows.StatusFailed, flows.ReasonFailed), nil
		case 3:
			return d.result(flows.StatusPending, ""), nil
		case 0:
			return flows.Result{}, perr(flows.KindNotFound, "payment request not received")
		}
		return flows.Result{}, perr(flows.KindUnknown, fmt.Sprintf("unknown status %d", d.Status.Value))
	}
	switch rc {
	case "00":
		return d.result(flows.StatusSuccess, ""), nil
	case "37":
		return d.result(flows.StatusFailed, flows.ReasonFailed), nil
	case "39", "42":
		return d.result(flows.StatusPending, ""), nil
	}
	return flows.Result{}, perr(flows.KindUnknown, "")
}

// descLines renders the product-specific desc object of an inquiry as lines
// for the bill card. Unknown keys are left out rather than shown raw.
func descLines(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var desc map[string]any
	if err := json.Unmarshal(raw, &desc); err != nil {
		return nil
	}
	var lines []string
	text := func(key string) string {
		v, ok := desc[key]
		if !ok || v == nil {
			return ""
		}
		switch v := v.(type) {
		case string:
			return strings.TrimSpace(v)
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	}
	if tarif, daya := text("tarif"), text("daya"); tarif != "" || daya != "" {
		lines = append(lines, "Tarif/Daya: "+strings.Trim(tarif+"/"+daya+"VA", "/"))
	}
	labels := []struct{ key, label string }{
		{"lembar_tagihan", "Lembar tagihan"},
		{"jumlah_peserta", "Jumlah peserta"},
		{"nama_cabang", "Cabang"},
		{"pdam_name", "PDAM"},
		{"address", "Alamat"},
		{"due_date", "Jatuh tempo"},
	}
	for _, l := range labels {
		if v := text(l.key); v != "" {
			lines = append(lines, l.label+": "+v)
		}
	}
	if tagihan, ok := desc["tagihan"].(map[string]any); ok {
		if rows, ok := tagihan["detail"].([]any); ok {
			for _, r := range rows {
				row, ok := r.(map[string]any)
				if !ok {
					continue
				}
				if line := detailLine(row); line != "" {
					lines = append(lines, line)
				}
			}
		}
	}
	return lines
}

// detailLine renders one tagihan.detail row: "Periode 201608: Rp 300.000,
// denda Rp 0". Amounts arrive as strings or numbers.
func detailLine(row map[string]any) string {
	amount := func(key string) (int64, bool) {
		switch v := row[key].(type) {
		case string:
			n, err := flex.ParseInt(strings.TrimSpace(v))
			return n, err == nil
		case float64:
			n, err := flex.ParseInt(strconv.FormatFloat(v, 'f', -1, 64))
			return n, err == nil
		}
		return 0, false
	}
	period, _ := row["periode"].(string)
	if period == "" {
		return ""
	}
	parts := []string{}
	if n, ok := amount("nilai_tagihan"); ok {
		parts = append(parts, flows.FormatRupiah(n))
	}
	if n, ok := amount("denda"); ok && n > 0 {
		parts = append(parts, "denda "+flows.FormatRupiah(n))
	}
	return "Periode " + period + ": " + strings.Join(parts, ", ")
}
