// Package lower holds what package interop and its bridges to other
// libraries (interop/fpgo, interop/sambermo) share to turn an effect into
// a plain Go value: running it on a runtime that may be nil, and mapping a
// failure to a panic or to the failure side of a value typed by E.
package lower

import (
	"context"

	"github.com/gogoscope/gogoscope/effect"
)

// RunExit runs e with env on rt, or on a fresh runtime when rt is nil.
func RunExit[R, E, A any](ctx context.Context, rt *effect.Runtime, e effect.Effect[R, E, A], env R) effect.Exit[E, A] {
	if rt == nil {
		return effect.RunExit(ctx, e, env)
	}
	return rt.RunExit(ctx, e, env)
}

// Panic panics with what a plain Go function that cannot report an error
// raises for the failure x: a lone defect's own value (so a panic lifted
// into an effect comes back out as itself), anything else as the error of
// [effect.Exit.Err].
func Panic[E, A any](x effect.Exit[E, A]) {
	c := x.Cause()
	if c.Kind() == effect.Died {
		panic(c.Defects()[0].Value)
	}
	panic(x.Err())
}

// Left returns what the failure x becomes on the failure side of a value
// typed by E (an Either's Left): a lone expected failure as itself; any
// other cause as the error of [effect.Exit.Err] when E can hold an error
// (E is error or any); otherwise it panics as [Panic] does, since E has
// no way to say "defect" or "interrupted".
func Left[E, A any](x effect.Exit[E, A]) E {
	c := x.Cause()
	if c.Kind() == effect.Failed {
		e, _ := c.Failure()
		return e
	}
	if e, ok := any(x.Err()).(E); ok {
		return e
	}
	Panic(x)
	panic("unreachable")
}

// MustNotBeNil panics with "fn: arg must not be nil" when isNil is true;
// fn names the exported function with its package ("fpgo.FromIO").
func MustNotBeNil(fn, arg string, isNil bool) {
	if isNil {
		panic(fn + ": " + arg + " must not be nil")
	}
}
