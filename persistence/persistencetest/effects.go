package persistencetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/resource"
)

type eff[A any] = effect.Effect[any, error, A]

func sync0[A any](f func() A) eff[A] { return effect.Sync[any, error](f) }

func testLockEffect(t *testing.T, b Backend) {
	s, other := b.New(t), b.New(t)
	ctx := ctxFor(t, 20*time.Second)
	k := key(t, "eff")
	opts := persistence.LockOptions{TTL: 5 * time.Second}
	var token uint64
	got, err := effect.Run(ctx, persistence.WithLock(s, k, opts, func(h *persistence.Held) eff[string] {
		return sync0(func() string {
			token = h.Token()
			if h.Key() != k || h.Lease().Token != token || h.Err() != nil {
				t.Errorf("held = %v, lease %v, err %v", h, h.Lease(), h.Err())
			}
			if _, err := other.TryAcquire(ctx, k, persistence.NewOwner(), time.Second); !errors.Is(err, persistence.ErrLocked) {
				t.Errorf("TryAcquire while the scope holds the lock: err = %v, want ErrLocked", err)
			}
			return "done"
		})
	}), nil)
	if err != nil || got != "done" {
		t.Fatalf("WithLock = %q, %v", got, err)
	}
	if info, err := other.Inspect(ctx, k); err != nil || info.Held || info.Token != token {
		t.Fatalf("Inspect after WithLock = %+v, %v; want released, last token %d", info, err, token)
	}
	// A failing body releases the lock too.
	boom := errors.New("boom")
	_, err = effect.Run(ctx, persistence.WithLock(s, k, opts, func(*persistence.Held) eff[int] {
		return effect.Fail[any, int](boom)
	}), nil)
	if !errors.Is(err, boom) {
		t.Fatalf("WithLock with a failing body: err = %v, want boom", err)
	}
	if info, err := other.Inspect(ctx, k); err != nil || info.Held {
		t.Fatalf("Inspect after a failing body = %+v, %v; want released", info, err)
	}
	// TryLock fails at once on a held lock.
	l, err := other.TryAcquire(ctx, k, persistence.NewOwner(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, err = effect.Run(ctx, effect.Scoped(persistence.TryLock[any](s, k, opts)), nil)
	if !errors.Is(err, persistence.ErrLocked) {
		t.Fatalf("TryLock of a held lock: err = %v, want ErrLocked", err)
	}
	if info, err := s.Inspect(ctx, k); err != nil || !info.Held || info.Token != l.Token {
		t.Fatalf("Inspect after the refused TryLock = %+v, %v; want still held by %d", info, err, l.Token)
	}
}

func testLockRenewal(t *testing.T, b Backend) {
	s, other := b.New(t), b.New(t)
	ctx := ctxFor(t, 30*time.Second)
	k := key(t, "renew")
	var renewErrs []error
	var mu sync.Mutex
	opts := persistence.LockOptions{TTL: 600 * time.Millisecond, RenewEvery: 150 * time.Millisecond,
		OnError: func(err error) { mu.Lock(); renewErrs = append(renewErrs, err); mu.Unlock() }}
	_, err := effect.Run(ctx, persistence.WithLock(s, k, opts, func(h *persistence.Held) eff[struct{}] {
		// Hold the lock for 2.5 TTLs; another owner never gets it.
		check := sync0(func() struct{} {
			if _, err := other.TryAcquire(ctx, k, persistence.NewOwner(), time.Second); !errors.Is(err, persistence.ErrLocked) {
				t.Errorf("TryAcquire during the renewed hold: err = %v, want ErrLocked", err)
			}
			if info, err := other.Inspect(ctx, k); err != nil || !info.Held || info.Token != h.Token() {
				t.Errorf("Inspect during the hold = %+v, %v; want held by %d", info, err, h.Token())
			}
			return struct{}{}
		})
		step := effect.AndThen(effect.Sleep[any, error](300*time.Millisecond), check)
		return effect.AndThen(step, effect.AndThen(step, effect.AndThen(step, effect.AndThen(step, step))))
	}), nil)
	if err != nil {
		t.Fatalf("WithLock held past its TTL: %v (renewal errors: %v)", err, renewErrs)
	}
	if info, err := other.Inspect(ctx, k); err != nil || info.Held {
		t.Fatalf("Inspect after the hold = %+v, %v; want released", info, err)
	}
}

func testLockLost(t *testing.T, b Backend) {
	s, other := b.New(t), b.New(t)
	ctx := ctxFor(t, 30*time.Second)
	k := key(t, "lost")
	opts := persistence.LockOptions{TTL: 3 * time.Second, RenewEvery: 50 * time.Millisecond}
	var held *persistence.Held
	start := time.Now()
	_, err := effect.Run(ctx, persistence.WithLock(s, k, opts, func(h *persistence.Held) eff[int] {
		held = h
		steal := sync0(func() struct{} {
			if ok, err := other.ForceRelease(ctx, k); err != nil || !ok {
				t.Errorf("ForceRelease = %v, %v", ok, err)
			}
			if _, err := other.TryAcquire(ctx, k, persistence.NewOwner(), time.Minute); err != nil {
				t.Errorf("TryAcquire after ForceRelease: %v", err)
			}
			return struct{}{}
		})
		return effect.AndThen(steal, effect.Never[any, error, int]())
	}), nil)
	var lost *persistence.LockLostError
	if !errors.As(err, &lost) || !errors.Is(err, persistence.ErrLockLost) || !errors.Is(lost, persistence.ErrNotHeld) {
		t.Fatalf("holder of a stolen lock: err = %v, want an interruption by *LockLostError (ErrNotHeld)", err)
	}
	if lost.Key != k || lost.Token != held.Token() || held.Err() == nil {
		t.Fatalf("LockLostError = %+v, held.Err() = %v; want key and token of the lost hold", lost, held.Err())
	}
	select {
	case <-held.Lost():
	default:
		t.Fatal("Held.Lost() not closed")
	}
	if el := time.Since(start); el > 2500*time.Millisecond {
		t.Fatalf("loss noticed after %v, want within a few renewals", el)
	}
}

func testLockInterruptedWaiter(t *testing.T, b Backend) {
	s, other := b.New(t), b.New(t)
	ctx := ctxFor(t, 30*time.Second)
	k := key(t, "effwait")
	l, err := other.TryAcquire(ctx, k, persistence.NewOwner(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	waiter := effect.Scoped(persistence.Lock[any](s, k, persistence.LockOptions{TTL: time.Minute}))
	_, err = effect.Run(ctx, waiter.Timeout(150*time.Millisecond), nil)
	if !errors.Is(err, effect.ErrTimeout) {
		t.Fatalf("Lock of a held lock under a 150ms timeout: err = %v, want a timeout", err)
	}
	if err := other.Release(ctx, l); err != nil {
		t.Fatal(err)
	}
	if info, err := other.Inspect(ctx, k); err != nil || info.Held {
		t.Fatalf("Inspect after the interrupted waiter = %+v, %v; want free", info, err)
	}
}

func testPermitEffect(t *testing.T, b Backend) {
	s, other := b.New(t), b.New(t)
	ctx := ctxFor(t, 20*time.Second)
	k := key(t, "permit")
	opts := persistence.LockOptions{TTL: 5 * time.Second}
	_, err := effect.Run(ctx, persistence.WithPermit(s, k, 2, opts, func(h1 *persistence.Held) eff[int] {
		return persistence.WithPermit(other, k, 2, opts, func(h2 *persistence.Held) eff[int] {
			return sync0(func() int {
				if h2.Token() <= h1.Token() {
					t.Errorf("permit tokens %d then %d, want increasing", h1.Token(), h2.Token())
				}
				if _, err := other.TryAcquirePermit(ctx, k, persistence.NewOwner(), 2, time.Second); !errors.Is(err, persistence.ErrNoPermits) {
					t.Errorf("third permit of 2: err = %v, want ErrNoPermits", err)
				}
				return 0
			})
		})
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := other.InspectPermits(ctx, k); err != nil || info.Held != 0 {
		t.Fatalf("InspectPermits after the scopes = %+v, %v; want none held", info, err)
	}
}

// testSharedBreakerEffect opens a breaker through one store and checks that
// a breaker of the same name on another store reports the change once.
func testSharedBreakerEffect(t *testing.T, b Backend) {
	s1, s2 := b.New(t), b.New(t)
	ctx := ctxFor(t, 30*time.Second)
	name := key(t, "shared")
	changes := make(chan [2]resource.BreakerState, 8)
	opts := resource.BreakerOptions{Name: name, FailureThreshold: 2, ResetTimeout: time.Hour}
	watched := opts
	watched.OnStateChange = func(_ string, from, to resource.BreakerState) { changes <- [2]resource.BreakerState{from, to} }
	fail := effect.Fail[any, int](errDown)
	prog := effect.Scoped(effect.FlatMap(persistence.SharedBreaker[any](s2, watched), func(cb2 *resource.CircuitBreaker) eff[int] {
		return effect.FlatMap(persistence.SharedBreaker[any](s1, opts), func(cb1 *resource.CircuitBreaker) eff[int] {
			failOnce := effect.Catch(cb1.Execute(fail), func(error) eff[int] { return effect.Succeed[any, error](0) })
			wait := effect.Try[any](func(ctx2 contextT) (int, error) {
				select {
				case c := <-changes:
					if c != [2]resource.BreakerState{resource.BreakerClosed, resource.BreakerOpen} {
						t.Errorf("change seen by the other breaker = %v, want closed -> open", c)
					}
				case <-time.After(10 * time.Second):
					t.Error("the other breaker saw no change within 10s")
				}
				return 0, nil
			})
			return effect.AndThen(failOnce, effect.AndThen(failOnce, effect.AndThen(wait, cb2.Execute(effect.Succeed[any, error](1)))))
		})
	}))
	_, err := effect.Run(ctx, prog, nil)
	if !errors.Is(err, resource.ErrBreakerOpen) {
		t.Fatalf("call through the other breaker: err = %v, want ErrBreakerOpen", err)
	}
	select {
	case c := <-changes:
		t.Fatalf("a second change reported: %v", c)
	default:
	}
}
