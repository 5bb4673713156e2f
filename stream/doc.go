// Package stream moves values between fibers: Go-style channels, queues,
// broadcast (pub/sub), select, and lazy, back-pressured, resource-safe
// streams of values.
//
// # The communication primitives
//
// [Channel] is go-go-scope's channel in Go: a buffered (or unbuffered)
// channel whose [Channel.Send] waits while the buffer is full and whose
// [Channel.Receive] waits for an element. Closing it wakes every waiting
// fiber; a receive on a closed, drained channel reports "closed" (None),
// never a zero value; a send on a closed channel reports false instead of
// panicking. A channel made with [MakeChannel] is owned by the current scope
// and closed with it. [Queue] is the same engine with ZIO's strategies for a
// full buffer ([BackPressure], [Dropping], [Sliding]) or none at all
// ([NewUnboundedQueue]). [PubSub] broadcasts: every subscriber receives
// every message published after it subscribed that its filter accepts, with
// a documented policy for slow subscribers. [Select] waits on several
// receives, sends and time limits at once and fires exactly one.
//
// Every blocking operation is an effect built on [effect.Async]: it waits
// without holding a goroutine beyond its fiber's own, it is interruptible,
// and interruption never loses nor duplicates an element. If an interrupted
// operation reports interruption, it did nothing: an interrupted send did
// not enqueue, an interrupted receive did not consume. If the element
// changed hands at the very moment of the interruption, the operation
// reports success, and the interruption takes effect at the caller's next
// step; a caller that must record what it received, whatever happens, wraps
// the receive and the record in [effect.UninterruptibleMask], with only the
// receive restored. Non-blocking forms ([Channel.TrySend],
// [Channel.TryReceive], [Queue.TryOffer], [Queue.TryTake]) are plain Go.
// Batch forms ([Channel.SendAll], [Channel.ReceiveUpTo]) move many elements
// per effect and are how streams cross a channel at a fraction of the cost
// of a native Go channel.
//
// # Streams
//
// [Stream] is a lazy, pull-based, chunked sequence of values of type A,
// needing an environment R and failing with an error E, like
// [effect.Effect] but producing many values. It is built from sources
// ([Of], [FromSlice], [Range], [FromSeq], [FromSeq2], [FromGoChannel],
// [FromChannel], [FromQueue], [FromPubSub], [Unfold], [Paginate],
// [RepeatEffect], [AcquireRelease], [FromEffect]), transformed by operators
// (Map, Filter, Take, TakeWhile, Drop, Scan, Tap, FlatMap, Concat, Merge,
// Zip, Grouped, GroupedWithin, MapEffect with a concurrency limit, Buffer,
// Throttle, Debounce, Timeout, Retry, Catch) and run by sinks (Collect,
// ForEach, Fold, Reduce, Count, First, Last, Drain, IntoChannel, and All,
// which turns a stream into a Go iterator for range loops).
//
// Pulling gives back-pressure for free: a source produces only when the
// consumer asks, so nothing piles up between stages unless an operator is
// asked to run ahead ([Stream.Buffer], [Merge], [Stream.MapEffect] with a
// Limit, [GroupedWithin], [Stream.Debounce]), and then only up to a bound.
// Values travel in chunks, so the machinery costs a few effect steps per
// chunk, not per value: a map and a filter over a million integers cost
// three to four times a plain loop and allocate about 0.004 times per value
// (see bench_test.go).
//
// Streams are resource-safe. A sink runs its stream in a scope of its own;
// whatever the stream acquires ([AcquireRelease], [Stream.Ensuring]), and
// every fiber its concurrent operators start, belongs to that scope or to a
// narrower one ([Stream.FlatMap] and [Concat] give each inner stream its own
// scope, closed as soon as that stream ends). When the consumer stops, for
// whatever reason (the end, [Stream.Take], a break out of a range loop over
// [Stream.All], a failure, an interruption), the scope closes: every
// finalizer runs exactly once and every fiber has ended before the sink
// returns. The package starts no goroutine of its own beyond those fibers,
// except short-lived helpers that end with what they serve: the coroutine
// of [iter.Pull] behind [FromSeq] (stopped with the stream), a helper while
// a pull of [FromGoChannel] waits, and the timer of an [OnTimeout] case.
//
// All time comes from the time package, so the timed operators
// ([GroupedWithin], [Stream.Throttle], [Stream.Debounce], [Stream.Timeout],
// [OnTimeout], [RepeatEffect], [Stream.Retry]) run in virtual time inside a
// testing/synctest bubble, with exact timings.
//
// # Which one to use
//
//   - Use a [Channel] to hand work from producers to consumers that you run
//     yourself, go-go-scope style, and [MakeChannel] when its life should end
//     with a scope.
//   - Use a [Queue] when a full buffer should drop ([Dropping], [Sliding])
//     rather than wait, or when nothing should ever wait
//     ([NewUnboundedQueue]).
//   - Use a [PubSub] when every consumer must see every message (events,
//     invalidations, logs to several sinks); choose [BackPressure] if no
//     message may be lost, [Dropping] or [Sliding] if the publisher must never
//     wait for a slow subscriber.
//   - Use [Select] to wait on whichever of several channels is ready first,
//     or on a channel with a time limit.
//   - Use a [Stream] for a pipeline: a source, transformations, a sink, with
//     concurrency where it pays ([Stream.MapEffect] with a Limit, [Merge]) and
//     cleanup that cannot be forgotten. Connect a stream to a channel with
//     [FromChannel] and [Stream.IntoChannel], to plain Go with [Stream.All].
//
// Operators that return a Stream of a type built from A ([Grouped],
// [GroupedWithin], [Zip]) are package functions, because a Go 1.27 method
// cannot return Stream[R, E, []A]; every other operator is a method, and
// [Concat], [Merge] and [ZipWith] exist in both forms. The blocking methods
// of channels, queues and subscriptions are generic in R and E, which the
// caller names: ch.Send[any, error](v).
package stream
