package effect

import (
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// Every method means exactly what the package function of the same name
// means; these run the method forms that the other tests reach through
// functions.
func TestMethodFormsMatchTheirFunctions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		isBoom := func(err error) bool { return err == errBoom }
		if got := mustRun(t, Fail[any, int](errBoom).CatchIf(isBoom, func(error) eff { return succeed(1) })); got != 1 {
			t.Fatalf("CatchIf: %d", got)
		}
		m := Fail[any, int](errBoom).MatchCauseEffect(
			func(c Cause[error]) Effect[any, error, string] {
				return Succeed[any, error]("cause " + c.Kind().String())
			},
			func(int) Effect[any, error, string] { return Succeed[any, error]("ok") })
		if got := mustRun(t, m); got != "cause Fail" {
			t.Fatalf("MatchCauseEffect: %q", got)
		}
		me := succeed(2).MatchEffect(
			func(error) Effect[any, error, int] { return succeed(-1) },
			func(i int) Effect[any, error, int] { return succeed(i * 10) })
		if got := mustRun(t, me); got != 20 {
			t.Fatalf("MatchEffect: %d", got)
		}
		mc := Die[any, error, int]("x").MatchCause(func(c Cause[error]) int { return len(c.Defects()) }, func(int) int { return 0 })
		if got := mustRun(t, mc); got != 1 {
			t.Fatalf("MatchCause: %d", got)
		}
		if got := mustRun(t, succeed(3).ZipWith(succeed(4), func(a, b int) int { return a + b })); got != 7 {
			t.Fatalf("ZipWith: %d", got)
		}
		if got := mustRun(t, succeed(3).Void()); got != struct{}{} {
			t.Fatalf("Void: %v", got)
		}
		n := 0
		_, err := run(Sync[any, error](func() int { n++; return n }).
			FlatMap(func(i int) eff {
				if i == 5 {
					return Fail[any, int](errBoom)
				}
				return succeed(i)
			}).Forever())
		if err != errBoom || n != 5 {
			t.Fatalf("Forever: %v after %d rounds", err, n)
		}
		slow := AndThen(Sleep[any, error](time.Hour), succeed(1))
		fast := AndThen(Sleep[any, error](time.Second), succeed(2))
		if got := mustRun(t, slow.Race(fast)); got != 2 {
			t.Fatalf("Race: %d", got)
		}
		if _, err := run(slow.RaceFirst(AndThen(Sleep[any, error](time.Second), Fail[any, int](errBoom)))); err != errBoom {
			t.Fatalf("RaceFirst: %v", err)
		}
		if got := mustRun(t, slow.TimeoutTo(time.Second, succeed(3))); got != 3 {
			t.Fatalf("TimeoutTo: %d", got)
		}
		var ev events
		_, err = run(Fail[any, int](errBoom).OnError(func(c Cause[error]) unit { return ev.note("on error") }))
		if err != errBoom || ev.count("on error") != 1 {
			t.Fatalf("OnError: %v %v", err, ev.get())
		}
		ev = events{}
		mustRun(t, AcquireRelease(succeed(1), func(int) unit { return ev.note("released") }).Scoped().Tap(func(int) unit { return ev.note("after") }))
		if got := ev.get(); !slices.Equal(got, []string{"released", "after"}) {
			t.Fatalf("Scoped: %v", got)
		}
		cancel, done := startBlocked(NewRuntime(), Uninterruptible(slow.Interruptible()))
		cancel()
		if ex := <-done; !ex.IsInterrupted() {
			t.Fatalf("Interruptible: %v", ex)
		}
		if v, ok := Some(4).Get(); !ok || v != 4 {
			t.Fatal("Option.Get")
		}
		if _, ok := None[int]().Get(); ok {
			t.Fatal("None.Get")
		}
	})
}

// ForEach items that must unwind continue on the heap path.
func TestForEachOnTheHeapPath(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		items := []int{1, 2, 3, 4, 5, 6}
		deep := func(i int) eff {
			e := Sync[any, error](func() int { return i })
			for range 10 {
				e = e.Map(func(x int) int { return x })
			}
			return e.Map(func(x int) int { return x * x })
		}
		got := mustRun(t, ForEach(items, deep))
		if !slices.Equal(got, []int{1, 4, 9, 16, 25, 36}) {
			t.Fatalf("got %v", got)
		}
		_, err := run(ForEach(items, func(i int) eff {
			if i == 4 {
				return deep(i).FlatMap(func(int) eff { return Fail[any, int](errBoom) })
			}
			return deep(i)
		}))
		if err != errBoom {
			t.Fatalf("failure: %v", err)
		}
	})
}

// A timeout whose child's finalizer fails reports the timeout and keeps the
// finalizer's failure beside it.
func TestTimeoutKeepsTheFinalizerFailureOfTheStoppedChild(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		finErr := errors.New("close failed")
		child := Ensuring(Never[any, error, int](), Fail[any, struct{}](finErr))
		ex := runExit(Timeout(child, time.Second))
		err := ex.Err()
		if !errors.Is(err, ErrTimeout) || !errors.Is(err, finErr) {
			t.Fatalf("got %v", ex.Cause())
		}
		var fe *FinalizerError
		if !errors.As(err, &fe) {
			t.Fatalf("no FinalizerError in %v", err)
		}
	})
}

// ForEach checks for interruption before every item, also when every item is
// a pure value that needs no step of the run loop.
func TestForEachStopsAtInterruptionBetweenPureItems(t *testing.T) {
	items := make([]int, 100)
	var built []int
	e := FlatMap(CurrentFiber[any, error](), func(h FiberHandle) Effect[any, error, []int] {
		return ForEach(items, func(int) Effect[any, error, int] {
			built = append(built, len(built))
			if len(built) == 6 {
				h.Interrupt(errors.New("enough"))
			}
			return Succeed[any, error](len(built))
		})
	})
	ex := RunExit(t.Context(), e, nil)
	if !ex.Cause().IsInterrupted() {
		t.Fatalf("exit: %v, want interrupted", ex)
	}
	if len(built) != 6 {
		t.Fatalf("items built: %d, want 6 (none after the interruption)", len(built))
	}
}
