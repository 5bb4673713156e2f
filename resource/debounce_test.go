package resource_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/resource"
)

// The tests of Debounce and Throttle share this harness: a wrapped function
// that logs its runs, and a plan of calls made at given (virtual) times,
// each on its own fiber.

type limEff[A any] = effect.Effect[any, error, A]

// runRec is one run of a wrapped function: when it started, since the start
// of the test, and with which input.
type runRec struct {
	At time.Duration
	In int
}

func (r runRec) String() string { return fmt.Sprintf("%v:%d", r.At, r.In) }

// runLog records the runs of a wrapped function.
type runLog struct {
	start time.Time
	mu    sync.Mutex
	runs  []runRec
}

func newRunLog() *runLog { return &runLog{start: time.Now()} }

// fn returns the wrapped function: it logs the run, takes took, and
// succeeds with "ran <input>" (or fails with "failed <input>" for a
// negative input).
func (l *runLog) fn(took time.Duration) func(int) limEff[string] {
	return func(in int) limEff[string] {
		return effect.Suspend(func() limEff[string] {
			l.mu.Lock()
			l.runs = append(l.runs, runRec{time.Since(l.start), in})
			l.mu.Unlock()
			if in < 0 {
				return effect.AndThen(effect.Sleep[any, error](took), effect.Fail[any, string](fmt.Errorf("failed %d", in)))
			}
			return effect.AndThen(effect.Sleep[any, error](took), effect.Succeed[any, error](fmt.Sprintf("ran %d", in)))
		})
	}
}

func (l *runLog) get() []runRec {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.runs)
}

// callAt is a call of the plan: at offset at, with input in.
type callAt struct {
	at time.Duration
	in int
}

// calls builds a plan from pairs of (milliseconds, input).
func planMs(msIn ...int) []callAt {
	plan := make([]callAt, 0, len(msIn)/2)
	for i := 0; i+1 < len(msIn); i += 2 {
		plan = append(plan, callAt{time.Duration(msIn[i]) * time.Millisecond, msIn[i+1]})
	}
	return plan
}

// callAll returns an effect that makes each call of plan at its offset on a
// fiber of its own and succeeds with what each call returned, in plan
// order: its value, or "error: " and its error.
func callAll(call func(int) limEff[string], plan []callAt) limEff[[]string] {
	return effect.ForEachPar(plan, func(c callAt) limEff[string] {
		return effect.MatchCause(effect.AndThen(effect.Sleep[any, error](c.at), call(c.in)),
			func(cause effect.Cause[error]) string { return "error: " + cause.Error() },
			func(s string) string { return s })
	}, effect.Par{})
}

func runsMs(msIn ...int) []runRec {
	out := make([]runRec, 0, len(msIn)/2)
	for i := 0; i+1 < len(msIn); i += 2 {
		out = append(out, runRec{time.Duration(msIn[i]) * time.Millisecond, msIn[i+1]})
	}
	return out
}

type wrapper func(fn func(int) limEff[string]) limEff[func(int) limEff[string]]

func debounced(opts resource.DebounceOptions) wrapper {
	return func(fn func(int) limEff[string]) limEff[func(int) limEff[string]] { return resource.Debounce(fn, opts) }
}

func throttled(opts resource.ThrottleOptions) wrapper {
	return func(fn func(int) limEff[string]) limEff[func(int) limEff[string]] { return resource.Throttle(fn, opts) }
}

// checkPlan runs plan against the function that wrap makes of a logging
// function (each run taking took) in a scope of its own, and checks the
// runs and what each call returned.
func checkPlan(t *testing.T, wrap wrapper, took time.Duration, plan []callAt, wantRuns []runRec, wantResults []string) {
	t.Helper()
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		t.Helper()
		log := newRunLog()
		prog := effect.Scoped(effect.FlatMap(wrap(log.fn(took)), func(call func(int) limEff[string]) limEff[[]string] {
			return callAll(call, plan)
		}))
		got, err := rt.Run(context.Background(), prog, nil)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if r := log.get(); !slices.Equal(r, wantRuns) {
			t.Errorf("runs (time:input) %v, want %v", r, wantRuns)
		}
		if !slices.Equal(got, wantResults) {
			t.Errorf("results %q, want %q", got, wantResults)
		}
	})
}

