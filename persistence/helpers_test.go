package persistence_test

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/gogoscope/gogoscope/persistence"
	"github.com/gogoscope/gogoscope/persistence/memory"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/schedule"
)

// countingLocker counts the extends that reach the store.
type countingLocker struct {
	*memory.Store
	extends *atomic.Int64
}

func (c *countingLocker) Extend(ctx context.Context, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	c.extends.Add(1)
	return c.Store.Extend(ctx, l, ttl)
}

// flakyLocker fails every Extend with a backend error while down.
type flakyLocker struct {
	*memory.Store
	down atomic.Bool
}

func (f *flakyLocker) Extend(ctx context.Context, l persistence.Lease, ttl time.Duration) (persistence.Lease, error) {
	if f.down.Load() {
		return persistence.Lease{}, persistence.NewBackendError("flaky", "Extend", errors.New("connection refused"), "")
	}
	return f.Store.Extend(ctx, l, ttl)
}

func scheduleRecurs(n int) schedule.Schedule[int] { return schedule.Recurs(n) }

func resourceOptions() resource.BreakerOptions { return resource.BreakerOptions{Name: "b"} }
