package fpgo_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/fp-go/either"
	"github.com/IBM/fp-go/ioeither"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/interop/fpgo"
)

func ExampleFromIO() {
	now := func() int { return 2026 }
	v, _ := effect.Run(context.Background(), fpgo.FromIO[any, error](now), nil)
	fmt.Println(v)
	// Output: 2026
}

func ExampleToIO() {
	io := fpgo.ToIO(effect.Succeed[any, error]("from an effect"), nil)
	fmt.Println(io())
	// Output: from an effect
}

func ExampleFromIOEither() {
	lookup := ioeither.Left[string](errors.New("no such user"))
	_, err := effect.Run(context.Background(), fpgo.FromIOEither[any](lookup), nil)
	fmt.Println(err)
	// Output: no such user
}

func ExampleToIOEither() {
	io := fpgo.ToIOEither(effect.Succeed[any, error](5), nil)
	fmt.Println(io())
	// Output: Right[int](5)
}

func ExampleFromReaderIOEither() {
	type Config struct{ Greeting string }
	greet := func(c Config) ioeither.IOEither[error, string] { return ioeither.Right[error](c.Greeting + ", world") }
	v, _ := effect.Run(context.Background(), fpgo.FromReaderIOEither(greet), Config{Greeting: "hello"})
	fmt.Println(v)
	// Output: hello, world
}

func ExampleToReaderIOEither() {
	length := effect.Access[string, error](func(s string) int { return len(s) })
	r := fpgo.ToReaderIOEither(length, nil)
	fmt.Println(r("four")())
	// Output: Right[int](4)
}

func ExampleFromContextReaderIOEither() {
	fetch := func(ctx context.Context) ioeither.IOEither[error, string] {
		return ioeither.Right[error]("fetched")
	}
	v, _ := effect.Run(context.Background(), fpgo.FromContextReaderIOEither[any](fetch), nil)
	fmt.Println(v)
	// Output: fetched
}

func ExampleToContextReaderIOEither() {
	r := fpgo.ToContextReaderIOEither(effect.Sleep[any, error](time.Hour).As(1), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := either.Unwrap(r(ctx)())
	fmt.Println(errors.Is(err, context.Canceled))
	// Output: true
}
