package effect

import (
	"context"
	"sync"
	"testing"
	"time"
)

// What a user calls, continued (see user_bench_test.go): 100,000 fibers
// parked on a library primitive (a Deferred's Await, an effect.Async wait)
// rather than in Never, beside 100,000 goroutines parked on a channel
// receive. It measures what the optional item asks to measure
// before parking a fiber as a heap continuation: what a fiber blocked on a
// primitive holds today.

func BenchmarkUserParkedOnDeferred(b *testing.B) {
	items := make([]int, userParkN)
	for b.Loop() {
		rt := NewRuntime()
		d := NewDeferred[error, struct{}]()
		var wg sync.WaitGroup
		wg.Add(userParkN)
		before := heapAndStack()
		park := func(int) Effect[any, error, struct{}] {
			return AndThen(Sync[any, error](func() struct{} { wg.Done(); return struct{}{} }), d.Await[any]())
		}
		fb := rt.Start(context.Background(), ForEachPar(items, park, Par{}), nil)
		wg.Wait()
		time.Sleep(20 * time.Millisecond) // let every fiber reach its Await
		b.ReportMetric(float64(heapAndStack()-before)/userParkN, "B/fiber")
		d.Succeed(struct{}{})
		if ex, err := fb.Wait(context.Background()); err != nil || !ex.IsSuccess() {
			b.Fatal(ex, err)
		}
		_ = rt.Shutdown(context.Background())
	}
}

func BenchmarkUserParkedOnDeferredBaselineGoroutines(b *testing.B) {
	for b.Loop() {
		var wg, done sync.WaitGroup
		wg.Add(userParkN)
		done.Add(userParkN)
		before := heapAndStack()
		release := make(chan struct{})
		for range userParkN {
			go func() { wg.Done(); <-release; done.Done() }()
		}
		wg.Wait()
		time.Sleep(20 * time.Millisecond)
		b.ReportMetric(float64(heapAndStack()-before)/userParkN, "B/fiber")
		close(release)
		done.Wait()
	}
}
