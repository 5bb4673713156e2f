package batch

import (
	"slices"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/stream"
)

// askLocked adds a caller of k: to k's request if k is already gathered or
// in flight, or else to a new request in the open batch (opening one if
// there is none), and returns the request. What must start now — the
// window's fiber of a new batch, or the resolver's fiber of a batch just
// filled — is handed to the launcher.
func (l *Loader[K, V, R, E]) askLocked(k K) *request[K, V, E] {
	l.waiting++
	if r := l.pending[k]; r != nil {
		r.waiters++
		r.b.waiters++
		l.stats.Shared++
		return r
	}
	b, fresh := l.open, false
	if b == nil {
		b, fresh = &batch[K, V, E]{}, true
		l.open = b
		l.batches[b] = struct{}{}
	}
	r := &request[K, V, E]{key: k, done: effect.NewDeferred[E, V](), waiters: 1, b: b}
	b.reqs = append(b.reqs, r)
	b.live++
	b.waiters++
	l.pending[k] = r
	switch {
	case l.opts.MaxSize > 0 && b.live >= l.opts.MaxSize:
		keys, after := l.sendLocked(b)
		if t := b.timer; t != nil {
			l.stops = append(l.stops, t) // the window is over
		}
		l.launch.q.TryOffer(l.startSender(b, keys, after))
	case fresh:
		l.launch.q.TryOffer(l.startTimer(b))
	}
	return r
}

// sendLocked closes b to new keys and returns its keys, in order of
// arrival, and the fibers of abandoned calls still stopping that hold some
// of them: b's call waits for those to end, so that no key is in two calls
// at once.
func (l *Loader[K, V, R, E]) sendLocked(b *batch[K, V, E]) ([]K, []*effect.Fiber[E, struct{}]) {
	if l.open == b {
		l.open = nil
	}
	b.sent = true
	keys := make([]K, 0, b.live)
	var after []*effect.Fiber[E, struct{}]
	for _, r := range b.reqs {
		if !r.dropped {
			keys = append(keys, r.key)
			// A dying batch whose resolver was never started has no call
			// to wait for: its start sees it abandoned and starts nothing.
			if d := l.dying[r.key]; d != nil {
				if fb := d.resolver(); fb != nil && !slices.Contains(after, fb) {
					after = append(after, fb)
				}
			}
		}
	}
	l.stats.Batches++
	l.stats.Keys += uint64(len(keys))
	return keys, after
}

// startTimer returns the effect that starts the fiber of b's window, in the
// loader's scope: it waits for the window and then, if b is still open,
// sends it and resolves it on the same fiber. It runs on the launcher's
// fiber, and starts nothing if b was sent (it filled up) or left empty
// meanwhile.
func (l *Loader[K, V, R, E]) startTimer(b *batch[K, V, E]) effect.Effect[R, E, struct{}] {
	wait := effect.Yield[R, E]()
	if l.opts.Window > 0 {
		wait = effect.Sleep[R, E](l.opts.Window)
	}
	body := effect.AndThen(wait, effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[R, E, struct{}] {
		return effect.Suspend(func() effect.Effect[R, E, struct{}] {
			l.mu.Lock()
			if l.open != b {
				l.mu.Unlock()
				return effect.Unit[R, E]() // sent when it filled up, or left empty
			}
			b.byTimer = true
			keys, after := l.sendLocked(b)
			l.mu.Unlock()
			return l.resolveBatch(restore, b, keys, after)
		})
	}))
	return effect.Suspend(func() effect.Effect[R, E, struct{}] {
		l.mu.Lock()
		wanted := l.open == b
		l.mu.Unlock()
		if !wanted {
			return effect.Unit[R, E]()
		}
		return effect.FlatMap(effect.ForkIn(l.scope, body), func(fb *effect.Fiber[E, struct{}]) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} {
				l.mu.Lock()
				b.timer = fb
				if b.abandoned || (b.sent && !b.byTimer) {
					l.stops = append(l.stops, fb)
				}
				l.unlock()
				return struct{}{}
			})
		})
	})
}

// startSender returns the effect that starts a fiber in the loader's scope
// that resolves b, just sent with keys, once the fibers after have ended.
// It runs on the launcher's fiber, and starts nothing if b was abandoned
// meanwhile.
func (l *Loader[K, V, R, E]) startSender(b *batch[K, V, E], keys []K, after []*effect.Fiber[E, struct{}]) effect.Effect[R, E, struct{}] {
	body := effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[R, E, struct{}] {
		return l.resolveBatch(restore, b, keys, after)
	})
	return effect.Suspend(func() effect.Effect[R, E, struct{}] {
		l.mu.Lock()
		abandoned := b.abandoned
		l.mu.Unlock()
		if abandoned {
			return effect.Unit[R, E]()
		}
		return effect.FlatMap(effect.ForkIn(l.scope, body), func(fb *effect.Fiber[E, struct{}]) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} {
				l.mu.Lock()
				b.fb = fb
				if b.abandoned {
					l.stops = append(l.stops, fb)
				}
				l.unlock()
				return struct{}{}
			})
		})
	})
}

