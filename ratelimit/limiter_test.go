package ratelimit_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/ratelimit"
	"github.com/gogoscope/gogoscope/resource"
)

type eff[A any] = effect.Effect[any, error, A]

func open(t testing.TB, rt *effect.Runtime, alg ratelimit.Algorithm) (*ratelimit.Limiter, func()) {
	t.Helper()
	scope := rt.NewScope()
	l, err := rt.Run(context.Background(), effect.Extend(scope, ratelimit.New[any, error](alg)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return l, func() {
		if err := scope.Close(context.Background()); err != nil {
			t.Errorf("closing the limiter's scope: %v", err)
		}
	}
}

// admissions starts one fiber per cost, in order, each acquiring its cost,
// and returns the virtual times (since the start) of the admissions, in the
// order of costs.
func admissions(t *testing.T, rt *effect.Runtime, l *ratelimit.Limiter, costs ...int64) []time.Duration {
	t.Helper()
	start := time.Now()
	at := make([]time.Duration, len(costs))
	var fbs []*effect.Fiber[error, struct{}]
	for i, c := range costs {
		fbs = append(fbs, rt.Start(context.Background(), effect.AndThen(l.Acquire[any, error](c),
			effect.Sync[any, error](func() struct{} { at[i] = time.Since(start); return struct{}{} })), nil))
		effecttest.WaitIdle() // queue in this order
	}
	for _, fb := range fbs {
		x, err := fb.Wait(context.Background())
		if err != nil || x.IsFailure() {
			t.Fatalf("acquire: %v %v", x, err)
		}
	}
	return at
}

func ms(ns ...int) []time.Duration {
	out := make([]time.Duration, len(ns))
	for i, n := range ns {
		out[i] = time.Duration(n) * time.Millisecond
	}
	return out
}

func TestAdmissionTimes(t *testing.T) {
	cases := []struct {
		name  string
		alg   ratelimit.Algorithm
		costs []int64
		want  []time.Duration
	}{
		{"token bucket", ratelimit.TokenBucket{Rate: 10, Per: time.Second, Burst: 2}, []int64{1, 1, 1, 1, 1}, ms(0, 0, 100, 200, 300)},
		{"gcra", ratelimit.GCRA{Rate: 10, Per: time.Second, Burst: 2}, []int64{1, 1, 1, 1, 1}, ms(0, 0, 100, 200, 300)},
		{"token bucket, burst = rate", ratelimit.TokenBucket{Rate: 3, Per: 300 * time.Millisecond}, []int64{1, 1, 1, 1}, ms(0, 0, 0, 100)},
		{"fixed window", ratelimit.FixedWindow{Limit: 2, Window: time.Second}, []int64{1, 1, 1, 1, 1}, ms(0, 0, 1000, 1000, 2000)},
		{"sliding window", ratelimit.SlidingWindow{Limit: 2, Window: time.Second}, []int64{1, 1, 1, 1, 1}, ms(0, 0, 1000, 1000, 2000)},
		// Weighted and fair: the costly request at the head is not overtaken.
		{"token bucket weighted", ratelimit.TokenBucket{Rate: 10, Per: time.Second, Burst: 10}, []int64{10, 8, 1, 1}, ms(0, 800, 900, 1000)},
		{"gcra weighted", ratelimit.GCRA{Rate: 10, Per: time.Second, Burst: 10}, []int64{10, 8, 1, 1}, ms(0, 800, 900, 1000)},
		{"fixed weighted", ratelimit.FixedWindow{Limit: 5, Window: time.Second}, []int64{3, 3, 1, 2}, ms(0, 1000, 1000, 2000)},
		{"sliding weighted", ratelimit.SlidingWindow{Limit: 5, Window: time.Second}, []int64{3, 3, 1, 2}, ms(0, 1000, 1000, 2000)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
				l, closeScope := open(t, rt, c.alg)
				defer closeScope()
				if got := admissions(t, rt, l, c.costs...); !slices.Equal(got, c.want) {
					t.Fatalf("admitted at %v, want %v", got, c.want)
				}
			})
		})
	}
}

