package effecttest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

// printTB stands in for the *testing.T of a real test, so that the examples
// can show what an assertion reports.
type printTB struct{ testing.TB }

func (printTB) Helper()                         {}
func (printTB) Errorf(format string, a ...any)  { fmt.Printf("REPORT: "+format+"\n", a...) }
func (printTB) Fatalf(format string, a ...any)  { panic(fmt.Sprintf(format, a...)) }
func (printTB) Logf(format string, args ...any) {}

var t = printTB{}

func ExampleAssertFailsWith() {
	errNotFound := errors.New("not found")
	find := effect.Fail[any, string](fmt.Errorf("user 7: %w", errNotFound))
	x := effect.RunExit(context.Background(), find, nil)

	fmt.Println(effecttest.AssertFailsWith(t, x, errNotFound))
	// Output: true
}

func ExampleAssertSucceeds() {
	x := effect.RunExit(context.Background(), effect.Succeed[any, error](41).Map(func(n int) int { return n + 1 }), nil)
	effecttest.AssertSucceeds(t, x, 42)
	effecttest.AssertSucceeds(t, x, 43)
	// Output: REPORT: effecttest: success value: got 42, want 43
}

func ExampleAssertInterruptedWith() {
	errShutdown := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errShutdown)
	x := effect.RunExit(ctx, effect.Never[any, error, int](), nil)

	fmt.Println(effecttest.AssertInterruptedWith(t, x, errShutdown))
	// Output: true
}

func ExampleAssertDefect() {
	x := effect.RunExit(context.Background(), effect.Sync[any, error](func() int { panic("index out of range") }), nil)
	fmt.Println(effecttest.AssertDefect(t, x, "index out of range"))
	// Output: true
}

func ExampleMustSucceed() {
	x := effect.RunExit(context.Background(), effect.Succeed[any, error]([]string{"a", "b"}), nil)
	items := effecttest.MustSucceed(t, x)
	fmt.Println(len(items))
	// Output: 2
}

func ExampleMustFail() {
	x := effect.RunExit(context.Background(), effect.Fail[any, int]("quota exceeded"), nil)
	c := effecttest.MustFail(t, x)
	fmt.Println(c.Failures())
	// Output: [quota exceeded]
}

func ExampleSameExit() {
	boom := func() int { panic("boom") }
	a := effect.RunExit(context.Background(), effect.Sync[any, error](boom), nil)
	b := effect.RunExit(context.Background(), effect.Sync[any, error](boom).Map(func(n int) int { return n * 2 }), nil)
	// The two defects carry different stacks; SameExit ignores them.
	fmt.Println(effecttest.SameExit(a, b))
	// Output: true
}

func ExampleSpy() {
	var spy effecttest.Spy
	// A fake of a service method that charges a card.
	charge := spy.Func("Charge", func(cents int) effect.Effect[any, error, string] {
		return effect.Succeed[any, error](fmt.Sprintf("receipt-%d", cents))
	})
	prog := effect.FlatMap(charge(500), func(string) effect.Effect[any, error, string] { return charge(250) })

	fmt.Println(spy.Count("Charge")) // nothing ran yet
	_, _ = effect.Run(context.Background(), prog, nil)
	fmt.Println(spy.Calls())
	spy.AssertCalled(t, "Charge", 250)
	spy.AssertCalledTimes(t, "Charge", 3)
	// Output:
	// 0
	// [Charge(500) Charge(250)]
	// REPORT: effecttest: spy: Charge called 2 time(s), want 3; calls: [Charge(500) Charge(250)]
}

func ExampleSpy_Wrap() {
	var spy effecttest.Spy
	send := func(to, body string) effect.Effect[any, error, struct{}] {
		return spy.Wrap("Send", effect.Unit[any, error](), to, body)
	}
	_, _ = effect.Run(context.Background(), send("ann", "hello").AndThen(send("bob", "hi")), nil)
	fmt.Println(spy.Calls("Send"))
	// Output: [Send("ann", "hello") Send("bob", "hi")]
}

func ExampleResources() {
	var res effecttest.Resources
	prog := effect.Scoped(effect.AndThen(res.Acquire[any, error]("db"), res.Acquire[any, error]("cache")))
	_, _ = effect.Run(context.Background(), prog, nil)
	fmt.Println(res.Events())
	fmt.Println(res.AssertReleased(t))
	// Output:
	// [acquire db acquire cache release cache release db]
	// true
}

