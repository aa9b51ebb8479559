package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"version"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	if err != nil {
		t.Fatalf("run version: %v", err)
	}
	if !strings.HasPrefix(out.String(), "topupbot ") {
		t.Errorf("version output %q", out.String())
	}
}

func TestRunUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Fatalf("run frobnicate: err = %v, want unknown command", err)
	}
	if !strings.Contains(errOut.String(), "usage:") {
		t.Errorf("stderr %q lacks usage", errOut.String())
	}
}
