package iaksim

import "net/http"

// iakPlayers are the game accounts inquiry-game knows, by game code and
// customer_id: IAK's documented sandbox case (providers.md §1.2.8).
var iakPlayers = map[string]map[string]string{
	"103": {"156378300|8483": "budi"},
}

// iakInquiryGameBody is inquiry-game's answer; its status is a number,
// unlike inquiry-pln's (game-id.md).
type iakInquiryGameBody struct {
	Username string `json:"username,omitempty"`
	Status   int    `json:"status"`
	Message  string `json:"message"`
	RC       string `json:"rc"`
}

// handleInquiryGame answers as IAK's sandbox does: game code 103 with
// 156378300|8483 is SUCCESS and names the player; 103 with any other id is
// INCORRECT DESTINATION NUMBER (14); every other game code CODE NOT FOUND
// (20).
func (s *Server) handleInquiryGame(w http.ResponseWriter, r *http.Request) {
	req, ok := s.openPrepaid(w, r, "inquiry-game", func(q iakRequest) string { return string(q.GameCode) })
	if !ok {
		return
	}
	game, customer := string(req.GameCode), string(req.CustomerID)
	if bad := iakRequire([2]string{"game_code", game}, [2]string{"customer_id", customer}); bad != nil {
		s.writePrepaidBadRequest(w, bad)
		return
	}
	rc, name := "20", ""
	if players, known := iakPlayers[game]; known {
		rc = "14"
		if n, ok := players[customer]; ok {
			rc, name = "00", n
		}
	}
	body := iakInquiryGameBody{Status: 2, Message: iakPrepaidMessage(rc), RC: rc}
	if rc == "00" {
		body.Status, body.Username = 1, name
	}
	s.log.Info("inquiry-game", "game_code", game, "rc", rc)
	s.writeJSON(w, http.StatusOK, iakData{body})
}
