package layer

import (
	"context"
	"errors"

	"github.com/gogoscope/gogoscope/effect"
)

// Acquire returns an effect that builds l in the current scope and succeeds
// with its value: a layer acquired as one resource. Layers that appear
// several times in l's graph are built once per run (see [Layer]); each run
// of the effect builds anew. Every resource acquired, and every fiber
// forked, by l's layers belongs to the current scope and is released,
// newest first, when that scope closes, after anything registered in it
// later. If the build fails, what was acquired before the failure also
// stays in the current scope until it closes: use [Provide], or wrap in
// [effect.Scoped], to release it at once.
func Acquire[RIn, E, ROut any](l *Layer[RIn, E, ROut]) effect.Effect[RIn, E, ROut] {
	mustLayer("Acquire", "l", l)
	return effect.FlatMap(effect.CurrentScope[RIn, E](), func(s *effect.Scope) effect.Effect[RIn, E, ROut] {
		return l.build(newBuilder(s))
	})
}

// Acquire is the method form of [Acquire].
func (l *Layer[RIn, E, ROut]) Acquire() effect.Effect[RIn, E, ROut] { return Acquire(l) }

// Provide returns an effect that builds l, runs e with l's value as its
// environment, and then releases everything l acquired, in reverse order,
// whatever e's outcome: e no longer needs R, only what l needs (nothing
// when RIn is any). The compiler checks that l builds exactly the
// environment e needs.
//
// Resources that e acquires in its own scope are released before l's, so
// e's finalizers may still use l's services. If l fails, e does not run,
// what l acquired is released at once, and the effect fails with l's
// failure (an [*Error] naming the layer when E is error), followed by
// the failures of the releases, if any.
func Provide[RIn, R, E, A any](e effect.Effect[R, E, A], l *Layer[RIn, E, R]) effect.Effect[RIn, E, A] {
	mustLayer("Provide", "l", l)
	return effect.Scoped(effect.FlatMap(Acquire(l), func(env R) effect.Effect[RIn, E, A] {
		return effect.Provide[RIn](e, env)
	}))
}

// Build builds l with the input in, for an application that builds its
// services once at start and releases them at shutdown. It returns the
// value, and the scope that owns every resource the layers acquired and
// every fiber they forked: close it ([effect.Scope.Close]) at shutdown to
// release them in reverse order. Cancelling ctx interrupts the build; it
// does not matter once Build has returned.
//
// If the build fails, Build releases what was acquired before returning
// (the returned scope is then already closed, and closing it again does
// nothing) and returns an error that names the failing layer: an [*Error],
// alone or inside the [effect.Cause] that also lists parallel failures and
// failing releases; [errors.Is] and [errors.As] see all of them.
//
// Build runs the layers on a new [effect.Runtime]. To build on your own
// runtime, do what Build does:
//
//	scope := rt.NewScope()
//	env, err := rt.Run(ctx, effect.Extend(scope, layer.Acquire(app)), in)
//	// on error: scope.Close(ctx)
func Build[RIn, E, ROut any](ctx context.Context, l *Layer[RIn, E, ROut], in RIn) (ROut, *effect.Scope, error) {
	mustLayer("Build", "l", l)
	rt := effect.NewRuntime()
	scope := rt.NewScope()
	b := newBuilder(scope)
	// The build is interruptible (ctx); closing the scope after a failure
	// is not, and runs even when the failure is an interruption.
	body := effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[RIn, E, ROut] {
		build := effect.Extend(scope, effect.Suspend(func() effect.Effect[RIn, E, ROut] { return l.build(b) }))
		return effect.CatchCause(restore.Apply(build), func(c effect.Cause[E]) effect.Effect[RIn, E, ROut] {
			return effect.FlatMap(effect.ToExit(effect.CloseScope[RIn, E](scope)),
				func(x effect.Exit[E, struct{}]) effect.Effect[RIn, E, ROut] {
					return effect.FailCause[RIn, ROut](c.Then(x.Cause()))
				})
		})
	})
	out, err := rt.Run(ctx, body, in)
	if err != nil && !scope.IsClosed() {
		// The run was interrupted before its first step (ctx was already
		// cancelled): nothing was acquired, but the scope must be closed.
		if cerr := scope.Close(context.WithoutCancel(ctx)); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}
	if err != nil {
		if name := b.shared.failedLayer(); name != "" && !namesLayer(err) {
			err = &Error{Layer: name, Op: "build", Err: err}
		}
		return out, scope, err
	}
	return out, scope, nil
}
