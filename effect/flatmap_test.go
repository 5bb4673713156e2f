package effect

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"testing/synctest"
)

func TestMapFlatMapValues(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		e := succeed(2).
			Map(func(i int) int { return i * 10 }).
			FlatMap(func(i int) eff { return succeed(i + 1) }).
			Tap(func(i int) eff { return succeed(-1) })
		if got := mustRun(t, e); got != 21 {
			t.Fatalf("got %d want 21", got)
		}
		z := mustRun(t, Zip(succeed(1), Succeed[any, error]("a")))
		if z.First != 1 || z.Second != "a" {
			t.Fatalf("Zip: got %+v", z)
		}
		if got := mustRun(t, ZipWith(succeed(3), succeed(4), func(a, b int) int { return a * b })); got != 12 {
			t.Fatalf("ZipWith: got %d want 12", got)
		}
		if got := mustRun(t, succeed(1).As("x")); got != "x" {
			t.Fatalf("As: got %q", got)
		}
		if got := mustRun(t, Flatten(Succeed[any, error](succeed(9)))); got != 9 {
			t.Fatalf("Flatten: got %d", got)
		}
		got := mustRun(t, ForEach([]int{1, 2, 3}, func(i int) eff { return succeed(i * i) }))
		if !slices.Equal(got, []int{1, 4, 9}) {
			t.Fatalf("ForEach: got %v", got)
		}
	})
}

func TestFailureSkipsContinuations(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		boom := errors.New("boom")
		var ev events
		e := Tap(succeed(1), func(int) unit { return ev.note("tap") }).
			FlatMap(func(int) eff { return Fail[any, int](boom) }).
			Map(func(i int) int { ev.add("map"); return i }).
			FlatMap(func(int) eff { ev.add("flatMap"); return succeed(0) })
		_, err := run(e)
		if err != boom {
			t.Fatalf("got %v want boom", err)
		}
		if got := ev.get(); !slices.Equal(got, []string{"tap"}) {
			t.Fatalf("events: got %v want [tap]", got)
		}
		ev = events{}
		_, err = run(ForEach([]int{1, 2, 3}, func(i int) eff {
			ev.add(digit(i))
			if i == 2 {
				return Fail[any, int](boom)
			}
			return succeed(i)
		}))
		if err != boom || !slices.Equal(ev.get(), []string{"1", "2"}) {
			t.Fatalf("ForEach: got %v %v", err, ev.get())
		}
	})
}

func digit(i int) string { return string(rune('0' + i)) }

func TestEffectsAreLazyAndReusable(t *testing.T) {
	n := 0
	e := Sync[any, error](func() int { n++; return n })
	if n != 0 {
		t.Fatalf("building ran the effect")
	}
	a, b := mustRun(t, e), mustRun(t, e)
	if a != 1 || b != 2 || n != 2 {
		t.Fatalf("got %d, %d (n=%d); want 1, 2 (n=2)", a, b, n)
	}
	s := Suspend(func() eff { n += 10; return succeed(n) })
	if n != 2 || mustRun(t, s) != 12 || mustRun(t, s) != 22 {
		t.Fatalf("Suspend is not lazy and reusable, n=%d", n)
	}
}

func TestStackSafetyLeftNested(t *testing.T) {
	const n = 1_000_000
	e := succeed(0)
	for range n {
		e = e.FlatMap(func(x int) eff { return succeed(x + 1) })
	}
	if got := mustRun(t, e); got != n {
		t.Fatalf("FlatMap left-nested: got %d want %d", got, n)
	}
	m := succeed(0)
	for range n {
		m = m.Map(func(x int) int { return x + 1 })
	}
	if got := mustRun(t, m); got != n {
		t.Fatalf("Map left-nested: got %d want %d", got, n)
	}
	// Mixed with folds, regions and provides, each unwinding to the heap.
	x := succeed(0)
	for i := range n / 4 {
		switch i % 4 {
		case 0:
			x = x.MapError(func(e error) error { return e })
		case 1:
			x = x.Uninterruptible()
		case 2:
			x = Provide[any](x, nil)
		default:
			x = x.Map(func(v int) int { return v + 1 })
		}
	}
	if got := mustRun(t, x); got != n/16 {
		t.Fatalf("mixed left-nested: got %d want %d", got, n/16)
	}
}

func TestStackSafetyRightNested(t *testing.T) {
	const n = 1_000_000
	var build func(i int) eff
	build = func(i int) eff {
		if i == n {
			return succeed(i)
		}
		return FlatMap(succeed(i), func(int) eff { return build(i + 1) })
	}
	if got := mustRun(t, build(0)); got != n {
		t.Fatalf("right-nested: got %d want %d", got, n)
	}
}

