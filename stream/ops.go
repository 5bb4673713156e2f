package stream

import "github.com/gogoscope/gogoscope/effect"

// Map returns a stream of f applied to each element of s. f must not block;
// use [Stream.MapEffect] for effectful or slow work. Cost: one new chunk per
// chunk, no effect step per element.
func (s Stream[R, E, A]) Map[B any](f func(A) B) Stream[R, E, B] {
	return mapPull(s, func(p pull[R, E, A]) pull[R, E, B] {
		return effect.Map(p, func(c []A) []B {
			if len(c) == 0 {
				return nil
			}
			out := make([]B, len(c))
			for i, a := range c {
				out[i] = f(a)
			}
			return out
		})
	})
}

// Filter returns a stream of the elements of s for which keep is true.
func (s Stream[R, E, A]) Filter(keep func(A) bool) Stream[R, E, A] {
	return mapPull(s, func(p pull[R, E, A]) pull[R, E, A] {
		var loop pull[R, E, A]
		loop = effect.FlatMap(p, func(c []A) pull[R, E, A] {
			if len(c) == 0 {
				return ended[R, E, A]()
			}
			var out []A
			for _, a := range c {
				if keep(a) {
					if out == nil {
						out = make([]A, 0, len(c))
					}
					out = append(out, a)
				}
			}
			if out == nil {
				return loop
			}
			return effect.Succeed[R, E](out)
		})
		return loop
	})
}

// Take returns a stream of the first n elements of s. Once it has them, it
// pulls no more from s, and the sink's scope releases what s holds as soon
// as the sink ends.
func (s Stream[R, E, A]) Take(n int) Stream[R, E, A] {
	if n <= 0 {
		return Empty[R, E, A]()
	}
	return mapPull(s, func(p pull[R, E, A]) pull[R, E, A] {
		left := n
		taken := effect.Map(p, func(c []A) []A {
			if len(c) > left {
				c = c[:left:left]
			}
			left -= len(c)
			return c
		})
		return effect.Suspend(func() pull[R, E, A] {
			if left <= 0 {
				return ended[R, E, A]()
			}
			return taken
		})
	})
}

// TakeWhile returns a stream of the elements of s up to, not including, the
// first for which keep is false; it pulls no more from s after that one.
func (s Stream[R, E, A]) TakeWhile(keep func(A) bool) Stream[R, E, A] {
	return mapPull(s, func(p pull[R, E, A]) pull[R, E, A] {
		done := false
		taken := effect.Map(p, func(c []A) []A {
			for i, a := range c {
				if !keep(a) {
					done = true
					if i == 0 {
						return nil
					}
					return c[:i:i]
				}
			}
			return c
		})
		return effect.Suspend(func() pull[R, E, A] {
			if done {
				return ended[R, E, A]()
			}
			return taken
		})
	})
}

// Drop returns a stream of the elements of s after the first n.
func (s Stream[R, E, A]) Drop(n int) Stream[R, E, A] {
	return mapPull(s, func(p pull[R, E, A]) pull[R, E, A] {
		left := n
		var loop pull[R, E, A]
		loop = effect.FlatMap(p, func(c []A) pull[R, E, A] {
			if left > 0 && len(c) > 0 {
				k := min(left, len(c))
				left -= k
				if c = c[k:]; len(c) == 0 {
					return loop
				}
			}
			return effect.Succeed[R, E](c)
		})
		return loop
	})
}

// Scan returns a stream of the running results of f over the elements of s,
// starting with init itself: for elements a, b it emits init, f(init, a),
// f(f(init, a), b). It emits init even when s is empty.
func (s Stream[R, E, A]) Scan[S any](init S, f func(S, A) S) Stream[R, E, S] {
	return mapPull(s, func(p pull[R, E, A]) pull[R, E, S] {
		acc := init
		first := true
		scanned := effect.Map(p, func(c []A) []S {
			out := make([]S, 0, len(c)+1)
			if first {
				first = false
				out = append(out, acc)
			}
			for _, a := range c {
				acc = f(acc, a)
				out = append(out, acc)
			}
			if len(out) == 0 {
				return nil
			}
			return out
		})
		return scanned
	})
}

