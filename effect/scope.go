package effect

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
)

// ScopeID identifies a scope within its [Runtime].
type ScopeID uint64

// String returns the ID in decimal.
func (id ScopeID) String() string { return strconv.FormatUint(uint64(id), 10) }

type scopeState uint8

const (
	scopeOpen scopeState = iota
	scopeClosing
	scopeClosed
)

// finalizer is a release action registered in a scope; it receives the
// scope's exit.
type finalizer func(ex Exit[any, any]) Effect[any, any, struct{}]

// Scope owns fibers and finalizers. Closing a scope, which happens exactly
// once, does two things in this order: it interrupts every fiber still
// running in it and waits for them; then it runs its finalizers in reverse
// order of registration (LIFO), each exactly once, uninterruptibly, whether
// the scope ended in success, failure, defect or interruption. A child scope
// still open is closed at its place in that order, as if its opening had
// registered a finalizer. A failing
// finalizer does not stop the others; its failure is joined, as a
// [FinalizerError] defect, after the cause the scope ended with.
//
// Every fiber has a scope of its own, closed when its effect ends, so a
// fiber's children never outlive it. [Scoped] opens a narrower scope for a
// region of an effect; [MakeScope] and [Runtime.NewScope] make scopes that
// are closed by hand.
type Scope struct {
	id      atomic.Uint64 // assigned on first use for a fiber's own scope
	rt      *Runtime
	parent  *Scope
	owner   FiberID
	ofFiber *fiber // set for a fiber's own scope
	label   string
	// policies admit the fibers forked in the scope (policy.go): its own
	// and its parent's, nil when none applies. A fiber's own scope has none.
	policies *policySet

	mu      sync.Mutex
	state   scopeState
	fibers  *fiber       // supervised fibers, newest first; ended ones swept lazily
	nfibers int          // length of the fibers list
	ended   atomic.Int32 // fibers of the list that have ended
	// entries are the finalizers and the open child scopes, in order of
	// registration: closing walks them newest first, so a child scope is
	// closed exactly where its opening falls among the finalizers.
	first, last *entry
	// entry is this scope's place in its parent's entries (explicit
	// scopes): it points to ent, kept in the scope so that opening one
	// costs one allocation.
	entry *entry
	ent   entry
	// closer is the fiber running the close, result what the close ended
	// with (the finalizers' failures), and closed a channel made on demand
	// for callers that wait for a close in progress; all under mu.
	closer FiberID
	result Cause[any]
	closed chan struct{}
}

// entry is a finalizer or an open child scope of a scope.
type entry struct {
	fin        finalizer
	sub        *Scope
	prev, next *entry
	listed     bool // still in its scope's list
}

func (s *Scope) pushLocked(e *entry) {
	e.prev, e.listed = s.last, true
	if s.last != nil {
		s.last.next = e
	} else {
		s.first = e
	}
	s.last = e
}

func (s *Scope) removeLocked(e *entry) {
	if !e.listed {
		return
	}
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		s.first = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		s.last = e.prev
	}
	e.prev, e.next, e.listed = nil, nil, false
}

// takeLocked empties the entries and returns them newest first.
func (s *Scope) takeLocked() []*entry {
	var out []*entry
	for e := s.last; e != nil; e = e.prev {
		out = append(out, e)
	}
	for _, e := range out {
		e.prev, e.next, e.listed = nil, nil, false
	}
	s.first, s.last = nil, nil
	return out
}

func (s *Scope) initOwned(rt *Runtime, parent *Scope, f *fiber) {
	s.rt, s.parent, s.owner, s.ofFiber = rt, parent, f.id, f
}

// newScope makes an explicit scope, a child of parent (nil for a root).
func newScope(rt *Runtime, parent *Scope, owner FiberID, label string) *Scope {
	s := &Scope{rt: rt, parent: parent, owner: owner, label: label}
	if parent != nil {
		s.policies = parent.policies
	}
	s.id.Store(rt.scopeIDs.Add(1))
	if parent != nil && !parent.link(s) {
		s.state = scopeClosed
		return s
	}
	rt.scopeOpened(s)
	return s
}

