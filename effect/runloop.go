package effect

import (
	"sync"
	"unsafe"
)

// The run loop.
//
// An effect is a tree of typed op nodes (ops.go lists them all). runLoop runs
// one effect to its end: it steps ops until one yields a plain value,
// checking for interruption before each step. A step that ends with another
// effect of the same type (FlatMap's continuation, Suspend, a catch handler)
// hands it back to the loop instead of calling it, so tail positions run in
// constant Go stack: a recursive effect loops forever without growing the
// stack.
//
// The frame protocol. An op that runs a sub-effect in non-tail position (the
// source of a FlatMap, Map or fold, the body of a region, a Provide or a
// guard, an attempt of a retry) does it through one function, runSub, and
// writes what happens next once, as a typed continuation: its after method
// (the cont interface). runSub runs the sub-effect in a nested, typed
// runLoop — no boxing, no allocation — and calls after with the outcome.
// Nesting is bounded by depthBudget. Past it, runSub does not recurse: it
// records the sub-effect as pending and pushes a heap frame (a slot that
// holds the continuation, its environment and a zero-size adapter that knows
// their types: no allocation), and every op on the way out pushes its own
// frame too (stUnwind). The fiber's root driver then owns a heap stack of
// frames: it runs the pending effect from depth zero and feeds each result to
// the frame on top, which unboxes it and calls the same after; a result that
// the frames below take at its own type is fed on typed (chain). So a chain of a million left-nested FlatMaps runs in bounded Go
// stack, and every chain of ordinary depth takes the typed path.
//
// A panic in user code is recovered by the innermost runLoop (or by the
// driver, for a frame) and becomes a defect of the effect that loop was
// running, so enclosing folds and finalizers still run.

// status tells the run loop what a step produced.
type status uint8

const (
	stDone   status = iota // a value is ready
	stCont                 // continue with the returned effect
	stFail                 // failed with the returned cause
	stUnwind               // unwinding to the heap stack
)

// depthBudget is how deep typed runLoops may nest before unwinding to the
// heap. It is a variable so that tests can force the heap path everywhere.
var depthBudget int32 = 256

func runLoop[R, E, A any](f *fiber, env R, e Effect[R, E, A]) (a A, c Cause[E], st status) {
	ok := false
	defer func() {
		if !ok {
			// Only a panic gets here; recover is not called on the normal
			// path, where it would cost a runtime call per nested loop.
			if r := recover(); r != nil {
				var zero A
				a, c, st = zero, causeDefect[E](newDefect(r, 0)), stFail
			}
		}
	}()
	for e.op != nil {
		if f.locals.interruptible && (f.intr.Load() || f.src != nil && f.pollSrc()) {
			ok = true
			return a, interruptCause[E](f), stFail
		}
		if f.hooked && f.stepHooked() {
			f.interruptAs(0, ErrStepHook)
			continue
		}
		e, c, st = e.op.step(f, env)
		if st != stCont {
			ok = true
			return a, c, st
		}
	}
	ok = true
	return e.val, c, stDone
}

// cont is the continuation of an op that runs a sub-effect of type
// Effect[R, E, A] in non-tail position and itself has type Effect[R2, E2, B]:
// after receives the sub-effect's value a, or its cause c when failed, and
// the environment of the op, and returns what the op's step returns.
type cont[R2, E2, B, E, A any] interface {
	after(f *fiber, env R2, a A, c Cause[E], failed bool) (Effect[R2, E2, B], Cause[E2], status)
}

