package eff

import (
	"context"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// Effect is an effect that needs no environment and may fail with an error:
// the everyday shape of [effect.Effect]. It is an alias, so every method of
// effect.Effect works on it.
type Effect[A any] = effect.Effect[any, error, A]

// Fiber is a running [Effect]: an alias of [effect.Fiber].
type Fiber[A any] = effect.Fiber[error, A]

// Exit is how an [Effect] ended: an alias of [effect.Exit].
type Exit[A any] = effect.Exit[error, A]

// Succeed returns an effect that succeeds with a. It allocates nothing.
func Succeed[A any](a A) Effect[A] { return effect.Succeed[any, error](a) }

// Unit returns an effect that succeeds with struct{}{}.
func Unit() Effect[struct{}] { return effect.Unit[any, error]() }

// Fail returns an effect that fails with err. A is the value type the
// failure stands in for, which Go cannot infer: eff.Fail[User](err). A nil
// err is a programming error: Fail panics.
func Fail[A any](err error) Effect[A] {
	if err == nil {
		panic("eff.Fail: err must not be nil")
	}
	return effect.Fail[any, A](err)
}

// FromResult returns an effect that succeeds with a when err is nil and fails
// with err otherwise. It takes a Go call's results directly:
// eff.FromResult(strconv.Atoi(s)).
func FromResult[A any](a A, err error) Effect[A] { return effect.FromResult[any](a, err) }

// Try returns an effect that calls fn with a context and succeeds with its
// value or fails with its error. The context carries the values of Run's
// context and the deadline of an enclosing Timeout; it is cancelled when the
// fiber is interrupted and when fn returns — except inside the open step of
// [Acquire] (or [effect.AcquireRelease]), where it lives until the
// resource's close has run. See [effect.Try] for the whole contract. It
// panics if fn is nil.
func Try[A any](fn func(ctx context.Context) (A, error)) Effect[A] { return effect.Try[any](fn) }

// Do returns an effect that calls fn with a context, as [Try] does, and
// succeeds with struct{}{} when fn returns nil. It panics if fn is nil.
func Do(fn func(ctx context.Context) error) Effect[struct{}] {
	if fn == nil {
		panic("eff.Do: fn must not be nil")
	}
	return effect.Try[any](func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) })
}

// Sync returns an effect that calls fn, which cannot fail, and succeeds with
// its result. A panic in fn is a defect. It panics if fn is nil.
func Sync[A any](fn func() A) Effect[A] { return effect.Sync[any, error](fn) }

// Suspend returns an effect that calls fn when run and continues with the
// effect it returns: for effects built lazily, recursive ones included (the
// recursion runs in constant stack). It panics if fn is nil.
func Suspend[A any](fn func() Effect[A]) Effect[A] { return effect.Suspend(fn) }

// Sleep returns an effect that waits for d, interruptibly. A d of zero or
// less does not wait.
func Sleep(d time.Duration) Effect[struct{}] { return effect.Sleep[any, error](d) }

// Never returns an effect that waits until its fiber is interrupted.
func Never[A any]() Effect[A] { return effect.Never[any, error, A]() }

// Run runs e on a fresh runtime from plain Go and returns its value or its
// error: a failure as itself, an interruption by ctx as ctx's cause (see
// [effect.InterruptedError]), a defect as an *[effect.Defect] with its
// stack. Cancelling ctx interrupts e; Run returns once e's finalizers have
// run. It panics if ctx is nil. Use an [effect.Runtime] to run many effects
// under one registry, hooks and shutdown.
func Run[A any](ctx context.Context, e Effect[A]) (A, error) { return effect.Run(ctx, e, nil) }

// RunExit runs e as [Run] does and returns its exit.
func RunExit[A any](ctx context.Context, e Effect[A]) Exit[A] { return effect.RunExit(ctx, e, nil) }
