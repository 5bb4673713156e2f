package stream

import (
	"fmt"
	"sync/atomic"

	"github.com/gogoscope/gogoscope/effect"
)

// The concurrent operators run their upstream on fibers forked in the
// consumer's current scope (the sink's scope, or the scope of the
// FlatMap/Concat child that runs them). Each producer fiber opens its
// upstream itself, so the upstream's resources belong to that fiber's own
// scope. When the consumer stops, its scope closes: every producer is
// interrupted and awaited, which closes their scopes and so releases
// everything upstream, exactly once, before the sink returns.

// Buffer returns a stream that runs s ahead of its consumer on a fiber of
// its own, keeping up to capacity elements ready: a fast producer is not
// held up by every pause of a slow consumer, yet is back-pressured once the
// buffer is full. A failure of s reaches the consumer after the elements
// buffered before it. The producer fiber ends when s ends or when the
// consumer stops (its scope interrupts and awaits it, releasing what s
// holds). It panics if capacity is not positive.
func (s Stream[R, E, A]) Buffer(capacity int) Stream[R, E, A] {
	if capacity <= 0 {
		panic(fmt.Sprintf("stream.Buffer: capacity must be > 0, got %d", capacity))
	}
	return s.bufferWith(func() *Queue[A] { return NewQueue[A](capacity, BackPressure) }, maxChunk)
}

// bufferWith runs s on a producer fiber that offers its elements to the
// queue that mk makes, and returns the consumer's side, which takes up to
// take elements per pull.
func (s Stream[R, E, A]) bufferWith(mk func() *Queue[A], take int) Stream[R, E, A] {
	return withProducer(s, mk, func(q *Queue[A], done *effect.Deferred[E, struct{}]) pull[R, E, A] {
		return effect.FlatMap(q.TakeUpTo[R, E](take), func(c []A) pull[R, E, A] {
			if len(c) > 0 {
				return effect.Succeed[R, E](c)
			}
			return endAs[R, E, A](done)
		})
	})
}

// withProducer returns a stream that, when opened, forks a fiber that runs s
// and offers its elements to the queue that mk makes, closing the queue when
// s ends and recording how it ended in done; the stream's pull is what
// consume makes of the queue and done.
func withProducer[R, E, A, B any](s Stream[R, E, A], mk func() *Queue[A], consume func(*Queue[A], *effect.Deferred[E, struct{}]) pull[R, E, B]) Stream[R, E, B] {
	return fromOpen(effect.Suspend(func() effect.Effect[R, E, pull[R, E, B]] {
		q := mk()
		done := effect.NewDeferred[E, struct{}]()
		produce := effect.OnExit(effect.FlatMap(s.open, func(p pull[R, E, A]) effect.Effect[R, E, struct{}] {
			var loop effect.Effect[R, E, struct{}]
			loop = effect.FlatMap(p, func(c []A) effect.Effect[R, E, struct{}] {
				if len(c) == 0 {
					return effect.Unit[R, E]()
				}
				return effect.AndThen(q.OfferAll[R, E](c), loop)
			})
			return loop
		}), func(ex effect.Exit[E, struct{}]) effect.Effect[R, E, struct{}] {
			return effect.Sync[R, E](func() struct{} {
				done.Complete(ex)
				q.Close()
				return struct{}{}
			})
		})
		return effect.As(effect.Fork(produce), consume(q, done))
	}))
}

// endAs returns the pull result once a producer has ended with the exit
// in d: the end of the stream, or the producer's failure.
func endAs[R, E, A any](d *effect.Deferred[E, struct{}]) pull[R, E, A] {
	ex, _ := d.Poll()
	if ex.IsFailure() {
		return effect.FailCause[R, []A](ex.Cause())
	}
	return ended[R, E, A]()
}