// launcher starts the loader's fibers — windows and resolver calls — from a
// fiber of its own, in the loader's scope. A fiber takes its context (the
// values, and the deadline of an enclosing Timeout) from the fiber that
// forks it; a call shared by many callers must not carry the deadline of the
// one caller who happened to open or fill its batch, so no caller forks it.
type launcher[R, E any] struct {
	q *stream.Queue[effect.Effect[R, E, struct{}]]
}

// launchLoop returns the launcher's fiber: it runs each queued start, until
// the queue closes. The wait for the next one is interruptible (the
// scope's close stops the launcher there); a start is not, so that a batch
// is never left without its fiber but by the close, which wakes the callers
// of every batch not answered.
func (l *Loader[K, V, R, E]) launchLoop() effect.Effect[R, E, struct{}] {
	var loop func() effect.Effect[R, E, struct{}]
	loop = func() effect.Effect[R, E, struct{}] {
		return effect.FlatMap(l.launch.q.Take[R, E](), func(next effect.Option[effect.Effect[R, E, struct{}]]) effect.Effect[R, E, struct{}] {
			if !next.OK {
				return effect.Unit[R, E]() // the loader closed
			}
			return effect.AndThen(effect.Uninterruptible(next.Value), effect.Suspend(loop))
		})
	}
	return effect.Suspend(loop)
}

// resolveBatch returns the effect that waits for the fibers after to end,
// calls the resolver with keys, b's, in the loader's environment (both
// interruptibly), and then, uninterruptibly, answers every request of b. It
// must run in the uninterruptible region whose restore it is given.
func (l *Loader[K, V, R, E]) resolveBatch(restore effect.Restore, b *batch[K, V, E], keys []K, after []*effect.Fiber[E, struct{}]) effect.Effect[R, E, struct{}] {
	call := l.call(keys)
	if len(after) > 0 {
		call = effect.AndThen(effect.ForEach(after, effect.Await[R, E, struct{}]), effect.Suspend(func() effect.Effect[R, E, answer[K, V, E]] {
			return l.callUncached(keys)
		}))
	}
	return effect.MatchCauseEffect(restore.Apply(call),
		func(c effect.Cause[E]) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} { l.finish(b, nil, c); return struct{}{} })
		},
		func(ans answer[K, V, E]) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} { l.finish(b, ans, effect.Cause[E]{}); return struct{}{} })
		})
}

// call returns the effect that calls the resolver with keys in the
// loader's environment.
func (l *Loader[K, V, R, E]) call(keys []K) effect.Effect[R, E, answer[K, V, E]] {
	return effect.Provide[R](effect.Suspend(func() effect.Effect[R, E, answer[K, V, E]] { return l.resolve(keys) }), l.env)
}

// callUncached returns the effect that calls the resolver with the keys
// that are not in the cache now, and answers the others from the cache:
// a call that waited for an abandoned call may find that it stored some
// keys after all, and a key is then not loaded twice.
func (l *Loader[K, V, R, E]) callUncached(keys []K) effect.Effect[R, E, answer[K, V, E]] {
	l.mu.Lock()
	var hits map[K]V
	rest := keys
	if l.cache != nil {
		rest = make([]K, 0, len(keys))
		for _, k := range keys {
			if v, ok := l.cache[k]; ok {
				if hits == nil {
					hits = map[K]V{}
				}
				hits[k] = v
			} else {
				rest = append(rest, k)
			}
		}
		l.stats.Keys -= uint64(len(hits))
		if len(rest) == 0 {
			l.stats.Batches--
		}
	}
	l.mu.Unlock()
	if hits == nil {
		return l.call(keys)
	}
	withHits := func(a answer[K, V, E]) answer[K, V, E] {
		return func(k K) (effect.Exit[E, V], bool) {
			if v, ok := hits[k]; ok {
				return effect.Succeeded[E](v), true
			}
			return a(k)
		}
	}
	if len(rest) == 0 {
		return effect.Succeed[R, E](withHits(func(K) (effect.Exit[E, V], bool) { return effect.Exit[E, V]{}, false }))
	}
	return effect.Map(l.call(rest), withHits)
}

// finish answers every request of b: with its key's exit in ans, a
// missing-key failure, or the resolver's cause c. An interruption caused by
// the close of the loader's scope reaches the callers with the reason
// ErrClosed. With the cache on, the values are kept.
func (l *Loader[K, V, R, E]) finish(b *batch[K, V, E], ans answer[K, V, E], c effect.Cause[E]) {
	type answered struct {
		r *request[K, V, E]
		x effect.Exit[E, V]
	}
	l.mu.Lock()
	if c.IsInterrupted() && (l.closed || l.scope.IsClosed()) {
		c = closedCause[E]()
	}
	out := make([]answered, 0, b.live)
	for _, r := range b.reqs {
		if r.dropped {
			continue
		}
		if l.pending[r.key] == r {
			delete(l.pending, r.key)
		}
		var x effect.Exit[E, V]
		if ans == nil {
			x = effect.FailedWith[E, V](c)
		} else {
			var ok bool
			if x, ok = ans(r.key); !ok {
				x = effect.FailedWith[E, V](l.missing(r.key))
				l.stats.Missing++
			} else if v, ok := x.Value(); ok && l.cache != nil {
				l.cache[r.key] = v
			}
		}
		out = append(out, answered{r, x})
	}
	b.ended = true
	delete(l.batches, b)
	l.unlock()
	for _, a := range out {
		a.r.done.Complete(a.x)
	}
}

