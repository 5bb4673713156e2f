package effect

import (
	"context"
	"runtime"
	"slices"
	"sync/atomic"
	"time"
)

// The ops: the closed set of primitives that the run loop interprets. Every
// effect is built from these and nothing else; every other combinator of
// the package (timeout, race, parallel, deferred, the scope API, retry's
// policy) is ordinary code over them. Only this file, the run loop
// (runloop.go), the fiber (fiber.go) and the scope (scope.go) touch a
// fiber's internals. docs/architecture.md has the same table, with why each
// op is a primitive.
//
//	op          position      what it does
//	fail        -             ends with a cause
//	sync        tail          calls a Go func for a value
//	suspend     tail          calls a Go func for the next effect
//	try         tail          calls plain Go with the fiber's ctx; fails with its error
//	access      tail          hands the environment to a func for the next effect
//	view        tail          hands a read-only view of the fiber (ID, scope, status) to a func
//	refs        tail          reads or replaces the fiber's table of FiberRef values (fiberref.go)
//	flatMap     sub + tail    runs src, then the effect k makes of its value
//	map         sub           runs src, then maps its value
//	chain       sub (loop)    runs src, then a sequence of FlatMaps and Maps from A to A (a left-nested chain, flattened)
//	fold        sub + tail    runs src, then onFail(cause) or onSucc(value)
//	region      sub           runs src with fiber locals set (interruptibility, scope, contexts)
//	provide     sub           runs src with another environment
//	guard       sub + tail    runs src as a region that an outside event may stop (timeout, race)
//	fork        -             starts a fiber
//	await       blocks        waits for a fiber's end (join, await, interrupt)
//	async       blocks        parks until a callback resumes it (queues, semaphores, deferreds)
//	sleep       blocks        waits for a duration, or forever (Never)
//	yield       -             lets other goroutines run
//	closeScope  sub (chain)   closes a scope: interrupts its fibers, runs its finalizers
//	loop        sub (loop)    runs a sequence of effects, recording each outcome (ForEach, parallel workers)
//	retry       sub (loop)    re-runs src as a schedule decides after each failure
//	repeat      sub (loop)    re-runs src as a schedule decides after each success
//	named       sub           runs src under a name or annotations, and a span when traced (named.go)
//
// "sub" ops run an effect in non-tail position through runSub (the frame
// protocol of runloop.go); "tail" ops hand an effect back to the loop.

type failOp[R, E, A any] struct{ cause Cause[E] }

func (o *failOp[R, E, A]) step(*fiber, R) (Effect[R, E, A], Cause[E], status) {
	return Effect[R, E, A]{}, o.cause, stFail
}

type syncOp[R, E, A any] struct{ fn func() A }

func (o *syncOp[R, E, A]) step(*fiber, R) (Effect[R, E, A], Cause[E], status) {
	return Effect[R, E, A]{val: o.fn()}, Cause[E]{}, stCont
}

type suspendOp[R, E, A any] struct{ fn func() Effect[R, E, A] }

func (o *suspendOp[R, E, A]) step(*fiber, R) (Effect[R, E, A], Cause[E], status) {
	return o.fn(), Cause[E]{}, stCont
}

// tryOp calls plain Go with the context of the fiber (see fiber.tryContext).
type tryOp[R, A any] struct {
	fn func(ctx context.Context) (A, error)
}

func (o *tryOp[R, A]) step(f *fiber, _ R) (Effect[R, error, A], Cause[error], status) {
	a, err := o.fn(f.tryContext())
	if err != nil {
		if f.interrupting() {
			// Most likely the error is the cancelled context: report the
			// interruption, not a failure.
			return Effect[R, error, A]{}, interruptCause[error](f), stFail
		}
		return Effect[R, error, A]{}, CauseFail(err), stFail
	}
	return Effect[R, error, A]{val: a}, Cause[error]{}, stCont
}

type accessOp[R, E, A any] struct{ fn func(R) Effect[R, E, A] }

