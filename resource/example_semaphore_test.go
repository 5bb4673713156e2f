package resource_test

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

// Eff is the effect shape of the examples: no environment, error failures.
type Eff[A any] = effect.Effect[any, error, A]

func ExampleNewSemaphore() {
	// At most 2 of the 6 jobs run at once, whatever the parallelism.
	var running, peak atomic.Int64
	job := func(int) Eff[struct{}] {
		return effect.Sync[any, error](func() struct{} {
			n := running.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			return struct{}{}
		}).AndThen(effect.Yield[any, error]()).
			AndThen(effect.Sync[any, error](func() struct{} { running.Add(-1); return struct{}{} }))
	}
	prog := effect.Scoped(effect.FlatMap(resource.NewSemaphore[any, error](2), func(s *resource.Semaphore) Eff[[]struct{}] {
		return effect.ForEachPar([]int{1, 2, 3, 4, 5, 6}, func(i int) Eff[struct{}] {
			return s.WithPermits(1, job(i))
		}, effect.Par{})
	}))
	_, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(peak.Load() <= 2, err)
	// Output: true <nil>
}

func ExampleSemaphore_WithPermits() {
	prog := effect.Scoped(effect.FlatMap(resource.NewSemaphore[any, error](3), func(s *resource.Semaphore) Eff[int64] {
		// A heavy job takes 2 of the 3 permits while it runs.
		inside := effect.Sync[any, error](s.Available)
		return effect.FlatMap(s.WithPermits(2, inside), func(during int64) Eff[int64] {
			fmt.Println("available during:", during)
			return effect.Sync[any, error](s.Available)
		})
	}))
	after, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println("available after:", after)
	// Output:
	// available during: 1
	// available after: 3
}

func ExampleSemaphore_AcquireScoped() {
	prog := effect.Scoped(effect.FlatMap(resource.NewSemaphore[any, error](1), func(s *resource.Semaphore) Eff[bool] {
		// The permit is held until the inner scope closes.
		held := effect.Scoped(effect.AndThen(s.AcquireScoped[any, error](1), effect.Sync[any, error](func() bool { return s.TryAcquire(1) })))
		return effect.FlatMap(held, func(got bool) Eff[bool] {
			fmt.Println("second acquire while held:", got)
			return effect.Sync[any, error](func() bool { return s.TryAcquire(1) })
		})
	}))
	v, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println("after the scope:", v)
	// Output:
	// second acquire while held: false
	// after the scope: true
}

func ExampleSemaphore_Acquire() {
	prog := effect.Scoped(effect.FlatMap(resource.NewSemaphore[any, error](2), func(s *resource.Semaphore) Eff[int64] {
		// Acquire and Release by hand: mask the acquire and the release so
		// that no interruption can come between them and the work.
		return effect.UninterruptibleMask(func(restore effect.Restore) Eff[int64] {
			work := effect.Sync[any, error](s.Available)
			return effect.AndThen(restore.Apply(s.Acquire[any, error](2)),
				effect.Ensuring(restore.Apply(work), effect.Sync[any, error](func() struct{} { s.Release(2); return struct{}{} })))
		})
	}))
	v, err := effect.Run(context.Background(), prog, nil)
	fmt.Println(v, err)
	// Output: 0 <nil>
}

func ExampleSemaphore_TryAcquire() {
	prog := effect.Scoped(effect.Map(resource.NewSemaphore[any, error](2), func(s *resource.Semaphore) string {
		first, second := s.TryAcquire(2), s.TryAcquire(1)
		s.Release(2)
		return fmt.Sprint(first, second, s.Available(), s.Waiting())
	}))
	v, _ := effect.Run(context.Background(), prog, nil)
	fmt.Println(v)
	// Output: true false 2 0
}
