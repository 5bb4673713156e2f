package cache

import (
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/stream"
)

// launcher starts the cache's lookups from a fiber of its own, in the
// cache's scope. A fiber takes its context — the values, and the deadline
// of an enclosing Timeout — from the fiber that forks it; a lookup shared by
// many callers must not carry the deadline of the one caller who happened
// to start it, so no caller forks it.
type launcher[K comparable, V, E any] struct {
	q *stream.Queue[*load[K, V, E]]
}

// launchLocked queues l's lookup to be started. c.mu must be held.
func (c *Cache[K, V, R, E]) launchLocked(l *load[K, V, E]) {
	c.launcher.q.TryOffer(l)
}

// launchLoop returns the launcher's fiber: it starts each queued lookup
// that is still wanted, until the queue closes. The wait for the next one
// is interruptible (the scope's close stops the launcher there); starting
// it is not, so that a lookup is never left without its fiber but by the
// close, which wakes the waiters of every lookup not ended.
func (c *Cache[K, V, R, E]) launchLoop() effect.Effect[R, E, struct{}] {
	var loop func() effect.Effect[R, E, struct{}]
	loop = func() effect.Effect[R, E, struct{}] {
		return effect.FlatMap(c.launcher.q.Take[R, E](), func(next effect.Option[*load[K, V, E]]) effect.Effect[R, E, struct{}] {
			if !next.OK {
				return effect.Unit[R, E]() // the cache closed
			}
			return effect.AndThen(effect.Uninterruptible(c.start(next.Value)), effect.Suspend(loop))
		})
	}
	return effect.Suspend(loop)
}
