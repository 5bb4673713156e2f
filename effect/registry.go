package effect

import (
	"context"
	"fmt"
	"time"
)

// FiberStatus is what a fiber is doing.
type FiberStatus uint8

// The fiber statuses.
const (
	// FiberRunning is a fiber that is stepping through its effect.
	FiberRunning FiberStatus = iota
	// FiberSuspended is a fiber blocked on something: a sleep, a join, a
	// queue; [FiberInfo.BlockedOn] says what.
	FiberSuspended
	// FiberDone is a fiber that has ended.
	FiberDone
)

// String returns "running", "suspended" or "done".
func (s FiberStatus) String() string {
	switch s {
	case FiberRunning:
		return "running"
	case FiberSuspended:
		return "suspended"
	case FiberDone:
		return "done"
	}
	return fmt.Sprintf("FiberStatus(%d)", uint8(s))
}

// FiberInfo is a snapshot of a fiber, as the registry and the hooks see it.
type FiberInfo struct {
	ID FiberID
	// Parent is the fiber that forked this one; 0 for a fiber started from
	// plain Go.
	Parent FiberID
	// Scope is the scope that supervises the fiber.
	Scope ScopeID
	// Name is the innermost name the fiber runs under ([Named]), inherited
	// from the forking fiber; empty if none. Once the fiber has ended (in
	// [Hooks.FiberEnd]), it is the first name the fiber entered itself, if
	// any: a fiber forked as Fork(e.Named("worker")) ends as "worker".
	Name string
	// Status is what the fiber is doing.
	Status FiberStatus
	// BlockedOn says what a suspended fiber waits for, such as "sleep 1s",
	// "join fiber #7" or "semaphore db"; empty otherwise.
	BlockedOn string
	// WaitingSince is when the wait began; zero when the fiber does not
	// wait or wait times are not recorded (see [Runtime.TrackWaits]).
	WaitingSince time.Time
	// Started is when the fiber started; zero unless the runtime was
	// observed then (hooks, a tracer or [Runtime.TrackWaits]).
	Started time.Time
	// Interrupting reports whether an interruption was requested.
	Interrupting bool
}

// ScopeInfo is a snapshot of a scope, as the hooks see it.
type ScopeInfo struct {
	ID     ScopeID
	Parent ScopeID
	// Owner is the fiber that opened the scope; 0 for scopes made from
	// plain Go.
	Owner FiberID
	// Label names special scopes, such as "runtime" for the global scope.
	Label string
}

// Hooks are callbacks on the lifecycle of fibers and scopes and on what
// fibers do: the base of metrics, tracing, logging, profiling and debugging
// tools. Any field may be nil; a runtime with no hooks pays a nil check at
// each of these points. Hooks run synchronously, most of them on the
// goroutine of the fiber concerned (the exceptions say so), so they must be
// quick and must not block; a panic in a hook is not recovered. The ctx
// given to a hook is the fiber's context: the values of the ctx given to
// [Run], and the span of the innermost [Named] effect when a [Tracer] is
// installed. It is never cancelled; it is for reading values.
//
// Fiber hooks fire for every fiber. Scope hooks fire for explicit scopes
// ([Scoped], [MakeScope], [Runtime.NewScope]), not for the scope that every
// fiber owns, whose life is the fiber's.
type Hooks struct {
	FiberStart func(FiberInfo)
	// FiberEnd receives the fiber's result as [Run] would return it (nil on
	// success). It runs after the fiber's own scope has closed and before
	// its exit is published: whoever joins or awaits the fiber, the scope
	// that waits for it, [Run], [Fiber.Done], [Fiber.Poll] and
	// [Fiber.Wait] see the end only after every FiberEnd hook returned. The
	// exit is final while they run: an interruption is then a no-op, and
	// the fiber shows as [FiberDone]. If a FiberEnd hook calls
	// runtime.Goexit, the end is still published.
	FiberEnd   func(info FiberInfo, err error)
	ScopeOpen  func(ScopeInfo)
	ScopeClose func(ScopeInfo)
	// FinalizerEnd is called after each finalizer of a scope has run, on
	// the fiber that closes the scope.
	FinalizerEnd func(ctx context.Context, ev FinalizerEvent)
	// Interrupt is called when the interruption of a fiber is requested
	// (the first request only), on the goroutine of the requester: another
	// fiber, a closing scope, a timeout, or plain Go.
	Interrupt func(ev InterruptEvent)
	// Retry is called after each decision of [Retry] and [Repeat]: to try
	// again after a delay, or to stop.
	Retry func(ctx context.Context, ev RetryEvent)
	// WaitStart and WaitEnd are called when a fiber begins and ends a wait
	// on a sleep, a join, a race, a timeout, or a primitive of the library
	// (semaphore, pool, queue, channel, deferred).
	WaitStart func(ctx context.Context, ev WaitEvent)
	WaitEnd   func(ctx context.Context, ev WaitEvent)
	// NamedStart and NamedEnd are called when a [Named] effect begins and
	// ends; the ctx of NamedStart carries the span that the tracer started
	// for it, if any.
	NamedStart func(ctx context.Context, ev NamedEvent)
	NamedEnd   func(ctx context.Context, ev NamedEvent)
}

