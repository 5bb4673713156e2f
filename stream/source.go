package stream

import (
	"iter"

	"github.com/gogoscope/gogoscope/effect"
)

// FromSeq returns a stream of the values of seq, a Go iterator, in order.
// The iterator is driven with [iter.Pull] on the fibers that pull the
// stream, in chunks of up to 1024 values, so it may run ahead of the
// consumer by up to one chunk; it is stopped (its deferred calls run) when
// the stream's scope closes. seq must not block for long: a blocked seq
// cannot be interrupted (use [FromGoChannel] or a [Channel] for sources that
// wait).
func FromSeq[R, E, A any](seq iter.Seq[A]) Stream[R, E, A] {
	type puller struct {
		next func() (A, bool)
		stop func()
		done bool
	}
	acquire := effect.Sync[R, E](func() *puller {
		next, stop := iter.Pull(seq)
		return &puller{next: next, stop: stop}
	})
	release := func(p *puller) effect.Effect[R, E, struct{}] {
		return effect.Sync[R, E](func() struct{} { p.stop(); return struct{}{} })
	}
	return fromOpen(effect.Map(effect.AcquireRelease(acquire, release), func(p *puller) pull[R, E, A] {
		return effect.Sync[R, E](func() []A {
			var out []A
			for !p.done && len(out) < maxChunk {
				a, ok := p.next()
				if !ok {
					p.done = true
					break
				}
				out = append(out, a)
			}
			return out
		})
	}))
}

// FromSeq2 returns a stream of the values of seq, a Go iterator of values
// and errors such as a scanner or a database cursor yields: it emits each
// value paired with a nil error, and fails with the first non-nil error (its
// value is dropped). It is driven as [FromSeq] is.
func FromSeq2[R, A any](seq iter.Seq2[A, error]) Stream[R, error, A] {
	type puller struct {
		next func() (A, error, bool)
		stop func()
		done bool
		err  error
	}
	acquire := effect.Sync[R, error](func() *puller {
		next, stop := iter.Pull2(seq)
		return &puller{next: next, stop: stop}
	})
	release := func(p *puller) effect.Effect[R, error, struct{}] {
		return effect.Sync[R, error](func() struct{} { p.stop(); return struct{}{} })
	}
	return fromOpen(effect.Map(effect.AcquireRelease(acquire, release), func(p *puller) pull[R, error, A] {
		return effect.Suspend(func() pull[R, error, A] {
			if p.err != nil {
				return effect.Fail[R, []A](p.err)
			}
			var out []A
			for !p.done && len(out) < maxChunk {
				a, err, ok := p.next()
				if !ok {
					p.done = true
					break
				}
				if err != nil {
					p.done, p.err = true, err
					break
				}
				out = append(out, a)
			}
			if out == nil && p.err != nil {
				return effect.Fail[R, []A](p.err)
			}
			return effect.Succeed[R, error](out)
		})
	}))
}

// FromGoChannel returns a stream of the values received from the Go
// channel ch until it is closed. Each pull takes what is ready at once (up
// to 1024 values) and waits only when nothing is; the wait is interruptible
// and loses no value (a value received as the interruption arrives is still
// emitted). The stream does not close ch.
func FromGoChannel[R, E, A any](ch <-chan A) Stream[R, E, A] {
	return fromPull(func() pull[R, E, A] {
		done := false
		drain := func(out []A) []A {
			for len(out) < maxChunk {
				select {
				case a, ok := <-ch:
					if !ok {
						done = true
						return out
					}
					out = append(out, a)
				default:
					return out
				}
			}
			return out
		}
		return effect.Suspend(func() pull[R, E, A] {
			if done {
				return ended[R, E, A]()
			}
			if out := drain(nil); len(out) > 0 || done {
				return effect.Succeed[R, E](out)
			}
			return effect.Map(recvGo[R, E](ch), func(r effect.Option[A]) []A {
				if !r.OK {
					done = true
					return nil
				}
				return drain([]A{r.Value})
			})
		})
	})
}

// recvGo returns an effect that waits for a value from ch, or None once ch
// is closed. The wait runs on a helper goroutine that ends with it; if the
// fiber is interrupted, the helper is stopped and awaited, and a value it
// had already received is returned rather than lost.
func recvGo[R, E, A any](ch <-chan A) effect.Effect[R, E, effect.Option[A]] {
	return effect.Suspend(func() effect.Effect[R, E, effect.Option[A]] {
		var (
			got       effect.Option[A]
			delivered bool
		)
		done, stop := make(chan struct{}), make(chan struct{})
		wait := effect.Async[R, E, struct{}](func(resume func(effect.Exit[E, struct{}])) func() {
			go func() {
				defer close(done)
				select {
				case got.Value, got.OK = <-ch:
					delivered = true
					resume(effect.Exit[E, struct{}]{})
				case <-stop:
				}
			}()
			return func() { close(stop); <-done }
		})
		return effect.Map(effect.CatchCause(wait, func(c effect.Cause[E]) effect.Effect[R, E, struct{}] {
			if c.IsInterruptedOnly() && delivered {
				return effect.Unit[R, E]()
			}
			return effect.FailCause[R, struct{}](c)
		}), func(struct{}) effect.Option[A] { return got })
	})
}

