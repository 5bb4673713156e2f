package sambermo_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/samber/mo"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/interop/sambermo"
)

func ExampleFromResult() {
	v, err := effect.Run(context.Background(), sambermo.FromResult[any](mo.Ok(3)), nil)
	fmt.Println(v, err)
	// Output: 3 <nil>
}

func ExampleToResult() {
	x := effect.RunExit(context.Background(), effect.Fail[any, int](errors.New("nope")), nil)
	fmt.Println(sambermo.ToResult(x).Error())
	// Output: nope
}

func ExampleFromEither() {
	_, err := effect.Run(context.Background(), sambermo.FromEither[any](mo.Left[error, int](errors.New("left"))), nil)
	fmt.Println(err)
	// Output: left
}

func ExampleToEither() {
	x := effect.RunExit(context.Background(), effect.Fail[any, int]("quota"), nil)
	left, _ := sambermo.ToEither(x).Left()
	fmt.Println(left)
	// Output: quota
}

func ExampleFromOption() {
	fmt.Println(sambermo.FromOption(mo.Some(1)), sambermo.FromOption(mo.None[int]()))
	// Output: {1 true} {0 false}
}

func ExampleToOption() {
	found, _ := effect.Run(context.Background(), effect.TimeoutOption(effect.Succeed[any, error]("fast"), time.Second), nil)
	fmt.Println(sambermo.ToOption(found).OrElse("timed out"))
	// Output: fast
}

func ExampleFromOptionOr() {
	errNotFound := errors.New("not found")
	_, err := effect.Run(context.Background(), sambermo.FromOptionOr[any](mo.None[string](), errNotFound), nil)
	fmt.Println(err)
	// Output: not found
}

func ExampleFromFuture() {
	f := mo.NewFuture(func(resolve func(int), _ func(error)) { resolve(8) })
	v, _ := effect.Run(context.Background(), sambermo.FromFuture[any](f), nil)
	fmt.Println(v)
	// Output: 8
}

func ExampleToFuture() {
	f := sambermo.ToFuture(context.Background(), effect.Sleep[any, error](time.Millisecond).As("later"), nil)
	fmt.Println(f.Collect())
	// Output: later <nil>
}