func (o *accessOp[R, E, A]) step(_ *fiber, env R) (Effect[R, E, A], Cause[E], status) {
	return o.fn(env), Cause[E]{}, stCont
}

// viewOp hands a read-only view of the running fiber to fn.
type viewOp[R, E, A any] struct{ fn func(v view) Effect[R, E, A] }

func (o *viewOp[R, E, A]) step(f *fiber, _ R) (Effect[R, E, A], Cause[E], status) {
	return o.fn(view{f: f}), Cause[E]{}, stCont
}

// view is what the combinators built on viewOp may know of a fiber: its
// identity, its current scope and its interruptibility. It is a value that
// must not outlive the step that received it (except the handle).
type view struct{ f *fiber }

func (v view) id() FiberID           { return v.f.id }
func (v view) handle() FiberHandle   { return FiberHandle(v) }
func (v view) scope() *Scope         { return v.f.scope() }
func (v view) runtime() *Runtime     { return v.f.rt }
func (v view) interruptible() bool   { return v.f.locals.interruptible }
func (v view) base() context.Context { return v.f.baseContext() }

// values returns the fiber's context with the span in force (observe).
func (v view) values() context.Context { return v.f.valueContext() }

// refsOp hands the fiber's table of FiberRef values, and its ID, to fn,
// keeps the table fn returns and continues with fn's effect.
type refsOp[R, E, A any] struct {
	fn func(t *refTable, id FiberID) (*refTable, Effect[R, E, A])
}

func (o *refsOp[R, E, A]) step(f *fiber, _ R) (Effect[R, E, A], Cause[E], status) {
	t, next := o.fn(f.refs, f.id)
	f.refs = t
	return next, Cause[E]{}, stCont
}

type flatMapOp[R, E, A, B any] struct {
	src Effect[R, E, A]
	k   func(A) Effect[R, E, B]
}

func (o *flatMapOp[R, E, A, B]) step(f *fiber, env R) (Effect[R, E, B], Cause[E], status) {
	if o.src.op == nil {
		return o.k(o.src.val), Cause[E]{}, stCont
	}
	return runSub(f, env, env, o.src, o)
}

func (o *flatMapOp[R, E, A, B]) after(_ *fiber, _ R, a A, c Cause[E], failed bool) (Effect[R, E, B], Cause[E], status) {
	if failed {
		return Effect[R, E, B]{}, c, stFail
	}
	return o.k(a), Cause[E]{}, stCont
}

// andThenOp runs src, drops its value and continues with next: AndThen in
// one node, where a FlatMap needs a node and a closure.
type andThenOp[R, E, A, B any] struct {
	src  Effect[R, E, A]
	next Effect[R, E, B]
}

func (o *andThenOp[R, E, A, B]) step(f *fiber, env R) (Effect[R, E, B], Cause[E], status) {
	if o.src.op == nil {
		return o.next, Cause[E]{}, stCont
	}
	return runSub(f, env, env, o.src, o)
}

func (o *andThenOp[R, E, A, B]) after(_ *fiber, _ R, _ A, c Cause[E], failed bool) (Effect[R, E, B], Cause[E], status) {
	if failed {
		return Effect[R, E, B]{}, c, stFail
	}
	return o.next, Cause[E]{}, stCont
}

type mapOp[R, E, A, B any] struct {
	src Effect[R, E, A]
	f   func(A) B
}

func (o *mapOp[R, E, A, B]) step(f *fiber, env R) (Effect[R, E, B], Cause[E], status) {
	if o.src.op == nil {
		return Effect[R, E, B]{val: o.f(o.src.val)}, Cause[E]{}, stCont
	}
	return runSub(f, env, env, o.src, o)
}

func (o *mapOp[R, E, A, B]) after(_ *fiber, _ R, a A, c Cause[E], failed bool) (Effect[R, E, B], Cause[E], status) {
	if failed {
		return Effect[R, E, B]{}, c, stFail
	}
	return Effect[R, E, B]{val: o.f(a)}, Cause[E]{}, stCont
}

