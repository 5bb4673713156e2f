package resource_test

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

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/resource"
)

var (
	errBoom     = errors.New("boom")
	errNotFound = errors.New("not found")
)

// openBreaker makes a breaker in a scope of rt made by hand and returns it
// with the function that closes that scope.
func openBreaker(t testing.TB, rt *effect.Runtime, opts resource.BreakerOptions) (*resource.CircuitBreaker, func()) {
	t.Helper()
	scope := rt.NewScope()
	cb, err := rt.Run(context.Background(), effect.Extend(scope, resource.NewCircuitBreaker[any, error](opts)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cb, func() {
		if err := scope.Close(context.Background()); err != nil {
			t.Errorf("closing the breaker's scope: %v", err)
		}
	}
}

// calls counts the calls that a breaker let through.
type calls struct{ n atomic.Int64 }

func (c *calls) ok() eff[int] {
	return effect.Sync[any, error](func() int { return int(c.n.Add(1)) })
}

func (c *calls) fail(err error) eff[int] {
	return effect.Suspend(func() eff[int] { c.n.Add(1); return effect.Fail[any, int](err) })
}

func snapshot(t testing.TB, cb *resource.CircuitBreaker) resource.BreakerRecord {
	t.Helper()
	r, err := cb.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func assertState(t testing.TB, cb *resource.CircuitBreaker, want resource.BreakerState) {
	t.Helper()
	if got := snapshot(t, cb).State; got != want {
		t.Fatalf("breaker state: got %v, want %v", got, want)
	}
}

func TestBreakerOpensAfterConsecutiveFailures(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		cb, closeScope := openBreaker(t, rt, resource.BreakerOptions{Name: "payments", FailureThreshold: 3})
		defer closeScope()
		var c calls
		run := func(e eff[int]) error { _, err := rt.Run(context.Background(), cb.Execute(e), nil); return err }
		// Two failures, a success (which resets the count), two failures:
		// never three in a row, so still closed.
		for _, e := range []eff[int]{c.fail(errBoom), c.fail(errBoom), c.ok(), c.fail(errBoom), c.fail(errBoom)} {
			_ = run(e)
		}
		assertState(t, cb, resource.BreakerClosed)
		if got := snapshot(t, cb).Failures; got != 2 {
			t.Fatalf("consecutive failures: got %d, want 2", got)
		}
		if err := run(c.fail(errBoom)); !errors.Is(err, errBoom) {
			t.Fatalf("third failure: got %v, want boom itself", err)
		}
		assertState(t, cb, resource.BreakerOpen)
		before := c.n.Load()
		err := run(c.ok())
		var oe *resource.BreakerOpenError
		if !errors.As(err, &oe) || oe.Name != "payments" || oe.State != resource.BreakerOpen || !errors.Is(err, resource.ErrBreakerOpen) {
			t.Fatalf("open breaker: got %v, want a *BreakerOpenError naming payments", err)
		}
		if !strings.Contains(err.Error(), `"payments" is open`) {
			t.Fatalf("message %q does not name the breaker", err)
		}
		if got := time.Until(oe.RetryAt); got != 30*time.Second {
			t.Fatalf("RetryAt in %v, want the default reset timeout of 30s", got)
		}
		if c.n.Load() != before {
			t.Fatal("an open breaker ran the call")
		}
	})
}

func TestBreakerResetTimeoutAndTrials(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		cb, closeScope := openBreaker(t, rt, resource.BreakerOptions{FailureThreshold: 1, ResetTimeout: 10 * time.Second})
		defer closeScope()
		var c calls
		run := func(e eff[int]) error { _, err := rt.Run(context.Background(), cb.Execute(e), nil); return err }
		_ = run(c.fail(errBoom))
		opened := snapshot(t, cb).OpenedAt
		effecttest.Advance(10*time.Second - time.Nanosecond)
		if err := run(c.ok()); !errors.Is(err, resource.ErrBreakerOpen) {
			t.Fatalf("1ns before the reset timeout: got %v, want still open", err)
		}
		effecttest.Advance(time.Nanosecond)
		assertState(t, cb, resource.BreakerHalfOpen) // the view, before any call
		// A failing trial opens it again, for a whole new timeout.
		if err := run(c.fail(errBoom)); !errors.Is(err, errBoom) {
			t.Fatalf("trial: got %v, want boom", err)
		}
		r := snapshot(t, cb)
		if r.State != resource.BreakerOpen || !r.OpenedAt.Equal(opened.Add(10*time.Second)) {
			t.Fatalf("after a failed trial: %+v, want open since %v", r, opened.Add(10*time.Second))
		}
		effecttest.Advance(10 * time.Second)
		if err := run(c.ok()); err != nil {
			t.Fatalf("trial: %v", err)
		}
		assertState(t, cb, resource.BreakerClosed)
		if r := snapshot(t, cb); r.Failures != 0 || r.Trials != 0 || r.Successes != 0 {
			t.Fatalf("closed again with leftovers: %+v", r)
		}
	})
}

