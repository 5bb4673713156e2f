// Command logpipeline aggregates logs with a gogoscope stream: three
// in-memory log sources are merged, each line is parsed on up to four
// fibers at once, and the counts per level are printed for every 20-second
// window of event time as soon as the window is complete.
//
// The sources are built three ways: from a generator (stream.Unfold), from a
// Go iterator (stream.FromSeq), and from a stream.Channel that another fiber
// writes into, as a process tailing a file would. Malformed lines are
// counted and skipped. The program needs no service and ends on its own;
// its output is the same at every run, because windows are closed by a
// watermark of event time, not by the wall clock. Interrupt it (Ctrl-C) and
// the pipeline stops, its fibers ended and its channel closed, before it
// exits.
//
//	go run ./examples/logpipeline
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/stream"
)

// Eff and S are the program's aliases for the effects and streams it
// writes: they need no environment and fail with an error. st makes its
// streams and channels of that kind without type arguments.
type (
	Eff[A any] = eff.Effect[A]
	S[A any]   = stream.Stream[any, error, A]
)

var st = stream.For[any]()

// Config holds the program's settings.
type Config struct {
	Lines   int           // lines per source
	Window  time.Duration // the width of a window of event time
	Parsers int           // lines parsed at once
}

func main() {
	cfg := Config{}
	flag.IntVar(&cfg.Lines, "lines", 150, "lines per source")
	flag.DurationVar(&cfg.Window, "window", 20*time.Second, "window of event time")
	flag.IntVar(&cfg.Parsers, "parsers", 4, "lines parsed at once")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "logpipeline:", err)
		os.Exit(1)
	}
}

// run runs the pipeline and prints its windows and summary to out.
func run(ctx context.Context, out io.Writer, cfg Config) error {
	var malformed atomic.Int64

	// A scope owns the worker's channel: it is closed when the program's
	// effect ends, however it ends.
	prog := eff.Scoped(st.MakeChannel[string](64).FlatMap(func(workerCh *stream.Channel[string]) Eff[int] {
		lines := stream.Merge(
			webLogs(cfg.Lines),
			apiLogs(cfg.Lines),
			st.FromChannel(workerCh),
		)

		// Parse up to cfg.Parsers lines at once; keep the merged order, so
		// that each source's events stay in order for the windowing. A
		// malformed line is counted and skipped.
		type parsed struct {
			e  Event
			ok bool
		}
		events := lines.MapEffect(func(line string) Eff[parsed] {
			return parse(line).Map(func(e Event) parsed { return parsed{e, true} }).
				Catch(func(error) Eff[parsed] {
					malformed.Add(1)
					return eff.Succeed(parsed{})
				})
		}, stream.Par{Limit: cfg.Parsers}).
			FilterMap(func(p parsed) (Event, bool) { return p.e, p.ok })

		// Count events in windows; a window comes out once complete.
		windowed := stream.Unwrap(eff.Sync(func() S[Window] {
			w := newWindows(cfg.Window, "web", "api", "worker")
			return events.FlatMap(func(e Event) S[Window] { return st.FromSlice(w.add(e)) })
		}))

		printed := windowed.Tap(func(w Window) Eff[struct{}] {
			return eff.Do(func(context.Context) error { _, err := fmt.Fprintln(out, w); return err })
		}).Fold(0, func(n int, w Window) int {
			for _, c := range w.Levels {
				n += c
			}
			return n
		})

		// The worker's log is written into its channel by a fiber of this
		// scope, running alongside the pipeline.
		return eff.Fork(workerLogs(cfg.Lines, workerCh)).FlatMap(func(*eff.Fiber[struct{}]) Eff[int] {
			return printed
		})
	}))

	total, err := eff.Run(ctx, prog)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d lines counted, %d malformed lines skipped\n", total, malformed.Load())
	return nil
}
