package eff

import "github.com/gogoscope/gogoscope/effect"

// Par configures [All] and [ForEachPar]: an alias of [effect.Par] (limit,
// progress callback, fail-fast or collect).
type Par = effect.Par

// Fork returns an effect that starts e on a new fiber, a child of the
// current scope, and succeeds at once with its handle: see [effect.Fork].
func Fork[A any](e Effect[A]) Effect[*Fiber[A]] { return effect.Fork(e) }

// Join returns an effect that waits for fb to end and ends as it did. The
// wait is interruptible.
func Join[A any](fb *Fiber[A]) Effect[A] { return effect.Join[any](fb) }

// Await returns an effect that waits for fb to end and succeeds with its
// exit. The wait is interruptible.
func Await[A any](fb *Fiber[A]) Effect[Exit[A]] { return effect.Await[any](fb) }

// Interrupt returns an effect that interrupts fb and waits until it has
// ended, its finalizers included, then succeeds with its exit.
func Interrupt[A any](fb *Fiber[A]) Effect[Exit[A]] { return effect.Interrupt[any](fb) }

// Race returns an effect that runs every effect of effs concurrently and
// ends with the first success; the losers are interrupted (with
// [effect.ErrLostRace]) and awaited before it returns. If all fail, it
// fails with every failure. It panics if effs is empty.
func Race[A any](effs ...Effect[A]) Effect[A] {
	if len(effs) == 0 {
		panic("eff.Race: effs must not be empty")
	}
	if len(effs) == 1 {
		return effs[0]
	}
	if len(effs) == 2 {
		return effect.Race(effs[0], effs[1])
	}
	return effect.RaceAll(effs)
}

// All returns an effect that runs effs concurrently and succeeds with their
// values in order; the first failure interrupts the others. Use
// [ForEachPar] for a limit, a progress callback or the collect mode.
func All[A any](effs ...Effect[A]) Effect[[]A] { return effect.All(effs, Par{}) }

// ForEachPar returns an effect that runs f on every item concurrently, at
// most opts.Limit at a time, and succeeds with the results in input order:
// see [effect.ForEachPar].
func ForEachPar[A, B any](items []A, f func(A) Effect[B], opts Par) Effect[[]B] {
	return effect.ForEachPar(items, f, opts)
}

// ForEach returns an effect that runs f on each item in order and succeeds
// with the results; the first failure stops it.
func ForEach[A, B any](items []A, f func(A) Effect[B]) Effect[[]B] { return effect.ForEach(items, f) }
