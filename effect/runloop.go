package effect

// The run loop.
//
// An effect is a tree of typed op nodes. runLoop runs one effect to its end:
// it steps ops until one yields a plain value, checking for interruption
// before each step. A step that ends with another effect of the same type
// (FlatMap's continuation, Suspend, a catch handler) hands it back to the
// loop instead of calling it, so tail positions run in constant Go stack: a
// recursive effect loops forever without growing the stack.
//
// A step whose sub-effect is not in tail position (the source of a FlatMap,
// Map or fold, the body of a region or a Provide) runs it with a nested,
// typed runLoop: no boxing, no allocation. Nesting is bounded by depthBudget.
// Past it, the op does not recurse: it records the sub-effect as pending and
// pushes itself as a heap frame, and every op on the way out pushes itself
// too (stUnwind). The fiber's root driver then owns a heap stack of frames:
// it runs the pending effect from depth zero and feeds each result to the
// frame on top (frame.resume), with values boxed as any. So a chain of a
// million left-nested FlatMaps runs in bounded Go stack, and the typed fast
// path serves every chain of ordinary depth.
//
// A panic in user code is recovered by the innermost runLoop and becomes a
// defect of the effect that loop was running, so enclosing folds and
// finalizers still run.

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
		if f.locals.interruptible && f.intr.Load() {
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

// frame is a suspended non-tail op on the fiber's heap stack.
type frame interface {
	// resume continues the op with the result of its sub-effect (v, or the
	// cause c when failed) under the environment env, and returns the op's
	// own result (stDone, stFail) or stUnwind.
	resume(f *fiber, env any, v any, c any, failed bool) (any, any, status)
	// die returns the cause of a defect in the frame's result type.
	die(d *Defect) any
}

// pending is the effect an unwinding left to run, bound to its environment.
type pending interface {
	run(f *fiber) (any, any, status)
	envAny() any
}

type bound[R, E, A any] struct {
	e   Effect[R, E, A]
	env R
}

func (b *bound[R, E, A]) run(f *fiber) (any, any, status) { return box(runLoop(f, b.env, b.e)) }
func (b *bound[R, E, A]) envAny() any                     { return b.env }

func box[E, A any](a A, c Cause[E], st status) (any, any, status) {
	switch st {
	case stDone:
		return a, nil, stDone
	case stFail:
		return nil, c, stFail
	}
	return nil, nil, stUnwind
}

// envFrame restores the environment for the frames below it.
type envFrame struct{ env any }

func (*envFrame) resume(_ *fiber, _ any, v any, c any, failed bool) (any, any, status) {
	if failed {
		return nil, c, stFail
	}
	return v, nil, stDone
}
func (*envFrame) die(*Defect) any { return nil }

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

// peek returns the frame on top of the heap stack, or nil.
func (u *unwinding) peek() frame {
	if u.stack == nil {
		return nil
	}
	return u.stack.frames[u.stack.n-1]
}

// sameFrame is a frame that takes and gives a value of the same type A with
// the same failure type E: a Map or FlatMap from A to A, the shape of a chain
// built with e = e.Map(f) in a loop.
type sameFrame[E, A any] interface {
	apply(f *fiber, env any, a A) (A, Cause[E], status)
}

// chain feeds a, the result of a frame, to the frames on top of the heap
// stack for as long as they take an A and give an A, typed and without
// boxing, and returns the last result for the driver. It stops at any other
// frame, environment frames included, so it never passes the bottom of its
// driver's stack.
func chain[E, A any](f *fiber, env any, a A) (any, any, status) {
	u := f.uw
	for {
		next, ok := u.peek().(sameFrame[E, A])
		if !ok {
			return a, nil, stDone
		}
		u.pop()
		var c Cause[E]
		var st status
		a, c, st = next.apply(f, env, a)
		switch st {
		case stFail:
			return nil, c, stFail
		case stUnwind:
			return nil, nil, stUnwind
		}
	}
}

// mark returns a mark of the stack's height: the top chunk and its count.
func (u *unwinding) mark() (*chunk, int) {
	if u.stack == nil {
		return nil, 0
	}
	return u.stack, u.stack.n
}

// nest reports whether a non-tail sub-effect may run in a nested runLoop.
// When it may not, it records src as pending and fr as the first frame of
// the unwinding, and the caller returns stUnwind.
func nest[R, E, A any](f *fiber, src Effect[R, E, A], env R, fr frame) bool {
	if f.depth < depthBudget {
		return true
	}
	u := f.unwinding()
	u.pending = &bound[R, E, A]{e: src, env: env}
	u.segment = append(u.segment, fr)
	return false
}

// unwound records fr as the next frame of an unwinding in progress.
func (f *fiber) unwound(fr frame) { f.uw.segment = append(f.uw.segment, fr) }

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
	return drive[E, A](f, env)
}

// drive runs an unwound effect to its end with the heap stack.
func drive[E, A any](f *fiber, rootEnv any) (A, Cause[E]) {
	u := f.uw
	baseChunk, baseN := u.mark()
	env := rootEnv
	var v, c any
	st := stUnwind
	for {
		if st == stUnwind {
			u.push(&envFrame{env: env})
			for i := len(u.segment) - 1; i >= 0; i-- {
				u.push(u.segment[i])
				u.segment[i] = nil
			}
			u.segment = u.segment[:0]
			p := u.pending
			u.pending = nil
			env = p.envAny()
			v, c, st = p.run(f)
			continue
		}
		if top, n := u.mark(); top == baseChunk && n == baseN {
			break
		}
		fr := u.pop()
		if ef, ok := fr.(*envFrame); ok {
			env = ef.env
			continue
		}
		v, c, st = resume(f, fr, env, v, c, st == stFail)
	}
	a, _ := v.(A)
	cause, _ := c.(Cause[E])
	if st == stFail && cause.IsEmpty() {
		cause = CauseDie[E]("effect: lost cause in the heap stack")
	}
	return a, cause
}

func resume(f *fiber, fr frame, env, v, c any, failed bool) (rv, rc any, st status) {
	ok := false
	defer func() {
		if !ok {
			if r := recover(); r != nil {
				rv, rc, st = nil, fr.die(newDefect(r, 0)), stFail
			}
		}
	}()
	rv, rc, st = fr.resume(f, env, v, c, failed)
	ok = true
	return rv, rc, st
}