func TestSlidingAndFixedDifferAtTheBoundary(t *testing.T) {
	for _, c := range []struct {
		alg  ratelimit.Algorithm
		want bool // a third request at 1s admitted at once
	}{
		{ratelimit.FixedWindow{Limit: 2, Window: time.Second}, true},
		{ratelimit.SlidingWindow{Limit: 2, Window: time.Second}, false},
	} {
		effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
			l, closeScope := open(t, rt, c.alg)
			defer closeScope()
			effecttest.Advance(900 * time.Millisecond)
			if a, b, c := l.TryAcquire(1), l.TryAcquire(1), l.TryAcquire(1); !a || !b || c {
				t.Fatal("two requests at 900ms: want exactly two admitted")
			}
			effecttest.Advance(100 * time.Millisecond)
			if got := l.TryAcquire(2); got != c.want {
				t.Fatalf("%T: two more at 1s admitted %v, want %v", c.alg, got, c.want)
			}
			effecttest.Advance(900 * time.Millisecond)
			// At 1.9s the two of 900ms have left the sliding window; the
			// fixed one is full until 2s.
			if got := l.TryAcquire(2); got == c.want {
				t.Fatalf("%T: two more at 1.9s admitted %v, want %v", c.alg, got, !c.want)
			}
		})
	}
}

func TestTryAcquireDoesNotOvertakeWaiters(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		l, closeScope := open(t, rt, ratelimit.TokenBucket{Rate: 10, Per: time.Second, Burst: 5})
		defer closeScope()
		if !l.TryAcquire(5) {
			t.Fatal("a full bucket refused its burst")
		}
		fb := rt.Start(context.Background(), l.Acquire[any, error](5), nil)
		effecttest.Advance(100 * time.Millisecond) // one token back
		if l.Waiting() != 1 || l.TryAcquire(1) {
			t.Fatalf("waiting %d; TryAcquire overtook the waiter", l.Waiting())
		}
		effecttest.Advance(400 * time.Millisecond)
		if _, done := fb.Poll(); !done || l.Waiting() != 0 || l.Available() != 0 {
			t.Fatalf("at 500ms: done %v, waiting %d, available %d", done, l.Waiting(), l.Available())
		}
	})
}

func TestInterruptedHeadGivesWayAndTakesNothing(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		l, closeScope := open(t, rt, ratelimit.GCRA{Rate: 10, Per: time.Second, Burst: 10})
		defer closeScope()
		l.TryAcquire(10)
		big := rt.Start(context.Background(), l.Acquire[any, error](8), nil)
		effecttest.WaitIdle()
		start := time.Now()
		var at time.Duration
		small := rt.Start(context.Background(), l.Acquire[any, error](2).Map(func(struct{}) struct{} { at = time.Since(start); return struct{}{} }), nil)
		effecttest.Advance(50 * time.Millisecond)
		big.InterruptFromGo()
		if x, _ := big.Wait(context.Background()); !x.IsInterrupted() {
			t.Fatalf("big: %v", x)
		}
		if _, err := small.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		// As if the big request had never come: two tokens take 200ms.
		if at != 200*time.Millisecond || l.Waiting() != 0 {
			t.Fatalf("small admitted at %v (waiting %d), want 200ms", at, l.Waiting())
		}
	})
}

func TestCloseWakesWaiters(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		l, closeScope := open(t, rt, ratelimit.FixedWindow{Limit: 1, Window: time.Hour})
		l.TryAcquire(1)
		var fbs []*effect.Fiber[error, struct{}]
		for range 3 {
			fbs = append(fbs, rt.Start(context.Background(), l.Acquire[any, error](1), nil))
		}
		effecttest.WaitIdle()
		closeScope()
		for _, fb := range fbs {
			x, _ := fb.Wait(context.Background())
			effecttest.AssertInterruptedWith(t, x, ratelimit.ErrClosed)
		}
		x := rt.RunExit(context.Background(), l.Limit(effect.Succeed[any, error](1)), nil)
		effecttest.AssertInterruptedWith(t, x, resource.ErrClosed)
		if l.TryAcquire(0) || l.Waiting() != 0 {
			t.Fatal("a closed limiter admitted a TryAcquire")
		}
	})
}

