package resource_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/schedule"
)

func ExampleNewCircuitBreaker() {
	down := effect.Fail[any, string](errors.New("connection refused"))
	prog := effect.Scoped(effect.FlatMap(resource.NewCircuitBreaker[any, error](resource.BreakerOptions{
		Name:             "inventory",
		FailureThreshold: 2,
		ResetTimeout:     time.Minute,
	}), func(cb *resource.CircuitBreaker) Eff[struct{}] {
		call := cb.Execute(down)
		return effect.ForEach([]int{1, 2, 3}, func(i int) Eff[struct{}] {
			return effect.Match(call,
				func(err error) struct{} { fmt.Printf("call %d: %v\n", i, err); return struct{}{} },
				func(string) struct{} { return struct{}{} })
		}).Void()
	}))
	_, _ = effect.Run(context.Background(), prog, nil)
	// Output:
	// call 1: connection refused
	// call 2: connection refused
	// call 3: resource: circuit breaker "inventory" is open
}

func ExampleCircuitBreaker_Execute() {
	prog := effect.Scoped(effect.FlatMap(resource.NewCircuitBreaker[any, error](resource.BreakerOptions{FailureThreshold: 1}),
		func(cb *resource.CircuitBreaker) Eff[string] {
			trip := effect.OrElse(cb.Execute(effect.Fail[any, string](errors.New("boom"))), effect.Succeed[any, error](""))
			return effect.AndThen(trip, cb.Execute(effect.Succeed[any, error]("never runs")))
		}))
	_, err := effect.Run(context.Background(), prog, nil)
	var open *resource.BreakerOpenError
	fmt.Println(errors.Is(err, resource.ErrBreakerOpen), errors.As(err, &open), open.Name, open.State)
	// Output: true true breaker open
}

func ExampleCircuitBreaker_ExecuteOr() {
	prog := effect.Scoped(effect.FlatMap(resource.NewCircuitBreaker[any, error](resource.BreakerOptions{FailureThreshold: 1}),
		func(cb *resource.CircuitBreaker) Eff[string] {
			cached := func(*resource.BreakerOpenError) Eff[string] { return effect.Succeed[any, error]("cached price") }
			fetch := effect.Fail[any, string](errors.New("timeout"))
			return effect.AndThen(effect.OrElse(cb.ExecuteOr(fetch, cached), effect.Succeed[any, error]("")),
				cb.ExecuteOr(fetch, cached))
		}))
	v, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(v, err)
	// Output: cached price <nil>
}

func ExampleCircuitBreaker_Snapshot() {
	prog := effect.Scoped(effect.FlatMap(resource.NewCircuitBreaker[any, error](resource.BreakerOptions{ResetTimeout: 20 * time.Millisecond}),
		func(cb *resource.CircuitBreaker) Eff[struct{}] {
			fail := effect.OrElse(cb.Execute(effect.Fail[any, int](errors.New("boom"))), effect.Succeed[any, error](0))
			show := effect.Sync[any, error](func() struct{} {
				r, _ := cb.Snapshot(context.Background())
				fmt.Println(r.State, r.Failures)
				return struct{}{}
			})
			five := effect.ForEach([]int{1, 2, 3, 4, 5}, func(int) Eff[int] { return fail })
			return effect.AndThen(fail, show).AndThen(five).AndThen(show).
				AndThen(effect.Sleep[any, error](30 * time.Millisecond)).AndThen(show).
				AndThen(effect.Sync[any, error](func() struct{} { _ = cb.Reset(context.Background()); return struct{}{} })).
				AndThen(show)
		}))
	_, _ = effect.Run(context.Background(), prog, nil)
	// Output:
	// closed 1
	// open 0
	// half-open 0
	// closed 0
}

func ExampleMemoryBreakerStore() {
	// Two breakers with the same name and store share their state, as
	// breakers in several processes would with a shared database.
	store := resource.NewMemoryBreakerStore()
	opts := resource.BreakerOptions{Name: "search", FailureThreshold: 1, Store: store}
	prog := effect.Scoped(effect.FlatMap(resource.NewCircuitBreaker[any, error](opts), func(a *resource.CircuitBreaker) Eff[string] {
		return effect.FlatMap(resource.NewCircuitBreaker[any, error](opts), func(b *resource.CircuitBreaker) Eff[string] {
			trip := effect.OrElse(a.Execute(effect.Fail[any, string](errors.New("boom"))), effect.Succeed[any, error](""))
			return effect.AndThen(trip, b.Execute(effect.Succeed[any, error]("ok")))
		})
	}))
	_, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(err)
	// Output: resource: circuit breaker "search" is open
}

// The resilience stack, inside out: a timeout per attempt, the breaker
// counting each attempt, the retry around them (which stops as soon as the
// breaker is open), and a fallback around it all. See docs/resilience.md.
func Example_resilience() {
	var attempts int
	flaky := effect.Suspend(func() Eff[string] {
		attempts++
		if attempts < 3 {
			return effect.Never[any, error, string]() // hangs: the timeout cuts it
		}
		return effect.Succeed[any, error]("200 OK")
	})
	prog := effect.Scoped(effect.FlatMap(resource.NewCircuitBreaker[any, error](resource.BreakerOptions{Name: "api", FailureThreshold: 5}),
		func(cb *resource.CircuitBreaker) Eff[string] {
			policy := schedule.Exponential(time.Millisecond).Intersect(schedule.Recurs(4)).
				WhileInput(func(err error) bool { return !errors.Is(err, resource.ErrBreakerOpen) })
			call := cb.Execute(flaky.Timeout(10 * time.Millisecond)).Retry(policy)
			return effect.OrElse(call, effect.Succeed[any, error]("fallback"))
		}))
	v, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(v, err, attempts)
	// Output: 200 OK <nil> 3
}
