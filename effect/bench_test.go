package effect

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Each benchmark of the runtime sits beside its raw-Go baseline, so one run
// prints both: go test -run '^$' -bench . -benchmem ./effect/

const (
	spawnN = 10_000
	chainN = 100_000
	parkN  = 100_000
)

// --- spawn and join 10,000 fibers ---

func BenchmarkSpawnJoin10k(b *testing.B) {
	ids := make([]int, spawnN)
	for i := range ids {
		ids[i] = i
	}
	prog := FlatMap(ForEach(ids, func(i int) Effect[any, error, *Fiber[error, int]] { return Fork(succeed(i)) }),
		func(fs []*Fiber[error, int]) Effect[any, error, []int] {
			return ForEach(fs, func(f *Fiber[error, int]) eff { return Join[any](f) })
		})
	rt := NewRuntime()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.Run(context.Background(), prog, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSpawnJoin10kAll runs the 10,000 effects with All (no limit)
// and waits for them once, as a WaitGroup does. All forks a worker only
// while an effect is untaken, so quick effects need fewer fibers than
// effects; BenchmarkSpawnJoin10k keeps a fiber per item.
func BenchmarkSpawnJoin10kAll(b *testing.B) {
	effs := make([]eff, spawnN)
	for i := range effs {
		effs[i] = succeed(i)
	}
	prog := All(effs, Par{})
	rt := NewRuntime()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.Run(context.Background(), prog, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSpawnJoin10kBaselineGoroutines(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var wg sync.WaitGroup
		out := make([]int, spawnN)
		for i := range spawnN {
			wg.Add(1)
			go func() { out[i] = i; wg.Done() }()
		}
		wg.Wait()
	}
}

// --- a 100,000-step map/flatMap chain ---

func buildChain(n int) eff {
	e := succeed(0)
	for i := range n {
		if i%2 == 0 {
			e = e.Map(func(x int) int { return x + 1 })
		} else {
			e = e.FlatMap(func(x int) eff { return succeed(x + 1) })
		}
	}
	return e
}

func buildRightChain(n int) eff {
	var step func(i int) eff
	step = func(i int) eff {
		if i == n {
			return succeed(i)
		}
		return FlatMap(Sync[any, error](func() int { return i }), func(int) eff { return step(i + 1) })
	}
	return step(0)
}

func reportPerStep(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/chainN, "ns/step")
}

// BenchmarkChainRunBuilt runs an already-built left-nested chain: the cost
// of a step of the interpreter.
func BenchmarkChainRunBuilt(b *testing.B) {
	e := buildChain(chainN)
	rt := NewRuntime()
	b.ReportAllocs()
	for b.Loop() {
		if v, _ := rt.Run(context.Background(), e, nil); v != chainN {
			b.Fatal(v)
		}
	}
	reportPerStep(b)
}

// BenchmarkChainRunBuiltRight runs an already-built right-nested chain:
// each step a Sync and a FlatMap whose continuation returns the next,
// prebuilt, step. This is the interpreter's typed fast path.
func BenchmarkChainRunBuiltRight(b *testing.B) {
	nodes := make([]eff, chainN+1)
	nodes[chainN] = succeed(chainN)
	for i := chainN - 1; i >= 0; i-- {
		next := nodes[i+1]
		if i%2 == 0 {
			nodes[i] = FlatMap(Sync[any, error](func() int { return i }), func(int) eff { return next })
		} else {
			nodes[i] = FlatMap(succeed(i), func(int) eff { return next })
		}
	}
	rt := NewRuntime()
	b.ReportAllocs()
	for b.Loop() {
		if v, _ := rt.Run(context.Background(), nodes[0], nil); v != chainN {
			b.Fatal(v)
		}
	}
	reportPerStep(b)
}

// BenchmarkChainBuildAndRun builds the chain and runs it each time.
func BenchmarkChainBuildAndRun(b *testing.B) {
	rt := NewRuntime()
	b.ReportAllocs()
	for b.Loop() {
		if v, _ := rt.Run(context.Background(), buildChain(chainN), nil); v != chainN {
			b.Fatal(v)
		}
	}
	reportPerStep(b)
}

// BenchmarkChainRightNested runs a recursive (trampolined) chain, each step
// a Sync then a FlatMap continuation, built as it runs.
func BenchmarkChainRightNested(b *testing.B) {
	rt := NewRuntime()
	b.ReportAllocs()
	for b.Loop() {
		if v, _ := rt.Run(context.Background(), buildRightChain(chainN), nil); v != chainN {
			b.Fatal(v)
		}
	}
	reportPerStep(b)
}

// BenchmarkChainBaselineClosures is the raw floor: a loop of closure calls
// over a built slice of closures.
func BenchmarkChainBaselineClosures(b *testing.B) {
	fs := make([]func(int) int, chainN)
	for i := range fs {
		fs[i] = func(x int) int { return x + 1 }
	}
	b.ReportAllocs()
	for b.Loop() {
		x := 0
		for _, f := range fs {
			x = f(x)
		}
		if x != chainN {
			b.Fatal(x)
		}
	}
	reportPerStep(b)
}

// --- a race of two, the loser interrupted ---

func BenchmarkRace(b *testing.B) {
	prog := Race(succeed(1), Never[any, error, int]())
	rt := NewRuntime()
	b.ReportAllocs()
	for b.Loop() {
		if v, _ := rt.Run(context.Background(), prog, nil); v != 1 {
			b.Fatal(v)
		}
	}
}

// BenchmarkRaceInFiber runs the races one after the other inside one fiber,
// so that the cost of Run (making a root fiber) is not counted.
func BenchmarkRaceInFiber(b *testing.B) {
	race := Race(succeed(1), Never[any, error, int]())
	rt := NewRuntime()
	b.ReportAllocs()
	b.ResetTimer()
	prog := ForEach(make([]struct{}, b.N), func(struct{}) eff { return race })
	if _, err := rt.Run(context.Background(), prog, nil); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRun is the cost of Run itself, for a trivial effect: making and
// ending a root fiber.
func BenchmarkRun(b *testing.B) {
	rt := NewRuntime()
	e := succeed(1)
	b.ReportAllocs()
	for b.Loop() {
		if v, _ := rt.Run(context.Background(), e, nil); v != 1 {
			b.Fatal(v)
		}
	}
}

func BenchmarkRaceBaselineGoroutines(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		ch := make(chan int, 2)
		go func() { ch <- 1 }()
		go func() { <-ctx.Done(); ch <- 0 }()
		v := <-ch
		cancel()
		<-ch // wait for the loser to stop
		if v != 1 {
			b.Fatal(v)
		}
	}
}

// --- memory of a blocked fiber ---

func heapAndStack() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

func BenchmarkParkedFibers100k(b *testing.B) {
	for b.Loop() {
		rt := NewRuntime()
		var wg sync.WaitGroup
		wg.Add(parkN)
		before := heapAndStack()
		park := AndThen(Sync[any, error](func() struct{} { wg.Done(); return struct{}{} }), Never[any, error, struct{}]())
		fibs := make([]*Fiber[error, struct{}], parkN)
		for i := range fibs {
			fibs[i] = rt.Start(context.Background(), park, nil)
		}
		wg.Wait()
		time.Sleep(20 * time.Millisecond) // let every fiber reach Never
		b.ReportMetric(float64(heapAndStack()-before)/parkN, "B/fiber")
		if err := rt.Shutdown(context.Background()); err != nil {
			b.Fatal(err)
		}
		runtime.KeepAlive(fibs)
	}
}

func BenchmarkParkedFibers100kBaselineGoroutines(b *testing.B) {
	for b.Loop() {
		var wg sync.WaitGroup
		wg.Add(parkN)
		before := heapAndStack()
		stop := make(chan struct{})
		var done sync.WaitGroup
		done.Add(parkN)
		for range parkN {
			go func() { wg.Done(); <-stop; done.Done() }()
		}
		wg.Wait()
		time.Sleep(20 * time.Millisecond)
		b.ReportMetric(float64(heapAndStack()-before)/parkN, "B/fiber")
		close(stop)
		done.Wait()
	}
}

// --- a timeout that does not fire ---

func BenchmarkTimeoutNotFiring(b *testing.B) {
	prog := Timeout(succeed(1), time.Hour)
	rt := NewRuntime()
	b.ReportAllocs()
	for b.Loop() {
		if v, _ := rt.Run(context.Background(), prog, nil); v != 1 {
			b.Fatal(v)
		}
	}
}

// BenchmarkTimeoutNotFiringInFiber runs the timeouts one after the other
// inside one fiber, so that the cost of Run is not counted.
func BenchmarkTimeoutNotFiringInFiber(b *testing.B) {
	timed := Timeout(succeed(1), time.Hour)
	rt := NewRuntime()
	b.ReportAllocs()
	b.ResetTimer()
	prog := ForEach(make([]struct{}, b.N), func(struct{}) eff { return timed })
	if _, err := rt.Run(context.Background(), prog, nil); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkTimeoutNotFiringBaselineContext(b *testing.B) {
	work := func(context.Context) int { return 1 }
	b.ReportAllocs()
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		ch := make(chan int, 1)
		go func() { ch <- work(ctx) }()
		var v int
		select {
		case v = <-ch:
		case <-ctx.Done():
		}
		cancel()
		if v != 1 {
			b.Fatal(v)
		}
	}
}
