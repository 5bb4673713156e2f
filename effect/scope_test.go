package effect

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// outcomes are the four ways an effect ends.
var outcomes = []struct {
	name string
	body func() eff
	// check inspects the exit.
	check func(Exit[error, int]) bool
}{
	{"success", func() eff { return succeed(7) }, func(x Exit[error, int]) bool { v, ok := x.Value(); return ok && v == 7 }},
	{"failure", func() eff { return Fail[any, int](errBoom) }, func(x Exit[error, int]) bool { e, ok := x.Cause().Failure(); return ok && e == errBoom }},
	{"defect", func() eff { return Map(succeed(1), func(int) int { panic("kaboom") }) }, func(x Exit[error, int]) bool { return x.Cause().IsDefect() }},
	{"interruption", func() eff {
		return FlatMap(CurrentFiberID[any, error](), func(FiberID) eff {
			return Never[any, error, int]()
		})
	}, func(x Exit[error, int]) bool { return x.Cause().IsInterruptedOnly() }},
}

var errBoom = errors.New("boom")

// runOutcome runs e; for the interruption outcome it interrupts e once it
// is blocked.
func runOutcome(t *testing.T, name string, e eff) Exit[error, int] {
	t.Helper()
	if name != "interruption" {
		return runExit(e)
	}
	var ex Exit[error, int]
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { ex = RunExit(ctx, e, nil); close(done) }()
		synctest.Wait()
		cancel()
		<-done
	})
	return ex
}

func TestFinalizersLIFOExactlyOnceInEveryOutcome(t *testing.T) {
	for _, oc := range outcomes {
		t.Run(oc.name, func(t *testing.T) {
			withBudget(t, func(t *testing.T) {
				var ev events
				acquire := func(name string) eff {
					return AcquireRelease(
						AndThen(ev.note("acquire "+name), succeed(len(name))),
						func(int) unit { return ev.note("release " + name) })
				}
				e := Scoped(acquire("a").
					AndThen(acquire("b")).
					AndThen(AddFinalizer(func(error) unit { return ev.note("finalizer c") })).
					AndThen(acquire("d")).
					AndThen(oc.body()))
				ex := runOutcome(t, oc.name, e)
				if !oc.check(ex) {
					t.Fatalf("exit: got %v", ex)
				}
				want := []string{"acquire a", "acquire b", "acquire d", "release d", "finalizer c", "release b", "release a"}
				if got := ev.get(); !slices.Equal(got, want) {
					t.Fatalf("events:\n got %v\nwant %v", got, want)
				}
			})
		})
	}
}

func TestOnExitEnsuringInEveryOutcome(t *testing.T) {
	for _, oc := range outcomes {
		t.Run(oc.name, func(t *testing.T) {
			var ev events
			var seen Exit[error, int]
			e := OnExit(oc.body().Ensuring(ev.note("inner")), func(x Exit[error, int]) unit {
				seen = x
				return ev.note("outer")
			})
			e = OnError(e, func(Cause[error]) unit { return ev.note("error") })
			e = OnInterrupt(e, func(error) unit { return ev.note("interrupt") })
			ex := runOutcome(t, oc.name, e)
			if !oc.check(ex) || !oc.check(seen) {
				t.Fatalf("exit: got %v, finalizer saw %v", ex, seen)
			}
			want := []string{"inner", "outer"}
			switch oc.name {
			case "failure", "defect":
				want = append(want, "error")
			case "interruption":
				want = append(want, "error", "interrupt")
			}
			if got := ev.get(); !slices.Equal(got, want) {
				t.Fatalf("events: got %v want %v", got, want)
			}
		})
	}
}

