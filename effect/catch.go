package effect

// MatchCauseEffect returns an effect that runs e and continues with
// onSuccess of its value, or with onFailure of its cause (expected failures,
// defects and interruptions alike). It is the primitive that every other
// catch and match is built on.
func MatchCauseEffect[R, E, E2, A, B any](e Effect[R, E, A], onFailure func(Cause[E]) Effect[R, E2, B], onSuccess func(A) Effect[R, E2, B]) Effect[R, E2, B] {
	if onFailure == nil || onSuccess == nil {
		panic("effect.MatchCauseEffect: onFailure and onSuccess must not be nil")
	}
	return Effect[R, E2, B]{op: &foldOp[R, E, E2, A, B]{src: e, onFail: onFailure, onSucc: onSuccess}}
}

// MatchCauseEffect is the method form of [MatchCauseEffect].
func (e Effect[R, E, A]) MatchCauseEffect[E2, B any](onFailure func(Cause[E]) Effect[R, E2, B], onSuccess func(A) Effect[R, E2, B]) Effect[R, E2, B] {
	return MatchCauseEffect(e, onFailure, onSuccess)
}

// MatchEffect returns an effect that runs e and continues with onSuccess of
// its value or onFailure of its expected failure. Defects and interruptions
// are not handled: they travel on, with any expected failure beside them
// turned into a defect so that nothing is lost.
func MatchEffect[R, E, E2, A, B any](e Effect[R, E, A], onFailure func(E) Effect[R, E2, B], onSuccess func(A) Effect[R, E2, B]) Effect[R, E2, B] {
	if onFailure == nil || onSuccess == nil {
		panic("effect.MatchEffect: onFailure and onSuccess must not be nil")
	}
	return MatchCauseEffect(e, func(c Cause[E]) Effect[R, E2, B] {
		if c.onlyFailures() {
			err, _ := c.Failure()
			return onFailure(err)
		}
		return FailCause[R, B](asDefects[E, E2](c))
	}, onSuccess)
}

// MatchEffect is the method form of [MatchEffect].
func (e Effect[R, E, A]) MatchEffect[E2, B any](onFailure func(E) Effect[R, E2, B], onSuccess func(A) Effect[R, E2, B]) Effect[R, E2, B] {
	return MatchEffect(e, onFailure, onSuccess)
}

// Match returns an effect that runs e and succeeds with onSuccess of its
// value or onFailure of its expected failure (a fold). Defects and
// interruptions travel on.
func Match[R, E, A, B any](e Effect[R, E, A], onFailure func(E) B, onSuccess func(A) B) Effect[R, E, B] {
	if onFailure == nil || onSuccess == nil {
		panic("effect.Match: onFailure and onSuccess must not be nil")
	}
	return MatchEffect(e,
		func(err E) Effect[R, E, B] { return Succeed[R, E](onFailure(err)) },
		func(a A) Effect[R, E, B] { return Succeed[R, E](onSuccess(a)) })
}

// Match is the method form of [Match].
func (e Effect[R, E, A]) Match[B any](onFailure func(E) B, onSuccess func(A) B) Effect[R, E, B] {
	return Match(e, onFailure, onSuccess)
}

// MatchCause returns an effect that runs e and succeeds with onSuccess of its
// value or onFailure of its cause, whatever the cause.
func MatchCause[R, E, A, B any](e Effect[R, E, A], onFailure func(Cause[E]) B, onSuccess func(A) B) Effect[R, E, B] {
	if onFailure == nil || onSuccess == nil {
		panic("effect.MatchCause: onFailure and onSuccess must not be nil")
	}
	return MatchCauseEffect(e,
		func(c Cause[E]) Effect[R, E, B] { return Succeed[R, E](onFailure(c)) },
		func(a A) Effect[R, E, B] { return Succeed[R, E](onSuccess(a)) })
}

// MatchCause is the method form of [MatchCause].
func (e Effect[R, E, A]) MatchCause[B any](onFailure func(Cause[E]) B, onSuccess func(A) B) Effect[R, E, B] {
	return MatchCause(e, onFailure, onSuccess)
}

// MapError returns an effect that runs e and replaces each expected failure
// with f of it. Defects and interruptions are kept as they are.
func MapError[R, E, E2, A any](e Effect[R, E, A], f func(E) E2) Effect[R, E2, A] {
	if f == nil {
		panic("effect.MapError: f must not be nil")
	}
	return MatchCauseEffect(e,
		func(c Cause[E]) Effect[R, E2, A] { return FailCause[R, A](MapCause(c, f)) },
		Succeed[R, E2, A])
}

