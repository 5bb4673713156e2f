package resource_test

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"golang.org/x/sync/semaphore"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

// Each benchmark runs beside its raw-Go baseline, so one run prints the
// ratio. The effect side builds its effect once and runs it b.N times inside
// one Run (a ForEachPar over b.N items with a limit of 1 for the
// uncontended case, of benchFibers for the contended one), which is how a
// program reuses an effect; the per-op figure includes that loop's cost
// (a few ns).

const benchFibers = 8

// repeat runs op n times on `workers` fibers and fails the benchmark on an
// error.
func repeat(b *testing.B, op unit, workers int) {
	b.Helper()
	items := make([]struct{}, b.N)
	prog := effect.ForEachPar(items, func(struct{}) unit { return op }, effect.Par{Limit: workers})
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := effect.Run(context.Background(), prog, nil); err != nil {
		b.Fatal(err)
	}
}

// benchSemaphore returns a semaphore of size permits that lives until the
// benchmark ends.
func benchSemaphore(b *testing.B, permits int64) *resource.Semaphore {
	rt := effect.NewRuntime()
	s, closeScope := openSemaphore(b, rt, permits)
	b.Cleanup(func() { closeScope(); _ = rt.Shutdown(context.Background()) })
	return s
}

// parallel runs body n times on `workers` goroutines.
func parallel(n, workers int, body func()) {
	var wg sync.WaitGroup
	for w := range workers {
		share := n / workers
		if w < n%workers {
			share++
		}
		wg.Go(func() {
			for range share {
				body()
			}
		})
	}
	wg.Wait()
}

func BenchmarkSemaphore(b *testing.B) {
	ctx := context.Background()
	b.Run("uncontended/effect/WithPermits", func(b *testing.B) {
		s := benchSemaphore(b, 1)
		repeat(b, s.WithPermits(1, effect.Unit[any, error]()), 1)
	})
	b.Run("uncontended/effect/Acquire+Release", func(b *testing.B) {
		s := benchSemaphore(b, 1)
		release := sync0(func() { s.Release(1) })
		repeat(b, effect.AndThen(s.Acquire[any, error](1), release), 1)
	})
	b.Run("uncontended/baseline/x-sync-semaphore", func(b *testing.B) {
		s := semaphore.NewWeighted(1)
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Acquire(ctx, 1); err != nil {
				b.Fatal(err)
			}
			s.Release(1)
		}
	})
	// Contended: 8 fibers (goroutines) share 2 permits.
	b.Run("contended/effect/WithPermits", func(b *testing.B) {
		s := benchSemaphore(b, 2)
		repeat(b, s.WithPermits(1, effect.Yield[any, error]()), benchFibers)
	})
	b.Run("contended/baseline/x-sync-semaphore", func(b *testing.B) {
		s := semaphore.NewWeighted(2)
		b.ReportAllocs()
		b.ResetTimer()
		parallel(b.N, benchFibers, func() {
			if err := s.Acquire(ctx, 1); err != nil {
				panic(err)
			}
			yield()
			s.Release(1)
		})
	})
}

// yield is the baseline's counterpart of effect.Yield: some work while
// the permit is held, so that holders overlap.
func yield() { runtime.Gosched() }

func BenchmarkPool(b *testing.B) {
	newPool := func(b *testing.B, size int) *resource.Pool[*conn] {
		var f factory
		rt := effect.NewRuntime()
		p, closeScope := openPool(b, rt, f.options(size, size))
		b.Cleanup(func() { closeScope(); _ = rt.Shutdown(context.Background()) })
		return p
	}
	newChan := func(size int) chan *conn {
		ch := make(chan *conn, size)
		for i := range size {
			ch <- &conn{id: i}
		}
		return ch
	}
	b.Run("uncontended/effect/Use", func(b *testing.B) {
		p := newPool(b, 1)
		repeat(b, effect.Void(resource.Use(p, func(c *conn) eff[int] { return effect.Succeed[any, error](c.id) })), 1)
	})
	b.Run("uncontended/baseline/chan", func(b *testing.B) {
		ch := newChan(1)
		b.ReportAllocs()
		sink := 0
		for b.Loop() {
			c := <-ch
			sink += c.id
			ch <- c
		}
		_ = sink
	})
	// Contended: 8 fibers (goroutines) share 2 conns.
	b.Run("contended/effect/Use", func(b *testing.B) {
		p := newPool(b, 2)
		repeat(b, effect.Void(resource.Use(p, func(c *conn) eff[int] { return effect.Yield[any, error]().As(c.id) })), benchFibers)
	})
	b.Run("contended/baseline/chan", func(b *testing.B) {
		ch := newChan(2)
		b.ReportAllocs()
		b.ResetTimer()
		parallel(b.N, benchFibers, func() {
			c := <-ch
			yield()
			ch <- c
		})
	})
}

func BenchmarkCircuitBreaker(b *testing.B) {
	b.Run("closed/effect/Execute", func(b *testing.B) {
		rt := effect.NewRuntime()
		cb, closeScope := openBreaker(b, rt, resource.BreakerOptions{})
		b.Cleanup(func() { closeScope(); _ = rt.Shutdown(context.Background()) })
		repeat(b, cb.Execute(effect.Unit[any, error]()), 1)
	})
	b.Run("closed/baseline/mutex-counter", func(b *testing.B) {
		// The least a hand-written breaker does: a locked check before the
		// call and a locked count after it.
		var (
			mu       sync.Mutex
			failures int
			open     bool
		)
		call := func() error { return nil }
		b.ReportAllocs()
		for b.Loop() {
			mu.Lock()
			refused := open
			mu.Unlock()
			if refused {
				b.Fatal("open")
			}
			err := call()
			mu.Lock()
			if err != nil {
				failures++
				open = failures >= 5
			} else {
				failures = 0
			}
			mu.Unlock()
		}
	})
}