// chainOp is a left-nested sequence of FlatMaps and Maps from A to A,
// flattened as it is built: the shape of e = e.FlatMap(f) in a loop. Built
// as nested flatMapOps, such a chain is entered one level per step (a
// nested runLoop, past the depth budget a heap frame each); as a chain it
// is a loop op, like ForEach: one run state, each step's effect run through
// runSub with the run state as its continuation, in constant stack.
//
// Its steps are kept in chunks that chains built one from another share:
// a chain is its last chunk and how many of that chunk's steps are its
// own, and each chunk points back to the steps before it. A FlatMap appends
// its step in place when it is the first to extend that chain, and
// otherwise starts a chunk of its own; no step is ever copied, so building
// a chain of n steps costs O(n) and a chain stays valid, runnable and
// extendable (concurrently too) after others were built from it.
type chainOp[R, E, A any] struct {
	c *chainChunk[R, E, A]
	n int // the steps of c that belong to this chain: c.steps[:n]
}

// chainStep is one step of a chain: a FlatMap's k, or else a Map's m.
type chainStep[R, E, A any] struct {
	k func(A) Effect[R, E, A]
	m func(A) A
}

// chainChunk is a run of steps. Its steps slice is never replaced; used is
// the number of its slots written, so that of two chains extending the
// same one, only the first appends in place (a compare-and-swap of used).
type chainChunk[R, E, A any] struct {
	src   Effect[R, E, A]      // the effect the chain starts with
	prev  *chainChunk[R, E, A] // the chunk before, or nil
	prevN int                  // the steps of prev that come before this chunk's
	total int                  // prevN plus the steps of every chunk before prev
	depth int                  // the number of chunks before this one
	used  atomic.Int64         // slots of steps written
	steps []chainStep[R, E, A] // len is the capacity; slots past used are empty
}

// chainChunkMax caps the size of a chunk; chunks double up to it.
const chainChunkMax = 1024

func newChainChunk[R, E, A any](src Effect[R, E, A], prev *chainChunk[R, E, A], prevN, size int) *chainChunk[R, E, A] {
	c := &chainChunk[R, E, A]{src: src, prev: prev, prevN: prevN, steps: make([]chainStep[R, E, A], size)}
	if prev != nil {
		c.total, c.depth = prev.total+prevN, prev.depth+1
	}
	return c
}

// then returns the chain o followed by st. o is not changed: it may be run
// and extended again, concurrently.
func (o *chainOp[R, E, A]) then(st chainStep[R, E, A]) Effect[R, E, A] {
	c, n := o.c, o.n
	if n < len(c.steps) && c.used.CompareAndSwap(int64(n), int64(n+1)) {
		c.steps[n] = st
		return Effect[R, E, A]{op: &chainOp[R, E, A]{c: c, n: n + 1}}
	}
	nc := newChainChunk(c.src, c, n, min(2*(c.total+n), chainChunkMax))
	nc.steps[0] = st
	nc.used.Store(1)
	return Effect[R, E, A]{op: &chainOp[R, E, A]{c: nc, n: 1}}
}

// chainMin is how many FlatMaps and Maps from A to A must be nested for a
// further one to flatten them into a chain: shorter nests keep their nodes,
// which run without allocating, where a chain allocates its run state.
const chainMin = 4