func ExampleTrack() {
	var res effecttest.Resources
	open := effect.Sync[any, error](func() string { return "conn-1" })
	closeConn := func(c string) effect.Effect[any, error, struct{}] { return effect.Unit[any, error]() }
	prog := effect.Scoped(effecttest.Track(&res, "conn", open, closeConn).AndThen(effect.Sleep[any, error](time.Millisecond)))
	_, _ = effect.Run(context.Background(), prog, nil)
	fmt.Println(res.Events(), res.Held())
	// Output: [acquire conn release conn] []
}

func ExampleAssertNoFibers() {
	rt := effect.NewRuntime()
	fb := rt.Start(context.Background(), effect.Never[any, error, int](), nil)
	fmt.Println(effecttest.AssertNoFibers(quiet, rt))
	fb.InterruptFromGo()
	<-fb.Done()
	fmt.Println(effecttest.AssertNoFibers(t, rt))
	// Output:
	// false
	// true
}

// quiet is a TB whose reports are dropped.
var quiet testing.TB = quietTB{}

type quietTB struct{ testing.TB }

func (quietTB) Helper()               {}
func (quietTB) Errorf(string, ...any) {}

func ExampleSweepInterrupts() {
	var free int
	leaks := 0
	check := func(_ testing.TB, step int, _ effect.Exit[error, int]) {
		if free != 1 {
			leaks++
		}
	}
	take := func() effect.Effect[any, error, struct{}] {
		return effect.Sync[any, error](func() struct{} { free--; return struct{}{} })
	}
	give := func() effect.Effect[any, error, struct{}] {
		return effect.Sync[any, error](func() struct{} { free++; return struct{}{} })
	}
	work := effect.Succeed[any, error](1).Map(func(n int) int { return n + 1 })

	// Buggy: an interruption between take and give leaks the permit.
	effecttest.SweepInterrupts(t, func() effect.Effect[any, error, int] {
		free = 1
		return effect.FlatMap(take().AndThen(work), func(v int) effect.Effect[any, error, int] { return give().As(v) })
	}, check)
	fmt.Println("buggy version leaks:", leaks > 0)

	// Safe: acquire and release are protected, only the use is interruptible.
	leaks = 0
	effecttest.SweepInterrupts(t, func() effect.Effect[any, error, int] {
		free = 1
		return effect.AcquireUseRelease(take(), func(struct{}) effect.Effect[any, error, int] { return work },
			func(struct{}, effect.Exit[error, int]) effect.Effect[any, error, struct{}] { return give() })
	}, check)
	fmt.Println("safe version leaks:", leaks > 0)
	// Output:
	// buggy version leaks: true
	// safe version leaks: false
}

func ExampleSweepTimes() {
	var free int
	leaks := 0
	check := func(_ testing.TB, at time.Duration, _ effect.Exit[error, int]) {
		if free != 1 {
			leaks++
		}
	}
	take := func() effect.Effect[any, error, struct{}] {
		return effect.Sync[any, error](func() struct{} { free--; return struct{}{} })
	}
	give := func() effect.Effect[any, error, struct{}] {
		return effect.Sync[any, error](func() struct{} { free++; return struct{}{} })
	}
	// The use waits: an interruption from outside lands while it is parked.
	// (Inside a testing/synctest bubble these would be virtual times.)
	work := effect.Sleep[any, error](100 * time.Millisecond).As(1)

	// Buggy: give is not a finalizer, so an interruption in the wait leaks.
	effecttest.SweepTimes(t, 20*time.Millisecond, 20*time.Millisecond, 1, func() effect.Effect[any, error, int] {
		free = 1
		return effect.FlatMap(take().AndThen(work), func(v int) effect.Effect[any, error, int] { return give().As(v) })
	}, check)
	fmt.Println("buggy version leaks:", leaks > 0)

	// Safe: the release runs whatever ends the use.
	leaks = 0
	effecttest.SweepTimes(t, 20*time.Millisecond, 20*time.Millisecond, 1, func() effect.Effect[any, error, int] {
		free = 1
		return effect.AcquireUseRelease(take(), func(struct{}) effect.Effect[any, error, int] { return work },
			func(struct{}, effect.Exit[error, int]) effect.Effect[any, error, struct{}] { return give() })
	}, check)
	fmt.Println("safe version leaks:", leaks > 0)
	// Output:
	// buggy version leaks: true
	// safe version leaks: false
}