func TestDebounceTrailingCoalescesABurst(t *testing.T) {
	// Wait 100ms: calls at 0, 30 and 60ms are one burst, which runs once,
	// 100ms after its last call, with the last input; every caller gets
	// that run's result. A call at 300ms is a burst of its own.
	checkPlan(t, debounced(resource.DebounceOptions{Wait: 100 * time.Millisecond}), 0,
		planMs(0, 1, 30, 2, 60, 3, 300, 4),
		runsMs(160, 3, 400, 4),
		[]string{"ran 3", "ran 3", "ran 3", "ran 4"})
	// Each call moves the end of the burst: a call 99ms after the previous
	// one keeps the burst going, one 101ms after starts a new one.
	checkPlan(t, debounced(resource.DebounceOptions{Wait: 100 * time.Millisecond}), 0,
		planMs(0, 1, 99, 2, 200, 3, 299, 4),
		runsMs(199, 2, 399, 4),
		[]string{"ran 2", "ran 2", "ran 4", "ran 4"})
	// The zero options: 300ms, trailing.
	checkPlan(t, debounced(resource.DebounceOptions{}), 0,
		planMs(0, 1, 200, 2),
		runsMs(500, 2),
		[]string{"ran 2", "ran 2"})
}

func TestDebounceLeading(t *testing.T) {
	// The first call of a burst runs at once; the later ones get its
	// result; a call after a quiet period starts a new burst.
	checkPlan(t, debounced(resource.DebounceOptions{Wait: 100 * time.Millisecond, Edges: resource.LeadingEdge}), 0,
		planMs(0, 1, 30, 2, 60, 3, 200, 4, 250, 5),
		runsMs(0, 1, 200, 4),
		[]string{"ran 1", "ran 1", "ran 1", "ran 4", "ran 4"})
	// A call that comes while the leading run is still running waits for it.
	checkPlan(t, debounced(resource.DebounceOptions{Wait: 100 * time.Millisecond, Edges: resource.LeadingEdge}), 50*time.Millisecond,
		planMs(0, 1, 20, 2),
		runsMs(0, 1),
		[]string{"ran 1", "ran 1"})
}

func TestDebounceBothEdges(t *testing.T) {
	// Leading run at once for the first call; the others of the burst are
	// coalesced into a trailing run. A burst of one call runs once.
	checkPlan(t, debounced(resource.DebounceOptions{Wait: 100 * time.Millisecond, Edges: resource.LeadingEdge | resource.TrailingEdge}), 0,
		planMs(0, 1, 30, 2, 60, 3, 300, 4),
		runsMs(0, 1, 160, 3, 300, 4),
		[]string{"ran 1", "ran 3", "ran 3", "ran 4"})
}

func TestDebounceFailureReachesEveryCaller(t *testing.T) {
	checkPlan(t, debounced(resource.DebounceOptions{Wait: 100 * time.Millisecond}), 10*time.Millisecond,
		planMs(0, 1, 50, -2),
		runsMs(150, -2),
		[]string{"error: failed -2", "error: failed -2"})
}

func TestDebounceInterruptedCallerLeavesTheRun(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		log := newRunLog()
		prog := effect.Scoped(effect.FlatMap(resource.Debounce(log.fn(0), resource.DebounceOptions{Wait: 100 * time.Millisecond}),
			func(call func(int) limEff[string]) limEff[string] {
				// The first caller gives up (a timeout) before the burst ends;
				// the run still happens, for the second.
				return effect.FlatMap(effect.Fork(call(1).Timeout(50*time.Millisecond)), func(fb *effect.Fiber[error, string]) limEff[string] {
					return effect.FlatMap(effect.AndThen(effect.Sleep[any, error](10*time.Millisecond), call(2)), func(got string) limEff[string] {
						return effect.Map(effect.Await[any](fb), func(x effect.Exit[error, string]) string {
							return got + "; first: " + x.String()
						})
					})
				})
			}))
		got, err := rt.Run(context.Background(), prog, nil)
		if want := "ran 2; first: Failure(effect: timeout after 50ms)"; err != nil || got != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
		if r := log.get(); !slices.Equal(r, runsMs(110, 2)) {
			t.Fatalf("runs %v, want [110ms:2]", r)
		}
	})
}