// ID returns the scope's ID.
func (s *Scope) ID() ScopeID {
	if id := s.id.Load(); id != 0 {
		return ScopeID(id)
	}
	// A fiber's own scope gets its ID when someone first asks: forking
	// then costs one shared counter, not two.
	s.id.CompareAndSwap(0, s.rt.scopeIDs.Add(1))
	return ScopeID(s.id.Load())
}

// Parent returns the scope this one was opened in, or nil for a root scope.
func (s *Scope) Parent() *Scope { return s.parent }

// Owner returns the fiber that opened the scope ([Scoped], [MakeScope]),
// or whose own scope it is; 0 for a scope made from plain Go
// ([Runtime.NewScope], [Scope.NewScope]).
func (s *Scope) Owner() FiberID { return s.owner }

// NewScope returns a new scope, a child of s, for plain Go code that
// manages a lifetime by hand: a server's request, a job. Effects run in it
// with [Extend]; close it with [Scope.TryClose] or [Scope.Close]. If it is
// still open when s closes, s closes it first, at its place among s's
// finalizers (as if its opening had registered one). If s has begun
// closing, the new scope is closed already: a fork into it is interrupted
// at once and a finalizer added to it runs at once. opts configure it
// ([WithPolicy]); it inherits s's policies. It costs one allocation and
// starts nothing.
func (s *Scope) NewScope(opts ...ScopeOption) *Scope {
	checkOptions("effect.Scope.NewScope", opts)
	ns := newScope(s.rt, s, 0, "")
	ns.apply(opts)
	return ns
}

// IsClosed reports whether the scope has begun closing or has closed.
func (s *Scope) IsClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state != scopeOpen
}

func (s *Scope) link(sub *Scope) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != scopeOpen {
		return false
	}
	sub.ent = entry{sub: sub}
	sub.entry = &sub.ent
	s.pushLocked(sub.entry)
	return true
}

func (s *Scope) unlink(sub *Scope) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sub.entry != nil {
		s.removeLocked(sub.entry)
	}
}

func (s *Scope) attach(f *fiber) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != scopeOpen {
		return false
	}
	if n := s.ended.Load(); n >= 8 && int(n)*2 >= s.nfibers {
		s.sweepLocked()
	}
	f.next = s.fibers
	if s.fibers != nil {
		s.fibers.prev = f
	}
	s.fibers = f
	s.nfibers++
	return true
}

// childEnded counts a supervised fiber that has ended; attach sweeps ended
// fibers out of the list once they are half of it, so a long-lived scope
// does not keep them, and ending a fiber takes no lock of its scope.
func (s *Scope) childEnded() { s.ended.Add(1) }

func (s *Scope) sweepLocked() {
	removed := int32(0)
	for k := s.fibers; k != nil; {
		next := k.next
		if k.finished.Load() {
			if k.prev != nil {
				k.prev.next = k.next
			} else {
				s.fibers = k.next
			}
			if k.next != nil {
				k.next.prev = k.prev
			}
			k.prev, k.next = nil, nil
			removed++
			s.nfibers--
		}
		k = next
	}
	s.ended.Add(-removed)
}

// closeIfEmpty closes the scope at once if it has no running fiber, no open
// child scope and no finalizer, and reports whether it did: the fast path of
// the end of a fiber.
func (s *Scope) closeIfEmpty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first != nil {
		return false
	}
	for k := s.fibers; k != nil; k = k.next {
		if !k.finished.Load() {
			return false
		}
	}
	s.state = scopeClosed
	return true
}

// markClosed records the end of the close with its result and wakes the
// callers that wait for it.
func (s *Scope) markClosed(result Cause[any]) {
	s.mu.Lock()
	s.state = scopeClosed
	s.result = result
	ch := s.closed
	s.mu.Unlock()
	if ch != nil {
		close(ch)
	}
}

// closedChan returns a channel closed once the scope's close has ended;
// the caller holds s.mu.
func (s *Scope) closedChanLocked() <-chan struct{} {
	if s.state == scopeClosed {
		return closedCh
	}
	if s.closed == nil {
		s.closed = make(chan struct{})
	}
	return s.closed
}

