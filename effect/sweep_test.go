package effect_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

// The interruption sweeps of the concurrent combinators (Race, RaceFirst,
// Timeout, ForEachPar) and of closing a scope. Each scenario is run, inside
// a synctest bubble so that its sleeps take no real time:
//
//   - once uninterrupted, then once per step of its root fiber, interrupted
//     right before that step (effecttest.SweepInterrupts);
//   - once per step of the whole run, whichever fiber takes it: the k-th
//     step taken by any fiber (a racer, a worker, the timed child) is
//     interrupted there, as if something had interrupted that fiber alone;
//   - once per instant of a grid of virtual times covering the run (every
//     half quantum, three times each), interrupted from outside at that
//     instant: while a fiber waits, and at the instants when a child ends,
//     where the order of the two is up to the scheduler.
//
// After every run the scenario's check asserts what must hold wherever the
// interruption fell: every resource acquired was released exactly once (an
// effecttest.Resources tracker), no fiber is left (checked by the harness),
// no defect appeared, and the outcome is one the combinator allows, exactly
// the expected one when nothing was interrupted.

// sweepQuantum is the unit of the scenarios' sleeps.
const sweepQuantum = time.Millisecond

// notInterrupted is what a check is told about the run without interruption.
const notInterrupted = "uninterrupted"

// sweepTrial is one run of a scenario: the effect and the check of what it
// left, called once the run has ended, with where it was interrupted.
type sweepTrial[A any] struct {
	run   Eff[A]
	check func(t testing.TB, at string, x effect.Exit[error, A])
}

// sweepEffect sweeps the scenario that build makes afresh for each run. It
// fails unless the whole run took at least minSteps steps, so that a sweep
// that swept nothing cannot pass. (The combinators swept here wait for
// their children inside one step of the root fiber, so most of the steps
// are the children's.)
func sweepEffect[A any](t *testing.T, minSteps int, build func() sweepTrial[A]) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		var (
			cur   sweepTrial[A]
			began time.Time
			took  time.Duration
		)
		steps := effecttest.SweepInterrupts(t,
			func() Eff[A] {
				cur = build()
				began = time.Now()
				return cur.run
			},
			func(t testing.TB, step int, x effect.Exit[error, A]) {
				at := notInterrupted
				if step == 0 {
					took = time.Since(began)
				} else {
					at = fmt.Sprintf("root interrupted before its step %d", step)
				}
				cur.check(t, at, x)
			})
		// Every step of the run, whichever fiber takes it.
		total := runCountingSteps(t, build().run, 0)
		if total < minSteps {
			t.Fatalf("the run took only %d steps, want at least %d", total, minSteps)
		}
		for k := 1; k <= total; k++ {
			tr := build()
			tr.check(t, fmt.Sprintf("the fiber taking step %d of the run interrupted there", k), runCountingExit(t, tr.run, k))
		}
		// Every half quantum of virtual time, from outside.
		trials := 0
		for at := time.Duration(0); at <= took+sweepQuantum; at += sweepQuantum / 2 {
			for range 3 {
				tr := build()
				rt := effect.NewRuntime()
				fb := rt.Start(context.Background(), tr.run, nil)
				time.Sleep(at)
				fb.InterruptFromGo()
				x, err := fb.Wait(context.Background())
				if err != nil {
					t.Fatalf("Wait: %v", err)
				}
				effecttest.AssertNoFibers(t, rt)
				_ = rt.Shutdown(context.Background())
				tr.check(t, fmt.Sprintf("interrupted from outside at %v", at), x)
				trials++
			}
		}
		t.Logf("%d steps of the root, %d steps of the whole run, %d timed trials over %v", steps, total, trials, took)
	})
}

// runCountingSteps runs e on a fresh runtime whose step hook counts the
// steps of every fiber and interrupts the fiber that takes the k-th (none
// for k = 0), and returns how many steps were taken.
func runCountingSteps[A any](t testing.TB, e Eff[A], k int) int {
	t.Helper()
	n, _ := runWithStepHook(t, e, k)
	return n
}

func runCountingExit[A any](t testing.TB, e Eff[A], k int) effect.Exit[error, A] {
	t.Helper()
	_, x := runWithStepHook(t, e, k)
	return x
}

