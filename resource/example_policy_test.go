package resource_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

func ExampleConcurrency() {
	// go-go-scope's scope({ concurrency: 2 }): at most two of the fibers
	// forked in the scope run at once, in fork order.
	var running, peak atomic.Int64
	job := func(i int) effect.Effect[any, error, int] {
		return effect.Suspend(func() effect.Effect[any, error, int] {
			n := running.Add(1)
			if n > peak.Load() {
				peak.Store(n)
			}
			return effect.AndThen(effect.Sleep[any, error](time.Millisecond), effect.Sync[any, error](func() int { running.Add(-1); return i }))
		})
	}
	work := effect.ForEachPar([]int{1, 2, 3, 4, 5}, job, effect.Par{})
	out, _ := effect.Run(context.Background(), work.ScopedWith(effect.WithPolicy(resource.Concurrency(2))), nil)
	fmt.Println(out, peak.Load())
	// Output: [1 2 3 4 5] 2
}

func ExampleBreaker() {
	// go-go-scope's scope({ circuitBreaker: { failureThreshold: 2 } }):
	// the fibers forked in the scope are counted; once open, the breaker
	// refuses new ones before they run.
	rt := effect.NewRuntime()
	api := rt.NewScope(effect.WithPolicy(resource.Breaker(resource.BreakerOptions{Name: "api", FailureThreshold: 2})))
	defer api.Close(context.Background())
	call := func(e effect.Effect[any, error, string]) error {
		_, err := rt.Run(context.Background(), effect.FlatMap(effect.ForkIn(api, e), effect.Join[any, error, string]), nil)
		return err
	}
	down := effect.Fail[any, string](errors.New("503"))
	fmt.Println(call(down))
	fmt.Println(call(down))
	err := call(effect.Succeed[any, error]("ok"))
	fmt.Println(err, errors.Is(err, resource.ErrBreakerOpen))
	// Output:
	// 503
	// 503
	// resource: circuit breaker "api" is open true
}
