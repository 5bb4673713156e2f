package effect

import "unsafe"

// FlatMap returns an effect that runs e and then the effect that k makes of
// its value. A failure of e skips k. FlatMap chains of any length and shape
// run in bounded Go stack.
//
// A chain built in a loop, e = e.FlatMap(f) with f from A to A (and Map from
// A to A the same way), is flattened as it is built once it is four steps
// deep: a further step is appended to a sequence that runs as one loop
// (about 5 ns a step when the steps return plain values) rather than
// nested one level deeper. Building stays O(1) per step, and e stays an
// ordinary effect: it may be run, and extended again, concurrently.
func FlatMap[R, E, A, B any](e Effect[R, E, A], k func(A) Effect[R, E, B]) Effect[R, E, B] {
	if k == nil {
		panic("effect.FlatMap: k must not be nil")
	}
	if kk, ok := any(k).(func(A) Effect[R, E, A]); ok {
		// From A to A: a left-nested chain is flattened (chainOp).
		if c, ok := chainOf(e, chainStep[R, E, A]{k: kk}); ok {
			return *(*Effect[R, E, B])(unsafe.Pointer(&c)) // B is A
		}
	}
	return Effect[R, E, B]{op: &flatMapOp[R, E, A, B]{src: e, k: k}}
}

// FlatMap is the method form of [FlatMap].
func (e Effect[R, E, A]) FlatMap[B any](k func(A) Effect[R, E, B]) Effect[R, E, B] {
	return FlatMap(e, k)
}

// Map returns an effect that runs e and succeeds with f of its value.
func Map[R, E, A, B any](e Effect[R, E, A], f func(A) B) Effect[R, E, B] {
	if f == nil {
		panic("effect.Map: f must not be nil")
	}
	if ff, ok := any(f).(func(A) A); ok {
		// From A to A: a left-nested chain is flattened (chainOp).
		if c, ok := chainOf(e, chainStep[R, E, A]{m: ff}); ok {
			return *(*Effect[R, E, B])(unsafe.Pointer(&c)) // B is A
		}
	}
	return Effect[R, E, B]{op: &mapOp[R, E, A, B]{src: e, f: f}}
}

// Map is the method form of [Map].
func (e Effect[R, E, A]) Map[B any](f func(A) B) Effect[R, E, B] { return Map(e, f) }

// AndThen returns an effect that runs e, discards its value, and then runs
// next.
func AndThen[R, E, A, B any](e Effect[R, E, A], next Effect[R, E, B]) Effect[R, E, B] {
	return Effect[R, E, B]{op: &andThenOp[R, E, A, B]{src: e, next: next}}
}

// AndThen is the method form of [AndThen].
func (e Effect[R, E, A]) AndThen[B any](next Effect[R, E, B]) Effect[R, E, B] {
	return AndThen(e, next)
}

// Tap returns an effect that runs e, then the effect f makes of its value,
// and succeeds with e's value. A failure of f is the failure of the whole.
func Tap[R, E, A, B any](e Effect[R, E, A], f func(A) Effect[R, E, B]) Effect[R, E, A] {
	if f == nil {
		panic("effect.Tap: f must not be nil")
	}
	return FlatMap(e, func(a A) Effect[R, E, A] {
		return Map(f(a), func(B) A { return a })
	})
}

// Tap is the method form of [Tap].
func (e Effect[R, E, A]) Tap[B any](f func(A) Effect[R, E, B]) Effect[R, E, A] { return Tap(e, f) }

// As returns an effect that runs e and succeeds with b instead of its value.
func As[R, E, A, B any](e Effect[R, E, A], b B) Effect[R, E, B] {
	return Map(e, func(A) B { return b })
}

// As is the method form of [As].
func (e Effect[R, E, A]) As[B any](b B) Effect[R, E, B] { return As(e, b) }

// Void returns an effect that runs e and discards its value.
func Void[R, E, A any](e Effect[R, E, A]) Effect[R, E, struct{}] { return As(e, struct{}{}) }

// Void is the method form of [Void].
func (e Effect[R, E, A]) Void() Effect[R, E, struct{}] { return Void(e) }

// Pair is the value of [Zip].
type Pair[A, B any] struct {
	First  A
	Second B
}

