package persistence_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/memory"
)

// TestLockSweep interrupts WithLock at every step of its fiber — while it
// waits for the lock, as it takes it, renews it, runs the body and releases
// it — and checks after each run that nothing holds the lock and the body
// ran at most once.
func TestLockSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var (
			store *memory.Store
			runs  int
		)
		mk := func() effect.Effect[any, error, int] {
			store, runs = memory.New(), 0
			ctx := context.Background()
			// Another owner holds the lock for 5s first: the sweep also
			// interrupts the wait.
			_, _ = store.TryAcquire(ctx, "k", persistence.NewOwner(), 5*time.Second)
			return persistence.WithLock(store, "k", persistence.LockOptions{TTL: 3 * time.Second},
				func(*persistence.Held) effect.Effect[any, error, int] {
					return effect.AndThen(effect.Sleep[any, error](4*time.Second), effect.Sync[any, error](func() int { runs++; return runs }))
				})
		}
		steps := effecttest.SweepInterrupts(t, mk, func(t testing.TB, step int, x effect.Exit[error, int]) {
			// Past the other owner's 5s, the lock is free unless this run
			// still holds it.
			time.Sleep(10 * time.Second)
			if info, _ := store.Inspect(context.Background(), "k"); info.Held {
				t.Errorf("step %d: the lock is still held (token %d)", step, info.Token)
			}
			if runs > 1 {
				t.Errorf("step %d: the body ran %d times", step, runs)
			}
			if step == 0 && (!x.IsSuccess() || runs != 1) {
				t.Errorf("uninterrupted run: %v, body ran %d times", x, runs)
			}
		})
		t.Logf("swept %d steps", steps)
		if steps < 5 {
			t.Fatalf("swept %d steps, want the whole lock's life", steps)
		}
	})
}
