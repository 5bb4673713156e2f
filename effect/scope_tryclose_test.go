package effect

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

func TestTryCloseClosesAnIdleScopeOnce(t *testing.T) {
	rt := NewRuntime()
	var opened, closed []ScopeID
	var mu sync.Mutex
	defer rt.AddHooks(Hooks{
		ScopeOpen:  func(in ScopeInfo) { mu.Lock(); opened = append(opened, in.ID); mu.Unlock() },
		ScopeClose: func(in ScopeInfo) { mu.Lock(); closed = append(closed, in.ID); mu.Unlock() },
	})()
	parent := rt.NewScope()
	s := parent.NewScope()
	if s.Parent() != parent || s.Owner() != 0 || s.IsClosed() {
		t.Fatalf("NewScope: parent %v, owner %d, closed %v", s.Parent(), s.Owner(), s.IsClosed())
	}
	if !s.TryClose() || !s.IsClosed() {
		t.Fatalf("TryClose of an idle scope did not close it")
	}
	if s.TryClose() {
		t.Fatalf("a second TryClose reported closing the scope again")
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatalf("Close after TryClose: %v", err)
	}
	// The child left its parent's entries: the parent is idle too.
	if !parent.TryClose() {
		t.Fatalf("the parent of a closed child is not idle")
	}
	mu.Lock()
	defer mu.Unlock()
	want := []ScopeID{parent.ID(), s.ID()}
	if !slices.Equal(opened, want) || !slices.Equal(closed, []ScopeID{s.ID(), parent.ID()}) {
		t.Fatalf("hooks: opened %v, closed %v", opened, closed)
	}
}

func TestTryCloseLeavesWorkToClose(t *testing.T) {
	rt := NewRuntime()
	ctx := context.Background()

	// A finalizer: TryClose refuses, Close runs it once.
	var ev events
	s := rt.NewScope()
	if _, err := rt.Run(ctx, Extend(s, AddFinalizer(func(error) unit { return ev.note("fin") })), nil); err != nil {
		t.Fatal(err)
	}
	if s.TryClose() || s.IsClosed() || ev.count("fin") != 0 {
		t.Fatalf("TryClose with a finalizer: closed %v, events %v", s.IsClosed(), ev.get())
	}
	if err := s.Close(ctx); err != nil || ev.count("fin") != 1 {
		t.Fatalf("Close: %v, events %v", err, ev.get())
	}

	// An open child scope: TryClose refuses; Close closes the child first.
	s = rt.NewScope()
	child := s.NewScope()
	if s.TryClose() || s.IsClosed() {
		t.Fatalf("TryClose with an open child closed the scope")
	}
	if err := s.Close(ctx); err != nil || !child.IsClosed() {
		t.Fatalf("Close: %v, child closed %v", err, child.IsClosed())
	}

	// A running fiber: TryClose refuses; once it has ended, it closes.
	s = rt.NewScope()
	release := make(chan struct{})
	fb, err := rt.Run(ctx, ForkIn(s, Try[any](func(context.Context) (int, error) { <-release; return 1, nil })), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.TryClose() || s.IsClosed() {
		t.Fatalf("TryClose with a running fiber closed the scope")
	}
	close(release)
	<-fb.Handle().Done()
	if !s.TryClose() {
		t.Fatalf("TryClose after the fiber ended did not close the scope")
	}
}

func TestTryCloseRacesCloseAndForks(t *testing.T) {
	// Many callers race to close one scope while a fiber tries to fork
	// into it: exactly one close happens, and a fork either runs to its
	// end before the close or is refused with ErrScopeClosed.
	for range 50 {
		rt := NewRuntime()
		s := rt.NewScope()
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if s.TryClose() {
					wins.Add(1)
				}
			})
		}
		wg.Go(func() {
			if err := s.Close(context.Background()); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		var forked Exit[error, int]
		wg.Go(func() {
			forked = rt.RunExit(context.Background(), FlatMap(ForkIn(s, succeed(7)), Join[any, error, int]), nil)
		})
		wg.Wait()
		if wins.Load() > 1 || !s.IsClosed() {
			t.Fatalf("%d TryClose calls won; closed %v", wins.Load(), s.IsClosed())
		}
		if v, err := forked.Get(); err != nil && !errors.Is(err, ErrScopeClosed) || err == nil && v != 7 {
			t.Fatalf("fork: %v, %v", v, err)
		}
	}
}

