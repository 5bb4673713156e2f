package effect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// A left-nested chain of FlatMaps and Maps from A to A is flattened into a
// chain op as it is built (ops.go). These tests pin what must not change
// with the representation: each step once and in order, failures, defects
// and interruptions between steps, and chains that share a prefix.

// loopChain builds e with n steps in a loop, cycling through a Map, a
// FlatMap to a plain value and a FlatMap to a Sync; each step logs its index
// and adds one.
func loopChain(e eff, n int, log *[]int) eff {
	for i := range n {
		switch i % 3 {
		case 0:
			e = e.Map(func(x int) int { *log = append(*log, i); return x + 1 })
		case 1:
			e = e.FlatMap(func(x int) eff { *log = append(*log, i); return succeed(x + 1) })
		default:
			e = e.FlatMap(func(x int) eff {
				return Sync[any, error](func() int { *log = append(*log, i); return x + 1 })
			})
		}
	}
	return e
}

func TestChainBuiltInALoopRunsEachStepOnceInOrder(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		const n = 10_000
		var log []int
		e := loopChain(Sync[any, error](func() int { return 5 }), n, &log)
		if _, ok := e.op.(*chainOp[any, error, int]); !ok {
			t.Fatalf("a loop-built chain is a %T, not flattened", e.op)
		}
		for round := range 2 { // an effect is a description: run it twice
			log = log[:0]
			if got := mustRun(t, e); got != 5+n {
				t.Fatalf("round %d: got %d, want %d", round, got, 5+n)
			}
			if len(log) != n {
				t.Fatalf("round %d: %d steps ran, want %d", round, len(log), n)
			}
			for i, s := range log {
				if s != i {
					t.Fatalf("round %d: step %d ran at position %d", round, s, i)
				}
			}
		}
	})
}

func TestAShortNestIsNotFlattened(t *testing.T) {
	e := succeed(0)
	for i := range chainMin {
		if _, ok := e.op.(*chainOp[any, error, int]); ok {
			t.Fatalf("flattened after %d steps; chainMin is %d", i, chainMin)
		}
		e = e.FlatMap(func(x int) eff { return succeed(x + 1) })
	}
	e = e.Map(func(x int) int { return x * 10 })
	if _, ok := e.op.(*chainOp[any, error, int]); !ok {
		t.Fatalf("a nest of %d steps is a %T", chainMin+1, e.op)
	}
	if got := mustRun(t, e); got != 10*chainMin {
		t.Fatalf("got %d", got)
	}
	// A step that changes the type ends the nest: what follows starts anew.
	s := Map(e, func(x int) string { return fmt.Sprint(x) })
	for range 2 * chainMin {
		s = s.Map(func(x string) string { return x + "!" })
	}
	if got := mustRun(t, s); got != fmt.Sprint(10*chainMin)+strings.Repeat("!", 2*chainMin) {
		t.Fatalf("got %q", got)
	}
}

func TestChainsSharingAPrefixKeepTheirOwnSteps(t *testing.T) {
	// Lengths that end a chain at the end of a chunk, inside one, in a
	// later one: extending in place, starting a chunk, taking part of one.
	for _, n := range []int{5, 9, 10, 11, 37, 3000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) { testSharedPrefix(t, n) })
	}
}

func testSharedPrefix(t *testing.T, n int) {
	withBudget(t, func(t *testing.T) {
		var log []int
		base := loopChain(succeed(0), n, &log)
		plus := base.Map(func(x int) int { return x + 1 })    // appends in place
		times := base.Map(func(x int) int { return x * 2 })   // must copy
		plus2 := plus.Map(func(x int) int { return x + 100 }) // in place on plus's spine
		again := base.FlatMap(func(x int) eff { return succeed(x - 3) })
		for name, c := range map[string]struct {
			e    eff
			want int
		}{
			"base": {base, n}, "plus": {plus, n + 1}, "times": {times, 2 * n},
			"plus2": {plus2, n + 101}, "again": {again, n - 3},
		} {
			if got := mustRun(t, c.e); got != c.want {
				t.Errorf("%s: got %d, want %d", name, got, c.want)
			}
		}
	})
}

