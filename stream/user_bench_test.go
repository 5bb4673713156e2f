package stream

import (
	"context"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
)

// What a user calls: 1,000,000 ints through a channel of capacity 64, one
// Send effect and one Receive effect per element, built at every element,
// beside a native channel in the same file so that one run prints the
// ratio. The figures are in BENCHMARKS.md ("What a user calls"):
//
//	go test -run '^$' -bench 'User' -benchmem ./stream

const userCapacity = 64

// BenchmarkUserSendReceive runs the row three ways: the native channel it
// replaces; from plain Go, a producer goroutine and the consumer each
// calling Runtime.Run once per element; and inside two fibers, each
// element's Send and Receive built and run as one step of the fiber's loop.
func BenchmarkUserSendReceive(b *testing.B) {
	const wantSum = benchN * (benchN - 1) / 2
	b.Run("baseline/native-channel", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ch := make(chan int, userCapacity)
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
			if sum != wantSum {
				b.Fatal("wrong sum", sum)
			}
		}
		reportPerElement(b)
	})
	b.Run("Run-per-element", func(b *testing.B) {
		rt := effect.NewRuntime()
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			ch := NewChannel[int](userCapacity)
			done := make(chan error, 1)
			go func() {
				for i := range benchN {
					if ok, err := rt.Run(ctx, ch.Send[any, error](i), nil); !ok || err != nil {
						done <- err
						return
					}
				}
				ch.Close()
				done <- nil
			}()
			sum := 0
			for {
				o, err := rt.Run(ctx, ch.Receive[any, error](), nil)
				if err != nil {
					b.Fatal(err)
				}
				if !o.OK {
					break
				}
				sum += o.Value
			}
			if err := <-done; err != nil || sum != wantSum {
				b.Fatal("wrong sum", sum, err)
			}
		}
		reportPerElement(b)
	})
	b.Run("in-fiber/effect-built-per-element", func(b *testing.B) {
		rt := effect.NewRuntime()
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			ch := NewChannel[int](userCapacity)
			e := effect.FlatMap(effect.Fork(userSendLoop(ch)), func(*effect.Fiber[error, struct{}]) Eff[int] {
				return userReceiveLoop(ch)
			})
			if sum, err := rt.Run(ctx, e, nil); err != nil || sum != wantSum {
				b.Fatal("wrong sum", sum, err)
			}
		}
		reportPerElement(b)
	})
}

// reportPerElement reports the time per element as a custom metric.
func reportPerElement(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchN, "ns/elem")
}

// userSendLoop sends 0..benchN-1, building each Send where it is sent, then
// closes ch.
func userSendLoop(ch *Channel[int]) Eff[struct{}] {
	var step func(i int) Eff[struct{}]
	step = func(i int) Eff[struct{}] {
		if i == benchN {
			return effect.Sync[any, error](func() struct{} { ch.Close(); return struct{}{} })
		}
		return effect.FlatMap(ch.Send[any, error](i), func(bool) Eff[struct{}] { return step(i + 1) })
	}
	return effect.Suspend(func() Eff[struct{}] { return step(0) })
}

// userReceiveLoop receives until ch is closed and drained, building each
// Receive where it is received, and succeeds with the sum.
func userReceiveLoop(ch *Channel[int]) Eff[int] {
	var step func(sum int) Eff[int]
	step = func(sum int) Eff[int] {
		return effect.FlatMap(ch.Receive[any, error](), func(o effect.Option[int]) Eff[int] {
			if !o.OK {
				return effect.Succeed[any, error](sum)
			}
			return step(sum + o.Value)
		})
	}
	return effect.Suspend(func() Eff[int] { return step(0) })
}
