package persistencetest

import (
	"context"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/schedule"
)

// BenchLock measures what a user calls, on one store: TryAcquire then
// Release from plain Go ("TryAcquireRelease"), and WithLock run through
// effect.Run with the effect built each time ("WithLock": acquire, fork of
// the renewal fiber, release). A backend's benchmark puts its raw driver
// round trips beside them.
func BenchLock(b *testing.B, s Store) {
	ctx := context.Background()
	k := key(b, "bench")
	b.Run("TryAcquireRelease", func(b *testing.B) {
		owner := persistence.NewOwner()
		b.ReportAllocs()
		for b.Loop() {
			l, err := s.TryAcquire(ctx, k, owner, 10*time.Second)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Release(ctx, l); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("WithLock", func(b *testing.B) {
		opts := persistence.LockOptions{TTL: 10 * time.Second}
		body := func(*persistence.Held) eff[int] { return effect.Succeed[any, error](1) }
		b.ReportAllocs()
		for b.Loop() {
			if _, err := effect.Run(ctx, persistence.WithLock(s, k, opts, body), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PermitAcquireRelease", func(b *testing.B) {
		owner := persistence.NewOwner()
		b.ReportAllocs()
		for b.Loop() {
			l, err := s.TryAcquirePermit(ctx, k, owner, 4, 10*time.Second)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.ReleasePermit(ctx, l); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchBreaker measures a successful call through a closed circuit breaker
// whose state lives in s: with resource.NewCircuitBreaker, an admission (a
// Load) and a count (an Update that reads and, the record being unchanged,
// writes nothing), each a round trip on a server backend; with
// persistence.SharedBreaker, the count only. The memory backend's figures
// are the in-process baseline.
func BenchBreaker(b *testing.B, s Store) {
	ctx := context.Background()
	opts := resource.BreakerOptions{Name: key(b, "bench-breaker"), Store: s}
	call := effect.Succeed[any, error](1)
	b.Run("BreakerExecute", func(b *testing.B) {
		prog := effect.Scoped(effect.FlatMap(resource.NewCircuitBreaker[any, error](opts), func(cb *resource.CircuitBreaker) eff[int] {
			return effect.Repeat(cb.Execute(call), schedule.Recurs(b.N-1)).As(0)
		}))
		b.ReportAllocs()
		b.ResetTimer()
		if _, err := effect.Run(ctx, prog, nil); err != nil {
			b.Fatal(err)
		}
	})
	// SharedBreaker admits from a copy kept fresh by the watch: one
	// round trip per call.
	b.Run("SharedBreakerExecute", func(b *testing.B) {
		prog := effect.Scoped(effect.FlatMap(persistence.SharedBreaker[any](s, opts), func(cb *resource.CircuitBreaker) eff[int] {
			return effect.Repeat(cb.Execute(call), schedule.Recurs(b.N-1)).As(0)
		}))
		b.ReportAllocs()
		b.ResetTimer()
		if _, err := effect.Run(ctx, prog, nil); err != nil {
			b.Fatal(err)
		}
	})
}
