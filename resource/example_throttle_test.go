package resource_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

func ExampleThrottle() {
	// At most one report per 100ms: the first call runs at once and the
	// calls made during its interval share its result; a call after the
	// interval runs again.
	var sent atomic.Int32
	report := func(msg string) effect.Effect[any, error, int32] {
		return effect.Sync[any, error](func() int32 { return sent.Add(1) })
	}
	prog := effect.Scoped(effect.FlatMap(resource.Throttle(report, resource.ThrottleOptions{Interval: 100 * time.Millisecond}),
		func(report func(string) effect.Effect[any, error, int32]) effect.Effect[any, error, []int32] {
			burst := effect.ForEach([]string{"a", "b", "c"}, report)
			later := effect.AndThen(effect.Sleep[any, error](150*time.Millisecond), report("d"))
			return effect.ZipWith(burst, later, func(b []int32, d int32) []int32 { return append(b, d) })
		}))
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output: [1 1 1 2] <nil>
}

func ExampleThrottle_trailing() {
	// With the trailing edge, the calls of an interval run once at its end,
	// with the last call's input.
	show := func(v int) effect.Effect[any, error, string] {
		return effect.Succeed[any, error](fmt.Sprint("showing ", v))
	}
	opts := resource.ThrottleOptions{Interval: 200 * time.Millisecond, Edges: resource.TrailingEdge}
	prog := effect.Scoped(effect.FlatMap(resource.Throttle(show, opts),
		func(show func(int) effect.Effect[any, error, string]) effect.Effect[any, error, string] {
			// The first call waits for the end of the interval, where the
			// second (made meanwhile) has replaced its input.
			first := effect.Fork(show(1))
			return effect.FlatMap(first, func(fb *effect.Fiber[error, string]) effect.Effect[any, error, string] {
				second := effect.AndThen(effect.Sleep[any, error](50*time.Millisecond), show(2))
				return effect.ZipWith(second, fb.Join[any](), func(a, b string) string { return a + " / " + b })
			})
		}))
	fmt.Println(effect.Run(context.Background(), prog, nil))
	// Output: showing 2 / showing 2 <nil>
}
