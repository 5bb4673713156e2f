package resource_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/gogoscope/gogoscope/resource"
)

// The interruption-point sweeps: each runs an operation once to count the
// steps of its fiber, then once more for every step k, interrupting the
// fiber right before step k (effecttest.SweepInterrupts, on the runtime's
// step hook), and asserts after every run that the permits, pool slots and
// breaker counts are exactly what they were before the operation. Each run
// gets a fresh resource, made by mk on a runtime of its own.

// sweepMin is the fewest steps a sweep must have found, so that a sweep
// that silently swept nothing fails.
const sweepMin = 5

// sweep runs one sweep in a subtest, inside a synctest bubble so that the
// sleeps of the swept operation take no real time. setup runs in the bubble
// and returns mk and check; owner is a runtime for the resources that mk
// makes afresh for every run, and for helper fibers that must not be swept.
func sweep[A any](t *testing.T, name string, setup func(t *testing.T, owner *effect.Runtime) (mk func() eff[A], check func(t testing.TB, step int, x effect.Exit[error, A]))) {
	t.Run(name, func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			owner := effect.NewRuntime()
			t.Cleanup(func() { _ = owner.Shutdown(context.Background()) })
			mk, check := setup(t, owner)
			steps := effecttest.SweepInterrupts(t, mk, check)
			if steps < sweepMin {
				t.Fatalf("swept only %d steps", steps)
			}
			t.Logf("swept %d interruption points", steps)
		})
	})
}

// helpers starts fibers on the owner runtime, outside the swept fiber, and
// waits for them.
type helpers struct {
	owner *effect.Runtime
	fbs   []*effect.Fiber[error, struct{}]
}

func (h *helpers) start(e unit) {
	h.fbs = append(h.fbs, h.owner.Start(context.Background(), e, nil))
}

func (h *helpers) wait() {
	for _, fb := range h.fbs {
		<-fb.Done()
	}
	h.fbs = nil
}

// semSweep sweeps the operation that op makes on a fresh semaphore of size
// permits, and checks that every permit is back and no one waits.
func semSweep(t *testing.T, name string, permits int64, op func(s *resource.Semaphore, h *helpers) unit) {
	sweep(t, name, func(t *testing.T, owner *effect.Runtime) (func() unit, func(testing.TB, int, effect.Exit[error, struct{}])) {
		var (
			s     *resource.Semaphore
			close func()
			h     = &helpers{owner: owner}
		)
		t.Cleanup(func() {
			if close != nil {
				close()
			}
		})
		mk := func() unit {
			if close != nil {
				close()
			}
			s, close = openSemaphore(t, owner, permits)
			return op(s, h)
		}
		check := func(t testing.TB, step int, x effect.Exit[error, struct{}]) {
			t.Helper()
			h.wait()
			if a, w := s.Available(), s.Waiting(); a != permits || w != 0 {
				t.Fatalf("interrupted at step %d (%v): %d available, %d waiting; want %d, 0", step, x, a, w, permits)
			}
			// No stale holder: every record went with its permits.
			if holders, detail := s.BlockerHolders(); holders != nil {
				t.Fatalf("interrupted at step %d (%v): holders %v (%s) left", step, x, holders, detail)
			}
		}
		return mk, check
	})
}

var sweepBody = effect.Yield[any, error]().AndThen(effect.Sleep[any, error](time.Millisecond))

func TestSweepSemaphore(t *testing.T) {
	semSweep(t, "WithPermits uncontended", 3, func(s *resource.Semaphore, _ *helpers) unit {
		return s.WithPermits(2, sweepBody)
	})
	semSweep(t, "WithPermits after a wait", 2, func(s *resource.Semaphore, h *helpers) unit {
		s.TryAcquire(2)
		h.start(effect.Sleep[any, error](time.Millisecond).Ensuring(sync0(func() { s.Release(2) })))
		return s.WithPermits(1, sweepBody)
	})
	semSweep(t, "AcquireScoped", 2, func(s *resource.Semaphore, _ *helpers) unit {
		return effect.Scoped(s.AcquireScoped[any, error](2).AndThen(sweepBody))
	})
	semSweep(t, "Acquire and Release by hand", 1, func(s *resource.Semaphore, _ *helpers) unit {
		return effect.UninterruptibleMask(func(restore effect.Restore) unit {
			return effect.AndThen(restore.Apply(s.Acquire[any, error](1)),
				effect.Ensuring(restore.Apply(sweepBody), sync0(func() { s.Release(1) })))
		})
	})
}

