package stream

import (
	"context"
	"iter"

	"github.com/gogoscope/gogoscope/effect"
)

// runChunks returns the effect that every sink is: it opens s in a new
// scope, feeds each chunk to step until step reports false or s ends, then
// closes the scope (releasing everything s acquired, stopping every fiber it
// started) and succeeds with result().
func runChunks[R, E, A, S any](s Stream[R, E, A], step func([]A) effect.Effect[R, E, bool], result func() S) effect.Effect[R, E, S] {
	return effect.Scoped(effect.FlatMap(s.open, func(p pull[R, E, A]) effect.Effect[R, E, S] {
		done := effect.Sync[R, E](result)
		var loop effect.Effect[R, E, S]
		loop = effect.FlatMap(p, func(c []A) effect.Effect[R, E, S] {
			if len(c) == 0 {
				return done
			}
			return effect.FlatMap(step(c), func(more bool) effect.Effect[R, E, S] {
				if more {
					return loop
				}
				return done
			})
		})
		return loop
	}))
}

// foldChunks is runChunks for a pure step.
func foldChunks[R, E, A, S any](s Stream[R, E, A], step func([]A) bool, result func() S) effect.Effect[R, E, S] {
	return runChunks(s, func(c []A) effect.Effect[R, E, bool] { return effect.Succeed[R, E](step(c)) }, result)
}

// Collect returns an effect that runs s and succeeds with all its elements,
// in order. Memory grows with the stream: use it on finite, modest streams.
func (s Stream[R, E, A]) Collect() effect.Effect[R, E, []A] {
	return effect.Suspend(func() effect.Effect[R, E, []A] {
		var out []A
		return foldChunks(s, func(c []A) bool { out = append(out, c...); return true }, func() []A { return out })
	})
}

// ForEach returns an effect that runs s and f on each element, in order. A
// failure of f stops the stream (its resources are released) and fails the
// effect.
func (s Stream[R, E, A]) ForEach[X any](f func(A) effect.Effect[R, E, X]) effect.Effect[R, E, struct{}] {
	return runChunks(s, func(c []A) effect.Effect[R, E, bool] {
		return effect.As(effect.ForEach(c, f), true)
	}, func() struct{} { return struct{}{} })
}

// Fold returns an effect that runs s and succeeds with f folded over its
// elements from init: f(f(init, a), b) for elements a, b.
func (s Stream[R, E, A]) Fold[S any](init S, f func(S, A) S) effect.Effect[R, E, S] {
	return effect.Suspend(func() effect.Effect[R, E, S] {
		acc := init
		return foldChunks(s, func(c []A) bool {
			for _, a := range c {
				acc = f(acc, a)
			}
			return true
		}, func() S { return acc })
	})
}

// Reduce returns an effect that runs s and succeeds with f folded over its
// elements from the first one, or with None if s is empty.
func (s Stream[R, E, A]) Reduce(f func(A, A) A) effect.Effect[R, E, effect.Option[A]] {
	return effect.Suspend(func() effect.Effect[R, E, effect.Option[A]] {
		var acc effect.Option[A]
		return foldChunks(s, func(c []A) bool {
			for _, a := range c {
				if acc.OK {
					acc.Value = f(acc.Value, a)
				} else {
					acc = effect.Some(a)
				}
			}
			return true
		}, func() effect.Option[A] { return acc })
	})
}

// Count returns an effect that runs s and succeeds with its number of
// elements.
func (s Stream[R, E, A]) Count() effect.Effect[R, E, int] {
	return effect.Suspend(func() effect.Effect[R, E, int] {
		n := 0
		return foldChunks(s, func(c []A) bool { n += len(c); return true }, func() int { return n })
	})
}

// First returns an effect that runs s until its first element and succeeds
// with it, or with None if s is empty. It stops s right after the first
// element, releasing its resources.
func (s Stream[R, E, A]) First() effect.Effect[R, E, effect.Option[A]] {
	return effect.Suspend(func() effect.Effect[R, E, effect.Option[A]] {
		var first effect.Option[A]
		return foldChunks(s, func(c []A) bool { first = effect.Some(c[0]); return false },
			func() effect.Option[A] { return first })
	})
}

// Last returns an effect that runs s to its end and succeeds with its last
// element, or with None if s is empty.
func (s Stream[R, E, A]) Last() effect.Effect[R, E, effect.Option[A]] {
	return effect.Suspend(func() effect.Effect[R, E, effect.Option[A]] {
		var last effect.Option[A]
		return foldChunks(s, func(c []A) bool { last = effect.Some(c[len(c)-1]); return true },
			func() effect.Option[A] { return last })
	})
}

// Drain returns an effect that runs s to its end and discards its elements:
// for streams run for their effects.
func (s Stream[R, E, A]) Drain() effect.Effect[R, E, struct{}] {
	return foldChunks(s, func([]A) bool { return true }, func() struct{} { return struct{}{} })
}

// IntoChannel returns an effect that runs s and sends its elements to ch, in
// order, waiting for room as ch requires (back-pressure), and closes ch once
// s has ended, whatever the reason, so that the channel's receivers finish
// as a range over a Go channel does when its sender closes it. If ch is
// closed by someone else, s is stopped and the effect succeeds. Elements go
// through ch in chunks ([Channel.SendAll]).
func (s Stream[R, E, A]) IntoChannel(ch *Channel[A]) effect.Effect[R, E, struct{}] {
	send := runChunks(s, func(c []A) effect.Effect[R, E, bool] {
		return effect.Map(ch.SendAll[R, E](c), func(n int) bool { return n == len(c) })
	}, func() struct{} { return struct{}{} })
	return effect.Ensuring(send, effect.Sync[R, E](func() struct{} { ch.Close(); return struct{}{} }))
}

// All returns an iterator, for plain Go's range loops, over the elements of
// s run with the environment env. Each range loop runs s afresh, on the
// goroutine of the loop: no goroutine is started for it (only the fibers
// that s's own operators start). When s fails, the loop receives the zero
// value and the error (as [effect.Run] returns it), once, and then ends.
// Breaking out of the loop stops s: its finalizers run and its fibers end
// before the loop statement completes. Cancelling ctx interrupts s; the
// loop then receives the interruption as its error.
func (s Stream[R, E, A]) All(ctx context.Context, env R) iter.Seq2[A, error] {
	return func(yield func(A, error) bool) {
		var zero A
		rt := effect.NewRuntime()
		scope := rt.NewScope()
		stopped := false
		defer func() {
			// Runs on a break, a panic in the loop body, or the end.
			if err := scope.Close(context.WithoutCancel(ctx)); err != nil && !stopped {
				yield(zero, err)
			}
		}()
		p, err := rt.Run(ctx, effect.Extend(scope, s.open), env)
		if err != nil {
			stopped = true
			yield(zero, err)
			return
		}
		step := effect.Extend(scope, p)
		for {
			c, err := rt.Run(ctx, step, env)
			if err != nil {
				stopped = true
				yield(zero, err)
				return
			}
			if len(c) == 0 {
				return
			}
			for _, a := range c {
				if !yield(a, nil) {
					stopped = true
					return
				}
			}
		}
	}
}