// closeDuring makes the function that wrap makes of a logging function
// (each run taking took) in a scope made by hand, makes the calls of plan
// on fibers outside that scope, closes the scope at closeAt, and returns
// what each call returned, the runs, and what a call made after the close
// returned.
func closeDuring(t *testing.T, rt *effect.Runtime, wrap wrapper, took time.Duration, plan []callAt, closeAt time.Duration) (results []string, ran []runRec, after string) {
	t.Helper()
	log := newRunLog()
	var ensured sync.WaitGroup
	fn := func(in int) limEff[string] {
		ensured.Add(1)
		return log.fn(took)(in).Ensuring(effect.Sync[any, error](func() struct{} { ensured.Done(); return struct{}{} }))
	}
	prog := effect.FlatMap(effect.MakeScope[any, error](), func(scope *effect.Scope) limEff[[]string] {
		return effect.FlatMap(effect.Extend(scope, wrap(fn)), func(call func(int) limEff[string]) limEff[[]string] {
			closer := effect.AndThen(effect.Sleep[any, error](closeAt), effect.CloseScope[any, error](scope))
			return effect.FlatMap(effect.Fork(closer), func(*effect.Fiber[error, struct{}]) limEff[[]string] {
				return effect.FlatMap(callAll(call, plan), func(res []string) limEff[[]string] {
					late := callAll(call, planMs(0, 99))
					return effect.Map(late, func(l []string) []string { return append(res, l...) })
				})
			})
		})
	})
	got, err := rt.Run(context.Background(), prog, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	ensured.Wait() // every run that started has ended, finalizers included
	return got[:len(got)-1], log.get(), got[len(got)-1]
}

const closedMsg = "error: effect: interrupted: resource: closed"

func TestDebounceStopsWhenItsScopeCloses(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		// Trailing: the burst's callers are woken with ErrClosed and the
		// run never happens.
		got, ran, after := closeDuring(t, rt, debounced(resource.DebounceOptions{Wait: 100 * time.Millisecond}), 0,
			planMs(0, 1, 30, 2), 50*time.Millisecond)
		if !slices.Equal(got, []string{closedMsg, closedMsg}) || len(ran) != 0 || after != closedMsg {
			t.Fatalf("trailing: results %q, runs %v, after close %q", got, ran, after)
		}
		// Leading: the run in progress is interrupted (its finalizer runs)
		// and its callers are woken with ErrClosed.
		got, ran, after = closeDuring(t, rt, debounced(resource.DebounceOptions{Wait: 100 * time.Millisecond, Edges: resource.LeadingEdge}),
			time.Hour, planMs(0, 1, 30, 2), 50*time.Millisecond)
		if !slices.Equal(got, []string{closedMsg, closedMsg}) || !slices.Equal(ran, runsMs(0, 1)) || after != closedMsg {
			t.Fatalf("leading: results %q, runs %v, after close %q", got, ran, after)
		}
	})
}

func TestDebounceConcurrentCallers(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		// 50 callers at the same instant: one run, with one of their
		// inputs, and every caller gets its result.
		plan := make([]callAt, 50)
		for i := range plan {
			plan[i] = callAt{0, i}
		}
		log := newRunLog()
		prog := effect.Scoped(effect.FlatMap(resource.Debounce(log.fn(0), resource.DebounceOptions{Wait: time.Second}),
			func(call func(int) limEff[string]) limEff[[]string] { return callAll(call, plan) }))
		got, err := rt.Run(context.Background(), prog, nil)
		r := log.get()
		if err != nil || len(r) != 1 || r[0].At != time.Second {
			t.Fatalf("got %v, runs %v; want one runRec at 1s", err, r)
		}
		for i, g := range got {
			if g != fmt.Sprintf("ran %d", r[0].In) {
				t.Fatalf("caller %d got %q, want the run's result ran %d", i, g, r[0].In)
			}
		}
	})
}