// chainOf returns the chain of e followed by st, if e is already a chain or
// a nest of at least chainMin FlatMaps and Maps from A to A, and false
// otherwise. It looks at most chainMin nodes deep.
func chainOf[R, E, A any](e Effect[R, E, A], st chainStep[R, E, A]) (Effect[R, E, A], bool) {
	if o, ok := e.op.(*chainOp[R, E, A]); ok {
		return o.then(st), true
	}
	var nest [chainMin]chainStep[R, E, A] // the nest's steps, last first
	src := e
	for i := range nest {
		switch o := src.op.(type) {
		case *flatMapOp[R, E, A, A]:
			nest[i], src = chainStep[R, E, A]{k: o.k}, o.src
		case *mapOp[R, E, A, A]:
			nest[i], src = chainStep[R, E, A]{m: o.f}, o.src
		default:
			return Effect[R, E, A]{}, false
		}
	}
	c := newChainChunk[R, E, A](src, nil, 0, 2*(chainMin+1))
	for i, s := range nest {
		c.steps[chainMin-1-i] = s
	}
	c.steps[chainMin] = st
	c.used.Store(chainMin + 1)
	return Effect[R, E, A]{op: &chainOp[R, E, A]{c: c, n: chainMin + 1}}, true
}

func (o *chainOp[R, E, A]) step(f *fiber, env R) (Effect[R, E, A], Cause[E], status) {
	run := &chainRun[R, E, A]{}
	if o.c.prev == nil {
		run.cur = o.c.steps[:o.n]
	} else {
		// The chunks in order, first to last.
		segs := make([][]chainStep[R, E, A], 0, o.c.depth+1)
		for c, n := o.c, o.n; c != nil; c, n = c.prev, c.prevN {
			segs = append(segs, c.steps[:n])
		}
		slices.Reverse(segs)
		run.cur, run.rest = segs[0], segs[1:]
	}
	if src := o.c.src; src.op != nil {
		return runSub(f, env, env, src, run)
	}
	return run.advance(o.c.src.val)
}

// chainRun is one run of a chain, a loop op: the steps left (cur, then the
// chunks of rest) and the effect of the step in progress. It runs the
// steps exactly as the nested FlatMaps and Maps would: a Map's function,
// and a FlatMap's k, are called as soon as the value before them is known,
// with no interruption point in between (advance); the effect a k returns
// is handed back to the run loop (as this op, whose step runs it through
// runSub), which checks for interruption before it, as it would before
// any effect a FlatMap continues with. So the interruption points of a
// chain are those of the nest it replaces, and a run allocates only its
// state, whatever the number of steps.
type chainRun[R, E, A any] struct {
	cur  []chainStep[R, E, A]
	rest [][]chainStep[R, E, A]
	next Effect[R, E, A] // the effect of the step in progress
}

// advance feeds a to the steps left, up to the first whose k returns an
// effect that must run, and hands that effect to the run loop.
func (r *chainRun[R, E, A]) advance(a A) (Effect[R, E, A], Cause[E], status) {
	for {
		for len(r.cur) > 0 {
			st := r.cur[0]
			r.cur = r.cur[1:]
			if st.k == nil {
				a = st.m(a)
				continue
			}
			e := st.k(a)
			if e.op != nil {
				r.next = e
				return Effect[R, E, A]{op: r}, Cause[E]{}, stCont
			}
			a = e.val
		}
		if len(r.rest) == 0 {
			return Effect[R, E, A]{val: a}, Cause[E]{}, stCont
		}
		r.cur, r.rest = r.rest[0], r.rest[1:]
	}
}

func (r *chainRun[R, E, A]) step(f *fiber, env R) (Effect[R, E, A], Cause[E], status) {
	e := r.next
	r.next = Effect[R, E, A]{}
	return runSub(f, env, env, e, r)
}

func (r *chainRun[R, E, A]) after(_ *fiber, _ R, a A, c Cause[E], failed bool) (Effect[R, E, A], Cause[E], status) {
	if failed {
		return Effect[R, E, A]{}, c, stFail
	}
	return r.advance(a)
}

type foldOp[R, E, E2, A, B any] struct {
	src    Effect[R, E, A]
	onFail func(Cause[E]) Effect[R, E2, B]
	onSucc func(A) Effect[R, E2, B]
}

func (o *foldOp[R, E, E2, A, B]) step(f *fiber, env R) (Effect[R, E2, B], Cause[E2], status) {
	return runSub(f, env, env, o.src, o)
}

