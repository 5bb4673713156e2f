package cache

import (
	"fmt"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/stream"
)

// Options configures a [Cache]. The zero Options makes a cache without a
// size limit whose values never expire and which keeps no failures.
type Options struct {
	// Capacity is the most entries the cache keeps. When storing a value
	// would exceed it, the least recently used entry is evicted. Lookups in
	// flight do not count: they are entries once they have a value. Zero
	// means no limit.
	Capacity int
	// TTL is how long a value stays fresh after its lookup succeeded (or
	// after [Cache.Set]). A Get never returns a value older than that: it
	// looks the key up again. Zero means values stay until they are evicted
	// or invalidated. [NewWithTTL] sets it per entry.
	TTL time.Duration
	// FailureTTL is how long an expected failure of the lookup (its E) is
	// kept and returned to the Gets of its key. Zero, the default, keeps no
	// failure: the next Get looks the key up again. Defects and
	// interruptions are never kept.
	FailureTTL time.Duration
	// RefreshAhead, when positive, refreshes values before they expire:
	// a Get that finds a value with less than RefreshAhead left to live
	// returns it and starts a lookup in the background, whose value
	// replaces it when it succeeds (a failure keeps the old value until it
	// expires). It needs a TTL (or NewWithTTL) and must be less than TTL.
	RefreshAhead time.Duration
}

// Stats are a cache's counters since it was made, and its size now.
type Stats struct {
	// Hits counts the Gets served from a stored entry.
	Hits uint64
	// Misses counts the Gets that found no fresh entry and waited for a
	// lookup, started by them or already in flight.
	Misses uint64
	// Shared counts the misses that joined a lookup already in flight
	// instead of starting one: what the deduplication saved.
	Shared uint64
	// Loads counts the lookups started: by misses, by [Cache.Refresh] and
	// ahead of expiry.
	Loads uint64
	// Failures counts the lookups that failed or died (interruptions are
	// not failures).
	Failures uint64
	// Abandoned counts the lookups interrupted because every caller waiting
	// for them had left.
	Abandoned uint64
	// Evictions counts the entries removed to respect the capacity.
	Evictions uint64
	// Expirations counts the entries removed because they had expired.
	Expirations uint64
	// Entries is the number of entries stored now, expired ones included
	// until they are removed.
	Entries int
	// InFlight is the number of lookups in progress now.
	InFlight int
	// Waiting is the number of callers waiting for a lookup now.
	Waiting int
}

// Cache is a map from keys K to the values V of a lookup effect, owned by a
// scope: values are kept up to a capacity, with least-recently-used
// eviction, for a time to live; concurrent Gets of a key share one lookup.
// See the package documentation for how lookups, waiters and the scope
// relate.
//
// Its plain-Go methods ([Cache.Set], [Cache.Invalidate], [Cache.Peek],
// [Cache.Stats]...) are safe for concurrent use from any goroutine and
// never block for long; [Cache.Get] and [Cache.Refresh] are effects.
type Cache[K comparable, V, R, E any] struct {
	lookup func(K) effect.Effect[R, E, V]
	ttlOf  func(K, V) time.Duration
	opts   Options
	env    R
	scope  *effect.Scope

	mu      sync.Mutex
	closed  bool
	entries map[K]*entry[K, V, E]
	lru     lru[K, V, E]
	loads   map[*load[K, V, E]]struct{} // lookups whose waiters a close must wake
	locks   map[K]*keyLock[K, V, E]     // per-key turn of the lookups
	waiting int
	stats   Stats
	stops   []*effect.Fiber[E, struct{}] // lookups to interrupt once the lock is released

	launcher launcher[K, V, E]
}

// entry is what the cache knows of a key: a stored exit (when has) that
// expires at expires (never if zero), and the lookup in flight, if any.
// An entry is in the LRU list exactly when it has an exit.
type entry[K comparable, V, E any] struct {
	key        K
	has        bool
	exit       effect.Exit[E, V]
	expires    time.Time
	load       *load[K, V, E]
	prev, next *entry[K, V, E]
}

// New returns an effect that makes a cache of lookup's values in the
// current scope, configured by opts. Lookups run on fibers of that scope
// with the environment New ran in; closing the scope interrupts them and
// stops the cache (see the package documentation). It panics if lookup is
// nil or an option is out of range.
func New[K comparable, V, R, E any](lookup func(K) effect.Effect[R, E, V], opts Options) effect.Effect[R, E, *Cache[K, V, R, E]] {
	return NewWithTTL(lookup, nil, opts)
}

