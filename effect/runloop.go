package effect

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
// records the sub-effect as pending and pushes a heap frame (a frame value
// that holds the continuation and its environment), and every op on the way
// out pushes its own frame too (stUnwind). The fiber's root driver then owns
// a heap stack of frames: it runs the pending effect from depth zero and
// feeds each result to the frame on top, which unboxes it and calls the same
// after. So a chain of a million left-nested FlatMaps runs in bounded Go
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
		if f.stepHook != nil && f.stepHook(f.id) {
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
		u := f.unwinding()
		u.pending = &bound[R, E, A]{e: sub, env: env}
		u.segment = append(u.segment, &heapFrame[R2, E2, B, E, A]{k: k, env: env2})
		return Effect[R2, E2, B]{}, Cause[E2]{}, stUnwind
	}
	f.depth++
	a, c, st := runLoop(f, env, sub)
	f.depth--
	if st == stUnwind {
		f.uw.segment = append(f.uw.segment, &heapFrame[R2, E2, B, E, A]{k: k, env: env2})
		return Effect[R2, E2, B]{}, Cause[E2]{}, stUnwind
	}
	return k.after(f, env2, a, c, st == stFail)
}

// runRegion is runSub for an op that changed the fiber's locals before
// running sub (a region): it restores prev before the continuation runs, on
// the typed path as on the heap path.
func runRegion[R2, E2, B, R, E, A any](f *fiber, env2 R2, env R, sub Effect[R, E, A], k cont[R2, E2, B, E, A], prev locals) (Effect[R2, E2, B], Cause[E2], status) {
	if f.depth >= depthBudget {
		u := f.unwinding()
		u.pending = &bound[R, E, A]{e: sub, env: env}
		u.segment = append(u.segment, &regionFrame[R2, E2, B, E, A]{heapFrame: heapFrame[R2, E2, B, E, A]{k: k, env: env2}, prev: prev})
		return Effect[R2, E2, B]{}, Cause[E2]{}, stUnwind
	}
	f.depth++
	a, c, st := runLoop(f, env, sub)
	f.depth--
	if st == stUnwind {
		f.uw.segment = append(f.uw.segment, &regionFrame[R2, E2, B, E, A]{heapFrame: heapFrame[R2, E2, B, E, A]{k: k, env: env2}, prev: prev})
		return Effect[R2, E2, B]{}, Cause[E2]{}, stUnwind
	}
	f.locals = prev
	return k.after(f, env2, a, c, st == stFail)
}

// regionFrame is the heap frame of a region: it restores the locals in
// force before the region, then continues as a heapFrame.
type regionFrame[R2, E2, B, E, A any] struct {
	heapFrame[R2, E2, B, E, A]
	prev locals
}

func (fr *regionFrame[R2, E2, B, E, A]) resume(f *fiber, v, c any, failed bool) (any, any, status) {
	f.locals = fr.prev
	return fr.heapFrame.resume(f, v, c, failed)
}

// frame is a suspended continuation on the fiber's heap stack.
type frame interface {
	// resume continues with the boxed result of the sub-effect (v, or the
	// cause c when failed) and returns the boxed result of the op, or
	// stUnwind.
	resume(f *fiber, v, c any, failed bool) (any, any, status)
	// die returns the cause of a defect in the frame's result type.
	die(d *Defect) any
}

// heapFrame is the one kind of frame: a continuation and its environment.
type heapFrame[R2, E2, B, E, A any] struct {
	k   cont[R2, E2, B, E, A]
	env R2
}

func (fr *heapFrame[R2, E2, B, E, A]) resume(f *fiber, v, c any, failed bool) (any, any, status) {
	a, _ := v.(A)
	cause, _ := c.(Cause[E])
	next, nc, st := fr.k.after(f, fr.env, a, cause, failed)
	switch st {
	case stCont:
		return box(runLoop(f, fr.env, next))
	case stFail:
		return nil, nc, stFail
	}
	return nil, nil, stUnwind
}

func (fr *heapFrame[R2, E2, B, E, A]) die(d *Defect) any { return causeDefect[E2](d) }

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
	segment []frame // frames pushed while unwinding, innermost first
	pending pending // what to run once unwound
	stack   *chunk  // the heap stack, top chunk first
	spare   *chunk  // an emptied chunk kept for the next growth
}

// chunk is a piece of the heap stack. The stack grows by chunks, so it
// never copies its frames, however deep it gets.
type chunk struct {
	frames [256]frame
	n      int
	below  *chunk
}

func (u *unwinding) push(fr frame) {
	if u.stack == nil || u.stack.n == len(u.stack.frames) {
		c := u.spare
		if c != nil {
			u.spare = nil
		} else {
			c = &chunk{}
		}
		c.below = u.stack
		u.stack = c
	}
	u.stack.frames[u.stack.n] = fr
	u.stack.n++
}

func (u *unwinding) pop() frame {
	c := u.stack
	c.n--
	fr := c.frames[c.n]
	c.frames[c.n] = nil
	if c.n == 0 {
		u.stack, c.below = c.below, nil
		u.spare = c
	}
	return fr
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
	var v, c any
	st := stUnwind
	for {
		if st == stUnwind {
			for i := len(u.segment) - 1; i >= 0; i-- {
				u.push(u.segment[i])
				u.segment[i] = nil
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
		v, c, st = resume(f, u.pop(), v, c, st == stFail)
	}
	a, _ := v.(A)
	cause, _ := c.(Cause[E])
	if st == stFail && cause.IsEmpty() {
		cause = CauseDie[E]("effect: lost cause in the heap stack")
	}
	return a, cause
}

func resume(f *fiber, fr frame, v, c any, failed bool) (rv, rc any, st status) {
	ok := false
	defer func() {
		if !ok {
			if r := recover(); r != nil {
				rv, rc, st = nil, fr.die(newDefect(r, 0)), stFail
			}
		}
	}()
	rv, rc, st = fr.resume(f, v, c, failed)
	ok = true
	return rv, rc, st
}
