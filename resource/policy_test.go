package resource_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/resource"
)

// gauge tracks how many fibers run at once, the peak, and the order in
// which they started.
type gauge struct {
	running, peak atomic.Int64
	mu            sync.Mutex
	order         []int
}

func (g *gauge) job(i int, d time.Duration) unit {
	enter := sync0(func() {
		n := g.running.Add(1)
		for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
		}
		g.mu.Lock()
		g.order = append(g.order, i)
		g.mu.Unlock()
	})
	return enter.AndThen(effect.Sleep[any, error](d)).Ensuring(sync0(func() { g.running.Add(-1) }))
}

func TestConcurrencyPolicyNeverExceedsLimitAndKeepsForkOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		params := gopter.DefaultTestParameters()
		params.MinSuccessfulTests = 50
		props := gopter.NewProperties(params)
		props.Property("running <= limit, all ran, started in fork order, permits back", prop.ForAll(
			func(limit int, jobs []int) bool {
				sem := resource.Concurrency(int64(limit))
				var admitted []effect.FiberID // in the order the limit admitted them
				rec := effect.PolicyFunc(func() eff[effect.Release] {
					return effect.Map(effect.CurrentFiberID[any, error](), func(id effect.FiberID) effect.Release {
						admitted = append(admitted, id) // one admission at a time: the line
						return nil
					})
				})
				g := &gauge{}
				effs := make([]unit, len(jobs))
				for i, d := range jobs {
					effs[i] = g.job(i, time.Duration(d)*time.Millisecond)
				}
				var forked []effect.FiberID
				prog := effect.FlatMap(effect.ForEach(effs, effect.Fork[any, error, struct{}]), func(fs []*effect.Fiber[error, struct{}]) eff[[]effect.Exit[error, struct{}]] {
					for _, f := range fs {
						forked = append(forked, f.ID())
					}
					return effect.ForEach(fs, effect.Await[any, error, struct{}])
				})
				exits, err := effect.Run(context.Background(), prog.ScopedWith(effect.WithPolicy(sem, rec)), nil)
				if err != nil {
					return false
				}
				for _, x := range exits {
					if !x.IsSuccess() {
						return false
					}
				}
				// Every job sleeps and all are forked at once: the limit is
				// reached, never passed.
				return g.peak.Load() == int64(min(limit, len(jobs))) && len(g.order) == len(jobs) && slices.Equal(admitted, forked) && sem.Available() == int64(limit) && sem.Waiting() == 0
			},
			gen.IntRange(1, 4),
			gen.SliceOf(gen.IntRange(1, 20)),
		))
		props.TestingRun(t)
	})
}

func TestBreakerPolicyOpensAndRefusesForks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var changes []string
		cb := resource.Breaker(resource.BreakerOptions{Name: "api", FailureThreshold: 3, ResetTimeout: 10 * time.Second,
			OnStateChange: func(_ string, from, to resource.BreakerState) {
				changes = append(changes, from.String()+">"+to.String())
			}})
		rt := effect.NewRuntime()
		s := rt.NewScope(effect.WithPolicy(cb))
		defer s.Close(context.Background())
		var c calls
		forkJoin := func(e eff[int]) (int, error) {
			return rt.Run(context.Background(), effect.FlatMap(effect.ForkIn(s, e), func(fb *effect.Fiber[error, int]) eff[int] {
				return effect.Join[any](fb)
			}), nil)
		}
		for range 3 {
			if _, err := forkJoin(c.fail(errBoom)); !errors.Is(err, errBoom) {
				t.Fatalf("failing fiber: got %v", err)
			}
		}
		_, err := forkJoin(c.ok())
		var open *resource.BreakerOpenError
		if !errors.As(err, &open) || !errors.Is(err, resource.ErrBreakerOpen) || open.Name != "api" || c.n.Load() != 3 {
			t.Fatalf("fork on an open breaker: got %v after %d calls; want a refusal and no call", err, c.n.Load())
		}
		assertState(t, cb, resource.BreakerOpen)
		time.Sleep(10 * time.Second)
		if v, err := forkJoin(c.ok()); err != nil || v != 4 {
			t.Fatalf("trial fork: got %v, %v", v, err)
		}
		assertState(t, cb, resource.BreakerClosed)
		if want := []string{"closed>open", "open>half-open", "half-open>closed"}; !slices.Equal(changes, want) {
			t.Fatalf("state changes: %v, want %v", changes, want)
		}
		// An interrupted fiber is not counted.
		r0 := snapshot(t, cb)
		_, err = rt.Run(context.Background(), effect.FlatMap(effect.ForkIn(s, effect.Never[any, error, int]()), func(fb *effect.Fiber[error, int]) eff[effect.Exit[error, int]] {
			return effect.AndThen(effect.Sleep[any, error](time.Second), effect.Interrupt[any](fb))
		}), nil)
		if r1 := snapshot(t, cb); err != nil || r1.Failures != r0.Failures || r1.State != r0.State {
			t.Fatalf("interruption counted: %+v -> %+v (%v)", r0, r1, err)
		}
	})
}

