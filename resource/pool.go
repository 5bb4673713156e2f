package resource

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/internal/waitq"
)

// PoolOptions configure a [Pool] of resources of type T. Create is required
// and so is a positive Max; the rest is optional.
type PoolOptions[T any] struct {
	// Min is how many resources the pool creates when it is made, and the
	// fewest that idle eviction keeps. Resources invalidated below Min are
	// created again on demand, not ahead of time.
	Min int
	// Max is the most resources alive at once, borrowed or idle, creations
	// and destructions in progress included: a resource let go of keeps its
	// place until its Destroy has run.
	Max int
	// Create makes a resource; it is required, and NewPool panics without
	// it. It runs on the fiber that borrows, when no idle resource is left
	// and the pool is below Max (and for the Min resources, on the fiber
	// that makes the pool).
	//
	// Create is an acquire step, as in [effect.AcquireRelease]: it runs
	// uninterruptibly, and the context that [effect.Try] (or eff.Try) hands
	// to plain Go inside it lives as long as the resource: it keeps the
	// values of the borrower's context, has no deadline, and is cancelled
	// only after Destroy of that resource has run (at once if Create
	// fails). So a connection, a process from exec.CommandContext or a
	// session begun with it stays usable while the pool holds it. Since an
	// interruption waits for Create to end, bound a slow creation in Create
	// itself (a dial timeout).
	Create effect.Effect[any, error, T]
	// Destroy, if set, releases a resource the pool lets go of: invalidated,
	// unhealthy, evicted, or drained at close. It runs uninterruptibly, with
	// the resource's context (see Create) still alive; its failure goes to
	// OnDestroyError, and the resource is gone either way.
	Destroy func(T) effect.Effect[any, error, struct{}]
	// Check, if set, is the health check on borrow: it runs on every idle
	// resource about to be lent, and a resource whose check fails is
	// destroyed and the borrow tries the next one (or creates one). A new
	// resource is not checked.
	Check func(T) effect.Effect[any, error, struct{}]
	// AcquireTimeout, if positive, is the longest a borrower waits for a
	// resource when all Max are lent; it then fails with a
	// *[effect.TimeoutError]. Zero waits as long as it takes (the wait is
	// interruptible all the same).
	AcquireTimeout time.Duration
	// IdleTimeout, if positive, evicts (destroys) the resources that stayed
	// idle that long, oldest first, keeping at least Min.
	IdleTimeout time.Duration
	// DrainTimeout is how long closing the pool waits for borrowed
	// resources to come back before it destroys them under their
	// borrowers. Zero does not wait.
	DrainTimeout time.Duration
	// Broken, if set, tells which failures of a [Use] leave the resource
	// broken: [Use] invalidates the resource instead of returning it when it
	// reports true. It receives what running the use from plain Go would
	// return. A defect (a panic while using the resource) always invalidates
	// it.
	Broken func(err error) bool
	// OnDestroyError, if set, receives the failures of Destroy.
	OnDestroyError func(err error)
	// Name, if set, names the pool for observability: dumps, wait hooks,
	// the profiler and the deadlock detector show a fiber waiting for a
	// resource as waiting on "pool Name", with the fibers that borrowed
	// the resources (see [Pool]). It must not hold control characters.
	Name string
}

// PoolStats is a snapshot of a pool's counts. Size is Idle plus InUse.
type PoolStats struct {
	// Size counts the resources alive, creations and destructions in
	// progress included: never more than Max.
	Size int
	// Idle counts the resources ready to be lent.
	Idle int
	// InUse counts the resources lent, and those being created, checked or
	// destroyed.
	InUse int
	// Waiters counts the fibers waiting for a resource.
	Waiters int
}

