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

// The interruption sweeps of closing a scope: from an effect (MakeScope,
// Extend, CloseScope) on the harness of sweep_test.go, and from plain Go
// (Scope.Close) with its ctx cancelled at every instant, a second closer
// (another Close, or Runtime.Shutdown) arriving at every instant, and the
// closing fiber interrupted at every step.

var errClose = errors.New("close failed")

// scopeBook records what a scope under test went through: finalizers
// registered and run, and its child fiber.
type scopeBook struct {
	mu         sync.Mutex
	registered []string
	ran        []string
	// childEnded[i] tells whether the child fiber had ended when ran[i]
	// began, if the child was forked by then.
	childEnded  []bool
	child       *effect.Fiber[error, struct{}]
	interrupted int           // how many times the child saw its interruption
	started     chan struct{} // closed once the child is inside its OnInterrupt region
}

func (b *scopeBook) note(f func(b *scopeBook)) Eff[struct{}] {
	return effect.Sync[any, error](func() struct{} {
		b.mu.Lock()
		defer b.mu.Unlock()
		f(b)
		return struct{}{}
	})
}

// register registers a finalizer named name that then runs fin; the
// registration and its record are one uninterruptible step.
func (b *scopeBook) register(name string, fin Eff[struct{}]) Eff[struct{}] {
	return effect.Uninterruptible(effect.AndThen(
		effect.AddFinalizer(func(error) Eff[struct{}] {
			return effect.AndThen(b.note(func(b *scopeBook) {
				ended := true
				if b.child != nil {
					_, ended = b.child.Poll()
				}
				b.ran = append(b.ran, name)
				b.childEnded = append(b.childEnded, ended)
			}), fin)
		}),
		b.note(func(b *scopeBook) { b.registered = append(b.registered, name) })))
}

// fork forks, in the current scope, a child fiber that waits until it is
// interrupted and notes that it was. A fiber interrupted before its first
// step never enters the region its OnInterrupt guards, so its handler
// rightly does not run: the child notes when it has entered that region.
func (b *scopeBook) fork() Eff[struct{}] {
	b.started = make(chan struct{})
	child := effect.AndThen(
		effect.Sync[any, error](func() struct{} { close(b.started); return struct{}{} }),
		effect.Never[any, error, struct{}](),
	).OnInterrupt(func(error) Eff[struct{}] {
		return b.note(func(b *scopeBook) { b.interrupted++ })
	})
	return effect.Uninterruptible(effect.FlatMap(effect.Fork(child), func(fb *effect.Fiber[error, struct{}]) Eff[struct{}] {
		return b.note(func(b *scopeBook) { b.child = fb })
	}))
}

// childStarted reports whether the child fiber entered its guarded region.
func (b *scopeBook) childStarted() bool {
	if b.started == nil {
		return false
	}
	select {
	case <-b.started:
		return true
	default:
		return false
	}
}

// populate fills the current scope: three finalizers (the second slow, the
// third failing), a child fiber between them, a tracked resource.
func (b *scopeBook) populate(res *effecttest.Resources) Eff[struct{}] {
	return effect.AndThen(b.register("1", effect.Unit[any, error]()),
		effect.AndThen(b.register("2", effect.Sleep[any, error](2*sweepQuantum)),
			effect.AndThen(b.fork(),
				effect.AndThen(b.register("3", effect.Fail[any, struct{}](errClose)),
					effect.Void(res.Acquire[any, error]("r"))))))
}

// check reports unless every finalizer registered ran exactly once, in
// reverse order, after the child (if forked) had ended; complete asks for
// all three to have been registered and the child to have been interrupted.
func (b *scopeBook) check(t testing.TB, at string, complete bool) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	want := slices.Clone(b.registered)
	slices.Reverse(want)
	if !slices.Equal(b.ran, want) {
		t.Errorf("%s: finalizers ran %v, registered %v", at, b.ran, b.registered)
	}
	for i, ended := range b.childEnded {
		if !ended {
			t.Errorf("%s: finalizer %s ran before the child fiber had ended", at, b.ran[i])
		}
	}
	if b.interrupted > 1 || complete && b.childStarted() && b.interrupted != 1 {
		t.Errorf("%s: the child fiber saw %d interruptions", at, b.interrupted)
	}
	if b.child != nil {
		if _, done := b.child.Poll(); !done {
			t.Errorf("%s: the child fiber outlived its scope", at)
		}
	}
	if complete && len(b.registered) != 3 {
		t.Errorf("%s: %d finalizers registered, want 3", at, len(b.registered))
	}
}

// isCloseFailure reports whether err is the failing finalizer's error,
// reported as a finalizer's failure.
func isCloseFailure(err error) bool {
	var fe *effect.FinalizerError
	return errors.Is(err, errClose) && errors.As(err, &fe)
}

