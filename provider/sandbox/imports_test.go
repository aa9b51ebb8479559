package sandbox

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSimulatorsDoNotImportTheClients keeps the simulators an independent
// reading of the providers' documents: neither they nor this base may
// depend on a client's code or on the clients' shared transport.
func TestSimulatorsDoNotImportTheClients(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".", "./iaksim", "./mesinr1sim", "./digiflazzsim", "./tripaysim").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	forbidden := []string{"topupbot/provider/iak", "topupbot/provider/mesinr1", "topupbot/provider/internal/wire", "topupbot/provider/tripay", "topupbot/provider/digiflazz"}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f {
				t.Errorf("a simulator depends on %s", dep)
			}
		}
	}
}
