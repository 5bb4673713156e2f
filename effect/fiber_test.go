package effect

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestForkJoinAwaitPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := FlatMap(Fork(AndThen(Sleep[any, error](time.Second), succeed(42))), func(fb *Fiber[error, int]) eff {
			if _, done := fb.Poll(); done {
				return Die[any, error, int]("polled done before it ran")
			}
			return FlatMap(Await[any](fb), func(x Exit[error, int]) eff {
				if v, ok := x.Value(); !ok || v != 42 {
					return Die[any, error, int]("await got " + x.String())
				}
				if x2, done := fb.Poll(); !done || x2.String() != "Success(42)" {
					return Die[any, error, int]("poll after end: " + x2.String())
				}
				return fb.Join[any]()
			})
		})
		start := time.Now()
		if got := mustRun(t, e); got != 42 {
			t.Fatalf("got %d", got)
		}
		if time.Since(start) != time.Second {
			t.Fatalf("took %v", time.Since(start))
		}
		// Joining a failed fiber fails the same way.
		_, err := run(FlatMap(Fork(Fail[any, int](errBoom)), func(fb *Fiber[error, int]) eff { return Join[any](fb) }))
		if err != errBoom {
			t.Fatalf("join failed fiber: %v", err)
		}
	})
}

func TestInterruptReturnsAfterFinalizers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		child := Ensuring(Never[any, error, int](), AndThen(Sleep[any, error](time.Second), ev.note("child finalizer")))
		e := FlatMap(Fork(child), func(fb *Fiber[error, int]) eff {
			return AndThen(Sleep[any, error](time.Millisecond), FlatMap(Interrupt[any](fb), func(x Exit[error, int]) eff {
				ev.add("interrupt returned")
				if !x.IsInterrupted() {
					return Die[any, error, int]("not interrupted: " + x.String())
				}
				ids := x.Cause().Interruptors()
				return Map(CurrentFiberID[any, error](), func(me FiberID) int {
					if len(ids) != 1 || ids[0] != me {
						panic("interruptor is not the parent")
					}
					return 0
				})
			}))
		})
		mustRun(t, e)
		if got := ev.get(); !slices.Equal(got, []string{"child finalizer", "interrupt returned"}) {
			t.Fatalf("events: %v", got)
		}
	})
}

func TestFiberIDsAreDistinct(t *testing.T) {
	e := FlatMap(CurrentFiberID[any, error](), func(parent FiberID) Effect[any, error, []FiberID] {
		return FlatMap(Fork(CurrentFiberID[any, error]()), func(fb *Fiber[error, FiberID]) Effect[any, error, []FiberID] {
			return Map(fb.Join[any](), func(child FiberID) []FiberID {
				return []FiberID{parent, child, fb.ID()}
			})
		})
	})
	ids := mustRun(t, e)
	if ids[0] == ids[1] || ids[1] != ids[2] || ids[0] == 0 {
		t.Fatalf("ids: %v", ids)
	}
}

func TestForkDaemonOutlivesParentUntilShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		var ev events
		var daemon *Fiber[error, int]
		e := Map(ForkDaemon(OnInterrupt(Never[any, error, int](), func(error) unit { return ev.note("daemon stopped") })), func(fb *Fiber[error, int]) int {
			daemon = fb
			return 0
		})
		if _, err := rt.Run(context.Background(), e, nil); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if _, done := daemon.Poll(); done {
			t.Fatalf("daemon ended with its parent")
		}
		if err := rt.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, done := daemon.Poll(); !done || ev.count("daemon stopped") != 1 {
			t.Fatalf("daemon not stopped by Shutdown: %v", ev.get())
		}
		_, err := rt.Run(context.Background(), succeed(1), nil)
		if !errors.Is(err, ErrRuntimeShutdown) || !errors.Is(err, context.Canceled) {
			t.Fatalf("run after shutdown: %v", err)
		}
	})
}

func TestForkInScope(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev events
		e := FlatMap(MakeScope[any, error](), func(s *Scope) eff {
			return ForkIn(s, OnInterrupt(Never[any, error, int](), func(error) unit { return ev.note("stopped with scope") })).
				AndThen(Sleep[any, error](time.Millisecond)).
				AndThen(ev.note("closing")).
				AndThen(CloseScope[any, error](s)).
				AndThen(ev.note("closed")).
				AndThen(ForkIn(s, ev.note("never runs"))).
				AndThen(Sleep[any, error](time.Millisecond)).
				As(0)
		})
		mustRun(t, e)
		if got := ev.get(); !slices.Equal(got, []string{"closing", "stopped with scope", "closed"}) {
			t.Fatalf("events: %v", got)
		}
	})
}

