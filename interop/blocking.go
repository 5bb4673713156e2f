package interop

import (
	"context"
	"errors"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/interop/internal/lower"
)

// blocking returns an effect that performs an operation (a receive, a
// send) that may have to wait. It first tries fast, which must not block
// and reports whether the operation happened; only if it did not does it
// wait with op, which honours its context and reports the same, on the
// fiber's goroutine, as [effect.Try] does, for any failure type E. When op
// did not happen, its context was done: the effect ends as interrupted,
// with the context's cause as the reason (the deadline of an enclosing
// timeout may be seen a moment before the interruption that follows it).
// When op happened, the effect succeeds even if the fiber was interrupted
// meanwhile: the operation is not lost, and the interruption takes effect
// at the next interruptible step, so a caller inside an uninterruptible
// region ([effect.UninterruptibleMask]) still gets the value.
func blocking[R, E, A any](fast func() (A, bool), op func(ctx context.Context) (A, bool)) effect.Effect[R, E, A] {
	return effect.Suspend(func() effect.Effect[R, E, A] {
		if a, ok := fast(); ok {
			return effect.Succeed[R, E](a)
		}
		var (
			got  A
			done bool
		)
		try := effect.Try[R](func(ctx context.Context) (A, error) {
			got, done = op(ctx)
			if !done {
				return got, context.Cause(ctx)
			}
			return got, nil
		})
		return effect.MatchCauseEffect(try,
			func(c effect.Cause[error]) effect.Effect[R, E, A] {
				if done {
					return effect.Succeed[R, E](got)
				}
				return effect.FailCause[R, A](failuresAsInterrupts[E](c))
			},
			effect.Succeed[R, E, A])
	})
}

// failuresAsInterrupts returns c retyped to E with each expected failure
// turned into an interruption whose reason is that failure.
func failuresAsInterrupts[E any](c effect.Cause[error]) effect.Cause[E] {
	switch c.Kind() {
	case effect.Then:
		return failuresAsInterrupts[E](c.Left()).Then(failuresAsInterrupts[E](c.Right()))
	case effect.Both:
		return failuresAsInterrupts[E](c.Left()).Both(failuresAsInterrupts[E](c.Right()))
	case effect.Failed:
		err, _ := c.Failure()
		return effect.CauseInterrupt[E](0, err)
	case effect.Died:
		return effect.CauseDie[E](c.Defects()[0])
	case effect.Interrupted:
		var ie *effect.InterruptedError
		var reason error
		if errors.As(c.Unwrap()[0], &ie) {
			reason = ie.Reason
		}
		return effect.CauseInterrupt[E](c.Interruptors()[0], reason)
	}
	return effect.Cause[E]{}
}

// mustNotBeNil panics, naming interop's function fn and its argument arg,
// when isNil is true.
func mustNotBeNil(fn, arg string, isNil bool) { lower.MustNotBeNil("interop."+fn, arg, isNil) }