func (o *foldOp[R, E, E2, A, B]) after(_ *fiber, _ R, a A, c Cause[E], failed bool) (Effect[R, E2, B], Cause[E2], status) {
	if failed {
		return o.onFail(c), Cause[E2]{}, stCont
	}
	return o.onSucc(a), Cause[E2]{}, stCont
}

// regionMask says which fiber locals a region sets.
type regionMask uint8

const (
	regionIntr regionMask = 1 << iota
	regionScope
	regionResource
)

// regionOp runs src with some fiber locals set, and restores them after.
type regionOp[R, E, A any] struct {
	src  Effect[R, E, A]
	mask regionMask
	set  locals
}

func (o *regionOp[R, E, A]) step(f *fiber, env R) (Effect[R, E, A], Cause[E], status) {
	prev := f.locals
	if o.mask&regionIntr != 0 {
		f.locals.interruptible = o.set.interruptible
	}
	if o.mask&regionScope != 0 {
		f.locals.scope = o.set.scope
		f.locals.lazy = nil
	}
	if o.mask&regionResource != 0 {
		f.locals.resource = o.set.resource
	}
	return runRegion(f, env, env, o.src, o, prev)
}

func (o *regionOp[R, E, A]) after(_ *fiber, _ R, a A, c Cause[E], failed bool) (Effect[R, E, A], Cause[E], status) {
	if failed {
		return Effect[R, E, A]{}, c, stFail
	}
	return Effect[R, E, A]{val: a}, Cause[E]{}, stCont
}

type provideOp[R0, R, E, A any] struct {
	src Effect[R, E, A]
	f   func(R0) R
}

func (o *provideOp[R0, R, E, A]) step(f *fiber, outer R0) (Effect[R0, E, A], Cause[E], status) {
	return runSub(f, outer, o.f(outer), o.src, o)
}

func (o *provideOp[R0, R, E, A]) after(_ *fiber, _ R0, a A, c Cause[E], failed bool) (Effect[R0, E, A], Cause[E], status) {
	if failed {
		return Effect[R0, E, A]{}, c, stFail
	}
	return Effect[R0, E, A]{val: a}, Cause[E]{}, stCont
}

type forkOp[R, E, A any] struct {
	e      Effect[R, E, A]
	in     *Scope
	daemon bool
}

func (o *forkOp[R, E, A]) step(f *fiber, env R) (Effect[R, E, *Fiber[E, A]], Cause[E], status) {
	var home *Scope
	switch {
	case o.in != nil:
		home = o.in
	case o.daemon:
		home = &f.rt.root
	default:
		home = f.scope()
	}
	return Effect[R, E, *Fiber[E, A]]{val: start(f.rt, f, home, env, o.e, f.forkContext())}, Cause[E]{}, stCont
}

// awaitMode is what an awaitOp does.
type awaitMode uint8

const (
	awaitExit awaitMode = iota // succeed with the exit
	awaitJoin                  // end as the fiber did
	awaitStop                  // interrupt, then succeed with the exit
)

type awaitOp[R, E, A any] struct {
	fb   *Fiber[E, A]
	mode awaitMode
}

func (o *awaitOp[R, E, A]) step(f *fiber, _ R) (Effect[R, E, Exit[E, A]], Cause[E], status) {
	what := "await"
	switch o.mode {
	case awaitStop:
		o.fb.interruptAs(f.id, nil)
		what = "interrupt"
	case awaitJoin:
		what = "join"
	}
	if !o.fb.waitDone(f, what) {
		return Effect[R, E, Exit[E, A]]{}, interruptCause[E](f), stFail
	}
	ex, _ := o.fb.Poll()
	if o.mode == awaitExit && ex.IsSuccess() {
		f.joinRefs(&o.fb.fiber)
	}
	return Effect[R, E, Exit[E, A]]{val: ex}, Cause[E]{}, stCont
}

// joinOp is the await op in join mode, typed as the fiber's own result.
type joinOp[R, E, A any] struct{ fb *Fiber[E, A] }

