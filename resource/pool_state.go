package resource

import (
	"slices"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/internal/waitq"
)

// The pool's bookkeeping: every method here runs under p.mu, never blocks
// and runs no effect; what must happen next (a destroy, a wake-up) is
// returned to the caller or done by a non-blocking callback.
//
// Invariants: size counts the live resources plus the creations and
// destructions in progress, and never exceeds Max; inUse is size minus the
// idle ones (the resources borrowed, being created, checked or destroyed).
// While the pool is open, a resource keeps its place until its Destroy has
// run, so that the old and the new resource never exceed Max together; a
// closed pool creates nothing, and frees places at once. A resource has a
// lease ID while borrowed and 0 while idle or gone.

// poolEntry is one resource of the pool.
type poolEntry[T any] struct {
	value     T
	scope     *effect.Scope  // the resource's own scope: closing it destroys it
	lease     uint64         // the current borrower's lease, 0 if none
	holder    effect.FiberID // the current borrower, while lease is not 0
	idleSince time.Time      // when it last became idle
}

// grant is what a waiter receives: a resource, a slot to create one in, or
// the news that the pool closed or the wait timed out.
type grant[T any] struct {
	e       *poolEntry[T]
	slot    bool
	closed  bool
	timeout bool
}

// poolWaiter is a fiber waiting for a resource. It is in the queue while
// state is semWaiting; whoever moves it out does so under the lock.
type poolWaiter[T any] struct {
	id    effect.FiberID // the fiber waiting, 0 for plain Go
	wake  func(grant[T])
	state uint8
	got   grant[T] // what it was granted
	timer *time.Timer
	link  waitq.Node[*poolWaiter[T]] // its place in p.waiters; Value is the waiter
}

// takeLocked gives the caller, the fiber id, a resource or a slot, or
// reports that it must wait.
func (p *Pool[T]) takeLocked(id effect.FiberID) (grant[T], bool) {
	switch {
	case p.closed:
		return grant[T]{closed: true}, true
	case len(p.idle) > 0:
		e := p.idle[len(p.idle)-1]
		p.idle[len(p.idle)-1] = nil
		p.idle = p.idle[:len(p.idle)-1]
		p.inUse++
		p.lend(e, id)
		return grant[T]{e: e}, true
	case p.size < p.opts.Max:
		p.size++
		p.inUse++
		p.creators = append(p.creators, id)
		return grant[T]{slot: true}, true
	}
	return grant[T]{}, false
}

// lend lends e to the fiber id under a new lease.
func (p *Pool[T]) lend(e *poolEntry[T], id effect.FiberID) {
	p.leases++
	e.lease = p.leases
	e.holder = id
}

// createdLocked forgets that id creates a resource in a slot: the creation
// ended, or the slot went back.
func (p *Pool[T]) createdLocked(id effect.FiberID) {
	if i := slices.Index(p.creators, id); i >= 0 {
		p.creators = slices.Delete(p.creators, i, i+1)
	}
}

// addedLocked records a resource created in a slot and lends it to its
// creator, the fiber id; after a forced drain it reports false, the slot
// freed, and the caller destroys the value.
func (p *Pool[T]) addedLocked(m made[T], id effect.FiberID) (*poolEntry[T], bool) {
	p.createdLocked(id)
	if p.forced {
		p.size--
		p.inUse--
		return nil, false
	}
	e := &poolEntry[T]{value: m.value, scope: m.scope}
	p.live[e] = struct{}{}
	p.lend(e, id)
	return e, true
}

// idleLocked puts a newly created resource straight into the idle list.
func (p *Pool[T]) idleLocked(m made[T]) {
	e := &poolEntry[T]{value: m.value, scope: m.scope, idleSince: time.Now()}
	p.live[e] = struct{}{}
	p.idle = append(p.idle, e)
	p.inUse--
}

// releaseLocked takes back the resource of lease id, hands it to the first
// waiter or makes it idle, and returns it if it must be destroyed instead
// (the pool closed). A stale lease changes nothing.
func (p *Pool[T]) releaseLocked(e *poolEntry[T], id uint64) *poolEntry[T] {
	if e == nil || id == 0 || e.lease != id {
		return nil
	}
	e.lease = 0
	if p.closed {
		p.removeLocked(e)
		return e
	}
	if w := p.waiters.FrontValue(); w != nil {
		p.waiters.Remove(&w.link)
		p.lend(e, w.id)
		p.grantLocked(w, grant[T]{e: e})
		return nil
	}
	e.idleSince = time.Now()
	p.idle = append(p.idle, e)
	p.inUse--
	return nil
}