// Pool is a pool of reusable resources (connections, clients, workers)
// owned by a scope. Borrowers take an idle resource, or create one while
// the pool is below its maximum, or wait in first-in, first-out order; a
// returned resource goes straight to the first waiter. Every capacity that
// frees up (a resource returned, invalidated, found unhealthy, or a failed
// creation) goes to the first waiter, so no waiter hangs while the pool
// could serve it.
//
// [Use] borrows a resource for the length of an effect and returns it
// whatever happens; [Pool.AcquireScoped] ties a borrow to the current scope;
// [Pool.Acquire] with [Pool.Release] or [Pool.Invalidate] is the manual
// form. Interrupting a borrower at any point, waiting, creating or checking
// included, never leaks a resource nor a slot (an interruption during a
// creation takes effect once the creation has ended).
//
// When the pool's scope closes, the pool drains: waiters are woken with an
// interruption whose reason is [ErrClosed], idle resources are destroyed,
// borrowed ones are awaited for up to DrainTimeout and then destroyed, and
// later borrows fail with ErrClosed.
//
// A Pool is an [effect.Blocker]: a fiber waiting for a resource shows in
// dumps, wait hooks, the profiler and the deadlock detector as waiting on
// "pool NAME" ([PoolOptions.Name]), with the fibers that hold its places —
// the borrowers of its resources and the fibers creating one — and how
// many of its Max places are taken: `pool db (4/4 in use, held by #3, #5,
// #8, #9)`. A place whose resource is being destroyed is reported as held
// by plain Go (FiberID 0): it frees up on its own, so the deadlock
// detector treats a wait on it as live.
type Pool[T any] struct {
	opts PoolOptions[T]
	// items is the parent of the scopes of the resources, one each, which
	// hold their Destroy and the life of their context (see create). It is
	// a child of the pool's scope opened before the drain was registered,
	// so it closes after the drain, and closes what a drain left.
	items *effect.Scope

	mu        sync.Mutex
	idle      []*poolEntry[T] // oldest first; lent from the end
	live      map[*poolEntry[T]]struct{}
	size      int
	inUse     int
	waiters   waitq.Queue[*poolWaiter[T]] // oldest first
	creators  []effect.FiberID            // the fibers creating a resource in a slot
	leases    uint64
	closed    bool
	forced    bool
	onDrained func()
	doomed    []*poolEntry[T] // came back after the close, for the drain to destroy
}

// Lease is a borrowed resource: what [Pool.Acquire] and
// [Pool.AcquireScoped] return. It is a small value; giving it back twice, or
// after the pool took the resource back at close, does nothing.
type Lease[T any] struct {
	e  *poolEntry[T]
	id uint64
}

// Value returns the borrowed resource.
func (l Lease[T]) Value() T { return l.e.value }

// NewPool returns an effect that makes a pool owned by the current scope,
// creates its Min resources (one after the other, each an acquire step as
// [PoolOptions] says; if one fails, NewPool fails and the ones made are
// destroyed when the scope closes), and, with an IdleTimeout, starts the
// eviction fiber in the current scope. The pool's failures are of type E,
// so E must be able to hold an error: error or any. It panics if E cannot,
// if Create is missing (the zero Effect, which would lend zero values), or
// if an option is out of range (Max not positive, Min outside [0, Max], a
// negative duration).
func NewPool[R, E, T any](opts PoolOptions[T]) effect.Effect[R, E, *Pool[T]] {
	bad := func(rule string, v any) { panic(fmt.Sprintf("resource.NewPool: %s, got %v", rule, v)) }
	switch {
	case reflect.ValueOf(opts.Create).IsZero():
		panic("resource.NewPool: opts.Create must be set: a pool without it would lend zero values " +
			"(make it with effect.Try or eff.Try)")
	case opts.Max <= 0:
		bad("Max must be > 0", opts.Max)
	case opts.Min < 0 || opts.Min > opts.Max:
		bad("Min must be in [0, Max]", opts.Min)
	case opts.AcquireTimeout < 0:
		bad("AcquireTimeout must be >= 0", opts.AcquireTimeout)
	case opts.IdleTimeout < 0:
		bad("IdleTimeout must be >= 0", opts.IdleTimeout)
	case opts.DrainTimeout < 0:
		bad("DrainTimeout must be >= 0", opts.DrainTimeout)
	}
	if opts.Name != "" {
		checkName("resource.NewPool: opts.Name", opts.Name)
	}
	toE := errorTo[E]("resource.NewPool")
	return effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[R, E, *Pool[T]] {
		p := &Pool[T]{opts: opts, live: map[*poolEntry[T]]struct{}{}}
		return effect.FlatMap(effect.MakeScope[R, E](), func(items *effect.Scope) effect.Effect[R, E, *Pool[T]] {
			p.items = items
			start := effect.AddFinalizer(func(error) effect.Effect[R, E, struct{}] { return drain[R, E](p) })
			if opts.IdleTimeout > 0 {
				start = effect.AndThen(start, effect.Void(effect.Fork(evictor[R, E](p))))
			}
			return effect.AndThen(start, effect.As(restore.Apply(fill[R](p, opts.Min, toE)), p))
		})
	})
}

// BlockerName returns ("pool", [PoolOptions.Name]), for [effect.Blocker].
func (p *Pool[T]) BlockerName() (kind, name string) { return "pool", p.opts.Name }

