package effect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

// The helpers of this file are prefixed with par so that they never clash
// with the helpers of the other test files of the package.

type parEff = Effect[any, error, int]

func parRun[A any](e Effect[any, error, A]) (A, error) { return Run(context.Background(), e, nil) }

// parBudgets runs f with the default depth budget, with the heap path forced
// everywhere (0) and with a tiny budget (2), so that the worker's frame
// (resume) is exercised as well as its typed fast path.
func parBudgets(t *testing.T, f func(t *testing.T)) {
	for _, b := range []int32{depthBudget, 0, 2} {
		t.Run(fmt.Sprintf("budget=%d", b), func(t *testing.T) {
			old := depthBudget
			depthBudget = b
			defer func() { depthBudget = old }()
			f(t)
		})
	}
}

// parGauge tracks how many items are in progress and the most seen at once.
type parGauge struct{ cur, max atomic.Int64 }

func (g *parGauge) enter() {
	c := g.cur.Add(1)
	for {
		m := g.max.Load()
		if c <= m || g.max.CompareAndSwap(m, c) {
			return
		}
	}
}

func (g *parGauge) leave() { g.cur.Add(-1) }

// tracked returns an effect that counts itself in g while it sleeps for d,
// then succeeds with v.
func (g *parGauge) tracked(d time.Duration, v int) parEff {
	return Sync[any, error](func() struct{} { g.enter(); return struct{}{} }).
		AndThen(Sleep[any, error](d)).
		Ensuring(Sync[any, error](func() struct{} { g.leave(); return struct{}{} })).
		As(v)
}

func TestForEachParValuesInInputOrder(t *testing.T) {
	parBudgets(t, func(t *testing.T) {
		items := make([]int, 300)
		for i := range items {
			items[i] = i
		}
		for _, limit := range []int{0, 1, 3, 8, 1000} {
			got, err := parRun(ForEachPar(items, func(i int) parEff {
				if i%3 == 0 {
					return Succeed[any, error](i * 2) // a plain value: the fast path
				}
				return Sync[any, error](func() int { return i * 2 }).Map(func(x int) int { return x })
			}, Par{Limit: limit}))
			if err != nil {
				t.Fatalf("limit %d: unexpected error %v", limit, err)
			}
			for i, v := range got {
				if v != 2*i {
					t.Fatalf("limit %d: got[%d] = %d, want %d", limit, i, v, 2*i)
				}
			}
		}
	})
}

func TestForEachParEmpty(t *testing.T) {
	called := false
	got, err := parRun(ForEachPar(nil, func(int) parEff { return succeedPar(1) },
		Par{OnProgress: func(Progress) { called = true }}))
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want an empty non-nil slice and no error", got, err)
	}
	if called {
		t.Fatalf("OnProgress called for no item")
	}
	exits, err := parRun(Settle(nil, func(int) parEff { return succeedPar(1) }, Par{}))
	if err != nil || len(exits) != 0 {
		t.Fatalf("Settle: got %v, %v; want none", exits, err)
	}
}

func succeedPar(i int) parEff { return Succeed[any, error](i) }

func TestForEachParLimitRunsWorkersNotAFiberPerItem(t *testing.T) {
	rt := NewRuntime()
	var started atomic.Int64
	rt.AddHooks(Hooks{FiberStart: func(FiberInfo) { started.Add(1) }})
	items := make([]int, 1000)
	_, err := rt.Run(context.Background(), ForEachPar(items, func(int) parEff {
		return Yield[any, error]().As(1)
	}, Par{Limit: 4}), nil)
	if err != nil {
		t.Fatal(err)
	}
	// A worker is forked only while an item is untaken: at most 4, and
	// fewer if the first ones took every item before the last forks.
	if got := started.Load(); got < 1+1 || got > 1+4 {
		t.Fatalf("fibers started: got %d, want the root and 1 to 4 workers", got)
	}
}