// invalidateLocked takes the resource of lease id out of the pool and
// returns it for the caller to destroy; it keeps its place until the caller
// frees it (freeSlotLocked) after the Destroy.
func (p *Pool[T]) invalidateLocked(e *poolEntry[T], id uint64) *poolEntry[T] {
	if e == nil || id == 0 || e.lease != id {
		return nil
	}
	e.lease = 0
	delete(p.live, e)
	return e
}

// freeSlotLocked gives back a place: a creation failed or abandoned, or a
// destruction done.
func (p *Pool[T]) freeSlotLocked() {
	p.size--
	p.inUse--
	p.slotFreedLocked()
}

// slotFreedLocked hands the capacity that just freed up to the first
// waiter, as a slot to create a resource in. Without this a waiter could
// wait forever after an invalidation, though the pool is below Max.
func (p *Pool[T]) slotFreedLocked() {
	if p.closed {
		p.drainedLocked()
		return
	}
	if w := p.waiters.FrontValue(); w != nil && p.size < p.opts.Max {
		p.waiters.Remove(&w.link)
		p.size++
		p.inUse++
		p.creators = append(p.creators, w.id)
		p.grantLocked(w, grant[T]{slot: true})
	}
}

// removeLocked forgets a borrowed resource.
func (p *Pool[T]) removeLocked(e *poolEntry[T]) {
	delete(p.live, e)
	p.size--
	p.inUse--
	p.drainedLocked()
}

// drainedLocked wakes the drain when the last borrowed resource is back.
func (p *Pool[T]) drainedLocked() {
	if p.closed && p.inUse == 0 && p.onDrained != nil {
		p.onDrained()
		p.onDrained = nil
	}
}

// giveBackLocked undoes a grant that its waiter, the fiber id, could not
// take (it was interrupted at the moment the grant arrived).
func (p *Pool[T]) giveBackLocked(g grant[T], id effect.FiberID) *poolEntry[T] {
	switch {
	case g.e != nil:
		return p.releaseLocked(g.e, g.e.lease)
	case g.slot:
		p.createdLocked(id)
		p.freeSlotLocked()
	}
	return nil
}

func (p *Pool[T]) grantLocked(w *poolWaiter[T], g grant[T]) {
	w.state = semGranted
	w.got = g
	if w.timer != nil {
		w.timer.Stop()
	}
	w.wake(g)
}

// evictLocked takes out the resources idle for IdleTimeout or more at now,
// oldest first, keeping at least Min resources, and returns them for the
// caller to destroy; each keeps its place until then.
func (p *Pool[T]) evictLocked(now time.Time) []*poolEntry[T] {
	var out []*poolEntry[T]
	for len(p.idle) > 0 && p.size-len(out) > p.opts.Min && now.Sub(p.idle[0].idleSince) >= p.opts.IdleTimeout {
		e := p.idle[0]
		p.idle[0] = nil
		p.idle = p.idle[1:]
		delete(p.live, e)
		p.inUse++
		out = append(out, e)
	}
	return out
}

// nextEvictionLocked returns how long until the oldest idle resource may be
// evicted, or IdleTimeout when none may be now.
func (p *Pool[T]) nextEvictionLocked(now time.Time) time.Duration {
	if len(p.idle) == 0 || p.size <= p.opts.Min {
		return p.opts.IdleTimeout
	}
	return max(p.idle[0].idleSince.Add(p.opts.IdleTimeout).Sub(now), 0)
}

// closeLocked closes the pool: it wakes every waiter and takes out the idle
// resources, which it returns for the caller to destroy.
func (p *Pool[T]) closeLocked() []*poolEntry[T] {
	p.closed = true
	for _, n := range p.waiters.TakeAll() {
		w := n.Value
		w.state = semGone
		if w.timer != nil {
			w.timer.Stop()
		}
		w.wake(grant[T]{closed: true})
	}
	idle := p.idle
	p.idle = nil
	for _, e := range idle {
		delete(p.live, e)
		p.size--
	}
	return idle
}

// forceLocked takes every resource still borrowed away from its borrower
// and returns them for the caller to destroy.
func (p *Pool[T]) forceLocked() []*poolEntry[T] {
	p.forced = true
	p.onDrained = nil
	var out []*poolEntry[T]
	for e := range p.live {
		e.lease = 0
		delete(p.live, e)
		p.size--
		p.inUse--
		out = append(out, e)
	}
	return out
}