// runSub runs sub, with the environment env, as the non-tail sub-effect of
// an op whose environment is env2 and whose continuation is k: typed and
// nested while the depth budget lasts, else by unwinding to the heap stack.
func runSub[R2, E2, B, R, E, A any](f *fiber, env2 R2, env R, sub Effect[R, E, A], k cont[R2, E2, B, E, A]) (Effect[R2, E2, B], Cause[E2], status) {
	if sub.op == nil {
		return k.after(f, env2, sub.val, Cause[E]{}, false)
	}
	if f.depth >= depthBudget {
		f.unwinding().pending = &bound[R, E, A]{e: sub, env: env}
	} else {
		f.depth++
		a, c, st := runLoop(f, env, sub)
		f.depth--
		if st != stUnwind {
			return k.after(f, env2, a, c, st == stFail)
		}
	}
	f.uw.save((*heapFrame[R2, E2, B, E, A])(nil), k, env2)
	return Effect[R2, E2, B]{}, Cause[E2]{}, stUnwind
}

// runRegion is runSub for an op that changed the fiber's locals before
// running sub (a region): it restores prev before the continuation runs, on
// the typed path as on the heap path.
func runRegion[R2, E2, B, R, E, A any](f *fiber, env2 R2, env R, sub Effect[R, E, A], k cont[R2, E2, B, E, A], prev locals) (Effect[R2, E2, B], Cause[E2], status) {
	if f.depth >= depthBudget {
		f.unwinding().pending = &bound[R, E, A]{e: sub, env: env}
		f.uw.save(&regionFrame[R2, E2, B, E, A]{prev: prev}, k, env2)
		return Effect[R2, E2, B]{}, Cause[E2]{}, stUnwind
	}
	f.depth++
	a, c, st := runLoop(f, env, sub)
	f.depth--
	if st == stUnwind {
		f.uw.save(&regionFrame[R2, E2, B, E, A]{prev: prev}, k, env2)
		return Effect[R2, E2, B]{}, Cause[E2]{}, stUnwind
	}
	f.locals = prev
	return k.after(f, env2, a, c, st == stFail)
}

// slot is a suspended continuation on the fiber's heap stack: the
// continuation k (a cont, boxed), its environment, and fr, which knows their
// types. For the common frame fr is a zero-size heapFrame, so pushing a slot
// allocates nothing (k is a pointer in an interface, and an environment of
// pointer shape boxes without allocating).
type slot struct {
	fr  frame
	k   any
	env any
}

// frame resumes the continuation of a slot.
type frame interface {
	// resume continues s with the boxed result of the sub-effect (v, or
	// the cause c when failed) and returns the boxed result of the op, or
	// stUnwind.
	resume(f *fiber, k, env, v, c any, failed bool) (any, any, status)
	// die returns the cause of a defect in the frame's result type.
	die(d *Defect) any
}

// heapFrame is the frame of a continuation of type cont[R2, E2, B, E, A]:
// it carries only types, so a slot holds it as a nil pointer, without an
// allocation. Its methods have pointer receivers (which they never read):
// methods on the value would make the compiler emit a pointer wrapper of
// each for every instantiation, and a program instantiates this type for
// every shape of continuation it runs.
type heapFrame[R2, E2, B, E, A any] struct{}

func (fr *heapFrame[R2, E2, B, E, A]) resume(f *fiber, k, env, v, c any, failed bool) (any, any, status) {
	if failed {
		cause, _ := c.(Cause[E])
		r, _ := env.(R2)
		var zero A
		next, nc, st := k.(cont[R2, E2, B, E, A]).after(f, r, zero, cause, true)
		switch st {
		case stCont:
			return box(runLoop(f, r, next))
		case stFail:
			return nil, nc, stFail
		}
		return nil, nil, stUnwind
	}
	a, _ := v.(A)
	b, nc, st := fr.apply(f, k, env, a)
	switch st {
	case stDone:
		return chain[E2](f, b)
	case stFail:
		return nil, nc, stFail
	}
	return nil, nil, stUnwind
}

// apply continues s with the value a and runs what it returns: the typed
// form of resume, which chain calls without boxing a.
func (*heapFrame[R2, E2, B, E, A]) apply(f *fiber, k, env any, a A) (B, Cause[E2], status) {
	r, _ := env.(R2)
	next, nc, st := k.(cont[R2, E2, B, E, A]).after(f, r, a, Cause[E]{}, false)
	switch st {
	case stCont:
		return runLoop(f, r, next)
	case stFail:
		var zero B
		return zero, nc, stFail
	}
	var zero B
	return zero, Cause[E2]{}, stUnwind
}

