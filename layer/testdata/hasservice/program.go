// Package hasservice is the control of the compile-time check in
// compile_test.go: the same program as missingservice, with every service
// present. It must compile.
package hasservice

import (
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
)

// Clock is a service.
type Clock interface{ Now() int }

// HasClock is what an environment that offers a Clock provides.
type HasClock interface{ Clock() Clock }

// Now is a library effect that works in any environment with a Clock.
func Now[R HasClock]() effect.Effect[R, error, int] {
	return effect.Access[R, error](func(env R) int { return env.Clock().Now() })
}

type fixed struct{}

func (fixed) Now() int { return 42 }

// Env offers a Clock.
type Env struct{ clock Clock }

// Clock returns the environment's clock.
func (e Env) Clock() Clock { return e.clock }

// AppEnv is the environment the application's effects need.
type AppEnv struct {
	Clock Clock
	Users []string
}

var envLayer = layer.Succeed[any, error](Env{clock: fixed{}})

var appLayer = layer.Struct(
	layer.Field(layer.Succeed[any, error, Clock](fixed{}), func(e *AppEnv, c Clock) { e.Clock = c }),
	layer.Field(layer.Succeed[any, error]([]string{"ada"}), func(e *AppEnv, u []string) { e.Users = u }),
)

var countUsers = effect.Access[AppEnv, error](func(e AppEnv) int { return len(e.Users) })

// Programs are the effects, every requirement provided.
var Programs = []effect.Effect[any, error, int]{
	layer.Provide(Now[Env](), envLayer),
	layer.Provide(countUsers, appLayer),
}