// TestForEachParUnboundedRunsEveryItemAtOnce: without a limit, every item
// is running at once when each waits for all the others to have started:
// forking a worker only while an item is untaken never leaves an item
// behind one that blocks. A missing worker is a deadlock that synctest
// reports.
func TestForEachParUnboundedRunsEveryItemAtOnce(t *testing.T) {
	for _, pause := range []bool{false, true} {
		parForkPause(t, pause, func(t *testing.T) { parEveryItemAtOnce(t) })
	}
}

// parForkPause runs f in a synctest bubble; with pause, the fork op of a
// parallel run sleeps before each fork after the first, so that the
// workers forked so far run until they block or end before the parent
// decides whether to fork another (the case where workers take items
// faster than the parent forks, made certain).
func parForkPause(t *testing.T, pause bool, f func(t *testing.T)) {
	t.Run(fmt.Sprint("pause=", pause), func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			if pause {
				untakenPause = func() { time.Sleep(time.Nanosecond) }
				defer func() { untakenPause = nil }()
			}
			f(t)
		})
	})
}

func parEveryItemAtOnce(t *testing.T) {
	for _, n := range []int{1, 2, 7, 64} {
		rt := NewRuntime()
		var fibers atomic.Int64
		rt.AddHooks(Hooks{FiberStart: func(FiberInfo) { fibers.Add(1) }})
		var arrived atomic.Int64
		all := make(chan struct{})
		items := make([]int, n)
		for i := range items {
			items[i] = i
		}
		got, err := rt.Run(context.Background(), ForEachPar(items, func(i int) parEff {
			return Try[any](func(context.Context) (int, error) {
				if arrived.Add(1) == int64(n) {
					close(all)
				}
				<-all
				return i * 10, nil
			})
		}, Par{}), nil)
		if err != nil {
			t.Fatalf("n %d: %v", n, err)
		}
		for i, v := range got {
			if v != i*10 {
				t.Fatalf("n %d: item %d got %d", n, i, v)
			}
		}
		// Every item blocked until all had started: a fiber each.
		if f := fibers.Load(); f != int64(1+n) {
			t.Errorf("n %d: fibers started %d, want the root and %d workers", n, f, n)
		}
	}
}

// TestForEachParQuickItemsShareAWorker: when the first worker has run every
// item before the parent would fork the second (made certain by the fork
// pause), no other worker is forked, and the results are all there.
func TestForEachParQuickItemsShareAWorker(t *testing.T) {
	parForkPause(t, true, func(t *testing.T) {
		for _, limit := range []int{0, 3} {
			rt := NewRuntime()
			var fibers atomic.Int64
			rt.AddHooks(Hooks{FiberStart: func(FiberInfo) { fibers.Add(1) }})
			items := make([]int, 50)
			for i := range items {
				items[i] = i
			}
			got, err := rt.Run(context.Background(), ForEachPar(items, func(i int) parEff {
				return Sync[any, error](func() int { return i + 1 })
			}, Par{Limit: limit}), nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range got {
				if v != i+1 {
					t.Fatalf("limit %d: item %d got %d", limit, i, v)
				}
			}
			if f := fibers.Load(); f != 2 {
				t.Errorf("limit %d: fibers started %d, want the root and one worker", limit, f)
			}
		}
	})
}

// TestForEachParItemsDoNotSeeEachOthersFiberRefs: a worker runs several
// items (with a limit, or when it ends one before the next is taken);
// each item starts with the values the worker was forked with, not those
// the item before it set.
func TestForEachParItemsDoNotSeeEachOthersFiberRefs(t *testing.T) {
	ref := NewFiberRef("parent")
	items := []int{0, 1, 2, 3, 4, 5}
	for _, limit := range []int{1, 2, 0} {
		got, err := parRun(ForEachPar(items, func(i int) Effect[any, error, string] {
			return FlatMap(ref.Get[any, error](), func(seen string) Effect[any, error, string] {
				return ref.Set[any, error](fmt.Sprint("item ", i)).As(seen)
			})
		}, Par{Limit: limit}))
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range got {
			if s != "parent" {
				t.Errorf("limit %d: item %d saw %q, want the parent's value", limit, i, s)
			}
		}
	}
}

func TestForEachParRespectsLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, limit := range []int{1, 2, 5} {
			var g parGauge
			items := make([]int, 40)
			_, err := parRun(ForEachPar(items, func(int) parEff { return g.tracked(time.Millisecond, 0) }, Par{Limit: limit}))
			if err != nil {
				t.Fatal(err)
			}
			if got := g.max.Load(); got != int64(limit) {
				t.Fatalf("limit %d: at most %d in progress, want exactly %d", limit, got, limit)
			}
		}
	})
}

