package effect

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// FiberID identifies a fiber within its [Runtime]. IDs start at 1; 0 stands
// for "no fiber" (an interruption from outside the runtime).
type FiberID uint64

// String returns the ID in decimal.
func (id FiberID) String() string { return strconv.FormatUint(uint64(id), 10) }

// ErrScopeClosed is the reason of the interruption of the fibers still
// running in a scope when it closes, and of a fiber forked into a scope that
// was already closing or closed (such a fiber never starts).
var ErrScopeClosed = errors.New("effect: scope closed")

// locals are the fiber-local settings that regions change and restore.
type locals struct {
	interruptible bool
	scope         *Scope     // the current scope: forks and finalizers go here
	lazy          *lazyScope // a guard's scope, made on first use (scope nil)
	// resource is the context of the resource being acquired or released
	// (AcquireRelease): Try hands it to plain Go and does not cancel it.
	resource context.Context
	// ctx is the context of a guard's region (a timeout's deadline), the
	// one Try hands to plain Go inside it; nil outside any guard.
	ctx context.Context
	// span is the span of the innermost traced Named region (named.go):
	// the contexts the fiber hands out carry it. Nil when not traced.
	span Span
}

// waitInfo says what a suspended fiber waits for: what (a sleep, a join)
// or on (the primitive, which names itself; see blocker.go), and d for a
// timed wait.
type waitInfo struct {
	what string
	on   Blocker
	d    time.Duration
}

// fiber is the runtime state of a running effect. It is embedded in the
// typed handle Fiber[E, A], so one allocation serves both.
type fiber struct {
	id     FiberID
	parent FiberID
	rt     *Runtime
	home   *Scope // the scope that supervises this fiber
	prev   *fiber // siblings in home's list
	next   *fiber
	locals locals
	depth  int32
	intr   atomic.Bool // an interruption was requested
	// src is the watch of the context given to Runtime.RunExit while it
	// is polled rather than armed (run.go): nil for every other fiber, and
	// once armed. Only the fiber's own goroutine reads and writes it.
	src *srcWatch
	// finished is set once the fiber has ended; scopes sweep such fibers
	// out of their lists lazily, so that ending costs no lock of the scope.
	finished atomic.Bool
	// done is set once the fiber has ended, under mu (finished is its
	// lock-free twin). It sits here, in finished's padding.
	done bool
	// hooked is set when the runtime had a step hook when the fiber was
	// made (tests): the fiber then calls the runtime's hook at each step.
	hooked bool
	uw     *unwinding
	// own is the fiber's own scope, made on first use: most fibers never
	// fork nor acquire anything, and then end without touching a scope.
	own atomic.Pointer[Scope]
	// obs is the fiber's observability state (names, annotations, wait
	// times), made on first use; see observe.go.
	obs atomic.Pointer[fiberObs]
	// vctx is the fiber's base context (see base), which carries the
	// fiber itself so that FiberOf knows it (observe.go).
	vctx fiberCtx
	// refs are the fiber's FiberRef values (fiberref.go): nil until the
	// fiber, or an ancestor before the fork, sets one. They are not part
	// of locals, which regions restore: a value set inside a region stays.
	// refCtx is the last context made for Try with them.
	refs   *refTable
	refCtx *refContext

	mu      sync.Mutex
	intrBy  FiberID
	intrWhy error
	intrCh  chan struct{} // made on demand; closed on interruption
	// parked is the async wait f is parked in (parkAsync), if it can be
	// interrupted: an interruption wakes it through its own channel, so
	// the park is one channel receive, not a select (which would grow a
	// fresh fiber's stack past 2 KiB).
	parked    waker
	doneCh    chan struct{} // made on demand; closed at the end
	waiting   waitInfo
	onEnd     func()    // the first observer, kept without a slice
	observers *[]func() // the others, made on demand
	// intrGuard is the guard whose stop is the pending interruption (nil
	// for an interruption of the whole fiber); guard is the innermost
	// active guard. Both under mu.
	intrGuard *guard
	guard     *guard
	// detached is the active guard whose context derives from the fiber's
	// base rather than from live (no live context existed when it was
	// armed): an interruption of the whole fiber cancels it. Under mu.
	detached *guard
	// live is the fiber's cancellable context, made on the first Try: an
	// interruption of the whole fiber cancels it (interruptAs), and so does
	// its end. Written under mu.
	live       context.Context
	liveCancel context.CancelCauseFunc
}