// A fiber whose failure type cannot hold the refusal ends interrupted, with
// the *BreakerOpenError as the reason.
func TestBreakerPolicyRefusalOfAnotherErrorType(t *testing.T) {
	cb := resource.Breaker(resource.BreakerOptions{FailureThreshold: 1})
	type code int
	fail := effect.Fail[any, int](code(7))
	prog := effect.ScopedWith(effect.FlatMap(effect.ForEach([]effect.Effect[any, code, int]{fail, fail}, func(e effect.Effect[any, code, int]) effect.Effect[any, code, effect.Exit[code, int]] {
		return effect.FlatMap(effect.Fork(e), effect.Await[any, code, int])
	}), func(xs []effect.Exit[code, int]) effect.Effect[any, code, []effect.Exit[code, int]] {
		return effect.Succeed[any, code](xs)
	}), effect.WithPolicy(cb))
	xs, err := effect.Run(context.Background(), prog, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := xs[0].Cause().Failure(); !ok || f != 7 {
		t.Fatalf("first: got %v", xs[0])
	}
	var ie *effect.InterruptedError
	var open *resource.BreakerOpenError
	if !xs[1].Cause().IsInterruptedOnly() || !errors.As(xs[1].Err(), &ie) || !errors.As(ie.Reason, &open) {
		t.Fatalf("second: got %v, want an interruption by the open breaker", xs[1])
	}
}

// forkNow forks the effects in the current scope and returns at once.
func forkNow(effs ...unit) eff[[]*effect.Fiber[error, struct{}]] {
	return effect.ForEach(effs, effect.Fork[any, error, struct{}])
}

func awaitAll(fs []*effect.Fiber[error, struct{}]) unit {
	return effect.Void(effect.ForEach(fs, effect.Join[any, error, struct{}]))
}

func TestPoliciesInheritedByChildScopes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sem := resource.Concurrency(1)
		g := &gauge{}
		// Forks in the scope, in a scope opened inside it, and in a scope
		// made by hand inside it share the one permit: all six are forked
		// before any ends.
		inner := effect.FlatMap(effect.MakeScope[any, error](), func(s *effect.Scope) unit {
			return effect.FlatMap(effect.Extend(s, forkNow(g.job(4, time.Second), g.job(5, time.Second))), func(fs []*effect.Fiber[error, struct{}]) unit {
				return awaitAll(fs).AndThen(effect.CloseScope[any, error](s))
			})
		})
		prog := effect.FlatMap(forkNow(g.job(0, time.Second), g.job(1, time.Second)), func(top []*effect.Fiber[error, struct{}]) unit {
			mid := effect.FlatMap(forkNow(g.job(2, time.Second), g.job(3, time.Second)), func(fs []*effect.Fiber[error, struct{}]) unit {
				return inner.AndThen(awaitAll(fs))
			}).Scoped()
			return mid.AndThen(awaitAll(top))
		}).ScopedWith(effect.WithPolicy(sem))
		start := time.Now()
		if _, err := effect.Run(context.Background(), prog, nil); err != nil {
			t.Fatal(err)
		}
		if g.peak.Load() != 1 || len(g.order) != 6 || time.Since(start) != 6*time.Second {
			t.Fatalf("peak %d, ran %v in %v; want one at a time, six in 6s", g.peak.Load(), g.order, time.Since(start))
		}
		// A child scope stacks its own limit on the parent's.
		outer, inner2 := resource.Concurrency(3), resource.Concurrency(1)
		g2 := &gauge{}
		both := effect.FlatMap(forkNow(g2.job(0, time.Second), g2.job(1, time.Second)), func(top []*effect.Fiber[error, struct{}]) unit {
			in := effect.FlatMap(forkNow(g2.job(2, time.Second), g2.job(3, time.Second), g2.job(4, time.Second)), awaitAll).
				ScopedWith(effect.WithPolicy(inner2))
			return in.AndThen(awaitAll(top))
		}).ScopedWith(effect.WithPolicy(outer))
		if _, err := effect.Run(context.Background(), both, nil); err != nil {
			t.Fatal(err)
		}
		if g2.peak.Load() != 3 || outer.Available() != 3 || inner2.Available() != 1 {
			t.Fatalf("peak %d (want the outer limit 3, the inner one taking one of them)", g2.peak.Load())
		}
	})
}