// leave returns the effect that ends the wait of one caller of each of
// reqs, whatever the reason. A request left without callers before its
// batch was sent is taken out of it (and a batch left empty is cancelled);
// a sent batch left without callers is abandoned: its fiber is interrupted
// and awaited, so that the interruption of the last caller completes once
// the resolver has stopped.
func (l *Loader[K, V, R, E]) leave(reqs []*request[K, V, E]) effect.Effect[R, E, struct{}] {
	return effect.Suspend(func() effect.Effect[R, E, struct{}] {
		var (
			stops []*effect.Fiber[E, struct{}]
			dead  []*batch[K, V, E]
		)
		l.mu.Lock()
		for _, r := range reqs {
			b := r.b
			r.waiters--
			b.waiters--
			l.waiting--
			switch {
			case b.ended || b.abandoned:
			case !b.sent:
				if r.waiters == 0 {
					l.dropLocked(r)
					if b.live == 0 {
						// Nothing left to send: stop the window.
						if l.open == b {
							l.open = nil
						}
						b.abandoned = true
						delete(l.batches, b)
						if b.timer != nil {
							stops = append(stops, b.timer)
						}
					}
				}
			case b.waiters == 0:
				b.abandoned = true
				l.stats.Abandoned++
				for _, r := range b.reqs {
					if l.pending[r.key] == r {
						delete(l.pending, r.key)
					}
					if !r.dropped {
						l.dying[r.key] = b
					}
				}
				delete(l.batches, b)
				if fb := b.resolver(); fb != nil {
					stops = append(stops, fb)
				}
				dead = append(dead, b)
			}
		}
		l.unlock()
		if len(stops) == 0 && len(dead) == 0 {
			return effect.Unit[R, E]()
		}
		stopped := effect.ForEach(stops, func(fb *effect.Fiber[E, struct{}]) effect.Effect[R, E, struct{}] {
			stop := effect.Sync[R, E](func() struct{} { fb.Handle().Interrupt(ErrAbandoned); return struct{}{} })
			return effect.AndThen(stop, effect.Void(effect.Await[R](fb)))
		})
		// The dead batches' keys stop dying once their calls have stopped
		// (at once if none had started).
		return effect.AndThen(stopped, effect.Sync[R, E](func() struct{} {
			l.mu.Lock()
			defer l.mu.Unlock()
			for _, b := range dead {
				for _, r := range b.reqs {
					if l.dying[r.key] == b {
						delete(l.dying, r.key)
					}
				}
			}
			return struct{}{}
		}))
	})
}

// dropLocked takes r, whose callers have all left, out of its batch, not
// yet sent.
func (l *Loader[K, V, R, E]) dropLocked(r *request[K, V, E]) {
	r.dropped = true
	r.b.live--
	if l.pending[r.key] == r {
		delete(l.pending, r.key)
	}
	l.stats.Dropped++
}

// resolver returns the fiber that resolves b once it is sent: its window's
// fiber or a fiber of its own; nil if that fiber is not started yet.
func (b *batch[K, V, E]) resolver() *effect.Fiber[E, struct{}] {
	if b.byTimer {
		return b.timer
	}
	return b.fb
}

// unlock releases the loader's lock and then interrupts the fibers
// collected meanwhile, without waiting for them.
func (l *Loader[K, V, R, E]) unlock() {
	stops := l.stops
	l.stops = nil
	l.mu.Unlock()
	for _, fb := range stops {
		fb.Handle().Interrupt(ErrAbandoned)
	}
}

// close stops the loader: later Gets fail at once, and the callers of every
// batch not yet answered are woken with an interruption whose reason is
// ErrClosed. It runs when the loader's scope closes, after the batches'
// fibers were interrupted and awaited.
func (l *Loader[K, V, R, E]) close() {
	l.mu.Lock()
	l.closed = true
	var left []*request[K, V, E]
	for b := range l.batches {
		b.ended = true
		for _, r := range b.reqs {
			if !r.dropped {
				left = append(left, r)
			}
		}
	}
	clear(l.batches)
	clear(l.pending)
	l.open = nil
	l.cache = nil
	l.launch.q.Close()
	l.mu.Unlock()
	for _, r := range left {
		r.done.Complete(effect.FailedWith[E, V](closedCause[E]()))
	}
}