func (s *Scope) addFinalizer(fin finalizer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != scopeOpen {
		return false
	}
	s.pushLocked(&entry{fin: fin})
	return true
}

// closeScope returns the effect that closes s with the exit ex. It succeeds
// with the joined failures of the finalizers (as FinalizerError defects),
// empty when all went well. Closing happens once: a caller that finds the
// close in progress on another fiber waits for it to end, and every caller
// gets the same result; a finalizer that closes its own scope (the closing
// fiber itself) returns at once, as waiting would never end. Callers run it
// uninterruptibly.
func closeScope(s *Scope, ex Exit[any, any]) Effect[any, any, Cause[any]] {
	return Effect[any, any, Cause[any]]{op: &closeScopeOp{s: s, ex: ex}}
}

// close is the step of a closeScopeOp on fiber f: see closeScope.
func (s *Scope) close(f *fiber, ex Exit[any, any]) Effect[any, any, Cause[any]] {
	s.mu.Lock()
	switch s.state {
	case scopeClosed:
		r := s.result
		s.mu.Unlock()
		return Succeed[any, any](r)
	case scopeClosing:
		if s.closer == f.id {
			s.mu.Unlock()
			return Succeed[any, any](Cause[any]{})
		}
		ch := s.closedChanLocked()
		s.mu.Unlock()
		waitChan(f, ch, waitInfo{what: "close of scope, by", on: fiberRef(s.closer)})
		s.mu.Lock()
		r := s.result
		s.mu.Unlock()
		return Succeed[any, any](r)
	}
	s.state = scopeClosing
	s.closer = f.id
	var kids []*fiber
	for k := s.fibers; k != nil; k = k.next {
		if !k.finished.Load() {
			kids = append(kids, k)
		}
	}
	entries := s.takeLocked()
	s.mu.Unlock()
	if len(kids) == 0 && len(entries) == 0 {
		s.finishClose(Cause[any]{})
		return Succeed[any, any](Cause[any]{})
	}

	for _, k := range kids {
		k.interruptAs(f.id, ErrScopeClosed)
	}
	for _, k := range kids {
		k.waitDone(f, "close scope, await")
	}
	var acc Cause[any]
	steps := make([]Effect[any, any, Cause[any]], 0, len(entries))
	for _, e := range entries {
		if e.sub != nil {
			steps = append(steps, closeScope(e.sub, ex))
			continue
		}
		fin := e.fin
		if o := s.rt.obs.Load(); o != nil {
			fin = o.timedFinalizer(f, s, fin) // observe: Hooks.FinalizerEnd
		}
		steps = append(steps, MatchCause(Suspend(func() Effect[any, any, struct{}] { return fin(ex) }),
			func(c Cause[any]) Cause[any] { return finalizerDefect[any](c) },
			func(struct{}) Cause[any] { return Cause[any]{} }))
	}
	var run func(i int) Effect[any, any, Cause[any]]
	run = func(i int) Effect[any, any, Cause[any]] {
		if i == len(steps) {
			return Sync[any, any](func() Cause[any] {
				s.finishClose(acc)
				return acc
			})
		}
		return FlatMap(steps[i], func(c Cause[any]) Effect[any, any, Cause[any]] {
			acc = acc.Then(c)
			return run(i + 1)
		})
	}
	return run(0)
}

// finishClose ends the close of s, whose fibers have ended and whose
// finalizers have run, with their failures acc: an explicit scope leaves
// its parent's entries and is reported to the hooks; then the callers
// waiting for the close wake up.
func (s *Scope) finishClose(acc Cause[any]) {
	if s.ofFiber == nil {
		if s.parent != nil {
			s.parent.unlink(s)
		}
		s.rt.scopeClosed(s)
	}
	s.markClosed(acc)
}

