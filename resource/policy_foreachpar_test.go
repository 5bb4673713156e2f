package resource_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

// What a scope's policies see of ForEachPar (docs/scope-policies.md): they
// admit fibers, and ForEachPar runs its items on min(Limit, len(items))
// worker fibers (one per item without a limit), each of which runs items
// until none is left and then ends with a success, whatever its items did.
// So a concurrency policy counts workers, and a breaker never counts an
// item's failure: the workers it admits all succeed, or, when a FailFast
// run stops them, end interrupted, which a breaker ignores.

// admissions is a policy that records each admission and the error its
// release was given.
type admissions struct {
	mu       sync.Mutex
	admitted int
	released []error
}

func (a *admissions) Admit() eff[effect.Release] {
	return sync0(func() {
		a.mu.Lock()
		a.admitted++
		a.mu.Unlock()
	}).As(effect.Release(func(err error) {
		a.mu.Lock()
		a.released = append(a.released, err)
		a.mu.Unlock()
	}))
}

func TestForEachParWorkersCountAgainstAConcurrencyPolicy(t *testing.T) {
	cases := []struct {
		name      string
		par       effect.Par
		admitted  int // fibers the policies admitted
		peakItems int64
	}{
		{"no limit: one fiber per item", effect.Par{}, 6, 2},
		{"limit 3: three workers", effect.Par{Limit: 3}, 3, 2},
		{"limit 1: one worker", effect.Par{Limit: 1}, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sem := resource.Concurrency(2)
				rec := &admissions{}
				g := &gauge{}
				items := []int{0, 1, 2, 3, 4, 5}
				prog := effect.ForEachPar(items, func(i int) unit { return g.job(i, time.Millisecond) }, c.par)
				if _, err := effect.Run(context.Background(), prog.ScopedWith(effect.WithPolicy(sem, rec)), nil); err != nil {
					t.Fatal(err)
				}
				if rec.admitted != c.admitted || len(rec.released) != c.admitted {
					t.Fatalf("admitted %d fibers, released %d; want %d, one per worker", rec.admitted, len(rec.released), c.admitted)
				}
				if got := g.peak.Load(); got != c.peakItems {
					t.Fatalf("at most %d items at once, want %d (the limit counts workers, each runs one item at a time)", got, c.peakItems)
				}
				if len(g.order) != len(items) || sem.Available() != 2 {
					t.Fatalf("%d items ran, %d permits back; want all 6, 2", len(g.order), sem.Available())
				}
			})
		})
	}
}

func TestForEachParItemFailuresDoNotCountAgainstABreakerPolicy(t *testing.T) {
	errItem := errors.New("item failed")
	cases := []struct {
		name string
		par  effect.Par
	}{
		{"collect, no limit", effect.Par{Mode: effect.Collect}},
		{"collect, limit 2", effect.Par{Mode: effect.Collect, Limit: 2}},
		{"fail fast, no limit", effect.Par{}},
		{"fail fast, limit 1", effect.Par{Limit: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cb := resource.Breaker(resource.BreakerOptions{FailureThreshold: 1})
				rec := &admissions{}
				items := []int{0, 1, 2, 3}
				item := func(i int) unit {
					return effect.Sleep[any, error](time.Duration(i) * time.Millisecond).AndThen(effect.Fail[any, struct{}](errItem))
				}
				run := effect.ForEachPar(items, item, c.par)
				// Then one plain fork that fails, in the same scope: the
				// breaker counts that one, and the fork after it is refused.
				fail := effect.Fail[any, struct{}](errItem)
				fork := func(e unit) eff[effect.Exit[error, struct{}]] {
					return effect.FlatMap(effect.Fork(e), effect.Await[any, error, struct{}])
				}
				type result struct{ items, first, second effect.Exit[error, struct{}] }
				prog := effect.FlatMap(effect.ToExit(effect.Void(run)), func(items effect.Exit[error, struct{}]) eff[result] {
					return effect.FlatMap(fork(fail), func(first effect.Exit[error, struct{}]) eff[result] {
						return effect.Map(fork(effect.Unit[any, error]()), func(second effect.Exit[error, struct{}]) result {
							return result{items, first, second}
						})
					})
				})
				r, err := effect.Run(context.Background(), prog.ScopedWith(effect.WithPolicy(cb, rec)), nil)
				if err != nil {
					t.Fatal(err)
				}
				if fs := r.items.Cause().Failures(); len(fs) == 0 || !errors.Is(fs[0], errItem) {
					t.Fatalf("ForEachPar ended as %v, want the items' failures", r.items)
				}
				workers := len(items)
				if c.par.Limit > 0 {
					workers = c.par.Limit
				}
				// Every worker admitted was released without a failure: nil
				// (it ran out of items) or an interruption (a FailFast run
				// stopped it, maybe before it was admitted), which the
				// breaker does not count. The last release is the plain
				// fork's. (The refused fork never reaches rec: the breaker,
				// asked first, refuses it.)
				admittedWorkers := rec.admitted - 1
				if admittedWorkers > workers || (c.par.Mode == effect.Collect && admittedWorkers != workers) || len(rec.released) != rec.admitted {
					t.Fatalf("%d admissions, %d releases, for %d workers and the plain fork", rec.admitted, len(rec.released), workers)
				}
				for i, e := range rec.released[:admittedWorkers] {
					if e != nil && !effect.IsInterruption(e) {
						t.Fatalf("worker %d released with %v, want nil or an interruption", i, e)
					}
				}
				if e := rec.released[admittedWorkers]; !errors.Is(e, errItem) {
					t.Fatalf("the plain fork released with %v, want its failure", e)
				}
				// So the breaker was still closed for the plain fork, which
				// ran and failed, and opened it; the next fork was refused.
				if fs := r.first.Cause().Failures(); len(fs) != 1 || !errors.Is(fs[0], errItem) {
					t.Fatalf("the fork after ForEachPar ended as %v, want it to run and fail: the breaker was open", r.first)
				}
				if fs := r.second.Cause().Failures(); len(fs) != 1 || !errors.Is(fs[0], resource.ErrBreakerOpen) {
					t.Fatalf("the fork after the failed one ended as %v, want ErrBreakerOpen", r.second)
				}
			})
		})
	}
}
