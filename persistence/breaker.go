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
// [resource.NewCircuitBreaker] makes one, owned by the current scope, with
// a store that serves the breaker's reads from a copy of its record, kept
// fresh by [BreakerWatcher.WatchBreaker] on a fiber of the current scope
// (it ends when the scope closes; while the backend is unreachable it
// retries with backoff, and reads go to the store).
//
// So a call costs one round trip (the count) instead of two: its admission
// reads the copy, which lags the server by the time a change takes to be
// pushed (Redis, PostgreSQL: about a round trip) or polled (MySQL, SQLite
// across processes: the store's PollInterval). A replica may therefore let
// a call through for that long after another opened the breaker. Counting
// and every change of state (to half-open, to closed) go to the server.
//
// opts.OnStateChange, if set, is called once for each change of state the
// breaker sees, whoever made it: the changes made by this breaker's calls,
// as they happen, and those made elsewhere, as the watch sees them. Its
// from is the state last reported. An open breaker whose reset timeout has
// passed shows as half-open only once a call asks.
func SharedBreaker[R any](store BreakerWatcher, opts resource.BreakerOptions) effect.Effect[R, error, *resource.CircuitBreaker] {
	if store == nil {
		panic("persistence.SharedBreaker: store must not be nil")
	}
	name := opts.Name
	if name == "" {
		name = "breaker"
	}
	hook := opts.OnStateChange
	return effect.Suspend(func() effect.Effect[R, error, *resource.CircuitBreaker] {
		// One tracker and one copy per run of the effect: each breaker
		// made reports its own changes.
		tr := &stateTracker{hook: hook, name: name}
		c := &breakerCache{BreakerWatcher: store, name: name}
		o := withStore(opts, c)
		if hook != nil {
			o.OnStateChange = func(_ string, from, to resource.BreakerState) { tr.local(from, to) }
		}
		watch := effect.Try[R](func(ctx context.Context) (struct{}, error) {
			err := store.WatchBreaker(ctx, name, func(r resource.BreakerRecord) {
				c.set(r, true)
				if hook != nil {
					tr.remote(r.State)
				}
			})
			c.set(resource.BreakerRecord{}, false)
			return struct{}{}, err
		}).Retry(schedule.Exponential(50 * time.Millisecond).Capped(5 * time.Second))
		// The state when the breaker is made is the starting point: the
		// watch reports what differs from it, even if its first load
		// comes after a change.
		// It also primes the copy, which the watch, forked next, keeps
		// fresh from its first load on (or drops, if it fails).
		start := effect.Try[R](func(ctx context.Context) (struct{}, error) {
			if r, err := store.Load(ctx, name); err == nil {
				c.set(r, true)
				if hook != nil {
					tr.remote(r.State)
				}
			}
			return struct{}{}, nil
		})
		return effect.FlatMap(effect.AndThen(start, resource.NewCircuitBreaker[R, error](o)), func(cb *resource.CircuitBreaker) effect.Effect[R, error, *resource.CircuitBreaker] {
			return effect.As(effect.Fork(watch), cb)
		})
	})
}

// breakerCache is the store of a shared breaker: reads of its name come
// from a copy of the record while the watch keeps it fresh (live), and from
// the store otherwise; updates go to the store and refresh the copy.
type breakerCache struct {
	BreakerWatcher
	name string
	mu   sync.Mutex
	live bool
	rec  resource.BreakerRecord
}

func (c *breakerCache) set(r resource.BreakerRecord, live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live = live
	if live {
		c.rec = record.Clone(r)
	}
}

// Load returns the copy of name's record while the watch is live.
func (c *breakerCache) Load(ctx context.Context, name string) (resource.BreakerRecord, error) {
	if name == c.name {
		c.mu.Lock()
		if c.live {
			r := record.Clone(c.rec)
			c.mu.Unlock()
			return r, nil
		}
		c.mu.Unlock()
	}
	return c.BreakerWatcher.Load(ctx, name)
}

// Update updates the store, and the copy with what the store kept.
func (c *breakerCache) Update(ctx context.Context, name string, fn func(resource.BreakerRecord) resource.BreakerRecord) (resource.BreakerRecord, error) {
	r, err := c.BreakerWatcher.Update(ctx, name, fn)
	if err == nil && name == c.name {
		c.mu.Lock()
		if c.live {
			c.rec = record.Clone(r)
		}
		c.mu.Unlock()
	}
	return r, err
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
