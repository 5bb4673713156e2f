package stm

import (
	"context"
	"sync"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

// A TRef update against a mutex-protected variable, each measured the way a
// user calls it: from plain Go through effect.Run (building the effect each
// time), and inside one fiber (a built transaction run again and again).

func inc(v int) int { return v + 1 }

func BenchmarkTRefUpdate(b *testing.B) {
	ctx := context.Background()
	b.Run("uncontended/stm-run", func(b *testing.B) {
		r := NewTRef(0)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := effect.Run(ctx, Atomically[any](func(tx *Tx) int { return r.Update(tx, inc) }), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("uncontended/stm-in-fiber", func(b *testing.B) {
		r := NewTRef(0)
		update := Atomically[any](func(tx *Tx) int { return r.Update(tx, inc) })
		n := b.N
		var loop eff[int]
		loop = effect.FlatMap(update, func(v int) eff[int] {
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
	b.Run("uncontended/mutex", func(b *testing.B) {
		var mu sync.Mutex
		v := 0
		b.ReportAllocs()
		for b.Loop() {
			mu.Lock()
			v = inc(v)
			mu.Unlock()
		}
	})
	b.Run("contended/stm-run", func(b *testing.B) { benchContended(ctx, b, exclusiveAfter) })
	b.Run("contended/stm-run-global-lock", func(b *testing.B) { benchContended(ctx, b, 0) })
	b.Run("contended/mutex", func(b *testing.B) {
		var mu sync.Mutex
		v := 0
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.Lock()
				v = inc(v)
				mu.Unlock()
			}
		})
	})
	// Disjoint TRefs, one per goroutine: what the single commit lock costs
	// transactions that share nothing.
	b.Run("disjoint/stm-run", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			r := NewTRef(0)
			update := Atomically[any](func(tx *Tx) int { return r.Update(tx, inc) })
			for pb.Next() {
				if _, err := effect.Run(ctx, update, nil); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("disjoint/mutex", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			var mu sync.Mutex
			v := 0
			for pb.Next() {
				mu.Lock()
				v = inc(v)
				mu.Unlock()
			}
			_ = v
		})
	})
}

// A transfer between two of 64 accounts: a read-modify-write of two TRefs,
// against a mutex over the whole bank. The stm runs are made twice: with
// optimistic transactions (the design), and with every attempt holding the
// commit lock (the alternative of one global lock), to measure the choice.
func BenchmarkTransfer(b *testing.B) {
	ctx := context.Background()
	const n = 64
	for _, mode := range []struct {
		name  string
		after int
	}{{"stm-optimistic", exclusiveAfter}, {"stm-global-lock", 0}} {
		b.Run(mode.name, func(b *testing.B) {
			defer func(old int) { exclusiveAfter = old }(exclusiveAfter)
			exclusiveAfter = mode.after
			benchTransfer(ctx, b, n)
		})
	}
	b.Run("mutex", func(b *testing.B) {
		var mu sync.Mutex
		accts := make([]int, n)
		for i := range accts {
			accts[i] = 1000
		}
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				from, to := i%n, (i*7+1)%n
				i++
				mu.Lock()
				if accts[from] > 0 {
					accts[from]--
					accts[to]++
				}
				mu.Unlock()
			}
		})
	})
}

// benchContended runs parallel updates of one TRef, with the attempts of a
// transaction going under the commit lock after the given conflicts (0: the
// one-global-lock design).
func benchContended(ctx context.Context, b *testing.B, after int) {
	defer func(old int) { exclusiveAfter = old }(exclusiveAfter)
	exclusiveAfter = after
	r := NewTRef(0)
	update := Atomically[any](func(tx *Tx) int { return r.Update(tx, inc) })
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := effect.Run(ctx, update, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if r.Load() != b.N {
		b.Fatalf("lost updates: %d of %d", r.Load(), b.N)
	}
}

func benchTransfer(ctx context.Context, b *testing.B, n int) {
	accts := make([]*TRef[int], n)
	for i := range accts {
		accts[i] = NewTRef(1000)
	}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			from, to := accts[i%n], accts[(i*7+1)%n]
			i++
			if _, err := effect.Run(ctx, Atomically[any](func(tx *Tx) int {
				v := from.Get(tx)
				if v == 0 {
					return 0
				}
				from.Set(tx, v-1)
				return to.Update(tx, inc)
			}), nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// Parallel read-only transactions summing 16 TRefs while one writer in four
// updates them: optimistic readers take no lock; under the global-lock
// design every reader takes it.
func BenchmarkReadMostly(b *testing.B) {
	ctx := context.Background()
	for _, mode := range []struct {
		name  string
		after int
	}{{"stm-optimistic", exclusiveAfter}, {"stm-global-lock", 0}} {
		b.Run(mode.name, func(b *testing.B) {
			defer func(old int) { exclusiveAfter = old }(exclusiveAfter)
			exclusiveAfter = mode.after
			refs := make([]*TRef[int], 16)
			for i := range refs {
				refs[i] = NewTRef(i)
			}
			sum := Atomically[any](func(tx *Tx) int {
				s := 0
				for _, r := range refs {
					s += r.Get(tx)
				}
				return s
			})
			bump := Atomically[any](func(tx *Tx) int { return refs[3].Update(tx, inc) })
			b.ReportAllocs()
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					e := sum
					if i%4 == 0 {
						e = bump
					}
					i++
					if _, err := effect.Run(ctx, e, nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
	b.Run("rwmutex", func(b *testing.B) {
		var mu sync.RWMutex
		vals := make([]int, 16)
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if i%4 == 0 {
					mu.Lock()
					vals[3]++
					mu.Unlock()
				} else {
					mu.RLock()
					s := 0
					for _, v := range vals {
						s += v
					}
					_ = s
					mu.RUnlock()
				}
				i++
			}
		})
	})
}
