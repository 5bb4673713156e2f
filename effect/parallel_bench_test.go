package effect_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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

// The examples of ForEachPar's options, Settle and Parallel (the main
// ForEachPar example is in example_test.go).

func ExampleForEachPar_progress() {
	double := func(i int) effect.Effect[any, error, int] { return effect.Succeed[any, error](2 * i) }
	prog := effect.ForEachPar([]int{1, 2, 3}, double, effect.Par{
		Limit: 1,
		OnProgress: func(p effect.Progress) {
			fmt.Printf("%d/%d done, %d failed\n", p.Done, p.Total, p.Failed)
		},
	})
	v, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(v, err)
	// Output:
	// 1/3 done, 0 failed
	// 2/3 done, 0 failed
	// 3/3 done, 0 failed
	// [2 4 6] <nil>
}

func ExampleForEachPar_collect() {
	check := func(i int) effect.Effect[any, error, int] {
		if i%2 == 0 {
			return effect.Fail[any, int](fmt.Errorf("%d is even", i))
		}
		return effect.Succeed[any, error](i)
	}
	// Collect runs every item and reports every failure, in input order.
	x := effect.RunExit(context.Background(), effect.ForEachPar([]int{1, 2, 3, 4}, check, effect.Par{Mode: effect.Collect}), nil)
	fmt.Println(x.Cause().Failures())
	// Output: [2 is even 4 is even]
}

func ExampleSettle() {
	parse := func(s string) effect.Effect[any, error, int] {
		return effect.Try[any](func(context.Context) (int, error) { return strconv.Atoi(s) })
	}
	exits, _ := effect.Run(context.Background(), effect.Settle([]string{"1", "x", "3"}, parse, effect.Par{Limit: 2, Mode: effect.Collect}), nil)
	for i, x := range exits {
		v, err := x.Get()
		fmt.Println(i, v, err != nil)
	}
	// Output:
	// 0 1 false
	// 1 0 true
	// 2 3 false
}

func ExampleParallel() {
	tasks := []effect.Effect[any, error, string]{
		effect.Succeed[any, error]("a"),
		effect.Fail[any, string](errors.New("b failed")),
		effect.Succeed[any, error]("c"),
	}
	res, _ := effect.Run(context.Background(), effect.Parallel(tasks, effect.Par{Limit: 2, Mode: effect.Collect}), nil)
	fmt.Println(res.AllCompleted())
	for _, c := range res.Completed {
		fmt.Println("completed", c.Index, c.Value)
	}
	for _, e := range res.Errors {
		fmt.Println("failed", e.Index, e.Value)
	}
	// Output:
	// false
	// completed 0 a
	// completed 2 c
	// failed 1 b failed
}

func ExampleAll() {
	effs := []effect.Effect[any, error, string]{effect.Succeed[any, error]("x"), effect.Succeed[any, error]("y")}
	v, err := effect.Run(context.Background(), effect.All(effs, effect.Par{}), nil)
	fmt.Println(v, err)
	// Output: [x y] <nil>
}
