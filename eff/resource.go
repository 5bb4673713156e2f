package eff

import (
	"context"

	"github.com/gogoscope/gogoscope/effect"
)

// Acquire returns an effect that opens a resource with open and registers
// close for it in the current scope: close runs when the scope closes
// ([Scoped], or the fiber's own scope), in reverse order of acquisition,
// exactly once, whatever the outcome. Both are plain Go.
//
// The ctx handed to open lives as long as the resource: it keeps the values
// of Run's context, has no deadline, and is cancelled only after close has
// returned (at once if open fails) — so a transaction begun with
// db.BeginTx(ctx, nil), a command from exec.CommandContext or a streamed
// HTTP body stays usable while the scope lives. close gets that same ctx.
// open and close run uninterruptibly; an error from close is reported after
// the scope's own outcome, never in its place. It panics if open or close is
// nil.
func Acquire[A any](open func(ctx context.Context) (A, error), close func(ctx context.Context, a A) error) Effect[A] {
	if open == nil || close == nil {
		panic("eff.Acquire: open and close must not be nil")
	}
	return effect.AcquireRelease(effect.Try[any](open), func(a A) Effect[struct{}] {
		return effect.Try[any](func(ctx context.Context) (struct{}, error) { return struct{}{}, close(ctx, a) })
	})
}

// AcquireExit is [Acquire] with a close that learns how the scope ended:
// err is nil after a success and otherwise the error the scope's effect
// ended with — to commit or roll back a transaction, say. It panics if open
// or close is nil.
func AcquireExit[A any](open func(ctx context.Context) (A, error), close func(ctx context.Context, a A, err error) error) Effect[A] {
	if open == nil || close == nil {
		panic("eff.AcquireExit: open and close must not be nil")
	}
	return effect.AcquireReleaseExit(effect.Try[any](open), func(a A, err error) Effect[struct{}] {
		return effect.Try[any](func(ctx context.Context) (struct{}, error) { return struct{}{}, close(ctx, a, err) })
	})
}

// Defer returns an effect that registers fn, plain Go, in the current
// scope: fn runs when the scope closes, with nil after a success and
// otherwise the error the scope's effect ended with, uninterruptibly and
// exactly once, in reverse order of registration among the scope's
// finalizers. Its ctx keeps the values of Run's context and is never
// cancelled. An error from fn is reported after the scope's outcome. It
// panics if fn is nil.
func Defer(fn func(ctx context.Context, err error) error) Effect[struct{}] {
	if fn == nil {
		panic("eff.Defer: fn must not be nil")
	}
	return effect.AddFinalizer(func(scopeErr error) Effect[struct{}] {
		return effect.Try[any](func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx, scopeErr) })
	})
}

// Scoped returns an effect that runs e in a new scope and closes it when e
// ends: the fibers e forked are interrupted and awaited, the resources it
// acquired released in reverse order. It is [effect.Scoped]; the method
// e.Scoped() is the same.
func Scoped[A any](e Effect[A]) Effect[A] { return effect.Scoped(e) }
