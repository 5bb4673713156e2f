package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var defaults = Config{Lines: 150, Window: 20 * time.Second, Parsers: 4}

// The output does not depend on how the sources interleave: several runs,
// with several numbers of parsers, print the same windows.
func TestOutputIsDeterministic(t *testing.T) {
	want, err := os.ReadFile("testdata/default.golden")
	if err != nil {
		t.Fatal(err)
	}
	for _, parsers := range []int{1, 2, 4, 16} {
		cfg := defaults
		cfg.Parsers = parsers
		var out bytes.Buffer
		if err := run(context.Background(), &out, cfg); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("parsers %d: got\n%s\nwant\n%s", parsers, out.Bytes(), want)
		}
	}
}

func TestCancelStopsThePipeline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	err := run(ctx, &out, Config{Lines: 1_000_000, Window: time.Second, Parsers: 4})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v want a cancellation", err)
	}
	// goleak (TestMain) checks that every fiber of the pipeline has ended.
}

func TestWindowsCloseOnTheWatermark(t *testing.T) {
	w := newWindows(10*time.Second, "a", "b")
	ev := func(src string, sec int) Event {
		return Event{Source: src, Time: time.Duration(sec) * time.Second, Level: "INFO"}
	}
	var got []string
	for _, e := range []Event{ev("a", 1), ev("a", 12), ev("b", 3), ev("b", 25), ev("a", 31), {Source: "a", EOF: true}, {Source: "b", EOF: true}} {
		for _, win := range w.add(e) {
			got = append(got, clock(win.Start)+" "+string(rune('0'+win.Levels["INFO"])))
		}
	}
	// [0,10) closes when b reaches 25 (a is at 12), [10,20) when a reaches
	// 31 (b is at 25), and the rest when both sources have ended.
	want := []string{"00:00:00 2", "00:00:10 1", "00:00:20 1", "00:00:30 1"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q want %q", got, want)
	}
}
