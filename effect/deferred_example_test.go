package effect_test

import (
	"context"
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleDeferred_Await() {
	// A Deferred hands one outcome from one fiber to any number of others.
	config := effect.NewDeferred[error, string]()
	reader := func(name string) Eff[string] {
		return effect.Map(config.Await[any](), func(c string) string { return name + " sees " + c })
	}
	prog := effect.FlatMap(effect.Fork(effect.Zip(reader("a"), reader("b"))),
		func(fb *effect.Fiber[error, effect.Pair[string, string]]) Eff[effect.Pair[string, string]] {
			load := effect.Sync[any, error](func() bool { return config.Succeed("v2") })
			return effect.AndThen(load, effect.Join[any](fb))
		})
	both, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(both.First, "/", both.Second)
	// Output: a sees v2 / b sees v2
}

func ExampleDeferred_Fail() {
	d := effect.NewDeferred[error, int]()
	fmt.Println(d.Fail(errNotFound), d.Succeed(1)) // only the first completion counts
	_, err := effect.Run(context.Background(), d.Await[any](), nil)
	fmt.Println(err)
	// Output:
	// true false
	// not found
}

func ExampleDeferred_Poll() {
	d := effect.NewDeferred[error, string]()
	_, set := d.Poll()
	fmt.Println(set)
	d.Succeed("done")
	x, set := d.Poll()
	fmt.Println(set, x)
	// Output:
	// false
	// true Success(done)
}
