package interop

import (
	"iter"

	"github.com/gogoscope/gogoscope/effect"
)

// ForEachSeq returns an effect that ranges over seq and runs f on each
// element before pulling the next: the loop `for v := range seq` as an
// effect. The first failure of f stops the loop, and seq is stopped as a
// range loop's break stops it (its deferred cleanup runs); so is an
// interruption, checked between elements. seq is pulled with [iter.Pull]
// on the fiber's goroutine: a seq that blocks is not interrupted while it
// blocks (bridge blocking sources through a channel and [ForEachRecv]). A
// panic in seq is a defect. Each run of the effect ranges over seq anew.
func ForEachSeq[R, E, A any](seq iter.Seq[A], f func(A) effect.Effect[R, E, struct{}]) effect.Effect[R, E, struct{}] {
	mustNotBeNil("ForEachSeq", "seq", seq == nil)
	mustNotBeNil("ForEachSeq", "f", f == nil)
	return effect.Suspend(func() effect.Effect[R, E, struct{}] {
		next, stop := iter.Pull(seq)
		var loop effect.Effect[R, E, struct{}]
		loop = effect.FlatMap(effect.Sync[R, E](func() effect.Option[A] {
			v, ok := next()
			return effect.Option[A]{Value: v, OK: ok}
		}), func(o effect.Option[A]) effect.Effect[R, E, struct{}] {
			if !o.OK {
				return effect.Unit[R, E]()
			}
			return effect.AndThen(f(o.Value), loop)
		})
		return effect.Ensuring(loop, effect.Sync[R, E](func() struct{} { stop(); return struct{}{} }))
	})
}

// ForEachSeq2 is [ForEachSeq] for an [iter.Seq2]: f receives each pair.
// For the common iter.Seq2[A, error], f decides what an error means (fail
// with it, skip it).
func ForEachSeq2[R, E, K, V any](seq iter.Seq2[K, V], f func(K, V) effect.Effect[R, E, struct{}]) effect.Effect[R, E, struct{}] {
	mustNotBeNil("ForEachSeq2", "seq", seq == nil)
	mustNotBeNil("ForEachSeq2", "f", f == nil)
	type pair struct {
		k K
		v V
	}
	pairs := func(yield func(pair) bool) {
		for k, v := range seq {
			if !yield(pair{k, v}) {
				return
			}
		}
	}
	return ForEachSeq(pairs, func(p pair) effect.Effect[R, E, struct{}] { return f(p.k, p.v) })
}
