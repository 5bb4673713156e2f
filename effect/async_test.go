package effect

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestSleepIsVirtualAndInterruptible(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		mustRun(t, Sleep[any, error](3*time.Second).AndThen(Sleep[any, error](0)).AndThen(Sleep[any, error](-1)))
		if d := time.Since(start); d != 3*time.Second {
			t.Fatalf("slept %v", d)
		}
		cancel, done := startBlocked(NewRuntime(), AndThen(Sleep[any, error](time.Hour), succeed(1)))
		time.Sleep(time.Minute)
		cancel()
		if ex := <-done; !ex.IsInterrupted() || time.Since(start) != 3*time.Second+time.Minute {
			t.Fatalf("got %v at %v", ex, time.Since(start))
		}
	})
}

func TestNeverWaitsForInterruption(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cancel, done := startBlocked(NewRuntime(), Never[any, error, int]())
		select {
		case <-done:
			t.Fatal("Never ended on its own")
		default:
		}
		cancel()
		if ex := <-done; !ex.IsInterrupted() {
			t.Fatalf("got %v", ex)
		}
	})
}

func TestAsyncResumeAndCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Resumed from another goroutine.
		e := Async[any, error, int](func(resume func(Exit[error, int])) func() {
			go func() {
				time.Sleep(time.Second)
				resume(Succeeded[error](5))
				resume(Succeeded[error](6)) // ignored
			}()
			return nil
		})
		if got := mustRun(t, e); got != 5 {
			t.Fatalf("got %d", got)
		}
		// Resumed synchronously, with a failure.
		_, err := run(Async[any, error, int](func(resume func(Exit[error, int])) func() {
			resume(FailedWith[error, int](CauseFail(errBoom)))
			return nil
		}))
		if err != errBoom {
			t.Fatalf("got %v", err)
		}
		// Interrupted: cancel runs, the late resume is harmless.
		cancelled := make(chan struct{})
		var late func(Exit[error, int])
		e2 := Async[any, error, int](func(resume func(Exit[error, int])) func() {
			late = resume
			return func() { close(cancelled) }
		})
		cancel, done := startBlocked(NewRuntime(), e2)
		cancel()
		if ex := <-done; !ex.IsInterrupted() {
			t.Fatalf("got %v", ex)
		}
		<-cancelled
		late(Succeeded[error](1))
	})
}

func TestTryContextIsCancelledOnInterruption(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var cause error
		e := Try[any](func(ctx context.Context) (int, error) {
			<-ctx.Done()
			cause = context.Cause(ctx)
			return 0, ctx.Err()
		})
		cancel, done := startBlocked(NewRuntime(), e)
		cancel()
		ex := <-done
		if !ex.Cause().IsInterruptedOnly() {
			t.Fatalf("got %v, want an interruption, not the ctx error", ex)
		}
		var ie *InterruptedError
		if !errors.As(cause, &ie) || !errors.Is(cause, context.Canceled) {
			t.Fatalf("ctx cause: %v", cause)
		}
		// Success and failure pass through.
		if v, err := run(Try[any](func(context.Context) (int, error) { return 3, nil })); v != 3 || err != nil {
			t.Fatalf("got %d %v", v, err)
		}
		if _, err := run(Try[any](func(context.Context) (int, error) { return 0, errBoom })); err != errBoom {
			t.Fatalf("got %v", err)
		}
	})
}

func TestTryInUninterruptibleRegionIsNotCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		release := Try[any](func(ctx context.Context) (struct{}, error) {
			select {
			case <-ctx.Done():
				ev.add("release ctx cancelled")
			case <-time.After(time.Second):
				ev.add("release finished")
			}
			return struct{}{}, nil
		})
		e := Scoped(AcquireRelease(succeed(1), func(int) unit { return release }).AndThen(Never[any, error, int]()))
		cancel, done := startBlocked(NewRuntime(), e)
		cancel()
		<-done
		if ev.count("release finished") != 1 {
			t.Fatalf("events: %v", ev.get())
		}
	})
}

func TestRunContextValuesReachTry(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	got, err := Run(ctx, Try[any](func(ctx context.Context) (string, error) { return ctx.Value(key{}).(string), nil }), nil)
	if got != "v" || err != nil {
		t.Fatalf("got %q %v", got, err)
	}
}

func TestYieldAndFromResult(t *testing.T) {
	if got := mustRun(t, Yield[any, error]().AndThen(FromResult[any](4, nil))); got != 4 {
		t.Fatalf("got %d", got)
	}
	if _, err := run(FromResult[any](4, errBoom)); err != errBoom {
		t.Fatalf("got %v", err)
	}
}

func TestAsyncAndTryKeepAResultThatArrivedWithTheInterruption(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Try: fn succeeds although the fiber was interrupted while it ran.
		var got []int
		e := Try[any](func(ctx context.Context) (int, error) {
			<-ctx.Done()
			return 42, nil // the value was in hand: keep it
		}).Map(func(v int) int { got = append(got, v); return v })
		cancel, done := startBlocked(NewRuntime(), e)
		cancel()
		<-done
		if len(got) != 1 || got[0] != 42 {
			t.Fatalf("recorded %v, want [42]", got)
		}
		// Async: resume and the interruption both happen while the fiber
		// waits; whichever its select sees first, the value is kept.
		var resume func(Exit[error, int])
		e2 := Async[any, error, int](func(r func(Exit[error, int])) func() {
			resume = r
			return nil
		}).Map(func(v int) int { got = append(got, v); return v })
		rt := NewRuntime()
		fb := rt.Start(context.Background(), e2, nil)
		synctest.Wait()
		resume(Succeeded[error](7))
		fb.InterruptFromGo()
		<-fb.Done()
		if len(got) != 2 || got[1] != 7 {
			t.Fatalf("Async lost the resumed value: recorded %v", got)
		}
	})
}
