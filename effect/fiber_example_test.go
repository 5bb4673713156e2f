package effect_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// started returns an effect that runs e after completing ready: a parent
// that awaits ready knows e has begun, so e's finalizers are in place.
func started[A any](ready *effect.Deferred[error, struct{}], e Eff[A]) Eff[A] {
	return effect.AndThen(effect.Sync[any, error](func() bool { return ready.Succeed(struct{}{}) }), e)
}

func ExampleJoin() {
	// Two fibers run at once; Join waits for each and ends as it did.
	work := func(name string, d time.Duration) Eff[string] {
		return effect.Sleep[any, error](d).As(name)
	}
	prog := effect.FlatMap(effect.Fork(work("a", 20*time.Millisecond)), func(a *effect.Fiber[error, string]) Eff[string] {
		return effect.FlatMap(effect.Fork(work("b", 10*time.Millisecond)), func(b *effect.Fiber[error, string]) Eff[string] {
			return effect.ZipWith(effect.Join[any](a), effect.Join[any](b), func(x, y string) string { return x + y })
		})
	})
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output: ab <nil>
}

func ExampleAwait() {
	// Await succeeds with the fiber's exit, whatever it is.
	failing := effect.Fail[any, int](errNotFound)
	prog := effect.FlatMap(effect.Fork(failing), effect.Await[any, error, int])
	x, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(err, x.IsFailure(), x.Err())
	// Output: <nil> true not found
}

func ExampleInterrupt() {
	ready := effect.NewDeferred[error, struct{}]()
	ticker := started(ready, effect.Sleep[any, error](time.Hour)).
		OnInterrupt(func(error) effect.Effect[any, error, int] {
			return effect.Sync[any, error](func() int { fmt.Println("ticker stopped"); return 0 })
		})
	prog := effect.FlatMap(effect.Fork(ticker), func(fb *effect.Fiber[error, struct{}]) Eff[bool] {
		// Interrupt returns once the fiber's finalizers have run.
		return effect.AndThen(ready.Await[any](),
			effect.Map(effect.Interrupt[any](fb), effect.Exit[error, struct{}].IsInterrupted))
	})
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output:
	// ticker stopped
	// true <nil>
}

func ExampleFork_structured() {
	// A forked fiber belongs to the scope of its parent: when the parent
	// ends, a child still running is interrupted and awaited.
	ready := effect.NewDeferred[error, struct{}]()
	child := started(ready, effect.Never[any, error, int]()).
		OnInterrupt(func(error) effect.Effect[any, error, int] {
			return effect.Sync[any, error](func() int { fmt.Println("child interrupted"); return 0 })
		})
	parent := effect.AndThen(effect.Fork(child), effect.AndThen(ready.Await[any](), effect.Succeed[any, error]("parent done")))
	fmt.Println(effect.Run(context.Background(), parent, nil))
	// Output:
	// child interrupted
	// parent done <nil>
}

func ExampleForkDaemon() {
	// A daemon belongs to the runtime: it outlives the effect that forked it.
	rt := effect.NewRuntime()
	ready := effect.NewDeferred[error, struct{}]()
	daemon := started(ready, effect.Never[any, error, int]()).
		OnInterrupt(func(error) effect.Effect[any, error, int] {
			return effect.Sync[any, error](func() int { fmt.Println("daemon stopped at shutdown"); return 0 })
		})
	fb, _ := rt.Run(context.Background(), effect.ForkDaemon(daemon).Tap(func(*effect.Fiber[error, int]) Eff[struct{}] {
		return ready.Await[any]()
	}), nil)
	_, running := fb.Poll()
	fmt.Println("still running:", !running)
	fmt.Println(rt.Shutdown(context.Background()))
	// Output:
	// still running: true
	// daemon stopped at shutdown
	// <nil>
}

func ExampleForkIn() {
	// A fiber supervised by a scope of one's choice: it lives until that
	// scope closes.
	rt := effect.NewRuntime()
	jobs := rt.NewScope()
	ready := effect.NewDeferred[error, struct{}]()
	// ready is signalled inside the OnInterrupt region, so the close cannot
	// interrupt the worker before its handler is in place.
	worker := started(ready, effect.Never[any, error, int]()).
		OnInterrupt(func(error) effect.Effect[any, error, int] {
			return effect.Sync[any, error](func() int { fmt.Println("worker stopped"); return 0 })
		})
	_, _ = rt.Run(context.Background(), effect.AndThen(effect.ForkIn(jobs, worker), ready.Await[any]()), nil)
	fmt.Println("the effect that forked it has ended")
	_ = jobs.Close(context.Background())
	// Output:
	// the effect that forked it has ended
	// worker stopped
}

func ExampleFiber_Wait() {
	rt := effect.NewRuntime()
	fb := rt.Start(context.Background(), effect.Sleep[any, error](10*time.Millisecond).As("ready"), nil)
	x, err := fb.Wait(context.Background()) // plain Go waits for the fiber
	fmt.Println(x.Get())
	fmt.Println(err)
	// Output:
	// ready <nil>
	// <nil>
}

func ExampleFiber_InterruptFromGo() {
	rt := effect.NewRuntime()
	fb := rt.Start(context.Background(), effect.Never[any, error, int](), nil)
	fb.InterruptFromGo() // returns at once; Done is closed when the fiber has ended
	<-fb.Done()
	x, _ := fb.Poll()
	fmt.Println(x.IsInterrupted())
	// Output: true
}