var closedCh = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (f *fiber) init(rt *Runtime, parent *fiber, home *Scope, ctx context.Context) {
	f.id = FiberID(rt.fiberIDs.Add(1))
	f.rt = rt
	f.home = home
	f.locals = locals{interruptible: true}
	if parent != nil {
		f.parent = parent.id
		if po := parent.obs.Load(); po != nil {
			f.inherit(po) // observe: names and annotations flow to children
		}
		f.refs = parent.refs.forked()
	} else {
		// A root fiber: ctx is the caller's, read for FiberRef values
		// before its cancellation is cut off (reading a value through
		// context.WithoutCancel costs an allocation).
		f.refs = refsFromContext(ctx)
		ctx = detach(ctx)
	}
	if pc, ok := ctx.(*fiberCtx); ok {
		ctx = pc.Context // the parent's own base: no chain of fibers
	}
	f.vctx = fiberCtx{Context: ctx}
	f.hooked = rt.stepHook.Load() != nil
}

// scope returns the current scope: the innermost region's, or a guard's
// (made on first use), or else the fiber's own scope, made on first use.
func (f *fiber) scope() *Scope {
	if s := f.locals.scope; s != nil {
		return s
	}
	if l := f.locals.lazy; l != nil {
		return f.lazyScope(l)
	}
	return f.ownScope()
}

func (f *fiber) ownScope() *Scope {
	if s := f.own.Load(); s != nil {
		return s
	}
	s := &Scope{}
	s.initOwned(f.rt, f.home, f)
	f.own.Store(s)
	return s
}

// lazyScope returns the scope of a guard's region, made on first use as a
// child of the scope in force where the region began.
func (f *fiber) lazyScope(l *lazyScope) *Scope {
	if l.s != nil {
		return l.s
	}
	var parent *Scope
	switch {
	case l.prevScope != nil:
		parent = l.prevScope
	case l.prevLazy != nil:
		parent = f.lazyScope(l.prevLazy)
	default:
		parent = f.ownScope()
	}
	l.s = newScope(f.rt, parent, f.id, "")
	return l.s
}

// interruptAs requests the interruption of f by the fiber by, for why. The
// first request wins, except over the stop of a guard, which an
// interruption of the whole fiber replaces.
func (f *fiber) interruptAs(by FiberID, why error) {
	f.mu.Lock()
	if f.done || (f.intr.Load() && f.intrGuard == nil) {
		f.mu.Unlock()
		return
	}
	f.intrBy, f.intrWhy, f.intrGuard = by, why, nil
	if !f.intr.Load() {
		f.intr.Store(true)
		if f.intrCh != nil {
			close(f.intrCh)
		}
		if f.parked != nil {
			f.parked.wakeIntr()
		}
	}
	live := f.liveCancel
	var det context.CancelCauseFunc
	if f.detached != nil {
		det = f.detached.cancel
	}
	f.mu.Unlock()
	if o := f.rt.obs.Load(); o != nil {
		o.interruptRequested(f, by, why) // observe: Hooks.Interrupt
	}
	if live != nil {
		live(newInterruptedError(by, why)) // the blocking Go call in progress
	}
	if det != nil {
		det(newInterruptedError(by, why)) // the same, in a detached region
	}
}

// armDetached records g, whose context was derived from the fiber's base
// (see guard.parentContext) and whose cancel is set, as the region that a
// fiber-wide interruption cancels; if one is already pending, it cancels
// it now.
func (f *fiber) armDetached(g *guard) {
	f.mu.Lock()
	f.detached = g
	if f.intr.Load() && f.intrGuard == nil {
		f.mu.Unlock()
		g.cancel(f.interruptErr())
		return
	}
	f.mu.Unlock()
}

// enterGuard makes g the innermost active guard of f.
func (f *fiber) enterGuard(g *guard) {
	g.f = f
	f.mu.Lock()
	g.outer = f.guard
	g.depth = 1
	if g.outer != nil {
		g.depth = g.outer.depth + 1
	}
	f.guard = g
	f.mu.Unlock()
}