// A scope made, filled and closed by an effect, interrupted anywhere: each
// finalizer registered runs exactly once, in reverse order, after the
// scope's fiber has ended; the resource is released once; the failing
// finalizer's error is reported, as a finalizer's failure, whenever it ran.
// Checked local mutation: with a closing scope running its finalizers
// before interrupting its fibers (scope.go), this sweep failed.
func TestSweepCloseScope(t *testing.T) {
	sweepEffect(t, 10, func() sweepTrial[struct{}] {
		b := &scopeBook{}
		var res effecttest.Resources
		run := effect.FlatMap(effect.MakeScope[any, error](), func(s *effect.Scope) Eff[struct{}] {
			return effect.AndThen(effect.Extend(s, b.populate(&res)), effect.CloseScope[any, error](s))
		})
		return sweepTrial[struct{}]{run: run, check: func(t testing.TB, at string, x effect.Exit[error, struct{}]) {
			t.Helper()
			b.check(t, at, at == notInterrupted)
			res.AssertReleased(t)
			if len(x.Cause().Failures()) > 0 {
				t.Errorf("%s: ended as %v; a finalizer's failure is a defect", at, x)
			}
			for _, d := range x.Cause().Defects() {
				if !isCloseFailure(d) {
					t.Errorf("%s: defect %v", at, d)
				}
			}
			b.mu.Lock()
			ran3 := slices.Contains(b.ran, "3")
			b.mu.Unlock()
			if ran3 != isCloseFailure(x.Err()) {
				t.Errorf("%s: the failing finalizer ran: %v, but the run ended as %v", at, ran3, x)
			}
		}}
	})
}

// closeTrial closes a filled scope from plain Go with Scope.Close, its ctx
// cancelled at cancelAt (before the call if negative, never if beyond the
// run), while a second closer, another goroutine's Close or
// Runtime.Shutdown, arrives at secondAt (never if negative), and the step
// hook interrupts the k-th step of the closing fibers (none if 0). Each
// Close must return only once every finalizer has run, with the failing
// finalizer's error.
func closeTrial(t *testing.T, at string, cancelAt, secondAt time.Duration, shutdown bool, k int) {
	t.Helper()
	rt := effect.NewRuntime()
	s := rt.NewScope()
	b := &scopeBook{}
	var res effecttest.Resources
	if _, err := rt.Run(context.Background(), effect.Extend(s, b.populate(&res)), nil); err != nil {
		t.Fatalf("%s: filling the scope: %v", at, err)
	}
	// The child runs up to its wait, so that closing must interrupt it.
	select {
	case <-b.started:
	case <-b.child.Done():
		t.Fatalf("%s: the child fiber ended before the scope closed", at)
	}
	var steps atomic.Int64
	if k > 0 {
		rt.SetStepHook(func(effect.FiberID) bool { return steps.Add(1) == int64(k) })
	}
	// ranWhenReturned tells how many finalizers had run when a closer
	// returned.
	ranWhenReturned := func() int {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.ran)
	}
	var wg sync.WaitGroup
	var secondErr error
	secondRan := -1
	if secondAt >= 0 {
		wg.Go(func() {
			time.Sleep(secondAt)
			if shutdown {
				secondErr = rt.Shutdown(context.Background())
			} else {
				secondErr = s.Close(context.Background())
			}
			secondRan = ranWhenReturned()
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if cancelAt < 0 {
		cancel()
	} else {
		time.AfterFunc(cancelAt, cancel)
	}
	err := s.Close(ctx)
	ran := ranWhenReturned()
	wg.Wait()
	b.check(t, at, true)
	res.AssertReleased(t)
	if !isCloseFailure(err) || ran != 3 {
		t.Errorf("%s: Close returned %v with %d of 3 finalizers run; want the failing finalizer's error, after all", at, err, ran)
	}
	if secondAt >= 0 && !shutdown && (!isCloseFailure(secondErr) || secondRan != 3) {
		t.Errorf("%s: the second Close returned %v with %d of 3 finalizers run; want the same as the first, after all", at, secondErr, secondRan)
	}
	if secondAt >= 0 && shutdown && secondRan != 3 {
		t.Errorf("%s: Shutdown returned (%v) with %d of 3 finalizers run", at, secondErr, secondRan)
	}
	if !s.IsClosed() {
		t.Errorf("%s: the scope is still open", at)
	}
	effecttest.AssertNoFibers(t, rt)
	_ = rt.Shutdown(context.Background())
}

// Scope.Close from plain Go, its ctx cancelled before the call and at every
// half quantum of the close, with a second closer arriving at every half
// quantum, and the closing fibers interrupted at each of their steps:
// every Close returns after every finalizer ran once, in reverse order,
// after the scope's fiber ended, with the failing finalizer's error. This
// sweep is the regression test of the defects of issue 17: with Close run as
// an interruptible fiber of its ctx (as it was), the pre-cancelled trials
// ran no finalizer; with a second Close returning at once when the scope was
// already closing (as it did), the concurrent trials saw it return before
// the slow finalizer ended, without its error.
func TestSweepScopeCloseFromGo(t *testing.T) {
	q := sweepQuantum
	var times []time.Duration
	for d := time.Duration(0); d <= 4*q; d += q / 2 {
		times = append(times, d)
	}
	t.Run("ctx cancelled", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			closeTrial(t, "cancelled before Close", -1, -1, false, 0)
			for _, c := range times {
				for range 3 {
					closeTrial(t, fmt.Sprintf("cancelled at %v", c), c, -1, false, 0)
				}
			}
		})
	})
	for _, shutdown := range []bool{false, true} {
		name := "second Close"
		if shutdown {
			name = "Shutdown"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				for _, second := range times {
					for _, c := range []time.Duration{-1, q, 3 * q} {
						closeTrial(t, fmt.Sprintf("%s at %v, cancelled at %v", name, second, c), c, second, shutdown, 0)
					}
				}
			})
		})
	}
	t.Run("closing fiber interrupted at each step", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			for k := 1; k <= 40; k++ {
				closeTrial(t, fmt.Sprintf("step %d interrupted", k), -1, q, false, k)
				closeTrial(t, fmt.Sprintf("step %d interrupted, ctx kept", k), 10*q, -1, false, k)
			}
		})
	})
}