// closeIdle closes s at once, on the calling goroutine, if it is open and
// idle: no fiber of its own is running, no child scope is open and no
// finalizer is registered; it reports whether it did. It is the close of a
// scope that was never used, which needs no fiber and no effect.
func (s *Scope) closeIdle() bool {
	s.mu.Lock()
	if s.state != scopeOpen || s.first != nil {
		s.mu.Unlock()
		return false
	}
	for k := s.fibers; k != nil; k = k.next {
		if !k.finished.Load() {
			s.mu.Unlock()
			return false
		}
	}
	// Closing, by no fiber (0): a concurrent Close waits for markClosed.
	s.state = scopeClosing
	s.mu.Unlock()
	s.finishClose(Cause[any]{})
	return true
}

// TryClose closes s at once, on the calling goroutine, if nothing in it
// needs work: no fiber forked in it is still running, no child scope of it
// is open and no finalizer is registered. It reports whether it closed s.
// When it returns false s is as it was (or another caller is closing it,
// or closed it): [Scope.Close] does the work then, and returns the
// finalizers' failures. It never blocks and, unlike Close, costs no fiber:
// code that opens a scope per request or per job and usually leaves it
// unused calls it first.
//
//	if !s.TryClose() {
//		err = s.Close(ctx)
//	}
func (s *Scope) TryClose() bool { return s.closeIdle() }

// waitChan blocks fiber f until ch is closed, uninterruptibly (the closes
// that use it must finish), showing w in dumps meanwhile.
func waitChan(f *fiber, ch <-chan struct{}, w waitInfo) {
	select {
	case <-ch:
		return
	default:
	}
	f.mu.Lock()
	f.waiting = w
	f.mu.Unlock()
	if o := f.rt.obs.Load(); o != nil {
		o.waitBegan(f, w) // observe: wait times, Hooks.WaitStart
	}
	<-ch
	f.endWait()
}

// finalizerDefect returns the cause recorded for a finalizer that failed
// with c.
func finalizerDefect[E any](c Cause[any]) Cause[E] {
	return causeDefect[E](&Defect{Value: &FinalizerError{Cause: c}})
}

// lift runs an internal effect that needs nothing and cannot fail inside an
// effect of any type; a failure would be a runtime bug and becomes a defect.
func lift[R, E, A any](e Effect[any, any, A]) Effect[R, E, A] {
	return MatchCauseEffect(ProvideFrom[R](e, func(R) any { return nil }),
		func(c Cause[any]) Effect[R, E, A] { return FailCause[R, A](asDefects[any, E](c)) },
		Succeed[R, E, A])
}

// closeWith closes s with the exit of the effect it served and then ends as
// that exit, joined with the failures of the finalizers.
func closeWith[R, E, A any](s *Scope, ex Exit[E, A]) Effect[R, E, A] {
	return FlatMap(lift[R, E](closeScope(s, ex.Erase())), func(fc Cause[any]) Effect[R, E, A] {
		if fc.IsEmpty() {
			return FromExit[R](ex)
		}
		return FailCause[R, A](ex.cause.Then(stripFailures[any, E](fc)))
	})
}

// closeIdleOrWith is closeWith for a step that runs it at once (not an
// effect built ahead of its run): a scope left idle is closed right here,
// without the effect machinery of a close.
func closeIdleOrWith[R, E, A any](s *Scope, ex Exit[E, A]) Effect[R, E, A] {
	if s.closeIdle() {
		return FromExit[R](ex)
	}
	return closeWith[R](s, ex)
}

// erase binds e to env and erases its types, for storage as a finalizer.
func erase[R, E, A any](e Effect[R, E, A], env R) Effect[any, any, struct{}] {
	return Provide[any](Void(MapError(e, func(err E) any { return err })), env)
}

// Scoped returns an effect that runs e in a new scope, a child of the
// current one, and closes that scope when e ends, whatever the outcome:
// fibers forked in e are interrupted and awaited, and resources acquired in e
// ([AcquireRelease], [AddFinalizer]) are released in reverse order. The
// opening and the closing are uninterruptible; e is interruptible if the
// caller was.
func Scoped[R, E, A any](e Effect[R, E, A]) Effect[R, E, A] { return scoped(e, nil) }

