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
	return withView(func(v view) Effect[R, E, A] {
		return region(body(Restore{interruptible: v.interruptible()}), regionIntr, locals{interruptible: false})
	})
}

func region[R, E, A any](e Effect[R, E, A], mask regionMask, set locals) Effect[R, E, A] {
	return Effect[R, E, A]{op: &regionOp[R, E, A]{src: e, mask: mask, set: set}}
}
