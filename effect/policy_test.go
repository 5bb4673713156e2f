package effect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// policyRecorder is a policy for the tests: it logs each admission (with the
// admitted fiber's ID) and release (with the outcome), waits for gate if
// set, and refuses with refuse if set.
type policyRecorder struct {
	name   string
	ev     *events
	gate   *Deferred[error, struct{}]
	refuse error

	mu  sync.Mutex
	ids []FiberID
}

func (p *policyRecorder) Admit() Effect[any, error, Release] {
	wait := Unit[any, error]()
	if p.gate != nil {
		wait = p.gate.Await[any]()
	}
	return AndThen(wait, FlatMap(CurrentFiberID[any, error](), func(id FiberID) Effect[any, error, Release] {
		p.mu.Lock()
		p.ids = append(p.ids, id)
		p.mu.Unlock()
		p.ev.add(p.name + " admit")
		if p.refuse != nil {
			return Fail[any, Release](p.refuse)
		}
		return Succeed[any, error](Release(func(err error) {
			switch {
			case err == nil:
				p.ev.add(p.name + " release ok")
			case IsInterruption(err):
				p.ev.add(p.name + " release interrupted")
			default:
				p.ev.add(p.name + " release " + err.Error())
			}
		}))
	}))
}

func (p *policyRecorder) admitted() []FiberID {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.ids)
}

func forkJoinExit[A any](e Effect[any, error, A]) Effect[any, error, Exit[error, A]] {
	return FlatMap(Fork(e), func(fb *Fiber[error, A]) Effect[any, error, Exit[error, A]] { return Await[any](fb) })
}

func TestPolicyAdmitsInForkOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gate := NewDeferred[error, struct{}]()
		p := &policyRecorder{name: "p", ev: &events{}, gate: gate}
		const n = 20
		var started events
		prog := ScopedWith(FlatMap(ForEach(make([]int, n), func(int) Effect[any, error, *Fiber[error, FiberID]] {
			return Fork(Tap(CurrentFiberID[any, error](), func(id FiberID) unit { return started.note(id.String()) }))
		}), func(fibers []*Fiber[error, FiberID]) Effect[any, error, []FiberID] {
			// Every fiber waits in the line or at the gate; then open it.
			return AndThen(Sleep[any, error](time.Second), AndThen(Sync[any, error](func() bool { return gate.Complete(Exit[error, struct{}]{}) }),
				ForEach(fibers, func(fb *Fiber[error, FiberID]) Effect[any, error, FiberID] { return Join[any](fb) })))
		}), WithPolicy(p))
		ids := mustRun(t, prog)
		if got := p.admitted(); !slices.Equal(got, ids) {
			t.Fatalf("admitted in order %v, forked in order %v", got, ids)
		}
		if len(started.get()) != n {
			t.Fatalf("started %d fibers, want %d", len(started.get()), n)
		}
	})
}

func TestPolicyAppliesToForksOnly(t *testing.T) {
	ev := &events{}
	p := &policyRecorder{name: "p", ev: ev}
	rt := NewRuntime()
	s := rt.NewScope(WithPolicy(p))
	defer s.Close(context.Background())
	count := func() int { return ev.count("p admit") }
	var counts []int
	snap := Sync[any, error](func() struct{} { counts = append(counts, count()); return struct{}{} })
	// The scope's own effect is not admitted; its forks are; a fork of an
	// admitted fiber (in its own scope) is not; a fork in a scope opened
	// inside is; a daemon is not.
	body := AndThen(snap,
		AndThen(forkJoinExit(forkJoinExit(Unit[any, error]())), AndThen(snap,
			AndThen(forkJoinExit(Unit[any, error]()).Scoped(), AndThen(snap,
				AndThen(FlatMap(ForkDaemon(Unit[any, error]()), func(fb *Fiber[error, struct{}]) unit { return Join[any](fb) }), snap))))))
	if _, err := rt.Run(context.Background(), Extend(s, body), nil); err != nil {
		t.Fatal(err)
	}
	// A fork into the scope from elsewhere is admitted.
	if _, err := rt.Run(context.Background(), FlatMap(ForkIn(s, Unit[any, error]()), func(fb *Fiber[error, struct{}]) unit { return Join[any](fb) }), nil); err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 1, 2, 2}; !slices.Equal(counts, want) {
		t.Fatalf("admissions seen along the body: %v, want %v", counts, want)
	}
	if count() != 3 {
		t.Fatalf("admissions: got %d, want 3", count())
	}
	if got := s.Policies(); len(got) != 1 || got[0] != Policy(p) {
		t.Fatalf("Policies: got %v", got)
	}
	if NewRuntime().NewScope().Policies() != nil {
		t.Fatal("a scope without options has policies")
	}
}

