package stream

import (
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
)

// Queue is a FIFO queue shared by fibers, bounded with a [Strategy] for when
// it is full ([NewQueue]) or unbounded ([NewUnboundedQueue]). Any number of
// fibers may offer and take at once; elements are taken in the order they
// were accepted, and blocked fibers are served first come, first served.
//
// The blocking operations are effects, interruptible at every wait: an
// interrupted [Queue.Offer] has not enqueued its element, and an interrupted
// [Queue.Take] has not removed one. [Queue.Close] refuses further offers,
// lets takers drain what is buffered, and wakes every blocked fiber. The
// non-blocking operations ([Queue.TryOffer], [Queue.TryTake]) are plain Go,
// safe from any goroutine.
//
// A Queue is the engine of a [Channel] without the Go-flavoured names and the
// scope ownership; use it when the dropping and sliding strategies matter,
// or to connect stages of a pipeline by hand. The zero Queue is not usable.
//
// A fiber waiting to offer or take shows in dumps, wait hooks, the
// profiler and the deadlock detector as waiting on "queue NAME" (see
// [WithName]) with the queue's fill: `queue jobs (64/64 items, waiting to
// send, held by #7)`, the holders of a wait to send being the queue's
// receivers; a wait to receive lists none (see [QueueOption]).
type Queue[A any] struct {
	c core[A]
}

// NewQueue returns an empty queue that buffers up to capacity elements and
// applies strategy when full: [BackPressure] makes offers wait, [Dropping]
// drops new elements, [Sliding] drops the oldest ones. It panics if capacity
// is not positive. Options name it ([WithName]).
func NewQueue[A any](capacity int, strategy Strategy, opts ...QueueOption) *Queue[A] {
	if capacity <= 0 {
		panic(fmt.Sprintf("stream.NewQueue: capacity must be > 0, got %d", capacity))
	}
	if strategy > Sliding {
		panic(fmt.Sprintf("stream.NewQueue: unknown strategy %v", strategy))
	}
	q := &Queue[A]{}
	q.c.init("queue", capacity, strategy, configure("stream.NewQueue", opts))
	return q
}

// NewUnboundedQueue returns an empty queue without a limit: offers never
// wait and never drop. Memory grows with the backlog, so use it only where
// something else bounds the producers. Options name it ([WithName]).
func NewUnboundedQueue[A any](opts ...QueueOption) *Queue[A] {
	q := &Queue[A]{}
	q.c.init("queue", -1, BackPressure, configure("stream.NewUnboundedQueue", opts))
	return q
}

// Offer returns an effect that adds a to the queue and reports whether it
// was accepted. With [BackPressure] it waits while the queue is full; the
// wait is interruptible, and an interrupted Offer has not added a. With
// [Dropping] a full queue drops a (false); with [Sliding] it drops the
// oldest element instead (true). Offering to a closed queue reports false,
// and so does an Offer that was waiting when the queue was closed. Cost:
// one small allocation when it does not wait.
func (q *Queue[A]) Offer[R, E any](a A) effect.Effect[R, E, bool] { return send1[R, E](&q.c, a) }

// OfferAll returns an effect that adds the elements of as in order, waiting
// for room as needed (with [BackPressure]), and succeeds with how many were
// accepted: len(as) unless the queue was closed meanwhile or, with
// [Dropping], some were dropped. It is not atomic: other fibers' elements
// may interleave. If the fiber is interrupted while waiting and a prefix of
// as was already accepted, the effect succeeds with that prefix's length; it
// ends as interrupted only when nothing was accepted. The queue copies the
// elements; as may be reused afterwards.
func (q *Queue[A]) OfferAll[R, E any](as []A) effect.Effect[R, E, int] {
	return sendAll[R, E](&q.c, as)
}

// Take returns an effect that removes the oldest element, waiting for one,
// and succeeds with it, or with None once the queue is closed and drained.
// The wait is interruptible; an interrupted Take has removed nothing. The
// effect is built once per queue and shared: a Take that does not wait
// allocates nothing.
func (q *Queue[A]) Take[R, E any]() effect.Effect[R, E, effect.Option[A]] { return recv1[R, E](&q.c) }

// TakeUpTo returns an effect that removes between 1 and max of the oldest
// elements, waiting for the first, and succeeds with them in order, or with
// an empty slice once the queue is closed and drained. Taking in batches is
// how streams move data through a queue at a small cost per element. It
// panics if max is not positive.
func (q *Queue[A]) TakeUpTo[R, E any](max int) effect.Effect[R, E, []A] {
	checkMax("Queue.TakeUpTo", max)
	return recvUpTo[R, E](&q.c, max)
}

// TryOffer adds a without waiting and reports whether it was accepted: false
// when the queue is closed, or full with [BackPressure] or [Dropping].
func (q *Queue[A]) TryOffer(a A) bool { return q.c.trySend(a) == sent }

// TryTake removes the oldest element without waiting; ok is false when the
// queue is empty.
func (q *Queue[A]) TryTake() (a A, ok bool) {
	q.c.recv.notePlain()
	a, ok, _ = q.c.tryTake1()
	return a, ok
}

// Close closes the queue: later offers are refused, fibers waiting to offer
// are woken with false, and takers receive what is buffered and then None.
// Closing a closed queue does nothing.
func (q *Queue[A]) Close() { q.c.close() }

// IsClosed reports whether the queue was closed.
func (q *Queue[A]) IsClosed() bool { return q.c.isClosed() }

// Len returns how many elements are buffered.
func (q *Queue[A]) Len() int { return q.c.len() }

// Cap returns the capacity, or -1 for an unbounded queue.
func (q *Queue[A]) Cap() int { return q.c.capacity }

// Name returns the queue's name, empty when it has none.
func (q *Queue[A]) Name() string { return q.c.name }

// Dropped returns how many elements the [Dropping] or [Sliding] strategy has
// dropped so far.
func (q *Queue[A]) Dropped() uint64 { return q.c.dropped.Load() }

func (q *Queue[A]) receiverCore() *core[A] { return &q.c }
func (q *Queue[A]) senderCore() *core[A]   { return &q.c }

func checkMax(fn string, max int) {
	if max <= 0 {
		panic(fmt.Sprintf("stream.%s: max must be > 0, got %d", fn, max))
	}
}
