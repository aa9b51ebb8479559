package iak

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"topupbot/flows"
	"topupbot/provider/internal/flex"
)

var _ flows.GameInquirer = (*Client)(nil)

// gameCodes are IAK's numeric game codes (game-format.md, providers.md
// §1.7), which inquiry-game takes instead of a product code. A game is
// found by its brand's letters and digits containing the key, so "Mobile
// Legend", "MOBILE LEGENDS" and "Mobile Legends: Bang Bang" are all 103.
var gameCodes = []struct {
	key, code string
}{
	{"mobilelegend", "103"},
	{"freefire", "135"},
	{"ragnarok", "127"},
	{"pointblank", "130"},
	{"speeddrifter", "136"},
	{"arenaofvalor", "139"},
	{"bleach", "140"},
	{"eraofcelestial", "141"},
	{"dragonnest", "142"},
	{"callofduty", "146"},
	{"marvelsuperwar", "150"},
	{"lightofthel", "152"},
	{"lordsmobile", "153"},
	{"lifeafter", "154"},
	{"genshin", "172"},
	{"wildrift", "176"},
}

// gameCode returns IAK's game code of a brand, or "".
func gameCode(brand string) string {
	key := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, brand)
	for _, g := range gameCodes {
		if strings.Contains(key, g.key) {
			return g.code
		}
	}
	return ""
}

// InquireGame looks up the nickname of a game account (inquiry-game,
// providers.md §1.2.8). A game IAK has no code for here, or one IAK answers
// CODE NOT FOUND (20) or INQUIRY NOT NEEDED (143) for, has no check:
// flows.ErrNoGameCheck. INCORRECT DESTINATION NUMBER (14) is no such
// account: KindRejected.
func (c *Client) InquireGame(ctx context.Context, game, accountID string) (string, error) {
	gc := gameCode(game)
	if gc == "" {
		return "", fmt.Errorf("iak: inquiry-game %q: %w", game, flows.ErrNoGameCheck)
	}
	op := "iak: inquiry-game " + gc + " " + accountID
	body := map[string]string{"username": c.username, "game_code": gc, "customer_id": accountID, "sign": c.sign(gc)}
	raw, _, err := c.post(ctx, op, c.prepaidURL+"/api/inquiry-game", body)
	if err != nil {
		return "", err
	}
	var d struct {
		Username flex.String `json:"username"`
		Status   flex.String `json:"status"`
		Message  flex.String `json:"message"`
		RC       flex.String `json:"rc"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return "", &flows.ProviderError{Kind: flows.KindUnknown, Op: op, Err: fmt.Errorf("decoding answer %s: %w", snippet(raw), err)}
	}
	switch {
	case d.RC == "20" || d.RC == "143":
		return "", fmt.Errorf("%s: rc %s %s: %w", op, d.RC, d.Message, flows.ErrNoGameCheck)
	case d.RC != "00" && d.RC != "":
		return "", simpleError(op, string(d.RC), string(d.Message), prepaidCodes)
	case d.RC == "" || (d.Status != "" && d.Status != "1") || d.Username == "":
		// Here status is a number: 1 success. An answer that says neither
		// success nor a refusal names nobody.
		return "", &flows.ProviderError{Kind: flows.KindUnknown, Op: op, RC: string(d.RC), Message: string(d.Message),
			Err: fmt.Errorf("status %q, username %q", d.Status, d.Username)}
	}
	return string(d.Username), nil
}
