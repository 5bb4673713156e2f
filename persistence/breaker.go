package persistence

import (
	"context"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/persistence/internal/record"
	"github.com/gogoscope/gogoscope/resource"
	"github.com/gogoscope/gogoscope/schedule"
)

// BreakerWatcher is a [resource.BreakerStore] that tells of changes of its
// records, made by any process: every backend's Store implements it, by
// push where the server can (Redis pub/sub, PostgreSQL LISTEN/NOTIFY, the
// memory store) and by polling elsewhere (MySQL, SQLite across processes).
//
// Its Update is atomic on the server (a compare-and-set on a version, retried
// on conflict), so breakers of many processes counting failures at once lose
// no count.
type BreakerWatcher interface {
	resource.BreakerStore
	// WatchBreaker calls fn with the record stored under name, then again
	// after each change of it, on the calling goroutine, until ctx ends;
	// it then returns ctx's cause. Changes that follow each other quickly
	// may be seen as one. It returns early with a [*BackendError] if the
	// watch cannot go on. fn must not block for long: it delays the next
	// change.
	WatchBreaker(ctx context.Context, name string, fn func(resource.BreakerRecord)) error
}

// PollBreaker implements [BreakerWatcher.WatchBreaker] by polling: it loads
// name's record from s at once, then every interval and whenever wake
// receives (nil: never), and calls fn when the record differs from the last
// one it passed. A failed load is skipped (the next one tries again), so it
// returns only when ctx ends, with ctx's cause. For backend authors.
func PollBreaker[T any](ctx context.Context, s resource.BreakerStore, name string, interval time.Duration, wake <-chan T, fn func(resource.BreakerRecord)) error {
	var last resource.BreakerRecord
	first := true
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if r, err := s.Load(ctx, name); err == nil && (first || !record.Equal(r, last)) {
			first, last = false, r
			fn(r)
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-wake:
		case <-t.C:
		}
	}
}

// SharedBreaker returns an effect that makes a [resource.CircuitBreaker]
// whose state lives in store: every breaker of the same name on the same
// backend (in this process or another) shares it, so that failures seen by
// one replica open the breaker for all. It is made as
// [resource.NewCircuitBreaker] makes one, with opts.Store set to store,
// and owned by the current scope.
//
// opts.OnStateChange, if set, is called once for each change of state the
// breaker sees, whoever made it: the changes made by this breaker's calls,
// as they happen, and those made elsewhere, pushed or polled by
// [BreakerWatcher.WatchBreaker] on a fiber of the current scope (it ends
// when the scope closes; while the backend is unreachable it retries with
// backoff). Its from is the state last reported. An open breaker whose
// reset timeout has passed shows as half-open only once a call asks.
func SharedBreaker[R any](store BreakerWatcher, opts resource.BreakerOptions) effect.Effect[R, error, *resource.CircuitBreaker] {
	if store == nil {
		panic("persistence.SharedBreaker: store must not be nil")
	}
	name := opts.Name
	if name == "" {
		name = "breaker"
	}
	hook := opts.OnStateChange
	if hook == nil {
		return resource.NewCircuitBreaker[R, error](withStore(opts, store))
	}
	return effect.Suspend(func() effect.Effect[R, error, *resource.CircuitBreaker] {
		// One tracker per run of the effect: each breaker made reports
		// its own changes.
		tr := &stateTracker{hook: hook, name: name}
		o := withStore(opts, store)
		o.OnStateChange = func(_ string, from, to resource.BreakerState) { tr.local(from, to) }
		watch := effect.Try[R](func(ctx context.Context) (struct{}, error) {
			return struct{}{}, store.WatchBreaker(ctx, name, func(r resource.BreakerRecord) { tr.remote(r.State) })
		}).Retry(schedule.Exponential(50 * time.Millisecond).Capped(5 * time.Second))
		// The state when the breaker is made is the starting point: the
		// watch reports what differs from it, even if its first load
		// comes after a change.
		start := effect.Try[R](func(ctx context.Context) (struct{}, error) {
			if r, err := store.Load(ctx, name); err == nil {
				tr.remote(r.State)
			}
			return struct{}{}, nil
		})
		return effect.FlatMap(effect.AndThen(start, resource.NewCircuitBreaker[R, error](o)), func(cb *resource.CircuitBreaker) effect.Effect[R, error, *resource.CircuitBreaker] {
			return effect.As(effect.Fork(watch), cb)
		})
	})
}

func withStore(o resource.BreakerOptions, s resource.BreakerStore) resource.BreakerOptions {
	o.Store = s
	return o
}

// stateTracker reports each change of state once, whether this breaker's
// call or the watch saw it first, in the order seen (the hook is called
// under its lock). The first state the watch sees is a starting point, not
// a change.
type stateTracker struct {
	hook  func(name string, from, to resource.BreakerState)
	name  string
	mu    sync.Mutex
	known bool
	last  resource.BreakerState
}

func (t *stateTracker) local(from, to resource.BreakerState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.known {
		t.known, t.last = true, from
	}
	t.move(to)
}

func (t *stateTracker) remote(to resource.BreakerState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.known {
		t.known, t.last = true, to
		return
	}
	t.move(to)
}

func (t *stateTracker) move(to resource.BreakerState) {
	if t.last != to {
		from := t.last
		t.last = to
		t.hook(t.name, from, to)
	}
}
