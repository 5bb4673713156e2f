package effect

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// countingContext is a cancellable context that counts what registers
// under it: not a context of package context, but one with an AfterFunc
// method, which context.AfterFunc and the children of package context use to
// register under it. Its values, error and cause are those of inner, which
// cancel cancels (its Done channel is its own, so package context does not
// take it for inner).
type countingContext struct {
	inner       context.Context
	cancelInner context.CancelCauseFunc
	mu          sync.Mutex
	done        chan struct{}
	cause       error
	watches     int            // AfterFunc calls
	funcs       map[int]func() // registered and not stopped
}

func newCounting() *countingContext {
	inner, cancel := context.WithCancelCause(context.Background())
	return &countingContext{inner: inner, cancelInner: cancel, done: make(chan struct{}), funcs: map[int]func(){}}
}

func (*countingContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *countingContext) Done() <-chan struct{}     { return c.done }
func (c *countingContext) Value(k any) any           { return c.inner.Value(k) }
func (c *countingContext) Err() error                { return c.inner.Err() }

func (c *countingContext) AfterFunc(f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.watches++
	id := c.watches
	if c.cause != nil {
		go f()
		return func() bool { return false }
	}
	c.funcs[id] = f
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, ok := c.funcs[id]
		delete(c.funcs, id)
		return ok
	}
}

// cancel cancels the context and runs what is registered under it, each
// on its own goroutine as package context does.
func (c *countingContext) cancel(cause error) {
	c.mu.Lock()
	c.cause = cause
	c.cancelInner(cause)
	close(c.done)
	funcs := c.funcs
	c.funcs = map[int]func(){}
	c.mu.Unlock()
	for _, f := range funcs {
		go f()
	}
}

// counts returns how many registered under c in all, and how many are
// still registered.
func (c *countingContext) counts() (watches, left int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.watches, len(c.funcs)
}

// stepping returns an effect of n+1 steps of plain code (a Suspend each),
// which calls at(i) before step i and counts the steps it ran in *ran.
func stepping(n int, ran *int, at func(i int)) eff {
	var loop func(i int) eff
	loop = func(i int) eff {
		return Suspend(func() eff {
			if at != nil {
				at(i)
			}
			*ran++
			if i == n {
				return succeed(i)
			}
			return loop(i + 1)
		})
	}
	return loop(0)
}

func TestRunWatchesItsContextOnlyWhenTheFiberMustBeWoken(t *testing.T) {
	tryCtx := Try[any](func(ctx context.Context) (int, error) {
		if ctx.Done() == nil {
			return 0, errors.New("Try got a context that is never cancelled")
		}
		return 7, nil
	})
	for _, tc := range []struct {
		name    string
		e       eff
		watches int
	}{
		{"plain steps", stepping(10, new(int), nil), 0},
		{"a success at once", succeed(7), 0},
		{"an async resumed at once", Async[any, error, int](func(resume func(Exit[error, int])) func() {
			resume(Exit[error, int]{value: 7})
			return nil
		}), 0},
		{"an uninterruptible sleep", AndThen(Uninterruptible(Sleep[any, error](time.Millisecond)), succeed(7)), 0},
		{"a Try", tryCtx, 1},
		{"two Trys", AndThen(tryCtx, tryCtx), 1},
		{"a sleep", AndThen(Sleep[any, error](time.Millisecond), succeed(7)), 1},
		{"a timeout region", succeed(7).Timeout(time.Second), 1},
		{"a join", FlatMap(Fork(succeed(7)), func(fb *Fiber[error, int]) eff { return fb.Join[any]() }), 1},
		{"more steps than pollsBeforeArm", stepping(pollsBeforeArm+10, new(int), nil), 1},
		// A park on a library primitive (beginPark), completed while parked.
		{"a deferred's await", Suspend(func() eff {
			d := NewDeferred[error, int]()
			return FlatMap(Fork(AndThen(Sleep[any, error](time.Millisecond), Sync[any, error](func() bool { return d.Succeed(7) }))), func(*Fiber[error, bool]) eff {
				return d.Await[any]()
			})
		}), 1},
		// A race: its inline contestant's region takes a detached context.
		{"a race", Race(succeed(7), AndThen(Sleep[any, error](time.Hour), succeed(8))), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := newCounting()
				v, err := NewRuntime().Run(ctx, tc.e, nil)
				if err != nil {
					t.Fatalf("Run: %v, %v", v, err)
				}
				watches, left := ctx.counts()
				if watches != tc.watches || left != 0 {
					t.Fatalf("registrations under Run's context: %d made, %d left; want %d made, none left", watches, left, tc.watches)
				}
			})
		})
	}
}

