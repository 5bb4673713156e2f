package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/ratelimit"
	"golang.org/x/time/rate"
)

// An admission that does not wait (the rate is far above what the loop can
// reach), against golang.org/x/time/rate in the same run: TryAcquire beside
// Allow; an Acquire through effect.Run beside Wait; a limited effect inside
// one fiber.

const hugeRate = 1_000_000_000

func openBench(b *testing.B, alg ratelimit.Algorithm) *ratelimit.Limiter {
	rt := effect.NewRuntime()
	scope := rt.NewScope()
	l, err := rt.Run(context.Background(), effect.Extend(scope, ratelimit.New[any, error](alg)), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = scope.Close(context.Background()); _ = rt.Shutdown(context.Background()) })
	return l
}

func BenchmarkAdmit(b *testing.B) {
	ctx := context.Background()
	algs := []struct {
		name string
		alg  ratelimit.Algorithm
	}{
		{"tokenbucket", ratelimit.TokenBucket{Rate: hugeRate, Per: time.Second}},
		{"gcra", ratelimit.GCRA{Rate: hugeRate, Per: time.Second}},
		{"fixed", ratelimit.FixedWindow{Limit: hugeRate, Window: time.Second}},
		{"sliding", ratelimit.SlidingWindow{Limit: hugeRate, Window: time.Second}},
	}
	for _, a := range algs {
		b.Run("TryAcquire/"+a.name, func(b *testing.B) {
			l := openBench(b, a.alg)
			b.ReportAllocs()
			for b.Loop() {
				if !l.TryAcquire(1) {
					b.Fatal("refused")
				}
			}
		})
	}
	b.Run("TryAcquire/x-time-rate-Allow", func(b *testing.B) {
		rl := rate.NewLimiter(hugeRate, hugeRate)
		b.ReportAllocs()
		for b.Loop() {
			if !rl.Allow() {
				b.Fatal("refused")
			}
		}
	})
	b.Run("Acquire-run/tokenbucket", func(b *testing.B) {
		l := openBench(b, algs[0].alg)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := effect.Run(ctx, l.Acquire[any, error](1), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Acquire-run/x-time-rate-Wait", func(b *testing.B) {
		rl := rate.NewLimiter(hugeRate, hugeRate)
		b.ReportAllocs()
		for b.Loop() {
			if err := rl.Wait(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Limit-in-fiber/tokenbucket", func(b *testing.B) {
		l := openBench(b, algs[0].alg)
		n, i := b.N, 0
		var loop effect.Effect[any, error, int]
		step := l.Limit(effect.Sync[any, error](func() int { i++; return i }))
		loop = effect.FlatMap(step, func(v int) effect.Effect[any, error, int] {
			if v >= n {
				return effect.Succeed[any, error](v)
			}
			return loop
		})
		b.ReportAllocs()
		b.ResetTimer()
		if _, err := effect.Run(ctx, loop, nil); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("contended/TryAcquire/tokenbucket", func(b *testing.B) {
		l := openBench(b, algs[0].alg)
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.TryAcquire(1)
			}
		})
	})
	b.Run("contended/x-time-rate-Allow", func(b *testing.B) {
		rl := rate.NewLimiter(hugeRate, hugeRate)
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				rl.Allow()
			}
		})
	})
}
