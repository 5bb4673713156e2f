package interop_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/interop"
)

func cancelledWith(cause error) context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	return ctx
}

func TestFailIfCancelled(t *testing.T) {
	ok := effect.RunExit(context.Background(), interop.FailIfCancelled[any, error](context.Background()).As(1), nil)
	effecttest.AssertSucceeds(t, ok, 1)
	ran := false
	prog := effect.AndThen(interop.FailIfCancelled[any, error](cancelledWith(errReason)),
		effect.Sync[any, error](func() int { ran = true; return 1 }))
	x := effect.RunExit(context.Background(), prog, nil)
	effecttest.AssertInterruptedWith(t, x, errReason)
	if ran {
		t.Fatalf("the effect after the check ran")
	}
	if err := x.Err(); !errors.Is(err, context.Canceled) || !errors.Is(err, errReason) {
		t.Fatalf("error %v: want context.Canceled and the cause", err)
	}
}

func TestOnCancel(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, _ *effect.Runtime) {
		ctx, cancel := context.WithCancelCause(context.Background())
		got := make(chan error, 1)
		interop.OnCancel(ctx, func(cause error) { got <- cause })
		stopped := interop.OnCancel(ctx, func(error) { t.Errorf("unregistered callback ran") })
		if !stopped() {
			t.Fatalf("stop before the cancel: got false, want true")
		}
		effecttest.WaitIdle()
		select {
		case <-got:
			t.Fatalf("callback ran before the cancel")
		default:
		}
		cancel(errReason)
		if cause := <-got; cause != errReason {
			t.Fatalf("callback got %v, want the cause", cause)
		}
		// Already done: runs at once.
		interop.OnCancel(ctx, func(cause error) { got <- cause })
		if cause := <-got; cause != errReason {
			t.Fatalf("late callback got %v, want the cause", cause)
		}
	})
}

func TestWhenDone(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(2*time.Second, func() { cancel(errReason) })
		start := time.Now()
		cause, err := rt.Run(context.Background(), interop.WhenDone[any, error](ctx), nil)
		if err != nil || cause != errReason || time.Since(start) != 2*time.Second {
			t.Fatalf("got %v, %v after %v; want the cause after 2s", cause, err, time.Since(start))
		}
		// A context that is never done: waits until interrupted, then lets go.
		x := rt.RunExit(context.Background(), effect.Timeout(interop.WhenDone[any, error](context.Background()), time.Second), nil)
		effecttest.AssertFailsWith(t, x, error(effect.ErrTimeout))
		// Interrupted while waiting on a live context: unregistered, no goroutine left.
		live, stop := context.WithCancel(context.Background())
		x = rt.RunExit(context.Background(), effect.Timeout(interop.WhenDone[any, error](live), time.Second), nil)
		effecttest.AssertFailsWith(t, x, error(effect.ErrTimeout))
		stop()
	})
}

func TestCancellable(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(time.Second, func() { cancel(errReason) })
		var res effecttest.Resources
		work := effect.Scoped(effect.AndThen(res.Acquire[any, error]("conn"), effect.Sleep[any, error](time.Hour).As(1)))
		start := time.Now()
		x := rt.RunExit(context.Background(), interop.Cancellable(ctx, work), nil)
		effecttest.AssertInterruptedWith(t, x, errReason)
		if took := time.Since(start); took != time.Second {
			t.Errorf("took %v, want 1s", took)
		}
		res.AssertReleased(t)
		if err := x.Err(); !errors.Is(err, context.Canceled) || !errors.Is(err, errReason) {
			t.Errorf("error %v: want context.Canceled and the cause", err)
		}

		live, stop := context.WithCancel(context.Background())
		defer stop()
		effecttest.AssertSucceeds(t, rt.RunExit(context.Background(), interop.Cancellable(live, effect.Sleep[any, error](time.Second).As(2)), nil), 2)
		effecttest.AssertFailsWith(t, rt.RunExit(context.Background(), interop.Cancellable(live, effect.Fail[any, int](errBoom)), nil), errBoom)
		// Already cancelled: e is stopped at once.
		x = rt.RunExit(context.Background(), interop.Cancellable(cancelledWith(errReason), effect.Never[any, error, int]()), nil)
		effecttest.AssertInterruptedWith(t, x, errReason)
		// Never done: e itself.
		effecttest.AssertSucceeds(t, rt.RunExit(context.Background(), interop.Cancellable(context.Background(), effect.Succeed[any, error](3)), nil), 3)
	})
}

