// Package sambermo converts between effects and samber/mo's
// (github.com/samber/mo) Result, Either, Option and Future. It is a
// subpackage of interop so that only programs that use mo compile mo; its
// name is not mo's, so that both import without renaming.
//
// Result, Either and Option are plain values, so they convert to effects
// (lifting: [FromResult], [FromEither], [FromOptionOr]) and from exits,
// the outcome of a run ([ToResult], [ToEither]); [FromOption] and
// [ToOption] convert to and from [effect.Option]. A Future is a running
// computation: [FromFuture] returns an effect that awaits one, and
// [ToFuture] starts an effect and returns a Future of its outcome.
//
// # Failures
//
// An Err, a Left and a rejected Future are expected failures of the
// effect. The other way, a lone expected failure becomes the Err or the
// Left as itself; any other cause (a defect, an interruption, several
// failures) becomes the error that [effect.Run] returns when the failure
// type can hold an error (error or any). When it cannot (an Either whose
// Left is a domain type), there is no way to say "defect" in that type,
// and [ToEither] panics with it.
//
// # Which to use
//
//   - [FromResult] for code that already returns mo.Result; it is
//     [effect.FromResult] over the Result's value and error.
//   - [FromEither] and [ToEither] to keep a typed failure E across the
//     boundary; [ToResult] when the caller wants an error.
//   - [FromOptionOr] to fail with a given error on None.
//   - [FromFuture] to await a Future started elsewhere (interrupting the
//     wait does not cancel the Future); [ToFuture] to hand an effect to
//     code that takes a Future, cancelled through its ctx.
package sambermo
