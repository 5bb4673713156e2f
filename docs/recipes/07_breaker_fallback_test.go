package recipes_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/resource"
)

func Example_circuitBreakerWithFallback() {
	calls := 0
	inventory := eff.Try(func(context.Context) (int, error) {
		calls++
		return 0, errors.New("inventory: connection refused")
	})
	stale := func(*resource.BreakerOpenError) eff.Effect[int] { return eff.Succeed(-1) }
	prog := resource.NewCircuitBreaker[any, error](resource.BreakerOptions{
		Name: "inventory", FailureThreshold: 2, ResetTimeout: time.Minute,
	}).FlatMap(func(cb *resource.CircuitBreaker) eff.Effect[[]string] {
		// The fallback answers only when the breaker refuses; a failure of
		// the call itself still fails.
		call := cb.ExecuteOr(inventory, stale).
			Map(func(n int) string { return fmt.Sprint("stock ", n) }).
			Catch(func(err error) eff.Effect[string] { return eff.Succeed(err.Error()) })
		return eff.ForEach([]int{1, 2, 3, 4}, func(int) eff.Effect[string] { return call })
	})
	outcomes, _ := eff.Run(context.Background(), prog.Scoped())
	for _, o := range outcomes {
		fmt.Println(o)
	}
	fmt.Println("calls that reached the inventory:", calls)
	// Output:
	// inventory: connection refused
	// inventory: connection refused
	// stock -1
	// stock -1
	// calls that reached the inventory: 2
}