func TestPolicyReleaseLearnsOutcomeAfterFinalizers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ev := &events{}
		p := &policyRecorder{name: "p", ev: ev}
		fin := func(e unit) unit { return AndThen(AddFinalizer(func(error) unit { return ev.note("fin") }), e) }
		prog := AndThen(forkJoinExit(fin(Unit[any, error]())),
			AndThen(forkJoinExit(fin(Fail[any, struct{}](errors.New("boom")))),
				FlatMap(Fork(fin(Never[any, error, struct{}]())), func(fb *Fiber[error, struct{}]) unit {
					return AndThen(Sleep[any, error](time.Second), Void(Interrupt[any](fb)))
				})))
		if _, err := run(prog.ScopedWith(WithPolicy(p))); err != nil {
			t.Fatal(err)
		}
		want := []string{"p admit", "fin", "p release ok", "p admit", "fin", "p release boom", "p admit", "fin", "p release interrupted"}
		if got := ev.get(); !slices.Equal(got, want) {
			t.Fatalf("got %v\nwant %v", got, want)
		}
	})
}

type refusedError struct{ why string }

func (e *refusedError) Error() string { return "refused: " + e.why }

func TestPolicyRefusal(t *testing.T) {
	ev := &events{}
	refused := &refusedError{"full"}
	p := &policyRecorder{name: "p", ev: ev, refuse: refused}
	ran := false
	body := Sync[any, error](func() int { ran = true; return 1 })

	// E = error: the fiber fails with the refusal.
	_, err := run(FlatMap(Fork(body), func(fb *Fiber[error, int]) eff { return Join[any](fb) }).ScopedWith(WithPolicy(p)))
	var re *refusedError
	if !errors.As(err, &re) || re != refused || ran {
		t.Fatalf("E=error: got %v (ran %v), want the refusal and no run", err, ran)
	}

	// E = *refusedError: the refusal fits, typed.
	typed := Sync[any, *refusedError](func() int { ran = true; return 1 })
	ex := RunExit(context.Background(), ScopedWith(FlatMap(Fork(typed), func(fb *Fiber[*refusedError, int]) Effect[any, *refusedError, int] {
		return Join[any](fb)
	}), WithPolicy(p)), nil)
	if f, ok := ex.Cause().Failure(); !ok || f != refused || ran {
		t.Fatalf("E=*refusedError: got %v", ex)
	}

	// E = int: it cannot hold the refusal; the fiber ends interrupted with
	// the refusal as the reason.
	ints := Sync[any, int](func() int { ran = true; return 1 })
	exi := RunExit(context.Background(), ScopedWith(FlatMap(Fork(ints), func(fb *Fiber[int, int]) Effect[any, int, Exit[int, int]] {
		return Await[any](fb)
	}), WithPolicy(p)), nil)
	child, _ := exi.Value()
	var ie *InterruptedError
	if !child.Cause().IsInterruptedOnly() || !errors.As(child.Err(), &ie) || !errors.Is(ie.Reason, refused) || ran {
		t.Fatalf("E=int: got %v (ran %v)", child, ran)
	}
	if n := ev.count("p admit"); n != 3 {
		t.Fatalf("admissions: %d", n)
	}
}

func TestPolicyNesting(t *testing.T) {
	ev := &events{}
	outer := &policyRecorder{name: "outer", ev: ev}
	inner := &policyRecorder{name: "inner", ev: ev}
	prog := ScopedWith(ScopedWith(forkJoinExit(ev.note("run")), WithPolicy(inner)), WithPolicy(outer))
	mustRun(t, prog)
	want := []string{"inner admit", "outer admit", "run", "outer release ok", "inner release ok"}
	if got := ev.get(); !slices.Equal(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}

	// An outer refusal releases the inner admission as an interruption.
	ev2 := &events{}
	inner2 := &policyRecorder{name: "inner", ev: ev2}
	refusing := &policyRecorder{name: "outer", ev: ev2, refuse: errors.New("no")}
	ex := mustRun(t, ScopedWith(ScopedWith(forkJoinExit(ev2.note("run")), WithPolicy(inner2)), WithPolicy(refusing)))
	if ex.IsSuccess() || ex.Err().Error() != "no" {
		t.Fatalf("child: got %v", ex)
	}
	want = []string{"inner admit", "outer admit", "inner release interrupted"}
	if got := ev2.get(); !slices.Equal(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}

	// Two policies in one option, and two options, add up in order.
	s := NewRuntime().NewScope(WithPolicy(outer, inner), WithPolicy(inner2))
	if got := s.Policies(); len(got) != 3 || got[0] != Policy(outer) || got[2] != Policy(inner2) {
		t.Fatalf("Policies: %v", got)
	}
	sub := mustRun(t, Extend(s, MakeScope[any, error](WithPolicy(refusing))))
	if got := sub.Policies(); len(got) != 4 || got[0] != Policy(refusing) || got[1] != Policy(outer) {
		t.Fatalf("Policies of a child scope: %v", got)
	}
}

