package stream

import (
	"fmt"

	"github.com/gogoscope/gogoscope/effect"
)

// Grouped returns a stream of the elements of s in groups of n, in order;
// the last group holds what is left and may be shorter. It is a package
// function: a method cannot return Stream[R, E, []A]. It panics if n is not
// positive.
func Grouped[R, E, A any](s Stream[R, E, A], n int) Stream[R, E, []A] {
	if n <= 0 {
		panic(fmt.Sprintf("stream.Grouped: n must be > 0, got %d", n))
	}
	return mapPull(s, func(p pull[R, E, A]) pull[R, E, []A] {
		var (
			buf  []A
			done bool
			loop pull[R, E, []A]
		)
		cut := func() [][]A {
			var out [][]A
			for len(buf) >= n || (done && len(buf) > 0) {
				k := min(n, len(buf))
				out = append(out, buf[:k:k])
				buf = buf[k:]
			}
			return out
		}
		loop = effect.Suspend(func() pull[R, E, []A] {
			if done {
				return effect.Succeed[R, E](cut())
			}
			return effect.FlatMap(p, func(c []A) pull[R, E, []A] {
				if len(c) == 0 {
					done = true
				} else {
					// Copy: a group must not alias an upstream chunk that
					// buf keeps growing past.
					buf = append(buf[:len(buf):len(buf)], c...)
				}
				if out := cut(); len(out) > 0 || done {
					return effect.Succeed[R, E](out)
				}
				return loop
			})
		})
		return loop
	})
}

// Zip returns a stream of the pairs of elements of a and b at the same
// positions; it ends with the shorter of the two. a and b are pulled in
// turn, on the consumer's fiber. It is a package function: a method cannot
// return Stream[R, E, Pair[A, B]]. See [Stream.ZipWith].
func Zip[R, E, A, B any](a Stream[R, E, A], b Stream[R, E, B]) Stream[R, E, effect.Pair[A, B]] {
	return ZipWith(a, b, func(x A, y B) effect.Pair[A, B] { return effect.Pair[A, B]{First: x, Second: y} })
}

// ZipWith returns a stream of f applied to the elements of a and b at the
// same positions; it ends with the shorter of the two.
func ZipWith[R, E, A, B, C any](a Stream[R, E, A], b Stream[R, E, B], f func(A, B) C) Stream[R, E, C] {
	return fromOpen(effect.FlatMap(a.open, func(pa pull[R, E, A]) effect.Effect[R, E, pull[R, E, C]] {
		return effect.Map(b.open, func(pb pull[R, E, B]) pull[R, E, C] {
			var (
				la   []A
				lb   []B
				done bool
				loop pull[R, E, C]
			)
			loop = effect.Suspend(func() pull[R, E, C] {
				switch {
				case done:
					return ended[R, E, C]()
				case len(la) == 0:
					return effect.FlatMap(pa, func(c []A) pull[R, E, C] {
						la, done = c, len(c) == 0
						return loop
					})
				case len(lb) == 0:
					return effect.FlatMap(pb, func(c []B) pull[R, E, C] {
						lb, done = c, len(c) == 0
						return loop
					})
				}
				k := min(len(la), len(lb))
				out := make([]C, k)
				for i := range out {
					out[i] = f(la[i], lb[i])
				}
				la, lb = la[k:], lb[k:]
				return effect.Succeed[R, E](out)
			})
			return loop
		})
	}))
}

// ZipWith is the method form of [ZipWith].
func (s Stream[R, E, A]) ZipWith[B, C any](that Stream[R, E, B], f func(A, B) C) Stream[R, E, C] {
	return ZipWith(s, that, f)
}
