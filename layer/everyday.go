package layer

import (
	"context"

	"github.com/gogoscope/gogoscope/effect"
)

// The everyday constructors: layers that fail with error, written without
// type arguments. A layer with no input (the root of a graph: settings, a
// client made from the environment) has the input type any, so that it is
// built with layer.Build(ctx, l, nil) and feeds the layers after it with
// [To]. Every layer made by [To], [Struct] and [Map] from them needs no type
// argument either.

// Value returns a layer that builds v, with no input: the settings a
// program already holds, say. It acquires nothing and never fails. It is
// [Succeed] with RIn any and E error.
func Value[A any](v A) *Layer[any, error, A] { return Succeed[any, error](v) }

// From returns a layer that builds f(), with no input: a constructor with no
// dependencies, such as LoadSettings. f runs once per build (see [Layer]); a
// panic in f is a defect, reported as an [*Error] naming the layer.
func From[A any](f func() A) *Layer[any, error, A] {
	mustFunc("From", "f", f == nil)
	return Sync[error](func(any) A { return f() })
}

// New returns a layer that builds f of its input: the constructor of a
// service from its dependency, such as NewUserRepo(pool), as in
// pool.To(layer.New(NewUserRepo)). It is [Sync] with E error. For a
// constructor of several dependencies, gather them with [Struct] first
// (see [Struct]'s example). f runs once per build; a panic in f is a
// defect, reported as an [*Error] naming the layer.
func New[In, A any](f func(In) A) *Layer[In, error, A] {
	mustFunc("New", "f", f == nil)
	return Sync[error](f)
}

// Try returns a layer that builds its value with f, plain Go code with no
// input that may fail or block: reading a file, parsing settings. f's
// context carries the values of the build's context and is cancelled when
// f returns or the build is interrupted (for example because a sibling
// layer failed); for something that must live as long as the build, use
// [Open]. A non-nil error fails the layer with an [*Error] naming it. It is
// [Func] with no input.
func Try[A any](f func(ctx context.Context) (A, error)) *Layer[any, error, A] {
	mustFunc("Try", "f", f == nil)
	return Func(func(ctx context.Context, _ any) (A, error) { return f(ctx) })
}

// Open returns a layer over a plain Go resource that needs no input: open
// acquires it, close releases it when the build's scope closes, in reverse
// order of acquisition — layer.Open(connect, (*Client).Close).
//
// The context handed to open lives as long as the resource: it carries the
// values of the build's context, has no deadline, and is cancelled only
// after close has returned (at once if open fails). open and close run
// uninterruptibly. A failing open fails the layer; a failing close is
// reported as an [*Error] with Op "release" and does not stop the other
// releases. It is [Resource] with no input.
func Open[A any](open func(ctx context.Context) (A, error), close func(A) error) *Layer[any, error, A] {
	mustFunc("Open", "open", open == nil)
	mustFunc("Open", "close", close == nil)
	return AcquireRelease(effect.Try[any](open), func(a A) effect.Effect[any, error, struct{}] {
		return effect.Try[any](func(context.Context) (struct{}, error) { return struct{}{}, close(a) })
	})
}
