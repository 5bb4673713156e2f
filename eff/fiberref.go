package eff

import "github.com/gogoscope/gogoscope/effect"

// FiberRef is a fiber-local value: an alias of [effect.FiberRef]. Each fiber
// sees its own value, children start with a copy of their parent's, and
// plain Go inside [Try] reads it from its ctx with [effect.FiberRef.FromContext].
type FiberRef[A any] = effect.FiberRef[A]

// NewFiberRef returns a new FiberRef whose value is initial in every fiber
// until one sets it: see [effect.NewFiberRef] and its options
// [effect.CopyOnFork] and [effect.MergeOnJoin].
func NewFiberRef[A any](initial A, opts ...effect.FiberRefOption[A]) *FiberRef[A] {
	return effect.NewFiberRef(initial, opts...)
}

// GetLocal returns an effect that succeeds with ref's value in the running
// fiber.
func GetLocal[A any](ref *FiberRef[A]) Effect[A] { return ref.Get[any, error]() }

// SetLocal returns an effect that sets ref's value in the running fiber to
// a; fibers forked afterwards start with a.
func SetLocal[A any](ref *FiberRef[A], a A) Effect[struct{}] { return ref.Set[any, error](a) }

// UpdateLocal returns an effect that replaces ref's value in the running
// fiber with f of it and succeeds with the new value.
func UpdateLocal[A any](ref *FiberRef[A], f func(A) A) Effect[A] {
	return ref.Update[any, error](f)
}

// ModifyLocal returns an effect that replaces ref's value in the running
// fiber with the second result of f and succeeds with the first.
func ModifyLocal[A, B any](ref *FiberRef[A], f func(A) (B, A)) Effect[B] {
	return ref.Modify[any, error](f)
}

// Locally returns an effect that runs e with ref set to v, and restores the
// previous value when e ends, whatever the outcome: see [effect.Locally].
func Locally[A, V any](ref *FiberRef[V], v V, e Effect[A]) Effect[A] {
	return effect.Locally(ref, v, e)
}
