package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"testing/synctest"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRunWithoutTerminal runs the program as it runs in a pipe, in virtual
// time: ten progress lines, then the summary with the failed items.
func TestRunWithoutTerminal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		if err := run(context.Background(), &out, false, 1000, 8, 300); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 11 {
			t.Fatalf("got %d lines, want 10 progress lines and a summary:\n%s", len(lines), out.String())
		}
		if lines[0] != "progress:  10% (100/1000, 0 failed)" || lines[9] != "progress: 100% (1000/1000, 3 failed)" {
			t.Fatalf("progress lines:\n%s", out.String())
		}
		if !strings.Contains(lines[10], "3 failed [299 599 899]") {
			t.Fatalf("summary: %q", lines[10])
		}
	})
}

// TestRunWithBar drives the progress bar into a buffer.
func TestRunWithBar(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		if err := run(context.Background(), &out, true, 200, 8, 0); err != nil {
			t.Fatal(err)
		}
		if s := out.String(); !strings.Contains(s, "200/200") || !strings.Contains(s, "0 failed []") {
			t.Fatalf("output:\n%s", s)
		}
	})
}

// TestRunInterrupted cancels the run halfway: every item in progress is
// interrupted and run reports the stop.
func TestRunInterrupted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var out bytes.Buffer
		errc := make(chan error, 1)
		go func() { errc <- run(ctx, &out, false, 1000, 4, 0) }()
		synctest.Wait()
		cancel()
		err := <-errc
		if err == nil || !strings.Contains(err.Error(), "stopped") {
			t.Fatalf("got %v, want the run stopped", err)
		}
	})
}