// TestCauseCarriedThrough follows a cancel cause from a plain Go context,
// through the runtime, into the context of lifted code and back out.
func TestCauseCarriedThrough(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var inside error
		lifted := interop.FromCtxFunc[any](func(ctx context.Context) error {
			<-ctx.Done()
			inside = context.Cause(ctx)
			return ctx.Err()
		})
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(time.Second, func() { cancel(errReason) })
		x := rt.RunExit(ctx, lifted, nil)
		effecttest.AssertInterruptedWith(t, x, errReason)
		var ie *effect.InterruptedError
		if !errors.As(inside, &ie) || ie.Reason != errReason {
			t.Fatalf("context.Cause inside Try: got %#v, want *effect.InterruptedError{Reason: cause}", inside)
		}
		if !errors.Is(inside, context.Canceled) || !errors.Is(inside, effect.ErrInterrupted) {
			t.Fatalf("inner cause %v: want it to match context.Canceled and effect.ErrInterrupted", inside)
		}
	})
}

func TestAnyDone(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, _ *effect.Runtime) {
		parent := context.WithValue(context.Background(), ctxKey{}, "v")
		a, cancelA := context.WithCancelCause(context.Background())
		b, cancelB := context.WithCancelCause(context.Background())
		defer cancelA(nil)
		ctx, release := interop.AnyDone(parent, a, b)
		defer release()
		if ctx.Value(ctxKey{}) != "v" {
			t.Fatalf("parent's values lost")
		}
		effecttest.WaitIdle()
		if ctx.Err() != nil {
			t.Fatalf("done before any input")
		}
		cancelB(errReason)
		<-ctx.Done()
		if got := context.Cause(ctx); got != errReason {
			t.Fatalf("cause: got %v, want the cause of the first done", got)
		}
	})
}

func TestAnyDoneDeadlineAndParent(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, _ *effect.Runtime) {
		soon, c1 := context.WithTimeout(context.Background(), time.Second)
		defer c1()
		later, c2 := context.WithTimeout(context.Background(), time.Hour)
		defer c2()
		ctx, release := interop.AnyDone(later, soon)
		defer release()
		if d, ok := ctx.Deadline(); !ok || time.Until(d) != time.Second {
			t.Fatalf("deadline in %v, want the earliest, 1s", time.Until(d))
		}
		start := time.Now()
		<-ctx.Done()
		if took := time.Since(start); took != time.Second || !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			t.Fatalf("done after %v with %v; want 1s, DeadlineExceeded", took, context.Cause(ctx))
		}

		p, cancelP := context.WithCancelCause(context.Background())
		ctx2, release2 := interop.AnyDone(p)
		cancelP(errReason)
		<-ctx2.Done()
		if context.Cause(ctx2) != errReason {
			t.Fatalf("parent's cause: got %v", context.Cause(ctx2))
		}
		release2()

		// Releasing stops the watching: the context is done with Canceled.
		o, cancelO := context.WithCancelCause(context.Background())
		ctx3, release3 := interop.AnyDone(context.Background(), o)
		release3()
		cancelO(errReason)
		if context.Cause(ctx3) != context.Canceled {
			t.Fatalf("after release: cause %v, want context.Canceled", context.Cause(ctx3))
		}
	})
}