func runWithStepHook[A any](t testing.TB, e Eff[A], k int) (int, effect.Exit[error, A]) {
	t.Helper()
	rt := effect.NewRuntime()
	var n atomic.Int64
	rt.SetStepHook(func(effect.FiberID) bool { return n.Add(1) == int64(k) })
	x := rt.RunExit(context.Background(), e, nil)
	effecttest.AssertNoFibers(t, rt)
	_ = rt.Shutdown(context.Background())
	return int(n.Load()), x
}

var errItem = errors.New("item failed")

// checkCause reports a defect in x, or a failure other than the allowed
// ones; it returns the failures.
func checkCause[A any](t testing.TB, at string, x effect.Exit[error, A], allowed ...error) []error {
	t.Helper()
	c := x.Cause()
	if d := c.Defects(); len(d) > 0 {
		t.Errorf("%s: defects %v in %v", at, d, x)
	}
	fs := c.Failures()
	for _, f := range fs {
		if !slices.ContainsFunc(allowed, func(a error) bool { return errors.Is(f, a) }) {
			t.Errorf("%s: failure %v in %v, want only %v", at, f, x, allowed)
		}
	}
	return fs
}

// racer acquires a resource named name, waits d, then succeeds with v (or
// fails with errItem if v < 0); it counts its interruptions in lost.
func racer(res *effecttest.Resources, name string, d time.Duration, v int, lost *atomic.Int32) Eff[int] {
	end := effect.Succeed[any, error](v)
	if v < 0 {
		end = effect.Fail[any, int](errItem)
	}
	body := effect.Scoped(effect.AndThen(res.Acquire[any, error](name), effect.AndThen(effect.Sleep[any, error](d), end)))
	return body.OnInterrupt(func(error) Eff[struct{}] {
		return effect.Sync[any, error](func() struct{} { lost.Add(1); return struct{}{} })
	})
}

// Race and RaceFirst interrupted anywhere: both racers' resources released
// exactly once; a success is one racer's value; nothing else than
// interruptions and the racers' own failures; uninterrupted, the expected
// winner and exactly one interrupted loser. Checked local mutation: with
// Race not interrupting its loser (race.go), the loser's resource stayed
// acquired until the end of its sleep but was still released, and the sweep
// failed on the uninterrupted run's count of interrupted losers; with the
// loser neither interrupted nor awaited, fibers were left and it failed.
func TestSweepRace(t *testing.T) {
	q := sweepQuantum
	tests := []struct {
		name   string
		race   func(a, b Eff[int]) Eff[int]
		a, b   int // values; < 0 fails
		da, db time.Duration
		want   int // the uninterrupted outcome; < 0 a failure
		losers int32
	}{
		{"Race, the faster wins", effect.Race[any, error, int], 1, 2, 3 * q, 2 * q, 2, 1},
		{"Race, the faster fails", effect.Race[any, error, int], -1, 2, q, 3 * q, 2, 0},
		{"Race, both fail", effect.Race[any, error, int], -1, -1, q, 2 * q, -1, 0},
		{"RaceFirst, the faster fails", effect.RaceFirst[any, error, int], -1, 2, q, 3 * q, -1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sweepEffect(t, 10, func() sweepTrial[int] {
				var res effecttest.Resources
				var lost atomic.Int32
				run := tt.race(racer(&res, "a", tt.da, tt.a, &lost), racer(&res, "b", tt.db, tt.b, &lost))
				return sweepTrial[int]{run: run, check: func(t testing.TB, at string, x effect.Exit[error, int]) {
					t.Helper()
					res.AssertReleased(t)
					checkCause(t, at, x, errItem)
					v, ok := x.Value()
					if ok && v != tt.a && v != tt.b {
						t.Errorf("%s: succeeded with %d, which no racer returned", at, v)
					}
					if at != notInterrupted {
						return
					}
					switch {
					case tt.want >= 0 && v != tt.want, tt.want < 0 && ok:
						t.Errorf("%s: ended as %v, want %d", at, x, tt.want)
					case lost.Load() != tt.losers:
						t.Errorf("%s: %d racer(s) interrupted, want %d", at, lost.Load(), tt.losers)
					}
				}}
			})
		})
	}
}