func TestForEachParProperties(t *testing.T) {
	for _, pause := range []bool{false, true} {
		parForkPause(t, pause, parProperties)
	}
}

func parProperties(t *testing.T) {
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 60
	props := gopter.NewProperties(params)
	props.Property("values in input order, never more than the limit in progress", prop.ForAll(
		func(delays []int, limit int) bool {
			var g parGauge
			got, err := parRun(ForEachPar(delays, func(d int) parEff {
				return g.tracked(time.Duration(d)*time.Millisecond, d*10+1)
			}, Par{Limit: limit}))
			if err != nil || len(got) != len(delays) {
				return false
			}
			for i, d := range delays {
				if got[i] != d*10+1 {
					return false
				}
			}
			bound := int64(len(delays))
			if limit > 0 && int64(limit) < bound {
				bound = int64(limit)
			}
			return g.max.Load() <= bound && g.cur.Load() == 0
		},
		gen.SliceOf(gen.IntRange(0, 9)),
		gen.IntRange(-1, 12),
	))
	// Items of group g > 0 each wait until every item of their group
	// has started; group 0 items are quick. Without a limit every
	// group must come together, however few workers the quick items
	// leave forked, and each item runs once, its value in its place.
	props.Property("without a limit, items that wait for each other all run at once", prop.ForAll(
		func(groups []int) bool {
			size := map[int]int64{}
			for _, g := range groups {
				size[g]++
			}
			arrived := map[int]*atomic.Int64{}
			all := map[int]chan struct{}{}
			for g := range size {
				arrived[g], all[g] = new(atomic.Int64), make(chan struct{})
			}
			var runs atomic.Int64
			items := make([]int, len(groups))
			for i := range items {
				items[i] = i
			}
			got, err := parRun(ForEachPar(items, func(i int) parEff {
				g := groups[i]
				if g == 0 {
					return Sync[any, error](func() int { runs.Add(1); return i })
				}
				return Try[any](func(context.Context) (int, error) {
					runs.Add(1)
					if arrived[g].Add(1) == size[g] {
						close(all[g])
					}
					<-all[g]
					return i, nil
				})
			}, Par{}))
			if err != nil || len(got) != len(groups) || runs.Load() != int64(len(groups)) {
				return false
			}
			for i, v := range got {
				if v != i {
					return false
				}
			}
			return true
		},
		gen.SliceOf(gen.IntRange(0, 4)),
	))
	props.Property("Settle keeps every exit in input order", prop.ForAll(
		func(codes []int, limit int) bool {
			exits, err := parRun(Settle(codes, func(c int) parEff {
				if c%4 == 0 {
					return Sleep[any, error](time.Duration(c) * time.Microsecond).AndThen(Fail[any, int](fmt.Errorf("e%d", c)))
				}
				return Sleep[any, error](time.Duration(c) * time.Microsecond).As(c)
			}, Par{Limit: limit, Mode: Collect}))
			if err != nil || len(exits) != len(codes) {
				return false
			}
			for i, c := range codes {
				v, err := exits[i].Get()
				if c%4 == 0 {
					if err == nil || err.Error() != fmt.Sprintf("e%d", c) {
						return false
					}
				} else if err != nil || v != c {
					return false
				}
			}
			return true
		},
		gen.SliceOf(gen.IntRange(0, 50)),
		gen.IntRange(0, 6),
	))
	props.TestingRun(t)
}

