package effect

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// startBlocked runs e on rt in the background and waits until every
// goroutine of the bubble is blocked.
func startBlocked(rt *Runtime, e eff) (cancel func(), done <-chan Exit[error, int]) {
	ctx, c := context.WithCancel(context.Background())
	ch := make(chan Exit[error, int], 1)
	go func() { ch <- rt.RunExit(ctx, e, nil) }()
	synctest.Wait()
	return c, ch
}

func TestUninterruptibleRegionDefersInterruption(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		e := Uninterruptible(AndThen(Sleep[any, error](time.Second), ev.note("region finished"))).
			AndThen(ev.note("after region")).
			AndThen(succeed(1))
		start := time.Now()
		cancel, done := startBlocked(NewRuntime(), e)
		cancel()
		ex := <-done
		if !ex.IsInterrupted() {
			t.Fatalf("got %v", ex)
		}
		if got := ev.get(); !slices.Equal(got, []string{"region finished"}) {
			t.Fatalf("events: %v", got)
		}
		if time.Since(start) != time.Second {
			t.Fatalf("interruption did not wait for the region: %v", time.Since(start))
		}
	})
}

func TestMaskRestore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		// restore brings back interruptibility: the sleep inside it is cut short,
		// the finalizing part after it still runs.
		e := UninterruptibleMask(func(restore Restore) eff {
			return OnExit(restore.Apply(AndThen(Sleep[any, error](time.Hour), succeed(1))), func(x Exit[error, int]) unit {
				if x.IsInterrupted() {
					ev.add("restored part interrupted")
				}
				return AndThen(Sleep[any, error](time.Second), ev.note("cleanup done"))
			})
		})
		start := time.Now()
		cancel, done := startBlocked(NewRuntime(), e)
		cancel()
		ex := <-done
		if !ex.IsInterrupted() || time.Since(start) != time.Second {
			t.Fatalf("got %v after %v", ex, time.Since(start))
		}
		if got := ev.get(); !slices.Equal(got, []string{"restored part interrupted", "cleanup done"}) {
			t.Fatalf("events: %v", got)
		}
		// Inside an uninterruptible region, restore keeps it uninterruptible.
		ev = events{}
		e2 := Uninterruptible(UninterruptibleMask(func(restore Restore) eff {
			return restore.Apply(AndThen(Sleep[any, error](time.Second), AndThen(ev.note("slept"), succeed(2))))
		}))
		cancel, done = startBlocked(NewRuntime(), e2)
		cancel()
		if ex := <-done; ex.IsInterrupted() || ev.count("slept") != 1 {
			t.Fatalf("restore inside uninterruptible was interruptible: %v", ex)
		}
		// Interruptible forces interruptibility back on.
		e3 := Uninterruptible(Interruptible(AndThen(Sleep[any, error](time.Hour), succeed(3))))
		cancel, done = startBlocked(NewRuntime(), e3)
		cancel()
		if ex := <-done; !ex.IsInterrupted() {
			t.Fatalf("Interruptible: %v", ex)
		}
	})
}

func TestInterruptionIsSticky(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		// Catching the interruption does not resume the fiber: its next
		// interruptible step stops it again.
		e := CatchCause(AndThen(Sleep[any, error](time.Hour), succeed(1)), func(c Cause[error]) eff {
			ev.add("caught " + c.Kind().String())
			return AndThen(Sleep[any, error](time.Second), AndThen(ev.note("not reached"), succeed(2)))
		})
		cancel, done := startBlocked(NewRuntime(), e)
		cancel()
		ex := <-done
		if !ex.IsInterrupted() {
			t.Fatalf("got %v", ex)
		}
		if got := ev.get(); !slices.Equal(got, []string{"caught Interrupt"}) {
			t.Fatalf("events: %v", got)
		}
	})
}

func TestStepHookInterruptsAtEveryStep(t *testing.T) {
	// Count the steps of a program, then interrupt it at each of them and
	// check that its finalizer ran exactly once every time.
	prog := func(ev *events) eff {
		return Scoped(AcquireRelease(AndThen(ev.note("acquire"), succeed(1)), func(int) unit { return ev.note("release") }).
			FlatMap(func(i int) eff { return succeed(i + 1) }).
			Map(func(i int) int { return i * 2 }))
	}
	rt := NewRuntime()
	steps := 0
	rt.SetStepHook(func(FiberID) bool { steps++; return false })
	var ev events
	if _, err := rt.Run(context.Background(), prog(&ev), nil); err != nil {
		t.Fatal(err)
	}
	if steps < 5 {
		t.Fatalf("only %d steps counted", steps)
	}
	for k := 0; k < steps; k++ {
		rt := NewRuntime()
		n := 0
		rt.SetStepHook(func(FiberID) bool { n++; return n == k+1 })
		var ev events
		ex := rt.RunExit(context.Background(), prog(&ev), nil)
		acq, rel := ev.count("acquire"), ev.count("release")
		if acq != rel || acq > 1 {
			t.Fatalf("step %d: acquired %d, released %d (%v)", k, acq, rel, ev.get())
		}
		if ex.IsSuccess() && acq != 1 {
			t.Fatalf("step %d: success without acquire", k)
		}
	}
	rt.SetStepHook(nil)
}