func TestFinalizerFailureNeverHidesTheOriginal(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		relErr := errors.New("release failed")
		var ev events
		e := Scoped(AcquireRelease(succeed(1), func(int) unit { return Fail[any, struct{}](relErr) }).
			AndThen(AcquireRelease(succeed(2), func(int) unit { return ev.note("second release still runs") })).
			AndThen(Fail[any, int](errBoom)))
		ex := runExit(e)
		c := ex.Cause()
		if f, ok := c.Failure(); !ok || f != errBoom {
			t.Fatalf("original failure lost: %v", c)
		}
		if c.Kind() != Then {
			t.Fatalf("want a sequential cause, got %v", c.Kind())
		}
		if ev.count("second release still runs") != 1 {
			t.Fatalf("a failing finalizer stopped the others")
		}
		err := ex.Err()
		var fe *FinalizerError
		if !errors.Is(err, errBoom) || !errors.Is(err, relErr) || !errors.As(err, &fe) {
			t.Fatalf("errors.Is/As do not see both: %v", err)
		}
		// A failing release after a success turns the success into a defect.
		ex2 := runExit(Scoped(AcquireRelease(succeed(1), func(int) unit { return Fail[any, struct{}](relErr) })))
		if !ex2.Cause().IsDefect() || !errors.Is(ex2.Err(), relErr) {
			t.Fatalf("got %v", ex2)
		}
	})
}

func TestAcquireIsUninterruptible(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		acquire := AndThen(Sleep[any, error](time.Second), AndThen(ev.note("acquired"), succeed(1)))
		e := Scoped(AcquireRelease(acquire, func(int) unit { return ev.note("released") }).AndThen(Never[any, error, int]()))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan Exit[error, int])
		go func() { done <- RunExit(ctx, e, nil) }()
		time.Sleep(500 * time.Millisecond)
		cancel() // during the acquire's sleep
		ex := <-done
		if !ex.IsInterrupted() {
			t.Fatalf("got %v", ex)
		}
		if got := ev.get(); !slices.Equal(got, []string{"acquired", "released"}) {
			t.Fatalf("events: got %v", got)
		}
	})
}

func TestAcquireUseRelease(t *testing.T) {
	for _, oc := range outcomes {
		t.Run(oc.name, func(t *testing.T) {
			var ev events
			var seen Exit[error, int]
			e := AcquireUseRelease(AndThen(ev.note("acquire"), succeed(3)),
				func(r int) eff { return AndThen(ev.note("use"), oc.body()) },
				func(r int, x Exit[error, int]) unit { seen = x; return ev.note("release") })
			ex := runOutcome(t, oc.name, e)
			if !oc.check(ex) || !oc.check(seen) {
				t.Fatalf("exit %v, release saw %v", ex, seen)
			}
			if got := ev.get(); !slices.Equal(got, []string{"acquire", "use", "release"}) {
				t.Fatalf("events: got %v", got)
			}
		})
	}
}

func TestClosingAScopeInterruptsAndAwaitsItsFibers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		child := func(name string) unit {
			return Ensuring(Never[any, error, struct{}](), AndThen(Sleep[any, error](time.Second), ev.note(name+" cleaned up")))
		}
		e := Scoped(Fork(child("a")).AndThen(Fork(child("b"))).AndThen(
			AddFinalizer(func(error) unit { return ev.note("scope finalizer") })).AndThen(
			Sleep[any, error](time.Millisecond)))
		start := time.Now()
		mustRun(t, AndThen(e, ev.note("after scope")))
		got := ev.get()
		if len(got) != 4 || got[2] != "scope finalizer" || got[3] != "after scope" {
			t.Fatalf("events: %v", got)
		}
		// Both children were interrupted together and cleaned up in parallel.
		if d := time.Since(start); d != time.Second+time.Millisecond {
			t.Fatalf("closing took %v, want 1.001s", d)
		}
	})
}

