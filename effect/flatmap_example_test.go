package effect_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gogoscope/gogoscope/effect"
)

func ExampleEffect_Map() {
	greeting := effect.Succeed[any, error]("gopher").Map(strings.ToUpper)
	fmt.Println(effect.Run(context.Background(), greeting, nil))
	// Output: GOPHER <nil>
}

func ExampleMap() {
	// The package function is the method's twin, for generic code and for a
	// change of type in one step.
	length := effect.Map(effect.Succeed[any, error]("gopher"), func(s string) int { return len(s) })
	fmt.Println(effect.Run(context.Background(), length, nil))
	// Output: 6 <nil>
}

func ExampleFlatMap() {
	type User struct{ ID int }
	findUser := func(id int) Eff[User] { return effect.Succeed[any, error](User{ID: id}) }
	orders := func(u User) Eff[[]string] {
		return effect.Succeed[any, error]([]string{fmt.Sprintf("order of user %d", u.ID)})
	}
	prog := effect.FlatMap(findUser(7), orders) // orders runs with findUser's value
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output: [order of user 7] <nil>
}

func ExampleAndThen() {
	say := func(s string) Eff[struct{}] {
		return effect.Sync[any, error](func() struct{} { fmt.Println(s); return struct{}{} })
	}
	prog := effect.AndThen(say("first"), say("second"))
	_, _ = effect.Run(context.Background(), prog, nil)
	// A failure of the first stops the sequence.
	stopped := effect.AndThen(effect.Fail[any, struct{}](errors.New("stop")), say("never printed"))
	_, err := effect.Run(context.Background(), stopped, nil)
	fmt.Println(err)
	// Output:
	// first
	// second
	// stop
}

func ExampleEffect_Tap() {
	audit := func(n int) Eff[struct{}] {
		return effect.Sync[any, error](func() struct{} { fmt.Println("audit:", n); return struct{}{} })
	}
	total := effect.Succeed[any, error](3).Tap(audit).Map(func(n int) int { return n * 10 })
	fmt.Println(effect.Run(context.Background(), total, nil))
	// Output:
	// audit: 3
	// 30 <nil>
}

func ExampleEffect_As() {
	saved := effect.Unit[any, error]().As("saved")
	fmt.Println(effect.Run(context.Background(), saved, nil))
	// Output: saved <nil>
}

func ExampleZip() {
	name := effect.Succeed[any, error]("ann")
	age := effect.Succeed[any, error](36)
	both, _ := effect.Run(context.Background(), effect.Zip(name, age), nil)
	fmt.Println(both.First, both.Second)
	// Output: ann 36
}

func ExampleZipWith() {
	price := effect.Succeed[any, error](1200)
	qty := effect.Succeed[any, error](3)
	total := effect.ZipWith(price, qty, func(p, q int) int { return p * q })
	fmt.Println(effect.Run(context.Background(), total, nil))
	// Output: 3600 <nil>
}

func ExampleFlatten() {
	// An effect that chooses the effect to run next.
	choose := effect.Succeed[any, error](effect.Succeed[any, error]("chosen"))
	fmt.Println(effect.Run(context.Background(), effect.Flatten(choose), nil))
	// Output: chosen <nil>
}

func ExampleForEach() {
	// One item after the other, in order; the first failure stops.
	lengths := effect.ForEach([]string{"a", "bb", "ccc"}, func(s string) Eff[int] {
		return effect.Succeed[any, error](len(s))
	})
	fmt.Println(effect.Run(context.Background(), lengths, nil))
	// Output: [1 2 3] <nil>
}

func ExampleEffect_Forever() {
	// Forever repeats until a failure (or an interruption) stops it.
	n := 0
	count := effect.Suspend(func() Eff[int] {
		if n++; n == 4 {
			return effect.Fail[any, int](errors.New("enough"))
		}
		return effect.Succeed[any, error](n)
	})
	_, err := effect.Run(context.Background(), count.Forever(), nil)
	fmt.Println(n, err)
	// Output: 4 enough
}

func ExampleEffect_Void() {
	ignored := effect.Succeed[any, error]("a value nobody needs").Void()
	fmt.Println(effect.Run(context.Background(), ignored, nil))
	// Output: {} <nil>
}