// TestForEachParFailFastForksNoMoreWorkers: once an item has failed under
// FailFast, the parent forks no further worker, and no item starts after
// the failure (the fork pause lets the first worker fail before the
// parent decides on the second).
func TestForEachParFailFastForksNoMoreWorkers(t *testing.T) {
	parForkPause(t, true, func(t *testing.T) {
		for _, limit := range []int{0, 3} {
			rt := NewRuntime()
			var fibers, started atomic.Int64
			rt.AddHooks(Hooks{FiberStart: func(FiberInfo) { fibers.Add(1) }})
			boom := errors.New("boom")
			items := make([]int, 50)
			for i := range items {
				items[i] = i
			}
			_, err := rt.Run(context.Background(), ForEachPar(items, func(i int) parEff {
				return Suspend(func() parEff {
					started.Add(1)
					if i == 0 {
						return Fail[any, int](boom)
					}
					return Succeed[any, error](i)
				})
			}, Par{Limit: limit}), nil)
			if !errors.Is(err, boom) {
				t.Fatalf("limit %d: got %v, want boom", limit, err)
			}
			if got := started.Load(); got != 1 {
				t.Errorf("limit %d: items started %d, want only the failing one", limit, got)
			}
			if got := fibers.Load(); got != 2 {
				t.Errorf("limit %d: fibers started %d, want the root and one worker", limit, got)
			}
		}
	})
}

func TestForEachParFailFast(t *testing.T) {
	parBudgets(t, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			boom := errors.New("boom")
			var started, interrupted, finished atomic.Int64
			items := make([]int, 20)
			for i := range items {
				items[i] = i
			}
			exit := RunExit(context.Background(), ForEachPar(items, func(i int) parEff {
				body := Sync[any, error](func() struct{} { started.Add(1); return struct{}{} }).
					AndThen(Sleep[any, error](time.Duration(i+1) * time.Second)).As(i)
				if i == 2 {
					body = Sleep[any, error](500 * time.Millisecond).AndThen(Fail[any, int](boom))
				}
				return body.OnInterrupt(func(error) unit { return Sync[any, error](func() struct{} { interrupted.Add(1); return struct{}{} }) }).
					Ensuring(Sync[any, error](func() struct{} { finished.Add(1); return struct{}{} }))
			}, Par{Limit: 4}), nil)
			if err := exit.Err(); !errors.Is(err, boom) {
				t.Fatalf("got %v, want boom", err)
			}
			if exit.Cause().IsInterrupted() {
				t.Fatalf("cause %v: the interruptions the stop caused must be left out", exit.Cause())
			}
			// Items 0, 1, 3 were in progress with item 2; none of them had
			// ended at 500ms, and no item started after the failure.
			if got := started.Load(); got != 3 {
				t.Fatalf("items started: got %d, want 3 (no new item after the failure)", got)
			}
			if got := interrupted.Load(); got != 3 {
				t.Fatalf("items interrupted: got %d, want 3", got)
			}
			if got := finished.Load(); got != 4 {
				t.Fatalf("finalizers run: got %d, want 4 before ForEachPar returned", got)
			}
		})
	})
}

func TestForEachParCollect(t *testing.T) {
	parBudgets(t, func(t *testing.T) {
		var ran atomic.Int64
		items := []int{0, 1, 2, 3, 4, 5, 6, 7}
		exit := RunExit(context.Background(), ForEachPar(items, func(i int) parEff {
			return Suspend(func() parEff {
				ran.Add(1)
				if i%3 == 1 {
					return Fail[any, int](fmt.Errorf("item %d", i))
				}
				return succeedPar(i)
			})
		}, Par{Limit: 3, Mode: Collect}), nil)
		if got := ran.Load(); got != 8 {
			t.Fatalf("items run: got %d, want all 8", got)
		}
		var msgs []string
		for _, e := range exit.Cause().Failures() {
			msgs = append(msgs, e.Error())
		}
		if want := []string{"item 1", "item 4", "item 7"}; !slices.Equal(msgs, want) {
			t.Fatalf("failures: got %v, want %v in input order", msgs, want)
		}
	})
}

