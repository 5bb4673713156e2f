package ratelimit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/ratelimit"
)

// withKeyed runs use with a keyed set of alg, closed when use ends.
func withKeyed[A any](alg ratelimit.Algorithm, use func(*ratelimit.Keyed[string]) Eff[A]) (A, error) {
	return effect.Run(context.Background(), effect.Scoped(effect.FlatMap(ratelimit.NewKeyed[any, error, string](alg), use)), nil)
}

func ExampleNewKeyed() {
	// Two requests a minute per client: one client's burst does not slow
	// the others.
	v, _ := withKeyed(ratelimit.FixedWindow{Limit: 2, Window: time.Minute}, func(k *ratelimit.Keyed[string]) Eff[string] {
		return effect.Sync[any, error](func() string {
			return fmt.Sprint(k.TryAcquire("alice", 1), k.TryAcquire("alice", 1), k.TryAcquire("alice", 1), k.TryAcquire("bob", 1))
		})
	})
	fmt.Println(v)
	// Output: true true false true
}

func ExampleKeyed_TryAcquire() {
	v, _ := withKeyed(ratelimit.TokenBucket{Rate: 5, Per: time.Second}, func(k *ratelimit.Keyed[string]) Eff[string] {
		return effect.Sync[any, error](func() string {
			status := func(client string) int {
				if !k.TryAcquire(client, 5) {
					return 429
				}
				return 200
			}
			return fmt.Sprint(status("10.0.0.1"), status("10.0.0.1"), status("10.0.0.2"))
		})
	})
	fmt.Println(v)
	// Output: 200 429 200
}

func ExampleKeyed_Limit() {
	v, err := withKeyed(ratelimit.GCRA{Rate: 100, Per: time.Second}, func(k *ratelimit.Keyed[string]) Eff[string] {
		return k.Limit("tenant-a", effect.Succeed[any, error]("served"))
	})
	fmt.Println(v, err)
	// Output: served <nil>
}

func ExampleKeyed_Acquire() {
	n, err := withKeyed(ratelimit.TokenBucket{Rate: 1, Per: time.Millisecond, Burst: 1}, func(k *ratelimit.Keyed[string]) Eff[int] {
		// Five requests of one user wait their turn, in order.
		return effect.Map(effect.ForEachPar([]int{1, 2, 3, 4, 5}, func(int) Eff[struct{}] { return k.Acquire[any, error]("user", 1) }, effect.Par{}),
			func(xs []struct{}) int { return len(xs) })
	})
	fmt.Println(n, err)
	// Output: 5 <nil>
}

func ExampleKeyed_WithCost() {
	v, _ := withKeyed(ratelimit.SlidingWindow{Limit: 1000, Window: time.Hour}, func(k *ratelimit.Keyed[string]) Eff[int64] {
		// Credits: a search costs 10 of the hour's 1000.
		return effect.AndThen(k.WithCost("acct-42", 10, effect.Unit[any, error]()),
			effect.Sync[any, error](func() int64 { return k.Available("acct-42") }))
	})
	fmt.Println(v)
	// Output: 990
}

func ExampleKeyed_Available() {
	v, _ := withKeyed(ratelimit.FixedWindow{Limit: 60, Window: time.Minute}, func(k *ratelimit.Keyed[string]) Eff[string] {
		return effect.Sync[any, error](func() string {
			k.TryAcquire("alice", 1)
			// For X-RateLimit-Remaining: an unknown key has the whole capacity.
			return fmt.Sprint(k.Available("alice"), k.Available("nobody"), k.Capacity())
		})
	})
	fmt.Println(v)
	// Output: 59 60 60
}

func ExampleKeyed_Len() {
	v, _ := withKeyed(ratelimit.TokenBucket{Rate: 10, Per: time.Hour}, func(k *ratelimit.Keyed[string]) Eff[string] {
		return effect.Sync[any, error](func() string {
			k.TryAcquire("a", 1)
			k.TryAcquire("b", 1)
			return fmt.Sprint(k.Len(), k.Waiting("a"))
		})
	})
	fmt.Println(v)
	// Output: 2 0
}

func ExampleKeyed_Waiting() {
	v, _ := withKeyed(ratelimit.FixedWindow{Limit: 1, Window: time.Hour}, func(k *ratelimit.Keyed[string]) Eff[int] {
		k.TryAcquire("u", 1)
		var untilQueued Eff[int]
		untilQueued = effect.Suspend(func() Eff[int] {
			if n := k.Waiting("u"); n > 0 {
				return effect.Succeed[any, error](n)
			}
			return effect.AndThen(effect.Yield[any, error](), untilQueued)
		})
		// The second request of "u" waits for the next window (the scope's
		// close wakes it with ErrClosed); other keys do not wait.
		return effect.AndThen(effect.Fork(k.Acquire[any, error]("u", 1)), untilQueued)
	})
	fmt.Println(v)
	// Output: 1
}

func ExampleKeyed_Capacity() {
	v, _ := withKeyed(ratelimit.TokenBucket{Rate: 10, Per: time.Second, Burst: 30}, func(k *ratelimit.Keyed[string]) Eff[int64] {
		return effect.Sync[any, error](k.Capacity)
	})
	fmt.Println(v)
	// Output: 30
}
