package stream

import (
	"context"

	"github.com/gogoscope/gogoscope/effect"
)

// The blocking operations on a core, as effects and as plain Go.
//
// Each effect first tries its operation without waiting (no allocation
// beyond the effect itself). Only when it must wait does it park a waiter,
// through effect.AsyncOn (the core, seen from the waiting side, is the
// Blocker: see blocker.go), whose cancel hook unlinks the waiter under the
// core's lock. The receiving effects note their fiber as a receiver of the
// core (receiverSet, in blocker.go): the holders of a wait to send.
// Whoever wins the waiter's waitState decides the outcome: if
// the core completed the waiter first, the operation happened, and the
// effect reports it even though the fiber is being interrupted (the
// interruption then takes effect at the caller's next step); if the cancel
// won, nothing happened. So an interrupted send never enqueued and an
// interrupted receive never consumed: nothing is lost or duplicated.

// park returns an effect that waits until w, which attempt could not
// complete at once, is completed by the core or the fiber is interrupted.
// attempt runs under c.mu; it reports true when the operation completed
// without waiting, in which case w is not parked. salvage, called after an
// interruption, reports whether the operation made progress that must be
// reported as a success. If restore is not nil, the caller runs
// uninterruptibly, and only the wait itself is made interruptible again,
// with restore.
func park[R, E, A any](c *core[A], w *waiter[A], q *waitQueue[A], attempt func() bool, salvage func() bool, restore *effect.Restore) effect.Effect[R, E, struct{}] {
	st := &waitState{}
	w.st = st
	wait := effect.AsyncOn[R, E, struct{}](c.blocker(q), func(resume func(effect.Exit[E, struct{}])) func() {
		st.wake = func() { resume(effect.Exit[E, struct{}]{}) }
		c.mu.Lock()
		if attempt() {
			c.mu.Unlock()
			resume(effect.Exit[E, struct{}]{})
			return nil
		}
		q.Push(w.node())
		c.mu.Unlock()
		return func() {
			c.mu.Lock()
			if st.cancel() {
				q.Remove(&w.link)
			}
			c.mu.Unlock()
		}
	})
	if restore != nil {
		wait = restore.Apply(wait)
	}
	return effect.CatchCause(wait, func(cause effect.Cause[E]) effect.Effect[R, E, struct{}] {
		if cause.IsInterruptedOnly() && salvage() {
			return effect.Unit[R, E]()
		}
		return effect.FailCause[R, struct{}](cause)
	})
}

// send1 returns an effect that sends a, waiting for room if the strategy is
// BackPressure, and reports whether a was accepted. It is the core's send
// step applied to a: one small allocation, the step itself being built once
// per core (see built).
func send1[R, E, A any](c *core[A], a A) effect.Effect[R, E, bool] {
	return effect.FlatMap(effect.Succeed[R, E](a), sendStep[R, E](c))
}

// sendStep returns the core's send step for [R, E], building it on first
// use.
func sendStep[R, E, A any](c *core[A]) func(A) effect.Effect[R, E, bool] {
	if k, ok := cachedAs[func(A) effect.Effect[R, E, bool]](&c.built.send); ok {
		return k
	}
	k := func(a A) effect.Effect[R, E, bool] {
		switch c.trySend(a) {
		case sent:
			return effect.Succeed[R, E](true)
		case dropped, closed:
			return effect.Succeed[R, E](false)
		}
		w := &waiter[A]{send: []A{a}}
		attempt := func() bool {
			switch c.trySendLocked(a) {
			case full:
				return false
			case sent:
				w.sent = 1
			default:
				w.closed = true
			}
			return true
		}
		salvage := func() bool { return w.st.fired() >= 0 }
		return effect.Map(park[R, E](c, w, &c.sendq, attempt, salvage, nil), func(struct{}) bool {
			return w.sent == 1
		})
	}
	cache(&c.built.send, k)
	return k
}

// sendAll returns an effect that sends items in order, waiting for room as
// needed when the strategy is BackPressure, and succeeds with how many were
// accepted: all of them, unless the core was closed meanwhile or (with
// Dropping) some were dropped. If the fiber is interrupted while waiting, the
// effect still succeeds when a prefix was already accepted, with its length;
// it ends as interrupted only when nothing was.
//
// The first offer, made before any wait, may accept a prefix, which the
// effect must then report whatever happens: so the effect runs
// uninterruptibly but for the wait itself. (Without the mask, an
// interruption at the step between that offer and the wait, before the
// wait's salvage handler was in place, reported a sent prefix as nothing
// sent; the interruption sweep of SendAll found it.)
func sendAll[R, E, A any](c *core[A], items []A) effect.Effect[R, E, int] {
	return effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[R, E, int] {
		return sendAllMasked[R, E](c, items, &restore)
	})
}