func (o *joinOp[R, E, A]) step(f *fiber, _ R) (Effect[R, E, A], Cause[E], status) {
	if !o.fb.waitDone(f, "join") {
		return Effect[R, E, A]{}, interruptCause[E](f), stFail
	}
	ex, _ := o.fb.Poll()
	if ex.IsSuccess() {
		f.joinRefs(&o.fb.fiber)
		return Effect[R, E, A]{val: ex.value}, Cause[E]{}, stCont
	}
	return Effect[R, E, A]{}, ex.cause, stFail
}

// asyncOp parks the fiber until the callback that register receives is
// called, or the fiber is interrupted.
type asyncOp[R, E, A any] struct {
	register func(resume func(Exit[E, A])) (cancel func())
	what     string  // what the fiber waits for, in dumps ("async" if empty)
	on       Blocker // the primitive waited on (AsyncOn), or nil
}

func (o *asyncOp[R, E, A]) step(f *fiber, _ R) (Effect[R, E, A], Cause[E], status) {
	ex, ok := parkAsync(f, waitInfo{what: o.what, on: o.on}, o.register)
	if !ok {
		return Effect[R, E, A]{}, interruptCause[E](f), stFail
	}
	if ex.IsSuccess() {
		return Effect[R, E, A]{val: ex.value}, Cause[E]{}, stCont
	}
	return Effect[R, E, A]{}, ex.cause, stFail
}

// sleepOp waits for d, or forever when forever is set, interruptibly.
type sleepOp[R, E, A any] struct {
	d       time.Duration
	forever bool
}

func (o *sleepOp[R, E, A]) step(f *fiber, _ R) (Effect[R, E, A], Cause[E], status) {
	if o.forever {
		f.parkForever()
		return Effect[R, E, A]{}, interruptCause[E](f), stFail
	}
	if !f.pause("sleep", o.d) {
		return Effect[R, E, A]{}, interruptCause[E](f), stFail
	}
	return Effect[R, E, A]{}, Cause[E]{}, stCont
}

type yieldOp[R, E any] struct{}

func (yieldOp[R, E]) step(*fiber, R) (Effect[R, E, struct{}], Cause[E], status) {
	runtime.Gosched()
	return Effect[R, E, struct{}]{}, Cause[E]{}, stCont
}

// closeScopeOp closes s with the exit ex (see Scope.close) and succeeds
// with the finalizers' failures.
type closeScopeOp struct {
	s  *Scope
	ex Exit[any, any]
}

func (o *closeScopeOp) step(f *fiber, _ any) (Effect[any, any, Cause[any]], Cause[any], status) {
	return o.s.close(f, o.ex), Cause[any]{}, stCont
}

// withView returns an effect that continues with what fn makes of a view
// of the running fiber.
func withView[R, E, A any](fn func(v view) Effect[R, E, A]) Effect[R, E, A] {
	return Effect[R, E, A]{op: &viewOp[R, E, A]{fn: fn}}
}

// guardOp runs src as a stoppable region of the fiber. Its spec's arm,
// called on the fiber before src starts, sets the region's context for
// plain Go and the triggers that may stop it (a deadline, another fiber's
// end) through the guard it receives; a stop interrupts the region, not the
// fiber. Once src has ended and the forks and finalizers of the region have
// been closed, the spec's done receives src's exit and the guard, whose
// reason is the reason of the stop that ended the region (nil if none did),
// and returns what the op ends with. A fiber-wide interruption, or the stop
// of an enclosing guard, always takes precedence over a stop of this one:
// the reason is then nil and done's effect meets the interruption.
type guardOp[R, E, A, B any] struct {
	src  Effect[R, E, A]
	spec guardSpec[R, E, A, B]
}

// guardSpec is what a guarded region does at its start and end: Timeout's
// op is its own spec (one allocation per Timeout), Race's is its state.
type guardSpec[R, E, A, B any] interface {
	arm(g *guard)
	done(ex Exit[E, A], g *guard) Effect[R, E, B]
}

