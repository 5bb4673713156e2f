package cache_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/cache"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

// counter returns an effect that takes took and succeeds with the number
// of times it ran, and that counter.
func counter(took time.Duration) (eff.Effect[int], *atomic.Int64) {
	var runs atomic.Int64
	return effect.AndThen(effect.Sleep[any, error](took), effect.Sync[any, error](func() int64 { return runs.Add(1) })).Map(func(n int64) int { return int(n) }), &runs
}

func TestCachedSharesOneRunForTheTTL(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		e, runs := counter(time.Second)
		prog := effect.FlatMap(cache.Cached(e, time.Minute), func(get eff.Effect[int]) eff.Effect[[]int] {
			burst := effect.All([]eff.Effect[int]{get, get, get}, effect.Par{})
			later := effect.AndThen(effect.Sleep[any, error](30*time.Second), get)
			expired := effect.AndThen(effect.Sleep[any, error](31*time.Second), get)
			return effect.FlatMap(burst, func(first []int) eff.Effect[[]int] {
				return effect.FlatMap(later, func(b int) eff.Effect[[]int] {
					return effect.Map(expired, func(c int) []int { return append(first, b, c) })
				})
			})
		})
		start := time.Now()
		vals, err := rt.Run(context.Background(), effect.Scoped(prog), nil)
		if err != nil {
			t.Fatal(err)
		}
		// Stored at 1s, fresh until 61s; the Get at 62s runs e again.
		if want := []int{1, 1, 1, 1, 2}; !slices.Equal(vals, want) {
			t.Errorf("got %v, want %v", vals, want)
		}
		if d := time.Since(start); d != 63*time.Second {
			t.Errorf("took %v, want 63s", d)
		}
		if runs.Load() != 2 {
			t.Errorf("runs: %d, want 2", runs.Load())
		}
	})
}

func TestCachedWithZeroTTLKeepsForever(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		e, runs := counter(0)
		prog := effect.FlatMap(cache.Cached(e, 0), func(get eff.Effect[int]) eff.Effect[int] {
			return effect.AndThen(get, effect.AndThen(effect.Sleep[any, error](1000*time.Hour), get))
		})
		if v, err := rt.Run(context.Background(), effect.Scoped(prog), nil); v != 1 || err != nil || runs.Load() != 1 {
			t.Errorf("got %d, %v after %d runs; want 1 after 1", v, err, runs.Load())
		}
	})
}

func TestCachedDoesNotKeepFailures(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		var runs atomic.Int64
		boom := errors.New("boom")
		e := effect.Suspend(func() eff.Effect[int] {
			if runs.Add(1) == 1 {
				return effect.Fail[any, int](boom)
			}
			return effect.Succeed[any, error](42)
		})
		prog := effect.FlatMap(cache.Cached(e, time.Minute), func(get eff.Effect[int]) eff.Effect[[]effect.Exit[error, int]] {
			return effect.ForEach([]eff.Effect[int]{get, get, get}, effect.ToExit)
		})
		xs, err := rt.Run(context.Background(), effect.Scoped(prog), nil)
		if err != nil {
			t.Fatal(err)
		}
		effecttest.AssertFailsWith(t, xs[0], boom)
		effecttest.AssertSucceeds(t, xs[1], 42)
		effecttest.AssertSucceeds(t, xs[2], 42)
		if runs.Load() != 2 {
			t.Errorf("runs: %d, want 2", runs.Load())
		}
	})
}

func TestMemoInvalidateAndRefresh(t *testing.T) {
	effecttest.Test(t, func(t *testing.T, rt *effect.Runtime) {
		e, runs := counter(time.Millisecond)
		scope := rt.NewScope()
		defer scope.Close(context.Background())
		m, err := rt.Run(context.Background(), effect.Extend(scope, cache.NewMemo(e, time.Hour)), nil)
		if err != nil {
			t.Fatal(err)
		}
		get := func(e eff.Effect[int]) int {
			v, err := rt.Run(context.Background(), e, nil)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := get(m.Get()); v != 1 {
			t.Errorf("first: %d", v)
		}
		m.Invalidate()
		if v := get(m.Get()); v != 2 {
			t.Errorf("after Invalidate: %d, want 2", v)
		}
		if v := get(m.Refresh()); v != 3 {
			t.Errorf("Refresh: %d, want 3", v)
		}
		if v := get(m.Get()); v != 3 {
			t.Errorf("after Refresh: %d, want 3", v)
		}
		if s := m.Stats(); s.Loads != 3 || s.Hits != 1 || s.Misses != 2 {
			t.Errorf("stats %+v", s)
		}
		if runs.Load() != 3 {
			t.Errorf("runs %d", runs.Load())
		}
	})
}
