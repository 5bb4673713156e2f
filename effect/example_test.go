package effect_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// Eff is the effect shape of these examples: no environment, error failures.
type Eff[A any] = effect.Effect[any, error, A]

func ExampleRun() {
	double := effect.Succeed[any, error](21).Map(func(n int) int { return n * 2 })
	v, err := effect.Run(context.Background(), double, nil)
	fmt.Println(v, err)
	// Output: 42 <nil>
}

func ExampleEffect_FlatMap() {
	parse := func(s string) Eff[int] {
		var n int
		if _, err := fmt.Sscan(s, &n); err != nil {
			return effect.Fail[any, int](fmt.Errorf("parse %q: %w", s, err))
		}
		return effect.Succeed[any, error](n)
	}
	prog := effect.Succeed[any, error]("12").FlatMap(parse).Map(func(n int) int { return n + 1 })
	fmt.Println(effect.Run(context.Background(), prog, nil))
	_, err := effect.Run(context.Background(), effect.Succeed[any, error]("x").FlatMap(parse), nil)
	fmt.Println(err != nil)
	// Output:
	// 13 <nil>
	// true
}

func ExampleTry() {
	lookup := effect.Try[any](func(ctx context.Context) (string, error) {
		return "gopher", ctx.Err()
	})
	fmt.Println(effect.Run(context.Background(), lookup, nil))
	// Output: gopher <nil>
}

func ExampleFork() {
	prog := effect.FlatMap(effect.Fork(effect.Succeed[any, error]("from a child fiber")),
		func(fb *effect.Fiber[error, string]) Eff[string] { return effect.Join[any](fb) })
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output: from a child fiber <nil>
}

func ExampleScoped() {
	open := func(name string) Eff[string] {
		return effect.AcquireRelease(
			effect.Sync[any, error](func() string { fmt.Println("open", name); return name }),
			func(n string) Eff[struct{}] {
				return effect.Sync[any, error](func() struct{} { fmt.Println("close", n); return struct{}{} })
			})
	}
	prog := effect.Scoped(open("db").AndThen(open("cache")).AndThen(
		effect.Sync[any, error](func() string { fmt.Println("work"); return "done" })))
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output:
	// open db
	// open cache
	// work
	// close cache
	// close db
	// done <nil>
}

func ExampleTimeout() {
	slow := effect.Sleep[any, error](time.Hour).As("late")
	_, err := effect.Run(context.Background(), slow.Timeout(10*time.Millisecond), nil)
	fmt.Println(err)
	fmt.Println(errors.Is(err, context.DeadlineExceeded), errors.Is(err, effect.ErrTimeout))
	// Output:
	// effect: timeout after 10ms
	// true true
}

func ExampleRace() {
	fast := effect.Sleep[any, error](time.Millisecond).As("fast")
	slow := effect.Sleep[any, error](time.Hour).As("slow").
		OnInterrupt(func(error) effect.Effect[any, error, int] {
			return effect.Sync[any, error](func() int { fmt.Println("slow interrupted"); return 0 })
		})
	fmt.Println(effect.Run(context.Background(), effect.Race(slow, fast), nil))
	// Output:
	// slow interrupted
	// fast <nil>
}

func ExampleForEachPar() {
	square := func(n int) Eff[int] { return effect.Succeed[any, error](n * n) }
	prog := effect.ForEachPar([]int{1, 2, 3, 4}, square, effect.Par{Limit: 2})
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output: [1 4 9 16] <nil>
}

func ExampleEffect_Catch() {
	errNotFound := errors.New("not found")
	find := effect.Fail[any, string](errNotFound)
	prog := find.Catch(func(err error) Eff[string] {
		if errors.Is(err, errNotFound) {
			return effect.Succeed[any, error]("default")
		}
		return effect.Fail[any, string](err)
	})
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output: default <nil>
}

func ExampleEffect_Ensuring() {
	prog := effect.Fail[any, int](errors.New("boom")).
		Ensuring(effect.Sync[any, error](func() int { fmt.Println("cleanup runs anyway"); return 0 }))
	_, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(err)
	// Output:
	// cleanup runs anyway
	// boom
}

func ExampleRunExit() {
	ex := effect.RunExit(context.Background(), effect.Die[any, error, int]("invariant broken"), nil)
	fmt.Println(ex.IsFailure(), ex.Cause().Kind(), ex.Cause().Defects()[0].Value)
	// Output: true Die invariant broken
}

func ExampleCause() {
	c := effect.CauseFail(errors.New("request failed")).
		Then(effect.CauseDie[error]("close failed"))
	fmt.Println(c.Kind(), len(c.Failures()), len(c.Defects()))
	fmt.Println(c.Error())
	// Output:
	// Then 1 1
	// request failed; then effect: defect: close failed
}

func ExampleUninterruptibleMask() {
	prog := effect.UninterruptibleMask(func(restore effect.Restore) Eff[string] {
		acquire := effect.Sync[any, error](func() string { return "conn" })
		return effect.FlatMap(acquire, func(c string) Eff[string] {
			use := restore.Apply(effect.Succeed[any, error]("used " + c))
			return use.Ensuring(effect.Sync[any, error](func() int { fmt.Println("release", c); return 0 }))
		})
	})
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output:
	// release conn
	// used conn <nil>
}

func ExampleAccess() {
	type Env struct{ Greeting string }
	greet := effect.Access[Env, error](func(e Env) string { return e.Greeting + ", gopher" })
	fmt.Println(effect.Run(context.Background(), greet, Env{Greeting: "hello"}))
	// Output: hello, gopher <nil>
}

func ExampleNewRuntime() {
	rt := effect.NewRuntime()
	fb := rt.Start(context.Background(), effect.Never[any, error, int](), nil)
	fmt.Println(len(rt.Fibers()))
	fb.InterruptFromGo()
	<-fb.Done()
	fmt.Println(len(rt.Fibers()), rt.Shutdown(context.Background()))
	// Output:
	// 1
	// 0 <nil>
}

func ExampleNewDeferred() {
	d := effect.NewDeferred[error, string]()
	prog := effect.FlatMap(effect.Fork(d.Await[any]()), func(fb *effect.Fiber[error, string]) Eff[string] {
		return effect.AndThen(effect.Sync[any, error](func() bool { return d.Succeed("ready") }), effect.Join[any](fb))
	})
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output: ready <nil>
}