// guardRun is one run of a guardOp: the guard and the op it serves.
type guardRun[R, E, A, B any] struct {
	guard
	op *guardOp[R, E, A, B]
}

func (o *guardOp[R, E, A, B]) step(f *fiber, env R) (Effect[R, E, B], Cause[E], status) {
	run := &guardRun[R, E, A, B]{op: o}
	g := &run.guard
	prev := f.locals
	f.enterGuard(g)
	o.spec.arm(g)
	if g.ctx != nil {
		f.locals.ctx = g.ctx
	}
	g.lazy = lazyScope{prevScope: prev.scope, prevLazy: prev.lazy}
	f.locals.scope, f.locals.lazy = nil, &g.lazy
	return runRegion(f, env, env, o.src, run, prev)
}

func (r *guardRun[R, E, A, B]) after(f *fiber, _ R, a A, c Cause[E], failed bool) (Effect[R, E, B], Cause[E], status) {
	r.reason = f.leaveGuard(&r.guard)
	r.disarm()
	ex := Exit[E, A]{value: a, cause: c}
	if !failed {
		ex.cause = Cause[E]{}
	}
	if s := r.lazy.s; s != nil {
		// Close the region's scope first: its forks are interrupted and
		// awaited, its finalizers run, whatever the region ended with.
		// (A copy, so that only this path moves the exit to the heap.)
		ex := ex
		return Uninterruptible(FlatMap(lift[R, E](closeScope(s, ex.Erase())), func(fc Cause[any]) Effect[R, E, B] {
			if !fc.IsEmpty() {
				ex = Exit[E, A]{cause: ex.cause.Then(stripFailures[any, E](fc))}
			}
			return r.op.spec.done(ex, &r.guard)
		})), Cause[E]{}, stCont
	}
	return r.op.spec.done(ex, &r.guard), Cause[E]{}, stCont
}

// guard is a stoppable region in progress. The code that armed it may stop
// it from any goroutine with stop; the fields are the fiber's.
type guard struct {
	f     *fiber
	outer *guard // the enclosing guard, or nil
	depth int32  // 1 for a guard in no other
	// ctx, if set by arm, is the context Try hands to plain Go inside the
	// region; cancel, if set, is called with the stop's error when the
	// region is stopped, and with nil when the region ends; end, if set,
	// is called when the region ends (a deadline's CancelFunc).
	ctx    context.Context
	cancel context.CancelCauseFunc
	end    context.CancelFunc
	// timer, if set by arm, is stopped when the region ends.
	timer *time.Timer
	lazy  lazyScope
	// Under f.mu: the region has ended (stops are ignored), and why it was
	// stopped.
	ended   bool
	stopped error
	// reason is, once the region has ended, the reason of the stop that
	// ended it, or nil: what done reads.
	reason error
}

// parent returns the context that the region's own context should derive
// from: the context Try would see just outside the region.
func (g *guard) parent() context.Context { return g.f.liveContext() }

// parentContext is parent for a region that sets cancel: when the fiber
// has no live context yet (and no enclosing region's), it returns the
// fiber's base and true instead of making one — the caller then derives
// its context with a cancel and hands g to armDetached, so that a fiber-wide
// interruption cancels the region's context directly. It saves a
// cancellable context, and the parent's children map, per region.
func (g *guard) parentContext() (context.Context, bool) {
	f := g.f
	if c := f.locals.ctx; c != nil {
		return c, false
	}
	if f.live != nil {
		return f.live, false
	}
	f.armSrc() // the region's context: Run's context must reach it
	return f.base(), true
}

// stop interrupts the region for reason, unless it has ended, the fiber is
// being interrupted as a whole, or an enclosing region is being stopped.
// It returns at once; it may be called from any goroutine.
func (g *guard) stop(reason error) { g.f.stopGuard(g, reason) }