func TestBreakerHalfOpenAdmitsTrialCalls(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		cb, closeScope := openBreaker(t, rt, resource.BreakerOptions{FailureThreshold: 1, ResetTimeout: time.Second, HalfOpenCalls: 2})
		defer closeScope()
		_, _ = rt.Run(context.Background(), cb.Execute(effect.Fail[any, int](errBoom)), nil)
		effecttest.Advance(time.Second)
		slow := cb.Execute(effect.Sleep[any, error](time.Second).As(1))
		t1 := rt.Start(context.Background(), slow, nil)
		t2 := rt.Start(context.Background(), slow, nil)
		effecttest.WaitIdle()
		if r := snapshot(t, cb); r.State != resource.BreakerHalfOpen || r.Trials != 2 {
			t.Fatalf("with two trials running: %+v", r)
		}
		_, err := rt.Run(context.Background(), cb.Execute(effect.Succeed[any, error](3)), nil)
		var oe *resource.BreakerOpenError
		if !errors.As(err, &oe) || oe.State != resource.BreakerHalfOpen {
			t.Fatalf("third call while two trials run: got %v, want refused as half-open", err)
		}
		effecttest.Advance(time.Second)
		for _, fb := range []*effect.Fiber[error, int]{t1, t2} {
			if ex, _ := fb.Wait(context.Background()); !ex.IsSuccess() {
				t.Fatalf("trial: %v", ex)
			}
		}
		assertState(t, cb, resource.BreakerClosed)
	})
}

func TestBreakerInterruptionsDoNotCount(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		cb, closeScope := openBreaker(t, rt, resource.BreakerOptions{FailureThreshold: 1, ResetTimeout: time.Second})
		defer closeScope()
		hang := cb.Execute(effect.Never[any, error, int]())
		fb := rt.Start(context.Background(), hang, nil)
		effecttest.WaitIdle()
		fb.InterruptFromGo()
		<-fb.Done()
		assertState(t, cb, resource.BreakerClosed)

		_, _ = rt.Run(context.Background(), cb.Execute(effect.Fail[any, int](errBoom)), nil)
		effecttest.Advance(time.Second)
		// An interrupted trial gives its slot back: the next call is a
		// trial again, not refused.
		fb = rt.Start(context.Background(), hang, nil)
		effecttest.WaitIdle()
		if r := snapshot(t, cb); r.Trials != 1 {
			t.Fatalf("trial running: %+v", r)
		}
		fb.InterruptFromGo()
		<-fb.Done()
		if r := snapshot(t, cb); r.State != resource.BreakerHalfOpen || r.Trials != 0 {
			t.Fatalf("after the interrupted trial: %+v, want half-open with no trial", r)
		}
		if _, err := rt.Run(context.Background(), cb.Execute(effect.Succeed[any, error](1)), nil); err != nil {
			t.Fatalf("next trial: %v", err)
		}
		assertState(t, cb, resource.BreakerClosed)
	})
}