// breakerSweep sweeps cb.Execute(sweepBody) on a fresh breaker that prime
// has brought to some state, and checks that an interrupted call left the
// record as prime left it, and a finished one counted once.
func breakerSweep(t *testing.T, name string, opts resource.BreakerOptions, prime func(cb *resource.CircuitBreaker, owner *effect.Runtime),
	want func(before resource.BreakerRecord, x effect.Exit[error, struct{}]) resource.BreakerRecord) {
	sweep(t, name, func(t *testing.T, owner *effect.Runtime) (func() unit, func(testing.TB, int, effect.Exit[error, struct{}])) {
		var (
			cb     *resource.CircuitBreaker
			close  func()
			before resource.BreakerRecord
		)
		t.Cleanup(func() {
			if close != nil {
				close()
			}
		})
		mk := func() unit {
			if close != nil {
				close()
			}
			cb, close = openBreaker(t, owner, opts)
			prime(cb, owner)
			before = snapshot(t, cb)
			return cb.Execute(sweepBody)
		}
		check := func(t testing.TB, step int, x effect.Exit[error, struct{}]) {
			t.Helper()
			got, w := snapshot(t, cb), want(before, x)
			if got.State != w.State || got.Failures != w.Failures || got.Trials != w.Trials || got.Successes != w.Successes {
				t.Fatalf("interrupted at step %d (%v): breaker %+v, want %+v", step, x, got, w)
			}
		}
		return mk, check
	})
}

func failBreaker(cb *resource.CircuitBreaker, owner *effect.Runtime, times int) {
	for range times {
		_, _ = owner.Run(context.Background(), cb.Execute(effect.Fail[any, int](errBoom)), nil)
	}
}

func TestSweepBreaker(t *testing.T) {
	breakerSweep(t, "closed with failures", resource.BreakerOptions{FailureThreshold: 5},
		func(cb *resource.CircuitBreaker, owner *effect.Runtime) { failBreaker(cb, owner, 2) },
		func(before resource.BreakerRecord, x effect.Exit[error, struct{}]) resource.BreakerRecord {
			if x.IsSuccess() {
				before.Failures = 0
			}
			return before
		})
	breakerSweep(t, "half-open trial", resource.BreakerOptions{FailureThreshold: 1, ResetTimeout: time.Second, HalfOpenCalls: 2},
		func(cb *resource.CircuitBreaker, owner *effect.Runtime) {
			failBreaker(cb, owner, 1)
			time.Sleep(time.Second)
		},
		func(before resource.BreakerRecord, x effect.Exit[error, struct{}]) resource.BreakerRecord {
			if x.IsSuccess() {
				before.Successes = 1
			}
			return before
		})
	breakerSweep(t, "open", resource.BreakerOptions{FailureThreshold: 1, ResetTimeout: time.Hour},
		func(cb *resource.CircuitBreaker, owner *effect.Runtime) { failBreaker(cb, owner, 1) },
		func(before resource.BreakerRecord, x effect.Exit[error, struct{}]) resource.BreakerRecord {
			return before
		})
}

// poolSweep sweeps the operation that op makes on a fresh pool made with
// opts (from a fresh factory), and checks the pool's books after every run:
// nothing lent, no one waiting, every place either idle or given back, and
// every conn made either idle or destroyed; exact, when want is not nil.
func poolSweep(t *testing.T, name string, opts func(f *factory) resource.PoolOptions[*conn], want *resource.PoolStats,
	op func(p *resource.Pool[*conn], f *factory, h *helpers) unit) {
	sweep(t, name, func(t *testing.T, owner *effect.Runtime) (func() unit, func(testing.TB, int, effect.Exit[error, struct{}])) {
		var (
			p     *resource.Pool[*conn]
			f     *factory
			close func()
			h     = &helpers{owner: owner}
		)
		t.Cleanup(func() {
			if close != nil {
				close()
			}
		})
		mk := func() unit {
			if close != nil {
				close()
			}
			f = &factory{}
			p, close = openPool(t, owner, opts(f))
			return op(p, f, h)
		}
		check := func(t testing.TB, step int, x effect.Exit[error, struct{}]) {
			t.Helper()
			h.wait()
			st := p.Stats()
			made, destroyed := f.counts()
			if st.InUse != 0 || st.Waiters != 0 || st.Size != st.Idle || made-len(destroyed) != st.Size || want != nil && st != *want {
				t.Fatalf("interrupted at step %d (%v): stats %+v with %d made and %d destroyed", step, x, st, made, len(destroyed))
			}
			if holders, detail := p.BlockerHolders(); holders != nil {
				t.Fatalf("interrupted at step %d (%v): holders %v (%s) left", step, x, holders, detail)
			}
		}
		return mk, check
	})
}