// scoped is Scoped with the options of the new scope (see ScopedWith).
func scoped[R, E, A any](e Effect[R, E, A], opts []ScopeOption) Effect[R, E, A] {
	return UninterruptibleMask(func(restore Restore) Effect[R, E, A] {
		return withView(func(v view) Effect[R, E, A] {
			s := newScope(v.runtime(), v.scope(), v.id(), "")
			s.apply(opts)
			// One region sets both the scope and the caller's
			// interruptibility for e.
			body := region(e, regionScope|regionIntr, locals{scope: s, interruptible: restore.interruptible})
			return MatchCauseEffect(body,
				func(c Cause[E]) Effect[R, E, A] { return closeIdleOrWith[R](s, Exit[E, A]{cause: c}) },
				func(a A) Effect[R, E, A] { return closeIdleOrWith[R](s, Exit[E, A]{value: a}) })
		})
	})
}

// Scoped is the method form of [Scoped].
func (e Effect[R, E, A]) Scoped() Effect[R, E, A] { return Scoped(e) }

// CurrentScope returns an effect that succeeds with the current scope: where
// [Fork] attaches children and [AcquireRelease] registers releases.
func CurrentScope[R, E any]() Effect[R, E, *Scope] {
	return withView(func(v view) Effect[R, E, *Scope] { return Succeed[R, E](v.scope()) })
}

// MakeScope returns an effect that opens a new scope, a child of the current
// one, to be closed by hand with [CloseScope]; if it is still open when its
// parent closes, the parent closes it first. opts configure the new scope
// ([WithPolicy]).
func MakeScope[R, E any](opts ...ScopeOption) Effect[R, E, *Scope] {
	return withView(func(v view) Effect[R, E, *Scope] {
		s := newScope(v.runtime(), v.scope(), v.id(), "")
		s.apply(opts)
		return Succeed[R, E](s)
	})
}

// CloseScope returns an effect that closes s as a success, uninterruptibly,
// and fails with the finalizers' failures (as defects) if any failed.
// Closing a closed scope does nothing.
func CloseScope[R, E any](s *Scope) Effect[R, E, struct{}] {
	// The check for an idle scope is made when the effect runs, not here:
	// the effect may be built well before, or run more than once.
	return Uninterruptible(Suspend(func() Effect[R, E, struct{}] {
		return closeIdleOrWith[R](s, Exit[E, struct{}]{})
	}))
}

// Extend returns an effect that runs e with s as its current scope: the
// fibers e forks and the resources it acquires belong to s and live until s
// closes, not until e ends.
func Extend[R, E, A any](s *Scope, e Effect[R, E, A]) Effect[R, E, A] {
	return region(e, regionScope, locals{scope: s})
}

// AddFinalizer returns an effect that registers fin in the current scope: fin
// runs when the scope closes, with nil if the scope closed after a success
// and otherwise with the error its effect ended with (an interruption
// matches [ErrInterrupted], a failure is found with [errors.As]). It runs
// uninterruptibly and exactly once; the context that [Try] hands to plain Go
// inside fin is never cancelled. If the scope is already closed, fin runs at
// once, with an interruption whose reason is [ErrScopeClosed]. It panics if
// fin is nil.
func AddFinalizer[R, E, X any](fin func(err error) Effect[R, E, X]) Effect[R, E, struct{}] {
	if fin == nil {
		panic("effect.AddFinalizer: fin must not be nil")
	}
	return AccessEffect(func(env R) Effect[R, E, struct{}] {
		return withView(func(v view) Effect[R, E, struct{}] {
			stored := func(ex Exit[any, any]) Effect[any, any, struct{}] { return erase(fin(ex.Err()), env) }
			if v.scope().addFinalizer(stored) {
				return Unit[R, E]()
			}
			return Void(Uninterruptible(fin(errorOf(CauseInterrupt[any](v.id(), ErrScopeClosed)))))
		})
	})
}

