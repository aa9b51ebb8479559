package flows

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsStayInward keeps flows the core: it may import only the standard
// library — no project package, no Telegram, bbolt, cron or net/http.
func TestImportsStayInward(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	forbidden := []string{"topupbot/", "telegram", "bbolt", "robfig/cron", "net/http"}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "topupbot/flows" {
			continue
		}
		for _, f := range forbidden {
			if strings.Contains(dep, f) {
				t.Errorf("flows depends on %s", dep)
			}
		}
		// Standard library packages have no dot in their first path element.
		if first, _, _ := strings.Cut(dep, "/"); strings.Contains(first, ".") {
			t.Errorf("flows depends on non-standard package %s", dep)
		}
	}
}
