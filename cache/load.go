package cache

import (
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// load is one lookup of a key: the fiber that runs it, the number of
// callers waiting for it, and the Deferred they wait on. Its fields are
// guarded by the cache's lock.
type load[K comparable, V, E any] struct {
	key     K
	done    *effect.Deferred[E, V]
	waiters int
	// pinned marks a refresh started ahead of expiry, for no caller: it is
	// not abandoned when callers that joined it leave, only when its entry
	// goes away.
	pinned bool
	// detached marks a lookup that is no longer its entry's: invalidated,
	// evicted, replaced by Set or abandoned. Its result is not stored.
	detached  bool
	abandoned bool // interrupted because no caller wanted it any more
	ended     bool // its result is known (or the cache closed)
	turn      bool // it holds its key's turn
	fb        *effect.Fiber[E, struct{}]
}

// newLoadLocked returns a new lookup of e's key, attached to e and tracked
// until it ends. Its fiber is started by [Cache.start].
func (c *Cache[K, V, R, E]) newLoadLocked(e *entry[K, V, E], pinned bool) *load[K, V, E] {
	l := &load[K, V, E]{key: e.key, done: effect.NewDeferred[E, V](), pinned: pinned}
	e.load = l
	c.loads[l] = struct{}{}
	c.stats.Loads++
	return l
}

// start returns the effect that starts l's fiber in the cache's scope, so
// that the lookup outlives the caller that asked for it and stops when the
// scope closes; it starts nothing if l was abandoned meanwhile. It runs on
// the launcher's fiber (see launcher), uninterruptibly. If the scope is
// already closing, the fiber never starts; the cache's close wakes l's
// waiters.
func (c *Cache[K, V, R, E]) start(l *load[K, V, E]) effect.Effect[R, E, struct{}] {
	return effect.Suspend(func() effect.Effect[R, E, struct{}] {
		c.mu.Lock()
		abandoned := l.abandoned
		c.mu.Unlock()
		if abandoned {
			return effect.Unit[R, E]()
		}
		return effect.FlatMap(effect.ForkIn(c.scope, c.run(l)), func(fb *effect.Fiber[E, struct{}]) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} {
				c.mu.Lock()
				l.fb = fb
				if l.abandoned {
					c.stops = append(c.stops, fb)
				}
				c.unlock()
				return struct{}{}
			})
		})
	})
}

// run returns the body of l's fiber: wait for the key's turn (so that no two
// lookups of a key overlap), run the lookup in the cache's environment, and
// settle l with its exit, whatever it is, giving the turn back. The wait and
// the lookup are interruptible; settling is not. The fiber itself always
// succeeds: the outcome is the waiters'. It is one fold over one
// uninterruptible region, so that the fiber's goroutine stays shallow.
func (c *Cache[K, V, R, E]) run(l *load[K, V, E]) effect.Effect[R, E, struct{}] {
	lookup := effect.Provide[R](effect.Suspend(func() effect.Effect[R, E, V] { return c.lookup(l.key) }), c.env)
	return effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[R, E, struct{}] {
		return effect.MatchCauseEffect(restore.Apply(effect.AndThen(c.takeTurn(l), lookup)),
			func(cause effect.Cause[E]) effect.Effect[R, E, struct{}] {
				return effect.Sync[R, E](func() struct{} { c.end(l, effect.FailedWith[E, V](cause)); return struct{}{} })
			},
			func(v V) effect.Effect[R, E, struct{}] {
				return effect.Sync[R, E](func() struct{} { c.end(l, effect.Succeeded[E](v)); return struct{}{} })
			})
	})
}

// end settles l with the lookup's exit: it stores the result in l's entry
// unless l was detached, and wakes l's waiters. An interruption caused by
// the close of the cache's scope reaches them with the reason ErrClosed.
func (c *Cache[K, V, R, E]) end(l *load[K, V, E], ex effect.Exit[E, V]) {
	c.mu.Lock()
	if l.turn {
		l.turn = false
		c.passTurnLocked(l.key)
	}
	l.ended = true
	delete(c.loads, l)
	if ex.IsFailure() && !ex.Cause().IsInterruptedOnly() {
		c.stats.Failures++
	}
	if e := c.entries[l.key]; !l.detached && e != nil && e.load == l {
		e.load = nil
		c.settleLocked(e, ex, time.Now())
	}
	closing := c.closed || c.scope.IsClosed()
	c.unlock()
	if ex.IsInterrupted() && closing {
		ex = effect.FailedWith[E, V](closedCause[E]())
	}
	l.done.Complete(ex)
}

// settleLocked stores in e, whose lookup just ended with ex, what should be
// kept of it: a value; an expected failure if failures are kept and no
// fresh value is there (a failed refresh keeps the value it was to
// replace); nothing else. e is removed if it is left with nothing fresh.
func (c *Cache[K, V, R, E]) settleLocked(e *entry[K, V, E], ex effect.Exit[E, V], now time.Time) {
	fresh := e.has && c.freshLocked(e, now)
	switch cause := ex.Cause(); {
	case ex.IsSuccess():
		c.storeLocked(e, ex, now)
	case c.opts.FailureTTL > 0 && !fresh && cause.IsFailure() && !cause.IsDefect() && !cause.IsInterrupted():
		c.storeLocked(e, ex, now)
	case !fresh:
		c.dropLocked(e)
	}
}

