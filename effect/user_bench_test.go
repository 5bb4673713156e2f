package effect

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/schedule"
)

// What a user calls: each benchmark builds its effect and runs it through
// Runtime.Run from plain Go at every operation, beside the plain-Go code it
// replaces, in the same file so that one run prints the ratio. The figures
// are in BENCHMARKS.md ("What a user calls").

// userTask is the plain Go work of the timeout and race rows: a call that
// takes a ctx and returns at once.
func userTask(ctx context.Context) (int, error) {
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	return 1, nil
}

// --- Try(task).Timeout(time.Second), the timeout not firing ---

func BenchmarkUserTimeout(b *testing.B) {
	rt := NewRuntime()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if v, err := rt.Run(ctx, Try[any](userTask).Timeout(time.Second), nil); v != 1 || err != nil {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkUserTimeoutBaselineInline(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		tctx, cancel := context.WithTimeout(ctx, time.Second)
		v, err := userTask(tctx)
		cancel()
		if v != 1 || err != nil {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkUserTimeoutBaselineGoroutine(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		tctx, cancel := context.WithTimeout(ctx, time.Second)
		type result struct {
			v   int
			err error
		}
		ch := make(chan result, 1)
		go func() { v, err := userTask(tctx); ch <- result{v, err} }()
		var r result
		select {
		case r = <-ch:
		case <-tctx.Done():
			r.err = tctx.Err()
		}
		cancel()
		if r.v != 1 || r.err != nil {
			b.Fatal(r)
		}
	}
}

// --- Race(Try(a), Try(b)), the loser blocked until cancelled ---

func blockUntilCancelled(ctx context.Context) (int, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

func BenchmarkUserRace(b *testing.B) {
	rt := NewRuntime()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if v, err := rt.Run(ctx, Race(Try[any](userTask), Try[any](blockUntilCancelled)), nil); v != 1 || err != nil {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkUserRaceBaselineGoroutines(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rctx, cancel := context.WithCancel(ctx)
		ch := make(chan int, 2)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); v, _ := userTask(rctx); ch <- v }()
		go func() { defer wg.Done(); v, _ := blockUntilCancelled(rctx); ch <- v }()
		v := <-ch
		cancel()
		wg.Wait() // the loser has ended, as Race guarantees
		if v != 1 {
			b.Fatal(v)
		}
	}
}

// --- 100,000 fibers parked until interrupted, through ForEachPar ---

const userParkN = 100_000

func BenchmarkUserParked(b *testing.B) {
	items := make([]int, userParkN)
	for b.Loop() {
		rt := NewRuntime()
		var wg sync.WaitGroup
		wg.Add(userParkN)
		before := heapAndStack()
		park := func(int) Effect[any, error, struct{}] {
			return AndThen(Sync[any, error](func() struct{} { wg.Done(); return struct{}{} }), Never[any, error, struct{}]())
		}
		fb := rt.Start(context.Background(), ForEachPar(items, park, Par{}), nil)
		wg.Wait()
		time.Sleep(20 * time.Millisecond) // let every fiber reach Never
		b.ReportMetric(float64(heapAndStack()-before)/userParkN, "B/fiber")
		fb.InterruptFromGo()
		<-fb.Done()
		_ = rt.Shutdown(context.Background())
	}
}

func BenchmarkUserParkedBaselineGoroutines(b *testing.B) {
	for b.Loop() {
		var wg sync.WaitGroup
		wg.Add(userParkN)
		before := heapAndStack()
		ctx, cancel := context.WithCancel(context.Background())
		var done sync.WaitGroup
		done.Add(userParkN)
		for range userParkN {
			go func() { wg.Done(); <-ctx.Done(); done.Done() }()
		}
		wg.Wait()
		time.Sleep(20 * time.Millisecond)
		b.ReportMetric(float64(heapAndStack()-before)/userParkN, "B/fiber")
		cancel()
		done.Wait()
	}
}

// --- spawn and join 10,000 through ForEachPar(items, f, Par{}) ---

const userSpawnN = 10_000

func BenchmarkUserSpawnJoin(b *testing.B) {
	rt := NewRuntime()
	ctx := context.Background()
	items := make([]int, userSpawnN)
	f := func(i int) Effect[any, error, int] { return Succeed[any, error](i) }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.Run(ctx, ForEachPar(items, f, Par{}), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUserSpawnJoinForks forks a fiber per item explicitly (Fork,
// then Join each), building the effect per op: what a fiber costs from
// plain Go, now that ForEachPar forks a worker only while an item is
// untaken (BenchmarkUserSpawnJoin forks far fewer than 10,000 when the
// items are quick).
func BenchmarkUserSpawnJoinForks(b *testing.B) {
	rt := NewRuntime()
	ctx := context.Background()
	items := make([]int, userSpawnN)
	b.ReportAllocs()
	for b.Loop() {
		prog := FlatMap(ForEach(items, func(i int) Effect[any, error, *Fiber[error, int]] {
			return Fork(Succeed[any, error](i))
		}), func(fs []*Fiber[error, int]) Effect[any, error, []int] {
			return ForEach(fs, func(f *Fiber[error, int]) Effect[any, error, int] { return Join[any](f) })
		})
		if _, err := rt.Run(ctx, prog, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUserSpawnJoinBaselineWaitGroup(b *testing.B) {
	items := make([]int, userSpawnN)
	b.ReportAllocs()
	for b.Loop() {
		out := make([]int, len(items))
		var wg sync.WaitGroup
		wg.Add(len(items))
		for i := range items {
			go func() { defer wg.Done(); out[i] = i }()
		}
		wg.Wait()
	}
}

// --- retry: three failures then a success, zero delay ---

var errUserFlaky = errors.New("flaky")

func BenchmarkUserRetry(b *testing.B) {
	rt := NewRuntime()
	ctx := context.Background()
	sched := schedule.Recurs(5)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		call := Try[any](func(context.Context) (int, error) {
			n++
			if n <= 3 {
				return 0, errUserFlaky
			}
			return n, nil
		})
		if v, err := rt.Run(ctx, call.Retry(sched), nil); v != 4 || err != nil {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkUserRetryBaselineLoop(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		call := func(context.Context) (int, error) {
			n++
			if n <= 3 {
				return 0, errUserFlaky
			}
			return n, nil
		}
		var v int
		var err error
		for attempt := 0; attempt <= 5; attempt++ {
			if v, err = call(ctx); err == nil {
				break
			}
		}
		if v != 4 || err != nil {
			b.Fatal(v, err)
		}
	}
}

// --- a built left-nested chain of 100,000 steps, run ---

func BenchmarkUserChainLeft(b *testing.B) {
	const n = 100_000
	e := succeed(0)
	for range n {
		e = e.FlatMap(func(i int) eff { return succeed(i + 1) })
	}
	rt := NewRuntime()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if v, _ := rt.Run(ctx, e, nil); v != n {
			b.Fatal(v)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/step")
}

func BenchmarkUserChainLeftBaselineClosures(b *testing.B) {
	const n = 100_000
	fs := make([]func(int) int, n)
	for i := range fs {
		fs[i] = func(i int) int { return i + 1 }
	}
	b.ReportAllocs()
	for b.Loop() {
		v := 0
		for _, f := range fs {
			v = f(v)
		}
		if v != n {
			b.Fatal(v)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/step")
}

var _ = runtime.GC

// --- Run under a request's context: cancellable, never cancelled ---
//
// What a handler does with r.Context(): the effect is a few steps of plain
// code, without Try (UnderCtx) or with one Try (TryUnderCtx). The baseline
// is the same code called directly, checking the context as plain Go would.

func requestLikeContext(b *testing.B) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	return ctx
}

func BenchmarkUserRunUnderCtx(b *testing.B) { benchRunTwoSteps(b, requestLikeContext(b)) }

// The same effect under context.Background(): what the watch of a
// cancellable context adds is the difference.
func BenchmarkUserRunUnderBackground(b *testing.B) { benchRunTwoSteps(b, context.Background()) }

// benchRunTwoSteps runs, from plain Go, an effect of two steps of plain
// code built at every operation, under ctx.
func benchRunTwoSteps(b *testing.B, ctx context.Context) {
	rt := NewRuntime()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		e := Sync[any, error](func() int { n++; return n }).Map(func(i int) int { return i + 1 })
		if v, err := rt.Run(ctx, e, nil); v != 2 || err != nil {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkUserTryUnderCtx(b *testing.B) {
	rt := NewRuntime()
	ctx := requestLikeContext(b)
	b.ReportAllocs()
	for b.Loop() {
		if v, err := rt.Run(ctx, Try[any](userTask).Map(func(i int) int { return i + 1 }), nil); v != 2 || err != nil {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkUserRunUnderCtxBaseline(b *testing.B) {
	ctx := requestLikeContext(b)
	b.ReportAllocs()
	for b.Loop() {
		v, err := userTask(ctx)
		if err == nil {
			v++
		}
		if v != 2 || err != nil {
			b.Fatal(v, err)
		}
	}
}
