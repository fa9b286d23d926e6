package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeSetUp holds the README's "Set up" to what a newcomer meets:
// the Go version of go.mod, the slow first build, the fonts the page needs,
// and exactly two commands: one starts the demo, one runs the tests.
func TestReadmeSetUp(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(mod)
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	text := string(readme)
	start := strings.Index(text, "\n## Set up\n")
	if start < 0 {
		t.Fatal(`README has no "## Set up" section`)
	}
	setUp := text[start+1:]
	if end := strings.Index(setUp[3:], "\n## "); end >= 0 {
		setUp = setUp[:end+3]
	}
	flat := strings.Join(strings.Fields(setUp), " ")
	for _, want := range []string{"Go " + string(goLine[1]) + " or newer", "a few minutes", "fonts-noto-cjk", "fonts-noto-color-emoji"} {
		if !strings.Contains(flat, want) {
			t.Errorf("Set up does not say %q", want)
		}
	}
	if v := regexp.MustCompile(`Go (\d+\.\d+(\.\d+)?)`).FindAllStringSubmatch(text, -1); len(v) > 0 {
		for _, m := range v {
			if m[1] != string(goLine[1]) {
				t.Errorf("README names Go %s; go.mod says %s", m[1], goLine[1])
			}
		}
	}
	var commands []string
	for _, line := range strings.Split(setUp, "\n") {
		if strings.HasPrefix(line, "    ") && strings.TrimSpace(line) != "" {
			commands = append(commands, strings.TrimSpace(line))
		}
	}
	if len(commands) != 2 || commands[0] != "go run ./cmd/kiosk" || !strings.HasPrefix(commands[1], "go test") {
		t.Errorf("Set up commands %q: want exactly go run ./cmd/kiosk and one go test", commands)
	}
}
