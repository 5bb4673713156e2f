package interop_test

// The programs of the samber/lo migration guide in docs/interop.md, run
// side by side in virtual time: each gogoscope counterpart must make the
// same calls, at the same moments, and end the same way as lo's helper.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samber/lo"
	"github.com/samber/lo/parallel"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/schedule"
)

var (
	errUnavailable = errors.New("unavailable")
	errForbidden   = errors.New("forbidden")
)

// flaky returns a call that fails with the errors of errs in turn, then
// succeeds with "ok", and records the moment of each call.
func flaky(errs []error, calls *[]time.Duration, start time.Time) func() (string, error) {
	return func() (string, error) {
		n := len(*calls)
		*calls = append(*calls, time.Since(start))
		if n < len(errs) {
			return "", errs[n]
		}
		return "ok", nil
	}
}

// After: lo.AttemptWithDelay(5, 100ms, f).
func attemptWithDelay(call func() (string, error)) effect.Effect[any, error, string] {
	return effect.Try[any](func(context.Context) (string, error) { return call() }).
		Retry(schedule.Spaced(100 * time.Millisecond).Intersect(schedule.Recurs(4)))
}

// After: lo.AttemptWhileWithDelay(5, 100ms, f) where f stops on
// errForbidden.
func attemptWhileWithDelay(call func() (string, error)) effect.Effect[any, error, string] {
	return effect.Try[any](func(context.Context) (string, error) { return call() }).
		Retry(schedule.Spaced(100 * time.Millisecond).Intersect(schedule.Recurs(4)).
			WhileInput(func(err error) bool { return !errors.Is(err, errForbidden) }))
}

func TestMigrationLoAttempt(t *testing.T) {
	cases := []struct {
		name  string
		errs  []error
		while bool
	}{
		{"succeeds at once", nil, false},
		{"succeeds at the third attempt", []error{errUnavailable, errUnavailable}, false},
		{"never succeeds", slices.Repeat([]error{errUnavailable}, 9), false},
		{"while: succeeds at the second attempt", []error{errUnavailable}, true},
		{"while: stops on a permanent error", []error{errUnavailable, errForbidden, errUnavailable}, true},
		{"while: never succeeds", slices.Repeat([]error{errUnavailable}, 9), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
				// Before: lo.
				var loCalls []time.Duration
				start := time.Now()
				call := flaky(c.errs, &loCalls, start)
				var (
					loValue string
					loErr   error
				)
				if c.while {
					_, _, loErr = lo.AttemptWhileWithDelay(5, 100*time.Millisecond, func(int, time.Duration) (error, bool) {
						v, err := call()
						loValue = v
						return err, !errors.Is(err, errForbidden)
					})
				} else {
					_, _, loErr = lo.AttemptWithDelay(5, 100*time.Millisecond, func(int, time.Duration) error {
						v, err := call()
						loValue = v
						return err
					})
				}
				loTook := time.Since(start)

				// After: gogoscope.
				var calls []time.Duration
				start = time.Now()
				prog := attemptWithDelay(flaky(c.errs, &calls, start))
				if c.while {
					prog = attemptWhileWithDelay(flaky(c.errs, &calls, start))
				}
				v, err := rt.Run(context.Background(), prog, nil)
				took := time.Since(start)

				if v != loValue || !errors.Is(err, loErr) || (err == nil) != (loErr == nil) {
					t.Errorf("gogoscope %q, %v; lo %q, %v", v, err, loValue, loErr)
				}
				if !slices.Equal(calls, loCalls) {
					t.Errorf("calls at %v; lo's at %v", calls, loCalls)
				}
				if took != loTook {
					t.Errorf("took %v; lo took %v", took, loTook)
				}
			})
		})
	}
}

// What lo's loop cannot do: its sleeps ignore cancellation, the retry
// waits of an effect do not.
func TestMigrationLoAttemptIsInterruptible(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		start := time.Now()
		var calls []time.Duration
		_, err := rt.Run(ctx, attemptWithDelay(flaky(slices.Repeat([]error{errUnavailable}, 9), &calls, start)), nil)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 150*time.Millisecond || len(calls) != 2 {
			t.Fatalf("got %v after %v and %d calls; want the deadline after 150ms and 2 calls", err, time.Since(start), len(calls))
		}
	})
}

