package persistence_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/memory"
)

// TestRenewalOnVirtualTime holds a 30s lease for ten minutes of virtual
// time: the renewal extends it every 10s, no one else gets it, and it is
// released at the end.
func TestRenewalOnVirtualTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := memory.New()
		ctx := context.Background()
		var extends atomic.Int64
		counting := &countingLocker{Store: s, extends: &extends}
		opts := persistence.LockOptions{TTL: 30 * time.Second}
		_, err := effect.Run(ctx, persistence.WithLock(counting, "job", opts, func(h *persistence.Held) eff.Effect[int] {
			check := effect.Sync[any, error](func() int {
				if _, err := s.TryAcquire(ctx, "job", persistence.NewOwner(), time.Second); !errors.Is(err, persistence.ErrLocked) {
					t.Errorf("at %v: TryAcquire: err = %v, want ErrLocked", time.Now(), err)
				}
				if info, _ := s.Inspect(ctx, "job"); !info.Held || info.Token != h.Token() {
					t.Errorf("Inspect = %+v, want held by %d", info, h.Token())
				}
				return 0
			})
			step := effect.AndThen(effect.Sleep[any, error](time.Minute), check)
			return effect.Repeat(step, scheduleRecurs(9))
		}), nil)
		if err != nil {
			t.Fatal(err)
		}
		// 10 minutes / 10s renewals: 60 extends, the last one may race
		// with the release.
		if n := extends.Load(); n < 59 || n > 60 {
			t.Fatalf("%d extends over 10 minutes, want 59 or 60", n)
		}
		if info, _ := s.Inspect(ctx, "job"); info.Held {
			t.Fatalf("Inspect after the scope = %+v, want released", info)
		}
	})
}

// TestLostLockInterruptsExactly force-releases a held lock at 25s: the
// renewal at 30s finds it lost and interrupts the holder then.
func TestLostLockInterruptsExactly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := memory.New()
		ctx := context.Background()
		start := time.Now()
		var finalized atomic.Bool
		opts := persistence.LockOptions{TTL: 30 * time.Second} // renews every 10s
		_, err := effect.Run(ctx, persistence.WithLock(s, "job", opts, func(h *persistence.Held) eff.Effect[int] {
			steal := effect.Sync[any, error](func() int {
				if ok, _ := s.ForceRelease(ctx, "job"); !ok {
					t.Error("ForceRelease found nothing held")
				}
				return 0
			})
			body := effect.AndThen(effect.Sleep[any, error](25*time.Second), effect.AndThen(steal, effect.Never[any, error, int]()))
			return effect.Ensuring(body, effect.Sync[any, error](func() bool { finalized.Store(true); return true }))
		}), nil)
		var lost *persistence.LockLostError
		if !errors.As(err, &lost) || !errors.Is(err, context.Canceled) || !errors.Is(err, persistence.ErrNotHeld) {
			t.Fatalf("err = %v, want an interruption (context.Canceled) by *LockLostError (ErrNotHeld)", err)
		}
		if el := time.Since(start); el != 30*time.Second {
			t.Fatalf("interrupted after %v, want 30s (the first renewal after the theft)", el)
		}
		if !finalized.Load() {
			t.Fatal("the holder's finalizer did not run")
		}
	})
}

// TestRenewalOutlivesBackendOutage: renewals fail for less than the TTL;
// the hold survives, and the failures reach OnError.
func TestRenewalOutlivesBackendOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := memory.New()
		flaky := &flakyLocker{Store: s}
		var reported atomic.Int64
		opts := persistence.LockOptions{TTL: 30 * time.Second, OnError: func(err error) {
			if !errors.Is(err, persistence.ErrUnavailable) {
				t.Errorf("OnError(%v), want ErrUnavailable", err)
			}
			reported.Add(1)
		}}
		_, err := effect.Run(context.Background(), persistence.WithLock(flaky, "job", opts, func(*persistence.Held) eff.Effect[int] {
			down := effect.Sync[any, error](func() int { flaky.down.Store(true); return 0 })
			up := effect.Sync[any, error](func() int { flaky.down.Store(false); return 0 })
			sleep := effect.Sleep[any, error](15 * time.Second)
			return effect.AndThen(down, effect.AndThen(sleep, effect.AndThen(up, effect.Sleep[any, error](time.Minute).As(0))))
		}), nil)
		if err != nil {
			t.Fatalf("a 15s outage under a 30s TTL lost the lock: %v", err)
		}
		if reported.Load() == 0 {
			t.Fatal("no renewal failure reported to OnError")
		}
	})
}

