// Package fpgo converts between effects and IBM/fp-go's
// (github.com/IBM/fp-go) IO, IOEither, ReaderIOEither, and the
// ReaderIOEither of context/readerioeither, whose reader is a
// context.Context. It is a subpackage of interop so that only programs
// that use fp-go compile fp-go.
//
// fp-go's values are lazy functions, like effects, so the conversions are
// lazy too: nothing runs until the effect, or the fp-go function, is run.
// Going to fp-go, each run of the fp-go function runs the effect anew, on
// the [effect.Runtime] given, or on a fresh one per run when it is nil, on
// the calling goroutine.
//
// # Failures
//
// An fp-go Left is an expected failure of the effect; a panic is a defect.
// The other way, a Left holds a lone expected failure as itself and, when
// the failure type is error (or any), any other cause (several failures, a
// defect, an interruption) as the error that [effect.Run] returns. When the
// failure type cannot hold an error, a defect or an interruption has no
// Left to go to, and the fp-go function panics with it.
//
// # Which to use
//
//   - [FromIOEither] and [ToIOEither] for the common case, one call that
//     can fail; [FromIO] and [ToIO] for one that cannot.
//   - [FromReaderIOEither] when the fp-go code reads a dependency: the
//     reader's input becomes the effect's environment R.
//   - [FromContextReaderIOEither] for fp-go code that takes a
//     context.Context: the context is cancelled when the fiber is
//     interrupted, and [ToContextReaderIOEither] interrupts the effect when
//     the fp-go caller's context is cancelled.
//
// docs/interop.md has a migration guide from fp-go pipelines to effect
// methods.
package fpgo
