package config

import (
	"strings"
	"testing"
)

// TestSecretWording pins the words of the messages about a secret's value
// as the configuration before issue 10 wrote them: operators read them, and
// the reshaping renamed the type, not the text ("it is a secret").
func TestSecretWording(t *testing.T) {
	for _, tc := range []struct {
		name, file, want string
	}{
		{"mistyped", "[telegram]\ntoken = 123\n",
			`telegram.token: found a number; write it as one quoted string: token = "..." (the value is not shown: it is a secret)`},
		{"unquoted", "[telegram]\ntoken = 123:ABC\n",
			`toml: line 2 (last key "telegram.token"): cannot read it (the parser's message is withheld: it may quote the secret): write it once, as a quoted string: token = "..."`},
		{"control characters", "[telegram]\ntoken = \"123456:AAE-config-test-token-abcdefgh\"\n[provider]\nname = \"sandbox\"\n[provider.iak]\napi_key = \"a b\"\n",
			`provider.iak.api_key (or TOPUPBOT_IAK_API_KEY) contains white space or control characters: copy it again without them (the value is not shown: it is a secret)`},
		{"token shape", "[telegram]\ntoken = \"123456:short\"\n[provider]\nname = \"sandbox\"\n",
			`telegram.token (or TOPUPBOT_TELEGRAM_TOKEN) is too short after the colon, probably cut off: does not look like a bot token: @BotFather gives one like 123456789:AAE… (the bot's id, a colon, then about 35 letters, digits, - or _) (the value is not shown: it is a secret)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.file), nil)
			if err == nil {
				t.Fatal("Parse: no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse: got\n%s\nwant it to contain\n%s", err, tc.want)
			}
		})
	}
}
