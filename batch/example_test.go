package batch_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/batch"
	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

// prices is a resolver that prints each call (its keys sorted): one call
// for many keys.
func prices(skus []string) eff.Effect[map[string]int] {
	return eff.Sync(func() map[string]int {
		fmt.Println("resolve", slices.Sorted(slices.Values(skus)))
		m := map[string]int{}
		for _, s := range skus {
			if s != "unknown" {
				m[s] = len(s) * 100
			}
		}
		return m
	})
}

func ExampleNew() {
	// Each item of the basket asks for its own price; the loader asks the
	// price service once for all of them.
	basket := []string{"apple", "pear", "fig", "apple"}
	prog := effect.FlatMap(batch.New(prices, batch.Options{Window: 20 * time.Millisecond}),
		func(p *batch.Loader[string, int, any, error]) eff.Effect[[]int] {
			return eff.ForEachPar(basket, p.Get, eff.Par{})
		})
	fmt.Println(eff.Run(context.Background(), eff.Scoped(prog)))
	// Output:
	// resolve [apple fig pear]
	// [500 400 300 500] <nil>
}

func ExampleLoader_GetAll() {
	prog := effect.FlatMap(batch.New(prices, batch.Options{MaxSize: 2, Window: 10 * time.Millisecond}),
		func(p *batch.Loader[string, int, any, error]) eff.Effect[[]int] {
			return p.GetAll([]string{"kiwi", "plum", "lime"})
		})
	fmt.Println(eff.Run(context.Background(), eff.Scoped(prog)))
	// Output:
	// resolve [kiwi plum]
	// resolve [lime]
	// [400 400 400] <nil>
}

func ExampleMissingError() {
	prog := effect.FlatMap(batch.New(prices, batch.Options{}),
		func(p *batch.Loader[string, int, any, error]) eff.Effect[int] {
			return p.Get("unknown")
		})
	_, err := eff.Run(context.Background(), eff.Scoped(prog))
	var missing *batch.MissingError
	fmt.Println(errors.Is(err, batch.ErrMissing), errors.As(err, &missing) && missing.Key == "unknown")
	fmt.Println(err)
	// Output:
	// resolve [unknown]
	// true true
	// batch: key unknown missing from the resolver's answer
}

func ExampleNewExits() {
	// One key fails alone: the others still get their values.
	errForbidden := errors.New("forbidden")
	docs := func(ids []int) eff.Effect[map[int]effect.Exit[error, string]] {
		return eff.Sync(func() map[int]effect.Exit[error, string] {
			m := map[int]effect.Exit[error, string]{}
			for _, id := range ids {
				if id == 2 {
					m[id] = effect.FailedWith[error, string](effect.CauseFail[error](errForbidden))
				} else {
					m[id] = effect.Succeeded[error](fmt.Sprint("doc ", id))
				}
			}
			return m
		})
	}
	prog := effect.FlatMap(batch.NewExits(docs, batch.Options{Window: time.Millisecond}),
		func(d *batch.Loader[int, string, any, error]) eff.Effect[[]string] {
			return eff.ForEachPar([]int{1, 2, 3}, func(id int) eff.Effect[string] {
				return d.Get(id).Catch(func(err error) eff.Effect[string] {
					return eff.Succeed("error: " + err.Error())
				})
			}, eff.Par{})
		})
	fmt.Println(eff.Run(context.Background(), eff.Scoped(prog)))
	// Output: [doc 1 error: forbidden doc 3] <nil>
}

func ExampleLoader_Prime() {
	// With the cache on, each key is loaded once; Prime stores a value
	// known already, Clear forgets one.
	prog := effect.FlatMap(batch.New(prices, batch.Options{Cache: true}),
		func(p *batch.Loader[string, int, any, error]) eff.Effect[batch.Stats] {
			p.Prime("melon", 999)
			first := p.GetAll([]string{"melon", "grape"})
			again := p.GetAll([]string{"melon", "grape"})
			cleared := eff.Suspend(func() eff.Effect[int] { p.Clear("grape"); return p.Get("grape") })
			return effect.AndThen(first, effect.AndThen(again, effect.AndThen(cleared, eff.Sync(p.Stats))))
		})
	s, err := eff.Run(context.Background(), eff.Scoped(prog))
	fmt.Printf("requests %d, cache hits %d, calls %d, %v\n", s.Requests, s.CacheHits, s.Batches, err)
	// Output:
	// resolve [grape]
	// resolve [grape]
	// requests 5, cache hits 3, calls 2, <nil>
}

func ExampleLoader_Get() {
	// Requests from unrelated fibers within the window share one call.
	prog := effect.FlatMap(batch.New(prices, batch.Options{Window: 20 * time.Millisecond}),
		func(p *batch.Loader[string, int, any, error]) eff.Effect[[]int] {
			var mu sync.Mutex
			var got []int
			ask := func(sku string) eff.Effect[struct{}] {
				return effect.Void(effect.Tap(p.Get(sku), func(v int) eff.Effect[struct{}] {
					return eff.Sync(func() struct{} { mu.Lock(); got = append(got, v); mu.Unlock(); return struct{}{} })
				}))
			}
			start := func(sku string) eff.Effect[*effect.Fiber[error, struct{}]] {
				return effect.Fork(ask(sku))
			}
			return effect.FlatMap(start("date"), func(a *effect.Fiber[error, struct{}]) eff.Effect[[]int] {
				return effect.FlatMap(start("date"), func(b *effect.Fiber[error, struct{}]) eff.Effect[[]int] {
					return effect.AndThen(a.Join[any](), effect.AndThen(b.Join[any](), eff.Sync(func() []int { return got })))
				})
			})
		})
	fmt.Println(eff.Run(context.Background(), eff.Scoped(prog)))
	// Output:
	// resolve [date]
	// [400 400] <nil>
}

func ExampleErrClosed() {
	// The loader lives in the Scoped region; using it afterwards fails.
	l, _ := eff.Run(context.Background(), eff.Scoped(batch.New(prices, batch.Options{})))
	_, err := eff.Run(context.Background(), l.Get("apple"))
	fmt.Println(errors.Is(err, batch.ErrClosed), errors.Is(err, context.Canceled))
	// Output: true true
}

func ExampleErrAbandoned() {
	// Every caller of a batch gives up: the resolver's call is interrupted,
	// and its context says why.
	why := make(chan error, 1)
	slow := func(keys []int) eff.Effect[map[int]string] {
		return eff.Try(func(ctx context.Context) (map[int]string, error) {
			<-ctx.Done()
			why <- context.Cause(ctx)
			return nil, ctx.Err()
		})
	}
	prog := effect.FlatMap(batch.New(slow, batch.Options{}), func(l *batch.Loader[int, string, any, error]) eff.Effect[[]string] {
		return l.GetAll([]int{1, 2, 3}).Timeout(10 * time.Millisecond)
	})
	_, err := eff.Run(context.Background(), eff.Scoped(prog))
	fmt.Println(errors.Is(err, effect.ErrTimeout), errors.Is(<-why, batch.ErrAbandoned))
	// Output: true true
}
