// Command file-processor reads every file of a directory tree as a stream:
// the walk is lazy (a file is found when the pipeline pulls it), at most
// -limit files are read at once (stream.MapEffect with a limit, results in
// walk order), a progress bar follows the files as they complete, and a
// summary by extension, the files that could not be processed and a digest
// of the whole tree are printed at the end. A file that cannot be processed
// (above -max-size here) is reported, not fatal. Ctrl-C interrupts the
// reads in progress — each checks its ctx between chunks and closes its
// file — and stops the walk.
//
// Without -dir it processes a sample tree that it writes to a temporary
// directory and removes afterwards. When stdout is not a terminal it prints
// a line at each quarter instead of the bar.
//
//	go run ./examples/file-processor
//	go run ./examples/file-processor -dir . -limit 8
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"sort"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/stream"
)

func main() {
	dir := flag.String("dir", "", "the tree to process (default: a sample tree)")
	limit := flag.Int("limit", 4, "files read at once")
	maxSize := flag.Int64("max-size", 1<<20, "largest file processed, in bytes")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, term.IsTerminal(int(os.Stdout.Fd())), *dir, *limit, *maxSize); err != nil {
		fmt.Fprintln(os.Stderr, "file-processor:", err)
		os.Exit(1)
	}
}

// run processes the tree at dir (a sample tree when dir is empty), limit
// files at once, and prints the progress and the summary to w: a bar when
// tty is set, lines otherwise.
func run(ctx context.Context, w io.Writer, tty bool, dir string, limit int, maxSize int64) error {
	if limit < 1 {
		return fmt.Errorf("-limit must be at least 1, got %d", limit)
	}
	name := dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "file-processor-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if err := writeSampleTree(tmp); err != nil {
			return err
		}
		dir, name = tmp, "the sample tree"
	}
	files := stream.FromSeq2[any](walk(dir))
	total, err := eff.Run(ctx, files.Count()) // a first, cheap walk for the bar's total
	if err != nil {
		return fmt.Errorf("walk %s: %w", name, err)
	}
	fmt.Fprintf(w, "%d files in %s, %d read at once\n", total, name, limit)

	p := &Processor{Root: dir, MaxSize: maxSize}
	report := newReporter(w, tty, total)
	start := time.Now()
	summary, err := eff.Run(ctx, pipeline(files, p, limit, report))
	if err != nil {
		return fmt.Errorf("stopped: %w", err)
	}
	summary.print(w)
	if tty {
		fmt.Fprintf(w, "done in %v\n", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// pipeline returns the effect that processes the files of the stream,
// limit at a time, calls report after each in walk order, and adds them up.
func pipeline(files stream.Stream[any, error, string], p *Processor, limit int, report func(Stats)) eff.Effect[*Summary] {
	return files.
		MapEffect(p.Process, stream.Par{Limit: limit}).
		Tap(func(st Stats) eff.Effect[struct{}] {
			return eff.Sync(func() struct{} { report(st); return struct{}{} })
		}).
		Fold(newSummary(), func(s *Summary, st Stats) *Summary { s.add(st); return s })
}

// Summary adds up the Stats of the files in walk order.
type Summary struct {
	byExt  map[string]*extTotal
	failed []Stats
	binary int
	digest io.Writer
	sum    func() []byte
}

type extTotal struct{ files, lines, bytes int64 }

func newSummary() *Summary {
	h := sha256.New()
	return &Summary{byExt: map[string]*extTotal{}, digest: h, sum: func() []byte { return h.Sum(nil) }}
}

func (s *Summary) add(st Stats) {
	if st.Err != nil {
		s.failed = append(s.failed, st)
		return
	}
	fmt.Fprintf(s.digest, "%s %x\n", st.Path, st.Sum)
	if st.Binary {
		s.binary++
		return
	}
	ext := path.Ext(st.Path)
	if ext == "" {
		ext = "(none)"
	}
	t := s.byExt[ext]
	if t == nil {
		t = &extTotal{}
		s.byExt[ext] = t
	}
	t.files++
	t.lines += int64(st.Lines)
	t.bytes += st.Bytes
}

func (s *Summary) print(w io.Writer) {
	exts := make([]string, 0, len(s.byExt))
	for e := range s.byExt {
		exts = append(exts, e)
	}
	sort.Strings(exts)
	fmt.Fprintln(w, "text files by extension:")
	for _, e := range exts {
		t := s.byExt[e]
		fmt.Fprintf(w, "  %-7s %4d files %7d lines %9d bytes\n", e, t.files, t.lines, t.bytes)
	}
	fmt.Fprintf(w, "binary files: %d\n", s.binary)
	fmt.Fprintf(w, "not processed: %d\n", len(s.failed))
	for _, st := range s.failed {
		fmt.Fprintf(w, "  %s: %v\n", st.Path, st.Err)
	}
	fmt.Fprintf(w, "digest of the tree: %s\n", hex.EncodeToString(s.sum())[:16])
}

// newReporter returns what runs after each file: a progress bar on a
// terminal, a line at each quarter otherwise. The stream calls it in walk
// order, one call at a time.
func newReporter(w io.Writer, tty bool, total int) func(Stats) {
	if tty {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("reading"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowBytes(false),
			progressbar.OptionThrottle(50*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		)
		return func(Stats) { _ = bar.Add(1) }
	}
	done, next := 0, 1
	return func(Stats) {
		done++
		for next <= 4 && done*4 >= next*total {
			fmt.Fprintf(w, "progress: %3d%% (%d/%d files)\n", next*25, done, total)
			next++
		}
	}
}
