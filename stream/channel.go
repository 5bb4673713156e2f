package stream

import (
	"context"
	"fmt"
	"iter"

	"github.com/gogoscope/gogoscope/effect"
)

// Channel is a Go-style channel between fibers, with go-go-scope's
// semantics: [Channel.Send] waits while the buffer is full (back-pressure)
// and reports false once the channel is closed instead of panicking;
// [Channel.Receive] waits for an element and reports "closed" (None), never a
// zero value, once the channel is closed and drained; [Channel.Close] wakes
// every waiting sender and receiver. A channel made with [MakeChannel] is
// owned by the current scope and closed when that scope closes.
//
// Any number of fibers may send and receive at once: elements are received
// in the order they were sent, each by exactly one receiver, and blocked
// fibers are served first come, first served. Every wait is interruptible
// and loses nothing: an interrupted Send has not sent, an interrupted
// Receive has not received. A capacity of 0 makes an unbuffered channel,
// where a send waits for a receiver as in Go.
//
// Iterate with [Channel.All] from plain Go, or turn the channel into a
// [Stream] with [FromChannel] to map, filter, take or fold it. Use [Select]
// to wait on several channels at once. The zero Channel is not usable.
//
// A fiber waiting to send or receive shows in dumps, wait hooks, the
// profiler and the deadlock detector as waiting on "channel NAME" (see
// [WithName]) with the channel's fill: `channel results (0/8 items,
// waiting to receive)`. A wait to send lists the channel's receivers as
// its holders, `channel results (8/8 items, waiting to send, held by #7)`,
// so that the deadlock detector sees a cycle through it; a wait to receive
// lists none (see [QueueOption]).
type Channel[A any] struct {
	c core[A]
}

// NewChannel returns an open channel that buffers up to capacity elements
// (0: unbuffered). Nothing owns it: close it by hand, or make it with
// [MakeChannel] instead. Options name it ([WithName]). It panics if
// capacity is negative.
func NewChannel[A any](capacity int, opts ...QueueOption) *Channel[A] {
	if capacity < 0 {
		panic(fmt.Sprintf("stream.NewChannel: capacity must be >= 0, got %d", capacity))
	}
	ch := &Channel[A]{}
	ch.c.init("channel", capacity, BackPressure, configure("stream.NewChannel", opts))
	return ch
}

// MakeChannel returns an effect that makes a channel as [NewChannel] does,
// owned by the current scope: when that scope closes, the channel is closed,
// which wakes every fiber still waiting on it. Options name it
// ([WithName]). It panics if capacity is negative.
func MakeChannel[R, E, A any](capacity int, opts ...QueueOption) effect.Effect[R, E, *Channel[A]] {
	if capacity < 0 {
		panic(fmt.Sprintf("stream.MakeChannel: capacity must be >= 0, got %d", capacity))
	}
	configure("stream.MakeChannel", opts) // validate now, at construction
	return effect.AcquireRelease(
		effect.Sync[R, E](func() *Channel[A] { return NewChannel[A](capacity, opts...) }),
		func(ch *Channel[A]) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} { ch.Close(); return struct{}{} })
		})
}

// Send returns an effect that sends a and reports whether it was sent: it
// waits while the buffer is full (or, unbuffered, until a receiver takes a),
// and reports false if the channel is closed, before or during the wait. The
// wait is interruptible; an interrupted Send has not sent a. Cost: one small
// allocation when it does not wait.
func (ch *Channel[A]) Send[R, E any](a A) effect.Effect[R, E, bool] { return send1[R, E](&ch.c, a) }

// SendAll returns an effect that sends the elements of as in order, waiting
// for room as needed, and succeeds with how many were sent: len(as) unless
// the channel was closed meanwhile. It is not atomic: other senders'
// elements may interleave. If the fiber is interrupted while waiting and a
// prefix of as was already sent, the effect succeeds with that prefix's
// length; it ends as interrupted only when nothing was sent. The channel
// copies the elements; as may be reused afterwards.
func (ch *Channel[A]) SendAll[R, E any](as []A) effect.Effect[R, E, int] {
	return sendAll[R, E](&ch.c, as)
}

// Receive returns an effect that waits for an element and succeeds with it,
// or with None once the channel is closed and drained. The wait is
// interruptible; an interrupted Receive has not received anything. The
// effect is built once per channel and shared: a Receive that does not wait
// allocates nothing.
func (ch *Channel[A]) Receive[R, E any]() effect.Effect[R, E, effect.Option[A]] {
	return recv1[R, E](&ch.c)
}

// ReceiveUpTo returns an effect that receives between 1 and max elements,
// waiting for the first, and succeeds with them in order, or with an empty
// slice once the channel is closed and drained. It panics if max is not
// positive.
func (ch *Channel[A]) ReceiveUpTo[R, E any](max int) effect.Effect[R, E, []A] {
	checkMax("Channel.ReceiveUpTo", max)
	return recvUpTo[R, E](&ch.c, max)
}

// TrySend sends a without waiting and reports whether it was sent: false
// when the channel is full or closed.
func (ch *Channel[A]) TrySend(a A) bool { return ch.c.trySend(a) == sent }

// TryReceive receives an element without waiting. ok is false when none is
// ready; closed is true when none ever will be (closed and drained).
func (ch *Channel[A]) TryReceive() (a A, ok, closed bool) {
	ch.c.recv.notePlain()
	return ch.c.tryTake1()
}

// Close closes the channel: later sends report false, waiting senders are
// woken with false, and receivers get what is buffered and then None.
// Closing a closed channel does nothing (unlike Go's close, it does not
// panic).
func (ch *Channel[A]) Close() { ch.c.close() }

// IsClosed reports whether the channel was closed.
func (ch *Channel[A]) IsClosed() bool { return ch.c.isClosed() }

// Len returns how many elements are buffered.
func (ch *Channel[A]) Len() int { return ch.c.len() }

// Cap returns the buffer's capacity.
func (ch *Channel[A]) Cap() int { return ch.c.capacity }

// Name returns the channel's name, empty when it has none.
func (ch *Channel[A]) Name() string { return ch.c.name }

// All returns an iterator, for plain Go's range loops, over the elements
// received from the channel until it is closed and drained, or until ctx is
// done. Each step receives one element, waiting for it; breaking out of the
// loop receives nothing more. The iterator may be ranged over many times and
// by many goroutines at once: each element goes to one of them.
func (ch *Channel[A]) All(ctx context.Context) iter.Seq[A] {
	return func(yield func(A) bool) {
		for {
			a, ok, err := recv1Context(ctx, &ch.c)
			if !ok || err != nil || !yield(a) {
				return
			}
		}
	}
}

func (ch *Channel[A]) receiverCore() *core[A] { return &ch.c }
func (ch *Channel[A]) senderCore() *core[A]   { return &ch.c }

// Receiver is what elements can be received from: a [*Channel], a [*Queue]
// or a [*Subscription]. [OnReceive] and the stream constructors accept it.
type Receiver[A any] interface {
	receiverCore() *core[A]
}

// Sender is what elements can be sent to: a [*Channel] or a [*Queue].
// [OnSend] accepts it.
type Sender[A any] interface {
	senderCore() *core[A]
}