func TestSettleFailFastMarksStoppedItems(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		items := []int{0, 1, 2, 3, 4, 5}
		exits, err := parRun(Settle(items, func(i int) parEff {
			switch i {
			case 0:
				return succeedPar(0)
			case 1:
				return Sleep[any, error](time.Second).AndThen(Fail[any, int](boom))
			}
			return Sleep[any, error](time.Hour).As(i)
		}, Par{Limit: 2}))
		if err != nil {
			t.Fatal(err)
		}
		if v, err := exits[0].Get(); err != nil || v != 0 {
			t.Fatalf("exit 0: got %v, %v; want 0", v, err)
		}
		if err := exits[1].Err(); !errors.Is(err, boom) {
			t.Fatalf("exit 1: got %v, want boom", err)
		}
		for i := 2; i < len(items); i++ {
			if err := exits[i].Err(); !errors.Is(err, ErrFailFast) || !errors.Is(err, context.Canceled) {
				t.Fatalf("exit %d: got %v, want an interruption for ErrFailFast", i, err)
			}
		}
	})
}

func TestParallelShape(t *testing.T) {
	tasks := []parEff{succeedPar(10), Fail[any, int](errors.New("x")), succeedPar(30), Die[any, error, int]("bug")}
	for _, mode := range []ErrorMode{Collect, FailFast} {
		res, err := parRun(Parallel(tasks, Par{Limit: 1, Mode: mode}))
		if err != nil {
			t.Fatal(err)
		}
		if res.AllCompleted() {
			t.Fatalf("%v: AllCompleted with failures", mode)
		}
		if len(res.Completed)+len(res.Errors) != len(tasks) {
			t.Fatalf("%v: %d completed + %d errors, want %d tasks in all", mode, len(res.Completed), len(res.Errors), len(tasks))
		}
		if res.Completed[0] != (Indexed[int]{Index: 0, Value: 10}) || res.Errors[0].Index != 1 {
			t.Fatalf("%v: got %+v", mode, res)
		}
	}
	res, _ := parRun(Parallel(tasks, Par{Mode: Collect}))
	want := []Indexed[int]{{0, 10}, {2, 30}}
	if !slices.Equal(res.Completed, want) || len(res.Errors) != 2 || res.Errors[1].Index != 3 || !res.Errors[1].Value.IsDefect() {
		t.Fatalf("Collect: got %+v, want completed %v and errors at 1 and 3", res, want)
	}
}

func TestForEachParProgress(t *testing.T) {
	parBudgets(t, func(t *testing.T) {
		var (
			mu      sync.Mutex
			seen    []Progress
			inside  atomic.Int64
			overlap atomic.Bool
		)
		items := make([]int, 50)
		for i := range items {
			items[i] = i
		}
		_, err := parRun(ForEachPar(items, func(i int) parEff {
			if i%10 == 9 {
				return Fail[any, int](errors.New("nine"))
			}
			return Yield[any, error]().As(i)
		}, Par{Limit: 5, Mode: Collect, OnProgress: func(p Progress) {
			if inside.Add(1) != 1 {
				overlap.Store(true)
			}
			mu.Lock()
			seen = append(seen, p)
			mu.Unlock()
			inside.Add(-1)
		}}))
		if err == nil {
			t.Fatal("want the failures of items 9, 19, ...")
		}
		if overlap.Load() {
			t.Fatal("OnProgress calls overlapped")
		}
		if len(seen) != 50 {
			t.Fatalf("OnProgress calls: got %d, want 50", len(seen))
		}
		for k, p := range seen {
			if p.Done != k+1 || p.Total != 50 {
				t.Fatalf("call %d: got %+v, want Done %d of 50", k, p, k+1)
			}
		}
		if last := seen[49]; last.Failed != 5 {
			t.Fatalf("last progress %+v: want 5 failed", last)
		}
	})
}

