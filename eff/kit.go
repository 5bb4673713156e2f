package eff

import (
	"context"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// Kit builds the effects of an application whose environment is R — a
// struct of its services, usually built by layers — without type arguments
// at each call: declare it once, next to the environment,
//
//	type Env struct{ DB *sql.DB; Log *slog.Logger }
//	var app = eff.For[Env]()
//	type Eff[A any] = effect.Effect[Env, error, A]
//
// and write app.Try(...), app.Succeed(v), app.Sleep(d). The effects fail
// with error; for a typed failure use package effect directly. Kit is an
// empty struct: it costs nothing and is safe to share.
type Kit[R any] struct{}

// For returns the [Kit] of the environment R.
func For[R any]() Kit[R] { return Kit[R]{} }

// Succeed returns an effect that succeeds with a.
func (Kit[R]) Succeed[A any](a A) effect.Effect[R, error, A] { return effect.Succeed[R, error](a) }

// Unit returns an effect that succeeds with struct{}{}.
func (Kit[R]) Unit() effect.Effect[R, error, struct{}] { return effect.Unit[R, error]() }

// Fail returns an effect that fails with err; name the value type:
// app.Fail[User](err). It panics if err is nil.
func (Kit[R]) Fail[A any](err error) effect.Effect[R, error, A] {
	if err == nil {
		panic("eff.Kit.Fail: err must not be nil")
	}
	return effect.Fail[R, A](err)
}

// FromResult returns an effect that succeeds with a when err is nil and fails
// with err otherwise.
func (Kit[R]) FromResult[A any](a A, err error) effect.Effect[R, error, A] {
	return effect.FromResult[R](a, err)
}

// Try returns an effect that calls fn with a context and the environment,
// and succeeds with its value or fails with its error; the context's
// lifetime is [Try]'s. It panics if fn is nil.
func (Kit[R]) Try[A any](fn func(ctx context.Context, env R) (A, error)) effect.Effect[R, error, A] {
	if fn == nil {
		panic("eff.Kit.Try: fn must not be nil")
	}
	return effect.AccessEffect(func(env R) effect.Effect[R, error, A] {
		return effect.Try[R](func(ctx context.Context) (A, error) { return fn(ctx, env) })
	})
}

// Do returns an effect that calls fn with a context and the environment, as
// [Kit.Try] does, and succeeds with struct{}{} when fn returns nil. It
// panics if fn is nil.
func (k Kit[R]) Do(fn func(ctx context.Context, env R) error) effect.Effect[R, error, struct{}] {
	if fn == nil {
		panic("eff.Kit.Do: fn must not be nil")
	}
	return k.Try(func(ctx context.Context, env R) (struct{}, error) { return struct{}{}, fn(ctx, env) })
}

// Sync returns an effect that calls fn, which cannot fail, with the
// environment. It panics if fn is nil.
func (Kit[R]) Sync[A any](fn func(env R) A) effect.Effect[R, error, A] {
	if fn == nil {
		panic("eff.Kit.Sync: fn must not be nil")
	}
	return effect.Access[R, error](fn)
}

// Service returns an effect that succeeds with what get reads from the
// environment, such as one of its services. It panics if get is nil.
func (k Kit[R]) Service[S any](get func(env R) S) effect.Effect[R, error, S] {
	if get == nil {
		panic("eff.Kit.Service: get must not be nil")
	}
	return effect.Access[R, error](get)
}

// Env returns an effect that succeeds with the whole environment.
func (Kit[R]) Env() effect.Effect[R, error, R] { return effect.Environment[R, error]() }

// With returns an effect that continues with the effect f makes of the
// environment. It panics if f is nil.
func (Kit[R]) With[A any](f func(env R) effect.Effect[R, error, A]) effect.Effect[R, error, A] {
	if f == nil {
		panic("eff.Kit.With: f must not be nil")
	}
	return effect.AccessEffect(f)
}

// Lift returns e, an effect that needs no environment, as an effect of this
// environment.
func (Kit[R]) Lift[A any](e Effect[A]) effect.Effect[R, error, A] { return effect.Widen[R](e) }

// Suspend returns an effect that calls fn when run and continues with the
// effect it returns. It panics if fn is nil.
func (Kit[R]) Suspend[A any](fn func() effect.Effect[R, error, A]) effect.Effect[R, error, A] {
	return effect.Suspend(fn)
}

// Sleep returns an effect that waits for d, interruptibly.
func (Kit[R]) Sleep(d time.Duration) effect.Effect[R, error, struct{}] {
	return effect.Sleep[R, error](d)
}

// Never returns an effect that waits until its fiber is interrupted.
func (Kit[R]) Never[A any]() effect.Effect[R, error, A] { return effect.Never[R, error, A]() }

// Acquire is [Acquire] with the environment handed to open and close.
func (Kit[R]) Acquire[A any](open func(ctx context.Context, env R) (A, error), close func(ctx context.Context, a A) error) effect.Effect[R, error, A] {
	if open == nil || close == nil {
		panic("eff.Kit.Acquire: open and close must not be nil")
	}
	return effect.AccessEffect(func(env R) effect.Effect[R, error, A] {
		acquire := effect.Try[R](func(ctx context.Context) (A, error) { return open(ctx, env) })
		return effect.AcquireRelease(acquire, func(a A) effect.Effect[R, error, struct{}] {
			return effect.Try[R](func(ctx context.Context) (struct{}, error) { return struct{}{}, close(ctx, a) })
		})
	})
}

// Defer is [Defer] as an effect of this environment.
func (Kit[R]) Defer(fn func(ctx context.Context, err error) error) effect.Effect[R, error, struct{}] {
	return effect.Widen[R](Defer(fn))
}
