package flows

import "testing"

// TestTableConsistent: every state the table names has a prompt, no state
// and event have two rows, and every command is in the table once.
func TestTableConsistent(t *testing.T) {
	seen := map[[2]string]bool{}
	for _, row := range table {
		for _, s := range []State{row.From, row.To} {
			if _, ok := prompts[s]; !ok {
				t.Errorf("state %q has no prompt", s)
			}
		}
		k := [2]string{string(row.From), string(row.On)}
		if seen[k] {
			t.Errorf("two rows for %q on %q", row.From, row.On)
		}
		seen[k] = true
	}
	names := map[string]bool{}
	for _, c := range commands {
		if names[c.Name] {
			t.Errorf("command /%s listed twice", c.Name)
		}
		names[c.Name] = true
		if c.Who != forBuyers && c.Who != forAdmins {
			t.Errorf("command /%s: unknown audience %q", c.Name, c.Who)
		}
		if c.InGroup != nil && c.Who != forBuyers {
			t.Errorf("command /%s: InGroup is for buyers' commands", c.Name)
		}
	}
}