// Tap returns a stream that runs f on each element of s, in order, before
// emitting it unchanged. A failure of f fails the stream.
func (s Stream[R, E, A]) Tap[X any](f func(A) effect.Effect[R, E, X]) Stream[R, E, A] {
	return mapPull(s, func(p pull[R, E, A]) pull[R, E, A] {
		return eachElement(p, func(a A) effect.Effect[R, E, A] { return effect.As(f(a), a) })
	})
}

// eachElement returns a pull that runs f on the elements of p's chunks one
// at a time and emits each result as soon as it is ready, in a chunk of its
// own: an effectful step must not hold back a result until its whole chunk
// is done.
func eachElement[R, E, A, B any](p pull[R, E, A], f func(A) effect.Effect[R, E, B]) pull[R, E, B] {
	var (
		rest []A
		loop pull[R, E, B]
	)
	one := func(b B) []B { return []B{b} }
	loop = effect.Suspend(func() pull[R, E, B] {
		if len(rest) == 0 {
			return effect.FlatMap(p, func(c []A) pull[R, E, B] {
				if len(c) == 0 {
					return ended[R, E, B]()
				}
				rest = c
				return loop
			})
		}
		a := rest[0]
		rest = rest[1:]
		return effect.Map(f(a), one)
	})
	return loop
}

// FlatMap returns a stream that, for each element of s in order, emits every
// element of the stream f makes of it. Each inner stream runs in a scope of
// its own, closed (its resources released) as soon as it ends.
func (s Stream[R, E, A]) FlatMap[B any](f func(A) Stream[R, E, B]) Stream[R, E, B] {
	return mapPull(s, func(outer pull[R, E, A]) pull[R, E, B] {
		var (
			cur     *child[R, E, B]
			pending []A
			loop    pull[R, E, B]
		)
		loop = effect.Suspend(func() pull[R, E, B] {
			if cur != nil {
				in := *cur
				return effect.FlatMap(in.pull, func(c []B) pull[R, E, B] {
					if len(c) > 0 {
						return effect.Succeed[R, E](c)
					}
					cur = nil
					return effect.AndThen(closeChild(in), loop)
				})
			}
			if len(pending) > 0 {
				a := pending[0]
				pending = pending[1:]
				return effect.FlatMap(openChild(f(a)), func(c child[R, E, B]) pull[R, E, B] {
					cur = &c
					return loop
				})
			}
			return effect.FlatMap(outer, func(c []A) pull[R, E, B] {
				if len(c) == 0 {
					return ended[R, E, B]()
				}
				pending = c
				return loop
			})
		})
		return loop
	})
}

// Concat returns a stream of the elements of s followed by those of each of
// others, in order. Each stream runs in a scope of its own, closed as soon
// as it ends, before the next one is opened.
func (s Stream[R, E, A]) Concat(others ...Stream[R, E, A]) Stream[R, E, A] {
	return Concat(append([]Stream[R, E, A]{s}, others...)...)
}

// Concat returns a stream of the elements of each of streams, one stream
// after the other, as [Stream.Concat] does.
func Concat[R, E, A any](streams ...Stream[R, E, A]) Stream[R, E, A] {
	return fromPull(func() pull[R, E, A] {
		var (
			cur  *child[R, E, A]
			next int
			loop pull[R, E, A]
		)
		loop = effect.Suspend(func() pull[R, E, A] {
			if cur != nil {
				in := *cur
				return effect.FlatMap(in.pull, func(c []A) pull[R, E, A] {
					if len(c) > 0 {
						return effect.Succeed[R, E](c)
					}
					cur = nil
					return effect.AndThen(closeChild(in), loop)
				})
			}
			if next == len(streams) {
				return ended[R, E, A]()
			}
			s := streams[next]
			next++
			return effect.FlatMap(openChild(s), func(c child[R, E, A]) pull[R, E, A] {
				cur = &c
				return loop
			})
		})
		return loop
	})
}

