package resource_test

import (
	"context"
	"errors"
	"slices"
	"strings"
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

type (
	eff[A any] = effect.Effect[any, error, A]
	unit       = eff[struct{}]
)

func sync0(f func()) unit {
	return effect.Sync[any, error](func() struct{} { f(); return struct{}{} })
}

// openSemaphore makes a semaphore in a scope of rt made by hand and returns
// it with the function that closes that scope.
func openSemaphore(t testing.TB, rt *effect.Runtime, permits int64, opts ...resource.SemaphoreOption) (*resource.Semaphore, func()) {
	t.Helper()
	scope := rt.NewScope()
	s, err := rt.Run(context.Background(), effect.Extend(scope, resource.NewSemaphore[any, error](permits, opts...)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, func() {
		if err := scope.Close(context.Background()); err != nil {
			t.Errorf("closing the semaphore's scope: %v", err)
		}
	}
}

func assertPermits(t testing.TB, s *resource.Semaphore, avail int64, waiting int) {
	t.Helper()
	if a, w := s.Available(), s.Waiting(); a != avail || w != waiting {
		t.Fatalf("semaphore: %d available, %d waiting; want %d, %d", a, w, avail, waiting)
	}
}

func TestSemaphoreWithPermitsReleasesOnEveryOutcome(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		s, closeScope := openSemaphore(t, rt, 3)
		defer closeScope()
		boom := errors.New("boom")
		var held int64
		peek := sync0(func() { held = s.Available() })
		cases := []struct {
			name string
			body unit
			want func(effect.Exit[error, struct{}]) bool
		}{
			{"success", peek, func(x effect.Exit[error, struct{}]) bool { return x.IsSuccess() }},
			{"failure", peek.AndThen(effect.Fail[any, struct{}](boom)), func(x effect.Exit[error, struct{}]) bool { return errors.Is(x.Err(), boom) }},
			{"defect", peek.AndThen(effect.Sync[any, error](func() struct{} { panic("bug") })), func(x effect.Exit[error, struct{}]) bool { return x.Cause().IsDefect() }},
			{"interruption", peek.AndThen(effect.Never[any, error, struct{}]()).Timeout(time.Second), func(x effect.Exit[error, struct{}]) bool {
				return errors.Is(x.Err(), effect.ErrTimeout)
			}},
		}
		for _, c := range cases {
			held = -1
			x := rt.RunExit(context.Background(), s.WithPermits(2, c.body), nil)
			if !c.want(x) {
				t.Fatalf("%s: unexpected exit %v", c.name, x)
			}
			if held != 1 {
				t.Fatalf("%s: %d permits available inside, want 1", c.name, held)
			}
			assertPermits(t, s, 3, 0)
		}
	})
}

func TestSemaphoreFIFOAndWeighted(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		s, closeScope := openSemaphore(t, rt, 3)
		defer closeScope()
		if !s.TryAcquire(3) {
			t.Fatal("TryAcquire(3) on a fresh semaphore of 3")
		}
		var mu sync.Mutex
		var order []string
		waiter := func(name string, n int64) *effect.Fiber[error, struct{}] {
			fb := rt.Start(context.Background(), s.WithPermits(n, sync0(func() {
				mu.Lock()
				order = append(order, name)
				mu.Unlock()
			}).AndThen(effect.Sleep[any, error](time.Second))), nil)
			effecttest.WaitIdle()
			return fb
		}
		big := waiter("big", 2)
		small1 := waiter("small1", 1)
		small2 := waiter("small2", 1)
		assertPermits(t, s, 0, 3)
		s.Release(1)
		effecttest.WaitIdle()
		// One permit is free but the head of the queue wants two: the
		// small waiters behind it must not overtake it.
		assertPermits(t, s, 1, 3)
		s.Release(1)
		effecttest.WaitIdle()
		assertPermits(t, s, 0, 2)
		s.Release(1)
		effecttest.WaitIdle()
		assertPermits(t, s, 0, 1)
		effecttest.Advance(time.Second) // big ends and gives 2 back
		for _, fb := range []*effect.Fiber[error, struct{}]{big, small1, small2} {
			if ex, _ := fb.Wait(context.Background()); !ex.IsSuccess() {
				t.Fatalf("waiter: %v", ex)
			}
		}
		if want := []string{"big", "small1", "small2"}; !slices.Equal(order, want) {
			t.Fatalf("order: got %v, want %v", order, want)
		}
		assertPermits(t, s, 3, 0)
	})
}

