package layer

import (
	"context"

	"github.com/gogoscope/gogoscope/effect"
)

// Succeed returns a layer that builds the value a, whatever its input. Name
// RIn and E: layer.Succeed[any, error](cfg). It acquires nothing and never
// fails.
func Succeed[RIn, E, A any](a A) *Layer[RIn, E, A] {
	return newLayer(func(*builder, func() string) effect.Effect[RIn, E, A] { return effect.Succeed[RIn, E](a) })
}

// Sync returns a layer that builds f of its input: the constructor of a
// service from its dependencies, such as NewRepo(db). Name only E:
// layer.Sync[error](NewRepo). f runs once per build (see [Layer]); a panic
// in f is a defect, reported as an [*Error] naming the layer.
func Sync[E, RIn, A any](f func(RIn) A) *Layer[RIn, E, A] {
	mustFunc("Sync", "f", f == nil)
	return newLayer(func(*builder, func() string) effect.Effect[RIn, E, A] {
		return effect.AccessEffect(func(in RIn) effect.Effect[RIn, E, A] {
			return effect.Sync[RIn, E](func() A { return f(in) })
		})
	})
}

// Func returns a layer that builds its value with f, plain Go code that may
// fail: f receives a context, cancelled if the build is interrupted (for
// example because a sibling layer failed), and the layer's input. A
// non-nil error fails the layer with an [*Error] naming it.
func Func[RIn, A any](f func(ctx context.Context, in RIn) (A, error)) *Layer[RIn, error, A] {
	mustFunc("Func", "f", f == nil)
	return newLayer(func(*builder, func() string) effect.Effect[RIn, error, A] { return tryWith(f) })
}

// FromEffect returns a layer that builds its value by running e with the
// layer's input as e's environment. Resources that e acquires
// ([effect.AcquireRelease], [effect.AddFinalizer]) and fibers it forks
// belong to the layer: they live until the build's scope closes, and are
// released in reverse order then. Wrap a part of e in [effect.Scoped] for
// resources needed only while building.
func FromEffect[RIn, E, A any](e effect.Effect[RIn, E, A]) *Layer[RIn, E, A] {
	return newLayer(func(b *builder, _ func() string) effect.Effect[RIn, E, A] {
		return effect.Extend(b.shared.scope, e)
	})
}

// AcquireRelease returns a layer that acquires a resource with acquire and
// releases it with release when the build's scope closes, after every
// layer built on it has released its own. Both run uninterruptibly, so
// the resource is never acquired without its release registered. A
// failure of release is reported, as an [*Error] with Op "release", when
// the scope closes; it does not stop the other releases.
func AcquireRelease[RIn, E, A, X any](acquire effect.Effect[RIn, E, A], release func(A) effect.Effect[RIn, E, X]) *Layer[RIn, E, A] {
	mustFunc("AcquireRelease", "release", release == nil)
	return newLayer(func(b *builder, name func() string) effect.Effect[RIn, E, A] {
		rel := func(a A) effect.Effect[RIn, E, X] {
			return namedRelease(name, effect.Suspend(func() effect.Effect[RIn, E, X] { return release(a) }))
		}
		return effect.Extend(b.shared.scope, effect.AcquireRelease(acquire, rel))
	})
}

// Resource returns a layer over a plain Go resource: open acquires it from
// the layer's input and close releases it when the build's scope closes, in
// reverse order of acquisition. For example
// layer.Resource(openPool, (*Pool).Close).
//
// The context handed to open lives as long as the resource: it carries the
// values of the build's context, has no deadline, and is cancelled only
// after close has returned (at once if open fails), so a connection, a
// transaction or a process that open starts with it stays usable for the
// whole life of the build. open and close run uninterruptibly. A failing
// open fails the layer; a failing close is reported as an [*Error] with Op
// "release" and does not stop the other releases. For a resource that needs
// no input, use [Open].
func Resource[RIn, A any](open func(ctx context.Context, in RIn) (A, error), close func(A) error) *Layer[RIn, error, A] {
	mustFunc("Resource", "open", open == nil)
	mustFunc("Resource", "close", close == nil)
	return AcquireRelease(tryWith(open), func(a A) effect.Effect[RIn, error, struct{}] {
		return effect.Try[RIn](func(context.Context) (struct{}, error) { return struct{}{}, close(a) })
	})
}

// tryWith lifts f, with the environment as its input, into an effect.
func tryWith[RIn, A any](f func(context.Context, RIn) (A, error)) effect.Effect[RIn, error, A] {
	return effect.AccessEffect(func(in RIn) effect.Effect[RIn, error, A] {
		return effect.Try[RIn](func(ctx context.Context) (A, error) { return f(ctx, in) })
	})
}

func mustFunc(fn, arg string, isNil bool) {
	if isNil {
		panic("layer." + fn + ": " + arg + " must not be nil")
	}
}