// NewWithTTL is [New] with a time to live chosen per entry: ttl(key, value)
// is called, under the cache's lock, each time a lookup succeeds, and
// returns how long that value stays fresh; zero keeps it until it is
// evicted, a negative duration does not store it (its waiters still get it).
// A nil ttl uses opts.TTL. Use it when the value knows its own lifetime:
// a token with an expiry, a DNS answer with its TTL.
func NewWithTTL[K comparable, V, R, E any](lookup func(K) effect.Effect[R, E, V], ttl func(K, V) time.Duration, opts Options) effect.Effect[R, E, *Cache[K, V, R, E]] {
	check("NewWithTTL", lookup != nil, "lookup must not be nil")
	check("NewWithTTL", opts.Capacity >= 0, fmt.Sprintf("Options.Capacity must be >= 0, got %d", opts.Capacity))
	check("NewWithTTL", opts.TTL >= 0, fmt.Sprintf("Options.TTL must be >= 0, got %v", opts.TTL))
	check("NewWithTTL", opts.FailureTTL >= 0, fmt.Sprintf("Options.FailureTTL must be >= 0, got %v", opts.FailureTTL))
	check("NewWithTTL", opts.RefreshAhead >= 0, fmt.Sprintf("Options.RefreshAhead must be >= 0, got %v", opts.RefreshAhead))
	if opts.RefreshAhead > 0 && ttl == nil {
		check("NewWithTTL", opts.TTL > opts.RefreshAhead,
			fmt.Sprintf("Options.RefreshAhead (%v) must be less than a positive Options.TTL (%v)", opts.RefreshAhead, opts.TTL))
	}
	acquire := effect.AccessEffect(func(env R) effect.Effect[R, E, *Cache[K, V, R, E]] {
		return effect.FlatMap(effect.CurrentScope[R, E](), func(s *effect.Scope) effect.Effect[R, E, *Cache[K, V, R, E]] {
			c := &Cache[K, V, R, E]{
				lookup: lookup, ttlOf: ttl, opts: opts, env: env, scope: s,
				entries:  map[K]*entry[K, V, E]{},
				loads:    map[*load[K, V, E]]struct{}{},
				locks:    map[K]*keyLock[K, V, E]{},
				launcher: launcher[K, V, E]{q: stream.NewUnboundedQueue[*load[K, V, E]]()},
			}
			return effect.As(effect.ForkIn(s, c.launchLoop()), c)
		})
	})
	return effect.AcquireRelease(acquire, func(c *Cache[K, V, R, E]) effect.Effect[R, E, struct{}] {
		return effect.Sync[R, E](func() struct{} { c.close(); return struct{}{} })
	})
}

// check panics with a message naming the function and the rule when ok is
// false.
func check(fn string, ok bool, rule string) {
	if !ok {
		panic("cache." + fn + ": " + rule)
	}
}

// Get returns an effect that succeeds with the value of key k: the stored
// one if it is fresh (a hit), or else the result of the key's lookup, which
// it starts, or joins if one is in flight (a miss). With
// [Options.FailureTTL], a stored failure is returned as a failure.
//
// Waiting for a lookup is interruptible: an interrupted caller stops
// waiting, and the lookup goes on for the other callers. When the last
// caller leaves, the lookup is interrupted, and that caller's interruption
// completes once the lookup has stopped (as [effect.Interrupt] does), so
// that no abandoned work outlives the last caller who wanted it. On a
// closed cache the effect fails with an interruption whose reason is
// [ErrClosed]. A lookup that Gets its own key waits for itself forever.
//
// Cost: a hit allocates the effect that returns the value, and takes the
// cache's lock once; a miss forks the lookup's fiber (shared by every
// caller of the key) and parks the caller until it ends.
func (c *Cache[K, V, R, E]) Get(k K) effect.Effect[R, E, V] {
	return effect.Suspend(func() effect.Effect[R, E, V] {
		c.mu.Lock()
		if e := c.entries[k]; e != nil && e.has {
			// A fresh entry is a hit, unless it is due for a refresh that
			// has not started: that needs the slow path, to start it.
			if e.expires.IsZero() || c.hitOnFastPath(e, time.Now()) {
				c.hitLocked(e)
				ex := e.exit
				c.mu.Unlock()
				return effect.FromExit[R](ex)
			}
		}
		c.mu.Unlock()
		return c.get(k, false)
	})
}

// Refresh returns an effect that looks k up again, stores the new value
// and succeeds with it; until it does, Gets of k still return the value
// stored before, if it is fresh. If a lookup of k is in flight, Refresh
// waits for that one instead. A failed refresh keeps the old value. The
// wait is interruptible, as for [Cache.Get].
func (c *Cache[K, V, R, E]) Refresh(k K) effect.Effect[R, E, V] {
	return c.get(k, true)
}

