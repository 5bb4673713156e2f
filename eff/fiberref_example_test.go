package eff_test

import (
	"context"
	"fmt"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

func ExampleLocally() {
	user := eff.NewFiberRef("anonymous")
	greet := eff.Try(func(ctx context.Context) (string, error) { return "hello " + user.FromContext(ctx), nil })
	s, _ := eff.Run(context.Background(), eff.Locally(user, "ada", greet))
	fmt.Println(s)
	// Output: hello ada
}

func ExampleGetLocal() {
	hops := eff.NewFiberRef(0)
	prog := eff.SetLocal(hops, 1).AndThen(eff.UpdateLocal(hops, func(n int) int { return n + 1 })).
		AndThen(eff.ModifyLocal(hops, func(n int) (string, int) { return fmt.Sprint("had ", n), 0 })).
		FlatMap(func(s string) eff.Effect[string] {
			return eff.GetLocal(hops).Map(func(n int) string { return fmt.Sprint(s, ", now ", n) })
		})
	s, _ := eff.Run(context.Background(), prog)
	fmt.Println(s)
	// Output: had 2, now 0
}

func ExampleScopedWith() {
	work := eff.ForEachPar([]int{1, 2, 3}, func(i int) eff.Effect[int] { return eff.Succeed(i * i) }, eff.Par{})
	out, _ := eff.Run(context.Background(), eff.ScopedWith(work, effect.WithPolicy(resource.Concurrency(1))))
	fmt.Println(out)
	// Output: [1 4 9]
}
