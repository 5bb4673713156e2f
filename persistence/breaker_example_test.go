package persistence_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/memory"
	"github.com/gogoscope/gogoscope/resource"
)

// Two breakers of the same name on one store share their state: failures
// seen through one open the other. With a Redis, PostgreSQL, MySQL or
// SQLite store, the breakers may live in different processes.
func ExampleSharedBreaker() {
	store := memory.New()
	opts := resource.BreakerOptions{Name: "payments", FailureThreshold: 2, ResetTimeout: time.Minute}
	down := effect.Fail[any, string](errors.New("payments: 503"))
	prog := effect.Scoped(effect.FlatMap(effect.Zip(persistence.SharedBreaker[any](store, opts), persistence.SharedBreaker[any](store, opts)),
		func(p effect.Pair[*resource.CircuitBreaker, *resource.CircuitBreaker]) effect.Effect[any, error, string] {
			replicaA, replicaB := p.First, p.Second
			failA := effect.Catch(replicaA.Execute(down), func(error) effect.Effect[any, error, string] { return effect.Succeed[any, error]("") })
			return effect.AndThen(failA, effect.AndThen(failA, replicaB.Execute(effect.Succeed[any, error]("charged"))))
		}))
	_, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(err)
	// Output: resource: circuit breaker "payments" is open
}
