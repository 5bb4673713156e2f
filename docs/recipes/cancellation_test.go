package recipes_test

// The lifetimes that docs/cancellation.md states, each checked here (those
// that effect's own tests check are cited by the chapter instead).

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
)

type ctxKey struct{}

// Try's ctx keeps Run's values and is cancelled once fn has returned.
func TestTryContextEndsWithTheCall(t *testing.T) {
	var kept context.Context
	ctx := context.WithValue(context.Background(), ctxKey{}, "request-7")
	if _, err := eff.Run(ctx, eff.Try(func(ctx context.Context) (int, error) { kept = ctx; return 1, nil })); err != nil {
		t.Fatal(err)
	}
	if kept.Err() == nil {
		t.Fatal("Try's ctx still live after fn returned")
	}
	if kept.Value(ctxKey{}) != "request-7" {
		t.Fatal("Try's ctx lost Run's values")
	}
}

// A finalizer's ctx is never cancelled, not even when Run's ctx was
// cancelled before the finalizer ran, nor after it returned; the finalizer
// learns the cancel as its err.
func TestFinalizerContextIsNeverCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Second, cancel)
		var during, finCtx context.Context
		var scopeErr error
		fin := eff.Defer(func(ctx context.Context, err error) error {
			time.Sleep(time.Second) // slow cleanup, after the cancel
			during, finCtx, scopeErr = ctx, ctx, err
			return during.Err()
		})
		_, err := eff.Run(ctx, fin.AndThen(eff.Never[int]()).Scoped())
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run: got %v, want Canceled", err)
		}
		if finCtx.Err() != nil || !errors.Is(scopeErr, context.Canceled) {
			t.Fatalf("finalizer ctx err %v (want nil), scope err %v (want Canceled)", finCtx.Err(), scopeErr)
		}
	})
}

// Run's deadline interrupts the effect, but it is not the deadline of
// Try's ctx: ctx.Deadline reports none, and the ctx is cancelled by the
// interruption, with a cause that matches context.DeadlineExceeded. A
// Timeout's deadline is visible; of nested Timeouts, the earliest.
func TestDeadlinesThatTryCanSee(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var hasDeadline bool
		var cause, ctxErr error
		_, err := eff.Run(ctx, eff.Try(func(ctx context.Context) (int, error) {
			_, hasDeadline = ctx.Deadline()
			<-ctx.Done()
			cause, ctxErr = context.Cause(ctx), ctx.Err()
			return 0, ctx.Err()
		}))
		if hasDeadline {
			t.Error("Try's ctx carries Run's deadline")
		}
		if !errors.Is(cause, context.DeadlineExceeded) || !errors.Is(ctxErr, context.Canceled) {
			t.Errorf("Try's ctx: err %v (want Canceled), cause %v (want DeadlineExceeded)", ctxErr, cause)
		}
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			t.Errorf("Run: got %v, want DeadlineExceeded and not Canceled", err)
		}

		for _, e := range []func(eff.Effect[time.Duration]) eff.Effect[time.Duration]{
			func(e eff.Effect[time.Duration]) eff.Effect[time.Duration] {
				return e.Timeout(time.Second).Timeout(time.Hour)
			},
			func(e eff.Effect[time.Duration]) eff.Effect[time.Duration] {
				return e.Timeout(time.Hour).Timeout(time.Second)
			},
		} {
			left, err := eff.Run(context.Background(), e(eff.Try(func(ctx context.Context) (time.Duration, error) {
				d, ok := ctx.Deadline()
				if !ok {
					return 0, errors.New("no deadline")
				}
				return time.Until(d), nil
			})))
			if err != nil || left != time.Second {
				t.Errorf("nested timeouts: deadline in %v (%v), want 1s", left, err)
			}
		}
	})
}

// The fibers that Runtime.Shutdown interrupts (daemons, Start) see
// ErrScopeClosed: the runtime's global scope closes. Effects run after the
// shutdown fail with ErrRuntimeShutdown. A daemon outlives the Run that
// forked it.
func TestShutdownReasons(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := effect.NewRuntime()
		var seen error
		daemon := eff.Never[int]().OnInterrupt(func(err error) eff.Effect[struct{}] { seen = err; return eff.Unit() })
		fb, err := rt.Run(context.Background(), effect.ForkDaemon(daemon), nil)
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if _, done := fb.Poll(); done {
			t.Fatal("the daemon ended with the Run that forked it")
		}
		if err := rt.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !errors.Is(seen, effect.ErrScopeClosed) {
			t.Fatalf("daemon saw %v, want ErrScopeClosed", seen)
		}
		if _, err := rt.Run(context.Background(), eff.Succeed(1), nil); !errors.Is(err, effect.ErrRuntimeShutdown) {
			t.Fatalf("Run after Shutdown: got %v, want ErrRuntimeShutdown", err)
		}
	})
}

// A value that fn returned as the interruption arrived is kept; the
// interruption takes effect at the next step that checks (a FlatMap, a
// Try, a wait), not at a pure Map.
func TestValueThatArrivedIsKept(t *testing.T) {
	call := func(cancel func()) eff.Effect[int] {
		return eff.Try(func(ctx context.Context) (int, error) { cancel(); <-ctx.Done(); return 42, nil })
	}
	ctx, cancel := context.WithCancel(context.Background())
	v, err := eff.Run(ctx, call(cancel).Map(func(n int) int { return n + 1 }))
	if v != 43 || err != nil {
		t.Fatalf("Map after the value: got %v, %v; want 43, nil", v, err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	ran := false
	_, err = eff.Run(ctx, call(cancel).FlatMap(func(n int) eff.Effect[int] {
		return eff.Sync(func() int { ran = true; return n })
	}))
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("FlatMap after the value: got %v, next step ran: %v; want Canceled, false", err, ran)
	}
}

// An uninterruptible region runs to its end with a live ctx; the
// interruption takes effect after it.
func TestUninterruptibleRegionKeepsItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var inside error = errors.New("not run")
		after := false
		region := eff.Try(func(ctx context.Context) (int, error) {
			cancel()
			time.Sleep(time.Second)
			inside = ctx.Err()
			return 1, nil
		}).Uninterruptible()
		_, err := eff.Run(ctx, region.AndThen(eff.Sync(func() bool { after = true; return true })))
		if inside != nil || after || !errors.Is(err, context.Canceled) {
			t.Fatalf("ctx inside the region: %v (want nil); step after it ran: %v; Run: %v", inside, after, err)
		}
	})
}
