package eff

import "github.com/gogoscope/gogoscope/effect"

// ScopedWith returns an effect that runs e in a new scope configured by
// opts, and closes it when e ends, as [Scoped] does. With
// [effect.WithPolicy], every fiber forked in that scope is admitted by the
// policies — go-go-scope's scope({ concurrency, circuitBreaker }):
//
//	eff.ScopedWith(work, effect.WithPolicy(resource.Concurrency(3), resource.Breaker(resource.BreakerOptions{})))
//
// See [effect.Policy] for the rules.
func ScopedWith[A any](e Effect[A], opts ...effect.ScopeOption) Effect[A] {
	return effect.ScopedWith(e, opts...)
}