// slowFactory is a factory whose creations and destructions take steps
// and time, so that a sweep interrupts them halfway.
func slowOptions(minSize, maxSize int) func(f *factory) resource.PoolOptions[*conn] {
	return func(f *factory) resource.PoolOptions[*conn] {
		o := f.options(minSize, maxSize)
		o.Create = effect.AndThen(sweepBody, f.create())
		o.Destroy = func(c *conn) unit { return effect.AndThen(sweepBody, f.destroy(c)) }
		return o
	}
}

func TestSweepPool(t *testing.T) {
	use := func(p *resource.Pool[*conn], _ *factory, _ *helpers) unit {
		return effect.Void(resource.Use(p, func(*conn) eff[int] { return sweepBody.As(1) }))
	}
	poolSweep(t, "Use an idle conn", slowOptions(1, 2), &resource.PoolStats{Size: 1, Idle: 1}, use)
	poolSweep(t, "Use creates a conn", slowOptions(0, 2), nil, use)
	poolSweep(t, "Use after a wait", slowOptions(1, 1), &resource.PoolStats{Size: 1, Idle: 1},
		func(p *resource.Pool[*conn], f *factory, h *helpers) unit {
			h.start(effect.Void(resource.Use(p, func(*conn) eff[int] { return effect.Sleep[any, error](time.Millisecond).As(0) })))
			effecttest.WaitIdle()
			return use(p, f, h)
		})
	poolSweep(t, "Use with a health check that fails",
		func(f *factory) resource.PoolOptions[*conn] {
			o := slowOptions(2, 2)(f)
			o.Check = func(c *conn) unit {
				return effect.AndThen(sweepBody, effect.Suspend(func() unit {
					if c.id == 2 {
						return effect.Fail[any, struct{}](errors.New("unhealthy"))
					}
					return effect.Unit[any, error]()
				}))
			}
			return o
		}, nil, use)
	poolSweep(t, "Use that breaks the conn",
		func(f *factory) resource.PoolOptions[*conn] {
			o := slowOptions(1, 1)(f)
			o.Broken = func(err error) bool { return errors.Is(err, errBoom) }
			return o
		}, nil,
		func(p *resource.Pool[*conn], _ *factory, _ *helpers) unit {
			return effect.Void(resource.Use(p, func(*conn) eff[int] { return effect.AndThen(sweepBody, effect.Fail[any, int](errBoom)) }))
		})
	poolSweep(t, "AcquireScoped", slowOptions(1, 2), &resource.PoolStats{Size: 1, Idle: 1},
		func(p *resource.Pool[*conn], _ *factory, _ *helpers) unit {
			return effect.Scoped(effect.AndThen(p.AcquireScoped[any, error](), sweepBody))
		})
	poolSweep(t, "Acquire, then Invalidate by hand", slowOptions(1, 2), nil,
		func(p *resource.Pool[*conn], _ *factory, _ *helpers) unit {
			return effect.UninterruptibleMask(func(restore effect.Restore) unit {
				return effect.FlatMap(p.Acquire[any, error](), func(l resource.Lease[*conn]) unit {
					return effect.Ensuring(restore.Apply(sweepBody), p.Invalidate[any, error](l))
				})
			})
		})
	poolSweep(t, "Acquire that times out",
		func(f *factory) resource.PoolOptions[*conn] {
			o := slowOptions(1, 1)(f)
			o.AcquireTimeout = time.Millisecond
			return o
		}, &resource.PoolStats{Size: 1, Idle: 1},
		func(p *resource.Pool[*conn], f *factory, h *helpers) unit {
			h.start(effect.Void(resource.Use(p, func(*conn) eff[int] { return effect.Sleep[any, error](2 * time.Millisecond).As(0) })))
			effecttest.WaitIdle()
			return use(p, f, h)
		})
}