// MapError is the method form of [MapError].
func (e Effect[R, E, A]) MapError[E2 any](f func(E) E2) Effect[R, E2, A] { return MapError(e, f) }

// Catch returns an effect that runs e and, if it fails with an expected
// failure, continues with handler of it. Defects and interruptions are not
// caught (see [CatchCause]); a cause that holds both a failure and a defect
// is not caught either, and travels on with the failure as a defect.
func Catch[R, E, E2, A any](e Effect[R, E, A], handler func(E) Effect[R, E2, A]) Effect[R, E2, A] {
	if handler == nil {
		panic("effect.Catch: handler must not be nil")
	}
	return MatchEffect(e, handler, Succeed[R, E2, A])
}

// Catch is the method form of [Catch].
func (e Effect[R, E, A]) Catch[E2 any](handler func(E) Effect[R, E2, A]) Effect[R, E2, A] {
	return Catch(e, handler)
}

// CatchIf returns an effect that runs e and, if it fails with an expected
// failure for which pred is true, continues with handler of it. Other causes
// travel on unchanged.
func CatchIf[R, E, A any](e Effect[R, E, A], pred func(E) bool, handler func(E) Effect[R, E, A]) Effect[R, E, A] {
	if pred == nil || handler == nil {
		panic("effect.CatchIf: pred and handler must not be nil")
	}
	return MatchCauseEffect(e, func(c Cause[E]) Effect[R, E, A] {
		if c.onlyFailures() {
			if err, _ := c.Failure(); pred(err) {
				return handler(err)
			}
		}
		return FailCause[R, A](c)
	}, Succeed[R, E, A])
}

// CatchIf is the method form of [CatchIf].
func (e Effect[R, E, A]) CatchIf(pred func(E) bool, handler func(E) Effect[R, E, A]) Effect[R, E, A] {
	return CatchIf(e, pred, handler)
}

// CatchCause returns an effect that runs e and, if it fails for any reason,
// continues with handler of the whole cause. Catching an interruption does
// not undo it: the fiber stays interrupted, and its next interruptible step
// stops it again.
func CatchCause[R, E, E2, A any](e Effect[R, E, A], handler func(Cause[E]) Effect[R, E2, A]) Effect[R, E2, A] {
	if handler == nil {
		panic("effect.CatchCause: handler must not be nil")
	}
	return MatchCauseEffect(e, handler, Succeed[R, E2, A])
}

// CatchCause is the method form of [CatchCause].
func (e Effect[R, E, A]) CatchCause[E2 any](handler func(Cause[E]) Effect[R, E2, A]) Effect[R, E2, A] {
	return CatchCause(e, handler)
}

// OrElse returns an effect that runs e and, if it fails with an expected
// failure, runs that instead.
func OrElse[R, E, E2, A any](e Effect[R, E, A], that Effect[R, E2, A]) Effect[R, E2, A] {
	return Catch(e, func(E) Effect[R, E2, A] { return that })
}

// OrElse is the method form of [OrElse].
func (e Effect[R, E, A]) OrElse[E2 any](that Effect[R, E2, A]) Effect[R, E2, A] {
	return OrElse(e, that)
}

// OrDie returns an effect that runs e and turns its expected failures into
// defects: for failures that the program cannot handle.
func OrDie[R, E, A any](e Effect[R, E, A]) Effect[R, E, A] {
	return MatchCauseEffect(e,
		func(c Cause[E]) Effect[R, E, A] { return FailCause[R, A](asDefects[E, E](c)) },
		Succeed[R, E, A])
}

// OrDie is the method form of [OrDie].
func (e Effect[R, E, A]) OrDie() Effect[R, E, A] { return OrDie(e) }

// ToExit returns an effect that runs e and succeeds with its [Exit], so the
// outcome becomes a value (materialization). It is a package function: a
// method cannot return Effect[R, E, Exit[E, A]].
func ToExit[R, E, A any](e Effect[R, E, A]) Effect[R, E, Exit[E, A]] {
	return MatchCauseEffect(e,
		func(c Cause[E]) Effect[R, E, Exit[E, A]] { return Succeed[R, E](Exit[E, A]{cause: c}) },
		func(a A) Effect[R, E, Exit[E, A]] { return Succeed[R, E](Exit[E, A]{value: a}) })
}