// A semaphore owned by a scope that closes refuses the fibers waiting for
// it with an interruption whose reason is ErrClosed.
func TestOwnedSemaphorePolicyClosed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		sem, closeSem := openSemaphore(t, rt, 1)
		s := rt.NewScope(effect.WithPolicy(sem))
		defer s.Close(context.Background())
		sem.TryAcquire(1)
		fb, _ := rt.Run(context.Background(), effect.ForkIn(s, effect.Unit[any, error]()), nil)
		synctest.Wait()
		closeSem()
		ex, _ := fb.Wait(context.Background())
		if !ex.IsInterrupted() || !errors.Is(ex.Err(), resource.ErrClosed) {
			t.Fatalf("got %v, want an interruption by the closed semaphore", ex)
		}
	})
}

// The interruption sweep of an admission: a fiber forked under a
// concurrency limit and a breaker is interrupted right before each of its
// own steps; whatever the step, the permit is back, no one waits, and the
// breaker's record is as it was (an interrupted fiber is not counted, a
// trial is given back).
func TestPolicyAdmissionInterruptSweep(t *testing.T) {
	for _, contended := range []bool{false, true} {
		name := "uncontended"
		if contended {
			name = "after a wait"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				steps, _ := sweepAdmission(t, 0, contended)
				for k := 1; k <= steps; k++ {
					sweepAdmission(t, k, contended)
				}
				if steps < 10 {
					t.Fatalf("swept only %d steps", steps)
				}
			})
		})
	}
}

// sweepAdmission forks a fiber under the policies and interrupts it before
// its step k (never for k = 0); it returns the steps the fiber took and
// whether it was interrupted.
func sweepAdmission(t *testing.T, k int, contended bool) (int, bool) {
	t.Helper()
	rt := effect.NewRuntime()
	defer rt.Shutdown(context.Background())
	sem := resource.Concurrency(1)
	cb := resource.Breaker(resource.BreakerOptions{FailureThreshold: 1, ResetTimeout: time.Second})
	// Half-open, so that the fiber's admission takes the one trial.
	_, _ = effect.Run(context.Background(), cb.Execute(effect.Fail[any, int](errBoom)), nil)
	time.Sleep(time.Second)
	before := snapshot(t, cb)
	s := rt.NewScope(effect.WithPolicy(sem, cb))
	defer s.Close(context.Background())
	if contended {
		sem.TryAcquire(1)
		go func() { time.Sleep(time.Millisecond); sem.Release(1) }()
	}
	var target atomic.Uint64
	n := 0
	rt.SetStepHook(func(id effect.FiberID) bool {
		if uint64(id) != target.Load() {
			return false
		}
		n++
		return n == k
	})
	var ran atomic.Bool
	body := effect.Sync[any, error](func() struct{} { ran.Store(true); return struct{}{} })
	// The fresh runtime's first fiber runs the fork: the target is the
	// second.
	target.Store(2)
	fb, err := rt.Run(context.Background(), effect.ForkIn(s, body), nil)
	if err != nil || fb.ID() != 2 {
		t.Fatalf("fork: %v (fiber %d)", err, fb.ID())
	}
	ex, _ := fb.Wait(context.Background())
	time.Sleep(2 * time.Millisecond) // the contending holder gives its permit back
	if !effecttest.AssertNoFibers(t, rt) {
		t.Fatalf("step %d: fibers left", k)
	}
	if sem.Available() != 1 || sem.Waiting() != 0 {
		t.Fatalf("step %d (%v): %d available, %d waiting", k, ex, sem.Available(), sem.Waiting())
	}
	after := snapshot(t, cb)
	switch {
	case ex.IsSuccess():
		if !ran.Load() || after.State != resource.BreakerClosed {
			t.Fatalf("step %d: success without the run or the trial counted: %+v", k, after)
		}
	case ex.IsInterrupted():
		if after.State != before.State || after.Failures != before.Failures {
			t.Fatalf("step %d (%v): breaker %+v, want %+v", k, ex, after, before)
		}
	default:
		t.Fatalf("step %d: got %v", k, ex)
	}
	return n, ex.IsInterrupted()
}