// stopGuard interrupts the region of g for reason: see guard.stop.
func (f *fiber) stopGuard(g *guard, reason error) {
	f.mu.Lock()
	if f.done || g.ended {
		f.mu.Unlock()
		return
	}
	if f.intr.Load() && (f.intrGuard == nil || f.intrGuard.depth <= g.depth) {
		// The fiber, or a region around this one, is already stopping.
		f.mu.Unlock()
		return
	}
	g.stopped = reason
	f.intrBy, f.intrWhy, f.intrGuard = f.id, reason, g
	if !f.intr.Load() {
		f.intr.Store(true)
		if f.intrCh != nil {
			close(f.intrCh)
		}
		if f.parked != nil {
			f.parked.wakeIntr()
		}
	}
	cancel := g.cancel
	f.mu.Unlock()
	if o := f.rt.obs.Load(); o != nil {
		o.interruptRequested(f, f.id, reason) // observe: Hooks.Interrupt
	}
	if cancel != nil {
		cancel(newInterruptedError(f.id, reason))
	}
}

// leaveGuard ends g, the innermost active guard of f, and returns the
// reason of its stop if the pending interruption of f is that stop, which
// it then clears: the region has absorbed it. It returns nil otherwise.
func (f *fiber) leaveGuard(g *guard) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	g.ended = true
	f.guard = g.outer
	if f.detached == g {
		f.detached = nil
	}
	if !f.intr.Load() || f.intrGuard != g {
		return nil
	}
	f.intr.Store(false)
	f.intrBy, f.intrWhy, f.intrGuard = 0, nil, nil
	if f.intrCh != nil {
		f.intrCh = nil // closed: a fresh one is made on demand
	}
	return g.stopped
}

func interruptCause[E any](f *fiber) Cause[E] {
	f.mu.Lock()
	by, why := f.intrBy, f.intrWhy
	f.mu.Unlock()
	return CauseInterrupt[E](by, why)
}

func (f *fiber) interruptErr() error {
	f.mu.Lock()
	by, why := f.intrBy, f.intrWhy
	f.mu.Unlock()
	return newInterruptedError(by, why)
}

// tryContext returns the context that Try hands to plain Go: the
// resource's inside an acquire or release step, one that is never
// cancelled in any other uninterruptible region, a guard's inside a guard,
// and the fiber's own cancellable context otherwise.
// When the fiber has FiberRef values, the context carries them.
func (f *fiber) tryContext() context.Context {
	var ctx context.Context
	switch {
	case f.locals.resource != nil:
		ctx = f.withRefs(f.locals.resource)
	case !f.locals.interruptible:
		ctx = context.WithoutCancel(f.baseContext())
		if f.refs != nil {
			ctx = &refContext{Context: ctx, tab: f.refs}
		}
	case f.locals.ctx != nil:
		ctx = f.withRefs(f.locals.ctx)
	default:
		ctx = f.withRefs(f.liveContext())
	}
	if s := f.locals.span; s != nil {
		ctx = s.Context(ctx) // observe: the span reaches plain Go
	}
	return ctx
}

// withRefs returns ctx, one of the fiber's own contexts (comparable
// pointers), carrying the fiber's FiberRef values if it has any; the last
// such context is kept for the next Try.
func (f *fiber) withRefs(ctx context.Context) context.Context {
	if f.refs == nil {
		return ctx
	}
	if c := f.refCtx; c != nil && c.tab == f.refs && c.Context == ctx {
		return c
	}
	c := &refContext{Context: ctx, tab: f.refs}
	f.refCtx = c
	return c
}

// joinRefs merges into f's FiberRef values those that the ended fiber
// child changed (see MergeOnJoin).
func (f *fiber) joinRefs(child *fiber) {
	if child.refs != nil && child.refs != f.refs {
		f.refs = f.refs.joined(child.refs, child.id, f.id)
	}
}