func TestDebounceAndThrottlePanicOnBadOptions(t *testing.T) {
	fn := newRunLog().fn(0)
	for _, tc := range []struct {
		name, want string
		make       func()
	}{
		{"negative wait", "resource.Debounce: Wait must not be negative, got -1s", func() {
			resource.Debounce(fn, resource.DebounceOptions{Wait: -time.Second})
		}},
		{"bad edges", "resource.Debounce: Edges must be LeadingEdge, TrailingEdge or both, got 4", func() {
			resource.Debounce(fn, resource.DebounceOptions{Edges: 4})
		}},
		{"negative interval", "resource.Throttle: Interval must not be negative, got -1ms", func() {
			resource.Throttle(fn, resource.ThrottleOptions{Interval: -time.Millisecond})
		}},
		{"bad throttle edges", "resource.Throttle: Edges must be LeadingEdge, TrailingEdge or both, got 8", func() {
			resource.Throttle(fn, resource.ThrottleOptions{Edges: 8})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); fmt.Sprint(r) != tc.want {
					t.Fatalf("panic %q, want %q", r, tc.want)
				}
			}()
			tc.make()
		})
	}
	if got := (resource.LeadingEdge | resource.TrailingEdge).String(); got != "leading|trailing" {
		t.Fatalf("Edge.String: %q", got)
	}
}

// bursts returns the trailing runs that the model of Debounce predicts for
// the calls of plan (sorted by time): one per burst, wait after its last
// call, with that call's input.
func bursts(plan []callAt, wait time.Duration) []runRec {
	var out []runRec
	for i, c := range plan {
		if i+1 == len(plan) || plan[i+1].at-c.at >= wait {
			out = append(out, runRec{c.at + wait, c.in})
		}
	}
	return out
}

func TestPropertyDebounceMatchesTheModel(t *testing.T) {
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 60
	p := gopter.NewProperties(params)
	p.Property("trailing debounce runs once per burst, Wait after its last call, with its input", prop.ForAll(
		func(gaps []int, waitMs int) string {
			wait := time.Duration(waitMs) * time.Millisecond
			plan := make([]callAt, len(gaps))
			at := time.Duration(0)
			for i, g := range gaps {
				if g == waitMs {
					// A call at the very instant a burst ends may land on
					// either side of it; the model needs distinct instants.
					g++
				}
				at += time.Duration(g) * time.Millisecond
				plan[i] = callAt{at, i}
			}
			want := bursts(plan, wait)
			var msg string
			effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
				log := newRunLog()
				prog := effect.Scoped(effect.FlatMap(resource.Debounce(log.fn(0), resource.DebounceOptions{Wait: wait}),
					func(call func(int) limEff[string]) limEff[[]string] { return callAll(call, plan) }))
				got, err := rt.Run(context.Background(), prog, nil)
				if err != nil {
					msg = err.Error()
					return
				}
				if r := log.get(); !slices.Equal(r, want) {
					msg = fmt.Sprintf("runs %v, want %v", r, want)
					return
				}
				// Each caller got the run of its burst.
				for i, c := range plan {
					k := sort.Search(len(want), func(k int) bool { return want[k].At >= c.at+wait })
					if w := fmt.Sprintf("ran %d", want[k].In); got[i] != w {
						msg = fmt.Sprintf("call %d at %v got %q, want %q", i, c.at, got[i], w)
						return
					}
				}
			})
			return msg
		},
		gen.SliceOfN(12, gen.IntRange(1, 250)), gen.IntRange(1, 200),
	))
	p.TestingRun(t)
}
