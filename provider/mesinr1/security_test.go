package mesinr1

import (
	"context"
	"strings"
	"testing"

	"topupbot/flows"
	"topupbot/internal/testlog"
	"topupbot/provider/internal/wire"
)

// TestOversizedAnswerIsUnknown: an answer over 16 MB, a success record at
// its start, is unknown for a send and a look-up alike, and its bytes do
// not reach the error.
func TestOversizedAnswerIsUnknown(t *testing.T) {
	body := `{"status":"success","rc":"00","data":{"ref_1":"R1","status":1,"sn":"SN1","msg":"` +
		strings.Repeat("x", wire.MaxAnswer) + `"}}`
	c, _ := cannedClient(t, func(string, map[string]any) (int, string) { return 200, body })
	for name, call := range map[string]func() error{
		"place": func() error { _, err := c.Place(context.Background(), order("R1", "IS5", phone("7890"))); return err },
		"check": func() error {
			_, err := c.Check(context.Background(), flows.OrderRequest{RefID: "R1", Acknowledged: true})
			return err
		},
	} {
		err := call()
		if kindOf(err) != flows.KindUnknown {
			t.Errorf("%s: %v, want unknown", name, err)
		}
		if err != nil && len(err.Error()) > 1024 {
			t.Errorf("%s: a %d-byte error", name, len(err.Error()))
		}
	}
}

// TestEchoedKeyNeverLogged: a platform echoing the rqid in a product list
// it answers with puts it in no log line (Products logs what it skips).
func TestEchoedKeyNeverLogged(t *testing.T) {
	logs := testlog.New(t, testKey)
	c, _ := cannedClient(t, func(path string, _ map[string]any) (int, string) {
		if path == "product-categories" {
			return 200, `{"status":"success","data":[{"id":1,"code":"PULSA","name":"PULSA","type":"PRABAYAR"}]}`
		}
		return 200, `{"status":"success","data":[{"kode":"` + testKey + `","nama":"x","kategori":"` + testKey + `","harga":"1"},` +
			`{"kode":"K2","kategori":"PULSA","harga":"` + testKey + `"}]}`
	})
	c.log = logs.Logger()
	products, err := c.Products(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(products) != 0 {
		t.Errorf("products %+v", products)
	}
	if !logs.Contains("products skipped") {
		t.Errorf("nothing logged: %s", logs)
	}
}