func TestBreakerIsFailurePredicate(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var seen []error
		cb, closeScope := openBreaker(t, rt, resource.BreakerOptions{FailureThreshold: 2, IsFailure: func(err error) bool {
			seen = append(seen, err)
			return !errors.Is(err, errNotFound)
		}})
		defer closeScope()
		var c calls
		for _, e := range []eff[int]{c.fail(errBoom), c.fail(errNotFound), c.fail(errBoom), c.fail(errNotFound)} {
			_, _ = rt.Run(context.Background(), cb.Execute(e), nil)
		}
		// "not found" is the service answering: it counts as a success,
		// so the two booms were never consecutive.
		assertState(t, cb, resource.BreakerClosed)
		if len(seen) != 4 || !errors.Is(seen[0], errBoom) || !errors.Is(seen[1], errNotFound) {
			t.Fatalf("IsFailure saw %v", seen)
		}
		_, _ = rt.Run(context.Background(), cb.Execute(c.fail(errBoom)), nil)
		_, _ = rt.Run(context.Background(), cb.Execute(effect.Die[any, error, int]("bug")), nil)
		assertState(t, cb, resource.BreakerOpen)
	})
}

func TestBreakerFailureRate(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		cb, closeScope := openBreaker(t, rt, resource.BreakerOptions{FailureRate: 0.5, Window: 4})
		defer closeScope()
		var c calls
		// Never two failures in a row, so only the rate can open it.
		seq := []eff[int]{c.fail(errBoom), c.ok(), c.ok(), c.ok(), c.fail(errBoom), c.ok(), c.fail(errBoom)}
		for i, e := range seq {
			_, _ = rt.Run(context.Background(), cb.Execute(e), nil)
			// Windows: [F] [F S] [F S S] [F S S S] 1/4, [S S S F] 1/4,
			// [S S F S] 1/4, [S F S F] 2/4: opens.
			want := resource.BreakerClosed
			if i == len(seq)-1 {
				want = resource.BreakerOpen
			}
			if got := snapshot(t, cb).State; got != want {
				t.Fatalf("after call %d: %v, want %v (window %v)", i, got, want, snapshot(t, cb).Window)
			}
		}
	})
}

func TestBreakerStateHooksAndStaleCalls(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var mu sync.Mutex
		var log []string
		cb, closeScope := openBreaker(t, rt, resource.BreakerOptions{Name: "db", FailureThreshold: 1, ResetTimeout: time.Second,
			OnStateChange: func(name string, from, to resource.BreakerState) {
				mu.Lock()
				log = append(log, fmt.Sprintf("%s: %v->%v", name, from, to))
				mu.Unlock()
			}})
		defer closeScope()
		// A slow call admitted while closed ends after the breaker opened
		// and half-opened: its success belongs to the old generation and
		// must not close the breaker.
		slow := rt.Start(context.Background(), cb.Execute(effect.Sleep[any, error](5*time.Second).As(1)), nil)
		effecttest.WaitIdle()
		_, _ = rt.Run(context.Background(), cb.Execute(effect.Fail[any, int](errBoom)), nil)
		effecttest.Advance(2 * time.Second)
		assertState(t, cb, resource.BreakerHalfOpen) // a view: no hook yet
		trial := rt.Start(context.Background(), cb.Execute(effect.Sleep[any, error](10*time.Second).As(2)), nil)
		effecttest.Advance(3 * time.Second)
		<-slow.Done()
		if r := snapshot(t, cb); r.State != resource.BreakerHalfOpen || r.Successes != 0 || r.Trials != 1 {
			t.Fatalf("after the stale success: %+v", r)
		}
		effecttest.Advance(10 * time.Second)
		<-trial.Done()
		if err := cb.Reset(context.Background()); err != nil {
			t.Fatal(err)
		}
		want := []string{"db: closed->open", "db: open->half-open", "db: half-open->closed"}
		if !slices.Equal(log, want) {
			t.Fatalf("hooks: got %v, want %v", log, want)
		}
		_, _ = rt.Run(context.Background(), cb.Execute(effect.Fail[any, int](errBoom)), nil)
		if err := cb.Reset(context.Background()); err != nil {
			t.Fatal(err)
		}
		assertState(t, cb, resource.BreakerClosed)
		if got := log[len(log)-1]; got != "db: open->closed" {
			t.Fatalf("Reset: last hook %q", got)
		}
	})
}

