package resource_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/resource"
)

func TestThrottleLeading(t *testing.T) {
	// Interval 100ms: a call with no window open runs at once and opens
	// one; calls in the window get that run's result.
	checkPlan(t, throttled(resource.ThrottleOptions{Interval: 100 * time.Millisecond}), 0,
		planMs(0, 1, 10, 2, 50, 3, 100, 4, 120, 5, 250, 6),
		runsMs(0, 1, 100, 4, 250, 6),
		[]string{"ran 1", "ran 1", "ran 1", "ran 4", "ran 4", "ran 6"})
	// The zero options: 300ms, leading.
	checkPlan(t, throttled(resource.ThrottleOptions{}), 0,
		planMs(0, 1, 299, 2, 300, 3),
		runsMs(0, 1, 300, 3),
		[]string{"ran 1", "ran 1", "ran 3"})
}

func TestThrottleTrailing(t *testing.T) {
	// The calls of a window run once at its end, with the last input; that
	// run opens the next window.
	checkPlan(t, throttled(resource.ThrottleOptions{Interval: 100 * time.Millisecond, Edges: resource.TrailingEdge}), 0,
		planMs(0, 1, 10, 2, 50, 3, 150, 4, 450, 5),
		runsMs(100, 3, 200, 4, 550, 5),
		[]string{"ran 3", "ran 3", "ran 3", "ran 4", "ran 5"})
}

func TestThrottleBothEdges(t *testing.T) {
	checkPlan(t, throttled(resource.ThrottleOptions{Interval: 100 * time.Millisecond, Edges: resource.LeadingEdge | resource.TrailingEdge}), 0,
		planMs(0, 1, 10, 2, 50, 3, 150, 4, 350, 5),
		runsMs(0, 1, 100, 3, 200, 4, 350, 5),
		[]string{"ran 1", "ran 3", "ran 3", "ran 4", "ran 5"})
}

func TestThrottleSlowRunsAndFailures(t *testing.T) {
	// A call in the window of a run still in progress waits for it; a
	// failure reaches every caller of the run.
	checkPlan(t, throttled(resource.ThrottleOptions{Interval: 100 * time.Millisecond}), 70*time.Millisecond,
		planMs(0, -1, 20, 2, 150, 3),
		runsMs(0, -1, 150, 3),
		[]string{"error: failed -1", "error: failed -1", "ran 3"})
}

func TestThrottleStopsWhenItsScopeCloses(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		// Trailing: the pending callers are woken with ErrClosed.
		got, ran, after := closeDuring(t, rt, throttled(resource.ThrottleOptions{Interval: 100 * time.Millisecond, Edges: resource.TrailingEdge}), 0,
			planMs(0, 1, 30, 2), 50*time.Millisecond)
		if !slices.Equal(got, []string{closedMsg, closedMsg}) || len(ran) != 0 || after != closedMsg {
			t.Fatalf("trailing: results %q, runs %v, after close %q", got, ran, after)
		}
		// Leading: the run in progress is interrupted and its callers woken.
		got, ran, after = closeDuring(t, rt, throttled(resource.ThrottleOptions{Interval: 100 * time.Millisecond}), time.Hour,
			planMs(0, 1, 30, 2), 50*time.Millisecond)
		if !slices.Equal(got, []string{closedMsg, closedMsg}) || !slices.Equal(ran, runsMs(0, 1)) || after != closedMsg {
			t.Fatalf("leading: results %q, runs %v, after close %q", got, ran, after)
		}
	})
}

func TestPropertyThrottleAtMostOneRunPerInterval(t *testing.T) {
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 60
	p := gopter.NewProperties(params)
	edges := []resource.Edge{resource.LeadingEdge, resource.TrailingEdge, resource.LeadingEdge | resource.TrailingEdge}
	p.Property("runs start at least Interval apart, every call gets a run's result, and the last input runs on the trailing edge", prop.ForAll(
		func(gaps []int, intervalMs int, edge int) string {
			interval := time.Duration(intervalMs) * time.Millisecond
			opts := resource.ThrottleOptions{Interval: interval, Edges: edges[edge]}
			plan := make([]callAt, len(gaps))
			at := time.Duration(0)
			for i, g := range gaps {
				at += time.Duration(g) * time.Millisecond
				plan[i] = callAt{at, i}
			}
			var msg string
			effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
				log := newRunLog()
				prog := effect.Scoped(effect.FlatMap(resource.Throttle(log.fn(0), opts),
					func(call func(int) limEff[string]) limEff[[]string] { return callAll(call, plan) }))
				got, err := rt.Run(context.Background(), prog, nil)
				if err != nil {
					msg = err.Error()
					return
				}
				r := log.get()
				ran := map[string]bool{}
				for i, x := range r {
					ran[fmt.Sprintf("ran %d", x.In)] = true
					if i > 0 && x.At-r[i-1].At < interval {
						msg = fmt.Sprintf("%v: runs %v and %v closer than %v", opts.Edges, r[i-1], x, interval)
						return
					}
				}
				for i, g := range got {
					if !ran[g] {
						msg = fmt.Sprintf("%v: call %d got %q, not the result of a run of %v", opts.Edges, i, g, r)
						return
					}
				}
				if opts.Edges&resource.TrailingEdge != 0 && len(plan) > 0 && r[len(r)-1].In != plan[len(plan)-1].in {
					msg = fmt.Sprintf("%v: the last run %v is not of the last call %d", opts.Edges, r[len(r)-1], plan[len(plan)-1].in)
				}
			})
			return msg
		},
		gen.SliceOfN(15, gen.IntRange(1, 150)), gen.IntRange(1, 120), gen.IntRange(0, 2),
	))
	p.TestingRun(t)
}

// rateLimited is the pattern of docs/rate-limiting.md for "at most n calls
// begin in any window of per": each call takes a permit of a semaphore of n
// when it begins, and a fiber of the owner scope gives it back per later.
func rateLimited[A any](owner *effect.Scope, sem *resource.Semaphore, per time.Duration, call limEff[A]) limEff[A] {
	giveBack := effect.AndThen(effect.Sleep[any, error](per), effect.Sync[any, error](func() struct{} { sem.Release(1); return struct{}{} }))
	return effect.UninterruptibleMask(func(restore effect.Restore) limEff[A] {
		return effect.AndThen(restore.Apply(sem.Acquire[any, error](1)),
			effect.AndThen(effect.ForkIn(owner, giveBack), restore.Apply(call)))
	})
}

func TestRateLimitPatternOfTheDocs(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		log := newRunLog()
		prog := effect.Scoped(effect.FlatMap(effect.CurrentScope[any, error](), func(owner *effect.Scope) limEff[[]string] {
			return effect.FlatMap(resource.NewSemaphore[any, error](2), func(sem *resource.Semaphore) limEff[[]string] {
				call := func(in int) limEff[string] {
					return rateLimited(owner, sem, 100*time.Millisecond, log.fn(10*time.Millisecond)(in))
				}
				return callAll(call, planMs(0, 1, 0, 2, 0, 3, 0, 4, 150, 5))
			})
		}))
		got, err := rt.Run(context.Background(), prog, nil)
		if err != nil || len(got) != 5 {
			t.Fatalf("got %v, %v", got, err)
		}
		var at []time.Duration
		for _, r := range log.get() {
			at = append(at, r.At)
		}
		// Two at once, two more when their permits come back 100ms later,
		// the fifth when the next ones do.
		if want := msList(0, 0, 100, 100, 200); !slices.Equal(at, want) {
			t.Fatalf("calls began at %v, want %v", at, want)
		}
	})
}
