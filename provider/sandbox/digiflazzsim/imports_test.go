package digiflazzsim

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDoesNotImportTheClients keeps the simulator an independent reading of
// Digiflazz's documents: it may not depend on the client or on the
// clients' shared transport.
func TestDoesNotImportTheClients(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "topupbot/provider/digiflazz" || dep == "topupbot/provider/internal/wire" {
			t.Errorf("the simulator depends on %s", dep)
		}
	}
}