// AcquireRelease returns an effect that runs acquire and registers
// release(value) in the current scope, to run when the scope closes. Both run
// uninterruptibly, so a resource is never acquired without its release being
// registered. Use it inside [Scoped] (or a fiber: its own scope closes when
// it ends).
//
// The context that [Try] hands to plain Go inside acquire lives as long as
// the resource: it keeps the values of the fiber's context, has no deadline
// and is cancelled only after release has run (or at once if acquire
// fails), so a transaction begun with db.BeginTx(ctx, nil), a command started
// with exec.CommandContext or a streamed response body stays usable until it
// is released. The same context reaches [Try] inside release. It panics if
// release is nil.
func AcquireRelease[R, E, A, X any](acquire Effect[R, E, A], release func(A) Effect[R, E, X]) Effect[R, E, A] {
	if release == nil {
		panic("effect.AcquireRelease: release must not be nil")
	}
	return AcquireReleaseExit(acquire, func(a A, _ error) Effect[R, E, X] { return release(a) })
}

// AcquireReleaseExit is [AcquireRelease] with a release that also learns how
// the scope ended: nil after a success, otherwise the error its effect ended
// with, for example to commit or roll back. It panics if release is nil.
func AcquireReleaseExit[R, E, A, X any](acquire Effect[R, E, A], release func(a A, err error) Effect[R, E, X]) Effect[R, E, A] {
	if release == nil {
		panic("effect.AcquireReleaseExit: release must not be nil")
	}
	return Uninterruptible(AccessEffect(func(env R) Effect[R, E, A] {
		return withView(func(v view) Effect[R, E, A] {
			scope := v.scope()
			ctx, cancel := context.WithCancel(context.WithoutCancel(v.base()))
			withCtx := func(e Effect[R, E, A]) Effect[R, E, A] {
				return region(e, regionResource, locals{resource: ctx})
			}
			body := FlatMap(withCtx(acquire), func(a A) Effect[R, E, A] {
				rel := func(err error) Effect[any, any, struct{}] {
					return erase(Ensuring(region(release(a, err), regionResource, locals{resource: ctx}),
						Sync[R, E](func() struct{} { cancel(); return struct{}{} })), env)
				}
				stored := func(ex Exit[any, any]) Effect[any, any, struct{}] { return rel(ex.Err()) }
				if scope.addFinalizer(stored) {
					return Succeed[R, E](a)
				}
				err := errorOf(CauseInterrupt[any](v.id(), ErrScopeClosed))
				return AndThen(lift[R, E](rel(err)), FailCause[R, A](CauseInterrupt[E](v.id(), ErrScopeClosed)))
			})
			return OnError(body, func(Cause[E]) Effect[R, E, struct{}] {
				return Sync[R, E](func() struct{} { cancel(); return struct{}{} })
			})
		})
	}))
}

// AcquireUseRelease returns an effect that runs acquire, then use of the
// resource, then release of it with use's exit, whatever that exit is. Acquire
// and release are uninterruptible; use is interruptible if the caller was. A
// failing release never hides use's failure: the two are joined in sequence.
func AcquireUseRelease[R, E, A, B, X any](acquire Effect[R, E, A], use func(A) Effect[R, E, B], release func(A, Exit[E, B]) Effect[R, E, X]) Effect[R, E, B] {
	return UninterruptibleMask(func(restore Restore) Effect[R, E, B] {
		return FlatMap(acquire, func(a A) Effect[R, E, B] {
			body := restore.Apply(Suspend(func() Effect[R, E, B] { return use(a) }))
			return MatchCauseEffect(body,
				func(c Cause[E]) Effect[R, E, B] {
					return releaseThen(release(a, Exit[E, B]{cause: c}), Exit[E, B]{cause: c})
				},
				func(b B) Effect[R, E, B] { return releaseThen(release(a, Exit[E, B]{value: b}), Exit[E, B]{value: b}) })
		})
	})
}

// releaseThen runs rel and then ends as ex, with rel's failure joined after.
func releaseThen[R, E, X, A any](rel Effect[R, E, X], ex Exit[E, A]) Effect[R, E, A] {
	return MatchCauseEffect(rel,
		func(rc Cause[E]) Effect[R, E, A] {
			return FailCause[R, A](ex.cause.Then(finalizerDefect[E](rc.Erase())))
		},
		func(X) Effect[R, E, A] { return FromExit[R](ex) })
}