func TestFiberEndInterruptsItsChildren(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		rt := NewRuntime()
		parent := Fork(OnInterrupt(Never[any, error, int](), func(error) unit { return ev.note("child interrupted") })).
			AndThen(Sleep[any, error](time.Millisecond)).AndThen(succeed(1))
		if _, err := rt.Run(context.Background(), parent, nil); err != nil {
			t.Fatal(err)
		}
		if ev.count("child interrupted") != 1 {
			t.Fatalf("child was not interrupted when its parent ended: %v", ev.get())
		}
		if n := len(rt.Fibers()); n != 0 {
			t.Fatalf("%d fibers still alive", n)
		}
	})
}

func TestMakeScopeCloseScopeExtend(t *testing.T) {
	var ev events
	e := FlatMap(MakeScope[any, error](), func(s *Scope) eff {
		res := AcquireRelease(succeed(1), func(int) unit { return ev.note("released") })
		return Extend(s, res).
			AndThen(ev.note("extended body done")).
			AndThen(CloseScope[any, error](s)).
			AndThen(ev.note("closed")).
			AndThen(CloseScope[any, error](s)). // closing twice does nothing
			As(s.ID()).Map(func(ScopeID) int { return 0 })
	})
	mustRun(t, e)
	want := []string{"extended body done", "released", "closed"}
	if got := ev.get(); !slices.Equal(got, want) {
		t.Fatalf("events: got %v want %v", got, want)
	}
	// A scope left open is closed by its parent.
	ev = events{}
	mustRun(t, AndThen(Scoped(FlatMap(MakeScope[any, error](), func(s *Scope) eff {
		return Extend(s, AcquireRelease(succeed(1), func(int) unit { return ev.note("released by parent") }))
	})), ev.note("after")))
	if got := ev.get(); !slices.Equal(got, []string{"released by parent", "after"}) {
		t.Fatalf("events: %v", got)
	}
}

func TestRuntimeScopeFromGo(t *testing.T) {
	rt := NewRuntime()
	s := rt.NewScope()
	var ev events
	if _, err := rt.Run(context.Background(), Extend(s, AcquireRelease(succeed(1), func(int) unit { return ev.note("released") })), nil); err != nil {
		t.Fatal(err)
	}
	if len(ev.get()) != 0 {
		t.Fatalf("released before the scope closed")
	}
	if err := s.Close(context.Background()); err != nil || ev.count("released") != 1 || !s.IsClosed() {
		t.Fatalf("Close: %v, events %v", err, ev.get())
	}
	// Acquiring into a closed scope releases at once and fails.
	ex := rt.RunExit(context.Background(), Extend(s, AcquireRelease(succeed(1), func(int) unit { return ev.note("released again") })), nil)
	if !ex.IsInterrupted() || !errors.Is(ex.Err(), ErrScopeClosed) || ev.count("released again") != 1 {
		t.Fatalf("acquire into closed scope: %v %v", ex, ev.get())
	}
}

func TestChildScopeClosesAtItsPlaceInLIFOOrder(t *testing.T) {
	var ev events
	fin := func(name string) unit {
		return AddFinalizer(func(error) unit { return ev.note(name) })
	}
	// finalizer a, then a child scope left open (holding b), then finalizer
	// c: closing the parent runs c, closes the child (b), then runs a.
	e := Scoped(fin("a").
		AndThen(FlatMap(MakeScope[any, error](), func(s *Scope) unit { return Extend(s, fin("b")) })).
		AndThen(fin("c")))
	mustRun(t, e)
	if got := ev.get(); !slices.Equal(got, []string{"c", "b", "a"}) {
		t.Fatalf("events: %v", got)
	}
	// A child scope closed early leaves no trace in its parent.
	ev = events{}
	e2 := Scoped(fin("a").
		AndThen(FlatMap(MakeScope[any, error](), func(s *Scope) unit {
			return Extend(s, fin("b")).AndThen(CloseScope[any, error](s)).AndThen(ev.note("closed early"))
		})).
		AndThen(fin("c")))
	mustRun(t, e2)
	if got := ev.get(); !slices.Equal(got, []string{"b", "closed early", "c", "a"}) {
		t.Fatalf("events: %v", got)
	}
}
