package fpgo

import (
	"context"

	crioe "github.com/IBM/fp-go/context/readerioeither"
	"github.com/IBM/fp-go/either"
	fpio "github.com/IBM/fp-go/io"
	"github.com/IBM/fp-go/ioeither"
	"github.com/IBM/fp-go/readerioeither"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/interop/internal/lower"
)

// FromIO returns an effect that runs io and succeeds with its value. A
// panic in io is a defect.
func FromIO[R, E, A any](io fpio.IO[A]) effect.Effect[R, E, A] {
	lower.MustNotBeNil("fpgo.FromIO", "io", io == nil)
	return effect.Sync[R, E](io)
}

// ToIO returns an IO that runs e on rt (a fresh runtime for each run when rt
// is nil) and returns its value. An IO cannot fail, so a failure of e
// panics: with the value of a lone defect (so a panic lifted into an effect
// comes back out as itself), otherwise with the error that [effect.Run]
// returns.
func ToIO[E, A any](e effect.Effect[any, E, A], rt *effect.Runtime) fpio.IO[A] {
	return func() A {
		x := lower.RunExit(context.Background(), rt, e, nil)
		if x.IsFailure() {
			lower.Panic(x)
		}
		v, _ := x.Value()
		return v
	}
}

// FromIOEither returns an effect that runs io and succeeds with its Right,
// or fails with its Left.
func FromIOEither[R, E, A any](io ioeither.IOEither[E, A]) effect.Effect[R, E, A] {
	lower.MustNotBeNil("fpgo.FromIOEither", "io", io == nil)
	return effect.Suspend(func() effect.Effect[R, E, A] { return fromEither[R](io()) })
}

func fromEither[R, E, A any](ea either.Either[E, A]) effect.Effect[R, E, A] {
	return either.MonadFold(ea, effect.Fail[R, A, E], effect.Succeed[R, E, A])
}

func toEither[E, A any](x effect.Exit[E, A]) either.Either[E, A] {
	if v, ok := x.Value(); ok {
		return either.Right[E](v)
	}
	return either.Left[A](lower.Left(x))
}

// ToIOEither returns an IOEither that runs e on rt (a fresh runtime for each
// run when rt is nil): Right of its value, or Left of its failure as the
// conversions above say.
func ToIOEither[E, A any](e effect.Effect[any, E, A], rt *effect.Runtime) ioeither.IOEither[E, A] {
	return func() either.Either[E, A] { return toEither(lower.RunExit(context.Background(), rt, e, nil)) }
}

// FromReaderIOEither returns an effect that reads its environment R, the
// reader's input, and runs r with it: Right is success, Left an expected
// failure.
func FromReaderIOEither[R, E, A any](r readerioeither.ReaderIOEither[R, E, A]) effect.Effect[R, E, A] {
	lower.MustNotBeNil("fpgo.FromReaderIOEither", "r", r == nil)
	return effect.AccessEffect(func(env R) effect.Effect[R, E, A] {
		return effect.Suspend(func() effect.Effect[R, E, A] { return fromEither[R](r(env)()) })
	})
}

// ToReaderIOEither returns a ReaderIOEither that runs e with the reader's
// input as its environment, on rt (a fresh runtime for each run when rt is
// nil).
func ToReaderIOEither[R, E, A any](e effect.Effect[R, E, A], rt *effect.Runtime) readerioeither.ReaderIOEither[R, E, A] {
	return func(env R) ioeither.IOEither[E, A] {
		return func() either.Either[E, A] { return toEither(lower.RunExit(context.Background(), rt, e, env)) }
	}
}

// FromContextReaderIOEither returns an effect that runs r, fp-go's reader
// of a context.Context, with a context that is cancelled when the fiber is
// interrupted (as [effect.Try] says): Right is success, Left an
// expected failure.
func FromContextReaderIOEither[R, A any](r crioe.ReaderIOEither[A]) effect.Effect[R, error, A] {
	lower.MustNotBeNil("fpgo.FromContextReaderIOEither", "r", r == nil)
	return effect.Try[R](func(ctx context.Context) (A, error) { return either.UnwrapError(r(ctx)()) })
}

// ToContextReaderIOEither returns fp-go's reader of a context.Context that
// runs e on rt (a fresh runtime for each run when rt is nil) with that
// context: cancelling it interrupts e, and the Left is then an error that
// matches [context.Canceled] and the context's cause. Any failure is a Left
// of the error that [effect.Run] returns.
func ToContextReaderIOEither[E, A any](e effect.Effect[any, E, A], rt *effect.Runtime) crioe.ReaderIOEither[A] {
	return func(ctx context.Context) ioeither.IOEither[error, A] {
		return func() either.Either[error, A] {
			v, err := lower.RunExit(ctx, rt, e, nil).Get()
			if err != nil {
				return either.Left[A](err)
			}
			return either.Right[error](v)
		}
	}
}
