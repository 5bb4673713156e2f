package resource

import (
	"strconv"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// made is a resource just created, with its own scope.
type made[T any] struct {
	value T
	scope *effect.Scope
}

// create returns the effect that makes a resource as an acquire step: in a
// scope of its own, a child of the pool's items scope, Create runs under
// [effect.AcquireRelease], which registers the resource's Destroy in that
// scope. So the context plain Go sees in Create lives until that scope is
// closed — by destroy, after Destroy has run — and not a moment less. If
// Create fails, the empty scope is closed at once.
func create[T any](p *Pool[T]) effect.Effect[any, error, made[T]] {
	return effect.FlatMap(effect.Extend(p.items, effect.MakeScope[any, error]()), func(s *effect.Scope) effect.Effect[any, error, made[T]] {
		acquired := effect.Extend(s, effect.AcquireRelease(p.opts.Create, func(v T) effect.Effect[any, error, struct{}] {
			return destroyValue(p, v)
		}))
		return effect.MatchCauseEffect(acquired,
			func(c effect.Cause[error]) effect.Effect[any, error, made[T]] {
				return effect.AndThen(effect.CloseScope[any, error](s), effect.FailCause[any, made[T]](c))
			},
			func(v T) effect.Effect[any, error, made[T]] {
				return effect.Succeed[any, error](made[T]{value: v, scope: s})
			})
	})
}

// destroyValue runs Destroy on v (nothing without a Destroy); a failure goes
// to OnDestroyError, so it fails only if OnDestroyError panics.
func destroyValue[T any](p *Pool[T], v T) effect.Effect[any, error, struct{}] {
	if p.opts.Destroy == nil {
		return effect.Unit[any, error]()
	}
	d := effect.Suspend(func() effect.Effect[any, error, struct{}] { return p.opts.Destroy(v) })
	return effect.MatchCauseEffect(d,
		func(c effect.Cause[error]) effect.Effect[any, error, struct{}] {
			if h := p.opts.OnDestroyError; h != nil {
				h(effect.FailedWith[error, struct{}](c).Err())
			}
			return effect.Unit[any, error]()
		},
		func(struct{}) effect.Effect[any, error, struct{}] { return effect.Unit[any, error]() })
}

// destroy returns the effect that destroys the resource of e (nothing for a
// nil e), uninterruptibly: it closes the resource's scope, which runs
// Destroy and then ends the resource's context.
func destroy[R, E, T any](p *Pool[T], e *poolEntry[T]) effect.Effect[R, E, struct{}] {
	if e == nil {
		return effect.Unit[R, E]()
	}
	return effect.CloseScope[R, E](e.scope)
}

// discard destroys the resource of e, taken out of the pool with its place
// kept, and then frees that place; uninterruptibly, and even if the destroy
// dies (a panicking OnDestroyError), so that the place is never lost.
func discard[R, E, T any](p *Pool[T], e *poolEntry[T]) effect.Effect[R, E, struct{}] {
	if e == nil {
		return effect.Unit[R, E]()
	}
	return effect.Uninterruptible(effect.Ensuring(destroy[R, E](p, e), effect.Sync[R, E](func() struct{} {
		p.mu.Lock()
		p.freeSlotLocked()
		p.mu.Unlock()
		return struct{}{}
	})))
}

// destroyAll destroys the resources of es one after the other.
func destroyAll[R, E, T any](p *Pool[T], es []*poolEntry[T]) effect.Effect[R, E, struct{}] {
	out := effect.Unit[R, E]()
	for i := len(es) - 1; i >= 0; i-- {
		out = effect.AndThen(destroy[R, E](p, es[i]), out)
	}
	return out
}

// drain is the pool's finalizer: it closes the pool, destroys the idle
// resources, waits up to DrainTimeout for the borrowed ones, and destroys
// whatever is still out. It runs uninterruptibly, as finalizers do.
func drain[R, E, T any](p *Pool[T]) effect.Effect[R, E, struct{}] {
	return effect.Suspend(func() effect.Effect[R, E, struct{}] {
		p.mu.Lock()
		idle := p.closeLocked()
		p.mu.Unlock()
		force := effect.Suspend(func() effect.Effect[R, E, struct{}] {
			p.mu.Lock()
			out := append(p.doomed, p.forceLocked()...)
			p.doomed = nil
			p.mu.Unlock()
			return destroyAll[R, E](p, out)
		})
		return effect.AndThen(destroyAll[R, E](p, idle), effect.AndThen(drained[R, E](p), force))
	})
}

// drained returns the effect that waits until every borrowed resource has
// come back to the closed pool, or DrainTimeout has passed.
func drained[R, E, T any](p *Pool[T]) effect.Effect[R, E, struct{}] {
	d := p.opts.DrainTimeout
	if d == 0 {
		return effect.Unit[R, E]()
	}
	return effect.AsyncOn[R](drainOf[T]{p}, func(resume func(effect.Exit[E, struct{}])) func() {
		done := func() { resume(effect.Succeeded[E](struct{}{})) }
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.inUse == 0 {
			done()
			return nil
		}
		timer := time.AfterFunc(d, done)
		p.onDrained = func() {
			timer.Stop()
			done()
		}
		return func() {
			timer.Stop()
			p.mu.Lock()
			p.onDrained = nil
			p.mu.Unlock()
		}
	})
}

// drainOf is the closing of a pool, as what its drain waits on: the
// borrowed resources, for at most DrainTimeout. The wait ends on its own,
// so it reports no holders (a live wait); the detail says how many
// resources are still out.
type drainOf[T any] struct{ p *Pool[T] }

func (d drainOf[T]) BlockerName() (kind, name string) { return "pool drain", d.p.opts.Name }

func (d drainOf[T]) BlockerHolders() ([]effect.FiberID, string) {
	d.p.mu.Lock()
	defer d.p.mu.Unlock()
	return nil, strconv.Itoa(d.p.inUse) + " in use, up to " + d.p.opts.DrainTimeout.String()
}

// evictor is the eviction fiber: it sleeps until the oldest idle resource
// has been idle for IdleTimeout, evicts what is due, and starts over, until
// the pool's scope interrupts it.
func evictor[R, E, T any](p *Pool[T]) effect.Effect[R, E, struct{}] {
	evict := effect.Uninterruptible(effect.Suspend(func() effect.Effect[R, E, struct{}] {
		p.mu.Lock()
		out := p.evictLocked(time.Now())
		p.mu.Unlock()
		done := effect.Unit[R, E]()
		for i := len(out) - 1; i >= 0; i-- {
			done = effect.AndThen(discard[R, E](p, out[i]), done)
		}
		return done
	}))
	return effect.Forever(effect.Suspend(func() effect.Effect[R, E, struct{}] {
		p.mu.Lock()
		d := p.nextEvictionLocked(time.Now())
		p.mu.Unlock()
		return effect.AndThen(effect.Sleep[R, E](d), evict)
	}))
}
