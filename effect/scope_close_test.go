package effect

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// Scope.Close with a ctx cancelled before the call still closes the scope:
// every finalizer runs, once, and the scope is closed afterwards.
func TestScopeCloseWithCancelledContextRunsFinalizers(t *testing.T) {
	rt := NewRuntime()
	s := rt.NewScope()
	var ev events
	for _, name := range []string{"a", "b", "c"} {
		if _, err := rt.Run(context.Background(), Extend(s, AddFinalizer(func(error) unit { return ev.note(name) })), nil); err != nil {
			t.Fatalf("AddFinalizer: %v", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: got %v, want nil", err)
	}
	if got, want := ev.get(), []string{"c", "b", "a"}; !slices.Equal(got, want) {
		t.Fatalf("finalizers: got %v, want %v", got, want)
	}
	if !s.IsClosed() {
		t.Fatal("scope still open after Close")
	}
	if err := rt.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if got := len(ev.get()); got != 3 {
		t.Fatalf("finalizers ran %d times in all, want 3", got)
	}
}

// A ctx cancelled while finalizers run does not cut the closing short.
func TestScopeCloseCancelledDuringCloseFinishes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		s := rt.NewScope()
		var ev events
		slow := AndThen(Sleep[any, error](time.Second), ev.note("slow done"))
		mustRun(t, Extend(s, AddFinalizer(func(error) unit { return ev.note("first registered") })))
		mustRun(t, Extend(s, AddFinalizer(func(error) unit { return slow })))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		if err := s.Close(ctx); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Fatalf("Close returned after %v, want 1s (the slow finalizer)", d)
		}
		if got, want := ev.get(), []string{"slow done", "first registered"}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
}

var errFin = errors.New("finalizer failed")

// Two Close calls at once: both return only once every finalizer has run,
// and both return the close's result (the failing finalizer's error).
func TestScopeCloseConcurrentCallersWaitForTheCloseAndShareItsResult(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		s := rt.NewScope()
		var ev events
		for i, name := range []string{"f1", "f2", "f3", "f4"} {
			step := AndThen(Sleep[any, error](time.Second), ev.note(name))
			if i == 1 {
				step = AndThen(step, Fail[any, struct{}](errFin))
			}
			mustRun(t, Extend(s, AddFinalizer(func(error) unit { return step })))
		}
		errs := make([]error, 2)
		ends := make([]int, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i == 1 {
					time.Sleep(1500 * time.Millisecond) // after f4 ran, while f3 runs
				}
				errs[i] = s.Close(context.Background())
				ends[i] = len(ev.get())
			}()
		}
		wg.Wait()
		for i := range 2 {
			if ends[i] != 4 {
				t.Errorf("caller %d returned after %d of 4 finalizers", i, ends[i])
			}
			if !errors.Is(errs[i], errFin) {
				t.Errorf("caller %d: got %v, want the finalizer's failure", i, errs[i])
			}
		}
		if got, want := ev.get(), []string{"f4", "f3", "f2", "f1"}; !slices.Equal(got, want) {
			t.Fatalf("order: got %v, want %v", got, want)
		}
		// A later Close returns the same result at once.
		if err := s.Close(context.Background()); !errors.Is(err, errFin) {
			t.Fatalf("Close after the close: got %v, want the finalizer's failure", err)
		}
	})
}

// Shutdown closing a scope while a Close of it runs: the Close waits for the
// close in progress.
func TestScopeCloseDuringShutdownWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		s := rt.NewScope()
		var ev events
		mustRun(t, Extend(s, AddFinalizer(func(error) unit {
			return AndThen(Sleep[any, error](time.Second), ev.note("released"))
		})))
		go func() { _ = rt.Shutdown(context.Background()) }()
		synctest.Wait() // Shutdown is inside the finalizer's sleep
		if err := s.Close(context.Background()); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if got := ev.count("released"); got != 1 {
			t.Fatalf("Close returned with the finalizer run %d times, want 1", got)
		}
	})
}

// A finalizer that closes its own scope does not wait for itself.
func TestScopeCloseFromItsOwnFinalizerReturns(t *testing.T) {
	rt := NewRuntime()
	s := rt.NewScope()
	var inner error = errors.New("not run")
	mustRun(t, Extend(s, AddFinalizer(func(error) unit {
		return asVoidErr(CloseScope[any, error](s), &inner)
	})))
	if err := s.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if inner != nil {
		t.Fatalf("inner CloseScope: got %v, want nil", inner)
	}
}

// asVoidErr runs e and stores its error (nil on success) in *dst.
func asVoidErr(e unit, dst *error) unit {
	return MatchCause(e, func(c Cause[error]) struct{} { *dst = errorOf(c); return struct{}{} },
		func(struct{}) struct{} { *dst = nil; return struct{}{} })
}

// Once a fiber's Done has closed, the registry no longer lists it.
func TestRegistryExactOnceDoneHasClosed(t *testing.T) {
	rt := NewRuntime()
	for range 2000 {
		fbs := make([]*Fiber[error, int], 8)
		for i := range fbs {
			fbs[i] = rt.Start(context.Background(), succeed(i), nil)
		}
		for _, fb := range fbs {
			<-fb.Done()
		}
		if got := rt.Fibers(); len(got) != 0 {
			t.Fatalf("after every Done: %d fiber(s) still listed: %+v", len(got), got)
		}
	}
}
