package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/ratelimit"
)

// Eff is the effect shape of the examples: no environment, error failures.
type Eff[A any] = effect.Effect[any, error, A]

// withLimiter runs use with a limiter of alg, closed when use ends.
func withLimiter[A any](alg ratelimit.Algorithm, use func(*ratelimit.Limiter) Eff[A]) (A, error) {
	return effect.Run(context.Background(), effect.Scoped(effect.FlatMap(ratelimit.New[any, error](alg), use)), nil)
}

func ExampleNew() {
	// 100 requests a second, bursts of up to 10: a request waits, in
	// arrival order, until the bucket has a token for it.
	call := func(i int) Eff[int] { return effect.Succeed[any, error](i * i) }
	got, err := withLimiter(ratelimit.TokenBucket{Rate: 100, Per: time.Second, Burst: 10}, func(l *ratelimit.Limiter) Eff[[]int] {
		return effect.ForEachPar([]int{1, 2, 3, 4, 5}, func(i int) Eff[int] { return l.Limit(call(i)) }, effect.Par{})
	})
	fmt.Println(got, err)
	// Output: [1 4 9 16 25] <nil>
}

func ExampleTokenBucket() {
	v, _ := withLimiter(ratelimit.TokenBucket{Rate: 1, Per: time.Hour, Burst: 3}, func(l *ratelimit.Limiter) Eff[string] {
		return effect.Sync[any, error](func() string {
			// A full bucket lets a burst of 3 through, then refuses.
			return fmt.Sprint(l.TryAcquire(1), l.TryAcquire(2), l.TryAcquire(1), l.Available())
		})
	})
	fmt.Println(v)
	// Output: true true false 0
}

func ExampleGCRA() {
	v, _ := withLimiter(ratelimit.GCRA{Rate: 10, Per: time.Minute, Burst: 5}, func(l *ratelimit.Limiter) Eff[string] {
		return effect.Sync[any, error](func() string {
			return fmt.Sprint(l.TryAcquire(5), l.TryAcquire(1), l.Capacity())
		})
	})
	fmt.Println(v)
	// Output: true false 5
}

func ExampleFixedWindow() {
	v, _ := withLimiter(ratelimit.FixedWindow{Limit: 3, Window: time.Hour}, func(l *ratelimit.Limiter) Eff[string] {
		return effect.Sync[any, error](func() string {
			return fmt.Sprint(l.TryAcquire(2), l.Available(), l.TryAcquire(2), l.TryAcquire(1))
		})
	})
	fmt.Println(v)
	// Output: true 1 false true
}

func ExampleSlidingWindow() {
	v, _ := withLimiter(ratelimit.SlidingWindow{Limit: 2, Window: time.Hour}, func(l *ratelimit.Limiter) Eff[string] {
		return effect.Sync[any, error](func() string {
			return fmt.Sprint(l.TryAcquire(1), l.TryAcquire(1), l.TryAcquire(1))
		})
	})
	fmt.Println(v)
	// Output: true true false
}

func ExampleLimiter_Acquire() {
	// Acquire waits its turn: ten requests through a limiter of one per
	// millisecond take about ten milliseconds, and all get through.
	n, err := withLimiter(ratelimit.TokenBucket{Rate: 1, Per: time.Millisecond, Burst: 1}, func(l *ratelimit.Limiter) Eff[int] {
		acquire := l.Acquire[any, error](1)
		return effect.Map(effect.ForEachPar(make([]int, 10), func(int) Eff[struct{}] { return acquire }, effect.Par{}),
			func(xs []struct{}) int { return len(xs) })
	})
	fmt.Println(n, err)
	// Output: 10 <nil>
}

func ExampleLimiter_TryAcquire() {
	v, _ := withLimiter(ratelimit.FixedWindow{Limit: 1, Window: time.Hour}, func(l *ratelimit.Limiter) Eff[string] {
		return effect.Sync[any, error](func() string {
			if !l.TryAcquire(1) {
				return "429"
			}
			if !l.TryAcquire(1) {
				return "200, then 429 Too Many Requests"
			}
			return "200, 200"
		})
	})
	fmt.Println(v)
	// Output: 200, then 429 Too Many Requests
}

func ExampleLimiter_Limit() {
	v, err := withLimiter(ratelimit.SlidingWindow{Limit: 5, Window: time.Second}, func(l *ratelimit.Limiter) Eff[string] {
		fetch := effect.Succeed[any, error]("page")
		return l.Limit(fetch) // fetch runs once the limiter admits it
	})
	fmt.Println(v, err)
	// Output: page <nil>
}

func ExampleLimiter_WithCost() {
	// A byte budget: each upload costs its size.
	_, err := withLimiter(ratelimit.TokenBucket{Rate: 1 << 20, Per: time.Second}, func(l *ratelimit.Limiter) Eff[string] {
		upload := func(size int64) Eff[string] { return l.WithCost(size, effect.Succeed[any, error]("ok")) }
		return effect.AndThen(upload(512<<10), upload(4<<20)) // 4 MiB can never fit a 1 MiB bucket
	})
	var ce *ratelimit.CostError
	fmt.Println(errors.As(err, &ce), ce.Cost, ce.Capacity)
	// Output: true 4194304 1048576
}

func ExampleLimiter_Waiting() {
	v, _ := withLimiter(ratelimit.FixedWindow{Limit: 1, Window: time.Hour}, func(l *ratelimit.Limiter) Eff[int] {
		l.TryAcquire(1)
		// A waiter queues; the scope's close wakes it with ErrClosed.
		var untilQueued Eff[int]
		untilQueued = effect.Suspend(func() Eff[int] {
			if n := l.Waiting(); n > 0 {
				return effect.Succeed[any, error](n)
			}
			return effect.AndThen(effect.Yield[any, error](), untilQueued)
		})
		return effect.AndThen(effect.Fork(l.Acquire[any, error](1)), untilQueued)
	})
	fmt.Println(v)
	// Output: 1
}

func ExampleCostError() {
	_, err := withLimiter(ratelimit.GCRA{Rate: 10, Per: time.Second}, func(l *ratelimit.Limiter) Eff[struct{}] {
		return l.Acquire[any, error](11)
	})
	fmt.Println(err)
	// Output: ratelimit: cost 11 exceeds the limiter's capacity 10: it could never be admitted
}

func ExampleLimiter_Available() {
	v, _ := withLimiter(ratelimit.TokenBucket{Rate: 10, Per: time.Hour}, func(l *ratelimit.Limiter) Eff[[2]int64] {
		return effect.Sync[any, error](func() [2]int64 {
			before := l.Available()
			l.TryAcquire(4)
			return [2]int64{before, l.Available()} // e.g. for X-RateLimit-Remaining
		})
	})
	fmt.Println(v)
	// Output: [10 6]
}

func ExampleLimiter_Capacity() {
	v, _ := withLimiter(ratelimit.GCRA{Rate: 100, Per: time.Second, Burst: 25}, func(l *ratelimit.Limiter) Eff[int64] {
		return effect.Sync[any, error](l.Capacity)
	})
	fmt.Println(v)
	// Output: 25
}
