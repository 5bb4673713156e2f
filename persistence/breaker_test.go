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
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/schedule"
)

// loadCounter counts the Loads that reach the store.
type loadCounter struct {
	*memory.Store
	loads atomic.Int64
}

func (c *loadCounter) Load(ctx context.Context, name string) (resource.BreakerRecord, error) {
	c.loads.Add(1)
	return c.Store.Load(ctx, name)
}

// TestSharedBreakerAdmitsFromItsCopy: calls through a shared breaker are
// admitted from the copy the watch keeps, without a Load each; a change
// made through another store reaches the copy, and the next call is
// refused.
func TestSharedBreakerAdmitsFromItsCopy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := memory.New()
		counted := &loadCounter{Store: inner}
		opts := resource.BreakerOptions{Name: "svc", FailureThreshold: 1, ResetTimeout: time.Hour}
		ok := effect.Succeed[any, error](1)
		_, err := effect.Run(context.Background(), effect.Scoped(effect.FlatMap(persistence.SharedBreaker[any](counted, opts),
			func(cb *resource.CircuitBreaker) eff.Effect[int] {
				calls := effect.Repeat(cb.Execute(ok), schedule.Recurs(99))
				open := effect.Sync[any, error](func() int {
					if n := counted.loads.Load(); n > 1 {
						t.Errorf("%d Loads for 100 calls, want only the starting one", n)
					}
					// Another replica opens the breaker.
					_, _ = inner.Update(context.Background(), "svc", func(r resource.BreakerRecord) resource.BreakerRecord {
						return resource.BreakerRecord{State: resource.BreakerOpen, Generation: r.Generation + 1, OpenedAt: time.Now()}
					})
					return 0
				})
				settle := effect.Sleep[any, error](time.Millisecond) // the watch's fiber runs
				return effect.AndThen(calls, effect.AndThen(open, effect.AndThen(settle, cb.Execute(ok))))
			})), nil)
		if !errors.Is(err, resource.ErrBreakerOpen) {
			t.Fatalf("call after another replica opened the breaker: err = %v, want ErrBreakerOpen", err)
		}
	})
}