// Merge returns a stream of the elements of streams, all run at once, each
// on a fiber of its own, emitted as they come: the order within each stream
// is kept, the interleaving between streams is not determined. It ends when
// every stream has ended, and fails as soon as one fails (the others are
// then stopped). Each producer may run one chunk ahead of the consumer. A
// producer fiber ends when its stream ends; all of them have ended, and
// released what their streams hold, when the sink returns.
func Merge[R, E, A any](streams ...Stream[R, E, A]) Stream[R, E, A] {
	if len(streams) == 0 {
		return Empty[R, E, A]()
	}
	return fromOpen(effect.Suspend(func() effect.Effect[R, E, pull[R, E, A]] {
		q := NewQueue[[]A](len(streams), BackPressure)
		failed := effect.NewDeferred[E, struct{}]()
		var left atomic.Int64
		left.Store(int64(len(streams)))
		produce := func(s Stream[R, E, A]) effect.Effect[R, E, struct{}] {
			run := effect.FlatMap(s.open, func(p pull[R, E, A]) effect.Effect[R, E, struct{}] {
				var loop effect.Effect[R, E, struct{}]
				loop = effect.FlatMap(p, func(c []A) effect.Effect[R, E, struct{}] {
					if len(c) == 0 {
						return effect.Unit[R, E]()
					}
					return effect.AndThen(q.Offer[R, E](c), loop)
				})
				return loop
			})
			return effect.OnExit(run, func(ex effect.Exit[E, struct{}]) effect.Effect[R, E, struct{}] {
				return effect.Sync[R, E](func() struct{} {
					if ex.IsFailure() {
						failed.Complete(ex)
						q.Close()
					} else if left.Add(-1) == 0 {
						q.Close()
					}
					return struct{}{}
				})
			})
		}
		forks := make([]effect.Effect[R, E, struct{}], len(streams))
		for i, s := range streams {
			forks[i] = effect.Void(effect.Fork(produce(s)))
		}
		consume := effect.Suspend(func() pull[R, E, A] {
			if _, ok := failed.Poll(); ok {
				return endAs[R, E, A](failed)
			}
			return effect.FlatMap(q.Take[R, E](), func(c effect.Option[[]A]) pull[R, E, A] {
				if c.OK {
					return effect.Succeed[R, E](c.Value)
				}
				return endAs[R, E, A](failed)
			})
		})
		return effect.As(effect.ForEach(forks, func(e effect.Effect[R, E, struct{}]) effect.Effect[R, E, struct{}] { return e }), consume)
	}))
}

// Merge is the method form of [Merge]: s merged with others.
func (s Stream[R, E, A]) Merge(others ...Stream[R, E, A]) Stream[R, E, A] {
	return Merge(append([]Stream[R, E, A]{s}, others...)...)
}

// Par configures the concurrency of [Stream.MapEffect].
type Par struct {
	// Limit is the most elements in progress at once; 1 or less means one
	// at a time, in order, on the consumer's fiber.
	Limit int
	// Unordered emits results as they complete instead of in input order:
	// a slow element then does not hold back the faster ones behind it.
	Unordered bool
}

// MapEffect returns a stream of the values of the effects f makes of the
// elements of s. By default one element is processed at a time, on the
// consumer's fiber, and each result is emitted as soon as it is ready. With opts (at most one) and a Limit above 1, up to
// Limit elements are processed at once, each on a fiber of its own, and
// results are emitted in input order, or as they complete with Unordered.
// Elements in progress or done but not yet consumed never exceed Limit, so
// a slow consumer back-pressures the work. The first failure fails the
// stream (in order, at its position) and stops the work in progress. Every
// fiber has ended when the sink returns.
func (s Stream[R, E, A]) MapEffect[B any](f func(A) effect.Effect[R, E, B], opts ...Par) Stream[R, E, B] {
	var o Par
	if len(opts) > 1 {
		panic(fmt.Sprintf("stream.MapEffect: at most one Par, got %d", len(opts)))
	} else if len(opts) == 1 {
		o = opts[0]
	}
	if o.Limit <= 1 {
		return mapPull(s, func(p pull[R, E, A]) pull[R, E, B] { return eachElement(p, f) })
	}
	return mapEffectPar(s, f, o)
}

