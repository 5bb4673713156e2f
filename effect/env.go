package effect

// Environment returns an effect that succeeds with the whole environment.
func Environment[R, E any]() Effect[R, E, R] {
	return Effect[R, E, R]{op: &accessOp[R, E, R]{fn: func(env R) Effect[R, E, R] { return Effect[R, E, R]{val: env} }}}
}

// Access returns an effect that succeeds with f of the environment, for
// example a service read from an environment struct.
func Access[R, E, A any](f func(R) A) Effect[R, E, A] {
	if f == nil {
		panic("effect.Access: f must not be nil")
	}
	return Effect[R, E, A]{op: &accessOp[R, E, A]{fn: func(env R) Effect[R, E, A] { return Effect[R, E, A]{val: f(env)} }}}
}

// AccessEffect returns an effect that continues with the effect f makes of
// the environment.
func AccessEffect[R, E, A any](f func(R) Effect[R, E, A]) Effect[R, E, A] {
	if f == nil {
		panic("effect.AccessEffect: f must not be nil")
	}
	return Effect[R, E, A]{op: &accessOp[R, E, A]{fn: f}}
}

// Provide returns an effect that runs e with env as its environment, and so
// needs no environment of its own: its R0 is chosen by the caller, usually
// any (needs nothing) or the environment of the effect it is used in.
func Provide[R0, R, E, A any](e Effect[R, E, A], env R) Effect[R0, E, A] {
	return ProvideFrom[R0](e, func(R0) R { return env })
}

// Provide is the method form of [Provide]; name R0 explicitly:
// e.Provide[any](env).
func (e Effect[R, E, A]) Provide[R0 any](env R) Effect[R0, E, A] { return Provide[R0](e, env) }

// ProvideFrom returns an effect that runs e with the environment that f
// derives from the outer one: to hand a part of a larger environment to an
// effect that needs only that part.
func ProvideFrom[R0, R, E, A any](e Effect[R, E, A], f func(R0) R) Effect[R0, E, A] {
	if f == nil {
		panic("effect.ProvideFrom: f must not be nil")
	}
	return Effect[R0, E, A]{op: &provideOp[R0, R, E, A]{src: e, f: f}}
}

// Widen returns e, which needs no environment (R = any), as an effect usable
// inside any environment R: the one-call lift for effects that need nothing.
func Widen[R, E, A any](e Effect[any, E, A]) Effect[R, E, A] {
	return ProvideFrom[R](e, func(R) any { return nil })
}