// AddHooks registers h and returns a function that removes it. Hooks added
// while fibers run see the events that happen from then on.
func (rt *Runtime) AddHooks(h Hooks) (remove func()) {
	hp := &h
	rt.hooksMu.Lock()
	defer rt.hooksMu.Unlock()
	rt.watch.hooks = append(rt.watch.hooks[:len(rt.watch.hooks):len(rt.watch.hooks)], hp)
	rt.rebuildLocked()
	return func() {
		rt.hooksMu.Lock()
		defer rt.hooksMu.Unlock()
		var next []*Hooks
		for _, x := range rt.watch.hooks {
			if x != hp {
				next = append(next, x)
			}
		}
		rt.watch.hooks = next
		rt.rebuildLocked()
	}
}

func (rt *Runtime) fiberStarted(f *fiber) {
	if o := rt.obs.Load(); o != nil {
		o.fiberStarted(f)
	}
}

func (rt *Runtime) scopeOpened(s *Scope) {
	if o := rt.obs.Load(); o != nil && len(o.scopeOpen) > 0 {
		info := s.info()
		for _, h := range o.scopeOpen {
			h(info)
		}
	}
}

func (rt *Runtime) scopeClosed(s *Scope) {
	if o := rt.obs.Load(); o != nil && len(o.scopeClose) > 0 {
		info := s.info()
		for _, h := range o.scopeClose {
			h(info)
		}
	}
}

func (s *Scope) info() ScopeInfo {
	in := ScopeInfo{ID: s.ID(), Owner: s.owner, Label: s.label}
	if s.parent != nil {
		in.Parent = s.parent.ID()
	}
	return in
}

func (f *fiber) info() FiberInfo {
	in, _ := f.infoWait()
	return in
}

// infoWait returns f's info and what it waits for, read together.
func (f *fiber) infoWait() (FiberInfo, waitInfo) {
	f.mu.Lock()
	defer f.mu.Unlock()
	in := FiberInfo{ID: f.id, Parent: f.parent, Scope: f.home.ID(), BlockedOn: f.waiting.String(), Interrupting: f.intr.Load()}
	if o := f.obs.Load(); o != nil {
		in.Name = o.name()
		if f.done && o.first != "" {
			in.Name = o.first
		}
		in.Started = o.started
		if f.waiting.active() {
			in.WaitingSince = o.since
		}
	}
	switch {
	case f.done:
		in.Status = FiberDone
	case f.waiting.active():
		in.Status = FiberSuspended
	}
	return in, f.waiting
}

// node is one scope of a registry snapshot.
type node struct {
	scope  ScopeInfo
	fibers []fiberNode
	subs   []node
}

type fiberNode struct {
	info   FiberInfo
	wait   waitInfo
	path   []ScopeID
	own    ScopeID
	fibers []fiberNode
	subs   []node
}

func (s *Scope) snapshot() node {
	n := node{scope: s.info()}
	s.mu.Lock()
	var fibers []*fiber
	for f := s.fibers; f != nil; f = f.next {
		if !f.finished.Load() {
			fibers = append(fibers, f)
		}
	}
	var subs []*Scope
	for e := s.first; e != nil; e = e.next {
		if e.sub != nil {
			subs = append(subs, e.sub)
		}
	}
	s.mu.Unlock()
	for i := len(fibers) - 1; i >= 0; i-- {
		n.fibers = append(n.fibers, fibers[i].snapshot())
	}
	for _, c := range subs {
		n.subs = append(n.subs, c.snapshot())
	}
	return n
}

func (f *fiber) snapshot() fiberNode {
	var fn fiberNode
	fn.info, fn.wait = f.infoWait()
	fn.path = f.home.path()
	if s := f.own.Load(); s != nil {
		own := s.snapshot()
		fn.own, fn.fibers, fn.subs = s.ID(), own.fibers, own.subs
	}
	return fn
}

// Fibers returns a snapshot of every live fiber of the runtime, parents
// before their children.
func (rt *Runtime) Fibers() []FiberInfo {
	var out []FiberInfo
	rt.root.snapshot().eachFiber(func(fn fiberNode) { out = append(out, fn.info) })
	return out
}

// eachFiber calls fn for every fiber of the snapshot n, parents before
// their children.
func (n node) eachFiber(fn func(fiberNode)) {
	var walkFiber func(f fiberNode)
	walkFiber = func(f fiberNode) {
		fn(f)
		for _, c := range f.fibers {
			walkFiber(c)
		}
		for _, s := range f.subs {
			s.eachFiber(fn)
		}
	}
	for _, c := range n.fibers {
		walkFiber(c)
	}
	for _, s := range n.subs {
		s.eachFiber(fn)
	}
}
