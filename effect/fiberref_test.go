package effect

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func get[A any](r *FiberRef[A]) Effect[any, error, A] { return r.Get[any, error]() }

func set[A any](r *FiberRef[A], a A) unit { return r.Set[any, error](a) }

func TestFiberRefGetSetUpdateModify(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		ref := NewFiberRef(10)
		prog := FlatMap(get(ref), func(a int) Effect[any, error, []int] {
			return FlatMap(AndThen(set(ref, 20), get(ref)), func(b int) Effect[any, error, []int] {
				return FlatMap(ref.Update[any, error](func(x int) int { return x + 1 }), func(c int) Effect[any, error, []int] {
					return FlatMap(ref.Modify[any, error](func(x int) (string, int) { return "was", x * 2 }), func(string) Effect[any, error, []int] {
						return Map(get(ref), func(d int) []int { return []int{a, b, c, d} })
					})
				})
			})
		})
		if got := mustRun(t, prog); !slices.Equal(got, []int{10, 20, 21, 42}) {
			t.Fatalf("got %v, want [10 20 21 42]", got)
		}
		// Each run starts from the initial value: values live in fibers.
		if got := mustRun(t, get(ref)); got != 10 {
			t.Fatalf("a new run reads %d, want the initial 10", got)
		}
		if ref.Initial() != 10 {
			t.Fatalf("Initial: got %d", ref.Initial())
		}
	})
}

