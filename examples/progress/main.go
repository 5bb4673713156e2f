// Command progress processes a few thousand items, at most a few at a time,
// and shows how far it got as a progress bar: effect.ForEachPar's
// OnProgress drives github.com/schollz/progressbar. When stdout is not a
// terminal (a pipe, a CI log) it prints a line every tenth of the way
// instead. Each item takes a few milliseconds; some fail, and the run goes
// on (Collect mode) and lists them at the end. Ctrl-C interrupts every item
// in progress and stops.
//
//	go run ./examples/progress
//	go run ./examples/progress -n 5000 -limit 32 | cat
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

// Eff is the effect shape of this program: no environment, error failures.
type Eff[A any] = eff.Effect[A]

// errCorrupt is what the items that fail fail with.
var errCorrupt = errors.New("corrupt record")

func main() {
	n := flag.Int("n", 3000, "number of items")
	limit := flag.Int("limit", 16, "items processed at once")
	failEvery := flag.Int("fail-every", 397, "every how many items one fails (0: none)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, term.IsTerminal(int(os.Stdout.Fd())), *n, *limit, *failEvery); err != nil {
		fmt.Fprintln(os.Stderr, "progress:", err)
		os.Exit(1)
	}
}

// run processes n items, at most limit at once, reporting progress to w: as
// a bar when tty is set, as lines otherwise.
func run(ctx context.Context, w io.Writer, tty bool, n, limit, failEvery int) error {
	items := make([]int, n)
	for i := range items {
		items[i] = i
	}
	report := newReporter(w, tty, n)
	start := time.Now()
	exits, err := effect.Run(ctx, effect.Settle(items, func(i int) Eff[int] { return process(i, failEvery) },
		effect.Par{Limit: limit, Mode: effect.Collect, OnProgress: report}), nil)
	if err != nil {
		return fmt.Errorf("stopped: %w", err)
	}
	sum, failed := 0, []int{}
	for i, x := range exits {
		if v, err := x.Get(); err != nil {
			failed = append(failed, i)
		} else {
			sum += v
		}
	}
	fmt.Fprintf(w, "processed %d items in %v, %d at a time: checksum %d, %d failed %v\n",
		n, time.Since(start).Round(time.Millisecond), limit, sum, len(failed), failed)
	return nil
}

// process is the work on one item: a few milliseconds of waiting (standing
// for I/O), then a result, or a failure for every failEvery-th item.
func process(i, failEvery int) Eff[int] {
	work := eff.Try(func(context.Context) (int, error) {
		if failEvery > 0 && i%failEvery == failEvery-1 {
			return 0, fmt.Errorf("item %d: %w", i, errCorrupt)
		}
		return i % 7, nil
	})
	return eff.Sleep(time.Duration(1+i%5) * time.Millisecond).AndThen(work)
}

// newReporter returns the OnProgress callback. ForEachPar serializes its
// calls, so neither the bar nor the line printer needs a lock.
func newReporter(w io.Writer, tty bool, total int) func(effect.Progress) {
	if tty {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("processing"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(50*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		)
		return func(p effect.Progress) {
			if p.Failed > 0 {
				bar.Describe(fmt.Sprintf("processing (%d failed)", p.Failed))
			}
			_ = bar.Set(p.Done)
		}
	}
	next := 1
	return func(p effect.Progress) {
		for next <= 10 && p.Done*10 >= next*p.Total {
			fmt.Fprintf(w, "progress: %3d%% (%d/%d, %d failed)\n", next*10, p.Done, p.Total, p.Failed)
			next++
		}
	}
}
