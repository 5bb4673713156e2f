package stream

import (
	"context"
	"runtime"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

// Each benchmark sits beside its raw-Go baseline, so that one run prints
// the ratio:
//
//	go test -run '^$' -bench . -benchmem ./stream

const benchN = 1_000_000

// allocsPerElement reports the allocations per element of the benchmark's
// loop as a custom metric.
func allocsPerElement(b *testing.B, loop func()) {
	b.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	loop()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N)/benchN, "allocs/elem")
}

// BenchmarkChannel moves 1,000,000 ints from one producer to one consumer
// through a buffer of capacity 64.
func BenchmarkChannel(b *testing.B) {
	b.Run("native Go channel", func(b *testing.B) {
		b.ReportAllocs()
		allocsPerElement(b, func() {
			for b.Loop() {
				ch := make(chan int, 64)
				go func() {
					for i := range benchN {
						ch <- i
					}
					close(ch)
				}()
				sum := 0
				for v := range ch {
					sum += v
				}
				if sum != benchN*(benchN-1)/2 {
					b.Fatal("wrong sum")
				}
			}
		})
	})
	b.Run("Channel, Send and Receive per element", func(b *testing.B) {
		b.ReportAllocs()
		allocsPerElement(b, func() {
			for b.Loop() {
				ch := NewChannel[int](64)
				checkSum(b, effect.FlatMap(effect.Fork(sendEach(ch)), func(*effect.Fiber[error, struct{}]) Eff[int] {
					return receiveEach(ch)
				}))
			}
		})
	})
	b.Run("Channel, SendAll and ReceiveUpTo in batches of 64", func(b *testing.B) {
		b.ReportAllocs()
		allocsPerElement(b, func() {
			for b.Loop() {
				ch := NewChannel[int](64)
				checkSum(b, effect.FlatMap(effect.Fork(sendBatches(ch, 64)), func(*effect.Fiber[error, struct{}]) Eff[int] {
					return receiveBatches(ch, 64)
				}))
			}
		})
	})
	b.Run("Channel between two streams", func(b *testing.B) {
		b.ReportAllocs()
		allocsPerElement(b, func() {
			for b.Loop() {
				ch := NewChannel[int](64)
				producer := Range[any, error](0, benchN).IntoChannel(ch)
				checkSum(b, effect.FlatMap(effect.Fork(producer), func(*effect.Fiber[error, struct{}]) Eff[int] {
					return FromChannel[any, error](ch).Fold(0, func(s, v int) int { return s + v })
				}))
			}
		})
	})
}

func checkSum(b *testing.B, e Eff[int]) {
	sum, err := effect.Run(context.Background(), e, nil)
	if err != nil || sum != benchN*(benchN-1)/2 {
		b.Fatalf("got %d, %v", sum, err)
	}
}

func sendEach(ch *Channel[int]) Eff[struct{}] {
	return effect.Suspend(func() Eff[struct{}] {
		i := 0
		var loop Eff[struct{}]
		next := func(bool) Eff[struct{}] { return loop }
		loop = effect.Suspend(func() Eff[struct{}] {
			if i == benchN {
				ch.Close()
				return effect.Unit[any, error]()
			}
			v := i
			i++
			return effect.FlatMap(ch.Send[any, error](v), next)
		})
		return loop
	})
}

func receiveEach(ch *Channel[int]) Eff[int] {
	return effect.Suspend(func() Eff[int] {
		sum := 0
		recv := ch.Receive[any, error]()
		var loop Eff[int]
		loop = effect.FlatMap(recv, func(o effect.Option[int]) Eff[int] {
			if !o.OK {
				return effect.Succeed[any, error](sum)
			}
			sum += o.Value
			return loop
		})
		return loop
	})
}

func sendBatches(ch *Channel[int], size int) Eff[struct{}] {
	return effect.Suspend(func() Eff[struct{}] {
		i := 0
		buf := make([]int, size)
		var loop Eff[struct{}]
		next := func(int) Eff[struct{}] { return loop }
		loop = effect.Suspend(func() Eff[struct{}] {
			if i == benchN {
				ch.Close()
				return effect.Unit[any, error]()
			}
			k := min(size, benchN-i)
			for j := range k {
				buf[j] = i + j
			}
			i += k
			return effect.FlatMap(ch.SendAll[any, error](buf[:k]), next)
		})
		return loop
	})
}

func receiveBatches(ch *Channel[int], size int) Eff[int] {
	return effect.Suspend(func() Eff[int] {
		sum := 0
		var loop Eff[int]
		loop = effect.FlatMap(ch.ReceiveUpTo[any, error](size), func(c []int) Eff[int] {
			if len(c) == 0 {
				return effect.Succeed[any, error](sum)
			}
			for _, v := range c {
				sum += v
			}
			return loop
		})
		return loop
	})
}

// BenchmarkMapFilter runs 1,000,000 ints through a map and a filter into a
// sum.
func BenchmarkMapFilter(b *testing.B) {
	xs := make([]int, benchN)
	for i := range xs {
		xs[i] = i
	}
	want := 0
	for _, x := range xs {
		if y := x * 3; y%2 == 0 {
			want += y
		}
	}
	b.Run("plain loop", func(b *testing.B) {
		b.ReportAllocs()
		allocsPerElement(b, func() {
			for b.Loop() {
				sum := 0
				for _, x := range xs {
					if y := triple(x); even(y) {
						sum += y
					}
				}
				if sum != want {
					b.Fatal("wrong sum")
				}
			}
		})
	})
	b.Run("stream", func(b *testing.B) {
		b.ReportAllocs()
		s := FromSlice[any, error](xs).Map(triple).Filter(even).Fold(0, func(s, y int) int { return s + y })
		allocsPerElement(b, func() {
			for b.Loop() {
				sum, err := effect.Run(context.Background(), s, nil)
				if err != nil || sum != want {
					b.Fatal("wrong sum")
				}
			}
		})
	})
}

//go:noinline
func triple(x int) int { return x * 3 }

//go:noinline
func even(y int) bool { return y%2 == 0 }