// A value set inside a region (Scoped, Uninterruptible, a timeout's guard)
// stays after it: regions restore their own settings, not FiberRefs.
func TestFiberRefSetInsideRegionsStays(t *testing.T) {
	ref := NewFiberRef("")
	prog := AndThen(set(ref, "a").Scoped(), get(ref))
	prog2 := AndThen(Uninterruptible(set(ref, "b")), get(ref))
	prog3 := AndThen(set(ref, "c").Timeout(time.Hour), get(ref))
	for want, p := range map[string]Effect[any, error, string]{"a": prog, "b": prog2, "c": prog3} {
		if got := mustRun(t, p); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

func TestFiberRefInheritanceAndIsolation(t *testing.T) {
	ref := NewFiberRef(0)
	var mu sync.Mutex
	seen := map[string]int{}
	record := func(k string) unit {
		return Void(Map(get(ref), func(v int) int { mu.Lock(); seen[k] = v; mu.Unlock(); return v }))
	}
	child := func(name string, v int) unit {
		return AndThen(record(name+"-start"), AndThen(set(ref, v), record(name+"-end")))
	}
	prog := AndThen(set(ref, 1),
		FlatMap(Fork(child("early", 100)), func(early *Fiber[error, struct{}]) Effect[any, error, int] {
			return AndThen(Join[any](early), AndThen(set(ref, 2),
				FlatMap(Fork(child("a", 200)), func(a *Fiber[error, struct{}]) Effect[any, error, int] {
					return FlatMap(Fork(child("b", 300)), func(b *Fiber[error, struct{}]) Effect[any, error, int] {
						return AndThen(Join[any](a), AndThen(Join[any](b), get(ref)))
					})
				})))
		}))
	if got := mustRun(t, prog); got != 2 {
		t.Fatalf("parent after joins: got %d, want its own 2 (default join keeps the parent's)", got)
	}
	want := map[string]int{"early-start": 1, "early-end": 100, "a-start": 2, "a-end": 200, "b-start": 2, "b-end": 300}
	if !maps.Equal(seen, want) {
		t.Fatalf("seen %v, want %v", seen, want)
	}
}

func TestFiberRefCopyOnFork(t *testing.T) {
	ref := NewFiberRef(map[string]string(nil), CopyOnFork(maps.Clone[map[string]string]))
	prog := AndThen(set(ref, map[string]string{"k": "parent"}),
		FlatMap(Fork(FlatMap(get(ref), func(m map[string]string) Effect[any, error, string] {
			m["k"] = "child" // the child's own copy
			return Succeed[any, error](m["k"])
		})), func(fb *Fiber[error, string]) Effect[any, error, string] {
			return AndThen(Join[any](fb), Map(get(ref), func(m map[string]string) string { return m["k"] }))
		}))
	if got := mustRun(t, prog); got != "parent" {
		t.Fatalf("parent's map changed by the child: got %q", got)
	}
}

func TestFiberRefJoinPolicies(t *testing.T) {
	sum := func(p, c int) int { return p + c }
	forkJoin := func(child unit) unit {
		return FlatMap(Fork(child), func(fb *Fiber[error, struct{}]) unit { return Join[any](fb) })
	}
	cases := []struct {
		name string
		ref  *FiberRef[int]
		prog func(r *FiberRef[int]) unit
		want int
	}{
		{"default keeps the parent's", NewFiberRef(0), func(r *FiberRef[int]) unit {
			return AndThen(set(r, 1), forkJoin(set(r, 5)))
		}, 1},
		{"merge function", NewFiberRef(0, MergeOnJoin(sum)), func(r *FiberRef[int]) unit {
			return AndThen(set(r, 1), forkJoin(set(r, 5)))
		}, 6},
		{"child wins", NewFiberRef(0, MergeOnJoin(func(_, c int) int { return c })), func(r *FiberRef[int]) unit {
			return AndThen(set(r, 1), forkJoin(set(r, 5)))
		}, 5},
		{"unchanged child merges nothing", NewFiberRef(0, MergeOnJoin(sum)), func(r *FiberRef[int]) unit {
			return AndThen(set(r, 3), forkJoin(Unit[any, error]()))
		}, 3},
		{"fresh count with CopyOnFork", NewFiberRef(0, CopyOnFork(func(int) int { return 0 }), MergeOnJoin(sum)), func(r *FiberRef[int]) unit {
			bump := Void(r.Update[any, error](func(x int) int { return x + 1 }))
			return AndThen(bump, AndThen(forkJoin(AndThen(bump, bump)), forkJoin(bump)))
		}, 4},
		{"failed child merges nothing", NewFiberRef(0, MergeOnJoin(sum)), func(r *FiberRef[int]) unit {
			failing := AndThen(set(r, 5), Fail[any, struct{}](errors.New("boom")))
			return AndThen(set(r, 1), Void(Catch(forkJoin(failing), func(error) unit { return Unit[any, error]() })))
		}, 1},
		{"await of a success merges", NewFiberRef(0, MergeOnJoin(sum)), func(r *FiberRef[int]) unit {
			return AndThen(set(r, 1), FlatMap(Fork(set(r, 5)), func(fb *Fiber[error, struct{}]) unit {
				return Void(Await[any](fb))
			}))
		}, 6},
		{"interrupt merges nothing", NewFiberRef(0, MergeOnJoin(sum)), func(r *FiberRef[int]) unit {
			child := AndThen(set(r, 5), Never[any, error, struct{}]())
			return AndThen(set(r, 1), FlatMap(Fork(child), func(fb *Fiber[error, struct{}]) unit {
				return AndThen(Yield[any, error](), Void(Interrupt[any](fb)))
			}))
		}, 1},
		{"a grandchild joined by the child flows up", NewFiberRef(0, MergeOnJoin(sum)), func(r *FiberRef[int]) unit {
			return AndThen(set(r, 1), forkJoin(forkJoin(set(r, 10))))
		}, 1 + 1 + 10},
		{"a grandchild not joined does not", NewFiberRef(0, MergeOnJoin(sum)), func(r *FiberRef[int]) unit {
			return AndThen(set(r, 1), forkJoin(Void(Fork(set(r, 10)))))
		}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := mustRun(t, AndThen(c.prog(c.ref), get(c.ref))); got != c.want {
				t.Fatalf("got %d, want %d", got, c.want)
			}
		})
	}
}

func TestFiberRefLocally(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		ref := NewFiberRef("outer")
		var inside []string
		look := Map(get(ref), func(s string) string { inside = append(inside, s); return s })
		// Nested regions, a Set inside the inner one, and a failure.
		prog := Locally(ref, "a", AndThen(look,
			AndThen(Locally(ref, "b", AndThen(look, AndThen(set(ref, "c"), look))), look)))
		prog = AndThen(Void(prog), get(ref))
		if got := mustRun(t, prog); got != "outer" {
			t.Fatalf("after: got %q, want outer", got)
		}
		if !slices.Equal(inside, []string{"a", "b", "c", "a"}) {
			t.Fatalf("inside: got %v", inside)
		}
		failing := Locally(ref, "x", Fail[any, int](errors.New("boom")))
		after := FlatMap(ToExit(failing), func(ex Exit[error, int]) Effect[any, error, string] {
			if ex.IsSuccess() {
				return Fail[any, string](errors.New("want a failure"))
			}
			return get(ref)
		})
		if got := mustRun(t, after); got != "outer" {
			t.Fatalf("after a failure: got %q, want outer", got)
		}
		method := Map(get(ref), func(s string) string { return s + "!" }).Locally(ref, "m")
		if got := mustRun(t, method); got != "m!" {
			t.Fatalf("method form: got %q", got)
		}
	})
}