func TestStackSafetyRecursiveLoopBoundedMemory(t *testing.T) {
	const n = 10_000_000
	var loop func(i int) eff
	loop = func(i int) eff {
		if i == n {
			return succeed(i)
		}
		return FlatMap(Sync[any, error](func() int { return i + 1 }), loop)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if got := mustRun(t, loop(0)); got != n {
		t.Fatalf("loop: got %d want %d", got, n)
	}
	runtime.ReadMemStats(&after)
	// The loop allocates as it goes, but keeps nothing: the stack stays
	// small and the live heap does not grow with the iteration count.
	if after.StackInuse > 8<<20 {
		t.Fatalf("stack in use grew to %d bytes", after.StackInuse)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if after.HeapAlloc > before.HeapAlloc+16<<20 {
		t.Fatalf("live heap grew from %d to %d bytes", before.HeapAlloc, after.HeapAlloc)
	}
}

func TestForeverUntilInterrupted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := NewRuntime()
		count := 0
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan Exit[error, int])
		go func() {
			done <- rt.RunExit(ctx, Forever(Sync[any, error](func() int {
				count++
				if count == 100_000 {
					cancel()
				}
				return count
			})), nil)
		}()
		ex := <-done
		if !ex.IsInterrupted() {
			t.Fatalf("got %v want an interruption", ex)
		}
		if count < 100_000 {
			t.Fatalf("ran %d rounds, want at least 100000", count)
		}
	})
}

func TestDeepChainInsideFiberWithFinalizers(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		var ev events
		body := succeed(0)
		for range 5000 {
			body = body.Map(func(x int) int { return x + 1 })
		}
		e := FlatMap(Fork(Ensuring(body, ev.note("fin"))), func(fb *Fiber[error, int]) eff { return Join[any](fb) })
		if got := mustRun(t, e); got != 5000 {
			t.Fatalf("got %d want 5000", got)
		}
		if ev.count("fin") != 1 {
			t.Fatalf("finalizer ran %d times, want 1", ev.count("fin"))
		}
	})
}

// On the heap path, runs of frames of the same type are chained without
// boxing (see chain in runloop.go); a change of type, a failure, a panic
// and a finalizer in the middle of such a run must all behave as on the
// typed path.
func TestHeapChainOfSameTypedFrames(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		build := func(n int, mid func(eff) eff) eff {
			e := succeed(0)
			for i := range n {
				if i == n/2 {
					e = mid(e)
				}
				if i%2 == 0 {
					e = e.Map(func(x int) int { return x + 1 })
				} else {
					e = e.FlatMap(func(x int) eff { return succeed(x + 1) })
				}
			}
			return e
		}
		const n = 2000
		// A change of type in the middle.
		viaString := build(n, func(e eff) eff {
			return Map(Map(e, func(x int) string { return strconv.Itoa(x) }), func(s string) int { v, _ := strconv.Atoi(s); return v })
		})
		if got := mustRun(t, viaString); got != n {
			t.Fatalf("through a string: got %d want %d", got, n)
		}
		// A panic in the middle: a defect, and the finalizer below it runs once.
		var ev events
		panicking := build(n, func(e eff) eff {
			return Ensuring(e, ev.note("fin")).Map(func(x int) int {
				if x == n/2 {
					panic("in the middle")
				}
				return x
			})
		})
		ex := runExit(panicking)
		if ds := ex.Cause().Defects(); len(ds) != 1 || ds[0].Value != "in the middle" || ev.count("fin") != 1 {
			t.Fatalf("panic: %v, finalizer ran %d times", ex, ev.count("fin"))
		}
		// A failure in the middle skips every later step.
		later := 0
		failing := build(n, func(e eff) eff {
			return e.FlatMap(func(int) eff { return Fail[any, int](errBoom) }).Map(func(x int) int { later++; return x })
		})
		if _, err := run(failing); err != errBoom || later != 0 {
			t.Fatalf("failure: %v, later steps ran %d times", err, later)
		}
	})
}

// A heap chain of int → int frames that crosses environments and regions:
// each frame runs with its own environment (a chained frame must not take
// its neighbour's), and a region's frame restores the fiber's locals (the
// chain stops there and resumes after it).
func TestHeapChainAcrossEnvironmentsAndRegions(t *testing.T) {
	withBudget(t, func(t *testing.T) {
		type env struct{ add int }
		const n = 1500
		inner := Succeed[env, error](0)
		for range n {
			inner = inner.FlatMap(func(x int) Effect[env, error, int] {
				return Access[env, error](func(r env) int { return x + r.add })
			})
		}
		// The same chain under two environments, joined by a chain of the
		// outer environment, with an uninterruptible region in the middle.
		outer := Provide[any](inner, env{add: 1})
		for i := range n {
			if i == n/2 {
				outer = Uninterruptible(outer).FlatMap(func(x int) eff {
					return Sync[any, error](func() int {
						return x
					})
				})
			}
			outer = outer.Map(func(x int) int { return x + 2 })
		}
		outer = outer.FlatMap(func(x int) eff { return Provide[any](inner, env{add: 3}).Map(func(y int) int { return x + y }) })
		var interruptible bool
		outer = outer.FlatMap(func(x int) eff {
			return FlatMap(withView(func(v view) Effect[any, error, bool] { return Succeed[any, error](v.interruptible()) }), func(b bool) eff {
				interruptible = b
				return succeed(x)
			})
		})
		want := n*1 + n*2 + n*3
		if got := mustRun(t, outer); got != want {
			t.Fatalf("got %d, want %d", got, want)
		}
		if !interruptible {
			t.Fatalf("the region's locals leaked past its end")
		}
	})
}