func TestBreakerSharedStore(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		store := resource.NewMemoryBreakerStore()
		a, closeA := openBreaker(t, rt, resource.BreakerOptions{Name: "api", FailureThreshold: 1, Store: store})
		defer closeA()
		b, closeB := openBreaker(t, rt, resource.BreakerOptions{Name: "api", FailureThreshold: 1, Store: store})
		defer closeB()
		other, closeO := openBreaker(t, rt, resource.BreakerOptions{Name: "other", Store: store})
		defer closeO()
		_, _ = rt.Run(context.Background(), a.Execute(effect.Fail[any, int](errBoom)), nil)
		if _, err := rt.Run(context.Background(), b.Execute(effect.Succeed[any, error](1)), nil); !errors.Is(err, resource.ErrBreakerOpen) {
			t.Fatalf("breaker b of the same name: got %v, want open", err)
		}
		if _, err := rt.Run(context.Background(), other.Execute(effect.Succeed[any, error](1)), nil); err != nil {
			t.Fatalf("breaker of another name: %v", err)
		}
	})
}

// failingStore is a store that is down.
type failingStore struct{}

var errStoreDown = errors.New("store down")

func (failingStore) Load(context.Context, string) (resource.BreakerRecord, error) {
	return resource.BreakerRecord{}, errStoreDown
}

func (failingStore) Update(context.Context, string, func(resource.BreakerRecord) resource.BreakerRecord) (resource.BreakerRecord, error) {
	return resource.BreakerRecord{}, errStoreDown
}

func TestBreakerFailsOpenWhenStoreFails(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var reported atomic.Int64
		cb, closeScope := openBreaker(t, rt, resource.BreakerOptions{FailureThreshold: 1, Store: failingStore{},
			OnStoreError: func(err error) {
				if errors.Is(err, errStoreDown) {
					reported.Add(1)
				}
			}})
		defer closeScope()
		for range 3 {
			if _, err := rt.Run(context.Background(), cb.Execute(effect.Fail[any, int](errBoom)), nil); !errors.Is(err, errBoom) {
				t.Fatalf("got %v, want the call to run and fail with boom", err)
			}
		}
		if reported.Load() != 3 {
			t.Fatalf("store errors reported: %d, want 3 (one per admission)", reported.Load())
		}
	})
}

func TestBreakerClosedWithScope(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		cb, closeScope := openBreaker(t, rt, resource.BreakerOptions{})
		closeScope()
		x := rt.RunExit(context.Background(), cb.Execute(effect.Succeed[any, error](1)), nil)
		effecttest.AssertInterruptedWith(t, x, resource.ErrClosed)
		// Admit, the breaker's form as a scope policy, refuses the same way.
		y := rt.RunExit(context.Background(), cb.Admit(), nil)
		effecttest.AssertInterruptedWith(t, y, resource.ErrClosed)
	})
}

