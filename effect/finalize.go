package effect

// OnExit returns an effect that runs e and then fin with e's exit, whatever
// it is: success, failure, defect or interruption. fin runs uninterruptibly
// and exactly once; e is interruptible if the caller was. A failing fin never
// hides e's failure: the two are joined in sequence, fin's as a
// [FinalizerError] defect.
func OnExit[R, E, A, X any](e Effect[R, E, A], fin func(Exit[E, A]) Effect[R, E, X]) Effect[R, E, A] {
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
// fin, with the guarantees of [OnExit].
func OnInterrupt[R, E, A, X any](e Effect[R, E, A], fin Effect[R, E, X]) Effect[R, E, A] {
	return OnExit(e, func(ex Exit[E, A]) Effect[R, E, struct{}] {
		if ex.IsInterrupted() {
			return Void(fin)
		}
		return Unit[R, E]()
	})
}

// OnInterrupt is the method form of [OnInterrupt].
func (e Effect[R, E, A]) OnInterrupt[X any](fin Effect[R, E, X]) Effect[R, E, A] {
	return OnInterrupt(e, fin)
}
