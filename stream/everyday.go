package stream

import (
	"iter"

	"github.com/gogoscope/gogoscope/effect"
)

// Kit makes the streams, channels and blocking operations of a program
// whose effects need the environment R and fail with error, without type
// arguments at each call. The sources of this package and the blocking
// methods of channels, queues and subscriptions are generic in R and E,
// which Go cannot infer from a result; a Kit fixes them once:
//
//	var streams = stream.For[any]()   // no environment: eff.Effect's shape
//
//	lines := streams.FromSlice(batch).Merge(streams.FromChannel(live))
//	ok := streams.Send(jobs, job)     // eff.Effect[bool]
//
// or stream.For[Env]() next to an application's eff.For[Env](). Operators
// and sinks need no Kit: their types come from the stream. Every method is
// the package function or method of the same name, with E = error; use
// those directly for a typed failure. Kit is an empty struct: it costs
// nothing and is safe to share.
type Kit[R any] struct{}

// For returns the [Kit] of the environment R; For[any]() for effects that
// need no environment.
func For[R any]() Kit[R] { return Kit[R]{} }

// Empty returns a stream that ends at once: see [Empty].
func (Kit[R]) Empty[A any]() Stream[R, error, A] { return Empty[R, error, A]() }

// Of returns a stream of the given values, in order: see [Of].
func (Kit[R]) Of[A any](values ...A) Stream[R, error, A] { return FromSlice[R, error](values) }

// FromSlice returns a stream of the elements of xs, in order: see
// [FromSlice].
func (Kit[R]) FromSlice[A any](xs []A) Stream[R, error, A] { return FromSlice[R, error](xs) }

// Range returns the stream of the integers from start up to, not including,
// end: see [Range].
func (Kit[R]) Range(start, end int) Stream[R, error, int] { return Range[R, error](start, end) }

// Fail returns a stream that fails with err at once; name the element
// type: streams.Fail[Line](err). See [Fail].
func (Kit[R]) Fail[A any](err error) Stream[R, error, A] { return Fail[R, A](err) }

// FromSeq returns a stream of the values of a Go iterator: see [FromSeq].
func (Kit[R]) FromSeq[A any](seq iter.Seq[A]) Stream[R, error, A] { return FromSeq[R, error](seq) }

// FromSeq2 returns a stream of the values of a Go iterator of values and
// errors, failing with the first error: see [FromSeq2].
func (Kit[R]) FromSeq2[A any](seq iter.Seq2[A, error]) Stream[R, error, A] { return FromSeq2[R](seq) }

// FromGoChannel returns a stream of the values received from a Go channel,
// until it is closed: see [FromGoChannel].
func (Kit[R]) FromGoChannel[A any](ch <-chan A) Stream[R, error, A] {
	return FromGoChannel[R, error](ch)
}

// FromChannel returns a stream of the elements received from ch, until it
// is closed and drained: see [FromChannel].
func (Kit[R]) FromChannel[A any](ch *Channel[A]) Stream[R, error, A] {
	return FromChannel[R, error](ch)
}

// FromQueue returns a stream of the elements taken from q, until it is
// closed and drained: see [FromQueue].
func (Kit[R]) FromQueue[A any](q *Queue[A]) Stream[R, error, A] { return FromQueue[R, error](q) }

// FromSubscription returns a stream of the messages of sub: see
// [FromSubscription].
func (Kit[R]) FromSubscription[A any](sub *Subscription[A]) Stream[R, error, A] {
	return FromSubscription[R, error](sub)
}

// FromPubSub returns a stream that subscribes to p, with filter, when it
// starts and unsubscribes when it ends: see [FromPubSub].
func (Kit[R]) FromPubSub[A any](p *PubSub[A], filter func(A) bool) Stream[R, error, A] {
	return FromPubSub[R, error](p, filter)
}

// Unfold returns a stream of the values that f makes from a state: see
// [Unfold].
func (Kit[R]) Unfold[S, A any](init S, f func(S) (A, S, bool)) Stream[R, error, A] {
	return Unfold[R, error](init, f)
}

// Iterate returns the endless stream init, f(init), f(f(init)), ...: see
// [Iterate].
func (Kit[R]) Iterate[A any](init A, f func(A) A) Stream[R, error, A] {
	return Iterate[R, error](init, f)
}

// MakeChannel returns an effect that makes a channel owned by the current
// scope, closed when the scope closes; name the element type:
// streams.MakeChannel[Job](16). See [MakeChannel].
func (Kit[R]) MakeChannel[A any](capacity int) effect.Effect[R, error, *Channel[A]] {
	return MakeChannel[R, error, A](capacity)
}

// MakePubSub returns an effect that makes a PubSub owned by the current
// scope, closed when the scope closes; name the message type. See
// [MakePubSub].
func (Kit[R]) MakePubSub[A any](capacity int, strategy Strategy) effect.Effect[R, error, *PubSub[A]] {
	return MakePubSub[R, error, A](capacity, strategy)
}

// Send returns an effect that sends a to s, a [*Channel] or a [*Queue],
// waiting while it is full (as the queue's strategy says), and succeeds
// with false if s is closed: [Channel.Send] or [Queue.Offer].
func (Kit[R]) Send[A any](s Sender[A], a A) effect.Effect[R, error, bool] {
	return send1[R, error](s.senderCore(), a)
}

// SendAll returns an effect that sends every element of as to s, in order,
// and succeeds with how many were sent before s closed: [Channel.SendAll]
// or [Queue.OfferAll].
func (Kit[R]) SendAll[A any](s Sender[A], as []A) effect.Effect[R, error, int] {
	return sendAll[R, error](s.senderCore(), as)
}

// Receive returns an effect that receives the next element of r, a
// [*Channel], a [*Queue] or a [*Subscription], waiting for one; it
// succeeds with None once r is closed and drained: [Channel.Receive],
// [Queue.Take] or [Subscription.Receive].
func (Kit[R]) Receive[A any](r Receiver[A]) effect.Effect[R, error, effect.Option[A]] {
	return recv1[R, error](r.receiverCore())
}

// ReceiveUpTo returns an effect that waits for at least one element of r
// and receives up to max of them, succeeding with an empty slice once r is
// closed and drained: [Channel.ReceiveUpTo], [Queue.TakeUpTo] or
// [Subscription.ReceiveUpTo]. It panics if max < 1.
func (Kit[R]) ReceiveUpTo[A any](r Receiver[A], max int) effect.Effect[R, error, []A] {
	checkMax("Kit.ReceiveUpTo", max)
	return recvUpTo[R, error](r.receiverCore(), max)
}

// Publish returns an effect that publishes a to p's subscribers: see
// [PubSub.Publish].
func (Kit[R]) Publish[A any](p *PubSub[A], a A) effect.Effect[R, error, bool] {
	return p.Publish[R, error](a)
}

// Subscribe returns an effect that subscribes to p with filter, the
// subscription owned by the current scope: see [PubSub.Subscribe].
func (Kit[R]) Subscribe[A any](p *PubSub[A], filter func(A) bool) effect.Effect[R, error, *Subscription[A]] {
	return p.Subscribe[R, error](filter)
}
