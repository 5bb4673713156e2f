package advanced_test

import (
	"context"
	"fmt"

	"github.com/gogoscope/gogoscope/eff"
)

// sumTo adds 1..n by recursion through FlatMap: each call returns an effect
// instead of calling itself, so the run loop, not the Go stack, holds the
// million pending additions.
func sumTo(n int) eff.Effect[int] {
	if n == 0 {
		return eff.Succeed(0)
	}
	return eff.Suspend(func() eff.Effect[int] { return sumTo(n - 1) }).
		Map(func(s int) int { return s + n })
}

// even and odd recurse into each other, a million levels deep.
func even(n int) eff.Effect[bool] {
	if n == 0 {
		return eff.Succeed(true)
	}
	return eff.Suspend(func() eff.Effect[bool] { return odd(n - 1) })
}

func odd(n int) eff.Effect[bool] {
	if n == 0 {
		return eff.Succeed(false)
	}
	return eff.Suspend(func() eff.Effect[bool] { return even(n - 1) })
}

func Example_stackSafeRecursion() {
	ctx := context.Background()
	fmt.Println(eff.Run(ctx, sumTo(1_000_000)))
	fmt.Println(eff.Run(ctx, even(1_000_001)))

	// A loop built with FlatMap, one step per item, a million items.
	items := make([]int, 1_000_000)
	for i := range items {
		items[i] = i % 10
	}
	total := eff.ForEach(items, func(x int) eff.Effect[int] { return eff.Succeed(x * 2) }).
		Map(func(xs []int) (s int) {
			for _, x := range xs {
				s += x
			}
			return s
		})
	fmt.Println(eff.Run(ctx, total))
	// Output:
	// 500000500000 <nil>
	// false <nil>
	// 9000000 <nil>
}