func TestNewScopeOfAClosedScopeIsClosed(t *testing.T) {
	rt := NewRuntime()
	parent := rt.NewScope()
	if err := parent.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := parent.NewScope()
	if !s.IsClosed() || s.TryClose() {
		t.Fatalf("a scope opened in a closed one is open")
	}
	var ev events
	ex := rt.RunExit(context.Background(), Extend(s, AddFinalizer(func(error) unit { return ev.note("fin") })), nil)
	if !ex.IsSuccess() || ev.count("fin") != 1 {
		t.Fatalf("a finalizer added to it did not run at once: %v, %v", ex, ev.get())
	}
	fx := rt.RunExit(context.Background(), FlatMap(ForkIn(s, succeed(1)), Join[any, error, int]), nil)
	if !errors.Is(fx.Err(), ErrScopeClosed) {
		t.Fatalf("a fork into it: %v", fx)
	}
}

func TestNewScopeClosesAtItsPlaceAndInheritsPolicies(t *testing.T) {
	rt := NewRuntime()
	var ev events
	var admitted atomic.Int32
	pol := PolicyFunc(func() Effect[any, error, Release] {
		admitted.Add(1)
		return Succeed[any, error](Release(func(error) {}))
	})
	parent := rt.NewScope(WithPolicy(pol))
	ctx := context.Background()
	fin := func(s *Scope, name string) {
		if _, err := rt.Run(ctx, Extend(s, AddFinalizer(func(error) unit { return ev.note(name) })), nil); err != nil {
			t.Fatal(err)
		}
	}
	fin(parent, "a")
	child := parent.NewScope()
	fin(child, "b")
	fin(parent, "c")
	if got := child.Policies(); len(got) != 1 {
		t.Fatalf("the child's policies: %d, want the parent's one", len(got))
	}
	if _, err := rt.Run(ctx, FlatMap(ForkIn(child, succeed(1)), Join[any, error, int]), nil); err != nil || admitted.Load() != 1 {
		t.Fatalf("fork in the child: %v, admitted %d", err, admitted.Load())
	}
	if err := parent.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ev.get(); !slices.Equal(got, []string{"c", "b", "a"}) || !child.IsClosed() {
		t.Fatalf("events %v, child closed %v", got, child.IsClosed())
	}
}

func TestScopedScopeIsOwnedByItsFiberAndClosesWhenIdle(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		var ids [2]FiberID
		var s *Scope
		mustRun(t, Scoped(FlatMap(CurrentScope[any, error](), func(cur *Scope) eff {
			s = cur
			return Map(CurrentFiberID[any, error](), func(id FiberID) int { ids = [2]FiberID{cur.Owner(), id}; return 0 })
		})))
		if ids[0] != ids[1] || ids[0] == 0 || !s.IsClosed() {
			t.Fatalf("owner %d, fiber %d, closed %v", ids[0], ids[1], s.IsClosed())
		}
		// The same after a failure and with a finalizer.
		var ev events
		ex := runExit(Scoped(AndThen(AddFinalizer(func(err error) unit { return ev.note("fin: " + err.Error()) }),
			Fail[any, int](errors.New("boom")))))
		if ex.IsSuccess() || !slices.Equal(ev.get(), []string{"fin: boom"}) {
			t.Fatalf("exit %v, events %v", ex, ev.get())
		}
	})
}

func TestCloseScopeBuiltAheadClosesWhenRun(t *testing.T) {
	rt := NewRuntime()
	s := rt.NewScope()
	closeIt := CloseScope[any, error](s) // built before the scope is used
	var ev events
	if _, err := rt.Run(context.Background(), Extend(s, AddFinalizer(func(error) unit { return ev.note("fin") })), nil); err != nil {
		t.Fatal(err)
	}
	if s.IsClosed() {
		t.Fatalf("building CloseScope closed the scope")
	}
	for range 2 {
		if _, err := rt.Run(context.Background(), closeIt, nil); err != nil {
			t.Fatal(err)
		}
	}
	if ev.count("fin") != 1 || !s.IsClosed() {
		t.Fatalf("events %v, closed %v", ev.get(), s.IsClosed())
	}
}
