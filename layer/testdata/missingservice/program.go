// Package missingservice must NOT compile: compile_test.go checks that the
// compiler rejects each program below, which provides an effect with an
// environment that lacks a service it needs, and checks the messages.
package missingservice

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

// Env offers no Clock.
type Env struct{ Users []string }

// AppEnv is the environment the application's effects need.
type AppEnv struct {
	Clock Clock
	Users []string
}

// PartialEnv lacks the Clock.
type PartialEnv struct{ Users []string }

var envLayer = layer.Succeed[any, error](Env{})

var partialLayer = layer.Struct(
	layer.Field(layer.Succeed[any, error]([]string{"ada"}), func(e *PartialEnv, u []string) { e.Users = u }),
)

var countUsers = effect.Access[AppEnv, error](func(e AppEnv) int { return len(e.Users) })

// Programs are the effects; neither compiles.
var Programs = []effect.Effect[any, error, int]{
	layer.Provide(Now[Env](), envLayer),     // Env has no Clock method
	layer.Provide(countUsers, partialLayer), // the layer builds PartialEnv, not AppEnv
}
