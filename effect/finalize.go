package effect

// OnExit returns an effect that runs e and then fin with e's exit, whatever
// it is: success, failure, defect or interruption. fin runs uninterruptibly
// and exactly once; e is interruptible if the caller was. A failing fin never
// hides e's failure: the two are joined in sequence, fin's as a
// [FinalizerError] defect.
func OnExit[R, E, A, X any](e Effect[R, E, A], fin func(Exit[E, A]) Effect[R, E, X]) Effect[R, E, A] {
	if fin == nil {
		panic("effect.OnExit: fin must not be nil")
	}
	return UninterruptibleMask(func(restore Restore) Effect[R, E, A] {
		return MatchCauseEffect(restore.Apply(e),
			func(c Cause[E]) Effect[R, E, A] {
				ex := Exit[E, A]{cause: c}
				return releaseThen(Suspend(func() Effect[R, E, X] { return fin(ex) }), ex)
			},
			func(a A) Effect[R, E, A] {
				ex := Exit[E, A]{value: a}
				return releaseThen(Suspend(func() Effect[R, E, X] { return fin(ex) }), ex)
			})
	})
}

// OnExit is the method form of [OnExit].
func (e Effect[R, E, A]) OnExit[X any](fin func(Exit[E, A]) Effect[R, E, X]) Effect[R, E, A] {
	return OnExit(e, fin)
}

// Ensuring returns an effect that runs e and then fin, whatever e's outcome,
// with the guarantees of [OnExit].
func Ensuring[R, E, A, X any](e Effect[R, E, A], fin Effect[R, E, X]) Effect[R, E, A] {
	return OnExit(e, func(Exit[E, A]) Effect[R, E, X] { return fin })
}

// Ensuring is the method form of [Ensuring].
func (e Effect[R, E, A]) Ensuring[X any](fin Effect[R, E, X]) Effect[R, E, A] {
	return Ensuring(e, fin)
}

// OnError returns an effect that runs e and, if it fails for any reason
// (interruption included), runs fin with the cause, with the guarantees of
// [OnExit].
func OnError[R, E, A, X any](e Effect[R, E, A], fin func(Cause[E]) Effect[R, E, X]) Effect[R, E, A] {
	return OnExit(e, func(ex Exit[E, A]) Effect[R, E, struct{}] {
		if ex.IsSuccess() {
			return Unit[R, E]()
		}
		return Void(fin(ex.cause))
	})
}

// OnError is the method form of [OnError].
func (e Effect[R, E, A]) OnError[X any](fin func(Cause[E]) Effect[R, E, X]) Effect[R, E, A] {
	return OnError(e, fin)
}

// OnInterrupt returns an effect that runs e and, if it is interrupted, runs
// fin with the interruption as an error, with the guarantees of [OnExit].
// The error is an *[InterruptedError] that tells who interrupted and why:
// errors.Is(err, [ErrLostRace]) for the loser of a race, a [*TimeoutError]
// for a timeout, [ErrFailFast] for an item stopped by another's failure,
// [ErrScopeClosed] for a fiber of a closing scope, the context's cause for
// an interruption by the context given to [Run]. It panics if fin is nil.
func OnInterrupt[R, E, A, X any](e Effect[R, E, A], fin func(err error) Effect[R, E, X]) Effect[R, E, A] {
	if fin == nil {
		panic("effect.OnInterrupt: fin must not be nil")
	}
	return OnExit(e, func(ex Exit[E, A]) Effect[R, E, struct{}] {
		if ex.IsInterrupted() {
			return Void(fin(interruptionErr(ex.cause)))
		}
		return Unit[R, E]()
	})
}

// OnInterrupt is the method form of [OnInterrupt].
func (e Effect[R, E, A]) OnInterrupt[X any](fin func(err error) Effect[R, E, X]) Effect[R, E, A] {
	return OnInterrupt(e, fin)
}

// interruptionErr returns the first interruption of c as an error.
func interruptionErr[E any](c Cause[E]) error {
	var out error
	c.n.each(func(n *causeNode[E]) bool {
		if n.kind == Interrupted {
			out = n.leafErr()
			return false
		}
		return true
	})
	return out
}
