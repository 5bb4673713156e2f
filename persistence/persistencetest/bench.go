package persistencetest

import (
	"context"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/persistence"
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
