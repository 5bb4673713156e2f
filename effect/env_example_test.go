package effect_test

import (
	"context"
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
)

// Clock and AppEnv are the environment of the examples below.
type Clock interface{ Now() string }

type fixedClock string

func (c fixedClock) Now() string { return string(c) }

type AppEnv struct {
	Clock Clock
	Name  string
}

func ExampleAccessEffect() {
	stamp := effect.AccessEffect(func(env AppEnv) effect.Effect[AppEnv, error, string] {
		return effect.Succeed[AppEnv, error](env.Name + " at " + env.Clock.Now())
	})
	fmt.Println(effect.Run(context.Background(), stamp, AppEnv{Clock: fixedClock("12:00"), Name: "job"}))
	// Output: job at 12:00 <nil>
}

func ExampleProvide() {
	// Provide removes the requirement: the result fits any environment.
	now := effect.Access[Clock, error](func(c Clock) string { return c.Now() })
	standalone := effect.Provide[any](now, Clock(fixedClock("09:30")))
	fmt.Println(effect.Run(context.Background(), standalone, nil))
	// Output: 09:30 <nil>
}

func ExampleProvideFrom() {
	// An effect that needs only a Clock, inside a program whose environment
	// is the whole AppEnv.
	now := effect.Access[Clock, error](func(c Clock) string { return c.Now() })
	inApp := effect.ProvideFrom(now, func(env AppEnv) Clock { return env.Clock })
	fmt.Println(effect.Run(context.Background(), inApp, AppEnv{Clock: fixedClock("18:45")}))
	// Output: 18:45 <nil>
}

func ExampleWiden() {
	// An effect that needs nothing, used where an environment is present.
	greeting := effect.Succeed[any, error]("hello")
	inApp := effect.FlatMap(effect.Widen[AppEnv](greeting), func(g string) effect.Effect[AppEnv, error, string] {
		return effect.Access[AppEnv, error](func(env AppEnv) string { return g + ", " + env.Name })
	})
	fmt.Println(effect.Run(context.Background(), inApp, AppEnv{Name: "ann"}))
	// Output: hello, ann <nil>
}

func ExampleEnvironment() {
	env := effect.Environment[AppEnv, error]()
	got, _ := effect.Run(context.Background(), env, AppEnv{Name: "whole"})
	fmt.Println(got.Name)
	// Output: whole
}