// liveContext returns the cancellable context of the fiber in its current
// region: a guard's, or the fiber's own, made on first use.
func (f *fiber) liveContext() context.Context {
	if c := f.locals.ctx; c != nil {
		return c
	}
	if f.live != nil {
		return f.live
	}
	f.armSrc() // plain Go may block on it: Run's context must reach it
	ctx, cancel := context.WithCancelCause(f.base())
	f.mu.Lock()
	f.live, f.liveCancel = ctx, cancel
	if f.intr.Load() && f.intrGuard == nil {
		f.mu.Unlock()
		cancel(f.interruptErr())
		return ctx
	}
	f.mu.Unlock()
	return ctx
}

// baseContext returns the context whose values a new context of the fiber
// keeps: a guard's, or the fiber's base.
func (f *fiber) baseContext() context.Context {
	if c := f.locals.ctx; c != nil {
		return c
	}
	return f.base()
}

// base returns the fiber's base context: the values of the context it was
// started with, without its cancellation, and the fiber itself.
func (f *fiber) base() context.Context { return &f.vctx }

// forkContext returns the base context of a fiber forked here: the guard's
// (its deadline reaches the child's plain Go), or the fiber's base; with
// the span in force, if any, as the child's parent span.
func (f *fiber) forkContext() context.Context { return f.valueContext() }

// valueContext is baseContext with the span in force, if any: the context
// of hooks, of Context and of a resource's steps.
func (f *fiber) valueContext() context.Context {
	if s := f.locals.span; s != nil {
		return s.Context(f.baseContext())
	}
	return f.baseContext()
}

// interrupting reports whether f must stop at its next step.
func (f *fiber) interrupting() bool {
	return f.locals.interruptible && (f.intr.Load() || f.src != nil && f.pollSrc())
}

// beginWait marks f as suspended on w and returns the channel that closes
// when f is interrupted, or nil when f is uninterruptible (a nil channel
// never fires in a select).
func (f *fiber) beginWait(w waitInfo) <-chan struct{} {
	if f.src != nil && f.locals.interruptible {
		f.armSrc() // f suspends: Run's context must be able to wake it
	}
	f.mu.Lock()
	f.waiting = w
	var ch chan struct{}
	if f.locals.interruptible {
		if f.intrCh == nil {
			if f.intr.Load() {
				f.intrCh = closedCh
			} else {
				f.intrCh = make(chan struct{})
			}
		}
		ch = f.intrCh
	}
	f.mu.Unlock()
	if o := f.rt.obs.Load(); o != nil {
		o.waitBegan(f, w) // observe: wait times, Hooks.WaitStart
	}
	return ch
}

func (f *fiber) endWait() {
	if o := f.rt.obs.Load(); o != nil {
		o.waitEnding(f) // observe: Hooks.WaitEnd
	}
	f.mu.Lock()
	f.waiting = waitInfo{}
	f.mu.Unlock()
}

// doneChan returns a channel that is closed when f has ended.
func (f *fiber) doneChan() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.finished.Load() {
		return closedCh
	}
	if f.doneCh == nil {
		f.doneCh = make(chan struct{})
	}
	return f.doneCh
}

// observe calls fn once f has ended: now if it has.

func (f *fiber) observe(fn func()) {
	f.mu.Lock()
	if f.finished.Load() {
		f.mu.Unlock()
		fn()
		return
	}
	if f.onEnd == nil {
		f.onEnd = fn
	} else {
		if f.observers == nil {
			f.observers = new([]func())
		}
		*f.observers = append(*f.observers, fn)
	}
	f.mu.Unlock()
}

// finishLocked publishes the end of f: the caller holds f.mu and has
// written the exit. It wakes f's waiters and tells its supervising scope.
//
// The end hooks run before anyone can see the end: a joiner, an awaiter,
// Poll, Done or the closing scope resumes after them, so a metric or span
// of a child is complete when its parent (or Run) returns. So, with hooks,
// the end has two steps: done (the exit is final, an interruption is a
// no-op, the registry shows the fiber as done) before the hooks, and
// finished (the end is seen) after them. Without hooks both are one step.
func (f *fiber) finishLocked(err error, attached bool) {
	f.done = true
	if o := f.rt.obs.Load(); o != nil {
		f.mu.Unlock()
		o.fiberEnded(f, err)
		f.mu.Lock()
	}
	f.publishLocked(attached)
}

