package config

import (
	"reflect"
	"strings"
	"testing"

	"topupbot/flows"
)

// TestConfigPriceLevels decodes the example: a named level keeps
// its own markups only, the default's per-category markups are not
// inherited.
func TestConfigPriceLevels(t *testing.T) {
	cfg, err := Parse([]byte(configFile(map[string]string{
		"pricing.markup": "500", "pricing.category.pulsa": "200", "pricing.category.pln": "2500",
		"pricing.level.reseller.markup": "300", "pricing.level.reseller.category.pln": "1000",
		"pricing.level.agen.markup": "100",
	})), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*flows.Pricing{
		"reseller": {Markup: 300, Category: map[flows.CategoryID]int64{"pln": 1000}},
		"agen":     {Markup: 100},
	}
	if !reflect.DeepEqual(cfg.Pricing.Level, want) {
		t.Fatalf("levels %+v, want %+v", cfg.Pricing.Level, want)
	}
	for _, tc := range []struct {
		level string
		cat   flows.CategoryID
		want  int64
		known bool
	}{
		{"", "pulsa", 200, true}, {"default", "pln", 2500, true}, {"default", "data", 500, true},
		{"reseller", "pln", 1000, true}, {"reseller", "pulsa", 300, true}, {"reseller", "data", 300, true},
		{"agen", "pln", 100, true}, {"gone", "pulsa", 200, false},
	} {
		p, known := cfg.Pricing.AtLevel(tc.level)
		if got := p.For(tc.cat); got != tc.want || known != tc.known {
			t.Errorf("level %q category %s: markup %d known %v, want %d %v", tc.level, tc.cat, got, known, tc.want, tc.known)
		}
	}
}

func TestConfigPriceLevelProblems(t *testing.T) {
	for _, tc := range []struct {
		name      string
		overrides map[string]string
		want      string
	}{
		{"markup negative", map[string]string{"pricing.level.reseller.markup": "-1"},
			"pricing.level.reseller.markup is -1: a markup cannot be negative (0 sells at the provider's price)"},
		{"category markup negative", map[string]string{"pricing.level.reseller.category.pln": "-5"},
			"pricing.level.reseller.category.pln is -5: a markup cannot be negative (0 sells at the provider's price)"},
		{"unknown category", map[string]string{"pricing.level.reseller.category.pulse": "5"},
			"unknown key pricing.level.reseller.category.pulse: the categories are pulsa, data, pln, game, emoney, voucher, esim, tagihan"},
		{"default reserved", map[string]string{"pricing.level.default.markup": "5"},
			`pricing.level.default: "default" is reserved for [pricing] itself: give the level another name`},
		{"name charset", map[string]string{`pricing.level."Re Seller".markup`: "5"},
			`pricing.level.Re Seller: a level's name is 1 to 32 lower-case letters, digits, '-' or '_'`},
		{"nested level", map[string]string{"pricing.level.reseller.level.sub.markup": "5"},
			"pricing.level.reseller.level: a level has no levels of its own"},
		{"markup as text", map[string]string{"pricing.level.reseller.markup": `"Rp 1.500"`},
			`pricing.level.reseller.markup: found "Rp 1.500" (text in quotes); write a whole number of rupiah, without quotes or dots: markup = 1500`},
		{"unknown key", map[string]string{"pricing.level.reseller.markupp": "5"},
			"unknown key pricing.level.reseller.markupp: did you mean"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(configFile(tc.overrides)), noEnv)
			got := errLines(err)
			if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
				t.Errorf("problems:\n got %q\nwant one starting %q", got, tc.want)
			}
		})
	}
}