// Timeout interrupted anywhere: the timed effect's resource released
// exactly once; the outcome is its value, a timeout, or an interruption;
// uninterrupted, exactly the expected one. Checked local mutation: with
// Timeout not awaiting the child it interrupts, the harness found a fiber
// left and the sweep failed.
func TestSweepTimeout(t *testing.T) {
	q := sweepQuantum
	for _, limit := range []time.Duration{2 * q, 5 * q} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			sweepEffect(t, 10, func() sweepTrial[int] {
				var res effecttest.Resources
				var lost atomic.Int32
				run := racer(&res, "r", 3*q, 7, &lost).Timeout(limit)
				return sweepTrial[int]{run: run, check: func(t testing.TB, at string, x effect.Exit[error, int]) {
					t.Helper()
					res.AssertReleased(t)
					fs := checkCause(t, at, x, effect.ErrTimeout)
					if v, ok := x.Value(); ok && v != 7 {
						t.Errorf("%s: succeeded with %d, want 7", at, v)
					}
					if at != notInterrupted {
						return
					}
					if timedOut := len(fs) == 1; timedOut != (limit < 3*q) || timedOut && lost.Load() != 1 {
						t.Errorf("%s: ended as %v with %d interruption(s) of the timed effect", at, x, lost.Load())
					}
				}}
			})
		})
	}
}

// ForEachPar interrupted anywhere, with a limit and without, failing fast
// and collecting: every item's resource released exactly once; no item's
// effect ran twice; progress reported once per item that ended, every
// item that ran among them; uninterrupted, the exact results or failures.
// Checked local mutation: with a worker of ForEachPar (parallel.go) taking
// the next item without checking that the run was stopped, an item ran
// after a FailFast failure and the uninterrupted checks failed.
func TestSweepForEachPar(t *testing.T) {
	q := sweepQuantum
	tests := []struct {
		name string
		opts effect.Par
		fail int // the item that fails, or -1
	}{
		{"limit 2", effect.Par{Limit: 2}, -1},
		{"unlimited", effect.Par{}, -1},
		{"limit 2, item 3 fails fast", effect.Par{Limit: 2}, 3},
		{"unlimited, item 1 fails, collect", effect.Par{Mode: effect.Collect}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sweepEffect(t, 10, func() sweepTrial[[]int] {
				var res effecttest.Resources
				var mu sync.Mutex
				runs := map[int]int{}
				var progress []effect.Progress
				opts := tt.opts
				opts.OnProgress = func(p effect.Progress) { mu.Lock(); progress = append(progress, p); mu.Unlock() }
				items := []int{0, 1, 2, 3, 4, 5}
				run := effect.ForEachPar(items, func(i int) Eff[int] {
					v := i * i
					if i == tt.fail {
						v = -1
					}
					count := effect.Sync[any, error](func() struct{} { mu.Lock(); runs[i]++; mu.Unlock(); return struct{}{} })
					var lost atomic.Int32
					return effect.AndThen(count, racer(&res, fmt.Sprint("item ", i), time.Duration(i%3+1)*q, v, &lost))
				}, opts)
				return sweepTrial[[]int]{run: run, check: func(t testing.TB, at string, x effect.Exit[error, []int]) {
					t.Helper()
					res.AssertReleased(t)
					fs := checkCause(t, at, x, errItem)
					mu.Lock()
					defer mu.Unlock()
					for i, n := range runs {
						if n != 1 {
							t.Errorf("%s: item %d ran %d times", at, i, n)
						}
					}
					for k, p := range progress {
						if p.Done != k+1 || p.Total != len(items) {
							t.Errorf("%s: progress report %d is %+v", at, k+1, p)
						}
					}
					// An item may be stopped before its first step, so
					// before it counted itself; one that counted itself
					// ran, and must have been reported.
					if len(progress) < len(runs) || len(progress) > len(items) {
						t.Errorf("%s: %d progress reports for %d items that ran", at, len(progress), len(runs))
					}
					v, ok := x.Value()
					if ok && !slices.Equal(v, []int{0, 1, 4, 9, 16, 25}) {
						t.Errorf("%s: succeeded with %v", at, v)
					}
					if at != notInterrupted {
						return
					}
					switch {
					case tt.fail < 0 && (!ok || len(progress) != len(items)):
						t.Errorf("%s: ended as %v with %d progress reports", at, x, len(progress))
					case tt.fail >= 0 && len(fs) != 1:
						t.Errorf("%s: ended as %v, want the failure of item %d alone", at, x, tt.fail)
					case tt.opts.Mode == effect.Collect && (len(runs) != len(items) || len(progress) != len(items)):
						t.Errorf("%s: collecting, %d items ran and %d were reported, want all %d", at, len(runs), len(progress), len(items))
					}
				}}
			})
		})
	}
}
