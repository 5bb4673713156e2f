package eff_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/schedule"
)

func ExampleSucceed() {
	double := eff.Succeed(21).Map(func(n int) int { return n * 2 })
	fmt.Println(eff.Run(context.Background(), double))
	// Output: 42 <nil>
}

var errNotFound = errors.New("not found")

func ExampleFail() {
	lookup := func(id int) eff.Effect[string] {
		if id != 1 {
			return eff.Fail[string](errNotFound)
		}
		return eff.Succeed("ada")
	}
	_, err := eff.Run(context.Background(), lookup(2))
	fmt.Println(errors.Is(err, errNotFound))
	// Output: true
}

func ExampleFromResult() {
	parse := eff.FromResult(strconv.Atoi("42"))
	fmt.Println(eff.Run(context.Background(), parse))
	// Output: 42 <nil>
}

func ExampleTry() {
	attempts := 0
	call := eff.Try(func(ctx context.Context) (string, error) {
		attempts++
		if attempts < 3 {
			return "", errors.New("unavailable")
		}
		return "ok", nil
	})
	v, err := eff.Run(context.Background(), call.Retry(schedule.Recurs(5)))
	fmt.Println(v, err, attempts)
	// Output: ok <nil> 3
}

func ExampleDo() {
	write := eff.Do(func(ctx context.Context) error { fmt.Println("written"); return nil })
	_, err := eff.Run(context.Background(), write)
	fmt.Println(err)
	// Output:
	// written
	// <nil>
}

func ExampleSync() {
	fmt.Println(eff.Run(context.Background(), eff.Sync(func() int { return 7 })))
	// Output: 7 <nil>
}

func ExampleSleep() {
	slow := eff.Sleep(time.Hour).Map(func(struct{}) string { return "too late" })
	_, err := eff.Run(context.Background(), slow.Timeout(10*time.Millisecond))
	fmt.Println(err)
	// Output: effect: timeout after 10ms
}

func ExampleAcquire() {
	open := func(ctx context.Context) (string, error) { fmt.Println("open"); return "conn", nil }
	closeConn := func(ctx context.Context, c string) error { fmt.Println("close", c); return nil }
	use := eff.Acquire(open, closeConn).Map(func(c string) string { fmt.Println("use", c); return c })
	_, err := eff.Run(context.Background(), use.Scoped())
	fmt.Println(err)
	// Output:
	// open
	// use conn
	// close conn
	// <nil>
}

func ExampleAcquireExit() {
	begin := func(ctx context.Context) (string, error) { return "tx", nil }
	end := func(ctx context.Context, tx string, err error) error {
		if err != nil {
			fmt.Println("rollback:", err)
			return nil
		}
		fmt.Println("commit")
		return nil
	}
	transfer := eff.AcquireExit(begin, end).FlatMap(func(string) eff.Effect[int] {
		return eff.Fail[int](errors.New("insufficient funds"))
	})
	_, _ = eff.Run(context.Background(), transfer.Scoped())
	// Output: rollback: insufficient funds
}

func ExampleDefer() {
	job := eff.Defer(func(ctx context.Context, err error) error {
		fmt.Println("cleanup after:", err)
		return nil
	}).FlatMap(func(struct{}) eff.Effect[int] { return eff.Fail[int](errors.New("boom")) })
	_, _ = eff.Run(context.Background(), job.Scoped())
	// Output: cleanup after: boom
}

func ExampleRace() {
	mirror := func(name string, d time.Duration) eff.Effect[string] {
		return eff.Sleep(d).Map(func(struct{}) string { return name })
	}
	fmt.Println(eff.Run(context.Background(), eff.Race(mirror("slow", time.Second), mirror("fast", time.Millisecond))))
	// Output: fast <nil>
}

func ExampleAll() {
	fmt.Println(eff.Run(context.Background(), eff.All(eff.Succeed(1), eff.Succeed(2), eff.Succeed(3))))
	// Output: [1 2 3] <nil>
}

func ExampleForEachPar() {
	square := func(n int) eff.Effect[int] { return eff.Succeed(n * n) }
	fmt.Println(eff.Run(context.Background(), eff.ForEachPar([]int{1, 2, 3, 4}, square, eff.Par{Limit: 2})))
	// Output: [1 4 9 16] <nil>
}

func ExampleFork() {
	work := eff.Fork(eff.Succeed("done")).FlatMap(eff.Join[string])
	fmt.Println(eff.Run(context.Background(), work))
	// Output: done <nil>
}

type Env struct {
	Greeting string
}

// The application declares its environment, its kit and its effect type once.
var app = eff.For[Env]()

type Eff[A any] = effect.Effect[Env, error, A]

func ExampleFor() {
	greet := app.Try(func(ctx context.Context, env Env) (string, error) { return env.Greeting + ", world", nil })
	pause := app.Sleep(time.Millisecond)
	prog := pause.AndThen(greet)
	// An effect that needs nothing joins in through Lift.
	prog = prog.Tap(func(string) Eff[int] { return app.Lift(eff.Succeed(1)) })
	fmt.Println(effect.Run(context.Background(), prog, Env{Greeting: "hello"}))
	// Output: hello, world <nil>
}
