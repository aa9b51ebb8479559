package flows

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestReadGameID(t *testing.T) {
	const ml, ff, dn, bleach = "{userid}|{zoneid}", "{userid}", "{rolename}|{serverid}", "{rolename}|{userid}|{serverid}"
	for _, tc := range []struct {
		format string
		have   []string
		typed  string
		want   []string
		err    error
	}{
		// Both at once, in the forms players type.
		{ml, nil, "156378300 (8483)", []string{"156378300", "8483"}, nil},
		{ml, nil, "156378300(8483)", []string{"156378300", "8483"}, nil},
		{ml, nil, "156378300|8483", []string{"156378300", "8483"}, nil},
		{ml, nil, "156378300 8483", []string{"156378300", "8483"}, nil},
		{ml, nil, " 156378300 / 8483 ", []string{"156378300", "8483"}, nil},
		// One at a time.
		{ml, nil, "156378300", []string{"156378300"}, nil},
		{ml, []string{"156378300"}, "8483", []string{"156378300", "8483"}, nil},
		{ml, []string{"156378300"}, "(8483)", []string{"156378300", "8483"}, nil},
		// The whole id on the second step, repeating the first part; one
		// with another first part is a slip.
		{ml, []string{"156378300"}, "156378300 (8483)", []string{"156378300", "8483"}, nil},
		{ml, []string{"156378300"}, "8483 1", []string{"156378300"}, NumberBadGameID},
		// Mistakes.
		{ml, nil, "abc", nil, NumberBadGameID},
		{ml, nil, "", nil, NumberBadGameID},
		{ml, nil, "1 2 3", nil, NumberBadGameID},
		{ml, []string{"156378300"}, "84x", []string{"156378300"}, NumberBadGameID},
		{ml, []string{"156378300"}, "", []string{"156378300"}, NumberBadGameID},
		{ml, nil, "123456789012345678901", nil, NumberBadGameID},
		// One part wanted: two numbers are not run together.
		{ff, nil, "123456789", []string{"123456789"}, nil},
		{ff, nil, "12345678 1234", nil, NumberBadGameID},
		// A character's name typed alone may have spaces; its server next.
		{dn, nil, "Budi Keren", []string{"Budi Keren"}, nil},
		{dn, []string{"Budi Keren"}, "1234", []string{"Budi Keren", "1234"}, nil},
		{dn, nil, "Budi 1234", []string{"Budi", "1234"}, nil},
		{dn, nil, "a|b", nil, NumberBadGameID},
		{dn, nil, "Budi\x00", nil, NumberBadGameID},
		{bleach, []string{"Budi"}, "12345678", []string{"Budi", "12345678"}, nil},
		{bleach, []string{"Budi", "12345678"}, "1234", []string{"Budi", "12345678", "1234"}, nil},
		{bleach, []string{"Budi", "12345678", "1234"}, "5", nil, NumberBadGameID},
	} {
		got, err := readGameID(tc.format, tc.have, tc.typed)
		if !errors.Is(err, tc.err) && !(err == nil && tc.err == nil) || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("readGameID(%q, %q, %q) = %q, %v; want %q, %v", tc.format, tc.have, tc.typed, got, err, tc.want, tc.err)
		}
	}
}

func TestGameFields(t *testing.T) {
	labels := func(fs []gameField) string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Name+"="+f.Label)
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		lang          Lang
		brand, format string
		want          string
	}{
		{LangID, "Mobile Legend", "{userid}|{zoneid}", "userid=User ID,zoneid=Zone ID"},
		{LangID, "MOBILE LEGENDS", "{userid}|{zoneid}", "userid=User ID,zoneid=Zone ID"},
		{LangID, "Free Fire", "{userid}", "userid=Player ID"},
		{LangID, "Genshin Impact", "{userid}|{serverid}", "userid=UID,serverid=Server ID"},
		{LangID, "Dragon Nest", "{rolename}|{serverid}", "rolename=Nama karakter,serverid=Server ID"},
		{LangEN, "Dragon Nest", "{rolename}|{serverid}", "rolename=Character name,serverid=Server ID"},
		{LangID, "LoL Wild Rift", "{userid}|{tag}", "userid=Riot ID,tag=Tagline"},
		// Unknown to the table: the format's own words.
		{LangID, "Some New Game", "{userid}|{playerzone}", "userid=User ID,playerzone=playerzone"},
		{LangID, "Some New Game", "", "userid=User ID"},
	} {
		if got := labels(gameFields(tc.lang, tc.brand, tc.format)); got != tc.want {
			t.Errorf("gameFields(%s, %q, %q) = %s, want %s", tc.lang, tc.brand, tc.format, got, tc.want)
		}
	}
	ml := gameFields(LangID, "Mobile Legend", "{userid}|{zoneid}")
	if got := fieldLabels(LangID, ml); got != "User ID dan Zone ID" {
		t.Errorf("fieldLabels = %q", got)
	}
	if got := allAtOnceExample(ml); got != "12345678 (1234)" {
		t.Errorf("allAtOnceExample = %q", got)
	}
	if got := fieldLabels(LangEN, gameFields(LangEN, "Bleach", "{rolename}|{userid}|{serverid}")); got != "Character name, User ID and Server ID" {
		t.Errorf("fieldLabels of three = %q", got)
	}
}

