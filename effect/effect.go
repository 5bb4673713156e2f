package effect

// Effect is a lazy, immutable description of a computation that needs an
// environment of type R, may fail with an expected error of type E, and
// succeeds with a value of type A. Nothing happens until a runtime runs it
// ([Run], [RunExit], [Runtime]); running it twice runs it twice, so an Effect
// is a reusable value that can be stored, passed around and composed.
//
// Effect is a small struct passed by value. The zero Effect succeeds with the
// zero value of A. Combinators exist both as methods, for pipelines, and as
// package functions with the same name and meaning; a few, whose result type
// Go 1.27 methods cannot express (for example [Fork], [Zip], [ToExit]), are
// package functions only.
type Effect[R, E, A any] struct {
	op  op[R, E, A] // nil: a success with val
	val A
}

// op is one runtime primitive. step runs it on fiber f and returns the effect
// to continue with (stCont), a failure (stFail), or stUnwind.
type op[R, E, A any] interface {
	step(f *fiber, env R) (Effect[R, E, A], Cause[E], status)
}

// Succeed returns an effect that succeeds with a. It allocates nothing.
func Succeed[R, E, A any](a A) Effect[R, E, A] { return Effect[R, E, A]{val: a} }

// Unit returns an effect that succeeds with struct{}{}.
func Unit[R, E any]() Effect[R, E, struct{}] { return Effect[R, E, struct{}]{} }

// Fail returns an effect that fails with the expected error e.
func Fail[R, A, E any](e E) Effect[R, E, A] { return FailCause[R, A](CauseFail(e)) }

// FailCause returns an effect that fails with the cause c. An empty cause is
// turned into a defect, because a failure must say why.
func FailCause[R, A, E any](c Cause[E]) Effect[R, E, A] {
	if c.IsEmpty() {
		c = CauseDie[E]("effect: FailCause with an empty cause")
	}
	return Effect[R, E, A]{op: &failOp[R, E, A]{cause: c}}
}

// Die returns an effect that fails with a defect carrying v and the stack
// where Die was called. Use it for bugs and broken invariants, not for
// failures a caller is expected to handle: [Catch] does not see defects.
func Die[R, E, A any](v any) Effect[R, E, A] { return FailCause[R, A](CauseDie[E](v)) }

// Sync returns an effect that calls fn when run and succeeds with its result.
// A panic in fn becomes a defect of the running fiber.
func Sync[R, E, A any](fn func() A) Effect[R, E, A] {
	if fn == nil {
		panic("effect.Sync: fn must not be nil")
	}
	return Effect[R, E, A]{op: &syncOp[R, E, A]{fn: fn}}
}

// Suspend returns an effect that calls fn when run and continues with the
// effect it returns. Use it to build effects lazily, for example recursive
// ones: the recursion is trampolined and runs in constant stack.
func Suspend[R, E, A any](fn func() Effect[R, E, A]) Effect[R, E, A] {
	if fn == nil {
		panic("effect.Suspend: fn must not be nil")
	}
	return Effect[R, E, A]{op: &suspendOp[R, E, A]{fn: fn}}
}

// FromExit returns an effect that ends as x does.
func FromExit[R, E, A any](x Exit[E, A]) Effect[R, E, A] {
	if x.IsSuccess() {
		return Effect[R, E, A]{val: x.value}
	}
	return Effect[R, E, A]{op: &failOp[R, E, A]{cause: x.cause}}
}

// FromResult returns an effect that succeeds with a when err is nil and fails
// with err otherwise: the bridge from Go's (value, error) results.
func FromResult[R, A any](a A, err error) Effect[R, error, A] {
	if err != nil {
		return Fail[R, A](err)
	}
	return Effect[R, error, A]{val: a}
}