func TestSemaphoreInterruptedWaiterLeavesQueue(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		s, closeScope := openSemaphore(t, rt, 2)
		defer closeScope()
		s.TryAcquire(1)
		big := rt.Start(context.Background(), s.WithPermits(2, effect.Unit[any, error]()), nil)
		effecttest.WaitIdle()
		small := rt.Start(context.Background(), s.WithPermits(1, effect.Unit[any, error]()), nil)
		effecttest.WaitIdle()
		assertPermits(t, s, 1, 2)
		big.InterruptFromGo()
		// The big waiter leaves the head of the queue, which lets the
		// small one through at once.
		ex, _ := big.Wait(context.Background())
		effecttest.AssertInterrupted(t, ex)
		if ex, _ := small.Wait(context.Background()); !ex.IsSuccess() {
			t.Fatalf("small waiter: %v", ex)
		}
		assertPermits(t, s, 1, 0)
		s.Release(1)
		assertPermits(t, s, 2, 0)
	})
}

// TestSemaphoreGrantInterruptRace interrupts a waiter at the very moment
// the permit reaches it, many times: whichever wins, the permit must end
// up back in the semaphore.
func TestSemaphoreGrantInterruptRace(t *testing.T) {
	rt := effect.NewRuntime()
	defer rt.Shutdown(context.Background())
	s, closeScope := openSemaphore(t, rt, 1)
	defer closeScope()
	for i := range 500 {
		if !s.TryAcquire(1) {
			t.Fatalf("round %d: permit not back", i)
		}
		fb := rt.Start(context.Background(), s.WithPermits(1, effect.Unit[any, error]()), nil)
		for s.Waiting() == 0 {
			time.Sleep(time.Microsecond)
		}
		var wg sync.WaitGroup
		wg.Go(func() { s.Release(1) })
		wg.Go(fb.InterruptFromGo)
		wg.Wait()
		<-fb.Done()
		assertPermits(t, s, 1, 0)
	}
}

func TestSemaphoreCloseWakesWaiters(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		s, closeScope := openSemaphore(t, rt, 1)
		s.TryAcquire(1)
		var waiters []*effect.Fiber[error, struct{}]
		for range 3 {
			waiters = append(waiters, rt.Start(context.Background(), s.WithPermits(1, effect.Unit[any, error]()), nil))
		}
		effecttest.WaitIdle()
		assertPermits(t, s, 0, 3)
		closeScope()
		for _, fb := range waiters {
			ex, _ := fb.Wait(context.Background())
			effecttest.AssertInterruptedWith(t, ex, resource.ErrClosed)
			if err := ex.Err(); !errors.Is(err, context.Canceled) {
				t.Fatalf("got %v, want an interruption matching context.Canceled", err)
			}
		}
		x := rt.RunExit(context.Background(), s.Acquire[any, error](1), nil)
		effecttest.AssertInterruptedWith(t, x, resource.ErrClosed)
		// WithPermits after the close: refused before its effect runs.
		ran := false
		x = rt.RunExit(context.Background(), s.WithPermits(1, effect.Sync[any, error](func() struct{} { ran = true; return struct{}{} })), nil)
		effecttest.AssertInterruptedWith(t, x, resource.ErrClosed)
		if ran {
			t.Fatal("WithPermits ran its effect on a closed semaphore")
		}
		if s.TryAcquire(0) {
			t.Fatal("TryAcquire on a closed semaphore succeeded")
		}
		s.Release(1) // a permit held across the close may still come back
		assertPermits(t, s, 1, 0)
	})
}

func TestSemaphoreOwnedByScope(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		// The waiter is a daemon of the runtime, so that only the
		// semaphore's close, not the scope's own interruption of its
		// fibers, can wake it.
		var fb *effect.Fiber[error, struct{}]
		prog := effect.Scoped(effect.FlatMap(resource.NewSemaphore[any, error](1), func(s *resource.Semaphore) unit {
			s.TryAcquire(1)
			return effect.FlatMap(effect.ForkDaemon(s.WithPermits(1, effect.Unit[any, error]())), func(f *effect.Fiber[error, struct{}]) unit {
				fb = f
				return effect.Sleep[any, error](time.Second)
			})
		}))
		if _, err := rt.Run(context.Background(), prog, nil); err != nil {
			t.Fatal(err)
		}
		ex, _ := fb.Wait(context.Background())
		effecttest.AssertInterruptedWith(t, ex, resource.ErrClosed)
	})
}