type myErr int

func TestCostAboveCapacityFailsAtOnce(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		l, closeScope := open(t, rt, ratelimit.SlidingWindow{Limit: 5, Window: time.Second})
		defer closeScope()
		x := rt.RunExit(context.Background(), l.WithCost(6, effect.Succeed[any, error](1)), nil)
		var ce *ratelimit.CostError
		if !errors.As(x.Err(), &ce) || ce.Cost != 6 || ce.Capacity != 5 {
			t.Fatalf("exit %v, want a *CostError{6, 5}", x)
		}
		// A failure type that cannot hold the error: a defect, with the error.
		y := rt.RunExit(context.Background(), l.Acquire[any, myErr](6), nil)
		if !errors.As(y.Err(), &ce) || !y.Cause().IsDefect() {
			t.Fatalf("exit %v, want a defect holding a *CostError", y)
		}
		if l.TryAcquire(6) || l.Available() != 5 {
			t.Fatal("TryAcquire above the capacity")
		}
	})
}

func TestBadInputPanics(t *testing.T) {
	cases := map[string]struct {
		f    func()
		want string
	}{
		"zero rate":         {func() { ratelimit.New[any, error](ratelimit.TokenBucket{Per: time.Second}) }, "Rate must be > 0"},
		"negative per":      {func() { ratelimit.New[any, error](ratelimit.GCRA{Rate: 1, Per: -1}) }, "Per must be > 0"},
		"negative burst":    {func() { ratelimit.New[any, error](ratelimit.GCRA{Rate: 1, Per: 1, Burst: -1}) }, "Burst must be >= 0"},
		"zero limit":        {func() { ratelimit.New[any, error](ratelimit.FixedWindow{Window: time.Second}) }, "Limit must be > 0"},
		"zero window":       {func() { ratelimit.New[any, error](ratelimit.SlidingWindow{Limit: 1}) }, "Window must be > 0"},
		"nil algorithm":     {func() { ratelimit.New[any, error](nil) }, "alg must not be nil"},
		"huge burst":        {func() { ratelimit.New[any, error](ratelimit.TokenBucket{Rate: 1, Per: time.Hour, Burst: 1 << 50}) }, "too large"},
		"negative cost":     {func() { (&ratelimit.Limiter{}).TryAcquire(-1) }, "cost must be >= 0"},
		"negative acquire":  {func() { (&ratelimit.Limiter{}).Acquire[any, error](-2) }, "ratelimit.Limiter.Acquire: cost must be >= 0, got -2"},
		"negative withcost": {func() { (&ratelimit.Limiter{}).WithCost(-1, effect.Unit[any, error]()) }, "cost must be >= 0"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, c.want) {
					t.Fatalf("panic %v, want one containing %q", r, c.want)
				}
			}()
			c.f()
		})
	}
}

func TestManyWaitersAllAdmittedInOrder(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		l, closeScope := open(t, rt, ratelimit.TokenBucket{Rate: 100, Per: time.Second, Burst: 1})
		defer closeScope()
		var mu sync.Mutex
		var order []int
		var items []int
		for i := range 50 {
			items = append(items, i)
		}
		prog := effect.ForEach(items, func(i int) eff[*effect.Fiber[error, struct{}]] {
			return effect.Fork(l.Limit(effect.Sync[any, error](func() struct{} {
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				return struct{}{}
			})))
		})
		start := time.Now()
		fbs := effecttest.MustSucceed(t, rt.RunExit(context.Background(), effect.FlatMap(prog, func(fbs []*effect.Fiber[error, struct{}]) eff[[]struct{}] {
			return effect.ForEach(fbs, func(fb *effect.Fiber[error, struct{}]) eff[struct{}] { return fb.Join[any]() })
		}), nil))
		if len(fbs) != 50 || len(order) != 50 || time.Since(start) != 490*time.Millisecond {
			t.Fatalf("%d admitted in %v, want 50 in 490ms", len(order), time.Since(start))
		}
	})
}

func reflectType[T any]() reflect.Type { return reflect.TypeFor[T]() }
