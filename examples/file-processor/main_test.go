package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/stream"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const want = `
101 files in the sample tree, 4 read at once
progress:  25% (26/101 files)
progress:  50% (51/101 files)
progress:  75% (76/101 files)
progress: 100% (101/101 files)
text files by extension:
  (none)     1 files      12 lines       502 bytes
  .go       24 files    2239 lines     96962 bytes
  .json     24 files    1874 lines     81223 bytes
  .md       24 files    2304 lines     99525 bytes
  .txt      24 files    2404 lines    103846 bytes
binary files: 3
not processed: 1
  web/static/bundle.js.map: file-processor: too large (1742106 bytes, the limit is 1048576)
digest of the tree: 4b925e9d4afd1224
`

// TestRun processes the sample tree as `go run` does in a pipe and checks
// every line.
func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, false, "", 4, 1<<20); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != strings.TrimPrefix(want, "\n") {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}
}

// TestRunWithBar drives the progress bar into a buffer; the summary is the
// same whatever the limit.
func TestRunWithBar(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out, true, "", 16, 1<<20); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "101/101") || !strings.Contains(s, "digest of the tree: 4b925e9d4afd1224") {
		t.Fatalf("output:\n%s", s)
	}
}

// TestLimit: no more files are read at once than the limit, and the
// results come in walk order.
func TestLimit(t *testing.T) {
	dir := t.TempDir()
	if err := writeSampleTree(dir); err != nil {
		t.Fatal(err)
	}
	p := &Processor{Root: dir, MaxSize: 1 << 20}
	var paths []string
	_, err := eff.Run(context.Background(), pipeline(stream.FromSeq2[any](walk(dir)), p, 3, func(st Stats) { paths = append(paths, st.Path) }))
	if err != nil {
		t.Fatal(err)
	}
	if n := p.MaxInFlight(); n < 1 || n > 3 {
		t.Fatalf("%d files were read at once, want 1 to 3", n)
	}
	if len(paths) != 101 || !isSorted(paths) {
		t.Fatalf("got %d paths, in walk order: %v", len(paths), isSorted(paths))
	}
}

// isSorted reports whether paths are in WalkDir's lexical order of
// directories then names, which for these paths is byte order with "/"
// sorted first.
func isSorted(paths []string) bool {
	for i := 1; i < len(paths); i++ {
		if strings.ReplaceAll(paths[i-1], "/", "\x00") > strings.ReplaceAll(paths[i], "/", "\x00") {
			return false
		}
	}
	return true
}

// TestInterrupted cancels the run after ten files: the reads in progress
// stop, the walk stops, and Run's error is the cancel.
func TestInterrupted(t *testing.T) {
	dir := t.TempDir()
	if err := writeSampleTree(dir); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &Processor{Root: dir, MaxSize: 1 << 20}
	seen := 0
	_, err := eff.Run(ctx, pipeline(stream.FromSeq2[any](walk(dir)), p, 4, func(Stats) {
		if seen++; seen == 10 {
			cancel()
		}
	}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want the cancel", err)
	}
	if seen >= 101 {
		t.Fatalf("all %d files were reported after the cancel", seen)
	}
}

func TestBadLimit(t *testing.T) {
	if err := run(context.Background(), &strings.Builder{}, false, "", 0, 1); err == nil {
		t.Fatal("a limit of 0 was accepted")
	}
}