// publishLocked makes the end of f seen: the caller holds f.mu, and f is
// done. It releases f.mu.
func (f *fiber) publishLocked(attached bool) {
	// finished is set before the lock is released: whoever sees the end
	// (through finished, observe or the channel) also sees it, so the
	// registry no longer lists the fiber (Runtime.Fibers).
	f.finished.Store(true)
	ch, first, obs := f.doneCh, f.onEnd, f.observers
	f.onEnd, f.observers = nil, nil
	f.mu.Unlock()
	if ch != nil {
		close(ch)
	}
	if first != nil {
		first()
	}
	if obs != nil {
		for _, o := range *obs {
			o()
		}
	}
	if attached {
		f.home.childEnded()
	}
}

// waitDone blocks until f has ended, from fiber w (nil: plain Go, not
// interruptible). It reports false if w was interrupted first.
func (f *fiber) waitDone(w *fiber, what string) bool {
	if f.finished.Load() {
		return true
	}
	done := f.doneChan()
	if w == nil {
		<-done
		return true
	}
	select {
	case <-done:
		return true
	default:
	}
	intr := w.beginWait(waitInfo{what: what, on: fiberBlocker{f}})
	defer w.endWait()
	select {
	case <-done:
		return true
	case <-intr:
		return false
	}
}

// pause waits d on f, interruptibly, and reports whether it waited the
// whole delay (false: f was interrupted). A d of zero or less neither waits
// nor arms a timer; f is then only checked for a pending interruption.
func (f *fiber) pause(what string, d time.Duration) bool {
	if d <= 0 {
		return !f.interrupting()
	}
	t := time.NewTimer(d)
	intr := f.beginWait(waitInfo{what: what, d: d})
	select {
	case <-t.C:
		f.endWait()
		return true
	case <-intr:
		t.Stop()
		f.endWait()
		return false
	}
}

// parkForever waits until f is interrupted; in an uninterruptible region,
// forever.
func (f *fiber) parkForever() {
	intr := f.beginWait(waitInfo{what: "never"})
	<-intr
	f.endWait()
}

// parkAsync calls register with a resume callback and waits until resume
// is called, or f is interrupted (ok false, after calling register's cancel
// hook) — unless resume came first or at the same time, whose exit is then
// kept: a value handed over as the interruption arrived is never lost.
func parkAsync[E, A any](f *fiber, w waitInfo, register func(resume func(Exit[E, A])) (cancel func())) (ex Exit[E, A], ok bool) {
	if w.what == "" && w.on == nil {
		w.what = "async"
	}
	p := &parkSlot[E, A]{ch: make(chan Exit[E, A], 1)}
	cancel := register(func(ex Exit[E, A]) {
		if p.once.CompareAndSwap(false, true) {
			p.ch <- ex
		}
	})
	select {
	case ex := <-p.ch:
		return ex, true
	default:
	}
	if f.beginPark(w, p) {
		ex = <-p.ch
		f.endPark()
		if !p.intr {
			return ex, true
		}
	} else {
		// Interrupted before it could park: a resume that came meanwhile
		// still wins.
		if !p.once.CompareAndSwap(false, true) {
			return <-p.ch, true
		}
	}
	if cancel != nil {
		cancel()
	}
	return Exit[E, A]{}, false
}

// waker is an async wait that an interruption can end.
type waker interface{ wakeIntr() }

// parkSlot is one async wait: the first of the resume and an interruption
// sends on ch (buffered, so neither blocks), the other is dropped.
type parkSlot[E, A any] struct {
	ch   chan Exit[E, A]
	once atomic.Bool
	intr bool // the interruption won; written before its send
}

func (p *parkSlot[E, A]) wakeIntr() {
	if p.once.CompareAndSwap(false, true) {
		p.intr = true
		p.ch <- Exit[E, A]{}
	}
}

// beginPark marks f as suspended on w in the async wait p, and reports
// whether it parked: false if f is already being interrupted (and is
// interruptible). An uninterruptible fiber parks without p, so an
// interruption does not end the wait.
func (f *fiber) beginPark(w waitInfo, p waker) bool {
	if f.src != nil && f.locals.interruptible {
		f.armSrc() // f suspends: Run's context must be able to wake it
	}
	f.mu.Lock()
	if f.locals.interruptible {
		if f.intr.Load() {
			f.mu.Unlock()
			return false
		}
		f.parked = p
	}
	f.waiting = w
	f.mu.Unlock()
	if o := f.rt.obs.Load(); o != nil {
		o.waitBegan(f, w) // observe: wait times, Hooks.WaitStart
	}
	return true
}