// get is the slow path of Get (force false) and Refresh (force true): it
// decides under the lock, uninterruptibly, whether to serve a stored exit,
// start a lookup (handed to the launcher), or join one, and counts the
// caller in as a waiter; only the wait itself is interruptible, and the
// caller is counted out however it ends.
func (c *Cache[K, V, R, E]) get(k K, force bool) effect.Effect[R, E, V] {
	return effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[R, E, V] {
		return effect.Suspend(func() effect.Effect[R, E, V] {
			c.mu.Lock()
			if c.closed {
				c.mu.Unlock()
				return closedEffect[R, E, V]()
			}
			now := time.Now()
			e := c.entries[k]
			if e != nil && e.has {
				if c.freshLocked(e, now) {
					if !force {
						c.hitLocked(e)
						ex := e.exit
						if e.load == nil && c.dueLocked(e, now) {
							c.launchLocked(c.newLoadLocked(e, true))
						}
						c.mu.Unlock()
						return effect.FromExit[R](ex)
					}
				} else {
					c.dropLocked(e)
					c.stats.Expirations++
					e = c.entries[k] // still there if a lookup is in flight
				}
			}
			if e == nil {
				e = &entry[K, V, E]{key: k}
				c.entries[k] = e
			}
			l := e.load
			if l == nil {
				l = c.newLoadLocked(e, false)
				c.launchLocked(l)
			} else if !force {
				c.stats.Shared++
			}
			if !force {
				c.stats.Misses++
			}
			l.waiters++
			c.waiting++
			c.mu.Unlock()
			wait := effect.MatchCauseEffect(restore.Apply(l.done.Await[R]()),
				func(cause effect.Cause[E]) effect.Effect[R, E, V] { return c.leave(l, effect.FailedWith[E, V](cause)) },
				func(v V) effect.Effect[R, E, V] { return c.leave(l, effect.Succeeded[E](v)) })
			return wait
		})
	})
}

// Peek returns the value stored for k and true if it is fresh, without
// looking it up, counting a hit or a miss, or changing the order of
// eviction; otherwise (nothing stored, expired, a stored failure, a closed
// cache) the zero V and false.
func (c *Cache[K, V, R, E]) Peek(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[k]; e != nil && e.has && c.freshLocked(e, time.Now()) {
		return e.exit.Value()
	}
	var zero V
	return zero, false
}

// Set stores v for k, fresh for [Options.TTL] (or the TTL function's
// choice), as if a lookup had just returned it. A lookup of k in flight
// still answers its waiters, but its value no longer replaces v. On a
// closed cache Set does nothing.
func (c *Cache[K, V, R, E]) Set(k K, v V) {
	c.mu.Lock()
	defer c.unlock()
	if c.closed {
		return
	}
	if e := c.entries[k]; e != nil && e.load != nil {
		c.detachLocked(e.load)
	}
	e := c.entries[k]
	if e == nil {
		e = &entry[K, V, E]{key: k}
		c.entries[k] = e
	}
	c.storeLocked(e, effect.Succeeded[E](v), time.Now())
}

// Invalidate removes the entry of k. A lookup of k in flight still answers
// the callers waiting for it (or is interrupted if none is), but its value
// is not stored; the next Get looks k up again, once that lookup has ended.
func (c *Cache[K, V, R, E]) Invalidate(k K) {
	c.mu.Lock()
	defer c.unlock()
	if e := c.entries[k]; e != nil {
		c.removeLocked(e)
	}
}

// InvalidateAll removes every entry, as [Cache.Invalidate] does for one.
func (c *Cache[K, V, R, E]) InvalidateAll() {
	c.mu.Lock()
	defer c.unlock()
	for _, e := range c.entries {
		c.removeLocked(e)
	}
}

// InvalidateIf removes, as [Cache.Invalidate] does, every entry whose key
// and stored value pred accepts; entries holding a failure or only a lookup
// in flight are not offered to it. pred runs under the cache's lock: it
// must be quick and must not use the cache.
func (c *Cache[K, V, R, E]) InvalidateIf(pred func(K, V) bool) {
	c.mu.Lock()
	defer c.unlock()
	for k, e := range c.entries {
		if v, ok := e.exit.Value(); e.has && ok && pred(k, v) {
			c.removeLocked(e)
		}
	}
}

// RemoveExpired removes every expired entry and returns how many it
// removed. Expired entries are never returned, and are removed when a Get
// finds them or eviction reaches them; RemoveExpired frees their memory
// sooner, for example from a [resource.Poll]. It costs a pass over every
// entry, under the cache's lock.
func (c *Cache[K, V, R, E]) RemoveExpired() int {
	c.mu.Lock()
	defer c.unlock()
	now, n := time.Now(), 0
	for _, e := range c.entries {
		if e.has && !c.freshLocked(e, now) {
			if e.load != nil {
				c.dropLocked(e)
			} else {
				c.removeLocked(e)
			}
			c.stats.Expirations++
			n++
		}
	}
	return n
}