// outerStopping reports, once the region has ended, whether the fiber is
// still being interrupted: by an enclosing region's stop or as a whole.
func (g *guard) outerStopping() bool { return g.f.intr.Load() }

// disarm stops the region's triggers and ends its context, on the fiber.
func (g *guard) disarm() {
	if g.timer != nil {
		g.timer.Stop()
	}
	if g.end != nil {
		g.end()
	}
	if g.cancel != nil {
		g.cancel(nil)
	}
}

// lazyScope is the scope of a guard's region, made on first use (a fork or
// a finalizer inside the region), as a child of the scope in force where
// the region began.
type lazyScope struct {
	prevScope *Scope
	prevLazy  *lazyScope
	s         *Scope
}

// forkAllOp starts every effect of effs on a new fiber of the current
// scope and writes the handles into dst, in order. It succeeds with
// struct{}: typed so, it can serve combinators that are methods of Effect,
// which Go 1.27 does not let build an Effect of a fiber type.
// If end is set, it is made an observer of each fiber's end as soon as the
// fiber is started (see Fiber.onEnd). If more is set, it is asked before
// each fork after the first, and the forks stop at its first false:
// forked is then how many of effs were started (dst[:forked] holds them).
type forkAllOp[R, E, A any] struct {
	effs   []Effect[R, E, A]
	dst    []*Fiber[E, A]
	end    func()
	more   func() bool
	forked int
}

func (o *forkAllOp[R, E, A]) step(f *fiber, env R) (Effect[R, E, struct{}], Cause[E], status) {
	home := f.scope()
	o.forked = 0
	for i, e := range o.effs {
		if i > 0 && o.more != nil && !o.more() {
			break
		}
		k := start(f.rt, f, home, env, e, f.forkContext())
		o.dst[i] = k
		o.forked = i + 1
		if o.end != nil {
			k.onEnd(o.end)
		}
	}
	return Effect[R, E, struct{}]{}, Cause[E]{}, stCont
}

// stopAllOp interrupts every fiber of kids for why and waits until they
// have all ended, uninterruptibly — the await primitive for a set of
// fibers —, then ends as ex: a race's or a parallel run's last step, one
// node (or none: a race keeps it in its state) where a stop followed by
// FromExit took four.
type stopAllOp[R, E, K, A any] struct {
	kids []*Fiber[E, K]
	why  error
	ex   Exit[E, A]
}

func (o *stopAllOp[R, E, K, A]) step(f *fiber, _ R) (Effect[R, E, A], Cause[E], status) {
	for _, k := range o.kids {
		k.interruptAs(f.id, o.why)
	}
	for _, k := range o.kids {
		k.waitDone(nil, "")
	}
	if o.ex.cause.n != nil {
		return Effect[R, E, A]{}, o.ex.cause, stFail
	}
	return Effect[R, E, A]{val: o.ex.value}, Cause[E]{}, stCont
}

// namedOp runs src as a region of the fiber whose enter changes the
// fiber's observability state and may set the span in force (Named,
// Annotate: named.go); the function enter returns is called with src's
// outcome once the locals are restored.
type namedOp[R, E, A any] struct {
	src   Effect[R, E, A]
	enter func(f *fiber) (leave func(err error))
}

// namedLeave is the continuation of a namedOp: a func, so that it needs no
// allocation of its own.
type namedLeave[R, E, A any] func(err error)

func (o *namedOp[R, E, A]) step(f *fiber, env R) (Effect[R, E, A], Cause[E], status) {
	prev := f.locals
	leave := o.enter(f)
	return runRegion(f, env, env, o.src, namedLeave[R, E, A](leave), prev)
}

func (l namedLeave[R, E, A]) after(_ *fiber, _ R, a A, c Cause[E], failed bool) (Effect[R, E, A], Cause[E], status) {
	if failed {
		l(errorOf(c))
		return Effect[R, E, A]{}, c, stFail
	}
	l(nil)
	return Effect[R, E, A]{val: a}, Cause[E]{}, stCont
}