// BlockerHolders returns the fibers that hold places of the pool now — the
// borrowers of its resources and the fibers creating one, in increasing
// order, with 0 last for places being destroyed or taken from plain Go —
// and how many of its Max places are taken: "4/4 in use". It is what dumps
// and the deadlock detector read (see [effect.Blocker]); it takes the
// pool's lock.
func (p *Pool[T]) BlockerHolders() (holders []effect.FiberID, detail string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	held := make(map[effect.FiberID]int64, len(p.live)+len(p.creators))
	known := 0
	for e := range p.live {
		if e.lease != 0 {
			held[e.holder]++
			known++
		}
	}
	for _, id := range p.creators {
		held[id]++
		known++
	}
	if p.inUse > known {
		held[0]++
	}
	detail = strconv.Itoa(p.inUse) + "/" + strconv.Itoa(p.opts.Max) + " in use"
	if p.closed {
		detail += ", closed"
	}
	return sortedHolders(held), detail
}

// Stats returns the pool's counts right now.
func (p *Pool[T]) Stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{Size: p.size, Idle: len(p.idle), InUse: p.inUse, Waiters: p.waiters.Len()}
}

// Use returns an effect that borrows a resource from p, runs f on it, and
// gives it back when f's effect ends, whatever the outcome: a bracket. The
// resource is invalidated instead of returned when f's effect dies, or
// fails with an error that [PoolOptions.Broken] reports as broken. The
// borrow waits, creates or checks as [Pool.Acquire] does, and fails as it
// does; f's effect is interruptible if the caller was. E must be able to
// hold an error (error or any): Use panics at construction otherwise.
func Use[R, E, T, B any](p *Pool[T], f func(T) effect.Effect[R, E, B]) effect.Effect[R, E, B] {
	toE := errorTo[E]("resource.Use")
	return masked(func(restore effect.Restore) effect.Effect[R, E, B] {
		return effect.FlatMap(acquire[R](p, restore, toE), func(l Lease[T]) effect.Effect[R, E, B] {
			use, bug := build(f, l.e.value)
			if bug != nil {
				// f panicked building its effect: a defect of the use,
				// which may have left the resource half-used.
				return failAfter[R, B](p.Invalidate[R, E](l), effect.CauseDie[E](bug))
			}
			return effect.MatchCauseEffect(restore.Apply(use),
				func(c effect.Cause[E]) effect.Effect[R, E, B] {
					broken, bug := isBroken(p, c)
					if bug != nil {
						c = c.Then(effect.CauseDie[E](bug))
					}
					back := p.Release[R, E](l)
					if broken {
						back = p.Invalidate[R, E](l)
					}
					return failAfter[R, B](back, c)
				},
				func(b B) effect.Effect[R, E, B] {
					p.mu.Lock()
					gone := p.releaseLocked(l.e, l.id)
					p.mu.Unlock()
					if gone == nil {
						return effect.Succeed[R, E](b)
					}
					return effect.As(destroy[R, E](p, gone), b)
				})
		})
	})
}

// build calls f on v and returns what it panicked with, if it did.
func build[T, R, E, B any](f func(T) effect.Effect[R, E, B], v T) (e effect.Effect[R, E, B], bug any) {
	defer func() { bug = recover() }()
	return f(v), nil
}

// failAfter runs back and then fails with c, joined with back's own failure
// if it failed: a failing clean-up never hides the failure it ran for.
func failAfter[R, B, E any](back effect.Effect[R, E, struct{}], c effect.Cause[E]) effect.Effect[R, E, B] {
	return effect.MatchCauseEffect(back,
		func(bc effect.Cause[E]) effect.Effect[R, E, B] { return effect.FailCause[R, B](c.Then(bc)) },
		func(struct{}) effect.Effect[R, E, B] { return effect.FailCause[R, B](c) })
}

// isBroken tells whether the use that ended with c broke its resource. A
// panic in Broken counts as broken and is returned, to be joined to the
// cause as a defect.
func isBroken[E, T any](p *Pool[T], c effect.Cause[E]) (broken bool, bug any) {
	if c.IsDefect() {
		return true, nil
	}
	if p.opts.Broken == nil {
		return false, nil
	}
	defer func() {
		if r := recover(); r != nil {
			broken, bug = true, r
		}
	}()
	return p.opts.Broken(effect.FailedWith[E, struct{}](c).Err()), nil
}