// Len returns the number of entries stored, expired ones included until
// they are removed; lookups in flight are not counted.
func (c *Cache[K, V, R, E]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.n
}

// Stats returns the cache's counters and its size now.
func (c *Cache[K, V, R, E]) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Entries, s.InFlight, s.Waiting = c.lru.n, len(c.loads), c.waiting
	return s
}

// freshLocked reports whether e's stored exit may still be served at now.
func (c *Cache[K, V, R, E]) freshLocked(e *entry[K, V, E], now time.Time) bool {
	return e.expires.IsZero() || now.Before(e.expires)
}

// hitOnFastPath reports whether e, which has a stored exit that expires,
// is a hit at now that starts nothing.
func (c *Cache[K, V, R, E]) hitOnFastPath(e *entry[K, V, E], now time.Time) bool {
	return now.Before(e.expires) && (e.load != nil || !c.dueLocked(e, now))
}

// dueLocked reports whether e's value should be refreshed ahead of its
// expiry at now.
func (c *Cache[K, V, R, E]) dueLocked(e *entry[K, V, E], now time.Time) bool {
	if c.opts.RefreshAhead <= 0 || e.expires.IsZero() || !e.exit.IsSuccess() {
		return false
	}
	return !now.Before(e.expires.Add(-c.opts.RefreshAhead))
}

// hitLocked counts a hit on e and makes it the most recently used entry.
func (c *Cache[K, V, R, E]) hitLocked(e *entry[K, V, E]) {
	c.stats.Hits++
	c.lru.moveToFront(e)
}

// storeLocked stores ex in e, fresh from now, makes e the most recently
// used entry, and evicts the least recently used ones over the capacity.
func (c *Cache[K, V, R, E]) storeLocked(e *entry[K, V, E], ex effect.Exit[E, V], now time.Time) {
	var ttl time.Duration
	switch v, ok := ex.Value(); {
	case !ok:
		ttl = c.opts.FailureTTL
	case c.ttlOf != nil:
		ttl = c.ttlOf(e.key, v)
	default:
		ttl = c.opts.TTL
	}
	if ttl < 0 {
		if !e.has && e.load == nil {
			delete(c.entries, e.key)
		}
		return
	}
	e.exit, e.expires = ex, time.Time{}
	if ttl > 0 {
		e.expires = now.Add(ttl)
	}
	if !e.has {
		e.has = true
		c.lru.pushFront(e)
	} else {
		c.lru.moveToFront(e)
	}
	for c.opts.Capacity > 0 && c.lru.n > c.opts.Capacity {
		c.removeLocked(c.lru.back())
		c.stats.Evictions++
	}
}

// dropLocked forgets e's stored exit, keeping the entry for its lookup in
// flight, or removing it if there is none.
func (c *Cache[K, V, R, E]) dropLocked(e *entry[K, V, E]) {
	if e.has {
		c.lru.remove(e)
		e.has, e.exit = false, effect.Exit[E, V]{}
	}
	if e.load == nil {
		delete(c.entries, e.key)
	}
}

// removeLocked removes e from the cache, detaching its lookup in flight.
func (c *Cache[K, V, R, E]) removeLocked(e *entry[K, V, E]) {
	if e.has {
		c.lru.remove(e)
		e.has, e.exit = false, effect.Exit[E, V]{}
	}
	if e.load != nil {
		c.detachLocked(e.load)
	}
	delete(c.entries, e.key)
}

// close stops the cache: later Gets fail at once, and the waiters of every
// lookup not yet ended are woken with an interruption whose reason is
// ErrClosed. It runs when the cache's scope closes, after the lookups'
// fibers were interrupted and awaited.
func (c *Cache[K, V, R, E]) close() {
	c.mu.Lock()
	c.closed = true
	left := make([]*load[K, V, E], 0, len(c.loads))
	for l := range c.loads {
		l.ended, l.detached = true, true
		left = append(left, l)
	}
	clear(c.loads)
	clear(c.entries)
	clear(c.locks)
	c.lru = lru[K, V, E]{}
	c.launcher.q.Close()
	c.mu.Unlock()
	for _, l := range left {
		l.done.Complete(effect.FailedWith[E, V](closedCause[E]()))
	}
}

// closedCause is the cause of an operation stopped by the close of the
// cache.
func closedCause[E any]() effect.Cause[E] { return effect.CauseInterrupt[E](0, ErrClosed) }

func closedEffect[R, E, A any]() effect.Effect[R, E, A] {
	return effect.FailCause[R, A](closedCause[E]())
}
