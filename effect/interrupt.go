package effect

// Uninterruptible returns an effect that runs e with interruption masked: an
// interruption requested meanwhile waits until e ends, then takes effect at
// the next interruptible step. Acquire and release actions run this way.
func Uninterruptible[R, E, A any](e Effect[R, E, A]) Effect[R, E, A] {
	return region(e, regionIntr, locals{interruptible: false})
}

// Uninterruptible is the method form of [Uninterruptible].
func (e Effect[R, E, A]) Uninterruptible() Effect[R, E, A] { return Uninterruptible(e) }

// Interruptible returns an effect that runs e interruptibly, even inside an
// uninterruptible region. Prefer [UninterruptibleMask], whose [Restore]
// brings back the caller's status instead of forcing it on.
func Interruptible[R, E, A any](e Effect[R, E, A]) Effect[R, E, A] {
	return region(e, regionIntr, locals{interruptible: true})
}

// Interruptible is the method form of [Interruptible].
func (e Effect[R, E, A]) Interruptible() Effect[R, E, A] { return Interruptible(e) }

// Restore brings back the interruptibility that was in force where
// [UninterruptibleMask] was entered.
type Restore struct{ interruptible bool }

// Apply returns an effect that runs e with the restored interruptibility.
func (r Restore) Apply[R, E, A any](e Effect[R, E, A]) Effect[R, E, A] {
	return region(e, regionIntr, locals{interruptible: r.interruptible})
}

// UninterruptibleMask returns an effect that runs body(restore)
// uninterruptibly, where restore.Apply(e) runs e with the interruptibility of
// the caller. It is the safe way to write acquire/use/release: the acquire
// and the release are protected, and only the use is interruptible, and only
// if the caller was.
func UninterruptibleMask[R, E, A any](body func(restore Restore) Effect[R, E, A]) Effect[R, E, A] {
	if body == nil {
		panic("effect.UninterruptibleMask: body must not be nil")
	}
	return prim(func(f *fiber, _ R) Effect[R, E, A] {
		return region(body(Restore{interruptible: f.locals.interruptible}), regionIntr, locals{interruptible: false})
	})
}

// regionMask says which fiber locals a region sets.
type regionMask uint8

const (
	regionIntr regionMask = 1 << iota
	regionScope
	regionResource
)

func region[R, E, A any](e Effect[R, E, A], mask regionMask, set locals) Effect[R, E, A] {
	return Effect[R, E, A]{op: &regionOp[R, E, A]{src: e, mask: mask, set: set}}
}

// regionOp runs src with some fiber locals (interruptibility, the current
// scope) set, and restores them after.
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
	}
	if o.mask&regionResource != 0 {
		f.locals.resource = o.set.resource
	}
	if f.depth >= depthBudget {
		u := f.unwinding()
		u.pending = &bound[R, E, A]{e: o.src, env: env}
		u.segment = append(u.segment, &regionFrame{prev: prev})
		return Effect[R, E, A]{}, Cause[E]{}, stUnwind
	}
	f.depth++
	a, c, st := runLoop(f, env, o.src)
	f.depth--
	switch st {
	case stUnwind:
		f.unwound(&regionFrame{prev: prev})
		return Effect[R, E, A]{}, c, stUnwind
	case stFail:
		f.locals = prev
		return Effect[R, E, A]{}, c, stFail
	}
	f.locals = prev
	return Effect[R, E, A]{val: a}, Cause[E]{}, stCont
}

type regionFrame struct{ prev locals }

func (r *regionFrame) resume(f *fiber, _ any, v any, c any, failed bool) (any, any, status) {
	f.locals = r.prev
	if failed {
		return nil, c, stFail
	}
	return v, nil, stDone
}

func (*regionFrame) die(*Defect) any { return nil }
