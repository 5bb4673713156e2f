package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun runs the program and checks, section by section, that each
// resource is opened once and closed once, in reverse order of opening, and
// what each section reports.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	sections := strings.Split(out.String(), "\n2. ")
	if len(sections) != 2 {
		t.Fatalf("output lacks section 2:\n%s", out.String())
	}
	first := sections[0]
	for _, want := range []string{
		"GET /greet/1  → 200 Hello, Ada Lovelace!",
		"GET /greet/2  → 200 Hello, Grace Hopper!",
		"GET /greet/99 → 404 user 99: user not found",
		"report: Grace Hopper, Ada Lovelace",
		"GET /greet/1   → 200 Hello, Test User!",
		`error: layer: build "db pool": open bad://nowhere: database unreachable`,
		`failed layer: "db pool" (errors.Is ErrUnreachable: true)`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	events := func(s string) (opened, closed []string) {
		for _, l := range strings.Split(s, "\n") {
			l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "·"))
			switch {
			case strings.HasPrefix(l, "open db pool"), strings.HasPrefix(l, "open audit log"):
				opened = append(opened, strings.Fields(l)[1])
			case strings.HasPrefix(l, "close"):
				closed = append(closed, strings.Fields(l)[1])
			}
		}
		return opened, closed
	}
	opened, closed := events(first)
	if len(opened) != 2 || strings.Count(first, "load config") != 1 {
		t.Fatalf("section 1 must load the config once and open two resources:\n%s", first)
	}
	slices.Reverse(opened)
	if !slices.Equal(closed, opened) {
		t.Fatalf("section 1: closed %q, want the reverse of the opening order", closed)
	}
	third := out.String()[strings.Index(out.String(), "\n3. "):strings.Index(out.String(), "\n4. ")]
	if strings.Contains(third, "db pool") {
		t.Fatalf("with the fake repository, the pool must not be opened:\n%s", third)
	}
	fourth := out.String()[strings.Index(out.String(), "\n4. "):]
	if _, c := events(fourth); !slices.Equal(c, []string{"audit"}) || !strings.Contains(fourth, "open audit log") {
		t.Fatalf("section 4: the audit log opened beside the failing pool, and only it, must be closed:\n%s", fourth)
	}
}
