package effect_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
)

// errMaintenance is the refusal of a kill-switch policy.
var errMaintenance = errors.New("shop: down for maintenance")

func ExamplePolicyFunc() {
	var admitted int
	counting := effect.PolicyFunc(func() effect.Effect[any, error, effect.Release] {
		return effect.Sync[any, error](func() effect.Release {
			admitted++
			return func(err error) { fmt.Println("released, failed:", err != nil) }
		})
	})
	job := effect.FlatMap(effect.Fork(effect.Succeed[any, error](1)), func(fb *effect.Fiber[error, int]) effect.Effect[any, error, int] {
		return effect.Join[any](fb)
	})
	_, _ = effect.Run(context.Background(), job.ScopedWith(effect.WithPolicy(counting)), nil)
	fmt.Println("admitted:", admitted)
	// Output:
	// released, failed: false
	// admitted: 1
}

func ExampleWithPolicy() {
	closed := effect.PolicyFunc(func() effect.Effect[any, error, effect.Release] {
		return effect.Fail[any, effect.Release](errMaintenance)
	})
	rt := effect.NewRuntime()
	shop := rt.NewScope(effect.WithPolicy(closed))
	defer shop.Close(context.Background())
	// A fiber forked in the scope is refused before it runs.
	order := effect.FlatMap(effect.ForkIn(shop, effect.Sync[any, error](func() string { return "ordered" })),
		func(fb *effect.Fiber[error, string]) effect.Effect[any, error, string] { return effect.Join[any](fb) })
	_, err := rt.Run(context.Background(), order, nil)
	fmt.Println(errors.Is(err, errMaintenance))
	// Output: true
}

func ExampleScopedWith() {
	seen := 0
	watch := effect.PolicyFunc(func() effect.Effect[any, error, effect.Release] {
		return effect.Sync[any, error](func() effect.Release { seen++; return nil })
	})
	// The scope's own effect is not admitted; its two forks are.
	work := effect.All([]effect.Effect[any, error, int]{effect.Succeed[any, error](1), effect.Succeed[any, error](2)}, effect.Par{})
	xs, _ := effect.Run(context.Background(), effect.ScopedWith(work, effect.WithPolicy(watch)), nil)
	fmt.Println(xs, seen)
	// Output: [1 2] 2
}

func ExampleIsInterruption() {
	ex := effect.RunExit(context.Background(), effect.FlatMap(effect.Fork(effect.Never[any, error, int]()),
		func(fb *effect.Fiber[error, int]) effect.Effect[any, error, effect.Exit[error, int]] {
			return effect.Interrupt[any](fb)
		}), nil)
	child, _ := ex.Value()
	fmt.Println(effect.IsInterruption(child.Err()), effect.IsInterruption(errors.New("boom")))
	// Output: true false
}