// A fiber interrupted while it waits (in the line or at the policy) leaves
// at once; those behind it go on; a policy that admitted it is released.
func TestPolicyInterruptedWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ev := &events{}
		gate := NewDeferred[error, struct{}]()
		outer := &policyRecorder{name: "outer", ev: ev, gate: gate}
		p := &policyRecorder{name: "p", ev: ev}
		type fib = *Fiber[error, struct{}]
		prog := FlatMap(ForEach([]string{"a", "b", "c"}, func(s string) Effect[any, error, fib] { return Fork(ev.note("run " + s)) }),
			func(fs []fib) Effect[any, error, []Exit[error, struct{}]] {
				// a waits at outer's gate, b and c in the line: interrupt b (in
				// the middle of the line), then a, then open the gate.
				return AndThen(Sleep[any, error](time.Second),
					AndThen(Interrupt[any](fs[1]), AndThen(Interrupt[any](fs[0]),
						AndThen(Sync[any, error](func() bool { return gate.Complete(Exit[error, struct{}]{}) }),
							ForEach(fs, func(fb fib) Effect[any, error, Exit[error, struct{}]] { return Await[any](fb) })))))
			})
		exits := mustRun(t, ScopedWith(ScopedWith(prog, WithPolicy(p)), WithPolicy(outer)))
		if !exits[0].IsInterrupted() || !exits[1].IsInterrupted() || !exits[2].IsSuccess() {
			t.Fatalf("exits: %v", exits)
		}
		// a was admitted by p (inner first), then interrupted at outer's
		// gate; b left the line before its turn; c was admitted by p, then
		// outer.
		want := []string{"p admit", "p release interrupted", "p admit", "outer admit", "run c", "outer release ok", "p release ok"}
		if got := ev.get(); !slices.Equal(got, want) {
			t.Fatalf("got %v\nwant %v", got, want)
		}
	})
}

// The scope's close interrupts the fibers waiting for admission.
func TestPolicyScopeCloseStopsWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ev := &events{}
		p := &policyRecorder{name: "p", ev: ev, gate: NewDeferred[error, struct{}]()}
		rt := NewRuntime()
		s := rt.NewScope(WithPolicy(p))
		var fibers []*Fiber[error, struct{}]
		for range 3 {
			fb, err := rt.Run(context.Background(), ForkIn(s, ev.note("run")), nil)
			if err != nil {
				t.Fatal(err)
			}
			fibers = append(fibers, fb)
		}
		synctest.Wait()
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, fb := range fibers {
			ex, _ := fb.Poll()
			if !ex.IsInterrupted() || !errors.Is(ex.Err(), ErrScopeClosed) {
				t.Fatalf("waiter: got %v", ex)
			}
		}
		if ev.count("run") != 0 {
			t.Fatal("a refused fiber ran")
		}
	})
}

func TestPolicyPanics(t *testing.T) {
	ev := &events{}
	bad := PolicyFunc(func() Effect[any, error, Release] { panic("admit bug") })
	ex := mustRun(t, forkJoinExit(ev.note("run")).ScopedWith(WithPolicy(&policyRecorder{name: "ok", ev: ev}, bad)))
	if !ex.Cause().IsDefect() || ev.count("run") != 0 {
		t.Fatalf("panicking Admit: got %v", ex)
	}
	if want := []string{"ok admit", "ok release interrupted"}; !slices.Equal(ev.get(), want) {
		t.Fatalf("got %v, want %v", ev.get(), want)
	}

	ev2 := &events{}
	panicky := PolicyFunc(func() Effect[any, error, Release] {
		return Succeed[any, error](Release(func(error) { panic("release bug") }))
	})
	ex = mustRun(t, forkJoinExit(ev2.note("run")).ScopedWith(WithPolicy(&policyRecorder{name: "ok", ev: ev2}, panicky)))
	var fe *FinalizerError
	if !errors.As(ex.Err(), &fe) || ev2.count("ok release ok") != 1 || ev2.count("run") != 1 {
		t.Fatalf("panicking Release: got %v, events %v", ex, ev2.get())
	}
}

func TestPolicyBadInput(t *testing.T) {
	for name, f := range map[string]func(){
		"effect.WithPolicy: policy 1 is nil":        func() { WithPolicy(PolicyFunc(nil), nil) },
		"effect.ScopedWith: option 0 is nil":        func() { ScopedWith(Unit[any, error](), nil) },
		"effect.Effect.ScopedWith: option 1 is nil": func() { Unit[any, error]().ScopedWith(WithPolicy(), nil) },
		"effect.Scope: option 0 is nil":             func() { NewRuntime().NewScope(nil) },
	} {
		func() {
			defer func() {
				if r := recover(); r != name {
					t.Errorf("got panic %v, want %q", r, name)
				}
			}()
			f()
		}()
	}
}

func TestIsInterruption(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("x"), false},
		{newInterruptedError(0, nil), true},
		{fmt.Errorf("wrapped: %w", newInterruptedError(1, ErrLostRace)), true},
		{CauseInterrupt[int](1, nil), true},
		{CauseInterrupt[int](1, nil).Both(CauseInterrupt[int](2, nil)), true},
		{CauseInterrupt[int](1, nil).Then(CauseFail(3)), false},
		{CauseDie[int]("d"), false},
	}
	for i, c := range cases {
		if got := IsInterruption(c.err); got != c.want {
			t.Errorf("case %d (%v): got %v, want %v", i, c.err, got, c.want)
		}
	}
}
