// Package interop connects effects to plain Go and to the Go ecosystem:
// it lifts existing functions into effects, turns effects back into
// functions for callers that know nothing of effects, bridges channels,
// iterators and contexts. It needs only the standard library; the
// conversions to and from IBM/fp-go and samber/mo live in the subpackages
// [github.com/gogoscope/gogoscope/interop/fpgo] and
// [github.com/gogoscope/gogoscope/interop/sambermo], so that only programs
// that use those libraries compile them.
//
// # Functions
//
// Each shape of plain Go function has a From (lift) and a To (lower):
//
//	func()                                  FromAction        ToAction
//	func() error                            FromErrFunc       ToErrFunc
//	func() (A, error)                       FromValueFunc     ToValueFunc
//	func(ctx context.Context) error         FromCtxFunc       ToCtxFunc
//	func(ctx context.Context) (A, error)    FromCtxValueFunc  ToCtxValueFunc
//
// Lifted code runs on the fiber's goroutine; a panic in it is a defect.
// The context that the ctx-taking shapes receive is cancelled when the
// fiber is interrupted, with an [*effect.InterruptedError] as its cause that
// wraps the interruption's reason. Lowered functions run the effect on the
// runtime given (a fresh one per call when it is nil), return what
// [effect.Run] returns, and, for the ctx-taking shapes, interrupt the
// effect when their ctx is cancelled. A round trip keeps results, errors
// (the same error values), panics (the same panic values) and cancellation
// (an error that matches [context.Canceled] and the cancel cause).
//
// # Contexts
//
// [FailIfCancelled], [OnCancel], [WhenDone], [Cancellable] and [AnyDone]
// carry go-go-scope's AbortSignal helpers (throwIfAborted, onAbort,
// whenAborted, abortPromise, raceSignals) over to context.Context. A cancel
// cause ([context.WithCancelCause]) becomes the reason of the interruption
// it causes, and errors.Is finds it in the error the run returns.
//
// # Channels and iterators
//
// [Recv], [Send], [ForEachRecv] and [CollectRecv] use Go channels from
// effects, with interruptible waits; [ToChan] delivers an effect's exit on a
// channel. [ForEachSeq] and [ForEachSeq2] range over an [iter.Seq] or
// [iter.Seq2] in an effect and stop the iterator, as a break would, on
// failure or interruption. For streams, package stream has iterators and
// Go channels as sources ([stream.FromSeq], [stream.FromSeq2],
// [stream.FromGoChannel]) and range loops as a sink ([stream.Stream.All]);
// [StreamToChan] sends a stream's values on a Go channel.
//
// # Failures
//
// Going back to plain Go, a lone expected failure that is an error comes
// back as itself, and any other cause (a defect, an interruption, several
// failures) as the error that [effect.Run] returns. docs/interop.md has
// migration guides from goroutines with errgroup, from sourcegraph/conc
// and from fp-go.
//
// # Which to use
//
//   - Use [FromCtxValueFunc] (or [effect.Try]) for any Go call that takes a
//     context: it is the one shape that can be interrupted mid-call. Use
//     the context-free shapes for quick, non-blocking code only.
//   - Use [ToCtxValueFunc] to hand an effect to a Go API that expects a
//     function (an http.Handler's work, an errgroup task, a callback).
//   - Use [Cancellable] when an effect runs on behalf of a context you did
//     not create (a request's), [FailIfCancelled] for a cheap check point.
//   - Use [ForEachRecv] to consume a channel fed by plain Go code, and
//     [ForEachSeq] for iterators that do not block.
package interop
