package interop

import (
	"context"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/stream"
)

// Streams meet plain Go in both directions. Package stream itself has the
// sources and sinks that need no runtime of one's own: [stream.FromSeq] and
// [stream.FromSeq2] (iterators to streams), [stream.FromGoChannel] (a Go
// channel to a stream) and [stream.Stream.All] (a stream to an iter.Seq2
// for range loops, whose break stops the stream and runs its finalizers).
// StreamToChan completes the set: a stream to a Go channel.

// StreamToChan starts s on rt (a fresh runtime when rt is nil) and returns
// at once a channel that receives s's values in order and is closed when s
// ends, and a channel that then receives s's error (nil when s ended well)
// and is closed. The channel of values has a buffer of buf (zero or more);
// s is pulled only as fast as it is received from, buf values ahead, so a
// slow receiver slows s down.
//
// Cancelling ctx stops s, with [context.Cause] of ctx as the reason of the
// interruption: its finalizers run, then both channels are closed, the
// error being the interruption. A receiver that stops early must cancel ctx
// (or drain the channel): otherwise s waits on its next send, and its fiber
// lives until rt is shut down.
func StreamToChan[E, A any](ctx context.Context, s stream.Stream[any, E, A], buf int, rt *effect.Runtime) (<-chan A, <-chan error) {
	if buf < 0 {
		panic("interop.StreamToChan: buf must be >= 0")
	}
	if rt == nil {
		rt = effect.NewRuntime()
	}
	out := make(chan A, buf)
	errs := make(chan error, 1)
	run := s.ForEach(func(a A) effect.Effect[any, E, struct{}] { return Send[any, E](out, a) })
	finish := func(x effect.Exit[E, struct{}]) effect.Effect[any, E, struct{}] {
		return effect.Sync[any, E](func() struct{} {
			close(out)
			errs <- x.Err()
			close(errs)
			return struct{}{}
		})
	}
	rt.Start(ctx, effect.OnExit(Cancellable(ctx, run), finish), nil)
	return out, errs
}