func sendAllMasked[R, E, A any](c *core[A], items []A, restore *effect.Restore) effect.Effect[R, E, int] {
	return effect.Suspend(func() effect.Effect[R, E, int] {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return effect.Succeed[R, E](0)
		}
		n := c.offerLocked(items)
		c.mu.Unlock()
		if n == len(items) || c.strategy != BackPressure {
			return effect.Succeed[R, E](n)
		}
		w := &waiter[A]{send: items[n:]}
		attempt := func() bool {
			if c.closed {
				w.closed = true
				return true
			}
			k := c.offerLocked(w.send)
			w.sent += k
			w.send = w.send[k:]
			return len(w.send) == 0
		}
		salvage := func() bool { return n+w.sent > 0 }
		return effect.Map(park[R, E](c, w, &c.sendq, attempt, salvage, restore), func(struct{}) int {
			return n + w.sent
		})
	})
}

// recv1 returns an effect that receives one element, waiting for one, and
// succeeds with None once the core is closed and drained. The effect is the
// same at every call: it is built once per core (see built), so a receive
// that does not wait allocates nothing.
func recv1[R, E, A any](c *core[A]) effect.Effect[R, E, effect.Option[A]] {
	if e, ok := cachedAs[effect.Effect[R, E, effect.Option[A]]](&c.built.recv); ok {
		return e
	}
	body := func() effect.Effect[R, E, effect.Option[A]] {
		if a, ok, isClosed := c.tryTake1(); ok {
			return effect.Succeed[R, E](effect.Some(a))
		} else if isClosed {
			return effect.Succeed[R, E](effect.None[A]())
		}
		return effect.Map(recvPark[R, E](c, 1), func(got []A) effect.Option[A] {
			if len(got) == 0 {
				return effect.None[A]()
			}
			return effect.Some(got[0])
		})
	}
	e := effect.SuspendFiber(func(id effect.FiberID) effect.Effect[R, E, effect.Option[A]] {
		return receiving(c, id, body)
	})
	cache(&c.built.recv, e)
	return e
}

// recvUpTo returns an effect that receives between 1 and max elements,
// waiting for the first, and succeeds with nil once the core is closed and
// drained.
func recvUpTo[R, E, A any](c *core[A], max int) effect.Effect[R, E, []A] {
	return effect.SuspendFiber(func(id effect.FiberID) effect.Effect[R, E, []A] {
		if !c.recv.knows(id) {
			return effect.FlatMap(effect.CurrentFiber[R, E](), func(h effect.FiberHandle) effect.Effect[R, E, []A] {
				c.recv.note(h)
				return recvUpToNow[R, E](c, max)
			})
		}
		return recvUpToNow[R, E](c, max)
	})
}

// recvUpToNow is recvUpTo's step, once its fiber is known to receive.
func recvUpToNow[R, E, A any](c *core[A], max int) effect.Effect[R, E, []A] {
	if out, isClosed := c.tryTake(max); out != nil || isClosed {
		return effect.Succeed[R, E](out)
	}
	return recvPark[R, E](c, max)
}

func recvPark[R, E, A any](c *core[A], max int) effect.Effect[R, E, []A] {
	w := &waiter[A]{max: max}
	attempt := func() bool {
		if w.got = c.tryTakeLocked(max); w.got != nil {
			return true
		}
		w.closed = c.closed
		return w.closed
	}
	salvage := func() bool { return w.st.fired() >= 0 }
	return effect.Map(park[R, E](c, w, &c.recvq, attempt, salvage, nil), func(struct{}) []A {
		if len(w.got) > 0 && c.onTake != nil {
			c.onTake()
		}
		return w.got
	})
}

// recvContext receives up to max elements from plain Go, waiting for the
// first. It returns nil, nil once the core is closed and drained, and ctx's
// error if ctx ends first (then nothing was received).
func recvContext[A any](ctx context.Context, c *core[A], max int) ([]A, error) {
	c.recv.notePlain()
	if out, isClosed := c.tryTake(max); out != nil || isClosed {
		return out, nil
	}
	done := make(chan struct{})
	st := &waitState{wake: func() { close(done) }}
	w := &waiter[A]{st: st, max: max}
	c.mu.Lock()
	if w.got = c.tryTakeLocked(max); w.got == nil && !c.closed {
		c.recvq.Push(w.node())
	}
	parked := w.link.Queued()
	c.mu.Unlock()
	if parked {
		select {
		case <-done:
		case <-ctx.Done():
			c.mu.Lock()
			gaveUp := st.cancel()
			if gaveUp {
				c.recvq.Remove(&w.link)
			}
			c.mu.Unlock()
			if gaveUp {
				return nil, context.Cause(ctx)
			}
		}
	}
	if len(w.got) > 0 && c.onTake != nil {
		c.onTake()
	}
	return w.got, nil
}

// recv1Context receives one element from plain Go, as recvContext does; ok
// is false once the core is closed and drained.
func recv1Context[A any](ctx context.Context, c *core[A]) (a A, ok bool, err error) {
	c.recv.notePlain()
	if a, ok, isClosed := c.tryTake1(); ok || isClosed {
		return a, ok, nil
	}
	got, err := recvContext(ctx, c, 1)
	if len(got) == 0 {
		return a, false, err
	}
	return got[0], true, nil
}
