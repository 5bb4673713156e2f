package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/ratelimit"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

func openKeyed(t testing.TB, rt *effect.Runtime, alg ratelimit.Algorithm) (*ratelimit.Keyed[int], func()) {
	t.Helper()
	scope := rt.NewScope()
	k, err := rt.Run(context.Background(), effect.Extend(scope, ratelimit.NewKeyed[any, error, int](alg)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return k, func() {
		if err := scope.Close(context.Background()); err != nil {
			t.Errorf("closing the set's scope: %v", err)
		}
	}
}

type keyedStep struct {
	WaitMs int64
	Key    int
	Cost   int64
}

// TestPropertyKeyedIsALimiterPerKey: a keyed set decides exactly as one
// limiter per key that is never forgotten would, although it forgets the
// limiters at rest as it goes (many keys force sweeps); and it holds few
// limiters.
func TestPropertyKeyedIsALimiterPerKey(t *testing.T) {
	ps := gopter.DefaultTestParameters()
	ps.MinSuccessfulTests = 100
	ps.MaxShrinkCount = 20 // a run makes 150 limiters: keep a failure's shrinking short
	props := gopter.NewProperties(ps)
	props.Property("same decisions as independent limiters", prop.ForAll(func(p params, steps []keyedStep) string {
		const keys = 150
		return inBubble(t, nil, func(t *testing.T, rt *effect.Runtime, _ []*ratelimit.Limiter) string {
			k, closeK := openKeyed(t, rt, p.alg())
			defer closeK()
			each := make([]*ratelimit.Limiter, keys)
			for i := range each {
				l, closeL := open(t, rt, p.alg())
				defer closeL()
				each[i] = l
			}
			maxLen := 0
			for i, s := range steps {
				time.Sleep(time.Duration(s.WaitMs) * time.Millisecond)
				key := s.Key % keys
				if a, b := k.TryAcquire(key, s.Cost), each[key].TryAcquire(s.Cost); a != b {
					return fmt.Sprintf("step %d, key %d, cost %d: keyed %v, alone %v", i, key, s.Cost, a, b)
				}
				if a, b := k.Available(key), each[key].Available(); a != b {
					return fmt.Sprintf("step %d, key %d: available %d vs %d", i, key, a, b)
				}
				maxLen = max(maxLen, k.Len())
			}
			if maxLen > 2*keys {
				return fmt.Sprintf("held %d limiters", maxLen)
			}
			return ""
		})
	}, genParams, gen.SliceOfN(200, gen.Struct(reflectType[keyedStep](), map[string]gopter.Gen{
		"WaitMs": gen.Int64Range(0, 30),
		"Key":    gen.IntRange(0, 149),
		"Cost":   gen.Int64Range(0, 5),
	}))))
	props.TestingRun(t)
}

func TestKeyedForgetsKeysAtRestButNotWaiters(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		k, closeK := openKeyed(t, rt, ratelimit.TokenBucket{Rate: 10, Per: time.Second, Burst: 2})
		defer closeK()
		if !k.TryAcquire(7, 2) {
			t.Fatal("a new key refused its burst")
		}
		start := time.Now()
		var at time.Duration
		fb := rt.Start(context.Background(), k.Acquire[any, error](7, 2).Map(func(struct{}) struct{} { at = time.Since(start); return struct{}{} }), nil)
		effecttest.WaitIdle()
		// Keys used once and at rest again: swept as the set grows.
		for key := 100; key < 400; key++ {
			k.TryAcquire(key, 0)
		}
		if n := k.Len(); n > 2*64 || k.Waiting(7) != 1 {
			t.Fatalf("held %d limiters, %d waiting on key 7", n, k.Waiting(7))
		}
		if _, err := fb.Wait(context.Background()); err != nil || at != 200*time.Millisecond {
			t.Fatalf("key 7 admitted at %v (%v), want 200ms", at, err)
		}
		if !k.TryAcquire(8, 2) || k.Available(7) != 0 || k.Available(12345) != 2 {
			t.Fatal("keys are not independent")
		}
	})
}

func TestKeyedCloseAndBadInput(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		k, closeK := openKeyed(t, rt, ratelimit.FixedWindow{Limit: 1, Window: time.Hour})
		k.TryAcquire(1, 1)
		fb := rt.Start(context.Background(), k.Limit(1, effect.Succeed[any, error](1)), nil)
		effecttest.WaitIdle()
		x := rt.RunExit(context.Background(), k.WithCost(2, 5, effect.Succeed[any, error](1)), nil)
		var ce *ratelimit.CostError
		if !errors.As(x.Err(), &ce) || ce.Capacity != 1 || k.Capacity() != 1 {
			t.Fatalf("cost above the capacity: %v", x)
		}
		closeK()
		y, _ := fb.Wait(context.Background())
		effecttest.AssertInterruptedWith(t, y, ratelimit.ErrClosed)
		effecttest.AssertInterruptedWith(t, rt.RunExit(context.Background(), k.Acquire[any, error](3, 1), nil), ratelimit.ErrClosed)
		if k.TryAcquire(3, 1) || k.Len() != 0 {
			t.Fatal("a closed set admitted")
		}
	})
}
