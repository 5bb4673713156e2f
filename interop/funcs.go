package interop

import (
	"context"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/interop/internal/lower"
)

// The shapes of plain Go functions, from the simplest to the richest:
//
//	func()                                  an action
//	func() error                            FromErrFunc, ToErrFunc
//	func() (A, error)                       FromValueFunc, ToValueFunc
//	func(ctx context.Context) error         FromCtxFunc, ToCtxFunc
//	func(ctx context.Context) (A, error)    FromCtxValueFunc, ToCtxValueFunc
//
// From* lifts a function into an effect; To* turns an effect back into a
// function for callers that know nothing of effects.

// FromAction returns an effect that calls fn and succeeds with struct{}{}.
// A panic in fn is a defect. fn runs on the fiber's goroutine and cannot be
// interrupted while it runs (it has no context to watch): the interruption
// takes effect when it returns. It panics if fn is nil.
func FromAction[R, E any](fn func()) effect.Effect[R, E, struct{}] {
	mustNotBeNil("FromAction", "fn", fn == nil)
	return effect.Sync[R, E](func() struct{} { fn(); return struct{}{} })
}

// FromErrFunc returns an effect that calls fn and fails with its error, or
// succeeds with struct{}{} when it returns nil. Otherwise as [FromAction].
func FromErrFunc[R any](fn func() error) effect.Effect[R, error, struct{}] {
	mustNotBeNil("FromErrFunc", "fn", fn == nil)
	return effect.Suspend(func() effect.Effect[R, error, struct{}] {
		return effect.FromResult[R](struct{}{}, fn())
	})
}

// FromValueFunc returns an effect that calls fn and succeeds with its value,
// or fails with its error. Otherwise as [FromAction].
func FromValueFunc[R, A any](fn func() (A, error)) effect.Effect[R, error, A] {
	mustNotBeNil("FromValueFunc", "fn", fn == nil)
	return effect.Suspend(func() effect.Effect[R, error, A] { return effect.FromResult[R](fn()) })
}

// FromCtxFunc returns an effect that calls fn with a context and fails with
// its error, or succeeds with struct{}{}. The context is cancelled when the
// fiber is interrupted, with an [*effect.InterruptedError] as its cause
// ([context.Cause]) that wraps the interruption's reason, so fn can stop
// early; the effect then ends as interrupted, whatever fn returned. It
// carries the values of the context the effect was run with and the
// deadline of an enclosing [effect.Timeout]. See [effect.Try].
func FromCtxFunc[R any](fn func(ctx context.Context) error) effect.Effect[R, error, struct{}] {
	mustNotBeNil("FromCtxFunc", "fn", fn == nil)
	return effect.Try[R](func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) })
}

// FromCtxValueFunc returns an effect that calls fn with a context and
// succeeds with its value or fails with its error: [effect.Try] under the
// name of its shape. The context is cancelled on interruption as
// [FromCtxFunc] says.
func FromCtxValueFunc[R, A any](fn func(ctx context.Context) (A, error)) effect.Effect[R, error, A] {
	mustNotBeNil("FromCtxValueFunc", "fn", fn == nil)
	return effect.Try[R](fn)
}

// ToAction returns a function that runs e on rt (a fresh runtime for each
// call when rt is nil) and waits for it. A func() cannot report a failure,
// so a failure panics: a defect with its own value (a panic that was lifted
// into e comes back out as itself), any other failure with the error that
// [effect.Run] would return. Each call runs e anew, on the calling
// goroutine; calls may run concurrently.
func ToAction[E, A any](e effect.Effect[any, E, A], rt *effect.Runtime) func() {
	return func() {
		if x := lower.RunExit(context.Background(), rt, e, nil); x.IsFailure() {
			lower.Panic(x)
		}
	}
}

// ToErrFunc returns a function that runs e on rt (a fresh runtime for each
// call when rt is nil) and returns nil on success or the error that
// [effect.Run] returns: a lone expected failure that is an error as itself,
// anything else as the [effect.Cause], which [errors.Is] and [errors.As]
// see through. Each call runs e anew, on the calling goroutine.
func ToErrFunc[E, A any](e effect.Effect[any, E, A], rt *effect.Runtime) func() error {
	return func() error { return lower.RunExit(context.Background(), rt, e, nil).Err() }
}

// ToValueFunc returns a function that runs e as [ToErrFunc] does and returns
// its value and error.
func ToValueFunc[E, A any](e effect.Effect[any, E, A], rt *effect.Runtime) func() (A, error) {
	return func() (A, error) { return lower.RunExit(context.Background(), rt, e, nil).Get() }
}

// ToCtxFunc returns a function that runs e as [ToErrFunc] does, with ctx:
// cancelling ctx interrupts e, with [context.Cause] of ctx as the reason,
// and the function returns once e's finalizers have run, with an error that
// matches [context.Canceled] and the cause. The values of ctx reach the
// plain Go code that e lifts.
func ToCtxFunc[E, A any](e effect.Effect[any, E, A], rt *effect.Runtime) func(ctx context.Context) error {
	return func(ctx context.Context) error { return lower.RunExit(ctx, rt, e, nil).Err() }
}

// ToCtxValueFunc returns a function that runs e as [ToCtxFunc] does and
// returns its value and error.
func ToCtxValueFunc[E, A any](e effect.Effect[any, E, A], rt *effect.Runtime) func(ctx context.Context) (A, error) {
	return func(ctx context.Context) (A, error) { return lower.RunExit(ctx, rt, e, nil).Get() }
}
