package effect_test

import (
	"context"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/gogoscope/gogoscope/effect"
)

// 100,000 trivial items with a limit of 8, beside the two ways plain Go does
// it: a pool of 8 worker goroutines reading indexes from a channel, and
// errgroup with SetLimit(8), which starts a goroutine per item. One op is
// the whole batch; ns/item is reported too.

const benchItems = 100_000
const benchLimit = 8

func benchInput() []int {
	items := make([]int, benchItems)
	for i := range items {
		items[i] = i
	}
	return items
}

func square(i int) int { return i * i }

func reportPerItem(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchItems, "ns/item")
}

func BenchmarkForEachPar100kLimit8(b *testing.B) {
	items := benchInput()
	ctx := context.Background()

	b.Run("effect/Succeed", func(b *testing.B) {
		// Each item's effect is a plain value: the cost is the machinery.
		prog := effect.ForEachPar(items, func(i int) effect.Effect[any, error, int] {
			return effect.Succeed[any, error](square(i))
		}, effect.Par{Limit: benchLimit})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := effect.Run(ctx, prog, nil); err != nil {
				b.Fatal(err)
			}
		}
		reportPerItem(b)
	})

	b.Run("effect/Sync", func(b *testing.B) {
		// Each item's effect is a lazy step: one effect node per item.
		prog := effect.ForEachPar(items, func(i int) effect.Effect[any, error, int] {
			return effect.Sync[any, error](func() int { return square(i) })
		}, effect.Par{Limit: benchLimit})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := effect.Run(ctx, prog, nil); err != nil {
				b.Fatal(err)
			}
		}
		reportPerItem(b)
	})

	b.Run("effect/Progress", func(b *testing.B) {
		var last effect.Progress
		prog := effect.ForEachPar(items, func(i int) effect.Effect[any, error, int] {
			return effect.Succeed[any, error](square(i))
		}, effect.Par{Limit: benchLimit, OnProgress: func(p effect.Progress) { last = p }})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := effect.Run(ctx, prog, nil); err != nil {
				b.Fatal(err)
			}
		}
		if last.Done != benchItems {
			b.Fatalf("last progress %+v", last)
		}
		reportPerItem(b)
	})

	b.Run("baseline/workerpool", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out := make([]int, len(items))
			jobs := make(chan int)
			var wg sync.WaitGroup
			for range benchLimit {
				wg.Go(func() {
					for i := range jobs {
						out[i] = square(items[i])
					}
				})
			}
			for i := range items {
				jobs <- i
			}
			close(jobs)
			wg.Wait()
		}
		reportPerItem(b)
	})

	b.Run("baseline/errgroup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out := make([]int, len(items))
			var g errgroup.Group
			g.SetLimit(benchLimit)
			for i := range items {
				g.Go(func() error {
					out[i] = square(items[i])
					return nil
				})
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
		}
		reportPerItem(b)
	})
}
