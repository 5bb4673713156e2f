// Package cache memoizes effects: [Cached] keeps the result of one effect
// for a while, and a [Cache] keeps the results of a lookup effect per key,
// with a capacity, expiry, and lookups that concurrent callers share.
//
// # Shared lookups
//
// A [Cache.Get] that finds no fresh entry starts the key's lookup on a
// fiber of the cache's scope, and waits for it; every other Get of the same
// key that comes meanwhile waits for that same lookup instead of starting
// another (the singleflight pattern). The lookup belongs to the cache, not
// to the caller that started it: a waiter that is interrupted stops waiting
// and the others still get the result. When every waiter of a lookup has
// left, nobody wants the result any more: the lookup is interrupted, and
// the last waiter's interruption completes once it has stopped.
// At most one lookup of a key runs at any moment, even across
// [Cache.Invalidate] and abandoned lookups: a new lookup of a key waits
// until the previous one has ended.
//
// # Ownership
//
// [New] and [Cached] are effects that make the cache in the current scope
// (see [effect.Scoped]); lookups run on fibers of that scope, in the
// environment the cache was made in. When the scope closes, lookups in
// progress are interrupted, their waiters are woken with an interruption
// whose reason is [ErrClosed], and later Gets fail the same way. A cache
// starts no goroutine of its own besides the lookups: expired entries are
// removed when they are found, when they are evicted, or by
// [Cache.RemoveExpired].
//
// # Which to use
//
//   - Use [Cached] to share one effect's result between callers for a
//     while: a configuration, a token, a list that changes rarely. It is
//     Effect-TS's Effect.cachedWithTTL and ZIO's cached. [NewMemo] gives the
//     same with [Memo.Invalidate] (ZIO's cachedInvalidate).
//   - Use a [Cache] when results depend on a key: users by ID, rendered
//     pages by path. It is Effect-TS's Cache and ZIO's Cache, with LRU
//     eviction, refresh ahead of expiry and failures kept only when asked.
//   - Use the batch package when many keys are asked at once and the
//     source can answer many in one call; put a Cache in front of a batch
//     Loader to keep what it loaded (docs/caching.md shows both).
//   - Use golang.org/x/sync/singleflight in plain Go code that needs
//     deduplication without storage, interruption or scopes.
//
// # Cost
//
// A hit takes the cache's lock once, reads the clock when the entry can
// expire, and allocates the effect that returns the value (about
// 100 ns through a fiber; see BENCHMARKS.md). A miss costs a fiber for the
// lookup, shared by every caller of the key.
package cache

import (
	"errors"

	"github.com/gogoscope/gogoscope/resource"
)

// ErrClosed is the reason of the interruption of a Get on a cache whose
// scope has closed: waiters woken by the close and calls made after it
// fail with an interruption (matching [context.Canceled]) whose reason is
// ErrClosed, so errors.Is(err, ErrClosed) tells them apart. It is
// [resource.ErrClosed], shared by every thing a scope owns.
var ErrClosed = resource.ErrClosed

// ErrAbandoned is the reason of the interruption of a lookup that nobody
// wants any more: every caller waiting for it left, or its entry was
// invalidated, evicted or replaced while no caller waited. A lookup written
// with [effect.Try] finds it as the cause of its cancelled context
// ([context.Cause]); [effect.OnInterrupt] hands it to its finalizer.
var ErrAbandoned = errors.New("cache: lookup abandoned")
