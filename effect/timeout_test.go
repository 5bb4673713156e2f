package effect

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestTimeoutFiresInterruptsAndCancelsTryContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		var ctxErr, ctxCause error
		var deadline time.Time
		start := time.Now()
		work := Try[any](func(ctx context.Context) (int, error) {
			deadline, _ = ctx.Deadline()
			<-ctx.Done()
			ctxErr, ctxCause = ctx.Err(), context.Cause(ctx)
			return 0, ctx.Err()
		}).Ensuring(ev.note("finalizer"))
		e := Timeout(work, 2*time.Second).OnExit(func(Exit[error, int]) unit { return ev.note("timeout returned") })
		_, err := run(e)
		var te *TimeoutError
		if !errors.As(err, &te) || te.After != 2*time.Second || !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v", err)
		}
		if err.Error() != "effect: timeout after 2s" {
			t.Fatalf("message %q", err.Error())
		}
		if time.Since(start) != 2*time.Second || !deadline.Equal(start.Add(2*time.Second)) {
			t.Fatalf("elapsed %v, deadline %v", time.Since(start), deadline.Sub(start))
		}
		if !errors.Is(ctxErr, context.DeadlineExceeded) || !errors.Is(ctxCause, context.DeadlineExceeded) {
			t.Fatalf("Try ctx: err %v cause %v", ctxErr, ctxCause)
		}
		if got := ev.get(); !slices.Equal(got, []string{"finalizer", "timeout returned"}) {
			t.Fatalf("events: %v", got)
		}
	})
}

func TestTimeoutInterruptsEffectWithoutContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		e := Timeout(OnInterrupt(Never[any, error, int](), func(error) unit { return ev.note("interrupted") }), time.Second)
		if _, err := run(e); !errors.Is(err, ErrTimeout) || ev.count("interrupted") != 1 {
			t.Fatalf("got %v, events %v", err, ev.get())
		}
	})
}

func TestTimeoutThatDoesNotFire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		got := mustRun(t, Timeout(AndThen(Sleep[any, error](time.Second), succeed(9)), time.Hour))
		if got != 9 || time.Since(start) != time.Second {
			t.Fatalf("got %d after %v", got, time.Since(start))
		}
		if _, err := run(Timeout(Fail[any, int](errBoom), time.Hour)); err != errBoom {
			t.Fatalf("failure: %v", err)
		}
	})
}

func TestTimeoutVariants(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := AndThen(Sleep[any, error](time.Minute), succeed(1))
		if got := mustRun(t, TimeoutTo(slow, time.Second, succeed(2))); got != 2 {
			t.Fatalf("TimeoutTo: %d", got)
		}
		if _, err := run(slow.TimeoutFail(time.Second, errBoom)); err != errBoom {
			t.Fatalf("TimeoutFail: %v", err)
		}
		if o := mustRun(t, TimeoutOption(slow, time.Second)); o.OK {
			t.Fatalf("TimeoutOption: %+v", o)
		}
		if o := mustRun(t, TimeoutOption(slow, time.Hour)); !o.OK || o.Value != 1 {
			t.Fatalf("TimeoutOption: %+v", o)
		}
		start := time.Now()
		if _, err := run(Timeout(slow, 0)); !errors.Is(err, ErrTimeout) || time.Since(start) != 0 {
			t.Fatalf("zero timeout: %v", err)
		}
		// Nested: the inner, shorter limit fires first.
		if _, err := run(Timeout(Timeout(slow, time.Second), time.Hour)); !strings.Contains(err.Error(), "after 1s") {
			t.Fatalf("nested: %v", err)
		}
	})
}

func TestTimeoutOfInterruptedCallerStopsChild(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		e := Timeout(OnInterrupt(Never[any, error, int](), func(error) unit { return ev.note("child interrupted") }), time.Hour)
		cancel, done := startBlocked(NewRuntime(), e)
		cancel()
		if ex := <-done; !ex.IsInterrupted() || ev.count("child interrupted") != 1 {
			t.Fatalf("got %v, %v", ex, ev.get())
		}
	})
}

func TestTimeoutPanicsForATypeThatCannotHoldIt(t *testing.T) {
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "effect.Timeout") || !strings.Contains(msg, "string") || !strings.Contains(msg, "TimeoutFail") {
			t.Fatalf("panic message: %q", msg)
		}
	}()
	Timeout(Succeed[any, string](1), time.Second)
	t.Fatal("no panic")
}