// fromCore returns a stream of what is received from c until it is closed
// and drained, in chunks of what is ready at each pull.
func fromCore[R, E, A any](c *core[A]) pull[R, E, A] {
	return recvUpTo[R, E](c, maxChunk)
}

// FromChannel returns a stream of the elements received from ch until it is
// closed and drained. Each pull receives what is ready at once (up to 1024
// elements), waiting only for the first. Other receivers of ch compete for
// its elements as usual.
func FromChannel[R, E, A any](ch *Channel[A]) Stream[R, E, A] {
	return fromOpen(effect.Succeed[R, E](fromCore[R, E](&ch.c)))
}

// FromQueue returns a stream of the elements taken from q until it is closed
// and drained, as [FromChannel] does for a channel.
func FromQueue[R, E, A any](q *Queue[A]) Stream[R, E, A] {
	return fromOpen(effect.Succeed[R, E](fromCore[R, E](&q.c)))
}

// FromSubscription returns a stream of the messages of sub until it ends
// (unsubscribed, or its PubSub closed) and is drained.
func FromSubscription[R, E, A any](sub *Subscription[A]) Stream[R, E, A] {
	return fromOpen(effect.Succeed[R, E](fromCore[R, E](&sub.c)))
}

// FromPubSub returns a stream of the messages published to p that filter
// accepts (all if filter is nil). Each run subscribes when it opens, so it
// sees only messages published from then on, and unsubscribes when its scope
// closes; it ends when p is closed (after the buffered messages).
func FromPubSub[R, E, A any](p *PubSub[A], filter func(A) bool) Stream[R, E, A] {
	return fromOpen(effect.Map(p.Subscribe[R, E](filter), func(s *Subscription[A]) pull[R, E, A] {
		return fromCore[R, E](&s.c)
	}))
}

// Unfold returns a stream that emits the values that f makes from a state,
// starting from init: f returns the next value, the next state, and false
// to end the stream. f must be pure and quick: it runs up to 1024 times
// ahead of the consumer, to fill a chunk.
func Unfold[R, E, S, A any](init S, f func(S) (A, S, bool)) Stream[R, E, A] {
	return fromPull(func() pull[R, E, A] {
		state, done := init, false
		return effect.Sync[R, E](func() []A {
			var out []A
			for !done && len(out) < maxChunk {
				a, next, ok := f(state)
				if !ok {
					done = true
					break
				}
				state = next
				out = append(out, a)
			}
			return out
		})
	})
}

// Iterate returns the endless stream init, f(init), f(f(init)), ...: a
// counter, a sequence of backoff delays, the states of a simulation. Take
// what you need with [Stream.Take] or [Stream.TakeWhile]. f must be pure and
// quick: it runs ahead of the consumer to fill a chunk, 16 values for the
// first and twice as many for each next one, up to 1024. It panics if f is
// nil.
func Iterate[R, E, A any](init A, f func(A) A) Stream[R, E, A] {
	if f == nil {
		panic("stream.Iterate: f must not be nil")
	}
	return fromPull(func() pull[R, E, A] {
		next, size := init, 16
		return effect.Sync[R, E](func() []A {
			out := make([]A, size)
			for i := range out {
				out[i] = next
				next = f(next)
			}
			size = min(2*size, maxChunk)
			return out
		})
	})
}

// Page is one page of a paginated source: its items, the state (a cursor, a
// page token, an offset) that fetches the next page, and whether there is
// one.
type Page[S, A any] struct {
	Items []A
	Next  S
	More  bool
}

// Paginate returns a stream of the items of the pages that fetch returns,
// starting from the state start: each page is fetched only when the
// consumer has used the previous one, so a consumer that stops early
// fetches no more pages. A page without items is skipped; the stream ends
// after the page with More false, and fails as soon as fetch fails.
func Paginate[R, E, S, A any](start S, fetch func(S) effect.Effect[R, E, Page[S, A]]) Stream[R, E, A] {
	return fromPull(func() pull[R, E, A] {
		state, done := start, false
		var loop pull[R, E, A]
		loop = effect.Suspend(func() pull[R, E, A] {
			if done {
				return ended[R, E, A]()
			}
			return effect.FlatMap(fetch(state), func(pg Page[S, A]) pull[R, E, A] {
				state, done = pg.Next, !pg.More
				if len(pg.Items) == 0 {
					return loop
				}
				return effect.Succeed[R, E](pg.Items)
			})
		})
		return loop
	})
}

// AcquireRelease returns a stream of one element: the resource that acquire
// opens (a file, a connection, a cursor), which release closes when the
// stream's scope closes, exactly once, whatever the reason. Both run
// uninterruptibly. Use it with [Stream.FlatMap] to make a stream that reads
// from the resource: the resource stays open until that stream ends.
func AcquireRelease[R, E, A, X any](acquire effect.Effect[R, E, A], release func(A) effect.Effect[R, E, X]) Stream[R, E, A] {
	return fromOpen(effect.Map(effect.AcquireRelease(acquire, release), func(a A) pull[R, E, A] {
		done := false
		return effect.Sync[R, E](func() []A {
			if done {
				return nil
			}
			done = true
			return []A{a}
		})
	}))
}