// leave returns the effect that ends a caller's wait for l, which ended
// as ex: the caller no longer waits, whatever the reason. When the last
// caller leaves a lookup that has not ended, nobody wants its result: it is
// detached and abandoned — unless it is a refresh ahead of expiry that is
// still its entry's — and the caller interrupts it and waits until it has
// stopped, so that the interruption of the last caller returns once the
// lookup is over. The effect then ends as ex.
func (c *Cache[K, V, R, E]) leave(l *load[K, V, E], ex effect.Exit[E, V]) effect.Effect[R, E, V] {
	c.mu.Lock()
	l.waiters--
	c.waiting--
	var stop *effect.Fiber[E, struct{}]
	if l.waiters == 0 && !l.ended && !l.abandoned && (!l.pinned || l.detached) {
		l.detached = true
		c.unlinkLocked(l)
		stop = c.abandonLocked(l)
	}
	c.unlock()
	if stop != nil {
		return effect.AndThen(stopAndWait[R](stop, ErrAbandoned), effect.FromExit[R](ex))
	}
	return effect.FromExit[R](ex)
}

// detachLocked makes l no longer the lookup of its entry, so that its
// result is not stored, and abandons it if no caller waits for it; its
// fiber is interrupted once the lock is released.
func (c *Cache[K, V, R, E]) detachLocked(l *load[K, V, E]) {
	l.detached = true
	c.unlinkLocked(l)
	if l.waiters == 0 && !l.ended && !l.abandoned {
		if fb := c.abandonLocked(l); fb != nil {
			c.stops = append(c.stops, fb)
		}
	}
}

// unlinkLocked takes l out of its entry, and removes the entry if it holds
// nothing else.
func (c *Cache[K, V, R, E]) unlinkLocked(l *load[K, V, E]) {
	if e := c.entries[l.key]; e != nil && e.load == l {
		e.load = nil
		if !e.has {
			delete(c.entries, l.key)
		}
	}
}

// abandonLocked marks l, which no caller waits for, as abandoned and
// returns its fiber to interrupt; nil if the fiber is not started yet, in
// which case [Cache.start] does not start it, or interrupts it as soon as
// it is.
func (c *Cache[K, V, R, E]) abandonLocked(l *load[K, V, E]) *effect.Fiber[E, struct{}] {
	l.abandoned = true
	delete(c.loads, l)
	c.stats.Abandoned++
	return l.fb
}

// unlock releases the cache's lock and then interrupts the abandoned
// lookups collected meanwhile, so that no interruption runs under the lock.
// Interrupting does not wait: the lookup's fiber ends on its own, and the
// next lookup of its key waits for its turn until then.
func (c *Cache[K, V, R, E]) unlock() {
	stops := c.stops
	c.stops = nil
	c.mu.Unlock()
	for _, fb := range stops {
		fb.Handle().Interrupt(ErrAbandoned)
	}
}

// stopAndWait returns an effect that interrupts fb for the reason why and
// waits until it has ended.
func stopAndWait[R, E any](fb *effect.Fiber[E, struct{}], why error) effect.Effect[R, E, struct{}] {
	stop := effect.Sync[R, E](func() struct{} { fb.Handle().Interrupt(why); return struct{}{} })
	return effect.AndThen(stop, effect.Void(effect.Await[R](fb)))
}

// keyLock is the turn of the lookups of one key: held by the lookup that
// runs, with the fibers waiting for it in order. It exists only while held.
type keyLock[K comparable, V, E any] struct {
	queue []*turnWaiter[K, V, E]
}

// turnWaiter is a lookup waiting for its key's turn. gone is guarded by
// the cache's lock.
type turnWaiter[K comparable, V, E any] struct {
	l    *load[K, V, E]
	wake func()
	gone bool // interrupted while waiting
}

// takeTurn returns an effect that waits until no other lookup of l's key
// runs, in order of arrival, and gives l the turn; [Cache.end] gives it
// back. The wait is interruptible and leaks nothing: an interrupted waiter
// leaves the queue, or passes on a turn it was given at that moment.
func (c *Cache[K, V, R, E]) takeTurn(l *load[K, V, E]) effect.Effect[R, E, struct{}] {
	return effect.Async[R](func(resume func(effect.Exit[E, struct{}])) func() {
		c.mu.Lock()
		kl := c.locks[l.key]
		if kl == nil {
			c.locks[l.key] = &keyLock[K, V, E]{}
			l.turn = true
			c.mu.Unlock()
			resume(effect.Succeeded[E](struct{}{}))
			return nil
		}
		w := &turnWaiter[K, V, E]{l: l, wake: func() { resume(effect.Succeeded[E](struct{}{})) }}
		kl.queue = append(kl.queue, w)
		c.mu.Unlock()
		return func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			if l.turn {
				l.turn = false
				c.passTurnLocked(l.key)
			} else {
				w.gone = true
			}
		}
	})
}

// passTurnLocked gives k's turn to the next lookup waiting for it, or frees
// it if none is.
func (c *Cache[K, V, R, E]) passTurnLocked(k K) {
	kl := c.locks[k]
	if kl == nil {
		return // cleared by the close
	}
	for len(kl.queue) > 0 {
		w := kl.queue[0]
		kl.queue[0] = nil
		kl.queue = kl.queue[1:]
		if !w.gone {
			w.l.turn = true
			w.wake()
			return
		}
	}
	delete(c.locks, k)
}