// Acquire returns an effect that borrows a resource: an idle one (health
// checked if [PoolOptions.Check] is set), or a new one while the pool is
// below Max, or the first one to come back, waiting in line. The wait and
// the check are interruptible, the creation is not (it is an acquire step:
// see [PoolOptions]), and an interrupted borrow gives back whatever it
// held. It fails with Create's error, with a
// *[effect.TimeoutError] after AcquireTimeout, or with an interruption whose
// reason is [ErrClosed] once the pool has closed.
//
// The lease is the caller's to give back with [Pool.Release] or
// [Pool.Invalidate]; an interruption between the borrow and the release
// would lose it, so prefer [Use] or [Pool.AcquireScoped]. E must be able to
// hold an error (error or any): Acquire panics at construction otherwise.
func (p *Pool[T]) Acquire[R, E any]() effect.Effect[R, E, Lease[T]] {
	toE := errorTo[E]("resource.Pool.Acquire")
	return masked(func(restore effect.Restore) effect.Effect[R, E, Lease[T]] {
		return acquire[R](p, restore, toE)
	})
}

// AcquireScoped returns an effect that borrows a resource as
// [Pool.Acquire] does and registers its release in the current scope: the
// resource is returned when that scope closes, unless the lease was given
// back or invalidated before.
func (p *Pool[T]) AcquireScoped[R, E any]() effect.Effect[R, E, Lease[T]] {
	toE := errorTo[E]("resource.Pool.AcquireScoped")
	return masked(func(restore effect.Restore) effect.Effect[R, E, Lease[T]] {
		return effect.Tap(acquire[R](p, restore, toE), func(l Lease[T]) effect.Effect[R, E, struct{}] {
			return effect.AddFinalizer(func(error) effect.Effect[R, E, struct{}] { return p.Release[R, E](l) })
		})
	})
}

// Release returns an effect that gives the leased resource back to the
// pool: to the first waiter, or to the idle list. After the pool has closed
// the resource is destroyed instead. A stale lease (given back already)
// changes nothing.
func (p *Pool[T]) Release[R, E any](l Lease[T]) effect.Effect[R, E, struct{}] {
	return effect.Uninterruptible(effect.Suspend(func() effect.Effect[R, E, struct{}] {
		p.mu.Lock()
		gone := p.releaseLocked(l.e, l.id)
		p.mu.Unlock()
		return destroy[R, E](p, gone)
	}))
}

// Invalidate returns an effect that removes the leased resource from the
// pool, for good, and destroys it: for a resource found broken. Once it is
// destroyed, the place it frees goes to the first waiter, who creates a
// new resource. It runs uninterruptibly. A stale lease changes nothing.
func (p *Pool[T]) Invalidate[R, E any](l Lease[T]) effect.Effect[R, E, struct{}] {
	return effect.Uninterruptible(effect.Suspend(func() effect.Effect[R, E, struct{}] {
		p.mu.Lock()
		gone := p.invalidateLocked(l.e, l.id)
		p.mu.Unlock()
		return discard[R, E](p, gone)
	}))
}

// acquire is the borrow, to run in an uninterruptible region: restore
// makes the waits and checks interruptible as the caller was (a creation
// stays uninterruptible: see create).
func acquire[R, E, T any](p *Pool[T], restore effect.Restore, toE func(error) E) effect.Effect[R, E, Lease[T]] {
	return effect.SuspendFiber(func(id effect.FiberID) effect.Effect[R, E, Lease[T]] {
		p.mu.Lock()
		g, ok := p.takeLocked(id)
		p.mu.Unlock()
		if ok {
			return granted[R](p, restore, id, g, toE)
		}
		return effect.FlatMap(restore.Apply(wait[R](p, id, toE)), func(g grant[T]) effect.Effect[R, E, Lease[T]] {
			return granted[R](p, restore, id, g, toE)
		})
	})
}