func TestBreakerExecuteOrAndCustomErrorType(t *testing.T) {
	type codeErr struct{ code int }
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		cb, closeScope := openBreaker(t, rt, resource.BreakerOptions{FailureThreshold: 1})
		defer closeScope()
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "use ExecuteOr") {
					t.Fatalf("Execute with a non-error E: panic %v", r)
				}
			}()
			cb.Execute(effect.Succeed[any, codeErr](1))
		}()
		onOpen := func(oe *resource.BreakerOpenError) effect.Effect[any, codeErr, int] {
			return effect.Fail[any, int](codeErr{503})
		}
		x := rt.RunExit(context.Background(), cb.ExecuteOr(effect.Fail[any, int](codeErr{500}), onOpen), nil)
		if e, _ := x.Cause().Failure(); e.code != 500 {
			t.Fatalf("first call: %v", x)
		}
		x = rt.RunExit(context.Background(), cb.ExecuteOr(effect.Succeed[any, codeErr](1), onOpen), nil)
		if e, _ := x.Cause().Failure(); e.code != 503 {
			t.Fatalf("open breaker: %v, want the fallback's 503", x)
		}
		cached := func(*resource.BreakerOpenError) eff[string] { return effect.Succeed[any, error]("cached") }
		if v, err := rt.Run(context.Background(), cb.ExecuteOr(effect.Succeed[any, error]("fresh"), cached), nil); err != nil || v != "cached" {
			t.Fatalf("fallback value: %q, %v", v, err)
		}
	})
}

func TestBreakerOptionChecks(t *testing.T) {
	cases := []struct {
		opts resource.BreakerOptions
		want string
	}{
		{resource.BreakerOptions{FailureThreshold: -1}, "FailureThreshold must be >= 0, got -1"},
		{resource.BreakerOptions{FailureRate: 1.5, Window: 3}, "FailureRate must be in [0, 1], got 1.5"},
		{resource.BreakerOptions{FailureRate: 0.5}, "Window must be > 0 with a FailureRate, got 0"},
		{resource.BreakerOptions{Window: 5}, "Window needs a FailureRate, got 5"},
		{resource.BreakerOptions{FailureRate: 0.5, Window: 3, MinCalls: 4}, "MinCalls must be in [0, Window], got 4"},
		{resource.BreakerOptions{ResetTimeout: -time.Second}, "ResetTimeout must be >= 0, got -1s"},
		{resource.BreakerOptions{HalfOpenCalls: -2}, "HalfOpenCalls must be >= 0, got -2"},
	}
	for _, c := range cases {
		func() {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.HasPrefix(msg, "resource.NewCircuitBreaker: ") || !strings.Contains(msg, c.want) {
					t.Errorf("%+v: panic %q, want %q", c.opts, msg, c.want)
				}
			}()
			resource.NewCircuitBreaker[any, error](c.opts)
		}()
	}
	if resource.BreakerHalfOpen.String() != "half-open" || resource.BreakerState(9).String() != "BreakerState(9)" {
		t.Fatal("BreakerState.String")
	}
}

// TestBreakerPanickingCallbacks: a panic in a user callback is a defect of
// the call, and leaves the breaker's counts right.
func TestBreakerPanickingCallbacks(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		cb, closeScope := openBreaker(t, rt, resource.BreakerOptions{FailureThreshold: 1, ResetTimeout: time.Second,
			IsFailure: func(err error) bool {
				if errors.Is(err, errNotFound) {
					panic("bad predicate")
				}
				return true
			},
			OnStateChange: func(_ string, _, to resource.BreakerState) {
				if to == resource.BreakerHalfOpen {
					panic("bad hook")
				}
			}})
		defer closeScope()
		x := rt.RunExit(context.Background(), cb.Execute(effect.Fail[any, int](errNotFound)), nil)
		if !errors.Is(x.Err(), errNotFound) || !x.Cause().IsDefect() {
			t.Fatalf("IsFailure panicked: got %v, want the failure and a defect", x)
		}
		assertState(t, cb, resource.BreakerOpen) // counted as a failure
		effecttest.Advance(time.Second)
		x = rt.RunExit(context.Background(), cb.Execute(effect.Succeed[any, error](1)), nil)
		if d := x.Cause().Defects(); len(d) != 1 || d[0].Value != "bad hook" {
			t.Fatalf("OnStateChange panicked: got %v, want its defect", x)
		}
		if r := snapshot(t, cb); r.State != resource.BreakerHalfOpen || r.Trials != 0 {
			t.Fatalf("after the panicking hook: %+v, want half-open with the trial given back", r)
		}
	})
}