// An interrupted region restores the value before the fiber's finalizers
// run, and a child forked inside keeps the region's value after it.
func TestFiberRefLocallyInterrupted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ref := NewFiberRef(0)
		var after int
		child := Ensuring(Locally(ref, 7, Never[any, error, struct{}]()),
			Map(get(ref), func(v int) int { after = v; return v }))
		prog := FlatMap(Fork(child), func(fb *Fiber[error, struct{}]) Effect[any, error, Exit[error, struct{}]] {
			return AndThen(Sleep[any, error](time.Second), Interrupt[any](fb))
		})
		ex := mustRun(t, prog)
		if !ex.IsInterrupted() {
			t.Fatalf("child: got %v, want interrupted", ex)
		}
		if after != 0 {
			t.Fatalf("value seen by the finalizer after the interrupted region: %d, want 0", after)
		}
	})
}

func TestFiberRefForkedInsideLocallyKeepsValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ref := NewFiberRef("none")
		prog := FlatMap(Locally(ref, "region", Fork(AndThen(Sleep[any, error](time.Second), get(ref)))),
			func(fb *Fiber[error, string]) Effect[any, error, []string] {
				return FlatMap(get(ref), func(now string) Effect[any, error, []string] {
					return Map(Join[any](fb), func(child string) []string { return []string{now, child} })
				})
			})
		if got := mustRun(t, prog); !slices.Equal(got, []string{"none", "region"}) {
			t.Fatalf("got %v, want [none region]", got)
		}
	})
}