// granted turns a grant to the fiber id into a lease: it creates a resource
// in a slot, or checks a lent one.
func granted[R, E, T any](p *Pool[T], restore effect.Restore, id effect.FiberID, g grant[T], toE func(error) E) effect.Effect[R, E, Lease[T]] {
	switch {
	case g.closed:
		return closedEffect[R, E, Lease[T]]()
	case g.timeout:
		return effect.Fail[R, Lease[T]](toE(&effect.TimeoutError{After: p.opts.AcquireTimeout}))
	case g.slot:
		return effect.MatchCauseEffect(effect.Widen[R](create(p)),
			func(c effect.Cause[error]) effect.Effect[R, E, Lease[T]] {
				p.mu.Lock()
				p.createdLocked(id)
				p.freeSlotLocked()
				p.mu.Unlock()
				return effect.FailCause[R, Lease[T]](effect.MapCause(c, toE))
			},
			func(m made[T]) effect.Effect[R, E, Lease[T]] {
				p.mu.Lock()
				e, ok := p.addedLocked(m, id)
				p.mu.Unlock()
				if !ok {
					return effect.AndThen(destroy[R, E](p, &poolEntry[T]{value: m.value, scope: m.scope}), closedEffect[R, E, Lease[T]]())
				}
				return effect.Succeed[R, E](Lease[T]{e: e, id: e.lease})
			})
	}
	l := Lease[T]{e: g.e, id: g.e.lease}
	if p.opts.Check == nil {
		return effect.Succeed[R, E](l)
	}
	check := effect.Widen[R](effect.Suspend(func() effect.Effect[any, error, struct{}] { return p.opts.Check(l.e.value) }))
	return effect.MatchCauseEffect(restore.Apply(check),
		func(c effect.Cause[error]) effect.Effect[R, E, Lease[T]] {
			if c.IsInterruptedOnly() {
				// Interrupted while checking: the resource is not at
				// fault; it goes back untouched.
				return effect.AndThen(p.Release[R, E](l), effect.FailCause[R, Lease[T]](effect.MapCause(c, toE)))
			}
			return effect.AndThen(p.Invalidate[R, E](l), acquire[R](p, restore, toE))
		},
		func(struct{}) effect.Effect[R, E, Lease[T]] { return effect.Succeed[R, E](l) })
}

// wait returns the effect that queues the fiber id for a grant.
func wait[R, E, T any](p *Pool[T], id effect.FiberID, toE func(error) E) effect.Effect[R, E, grant[T]] {
	return effect.AsyncOn[R](p, func(resume func(effect.Exit[E, grant[T]])) func() {
		w := &poolWaiter[T]{id: id}
		w.link.Value = w
		w.wake = func(g grant[T]) { resume(effect.Succeeded[E](g)) }
		p.mu.Lock()
		if g, ok := p.takeLocked(id); ok {
			p.mu.Unlock()
			w.wake(g)
			return nil
		}
		p.waiters.Push(&w.link)
		if d := p.opts.AcquireTimeout; d > 0 {
			w.timer = time.AfterFunc(d, func() {
				p.mu.Lock()
				defer p.mu.Unlock()
				if w.state == semWaiting {
					p.waiters.Remove(&w.link)
					w.state = semGone
					w.wake(grant[T]{timeout: true})
				}
			})
		}
		p.mu.Unlock()
		return func() { cancelWait(p, w) }
	})
}

// cancelWait takes w, whose fiber was interrupted while waiting, out of the
// queue, or gives back what reached it meanwhile.
func cancelWait[T any](p *Pool[T], w *poolWaiter[T]) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch w.state {
	case semWaiting:
		p.waiters.Remove(&w.link)
		if w.timer != nil {
			w.timer.Stop()
		}
	case semGranted:
		// What comes back to a closed pool must be destroyed, and an
		// Async cancel cannot run effects: the drain, which is waiting
		// for this very resource, destroys it.
		if gone := p.giveBackLocked(w.got, w.id); gone != nil {
			p.doomed = append(p.doomed, gone)
		}
	}
	w.state = semGone
}

// fill creates n resources into the idle list, one after the other.
func fill[R, E, T any](p *Pool[T], n int, toE func(error) E) effect.Effect[R, E, struct{}] {
	if n == 0 {
		return effect.Unit[R, E]()
	}
	return effect.Suspend(func() effect.Effect[R, E, struct{}] {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return closedEffect[R, E, struct{}]()
		}
		p.size++
		p.inUse++
		p.mu.Unlock()
		return effect.MatchCauseEffect(effect.Widen[R](create(p)),
			func(c effect.Cause[error]) effect.Effect[R, E, struct{}] {
				p.mu.Lock()
				p.freeSlotLocked()
				p.mu.Unlock()
				return effect.FailCause[R, struct{}](effect.MapCause(c, toE))
			},
			func(m made[T]) effect.Effect[R, E, struct{}] {
				p.mu.Lock()
				p.idleLocked(m)
				p.mu.Unlock()
				return fill[R](p, n-1, toE)
			})
	})
}

// errorTo returns the conversion of an error to E, and panics, naming
// where, if E cannot hold one.
func errorTo[E any](where string) func(error) E {
	if _, ok := any(errors.ErrUnsupported).(E); !ok {
		panic(fmt.Sprintf("%s: the failure type E (%v) cannot hold an error; use error or any", where, reflect.TypeFor[E]()))
	}
	return func(err error) E { return any(err).(E) }
}