func TestMigrationLoDebounce(t *testing.T) {
	// Five edits 30ms apart, then quiet: one save, 100ms after the last edit.
	edits := []string{"h", "he", "hel", "hell", "hello"}
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		// Before: lo. Its callback takes no argument and returns nothing: the
		// latest edit travels beside it, under a lock.
		var (
			mu      sync.Mutex
			latest  string
			loSaves []string
			loAt    []time.Duration
		)
		start := time.Now()
		debounced, cancel := lo.NewDebounce(100*time.Millisecond, func() {
			mu.Lock()
			defer mu.Unlock()
			loSaves = append(loSaves, latest)
			loAt = append(loAt, time.Since(start))
		})
		for _, e := range edits {
			mu.Lock()
			latest = e
			mu.Unlock()
			debounced()
			time.Sleep(30 * time.Millisecond)
		}
		time.Sleep(time.Second)
		cancel()
		mu.Lock() // the callback ran on a timer's goroutine, which nothing owns
		loSaves, loAt = slices.Clone(loSaves), slices.Clone(loAt)
		mu.Unlock()

		// After: gogoscope. The save takes the edit, and every caller gets
		// the result of the save it was coalesced into.
		var (
			saves []string
			at    []time.Duration
		)
		start = time.Now()
		save := func(doc string) effect.Effect[any, error, int] {
			return effect.Sync[any, error](func() int {
				saves = append(saves, doc)
				at = append(at, time.Since(start))
				return len(doc)
			})
		}
		prog := effect.Scoped(effect.FlatMap(resource.Debounce(save, resource.DebounceOptions{Wait: 100 * time.Millisecond}),
			func(debounced func(string) effect.Effect[any, error, int]) effect.Effect[any, error, []int] {
				edit := func(e string) effect.Effect[any, error, int] {
					i := slices.Index(edits, e)
					return effect.AndThen(effect.Sleep[any, error](time.Duration(i)*30*time.Millisecond), debounced(e))
				}
				return effect.ForEachPar(edits, edit, effect.Par{})
			}))
		results, err := rt.Run(context.Background(), prog, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(saves, loSaves) || !slices.Equal(at, loAt) {
			t.Errorf("saves %q at %v; lo's %q at %v", saves, at, loSaves, loAt)
		}
		if want := slices.Repeat([]int{len("hello")}, len(edits)); !slices.Equal(results, want) {
			t.Errorf("callers got %v, want each the result of the one save: %v", results, want)
		}
	})
}

func TestMigrationLoParallel(t *testing.T) {
	words := []string{"effect", "fiber", "scope", "layer", "stream", "schedule"}
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		// parallel.Map: one goroutine per item, results in order.
		want := parallel.Map(words, func(w string, _ int) string { return strings.ToUpper(w) })
		upper := func(w string) effect.Effect[any, error, string] {
			return effect.Sync[any, error](func() string { return strings.ToUpper(w) })
		}
		got, err := rt.Run(context.Background(), effect.ForEachPar(words, upper, effect.Par{}), nil)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Map: got %v, %v; lo %v", got, err, want)
		}

		// parallel.ForEach: effects for their own sake.
		var mu sync.Mutex
		var loSeen, seen []string
		parallel.ForEach(words, func(w string, _ int) { mu.Lock(); loSeen = append(loSeen, w); mu.Unlock() })
		record := func(w string) effect.Effect[any, error, struct{}] {
			return effect.Sync[any, error](func() struct{} { mu.Lock(); seen = append(seen, w); mu.Unlock(); return struct{}{} })
		}
		if _, err := rt.Run(context.Background(), effect.ForEachPar(words, record, effect.Par{Limit: 2}).Void(), nil); err != nil {
			t.Fatal(err)
		}
		slices.Sort(loSeen)
		slices.Sort(seen)
		if !slices.Equal(seen, loSeen) {
			t.Errorf("ForEach: saw %v; lo %v", seen, loSeen)
		}

		// parallel.Times: n results of a function of the index.
		loSquares := parallel.Times(5, func(i int) int { return i * i })
		square := func(i int) effect.Effect[any, error, int] { return effect.Succeed[any, error](i * i) }
		squares, err := rt.Run(context.Background(), effect.ForEachPar(lo.Range(5), square, effect.Par{}), nil)
		if err != nil || !slices.Equal(squares, loSquares) {
			t.Errorf("Times: got %v, %v; lo %v", squares, err, loSquares)
		}

		// parallel.GroupBy: the keys computed concurrently, then grouped.
		loGroups := parallel.GroupBy(words, func(w string) int { return len(w) })
		keyOf := func(w string) effect.Effect[any, error, int] { return effect.Succeed[any, error](len(w)) }
		keys, err := rt.Run(context.Background(), effect.ForEachPar(words, keyOf, effect.Par{}), nil)
		if err != nil {
			t.Fatal(err)
		}
		groups := map[int][]string{}
		for i, k := range keys {
			groups[k] = append(groups[k], words[i])
		}
		if fmt.Sprint(groups) != fmt.Sprint(loGroups) {
			t.Errorf("GroupBy: got %v; lo %v", groups, loGroups)
		}
	})
}

// What lo/parallel cannot do: a failing item stops the others (and they
// are awaited), and a panic is an error, not a crash.
func TestMigrationLoParallelFailures(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var stopped atomic.Int32
		fetch := func(i int) effect.Effect[any, error, int] {
			if i == 0 {
				return effect.AndThen(effect.Sleep[any, error](10*time.Millisecond), effect.Fail[any, int](errUnavailable))
			}
			return effect.Sleep[any, error](time.Hour).As(i).
				OnInterrupt(func(error) effect.Effect[any, error, int] {
					return effect.Sync[any, error](func() int { stopped.Add(1); return 0 })
				})
		}
		_, err := rt.Run(context.Background(), effect.ForEachPar(lo.Range(4), fetch, effect.Par{}), nil)
		if !errors.Is(err, errUnavailable) || stopped.Load() != 3 {
			t.Fatalf("got %v with %d siblings stopped; want the failure and 3 stopped", err, stopped.Load())
		}
		boom := func(int) effect.Effect[any, error, int] {
			return effect.Sync[any, error](func() int { panic("bad item") })
		}
		_, err = rt.Run(context.Background(), effect.ForEachPar(lo.Range(3), boom, effect.Par{}), nil)
		var d *effect.Defect
		if !errors.As(err, &d) || d.Value != "bad item" {
			t.Fatalf("got %v, want the panic as a defect", err)
		}
	})
}
