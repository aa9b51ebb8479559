package digiflazz

import (
	"context"
	"strings"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

// InquireMeter looks up the owner of a PLN prepaid meter (inquiry-pln).
// A refusal (a wrong number, rc 54 or 57) is KindRejected with the reason.
func (c *Client) InquireMeter(ctx context.Context, customerNumber string) (flows.Meter, error) {
	op := "digiflazz: inquiry-pln " + customerNumber
	body := map[string]string{"username": c.username, "customer_no": customerNumber, "sign": c.sign(customerNumber)}
	raw, err := c.post(ctx, op, "inquiry-pln", body)
	if err != nil {
		return flows.Meter{}, err
	}
	var d struct {
		Status       flex.String `json:"status"`
		RC           flex.String `json:"rc"`
		Message      flex.String `json:"message"`
		CustomerNo   flex.String `json:"customer_no"`
		MeterNo      flex.String `json:"meter_no"`
		SubscriberID flex.String `json:"subscriber_id"`
		Name         flex.String `json:"name"`
		SegmentPower flex.String `json:"segment_power"`
	}
	if err := c.decode(op, raw, &d); err != nil {
		return flows.Meter{}, err
	}
	status := strings.ToLower(strings.TrimSpace(string(d.Status)))
	if d.RC != "00" || (status != "" && status != "sukses") {
		if d.RC == "" || d.RC == "00" {
			return flows.Meter{}, &flows.ProviderError{Kind: flows.KindUnknown, Op: op, RC: string(d.RC), Message: string(d.Message)}
		}
		return flows.Meter{}, refusal(op, string(d.RC), string(d.Message))
	}
	if d.Name == "" {
		return flows.Meter{}, c.wire.Unknown(op, "answer without name "+c.wire.Snippet(raw), nil)
	}
	customer := strings.TrimSpace(string(d.CustomerNo))
	if customer == "" {
		customer = customerNumber
	}
	return flows.Meter{
		CustomerNumber: customer,
		MeterNumber:    strings.TrimSpace(string(d.MeterNo)),
		SubscriberID:   strings.TrimSpace(string(d.SubscriberID)),
		Name:           strings.TrimSpace(string(d.Name)),
		SegmentPower:   strings.TrimSpace(string(d.SegmentPower)),
	}, nil
}
