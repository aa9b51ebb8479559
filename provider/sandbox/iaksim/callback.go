package iaksim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// iakCallbackBody is IAK's callback (docs/prepaid/callback.md): the
// check-status fields with every value a string, plus the sign.
type iakCallbackBody struct {
	RefID          string `json:"ref_id"`
	Status         string `json:"status"`
	ProductCode    string `json:"product_code"`
	CustomerID     string `json:"customer_id"`
	Price          string `json:"price"`
	Message        string `json:"message"`
	SN             string `json:"sn,omitempty"`
	PIN            string `json:"pin,omitempty"`
	ActivationCode string `json:"activation_code,omitempty"`
	Balance        string `json:"balance"`
	TrID           string `json:"tr_id"`
	RC             string `json:"rc"`
	Sign           string `json:"sign"`
}

// iakMaxCallbackBackoff caps the doubling wait between callback attempts.
const iakMaxCallbackBackoff = time.Hour

// queueCallbackLocked starts delivering tx's callback, if a URL is
// configured and the simulator is open. The goroutine is counted in s.life
// under s.mu, so Close — which sets closed under s.mu before waiting — never
// misses one.
func (s *Server) queueCallbackLocked(tx *iakTx) {
	if s.opts.CallbackURL == "" || s.closed {
		return
	}
	body, err := json.Marshal(iakData{iakCallbackBody{
		RefID:          tx.refID,
		Status:         strconv.Itoa(tx.status),
		ProductCode:    tx.product.code,
		CustomerID:     tx.customerID,
		Price:          strconv.FormatInt(tx.price, 10),
		Message:        tx.message,
		SN:             tx.sn,
		PIN:            tx.pin,
		ActivationCode: tx.esim,
		Balance:        strconv.FormatInt(s.deposit.Balance(), 10),
		TrID:           strconv.FormatInt(tx.trID, 10),
		RC:             tx.rc,
		Sign:           iakSign(s.opts.Username, s.opts.APIKey, tx.refID),
	}})
	if err != nil {
		s.log.Error("encoding callback", "ref_id", tx.refID, "err", err)
		return
	}
	s.life.Go(func() { s.deliverCallback(tx.refID, body) })
}

// deliverCallback POSTs a callback until a 2xx answer, retrying transport
// errors and other statuses with a doubling backoff, CallbackAttempts times
// in all. IAK does not document what it expects back; any 2xx counts.
func (s *Server) deliverCallback(ref string, body []byte) {
	backoff := s.opts.CallbackBackoff
	for attempt := 1; attempt <= s.opts.CallbackAttempts; attempt++ {
		if attempt > 1 {
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-s.life.Context().Done():
				t.Stop()
				return
			}
			backoff = min(2*backoff, iakMaxCallbackBackoff)
		}
		err := s.postCallback(body)
		if err == nil {
			s.log.Info("callback delivered", "ref_id", ref, "attempt", attempt)
			return
		}
		if s.life.Context().Err() != nil {
			return
		}
		s.log.Warn("callback failed", "ref_id", ref, "attempt", attempt, "err", err)
	}
	s.log.Error("callback given up", "ref_id", ref, "attempts", s.opts.CallbackAttempts)
}

func (s *Server) postCallback(body []byte) error {
	req, err := http.NewRequestWithContext(s.life.Context(), http.MethodPost, s.opts.CallbackURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.opts.CallbackClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}