// endPark ends the wait that beginPark began.
func (f *fiber) endPark() {
	if o := f.rt.obs.Load(); o != nil {
		o.waitEnding(f) // observe: Hooks.WaitEnd
	}
	f.mu.Lock()
	f.waiting = waitInfo{}
	f.parked = nil
	f.mu.Unlock()
}

// Fiber is a running effect: the handle that [Fork] returns. Other fibers
// wait for it with [Fiber.Join] or [Await], stop it with [Interrupt] and
// inspect it with [Fiber.Poll]; plain Go can wait on [Fiber.Done]. (Await and
// Interrupt are package functions: a method of Fiber[E, A] cannot return
// Effect[R, E, Exit[E, A]] in Go 1.27.)
type Fiber[E, A any] struct {
	fiber
	exit Exit[E, A]
}

// ID returns the fiber's ID.
func (fb *Fiber[E, A]) ID() FiberID { return fb.id }

// onEnd calls fn once the fiber has ended (now if it has): the observer
// that combinators of the package use to learn of a child's end.
func (fb *Fiber[E, A]) onEnd(fn func()) { fb.observe(fn) }

// Done returns a channel that is closed once the fiber has ended and its
// finalizers have run.
func (fb *Fiber[E, A]) Done() <-chan struct{} { return fb.doneChan() }

// Poll returns the fiber's exit and true if it has ended, and false if it is
// still running.
func (fb *Fiber[E, A]) Poll() (Exit[E, A], bool) {
	if fb.finished.Load() {
		// The exit was written before finished was set.
		return fb.exit, true
	}
	return Exit[E, A]{}, false
}

// Join returns an effect that waits for the fiber to end and ends as it did:
// its value, or its cause. The wait is interruptible.
func (fb *Fiber[E, A]) Join[R any]() Effect[R, E, A] { return Join[R](fb) }

// InterruptFromGo requests the interruption of the fiber from plain Go and
// returns at once; wait on [Fiber.Done] to know when it has ended.
func (fb *Fiber[E, A]) InterruptFromGo() { fb.interruptAs(0, nil) }

// Wait blocks plain Go until the fiber has ended and returns its exit, or
// returns ctx's error first if ctx is done.
func (fb *Fiber[E, A]) Wait(ctx context.Context) (Exit[E, A], error) {
	select {
	case <-fb.doneChan():
		ex, _ := fb.Poll()
		return ex, nil
	case <-ctx.Done():
		return Exit[E, A]{}, ctx.Err()
	}
}

// Await returns an effect that waits for fb to end and succeeds with its
// exit. The wait is interruptible.
func Await[R, E, A any](fb *Fiber[E, A]) Effect[R, E, Exit[E, A]] {
	if fb == nil {
		panic("effect.Await: fb must not be nil")
	}
	return Effect[R, E, Exit[E, A]]{op: &awaitOp[R, E, A]{fb: fb}}
}

// Join returns an effect that waits for fb to end and ends as it did. The
// wait is interruptible.
func Join[R, E, A any](fb *Fiber[E, A]) Effect[R, E, A] {
	if fb == nil {
		panic("effect.Join: fb must not be nil")
	}
	return Effect[R, E, A]{op: &joinOp[R, E, A]{fb: fb}}
}

// Interrupt returns an effect that interrupts fb and waits until it has
// ended, its finalizers included; it then succeeds with fb's exit. The wait
// is interruptible: if the caller is interrupted first, fb is still
// interrupted but no longer awaited.
func Interrupt[R, E, A any](fb *Fiber[E, A]) Effect[R, E, Exit[E, A]] {
	if fb == nil {
		panic("effect.Interrupt: fb must not be nil")
	}
	return Effect[R, E, Exit[E, A]]{op: &awaitOp[R, E, A]{fb: fb, mode: awaitStop}}
}