func TestPanicBecomesDefectWithStack(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		var ev events
		e := Ensuring(Map(succeed(1), func(int) int { panic("kaboom") }), ev.note("finalizer ran"))
		ex := runExit(e)
		ds := ex.Cause().Defects()
		if len(ds) != 1 || ds[0].Value != "kaboom" {
			t.Fatalf("defects: %v", ds)
		}
		if !strings.Contains(ds[0].Stack, "TestPanicBecomesDefectWithStack") {
			t.Fatalf("stack does not show the panic site:\n%s", ds[0].Stack)
		}
		if ev.count("finalizer ran") != 1 {
			t.Fatalf("finalizer did not run")
		}
		var d *Defect
		if !errors.As(ex.Err(), &d) {
			t.Fatalf("errors.As(*Defect) failed on %v", ex.Err())
		}
		// A panic in a forked fiber is that fiber's defect, not a crash.
		ex2 := runExit(FlatMap(Fork(Sync[any, error](func() int { panic(errBoom) })), func(fb *Fiber[error, int]) eff { return Join[any](fb) }))
		if !ex2.Cause().IsDefect() || !errors.Is(ex2.Err(), errBoom) {
			t.Fatalf("forked panic: %v", ex2)
		}
	})
}

func TestRegistryHooksAndDump(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		var mu sync.Mutex
		var log []string
		remove := rt.AddHooks(Hooks{
			FiberStart: func(i FiberInfo) { mu.Lock(); log = append(log, "start #"+i.ID.String()); mu.Unlock() },
			FiberEnd: func(i FiberInfo, err error) {
				mu.Lock()
				log = append(log, "end #"+i.ID.String()+" "+i.Status.String())
				mu.Unlock()
			},
			ScopeOpen:  func(i ScopeInfo) { mu.Lock(); log = append(log, "open scope"); mu.Unlock() },
			ScopeClose: func(i ScopeInfo) { mu.Lock(); log = append(log, "close scope"); mu.Unlock() },
		})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		prog := Scoped(Fork(Sleep[any, error](time.Hour)).AndThen(Never[any, error, int]()))
		go func() { rt.RunExit(ctx, prog, nil); close(done) }()
		synctest.Wait()
		infos := rt.Fibers()
		if len(infos) != 2 || infos[0].ID != 1 || infos[1].Parent != 1 {
			t.Fatalf("fibers: %+v", infos)
		}
		if infos[0].Status != FiberSuspended || infos[0].BlockedOn != "never" || infos[1].BlockedOn != "sleep 1h0m0s" {
			t.Fatalf("statuses: %+v", infos)
		}
		var b strings.Builder
		if err := rt.Dump(&b); err != nil {
			t.Fatal(err)
		}
		// The hooks make the runtime record wait times: virtual time has not
		// moved since the waits began.
		wantDump := "scope #1 (runtime)\n  fiber #1 suspended: never for 0s\n    scope #2 of fiber #1\n      fiber #2 suspended: sleep 1h0m0s for 0s\n"
		if b.String() != wantDump {
			t.Errorf("dump:\n%s\nwant:\n%s", b.String(), wantDump)
		}
		cancel()
		<-done
		remove()
		mu.Lock()
		defer mu.Unlock()
		want := []string{"start #1", "open scope", "start #2", "end #2 done", "close scope", "end #1 done"}
		if !slices.Equal(log, want) {
			t.Fatalf("hooks: got %v want %v", log, want)
		}
		if len(rt.Fibers()) != 0 {
			t.Fatalf("fibers left: %v", rt.Fibers())
		}
	})
}

func TestCurrentFiberInterruptCarriesTheReason(t *testing.T) {
	errLost := errors.New("lease lost")
	e := FlatMap(CurrentFiber[any, error](), func(h FiberHandle) eff {
		return AndThen(Sync[any, error](func() struct{} { h.Interrupt(errLost); return struct{}{} }), Never[any, error, int]())
	})
	ex := runExit(e)
	if !ex.IsInterrupted() {
		t.Fatalf("got %v, want an interruption", ex)
	}
	if err := ex.Err(); !errors.Is(err, errLost) {
		t.Fatalf("got %v, want an error that matches the reason", err)
	}
	var ie *InterruptedError
	if !errors.As(ex.Err(), &ie) || ie.Reason != errLost {
		t.Fatalf("got %#v, want an *InterruptedError with the reason", ie)
	}
	var zero FiberHandle
	zero.Interrupt(errLost) // no fiber: nothing happens
	if zero.ID() != 0 {
		t.Fatal("zero handle has an ID")
	}
	<-zero.Done()
}

// A fiber's end observers (the package's own: a race's, a parallel run's)
// run once each, in the order they were registered, once the fiber has
// ended; one registered after the end runs at once.
func TestEndObserversRunOnceEachInOrder(t *testing.T) {
	// In a bubble: an observer that never runs is a reported deadlock, not a hang.
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		release := make(chan struct{})
		fb := rt.Start(context.Background(), Try[any](func(context.Context) (int, error) {
			<-release
			return 1, nil
		}), nil)
		var mu sync.Mutex
		var got []int
		note := func(i int) func() {
			return func() { mu.Lock(); got = append(got, i); mu.Unlock() }
		}
		for i := range 3 {
			fb.onEnd(note(i))
		}
		ran := make(chan struct{})
		fb.onEnd(func() { note(3)(); close(ran) })
		mu.Lock()
		if len(got) != 0 {
			t.Fatalf("observers ran before the end: %v", got)
		}
		mu.Unlock()
		close(release)
		<-ran // the observers run after Done is closed, on the fiber's goroutine
		fb.onEnd(note(4))
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
			t.Fatalf("observers ran %v, want each once in order", got)
		}
	})
}