// Ensuring returns a stream that runs fin once s has ended, whatever the
// reason (the end, a failure, the consumer stopping early, an
// interruption): fin is registered in the stream's scope when it opens, and
// runs, exactly once, when that scope closes.
func (s Stream[R, E, A]) Ensuring[X any](fin effect.Effect[R, E, X]) Stream[R, E, A] {
	return fromOpen(effect.AndThen(effect.AddFinalizer(func(error) effect.Effect[R, E, X] { return fin }), s.open))
}

// Catch returns a stream that emits the elements of s and, if s fails with
// an expected failure, continues with the stream handler makes of it.
// Defects and interruptions are not caught. s runs in a scope of its own,
// closed (its resources released) before the handler's stream starts.
func (s Stream[R, E, A]) Catch[E2 any](handler func(E) Stream[R, E2, A]) Stream[R, E2, A] {
	return fromPull(func() pull[R, E2, A] {
		var (
			first    *child[R, E, A]
			switched *pull[R, E2, A]
			loop     pull[R, E2, A]
		)
		switchTo := func(err E) pull[R, E2, A] {
			var closing effect.Effect[R, E2, struct{}] = effect.Unit[R, E2]()
			if first != nil {
				// The failed stream's finalizers run now; a failure among
				// them is a defect (CloseScope reports them so).
				closing = effect.Catch(closeChild(*first), func(E) effect.Effect[R, E2, struct{}] { return effect.Unit[R, E2]() })
			}
			return effect.AndThen(closing, effect.FlatMap(openChild(handler(err)), func(c child[R, E2, A]) pull[R, E2, A] {
				switched = &c.pull
				return loop
			}))
		}
		loop = effect.Suspend(func() pull[R, E2, A] {
			if switched != nil {
				return *switched
			}
			if first == nil {
				opened := effect.Map(openChild(s), func(c child[R, E, A]) struct{} {
					first = &c
					return struct{}{}
				})
				return effect.MatchEffect(opened, switchTo, func(struct{}) pull[R, E2, A] { return loop })
			}
			return effect.Catch(first.pull, switchTo)
		})
		return loop
	})
}

// OrElse returns a stream that emits the elements of s and, if s fails with
// an expected failure, continues with that.
func (s Stream[R, E, A]) OrElse[E2 any](that Stream[R, E2, A]) Stream[R, E2, A] {
	return s.Catch(func(E) Stream[R, E2, A] { return that })
}

// MapError returns a stream that fails with f of the failure of s.
func (s Stream[R, E, A]) MapError[E2 any](f func(E) E2) Stream[R, E2, A] {
	return fromOpen(effect.Map(effect.MapError(s.open, f), func(p pull[R, E, A]) pull[R, E2, A] {
		return effect.MapError(p, f)
	}))
}

// FilterMap returns a stream of f applied to each element of s, keeping the
// results for which f reports true: a Filter and a Map in one pass, for a
// conversion that may not apply (parsing, a type assertion, a lookup). f
// must not block; use [Stream.MapEffect] then [Stream.Filter] for effectful
// work. Cost: one new chunk per chunk that keeps something; chunks that
// keep nothing are skipped without an effect step of their own.
func (s Stream[R, E, A]) FilterMap[B any](f func(A) (B, bool)) Stream[R, E, B] {
	return FilterMap(s, f)
}

// FilterMap is the package-function form of [Stream.FilterMap].
func FilterMap[R, E, A, B any](s Stream[R, E, A], f func(A) (B, bool)) Stream[R, E, B] {
	if f == nil {
		panic("stream.FilterMap: f must not be nil")
	}
	return mapPull(s, func(p pull[R, E, A]) pull[R, E, B] {
		var loop pull[R, E, B]
		loop = effect.FlatMap(p, func(c []A) pull[R, E, B] {
			if len(c) == 0 {
				return ended[R, E, B]()
			}
			var out []B
			for _, a := range c {
				if b, ok := f(a); ok {
					if out == nil {
						out = make([]B, 0, len(c))
					}
					out = append(out, b)
				}
			}
			if out == nil {
				return loop
			}
			return effect.Succeed[R, E](out)
		})
		return loop
	})
}
