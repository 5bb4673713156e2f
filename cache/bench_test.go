package cache_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sync/singleflight"

	"github.com/gogoscope/gogoscope/cache"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

// Each benchmark runs beside its raw-Go baseline, a map behind a RWMutex
// with golang.org/x/sync/singleflight for the misses, so one run prints
// the ratio. The effect side is measured two ways: inside one Run (a
// ForEach over b.N items, how a program calls the cache from its effects)
// and with a Run per operation (how plain Go calls it).

// sfCache is the baseline: what a Go service writes by hand.
type sfCache struct {
	mu     sync.RWMutex
	m      map[string]string
	g      singleflight.Group
	lookup func(ctx context.Context, k string) (string, error)
}

func (c *sfCache) Get(ctx context.Context, k string) (string, error) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return v, nil
	}
	r, err, _ := c.g.Do(k, func() (any, error) {
		v, err := c.lookup(ctx, k)
		if err == nil {
			c.mu.Lock()
			c.m[k] = v
			c.mu.Unlock()
		}
		return v, err
	})
	if err != nil {
		return "", err
	}
	return r.(string), nil
}

func benchCache(b *testing.B, lookup func(string) eff.Effect[string]) *strCache {
	rt := effect.NewRuntime()
	scope := rt.NewScope()
	c, err := rt.Run(context.Background(), effect.Extend(scope, cache.New(lookup, cache.Options{})), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = scope.Close(context.Background()); _ = rt.Shutdown(context.Background()) })
	return c
}

func echo(k string) eff.Effect[string] { return effect.Succeed[any, error](k) }

// keys returns n distinct keys.
func keys(n int) []string {
	ks := make([]string, n)
	for i := range ks {
		ks[i] = "k" + strconv.Itoa(i)
	}
	return ks
}

func BenchmarkHit(b *testing.B) {
	ctx := context.Background()
	b.Run("effect/in-one-Run", func(b *testing.B) {
		c := benchCache(b, echo)
		c.Set("k", "v")
		items := make([]struct{}, b.N)
		prog := effect.ForEach(items, func(struct{}) eff.Effect[string] { return c.Get("k") })
		b.ReportAllocs()
		b.ResetTimer()
		if _, err := effect.Run(ctx, prog, nil); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("effect/Run-each", func(b *testing.B) {
		c := benchCache(b, echo)
		c.Set("k", "v")
		rt := effect.NewRuntime()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rt.Run(ctx, c.Get("k"), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline/singleflight+map", func(b *testing.B) {
		c := &sfCache{m: map[string]string{"k": "v"}}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Get(ctx, "k"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMiss measures a miss by one caller: a lookup started, stored,
// and its value returned. Every operation asks a new key.
func BenchmarkMiss(b *testing.B) {
	ctx := context.Background()
	b.Run("effect/in-one-Run", func(b *testing.B) {
		c := benchCache(b, echo)
		ks := keys(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		if _, err := effect.Run(ctx, effect.ForEach(ks, c.Get), nil); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("effect/Run-each", func(b *testing.B) {
		c := benchCache(b, echo)
		ks := keys(b.N)
		rt := effect.NewRuntime()
		b.ReportAllocs()
		b.ResetTimer()
		for _, k := range ks {
			if _, err := rt.Run(ctx, c.Get(k), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline/singleflight+map", func(b *testing.B) {
		c := &sfCache{m: map[string]string{}, lookup: func(_ context.Context, k string) (string, error) { return k, nil }}
		ks := keys(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for _, k := range ks {
			if _, err := c.Get(ctx, k); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// dedupCallers is the number of concurrent callers of each new key in
// BenchmarkDedupMiss.
const dedupCallers = 8

// BenchmarkDedupMiss measures a round of dedupCallers concurrent callers
// of a new key, whose lookup waits until every caller has arrived, so that
// they share it (a caller that arrives after the lookup ended is a hit).
// The figure is per round.
func BenchmarkDedupMiss(b *testing.B) {
	ctx := context.Background()
	// gate returns a lookup that waits until n callers have arrived.
	type gate struct {
		arrived atomic.Int32
		all     chan struct{}
	}
	newGate := func() *gate { return &gate{all: make(chan struct{})} }
	arrive := func(g *gate) {
		if g.arrived.Add(1) == dedupCallers {
			close(g.all)
		}
	}
	b.Run("effect", func(b *testing.B) {
		var g atomic.Pointer[gate]
		c := benchCache(b, func(k string) eff.Effect[string] {
			return effect.Try[any](func(ctx context.Context) (string, error) {
				select {
				case <-g.Load().all:
				case <-ctx.Done():
				}
				return k, nil
			})
		})
		ks := keys(b.N)
		callers := make([]struct{}, dedupCallers)
		rt := effect.NewRuntime()
		var loads uint64
		b.ReportAllocs()
		b.ResetTimer()
		for _, k := range ks {
			g.Store(newGate())
			round := effect.ForEachPar(callers, func(struct{}) eff.Effect[string] {
				return effect.AndThen(sync0(func() { arrive(g.Load()) }), c.Get(k))
			}, effect.Par{})
			if _, err := rt.Run(ctx, round, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		loads = c.Stats().Loads
		b.ReportMetric(float64(loads)/float64(b.N), "lookups/round")
	})
	b.Run("baseline/singleflight+map", func(b *testing.B) {
		var g atomic.Pointer[gate]
		var loads atomic.Int64
		c := &sfCache{m: map[string]string{}, lookup: func(_ context.Context, k string) (string, error) {
			loads.Add(1)
			<-g.Load().all
			return k, nil
		}}
		ks := keys(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for _, k := range ks {
			g.Store(newGate())
			var wg sync.WaitGroup
			for range dedupCallers {
				wg.Go(func() {
					arrive(g.Load())
					if _, err := c.Get(ctx, k); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
		}
		b.StopTimer()
		b.ReportMetric(float64(loads.Load())/float64(b.N), "lookups/round")
	})
}
