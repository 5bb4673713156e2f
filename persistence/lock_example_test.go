package persistence_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/eff"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/memory"
)

// WithLock runs a critical section under a distributed lock: taken when the
// effect runs, renewed while the body runs, released when it ends.
func ExampleWithLock() {
	store := memory.New() // or sqlite.Open, redis.Open, postgres.Open, mysql.Open
	job := persistence.WithLock(store, "nightly-report", persistence.LockOptions{TTL: 10 * time.Second},
		func(h *persistence.Held) eff.Effect[string] {
			return eff.Sync(func() string {
				return fmt.Sprintf("report written under token %d", h.Token())
			})
		})
	out, err := eff.Run(context.Background(), job)
	fmt.Println(out, err)
	info, _ := store.Inspect(context.Background(), "nightly-report")
	fmt.Println("held afterwards:", info.Held)
	// Output:
	// report written under token 1 <nil>
	// held afterwards: false
}

// Lock makes the lock a resource of the current scope: it is held until the
// scope closes.
func ExampleLock() {
	store := memory.New()
	ctx := context.Background()
	opts := persistence.LockOptions{TTL: 10 * time.Second}
	prog := eff.Scoped(effect.FlatMap(persistence.Lock[any](store, "migrations", opts),
		func(h *persistence.Held) eff.Effect[bool] {
			return eff.Sync(func() bool {
				info, _ := store.Inspect(ctx, "migrations")
				return info.Held && info.Token == h.Token()
			})
		}))
	heldInside, err := eff.Run(ctx, prog)
	fmt.Println("held inside the scope:", heldInside, err)
	// Output: held inside the scope: true <nil>
}

// TryLock fails at once, with ErrLocked, when another owner holds the lock.
func ExampleTryLock() {
	store := memory.New()
	ctx := context.Background()
	_, _ = store.TryAcquire(ctx, "leader", persistence.NewOwner(), time.Minute) // another replica leads
	_, err := eff.Run(ctx, eff.Scoped(persistence.TryLock[any](store, "leader", persistence.LockOptions{TTL: time.Minute})))
	fmt.Println(errors.Is(err, persistence.ErrLocked))
	// Output: true
}

// WithPermit runs a body while holding one of a semaphore's permits: here,
// at most 2 exports at once across every replica.
func ExampleWithPermit() {
	store := memory.New()
	ctx := context.Background()
	export := persistence.WithPermit(store, "exports", 2, persistence.LockOptions{TTL: time.Minute},
		func(h *persistence.Held) eff.Effect[int] {
			return eff.Sync(func() int {
				info, _ := store.InspectPermits(ctx, "exports")
				return info.Held
			})
		})
	held, err := eff.Run(ctx, export)
	fmt.Println("permits held during the export:", held, err)
	// Output: permits held during the export: 1 <nil>
}

// Permit takes a permit for the rest of the current scope.
func ExamplePermit() {
	store := memory.New()
	ctx := context.Background()
	opts := persistence.LockOptions{TTL: time.Minute}
	two := effect.Zip(persistence.Permit[any](store, "gpu", 2, opts), persistence.Permit[any](store, "gpu", 2, opts))
	prog := eff.Scoped(effect.FlatMap(two, func(effect.Pair[*persistence.Held, *persistence.Held]) eff.Effect[error] {
		return eff.Sync(func() error {
			_, err := store.TryAcquirePermit(ctx, "gpu", persistence.NewOwner(), 2, time.Minute)
			return err
		})
	}))
	third, _ := eff.Run(ctx, prog)
	fmt.Println(errors.Is(third, persistence.ErrNoPermits))
	// Output: true
}

// A fencing token goes with every write to the protected resource, which
// refuses tokens older than the newest it has seen: a holder that lost its
// lock during a pause cannot overwrite its successor's work.
func ExampleHeld_Token() {
	store := memory.New()
	ctx := context.Background()
	var highest uint64 // kept by the protected resource
	write := func(token uint64) error {
		if token < highest {
			return fmt.Errorf("stale token %d < %d", token, highest)
		}
		highest = token
		return nil
	}
	old, _ := store.TryAcquire(ctx, "ledger", persistence.NewOwner(), time.Minute)
	_, _ = store.ForceRelease(ctx, "ledger") // old holder paused; its lease went away
	fresh, _ := store.TryAcquire(ctx, "ledger", persistence.NewOwner(), time.Minute)
	fmt.Println(write(fresh.Token))
	fmt.Println(write(old.Token))
	// Output:
	// <nil>
	// stale token 1 < 2
}