func TestFiberRefFromContext(t *testing.T) {
	ref := NewFiberRef("none")
	other := NewFiberRef(0)
	read := Try[any](func(ctx context.Context) (string, error) { return ref.FromContext(ctx), nil })
	if got := mustRun(t, read); got != "none" {
		t.Fatalf("no value: got %q", got)
	}
	if got := ref.FromContext(context.Background()); got != "none" {
		t.Fatalf("plain ctx: got %q", got)
	}
	// The ctx of a Try holds a snapshot; a later Set is seen by a later Try.
	var early context.Context
	prog := AndThen(set(ref, "v1"), FlatMap(Try[any](func(ctx context.Context) (string, error) {
		early = ctx
		return ref.FromContext(ctx), nil
	}), func(first string) Effect[any, error, []string] {
		return AndThen(set(ref, "v2"), Map(read, func(second string) []string {
			return []string{first, second, ref.FromContext(early)}
		}))
	}))
	if got := mustRun(t, prog); !slices.Equal(got, []string{"v1", "v2", "v1"}) {
		t.Fatalf("got %v, want [v1 v2 v1]", got)
	}
	// Other regions hand out contexts that carry the values too: an
	// uninterruptible region, a timeout's guard, an acquire step.
	regions := AndThen(set(ref, "r"), FlatMap(Uninterruptible(read), func(a string) Effect[any, error, []string] {
		return FlatMap(read.Timeout(time.Hour), func(b string) Effect[any, error, []string] {
			return Map(AcquireRelease(read, func(string) unit { return Unit[any, error]() }).Scoped(), func(c string) []string {
				return []string{a, b, c}
			})
		})
	}))
	if got := mustRun(t, regions); !slices.Equal(got, []string{"r", "r", "r"}) {
		t.Fatalf("regions: got %v", got)
	}
	// WithValue hands values from plain Go to Run, and through a nested Run.
	ctx := other.WithValue(ref.WithValue(context.Background(), "from-go"), 5)
	nested := Try[any](func(ctx context.Context) (string, error) {
		return Run(ctx, Map(get(ref), func(s string) string { return "nested:" + s }), nil)
	})
	got, err := Run(ctx, Zip(get(ref), AndThen(set(ref, "set"), nested)), nil)
	if err != nil || got.First != "from-go" || got.Second != "nested:set" {
		t.Fatalf("got %+v, %v", got, err)
	}
	if v := other.FromContext(ctx); v != 5 {
		t.Fatalf("other: got %d", v)
	}
}

func TestFiberRefForEachParWorkers(t *testing.T) {
	ref := NewFiberRef("none")
	items := []int{0, 1, 2, 3, 4, 5, 6, 7}
	for _, limit := range []int{0, 3} {
		prog := Locally(ref, "parent", ForEachPar(items, func(i int) Effect[any, error, string] {
			// An item sees the parent's value and sets its own with
			// Locally: workers run several items when there is a limit.
			return FlatMap(get(ref), func(inherited string) Effect[any, error, string] {
				return Locally(ref, inherited+"/"+string(rune('a'+i)), get(ref))
			})
		}, Par{Limit: limit}))
		got := mustRun(t, prog)
		for i, s := range got {
			if want := "parent/" + string(rune('a'+i)); s != want {
				t.Fatalf("limit %d: item %d got %q, want %q", limit, i, s, want)
			}
		}
	}
}

func TestFiberRefBadInput(t *testing.T) {
	ref := NewFiberRef(0)
	for name, f := range map[string]func(){
		"effect.CopyOnFork: copy must not be nil":        func() { CopyOnFork[int](nil) },
		"effect.MergeOnJoin: merge must not be nil":      func() { MergeOnJoin[int](nil) },
		"effect.NewFiberRef: an option is nil":           func() { NewFiberRef(0, nil) },
		"effect.FiberRef.Update: f must not be nil":      func() { ref.Update[any, error](nil) },
		"effect.FiberRef.Modify: f must not be nil":      func() { ref.Modify[any, error, int](nil) },
		"effect.FiberRef.WithValue: ctx must not be nil": func() { ref.WithValue(nilCtx, 1) },
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

// A panic in a CopyOnFork function is a defect of the Fork; in a
// MergeOnJoin function, of the Join.
func TestFiberRefPanickingFunctions(t *testing.T) {
	forkBad := NewFiberRef(0, CopyOnFork(func(int) int { panic("copy") }))
	ex := runExit(AndThen(set(forkBad, 1), Void(Fork(Unit[any, error]()))))
	if !ex.Cause().IsDefect() {
		t.Fatalf("fork: got %v, want a defect", ex)
	}
	joinBad := NewFiberRef(0, MergeOnJoin(func(int, int) int { panic("merge") }))
	ex = runExit(FlatMap(Fork(set(joinBad, 2)), func(fb *Fiber[error, struct{}]) unit { return Join[any](fb) }))
	if !ex.Cause().IsDefect() {
		t.Fatalf("join: got %v, want a defect", ex)
	}
}
