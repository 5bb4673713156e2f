package stream

import "github.com/gogoscope/gogoscope/effect"

// Stream is a lazy, pull-based, chunked sequence of values of type A that
// needs an environment R and may fail with an error E: the streaming
// counterpart of [effect.Effect]. Nothing happens until a sink (such as
// [Stream.Collect], [Stream.ForEach] or [Stream.All]) runs it; running it
// twice runs it twice, from the start.
//
// A running stream is pulled: the sink asks for the next chunk, each
// operator asks its upstream, and the source produces a chunk only then.
// So a slow consumer slows the producer down (back-pressure) without any
// buffer growing, and a consumer that stops early stops the pulling at once.
// Values travel in chunks (slices of up to 1024 values from the sources of
// this package), so that the cost of the effect machinery is paid per chunk,
// not per value; chunks are never modified once emitted.
//
// Resources are safe: a sink runs the stream in a scope of its own, and
// every resource a stream acquires ([AcquireRelease], [Stream.Ensuring], the
// fibers of concurrent operators such as [Merge] or [Stream.Buffer]) belongs
// to that scope or to a narrower one. When the consumer stops, for whatever
// reason (the end, [Stream.Take], a break out of a range loop over
// [Stream.All], a failure, an interruption), the scope closes: every
// finalizer runs exactly once and every fiber the stream started has ended
// before the sink returns.
//
// Operators that return a Stream of a type built from A ([Grouped],
// [GroupedWithin], [Zip]) are package functions: a Go 1.27 method cannot
// return Stream[R, E, []A]. The zero Stream is empty.
type Stream[R, E, A any] struct {
	// open acquires what the stream needs in the current scope and succeeds
	// with its pull: an effect that, each time it runs, succeeds with the
	// next chunk, never empty, or with an empty chunk once the stream has
	// ended (and again at every later pull).
	open effect.Effect[R, E, effect.Effect[R, E, []A]]
}

// maxChunk is the size of the chunks that sources cut.
const maxChunk = 1024

// pull is the effect that yields a stream's next chunk.
type pull[R, E, A any] = effect.Effect[R, E, []A]

func fromOpen[R, E, A any](open effect.Effect[R, E, pull[R, E, A]]) Stream[R, E, A] {
	return Stream[R, E, A]{open: open}
}

// fromPull returns a stream whose pull is made afresh, by mk, each time the
// stream is opened: mk is where per-run state lives.
func fromPull[R, E, A any](mk func() pull[R, E, A]) Stream[R, E, A] {
	return fromOpen(effect.Sync[R, E](mk))
}

// ended is the pull result that marks the end of a stream.
func ended[R, E, A any]() pull[R, E, A] { return effect.Succeed[R, E, []A](nil) }

// mapPull returns a stream that opens s and transforms its pull with f,
// once per run.
func mapPull[R, E, A, B any](s Stream[R, E, A], f func(pull[R, E, A]) pull[R, E, B]) Stream[R, E, B] {
	return fromOpen(effect.Map(s.open, f))
}

// Empty returns a stream that ends at once.
func Empty[R, E, A any]() Stream[R, E, A] { return Stream[R, E, A]{} }

// Of returns a stream of the given values, in order.
func Of[R, E, A any](values ...A) Stream[R, E, A] { return FromSlice[R, E](values) }

// FromSlice returns a stream of the elements of xs, in order, in chunks of
// up to 1024 elements. The chunks are subslices of xs, not copies: xs must
// not be modified while the stream runs.
func FromSlice[R, E, A any](xs []A) Stream[R, E, A] {
	return fromPull(func() pull[R, E, A] {
		rest := xs
		return effect.Sync[R, E](func() []A {
			k := min(len(rest), maxChunk)
			c := rest[:k:k]
			rest = rest[k:]
			if k == 0 {
				return nil
			}
			return c
		})
	})
}

// Range returns a stream of the integers from start up to, but not
// including, end.
func Range[R, E any](start, end int) Stream[R, E, int] {
	return fromPull(func() pull[R, E, int] {
		next := start
		return effect.Sync[R, E](func() []int {
			k := min(end-next, maxChunk)
			if k <= 0 {
				return nil
			}
			c := make([]int, k)
			for i := range c {
				c[i] = next + i
			}
			next += k
			return c
		})
	})
}

// FromEffect returns a stream that runs e and emits its value, or fails as
// e does.
func FromEffect[R, E, A any](e effect.Effect[R, E, A]) Stream[R, E, A] {
	return fromPull(func() pull[R, E, A] {
		done := false
		return effect.Suspend(func() pull[R, E, A] {
			if done {
				return ended[R, E, A]()
			}
			done = true
			return effect.Map(e, func(a A) []A { return []A{a} })
		})
	})
}

// Fail returns a stream that fails with err when pulled.
func Fail[R, A, E any](err E) Stream[R, E, A] {
	return fromOpen(effect.Succeed[R, E](effect.Fail[R, []A](err)))
}

// Unwrap returns a stream that runs e and then continues as the stream it
// succeeds with: for streams whose making needs an effect.
func Unwrap[R, E, A any](e effect.Effect[R, E, Stream[R, E, A]]) Stream[R, E, A] {
	return fromOpen(effect.FlatMap(e, func(s Stream[R, E, A]) effect.Effect[R, E, pull[R, E, A]] { return s.open }))
}

// child is a stream opened in a scope of its own, which the owner closes
// once the stream has ended, releasing its resources then rather than when
// the whole pipeline ends.
type child[R, E, A any] struct {
	pull  pull[R, E, A]
	scope *effect.Scope
}

// openChild opens s in a new scope, a child of the current one (so closing
// the current scope closes it too, if the owner did not).
func openChild[R, E, A any](s Stream[R, E, A]) effect.Effect[R, E, child[R, E, A]] {
	return effect.FlatMap(effect.MakeScope[R, E](), func(sc *effect.Scope) effect.Effect[R, E, child[R, E, A]] {
		return effect.Map(effect.Extend(sc, s.open), func(p pull[R, E, A]) child[R, E, A] {
			return child[R, E, A]{pull: effect.Extend(sc, p), scope: sc}
		})
	})
}

// closeChild closes a child's scope, running its finalizers.
func closeChild[R, E, A any](c child[R, E, A]) effect.Effect[R, E, struct{}] {
	return effect.CloseScope[R, E](c.scope)
}