func TestForEachParPanics(t *testing.T) {
	parBudgets(t, func(t *testing.T) {
		exits, err := parRun(Settle([]int{0, 1, 2}, func(i int) parEff {
			if i == 1 {
				panic("no effect for you")
			}
			return Sync[any, error](func() int { return i })
		}, Par{Limit: 2, Mode: Collect}))
		if err != nil {
			t.Fatal(err)
		}
		if !exits[1].Cause().IsDefect() || exits[0].IsFailure() || exits[2].IsFailure() {
			t.Fatalf("got %v; want only item 1 to die", exits)
		}
		exit := RunExit(context.Background(), ForEachPar([]int{0, 1, 2}, succeedPar,
			Par{Limit: 1, OnProgress: func(p Progress) {
				if p.Done == 2 {
					panic("bad bar")
				}
			}}), nil)
		if d := exit.Cause().Defects(); len(d) != 1 || d[0].Value != "bad bar" {
			t.Fatalf("got %v; want the OnProgress panic as a defect", exit)
		}
	})
}

func TestForEachParInterruptedCaller(t *testing.T) {
	parBudgets(t, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var released atomic.Int64
			items := make([]int, 10)
			prog := ForEachPar(items, func(int) parEff {
				return Never[any, error, int]().Ensuring(Sync[any, error](func() struct{} { released.Add(1); return struct{}{} }))
			}, Par{Limit: 3})
			rt := NewRuntime()
			fb := rt.Start(context.Background(), prog, nil)
			synctest.Wait()
			fb.InterruptFromGo()
			ex, _ := fb.Wait(context.Background())
			if !ex.IsInterrupted() {
				t.Fatalf("got %v, want interrupted", ex)
			}
			if got := released.Load(); got != 3 {
				t.Fatalf("finalizers run: got %d, want the 3 items in progress", got)
			}
			if fs := rt.Fibers(); len(fs) != 0 {
				t.Fatalf("fibers left: %v", fs)
			}
		})
	})
}

func TestForEachParDeepItems(t *testing.T) {
	// Items whose effects are deeper than the depth budget unwind to the
	// heap stack from inside the worker; results must not suffer.
	deep := func(i int) parEff {
		e := succeedPar(i)
		for range 2000 {
			e = Map(e, func(x int) int { return x })
		}
		return FlatMap(Yield[any, error](), func(struct{}) parEff { return e })
	}
	items := []int{0, 1, 2, 3, 4, 5, 6, 7}
	got, err := parRun(ForEachPar(items, deep, Par{Limit: 3}))
	if err != nil || !slices.Equal(got, items) {
		t.Fatalf("got %v, %v; want %v", got, err, items)
	}
}

func TestAllAndErrorModeString(t *testing.T) {
	got, err := parRun(All([]parEff{succeedPar(1), succeedPar(2), succeedPar(3)}, Par{Limit: 2}))
	if err != nil || !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("got %v, %v", got, err)
	}
	if FailFast.String() != "FailFast" || Collect.String() != "Collect" || ErrorMode(7).String() != "ErrorMode(7)" {
		t.Fatal("ErrorMode.String")
	}
}

// TestForEachParLostWorkers: a worker that cannot start (its scope is
// closed) or that ends without finishing its items must fail the run, not
// leave zero values behind as if they were results.
func TestForEachParLostWorkers(t *testing.T) {
	rt := NewRuntime()
	defer rt.Shutdown(context.Background())
	closed := rt.NewScope()
	if err := closed.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	items := []int{1, 2, 3}
	x := rt.RunExit(context.Background(), Extend(closed, ForEachPar(items, succeedPar, Par{Limit: 2})), nil)
	if err := x.Err(); !errors.Is(err, ErrScopeClosed) {
		t.Fatalf("ForEachPar in a closed scope: got %v, want ErrScopeClosed", x)
	}
	sx := rt.RunExit(context.Background(), Extend(closed, Settle(items, succeedPar, Par{})), nil)
	if err := sx.Err(); !errors.Is(err, ErrScopeClosed) {
		t.Fatalf("Settle in a closed scope: got %v, want ErrScopeClosed", sx)
	}
}
