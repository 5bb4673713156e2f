package persistence_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/memory"
	"github.com/gogoscope/gogoscope/schedule"
)

// Acquire waits for a lock from plain Go; a release wakes the waiter.
func ExampleAcquire() {
	store := memory.New()
	ctx := context.Background()
	first, _ := store.TryAcquire(ctx, "k", persistence.NewOwner(), time.Minute)
	go func() {
		time.Sleep(20 * time.Millisecond)
		_ = store.Release(ctx, first)
	}()
	second, err := persistence.Acquire(ctx, store, "k", persistence.NewOwner(), time.Minute, persistence.WaitOptions{})
	fmt.Println(second.Token, err)
	// Output: 2 <nil>
}

// A schedule that stops bounds the wait: here three polls, then ErrLocked.
func ExampleWaitOptions() {
	store := memory.New()
	ctx := context.Background()
	_, _ = store.TryAcquire(ctx, "k", persistence.NewOwner(), time.Minute)
	poll := schedule.Spaced(time.Millisecond).Intersect(schedule.Recurs(3)).Delays()
	_, err := persistence.Acquire(ctx, store, "k", persistence.NewOwner(), time.Minute, persistence.WaitOptions{Poll: poll})
	fmt.Println(errors.Is(err, persistence.ErrLocked))
	// Output: true
}

// AcquirePermit waits for one of a semaphore's permits from plain Go.
func ExampleAcquirePermit() {
	store := memory.New()
	ctx := context.Background()
	l, err := persistence.AcquirePermit(ctx, store, "uploads", persistence.NewOwner(), 3, time.Minute, persistence.WaitOptions{})
	fmt.Println(l.Token, err)
	fmt.Println(store.ReleasePermit(ctx, l))
	// Output:
	// 1 <nil>
	// <nil>
}

// NewOwner makes an unguessable owner token: whoever knows it can release
// the lease, so printing a Lease leaves it out.
func ExampleNewOwner() {
	owner := persistence.NewOwner()
	l, _ := memory.New().TryAcquire(context.Background(), "k", owner, time.Minute)
	fmt.Println(len(owner), l)
	// Output: 32 lease{key "k", token 1, ttl 1m0s}
}

// CheckKey is for backend authors: the rule every store applies to keys.
func ExampleCheckKey() {
	fmt.Println(persistence.CheckKey("mystore.TryAcquire", ""))
	// Output: persistence: mystore.TryAcquire: key must not be empty
}
