package persistence_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/memory"
	"github.com/gogoscope/gogoscope/resource"
)

// Two breakers of the same name on one store share their state: failures
// seen through one open the other, which hears of it from its watch. With a
// Redis, PostgreSQL, MySQL or SQLite store, the breakers may live in
// different processes.
func ExampleSharedBreaker() {
	store := memory.New()
	opened := make(chan struct{})
	optsA := resource.BreakerOptions{Name: "payments", FailureThreshold: 2, ResetTimeout: time.Minute}
	optsB := optsA
	optsB.OnStateChange = func(name string, from, to resource.BreakerState) {
		fmt.Printf("replica B saw %s go %s -> %s\n", name, from, to)
		close(opened)
	}
	down := eff.Fail[string](errors.New("payments: 503"))
	prog := eff.Scoped(effect.FlatMap(effect.Zip(persistence.SharedBreaker[any](store, optsA), persistence.SharedBreaker[any](store, optsB)),
		func(p effect.Pair[*resource.CircuitBreaker, *resource.CircuitBreaker]) eff.Effect[string] {
			replicaA, replicaB := p.First, p.Second
			failA := effect.Catch(replicaA.Execute(down), func(error) eff.Effect[string] { return eff.Succeed("") })
			heard := eff.Try(func(ctx context.Context) (string, error) {
				select {
				case <-opened:
					return "", nil
				case <-ctx.Done():
					return "", ctx.Err()
				}
			})
			return effect.AndThen(failA, effect.AndThen(failA, effect.AndThen(heard, replicaB.Execute(eff.Succeed("charged")))))
		}))
	_, err := eff.Run(context.Background(), prog)
	fmt.Println(err)
	// Output:
	// replica B saw payments go closed -> open
	// resource: circuit breaker "payments" is open
}
