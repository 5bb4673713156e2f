package stream

import (
	"fmt"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// The time-based operators take all time from the time package, so inside
// a testing/synctest bubble their timings are virtual and exact.

// GroupedWithin returns a stream of the elements of s in groups, each
// emitted as soon as it holds n elements or d has passed since its first
// element arrived, whichever comes first; a group is never empty. s runs
// ahead on a fiber of its own, buffering up to n elements; that fiber has
// ended when the sink returns. When s ends, the
// group in progress is emitted at once; when s fails, the group in progress
// is emitted and then the stream fails. It is a package function: a method
// cannot return Stream[R, E, []A]. It panics if n or d is not positive.
func GroupedWithin[R, E, A any](s Stream[R, E, A], n int, d time.Duration) Stream[R, E, []A] {
	if n <= 0 || d <= 0 {
		panic(fmt.Sprintf("stream.GroupedWithin: n and d must be > 0, got %d and %v", n, d))
	}
	mk := func() *Queue[A] { return NewQueue[A](n, BackPressure) }
	return withProducer(s, mk, func(q *Queue[A], done *effect.Deferred[E, struct{}]) pull[R, E, []A] {
		var (
			group    []A
			deadline time.Time
			finished bool
			fill     pull[R, E, []A]
		)
		emit := func() pull[R, E, []A] {
			g := group
			group = nil
			return effect.Succeed[R, E]([][]A{g})
		}
		fill = effect.Suspend(func() pull[R, E, []A] {
			left := time.Until(deadline)
			if len(group) >= n || left <= 0 {
				return emit()
			}
			return Select(
				onReceiveUpTo(&q.c, n-len(group), func(c []A, ok bool) pull[R, E, []A] {
					if !ok {
						finished = true
						return emit()
					}
					group = append(group, c...)
					return fill
				}),
				OnTimeout(left, emit),
			)
		})
		return effect.Suspend(func() pull[R, E, []A] {
			if finished {
				return endAs[R, E, []A](done)
			}
			return effect.FlatMap(q.TakeUpTo[R, E](n), func(c []A) pull[R, E, []A] {
				if len(c) == 0 {
					finished = true
					return endAs[R, E, []A](done)
				}
				group, deadline = c, time.Now().Add(d)
				return fill
			})
		})
	})
}

// Throttle returns a stream that emits the elements of s at most elements
// per period per, shaping rather than dropping: a token bucket holds up to
// elements tokens, starts full, and gains one token every per/elements;
// each element takes a token, waiting for one when the bucket is empty.
// So up to elements pass at once after a pause (a burst), and then one
// every per/elements. The waiting holds back the pulling from s
// (back-pressure). It panics if elements or per is not positive.
func (s Stream[R, E, A]) Throttle(elements int, per time.Duration) Stream[R, E, A] {
	if elements <= 0 || per <= 0 {
		panic(fmt.Sprintf("stream.Throttle: elements and per must be > 0, got %d and %v", elements, per))
	}
	interval := max(per/time.Duration(elements), 1)
	return mapPull(s, func(p pull[R, E, A]) pull[R, E, A] {
		var (
			pending []A
			tokens  = elements
			last    time.Time
			loop    pull[R, E, A]
		)
		loop = effect.Suspend(func() pull[R, E, A] {
			if len(pending) == 0 {
				return effect.FlatMap(p, func(c []A) pull[R, E, A] {
					if len(c) == 0 {
						return ended[R, E, A]()
					}
					pending = c
					return loop
				})
			}
			now := time.Now()
			if last.IsZero() {
				last = now
			}
			if k := int(now.Sub(last) / interval); k > 0 {
				tokens = min(elements, tokens+k)
				last = last.Add(time.Duration(k) * interval)
				if tokens == elements {
					last = now
				}
			}
			if tokens > 0 {
				m := min(tokens, len(pending))
				out := pending[:m:m]
				pending = pending[m:]
				tokens -= m
				return effect.Succeed[R, E](out)
			}
			return effect.AndThen(effect.Sleep[R, E](last.Add(interval).Sub(now)), loop)
		})
		return loop
	})
}

// Debounce returns a stream that emits an element of s only once d has
// passed without a newer one: of a burst of elements closer together than
// d, only the last is emitted, d after it arrived. s runs on a fiber of its
// own, which never waits for the consumer (only the newest element is
// kept) and has ended when the sink returns. When s ends or fails, the element still waiting is emitted at
// once, before the end or the failure. It panics if d is not positive.
func (s Stream[R, E, A]) Debounce(d time.Duration) Stream[R, E, A] {
	if d <= 0 {
		panic(fmt.Sprintf("stream.Debounce: d must be > 0, got %v", d))
	}
	mk := func() *Queue[A] { return NewQueue[A](1, Sliding) }
	return withProducer(s, mk, func(q *Queue[A], done *effect.Deferred[E, struct{}]) pull[R, E, A] {
		var (
			cur      A
			finished bool
			wait     pull[R, E, A]
		)
		emit := func() pull[R, E, A] { return effect.Succeed[R, E]([]A{cur}) }
		wait = effect.Suspend(func() pull[R, E, A] {
			return Select(
				OnReceive(q, func(a A, ok bool) pull[R, E, A] {
					if !ok {
						finished = true
						return emit()
					}
					cur = a
					return wait
				}),
				OnTimeout(d, emit),
			)
		})
		return effect.Suspend(func() pull[R, E, A] {
			if finished {
				return endAs[R, E, A](done)
			}
			return effect.FlatMap(q.Take[R, E](), func(o effect.Option[A]) pull[R, E, A] {
				if !o.OK {
					finished = true
					return endAs[R, E, A](done)
				}
				cur = o.Value
				return wait
			})
		})
	})
}

// Timeout returns a stream that emits the elements of s and ends quietly if
// s takes longer than d to produce its next chunk (d is measured from each
// pull); s is then stopped. The pull runs on a child fiber, which is
// interrupted when the time is up. See [Stream.TimeoutFail] to fail instead.
func (s Stream[R, E, A]) Timeout(d time.Duration) Stream[R, E, A] {
	return s.timeout(d, ended[R, E, A]())
}

// TimeoutFail returns a stream that emits the elements of s and fails with
// err if s takes longer than d to produce its next chunk, as
// [Stream.Timeout] does.
func (s Stream[R, E, A]) TimeoutFail(d time.Duration, err E) Stream[R, E, A] {
	return s.timeout(d, effect.Fail[R, []A](err))
}

func (s Stream[R, E, A]) timeout(d time.Duration, onTimeout pull[R, E, A]) Stream[R, E, A] {
	return fromOpen(effect.FlatMap(effect.CurrentScope[R, E](), func(scope *effect.Scope) effect.Effect[R, E, pull[R, E, A]] {
		return effect.Map(s.open, func(p pull[R, E, A]) pull[R, E, A] {
			// The pull runs on Timeout's child fiber, but what it forks and
			// acquires must outlive that fiber: it belongs to the stream's
			// scope.
			timed := effect.TimeoutOption(effect.Extend(scope, p), d)
			expired := false
			return effect.Suspend(func() pull[R, E, A] {
				if expired {
					return onTimeout
				}
				return effect.FlatMap(timed, func(o effect.Option[[]A]) pull[R, E, A] {
					if !o.OK {
						expired = true
						return onTimeout
					}
					return effect.Succeed[R, E](o.Value)
				})
			})
		})
	}))
}