func TestRunSeesItsContextCancelledBetweenSteps(t *testing.T) {
	// The context is cancelled by step 5, on the fiber itself: the poll
	// before step 6 interrupts the run, with no registration made.
	why := errors.New("client went away")
	ctx := newCounting()
	ran := 0
	var ev events
	e := Ensuring(stepping(100, &ran, func(i int) {
		if i == 5 {
			ctx.cancel(why)
		}
	}), ev.note("finalizer"))
	_, err := NewRuntime().Run(ctx, e, nil)
	var ie *InterruptedError
	if !errors.As(err, &ie) || !errors.Is(err, why) || !errors.Is(err, context.Canceled) || ie.By != 0 {
		t.Fatalf("Run returned %v; want an interruption by the context's cause", err)
	}
	if ran != 6 {
		t.Fatalf("ran %d steps; want 6 (steps 0 to 5, then the interruption)", ran)
	}
	if n := ev.count("finalizer"); n != 1 {
		t.Fatalf("the finalizer ran %d times; want once", n)
	}
	if watches, left := ctx.counts(); watches != 0 || left != 0 {
		t.Fatalf("registrations: %d made, %d left; want none", watches, left)
	}
}

func TestRunSeesItsContextCancelledAfterArming(t *testing.T) {
	// Past pollsBeforeArm steps the watch is registered; a cancel from
	// another goroutine reaches the still-stepping fiber through it.
	synctest.Test(t, func(t *testing.T) {
		ctx := newCounting()
		armed := make(chan struct{})
		ran := 0
		e := stepping(1<<30, &ran, func(i int) {
			switch {
			case i == pollsBeforeArm+1:
				close(armed)
			case i > pollsBeforeArm+1 && i%1000 == 0:
				time.Sleep(time.Millisecond) // let the cancel in
			}
		})
		done := make(chan error)
		go func() {
			_, err := NewRuntime().Run(ctx, e, nil)
			done <- err
		}()
		<-armed
		if watches, left := ctx.counts(); watches != 1 || left != 1 {
			t.Fatalf("after %d steps: %d registrations made, %d left; want one, in place", pollsBeforeArm, watches, left)
		}
		why := errors.New("deadline of the caller")
		ctx.cancel(why)
		if err := <-done; !errors.Is(err, why) || !errors.Is(err, ErrInterrupted) {
			t.Fatalf("Run returned %v; want an interruption by %v", err, why)
		}
	})
}

func TestRunWithACancelledContextRunsNothing(t *testing.T) {
	ctx := newCounting()
	ctx.cancel(errBoom)
	ran := 0
	_, err := NewRuntime().Run(ctx, stepping(3, &ran, nil), nil)
	if !errors.Is(err, errBoom) || !errors.Is(err, ErrInterrupted) || ran != 0 {
		t.Fatalf("Run returned %v after %d steps; want an interruption before any", err, ran)
	}
	if watches, _ := ctx.counts(); watches != 0 {
		t.Fatalf("%d registrations; want none", watches)
	}
}

func TestRunWakesASuspendedFiberWhenItsContextIsCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, tc := range []struct {
			name string
			e    eff
		}{
			{"never", Never[any, error, int]()},
			{"a sleep", AndThen(Sleep[any, error](time.Hour), succeed(1))},
			{"a deferred's await", Suspend(func() eff { return NewDeferred[error, int]().Await[any]() })},
			{"a Try blocked on its context", Try[any](func(ctx context.Context) (int, error) {
				<-ctx.Done()
				return 0, context.Cause(ctx)
			})},
		} {
			ctx := newCounting()
			var ev events
			done := make(chan error)
			go func() {
				_, err := NewRuntime().Run(ctx, Ensuring(tc.e, ev.note("finalizer")), nil)
				done <- err
			}()
			synctest.Wait()
			ctx.cancel(errBoom)
			err := <-done
			var ie *InterruptedError
			if !errors.As(err, &ie) || !errors.Is(err, errBoom) {
				t.Fatalf("%s: Run returned %v; want an interruption by %v", tc.name, err, errBoom)
			}
			if n := ev.count("finalizer"); n != 1 {
				t.Fatalf("%s: the finalizer ran %d times; want once", tc.name, n)
			}
			if watches, left := ctx.counts(); watches != 1 || left != 0 {
				t.Fatalf("%s: registrations: %d made, %d left; want one, stopped", tc.name, watches, left)
			}
		}
	})
}
