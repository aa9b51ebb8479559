package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"topupbot/flows"
)

// The README must stand alone in a clone: operators read it on a server that
// has the repo and nothing beside it.
func TestReadmeStandsAlone(t *testing.T) {
	t.Parallel()
	readme := readRepoFile(t, "README.md")
	if strings.Contains(readme, "../") {
		for i, line := range strings.Split(readme, "\n") {
			if strings.Contains(line, "../") {
				t.Errorf("README.md:%d points outside the repo: %s", i+1, line)
			}
		}
	}
	// Every relative link names a file that is in the repo.
	for _, m := range regexp.MustCompile(`\]\(([^)#:]+)(#[^)]*)?\)`).FindAllStringSubmatch(readme, -1) {
		if _, err := os.Stat(m[1]); err != nil {
			t.Errorf("README links to %s, which is not in the repo", m[1])
		}
	}
	if !strings.Contains(readme, "## Money rules") {
		t.Error("README has no Money rules section of its own")
	}
}

// The sample conversation at the top shows the whole menu, Tagihan included.
func TestReadmeSampleMenuHasEveryCategory(t *testing.T) {
	t.Parallel()
	readme := readRepoFile(t, "README.md")
	start := strings.Index(readme, "> /start\n")
	if start < 0 {
		t.Fatal("README has no sample /start")
	}
	menu := readme[start:]
	menu = menu[:strings.Index(menu, "\n> ")]
	for _, c := range flows.Categories {
		if !strings.Contains(menu, "] "+c.Name) {
			t.Errorf("README's sample menu lacks %q:\n%s", c.Name, menu)
		}
	}
}

// The systemd unit the README installs is in the repo and runs the binary
// the way run expects.
func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	unit := readRepoFile(t, "topupbot.service")
	for _, want := range []string{
		"ExecStart=/usr/local/bin/topupbot -config /etc/topupbot/config.toml",
		"KillSignal=SIGTERM",
		"Restart=on-failure",
		"StateDirectory=topupbot",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("topupbot.service lacks %q", want)
		}
	}
	// systemd must wait longer than the bot's own bound on shutdown, or it
	// kills deliveries in flight.
	if !strings.Contains(unit, "TimeoutStopSec=45s") || shutdownTimeout.Seconds() >= 45 {
		t.Errorf("TimeoutStopSec must exceed shutdownTimeout (%s)", shutdownTimeout)
	}
	if !strings.Contains(readRepoFile(t, "README.md"), "topupbot.service") {
		t.Error("README does not say how to install topupbot.service")
	}
}

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