func TestSemaphoreAcquireScoped(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		s, closeScope := openSemaphore(t, rt, 2)
		defer closeScope()
		var inside int64
		prog := effect.Scoped(s.AcquireScoped[any, error](2).AndThen(sync0(func() { inside = s.Available() })))
		if _, err := rt.Run(context.Background(), prog, nil); err != nil {
			t.Fatal(err)
		}
		if inside != 0 {
			t.Fatalf("inside the scope: %d available, want 0", inside)
		}
		assertPermits(t, s, 2, 0)
	})
}

func TestSemaphoreMisuse(t *testing.T) {
	mustPanic := func(name, want string, f func()) {
		t.Helper()
		defer func() {
			r := recover()
			if msg, _ := r.(string); !strings.Contains(msg, want) {
				t.Fatalf("%s: panic %v, want one containing %q", name, r, want)
			}
		}()
		f()
	}
	mustPanic("NewSemaphore(-1)", "resource.NewSemaphore: permits must be > 0, got -1", func() { resource.NewSemaphore[any, error](-1) })
	rt := effect.NewRuntime()
	defer rt.Shutdown(context.Background())
	s, closeScope := openSemaphore(t, rt, 2)
	defer closeScope()
	mustPanic("WithPermits(3)", "resource.Semaphore.WithPermits: n must be in [0, 2]", func() { s.WithPermits(3, effect.Unit[any, error]()) })
	mustPanic("Acquire(-1)", "resource.Semaphore.Acquire", func() { s.Acquire[any, error](-1) })
	mustPanic("Release(1)", "exceeds the size 2", func() { s.Release(1) })
	if s.TryAcquire(3) || s.TryAcquire(-1) {
		t.Fatal("TryAcquire beyond the size or negative succeeded")
	}
	if _, err := rt.Run(context.Background(), s.Acquire[any, error](0), nil); err != nil || s.Available() != 2 {
		t.Fatalf("Acquire(0): %v, %d available", err, s.Available())
	}
}

// TestSemaphoreHoldersNeverExceedLimit is the property: whatever the size,
// the weights and the timings, the permits held at once never exceed the
// size, every holder gets its turn, and all permits come back.
func TestSemaphoreHoldersNeverExceedLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		params := gopter.DefaultTestParameters()
		params.MinSuccessfulTests = 40
		props := gopter.NewProperties(params)
		props.Property("held permits <= size", prop.ForAll(
			func(size int, jobs []int) bool {
				rt := effect.NewRuntime()
				defer rt.Shutdown(context.Background())
				s, closeScope := openSemaphore(t, rt, int64(size))
				defer closeScope()
				var held, peak, ran atomic.Int64
				items := make([]int, len(jobs))
				for i := range items {
					items[i] = i
				}
				_, err := rt.Run(context.Background(), effect.ForEachPar(items, func(i int) unit {
					w := int64(jobs[i]%size + 1)
					d := time.Duration(jobs[i]%7) * time.Millisecond
					return s.WithPermits(w, sync0(func() {
						h := held.Add(w)
						for p := peak.Load(); h > p && !peak.CompareAndSwap(p, h); p = peak.Load() {
						}
						ran.Add(1)
					}).AndThen(effect.Sleep[any, error](d)).AndThen(sync0(func() { held.Add(-w) })))
				}, effect.Par{}), nil)
				return err == nil && peak.Load() <= int64(size) && ran.Load() == int64(len(jobs)) &&
					s.Available() == int64(size) && s.Waiting() == 0
			},
			gen.IntRange(1, 6),
			gen.SliceOf(gen.IntRange(0, 100)),
		))
		props.TestingRun(t)
	})
}

func TestSemaphoreZeroPermitsNeverWait(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		s, closeScope := openSemaphore(t, rt, 1)
		defer closeScope()
		s.TryAcquire(1)
		waiter := rt.Start(context.Background(), s.WithPermits(1, effect.Unit[any, error]()), nil)
		effecttest.WaitIdle()
		// Someone waits, no permit is free: zero permits still go through.
		if v, err := rt.Run(context.Background(), s.WithPermits(0, effect.Succeed[any, error](7)), nil); err != nil || v != 7 {
			t.Fatalf("WithPermits(0): %v, %v", v, err)
		}
		if _, err := rt.Run(context.Background(), s.Acquire[any, error](0), nil); err != nil {
			t.Fatalf("Acquire(0): %v", err)
		}
		assertPermits(t, s, 0, 1)
		s.Release(1)
		<-waiter.Done()
		assertPermits(t, s, 1, 0)
	})
}
