package sambermo

import (
	"context"

	"github.com/samber/mo"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/interop/internal/lower"
)

// FromResult returns an effect that succeeds with r's value, or fails
// with r's error.
func FromResult[R, A any](r mo.Result[A]) effect.Effect[R, error, A] {
	return effect.FromResult[R](r.Get())
}

// ToResult returns the outcome x as a Result: Ok of the value, or Err of
// the error that [effect.Run] returns ([effect.Exit.Err]).
func ToResult[E, A any](x effect.Exit[E, A]) mo.Result[A] {
	return mo.TupleToResult(x.Get())
}

// FromEither returns an effect that succeeds with e's Right, or fails with
// its Left: Left is the failure side.
func FromEither[R, E, A any](e mo.Either[E, A]) effect.Effect[R, E, A] {
	if v, ok := e.Right(); ok {
		return effect.Succeed[R, E](v)
	}
	l, _ := e.Left()
	return effect.Fail[R, A](l)
}

// ToEither returns the outcome x as an Either: Right of the value, or
// Left of a lone expected failure. Any other cause (several failures, a
// defect, an interruption) is a Left of the error that [effect.Run]
// returns when E can hold it (E is error or any); otherwise ToEither
// panics with it, since such an Either has no way to say "defect".
func ToEither[E, A any](x effect.Exit[E, A]) mo.Either[E, A] {
	if v, ok := x.Value(); ok {
		return mo.Right[E](v)
	}
	return mo.Left[E, A](lower.Left(x))
}

// FromOption returns o as an [effect.Option]: Some stays Some, None stays
// None.
func FromOption[A any](o mo.Option[A]) effect.Option[A] {
	v, ok := o.Get()
	return effect.Option[A]{Value: v, OK: ok}
}

// ToOption returns o as a mo.Option.
func ToOption[A any](o effect.Option[A]) mo.Option[A] { return mo.TupleToOption(o.Get()) }

// FromOptionOr returns an effect that succeeds with o's value, or fails
// with ifNone when o is None.
func FromOptionOr[R, E, A any](o mo.Option[A], ifNone E) effect.Effect[R, E, A] {
	if v, ok := o.Get(); ok {
		return effect.Succeed[R, E](v)
	}
	return effect.Fail[R, A](ifNone)
}

// FromFuture returns an effect that waits for f to settle and succeeds
// with its value, or fails with its error. The wait is interruptible;
// interrupting it does not cancel f, which others may share. A mo.Future
// offers no way to be notified but a blocking Collect, so the wait holds a
// goroutine that ends when f settles, even if the effect was interrupted
// before.
func FromFuture[R, A any](f *mo.Future[A]) effect.Effect[R, error, A] {
	lower.MustNotBeNil("sambermo.FromFuture", "f", f == nil)
	return effect.Async[R, error, A](func(resume func(effect.Exit[error, A])) func() {
		go func() {
			v, err := f.Collect()
			if err != nil {
				resume(effect.FailedWith[error, A](effect.CauseFail(err)))
				return
			}
			resume(effect.Succeeded[error](v))
		}()
		return nil
	})
}

// ToFuture starts e on rt (a fresh runtime when rt is nil) and returns a
// Future that settles with its value, or with the error that [effect.Run]
// returns. Cancelling ctx interrupts e, with [context.Cause] of ctx as the
// reason; mo's Future.Cancel cannot reach e (mo gives it no hook), so use
// ctx. e runs on the goroutine that mo.NewFuture starts, which ends with e.
func ToFuture[E, A any](ctx context.Context, e effect.Effect[any, E, A], rt *effect.Runtime) *mo.Future[A] {
	return mo.NewFuture(func(resolve func(A), reject func(error)) {
		v, err := lower.RunExit(ctx, rt, e, nil).Get()
		if err != nil {
			reject(err)
			return
		}
		resolve(v)
	})
}