func mapEffectPar[R, E, A, B any](s Stream[R, E, A], f func(A) effect.Effect[R, E, B], o Par) Stream[R, E, B] {
	type result = *effect.Deferred[E, B]
	return fromOpen(effect.FlatMap(effect.CurrentScope[R, E](), func(scope *effect.Scope) effect.Effect[R, E, pull[R, E, B]] {
		return effect.Suspend(func() effect.Effect[R, E, pull[R, E, B]] {
			// tokens bounds the elements in progress or done but not yet
			// consumed: the feeder takes one per element, the consumer gives
			// it back when it emits the element's result.
			tokens := NewQueue[struct{}](o.Limit, BackPressure)
			results := NewUnboundedQueue[result]()
			fed := effect.NewDeferred[E, struct{}]()
			var running atomic.Int64
			running.Store(1) // the feeder
			finishOne := func() {
				if running.Add(-1) == 0 {
					results.Close()
				}
			}
			work := func(a A, d result) effect.Effect[R, E, struct{}] {
				body := effect.Suspend(func() effect.Effect[R, E, B] { return f(a) })
				return effect.Void(effect.OnExit(body, func(ex effect.Exit[E, B]) effect.Effect[R, E, struct{}] {
					return effect.Sync[R, E](func() struct{} {
						d.Complete(ex)
						if o.Unordered {
							results.TryOffer(d)
							finishOne()
						}
						return struct{}{}
					})
				}))
			}
			feedOne := func(a A) effect.Effect[R, E, struct{}] {
				return effect.FlatMap(tokens.Offer[R, E](struct{}{}), func(bool) effect.Effect[R, E, struct{}] {
					d := effect.NewDeferred[E, B]()
					if o.Unordered {
						running.Add(1)
					} else {
						results.TryOffer(d)
					}
					return effect.Void(effect.ForkIn(scope, work(a, d)))
				})
			}
			feed := effect.OnExit(effect.FlatMap(s.open, func(p pull[R, E, A]) effect.Effect[R, E, struct{}] {
				var loop effect.Effect[R, E, struct{}]
				loop = effect.FlatMap(p, func(c []A) effect.Effect[R, E, struct{}] {
					if len(c) == 0 {
						return effect.Unit[R, E]()
					}
					return effect.AndThen(effect.ForEach(c, feedOne), loop)
				})
				return loop
			}), func(ex effect.Exit[E, struct{}]) effect.Effect[R, E, struct{}] {
				return effect.Sync[R, E](func() struct{} {
					fed.Complete(ex)
					finishOne()
					return struct{}{}
				})
			})
			// The consumer awaits the oldest result, then emits it with the
			// results behind it that are already done, so one slow element
			// holds back only those behind it.
			var (
				waiting []result
				consume pull[R, E, B]
			)
			emit := func(first B) pull[R, E, B] {
				out := []B{first}
				waiting = waiting[1:]
				for len(waiting) > 0 {
					ex, done := waiting[0].Poll()
					if !done || ex.IsFailure() {
						break
					}
					b, _ := ex.Value()
					out = append(out, b)
					waiting = waiting[1:]
				}
				for range out {
					tokens.TryTake()
				}
				return effect.Succeed[R, E](out)
			}
			consume = effect.Suspend(func() pull[R, E, B] {
				if len(waiting) > 0 {
					return effect.FlatMap(waiting[0].Await[R](), emit)
				}
				return effect.FlatMap(results.TakeUpTo[R, E](o.Limit), func(ds []result) pull[R, E, B] {
					if len(ds) == 0 {
						return endAs[R, E, B](fed)
					}
					waiting = ds
					return consume
				})
			})
			return effect.As(effect.Fork(feed), consume)
		})
	}))
}