// Fork returns an effect that starts e on a new fiber and succeeds at once
// with its handle. The child belongs to the current scope (the innermost
// [Scoped] region, or else the forking fiber itself): when that scope
// closes, the child is interrupted and awaited if it is still running, so no
// fiber outlives its scope. A child starts interruptible, whatever the
// parent's status; a child interrupted before its first step runs nothing
// of e, not even the finalizers e would have installed (it never acquired
// anything), so a signal that e sends from an Ensuring may never come:
// wait on the fiber itself ([Join], [Await]) instead. Cost: one goroutine
// and one allocation of about 400 bytes.
func Fork[R, E, A any](e Effect[R, E, A]) Effect[R, E, *Fiber[E, A]] {
	return Effect[R, E, *Fiber[E, A]]{op: &forkOp[R, E, A]{e: e}}
}

// ForkDaemon returns an effect that starts e on a new fiber that belongs to
// the runtime's global scope instead of the current one: it outlives its
// parent and is interrupted only by [Runtime.Shutdown] or explicitly.
func ForkDaemon[R, E, A any](e Effect[R, E, A]) Effect[R, E, *Fiber[E, A]] {
	return Effect[R, E, *Fiber[E, A]]{op: &forkOp[R, E, A]{e: e, daemon: true}}
}

// ForkIn returns an effect that starts e on a new fiber supervised by scope:
// it is interrupted and awaited when scope closes.
func ForkIn[R, E, A any](scope *Scope, e Effect[R, E, A]) Effect[R, E, *Fiber[E, A]] {
	return Effect[R, E, *Fiber[E, A]]{op: &forkOp[R, E, A]{e: e, in: scope}}
}

// CurrentFiberID returns an effect that succeeds with the ID of the fiber
// running it.
func CurrentFiberID[R, E any]() Effect[R, E, FiberID] {
	return withView(func(v view) Effect[R, E, FiberID] { return Succeed[R, E](v.id()) })
}

func start[R, E, A any](rt *Runtime, parent *fiber, home *Scope, env R, e Effect[R, E, A], ctx context.Context) *Fiber[E, A] {
	t := &task[R, E, A]{env: env}
	t.set(e)
	fb := &t.Fiber
	f := &fb.fiber
	f.init(rt, parent, home, ctx)
	if !home.attach(f) {
		var by FiberID
		if parent != nil {
			by = parent.id
		}
		fb.mu.Lock()
		fb.exit = Exit[E, A]{cause: CauseInterrupt[E](by, ErrScopeClosed)}
		f.finishLocked(nil, false)
		return fb
	}
	if ps := home.policies; ps != nil {
		// The fiber waits for its admission first (policy.go); it starts
		// uninterruptible so that the wait always runs and gives back its
		// place in line, and runs e interruptibly.
		t.set(admitted(ps, ps.line.join(), e))
		f.locals.interruptible = false
	}
	spawn(t)
	return fb
}

// task is a fiber with the effect it runs: one allocation per fork. The
// effect's op is kept here and its value (an effect without an op is a
// plain value) in the fiber's exit, which nothing reads before the fiber
// has finished: that keeps a Fiber[error, int]'s task in the 416-byte size
// class instead of the 448-byte one.
type task[R, E, A any] struct {
	Fiber[E, A]
	env R
	op  op[R, E, A]
}

// set stores e as the effect t runs, before its goroutine starts.
func (t *task[R, E, A]) set(e Effect[R, E, A]) {
	t.op, t.exit.value = e.op, e.val
}

func (t *task[R, E, A]) run() {
	env, e := t.env, Effect[R, E, A]{op: t.op, val: t.exit.value}
	var (
		zero  R
		zeroA A
	)
	t.env, t.op, t.exit.value = zero, nil, zeroA // let them go once the fiber has them
	runFiber(&t.Fiber, env, e)
}

// spawn starts r on a new goroutine. It is not generic so that the
// goroutine's entry function has a short name: the runtime reads that name
// at every goroutine start, and a generic instance's name is long.
func spawn(r interface{ run() }) { go r.run() }