func (*heapFrame[R2, E2, B, E, A]) die(d *Defect) any { return causeDefect[E2](d) }

// sameFrame is a frame whose continuation takes and gives a value of one
// type A, with one failure type E: a Map or a FlatMap from A to A, the
// shape of a chain built with e = e.FlatMap(f) in a loop.
type sameFrame[E, A any] interface {
	apply(f *fiber, k, env any, a A) (A, Cause[E], status)
}

// chain feeds a, the value a frame produced, to the frames on top of the
// heap stack for as long as they take an A and give an A, typed and without
// boxing, and returns the last result for the driver. It stops at any other
// frame and at the base of the driver running it.
func chain[E, A any](f *fiber, a A) (any, any, status) {
	u := f.uw
	var (
		last unsafe.Pointer // the type of the frame last asserted, and what it gave
		next sameFrame[E, A]
		ok   bool
	)
	for {
		top := u.peek()
		if top == nil {
			return a, nil, stDone
		}
		if t := frameType(top.fr); t != last {
			// A chain's frames are mostly of one type: the assertion (a
			// lookup in the runtime's itab table) is made once per run.
			last = t
			next, ok = top.fr.(sameFrame[E, A])
		}
		if !ok {
			return a, nil, stDone
		}
		k, env := top.k, top.env
		u.pop()
		var c Cause[E]
		var st status
		a, c, st = next.apply(f, k, env, a)
		switch st {
		case stFail:
			return nil, c, stFail
		case stUnwind:
			return nil, nil, stUnwind
		}
	}
}

// frameType returns the type word of fr (its itab): two frames have the
// same dynamic type exactly when their type words are equal. Comparing the
// interfaces themselves would also call the type's equality function.
func frameType(fr frame) unsafe.Pointer { return (*[2]unsafe.Pointer)(unsafe.Pointer(&fr))[0] }

// regionFrame is the frame of a region's continuation: it restores the
// locals in force before the region, then continues as a heapFrame.
type regionFrame[R2, E2, B, E, A any] struct {
	prev locals
}

func (fr *regionFrame[R2, E2, B, E, A]) resume(f *fiber, k, env, v, c any, failed bool) (any, any, status) {
	f.locals = fr.prev
	return (*heapFrame[R2, E2, B, E, A])(nil).resume(f, k, env, v, c, failed)
}

func (fr *regionFrame[R2, E2, B, E, A]) die(d *Defect) any { return causeDefect[E2](d) }

// pending is the effect an unwinding left to run, bound to its environment.
type pending interface {
	run(f *fiber) (any, any, status)
}

type bound[R, E, A any] struct {
	e   Effect[R, E, A]
	env R
}

func (b *bound[R, E, A]) run(f *fiber) (any, any, status) { return box(runLoop(f, b.env, b.e)) }

func box[E, A any](a A, c Cause[E], st status) (any, any, status) {
	switch st {
	case stDone:
		return a, nil, stDone
	case stFail:
		return nil, c, stFail
	}
	return nil, nil, stUnwind
}

type unwinding struct {
	segment []slot  // frames pushed while unwinding, innermost first
	pending pending // what to run once unwound
	stack   *chunk  // the heap stack, top chunk first
	spare   *chunk  // an emptied chunk kept for the next growth
	// base is the height of the stack where the innermost driver began
	// (drive): chain stops there.
	baseChunk *chunk
	baseN     int
}

// save records the frame of a continuation k, with its environment env,
// on the segment of the unwinding: runSub's and runRegion's unwind path,
// kept out of their instantiations (one per shape of continuation).
//
//go:noinline
func (u *unwinding) save(fr frame, k, env any) {
	u.segment = append(u.segment, slot{fr: fr, k: k, env: env})
}