// TestCustomerLines: the receipt labels a game id's parts and names the
// account; other orders, and game orders written before the format was
// recorded, keep the number.
func TestCustomerLines(t *testing.T) {
	for _, tc := range []struct {
		o    Order
		want string
	}{
		{Order{Lang: "id", Brand: "Mobile Legend", NumberFormat: "{userid}|{zoneid}", CustomerNumber: "156378300|8483", CustomerName: "budi"},
			"User ID: <code>156378300</code>\nZone ID: <code>8483</code>\nNama akun: budi"},
		{Order{Lang: "en", Brand: "Free Fire", NumberFormat: "{userid}", CustomerNumber: "123456789"},
			"Player ID: <code>123456789</code>"},
		{Order{Lang: "en", Brand: "Mobile Legend", NumberFormat: "{userid}|{zoneid}", CustomerNumber: "156378300|8483", CustomerName: "<b>x</b>"},
			"User ID: <code>156378300</code>\nZone ID: <code>8483</code>\nNickname: &lt;b&gt;x&lt;/b&gt;"},
		{Order{Lang: "id", CustomerNumber: "156378300|8483"}, "Nomor: <code>156378300|8483</code>"},
		{Order{Lang: "id", CustomerNumber: "12345678901", CustomerName: "Sintya"}, "Nomor: <code>12345678901</code>\nNama: Sintya"},
		// A number that does not have the format's parts is shown whole.
		{Order{Lang: "id", Brand: "Mobile Legend", NumberFormat: "{userid}|{zoneid}", CustomerNumber: "156378300"}, "Nomor: <code>156378300</code>"},
	} {
		r := receiptLines{lang: Lang(tc.o.Lang), o: &tc.o}
		r.customer()
		if got := strings.Join(r.lines, "\n"); got != tc.want {
			t.Errorf("the receipt's customer lines of %+v =\n%s\nwant\n%s", tc.o, got, tc.want)
		}
	}
}

// FuzzReadGameID: whatever is typed, step by step, the parts read are
// never more than the format has, never contain the provider's separator,
// and an id of digits read whole reads the same again.
func FuzzReadGameID(f *testing.F) {
	for _, s := range []string{"156378300 (8483)", "156378300|8483", "156378300", "Budi Keren", "a|b", "1 2 3", "\xff", "٣٤٥", ""} {
		f.Add(byte(0), s, "8483")
	}
	f.Fuzz(func(t *testing.T, kind byte, first, second string) {
		p := fuzzKinds[int(kind)%len(fuzzKinds)]
		if p.Number != NumberGameID {
			return
		}
		format := p.gameFormat()
		fields := formatFields(format)
		have, err := readGameID(format, nil, first)
		if err == nil && len(have) < len(fields) {
			have, err = readGameID(format, have, second)
		}
		if len(have) > len(fields) {
			t.Fatalf("%q, %q: %d parts for %d fields", first, second, len(have), len(fields))
		}
		for _, part := range have {
			if part == "" || strings.Contains(part, "|") || !printable(part) {
				t.Fatalf("%q, %q: part %q", first, second, part)
			}
		}
		if err != nil || len(have) != len(fields) {
			return
		}
		id := strings.Join(have, "|")
		// Ids are digits; a name or a tag typed alone may hold brackets or
		// spaces, which the whole form reads as separators.
		if strings.Contains(format, "rolename") || strings.Contains(format, "tag") {
			return
		}
		if again, err := readGameID(format, nil, id); err == nil && strings.Join(again, "|") != id {
			t.Fatalf("%q, %q: %q reads again as %q", first, second, id, again)
		}
		if lines := gameFieldLines(LangID, gameFields(LangID, p.Brand, format), id); lines == "" {
			t.Fatalf("%q has no labelled lines", id)
		}
	})
}