// Chains extended from one base by many goroutines at once: each gets its
// own steps (run with -race, this also checks the spine's hand-off).
func TestChainExtendedConcurrently(t *testing.T) {
	var log []int
	base := loopChain(succeed(0), 6, &log) // no goroutine runs base's steps' log below
	base = base.Map(func(x int) int { return x })
	const g, n = 8, 200
	got := make([]eff, g)
	var wg sync.WaitGroup
	for i := range g {
		wg.Go(func() {
			e := base
			for range n {
				e = e.Map(func(x int) int { return x + i + 1 })
			}
			got[i] = e
		})
	}
	wg.Wait()
	for i, e := range got {
		v, err := RunExit(context.Background(), e, nil).Get()
		if err != nil || v != 6+n*(i+1) {
			t.Errorf("goroutine %d's chain: %d, %v; want %d", i, v, err, 6+n*(i+1))
		}
	}
}

// A chain has the interruption points of the nest it replaces: before the
// effect a FlatMap's k returns, not before a Map's function or a k's call,
// which run as soon as the value before them is known (resource code relies
// on a Map after an acquire running without an interruption point).
func TestChainStopsBetweenStepsWhenInterrupted(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		var cancel context.CancelFunc
		var ran, mapped, called int
		e := succeed(0)
		for i := range 100 {
			e = e.FlatMap(func(x int) eff {
				called++
				return Sync[any, error](func() int {
					ran++
					if i == 10 {
						cancel()
					}
					return x + 1
				})
			})
			e = e.Map(func(x int) int { mapped++; return x })
		}
		ctx, c := context.WithCancel(context.Background())
		defer c()
		cancel = c
		_, err := Run(ctx, e, nil)
		if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrInterrupted) {
			t.Fatalf("got %v, want an interruption", err)
		}
		// Step 10's effect cancelled: its Map and the next k still ran (no
		// interruption point before them), the effect that k returned did not.
		if ran != 11 || mapped != 11 || called != 12 {
			t.Fatalf("effects ran %d, maps %d, ks called %d; want 11, 11, 12", ran, mapped, called)
		}
		// Uninterruptible, the same chain runs to its end, and the
		// interruption takes effect at the next step after the region.
		ctx2, c2 := context.WithCancel(context.Background())
		defer c2()
		cancel = c2
		ran, mapped, called = 0, 0, 0
		_, err = Run(ctx2, AndThen(Uninterruptible(e), Sync[any, error](func() int { return 1 })), nil)
		if ran != 100 || mapped != 100 || !errors.Is(err, ErrInterrupted) {
			t.Fatalf("uninterruptible: %d effects, %d maps ran, err %v", ran, mapped, err)
		}
	})
}

func TestChainStepFailureAndPanicEndTheChain(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		errStep := errors.New("step 7")
		var ev events
		var log []int
		fail := loopChain(succeed(0), 7, &log).FlatMap(func(int) eff { return Fail[any, int](errStep) })
		fail = loopChain(fail, 5, &log)
		if _, err := run(fail.Ensuring(ev.note("finalizer"))); !errors.Is(err, errStep) {
			t.Fatalf("got %v", err)
		}
		if !slices.Equal(log, []int{0, 1, 2, 3, 4, 5, 6}) || ev.count("finalizer") != 1 {
			t.Fatalf("steps %v, events %v", log, ev.get())
		}
		log = log[:0]
		boom := loopChain(succeed(0), 7, &log).Map(func(int) int { panic("boom 7") })
		boom = loopChain(boom, 5, &log)
		_, err := run(boom.Ensuring(ev.note("finalizer")))
		var d *Defect
		if !errors.As(err, &d) || !strings.Contains(fmt.Sprint(d.Value), "boom 7") {
			t.Fatalf("got %v, want the panic as a defect", err)
		}
		if len(log) != 7 || ev.count("finalizer") != 2 {
			t.Fatalf("steps %v, events %v", log, ev.get())
		}
	})
}