// chunk is a piece of the heap stack. The stack grows by chunks, so it
// never copies its frames, however deep it gets.
type chunk struct {
	frames [256]slot
	n      int
	below  *chunk
}

func (u *unwinding) push(fr slot) {
	if u.stack == nil || u.stack.n == len(u.stack.frames) {
		c := u.spare
		if c != nil {
			u.spare = nil
		} else {
			c = chunkPool.Get().(*chunk)
		}
		c.below = u.stack
		u.stack = c
	}
	u.stack.frames[u.stack.n] = fr
	u.stack.n++
}

// peek returns the slot on top of the heap stack, or nil at the base of
// the innermost driver.
func (u *unwinding) peek() *slot {
	c := u.stack
	if c == nil || (c == u.baseChunk && c.n == u.baseN) {
		return nil
	}
	return &c.frames[c.n-1]
}

func (u *unwinding) pop() slot {
	c := u.stack
	c.n--
	fr := c.frames[c.n]
	c.frames[c.n] = slot{}
	if c.n == 0 {
		u.stack, c.below = c.below, nil
		if u.spare != nil {
			chunkPool.Put(u.spare)
		}
		u.spare = c
	}
	return fr
}

// chunkPool keeps emptied chunks (every slot zero) for the next deep
// unwinding, of this fiber or another: a chain of 100,000 frames needs 391
// of them, which would otherwise be garbage after every run.
var chunkPool = sync.Pool{New: func() any { return new(chunk) }}

// release gives the fiber's spare chunk back to the pool when the fiber
// ends.
func (u *unwinding) release() {
	if u.spare != nil {
		chunkPool.Put(u.spare)
		u.spare = nil
	}
}

// mark returns a mark of the stack's height: the top chunk and its count.
func (u *unwinding) mark() (*chunk, int) {
	if u.stack == nil {
		return nil, 0
	}
	return u.stack, u.stack.n
}

func (f *fiber) unwinding() *unwinding {
	if f.uw == nil {
		f.uw = &unwinding{}
	}
	return f.uw
}

// runRoot runs e to its end on f, the bottom of f's stack.
func runRoot[R, E, A any](f *fiber, env R, e Effect[R, E, A]) (A, Cause[E]) {
	a, c, st := runLoop(f, env, e)
	if st != stUnwind {
		return a, c
	}
	return drive[E, A](f)
}

// drive runs an unwound effect to its end with the heap stack: it pushes
// the frames of the last unwinding, runs its pending effect, and feeds each
// result to the frame on top until the stack is back where it started.
func drive[E, A any](f *fiber) (A, Cause[E]) {
	u := f.uw
	baseChunk, baseN := u.mark()
	outerChunk, outerN := u.baseChunk, u.baseN
	u.baseChunk, u.baseN = baseChunk, baseN
	defer func() { u.baseChunk, u.baseN = outerChunk, outerN }()
	var v, c any
	st := stUnwind
	for {
		if st == stUnwind {
			for i := len(u.segment) - 1; i >= 0; i-- {
				u.push(u.segment[i])
				u.segment[i] = slot{}
			}
			u.segment = u.segment[:0]
			p := u.pending
			u.pending = nil
			v, c, st = p.run(f)
			continue
		}
		if top, n := u.mark(); top == baseChunk && n == baseN {
			break
		}
		s := u.pop()
		v, c, st = resume(f, s.fr, s.k, s.env, v, c, st == stFail)
	}
	a, _ := v.(A)
	cause, _ := c.(Cause[E])
	if st == stFail && cause.IsEmpty() {
		cause = CauseDie[E]("effect: lost cause in the heap stack")
	}
	return a, cause
}

func resume(f *fiber, fr frame, k, env, v, c any, failed bool) (rv, rc any, st status) {
	ok := false
	defer func() {
		if !ok {
			if r := recover(); r != nil {
				rv, rc, st = nil, fr.die(newDefect(r, 0)), stFail
			}
		}
	}()
	rv, rc, st = fr.resume(f, k, env, v, c, failed)
	ok = true
	return rv, rc, st
}