// TestOutageLongerThanTTL: renewals fail until the lease's deadline; the
// holder is interrupted then, not before.
func TestOutageLongerThanTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		flaky := &flakyLocker{Store: memory.New()}
		start := time.Now()
		opts := persistence.LockOptions{TTL: 30 * time.Second}
		_, err := effect.Run(context.Background(), persistence.WithLock(flaky, "job", opts, func(*persistence.Held) eff.Effect[int] {
			flaky.down.Store(true)
			return effect.Never[any, error, int]()
		}), nil)
		var lost *persistence.LockLostError
		if !errors.As(err, &lost) || !errors.Is(lost, persistence.ErrUnavailable) {
			t.Fatalf("err = %v, want *LockLostError wrapping ErrUnavailable", err)
		}
		if el := time.Since(start); el != 30*time.Second {
			t.Fatalf("interrupted after %v, want 30s: the lease's deadline", el)
		}
	})
}

// TestInterruptedWaiterHoldsNothing interrupts a waiting Lock at every
// moment of a virtual minute: the waiter never keeps the lock.
func TestInterruptedWaiterHoldsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := memory.New()
		ctx := context.Background()
		l, err := s.TryAcquire(ctx, "job", persistence.NewOwner(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for _, after := range []time.Duration{0, time.Millisecond, 7 * time.Millisecond, time.Second, 59 * time.Second} {
			w := effect.Scoped(persistence.Lock[any](s, "job", persistence.LockOptions{TTL: time.Minute}))
			_, err := effect.Run(ctx, w.Timeout(after+time.Nanosecond), nil)
			if !errors.Is(err, effect.ErrTimeout) {
				t.Fatalf("waiter cut after %v: err = %v, want a timeout", after, err)
			}
			if info, _ := s.Inspect(ctx, "job"); info.Token != l.Token {
				t.Fatalf("waiter cut after %v: lock now %+v, want still held by %d", after, info, l.Token)
			}
		}
	})
}

func TestLockOptionsPanics(t *testing.T) {
	s := memory.New()
	for _, c := range []struct {
		name string
		fn   func()
		want string
	}{
		{"zero TTL", func() { persistence.Lock[any](s, "k", persistence.LockOptions{}) }, "persistence.Lock: TTL must be >= 1ms, got 0s"},
		{"renew >= TTL", func() {
			persistence.TryLock[any](s, "k", persistence.LockOptions{TTL: time.Second, RenewEvery: time.Second})
		}, "persistence.TryLock: RenewEvery must be in [0, TTL), got 1s"},
		{"negative OpTimeout", func() {
			persistence.Permit[any](s, "k", 1, persistence.LockOptions{TTL: time.Second, OpTimeout: -1})
		}, "persistence.Permit: OpTimeout must be >= 0, got -1ns"},
		{"zero limit", func() { persistence.Permit[any](s, "k", 0, persistence.LockOptions{TTL: time.Second}) }, "persistence.Permit: limit must be > 0, got 0"},
		{"nil store", func() { persistence.SharedBreaker[any](nil, resourceOptions()) }, "persistence.SharedBreaker: store must not be nil"},
	} {
		func() {
			defer func() {
				if r := recover(); r != c.want {
					t.Errorf("%s: panic %v, want %q", c.name, r, c.want)
				}
			}()
			c.fn()
		}()
	}
}

func TestLockBadKey(t *testing.T) {
	_, err := effect.Run(context.Background(), effect.Scoped(persistence.Lock[any](memory.New(), "", persistence.LockOptions{TTL: time.Second})), nil)
	if !errors.Is(err, persistence.ErrInvalid) {
		t.Fatalf("Lock of an empty key: err = %v, want ErrInvalid", err)
	}
}