// Zip returns an effect that runs a and then b, and succeeds with both values.
// It is a package function: a method cannot return Effect[R, E, Pair[A, B]].
func Zip[R, E, A, B any](a Effect[R, E, A], b Effect[R, E, B]) Effect[R, E, Pair[A, B]] {
	return ZipWith(a, b, func(x A, y B) Pair[A, B] { return Pair[A, B]{x, y} })
}

// ZipWith returns an effect that runs a and then b, and succeeds with f of
// their values.
func ZipWith[R, E, A, B, C any](a Effect[R, E, A], b Effect[R, E, B], f func(A, B) C) Effect[R, E, C] {
	if f == nil {
		panic("effect.ZipWith: f must not be nil")
	}
	return FlatMap(a, func(x A) Effect[R, E, C] {
		return Map(b, func(y B) C { return f(x, y) })
	})
}

// ZipWith is the method form of [ZipWith].
func (e Effect[R, E, A]) ZipWith[B, C any](b Effect[R, E, B], f func(A, B) C) Effect[R, E, C] {
	return ZipWith(e, b, f)
}

// Flatten returns an effect that runs e and then the effect it succeeds with.
func Flatten[R, E, A any](e Effect[R, E, Effect[R, E, A]]) Effect[R, E, A] {
	return FlatMap(e, func(inner Effect[R, E, A]) Effect[R, E, A] { return inner })
}

// Forever returns an effect that runs e again and again until it fails or the
// fiber is interrupted. It never succeeds. Each round runs in constant stack
// and allocates nothing of its own.
func Forever[R, E, A any](e Effect[R, E, A]) Effect[R, E, A] {
	loop := &flatMapOp[R, E, A, A]{src: e}
	loop.k = func(A) Effect[R, E, A] { return Effect[R, E, A]{op: loop} }
	return Effect[R, E, A]{op: loop}
}

// Forever is the method form of [Forever].
func (e Effect[R, E, A]) Forever() Effect[R, E, A] { return Forever(e) }

// ForEach returns an effect that runs f on each item in order and succeeds
// with the results in order. The first failure stops it. It checks for
// interruption before each item and runs in constant stack for any number of
// items.
func ForEach[R, E, A, B any](items []A, f func(A) Effect[R, E, B]) Effect[R, E, []B] {
	if f == nil {
		panic("effect.ForEach: f must not be nil")
	}
	return Effect[R, E, []B]{op: &forEachOp[R, E, A, B]{items: items, f: f}}
}

type forEachOp[R, E, A, B any] struct {
	items []A
	f     func(A) Effect[R, E, B]
}

func (o *forEachOp[R, E, A, B]) step(*fiber, R) (Effect[R, E, []B], Cause[E], status) {
	run := &forEachRun[R, E, A, B]{op: o, out: make([]B, 0, len(o.items))}
	return Effect[R, E, []B]{op: run}, Cause[E]{}, stCont
}

// forEachRun is one run of a ForEach, a loop op of the kernel (ops.go): its
// position and its results. It is the op of its next item, handed back to
// the run loop after each one (which checks for interruption there), and
// the continuation of each item's effect, so a ForEach allocates nothing
// per item beyond what the item's own effect does.
type forEachRun[R, E, A, B any] struct {
	op  *forEachOp[R, E, A, B]
	out []B
}

func (s *forEachRun[R, E, A, B]) step(f *fiber, env R) (Effect[R, E, []B], Cause[E], status) {
	for len(s.out) < len(s.op.items) {
		if f.interrupting() {
			return Effect[R, E, []B]{}, interruptCause[E](f), stFail
		}
		e := s.op.f(s.op.items[len(s.out)])
		if e.op != nil {
			return runSub(f, env, env, e, s)
		}
		s.out = append(s.out, e.val)
	}
	return Effect[R, E, []B]{val: s.out}, Cause[E]{}, stCont
}

func (s *forEachRun[R, E, A, B]) after(_ *fiber, _ R, b B, c Cause[E], failed bool) (Effect[R, E, []B], Cause[E], status) {
	if failed {
		return Effect[R, E, []B]{}, c, stFail
	}
	s.out = append(s.out, b)
	return Effect[R, E, []B]{op: s}, Cause[E]{}, stCont
}