// runFiber runs fb's effect on the current goroutine, then closes the
// fiber's own scope (interrupting its children and running its finalizers)
// and publishes the exit.
//
// Its frame, and the frames below it while the effect runs, are kept small
// (the end of the fiber is in finish, which runs once runLoop has
// returned), so that a fiber that runs Try fits the 2 KiB stack a goroutine
// starts with: a stack that outgrows it is copied.
func runFiber[R, E, A any](fb *Fiber[E, A], env R, e Effect[R, E, A]) {
	defer fb.exitGuard()
	f := &fb.fiber
	f.rt.fiberStarted(f)
	a, c, st := runLoop(f, env, e)
	if st == stUnwind {
		a, c = drive[E, A](f)
	}
	fb.finish(a, c)
}

// finish ends fb, whose effect ended with a or c: it closes the fiber's
// own scope (interrupting its children and running its finalizers), ends
// its context and publishes the exit.
//
//go:noinline
func (fb *Fiber[E, A]) finish(a A, c Cause[E]) {
	f := &fb.fiber
	if own := f.own.Load(); own != nil && !own.closeIfEmpty() {
		f.locals = locals{interruptible: false, scope: own}
		fc, _ := runRoot(f, nil, closeScope(own, Exit[E, A]{value: a, cause: c}.Erase()))
		c = c.Then(stripFailures[any, E](fc))
	}
	if f.liveCancel != nil {
		f.liveCancel(nil) // the fiber's context ends with it
	}
	if f.uw != nil {
		f.uw.release()
	}
	fb.mu.Lock()
	fb.exit = Exit[E, A]{value: a, cause: c}
	f.finishLocked(errorOf(c), true)
}

// exitGuard, deferred by runFiber, ends fb as a defect if its goroutine
// leaves runFiber without finishing it: only runtime.Goexit (or a bug in
// the runtime itself) gets here, since the run loop recovers user panics;
// and a FiberEnd hook that panicked or called runtime.Goexit, whose fiber
// is done but not finished: then it only publishes the end.
func (fb *Fiber[E, A]) exitGuard() {
	if fb.finished.Load() {
		return
	}
	fb.mu.Lock()
	if fb.done {
		// An end hook panicked or called runtime.Goexit (finishLocked
		// runs them between done and finished): the end is published so
		// that no waiter hangs, and the hook's panic goes on, unrecovered.
		fb.publishLocked(true)
		return
	}
	fb.mu.Unlock()
	reason := recover()
	if reason == nil {
		reason = "effect: runtime.Goexit called inside an effect"
	}
	fb.mu.Lock()
	fb.exit = Exit[E, A]{cause: CauseDie[E](reason)}
	fb.finishLocked(fb.exit.Err(), true)
}

// FiberHandle is an untyped handle on a running fiber: enough to identify
// it, wait for its end and interrupt it, without knowing what it computes.
// [CurrentFiber] hands one to the effect that runs on the fiber, so that
// code watching a resource on its behalf (a lease renewer, a watchdog) can
// stop it with a reason. The zero FiberHandle refers to no fiber.
type FiberHandle struct{ f *fiber }

// ID returns the fiber's ID, or 0 for the zero handle.
func (h FiberHandle) ID() FiberID {
	if h.f == nil {
		return 0
	}
	return h.f.id
}

// Interrupt requests the interruption of the fiber, with reason as the
// [InterruptedError.Reason] that its cause and error carry, and returns at
// once: wait on [FiberHandle.Done] to know when the fiber has ended. The
// first request wins; a request to an ended fiber does nothing. Inside an
// uninterruptible region the interruption waits for the region's end.
func (h FiberHandle) Interrupt(reason error) {
	if h.f != nil {
		h.f.interruptAs(0, reason)
	}
}

// Done returns a channel closed once the fiber has ended, its finalizers
// included.
func (h FiberHandle) Done() <-chan struct{} {
	if h.f == nil {
		return closedCh
	}
	return h.f.doneChan()
}

// Handle returns an untyped handle on the fiber.
func (fb *Fiber[E, A]) Handle() FiberHandle { return FiberHandle{f: &fb.fiber} }

// CurrentFiber returns an effect that succeeds with a handle on the fiber
// running it.
func CurrentFiber[R, E any]() Effect[R, E, FiberHandle] {
	return withView(func(v view) Effect[R, E, FiberHandle] { return Succeed[R, E](v.handle()) })
}
