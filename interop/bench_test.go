package interop_test

import (
	"context"
	"slices"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/interop"
)

// Each benchmark stands beside its raw-Go baseline, so one run prints the
// cost of the bridge.

func plainCall(ctx context.Context) (int, error) { return 1, ctx.Err() }

func BenchmarkCallRawGo(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		_, _ = plainCall(ctx)
	}
}

// BenchmarkLiftedCall runs a lifted func(ctx) (A, error) as an effect on one
// runtime: the cost of Try (a cancellable context) plus a run.
func BenchmarkLiftedCall(b *testing.B) {
	b.ReportAllocs()
	rt := effect.NewRuntime()
	e := interop.FromCtxValueFunc[any](plainCall)
	ctx := context.Background()
	for b.Loop() {
		_, _ = rt.Run(ctx, e, nil)
	}
}

// BenchmarkLoweredCall calls an effect turned back into a plain func.
func BenchmarkLoweredCall(b *testing.B) {
	b.ReportAllocs()
	fn := interop.ToCtxValueFunc(effect.Succeed[any, error](1), effect.NewRuntime())
	ctx := context.Background()
	for b.Loop() {
		_, _ = fn(ctx)
	}
}

const chanItems = 1000

func BenchmarkChanRangeRawGo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ch := make(chan int, 64)
		go func() {
			for i := range chanItems {
				ch <- i
			}
			close(ch)
		}()
		sum := 0
		for v := range ch {
			sum += v
		}
	}
}

func BenchmarkForEachRecv(b *testing.B) {
	b.ReportAllocs()
	rt := effect.NewRuntime()
	ctx := context.Background()
	for b.Loop() {
		ch := make(chan int, 64)
		go func() {
			for i := range chanItems {
				ch <- i
			}
			close(ch)
		}()
		sum := 0
		add := func(v int) effect.Effect[any, error, struct{}] {
			return effect.Sync[any, error](func() struct{} { sum += v; return struct{}{} })
		}
		_, _ = rt.Run(ctx, interop.ForEachRecv(ch, add), nil)
	}
}

var seqItems = func() []int {
	xs := make([]int, 1000)
	for i := range xs {
		xs[i] = i
	}
	return xs
}()

func BenchmarkSeqRangeRawGo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sum := 0
		for v := range slices.Values(seqItems) {
			sum += v
		}
	}
}

func BenchmarkForEachSeq(b *testing.B) {
	b.ReportAllocs()
	rt := effect.NewRuntime()
	ctx := context.Background()
	for b.Loop() {
		sum := 0
		add := func(v int) effect.Effect[any, error, struct{}] {
			return effect.Sync[any, error](func() struct{} { sum += v; return struct{}{} })
		}
		_, _ = rt.Run(ctx, interop.ForEachSeq(slices.Values(seqItems), add), nil)
	}
}
