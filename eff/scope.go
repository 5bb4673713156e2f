package eff

import "github.com/gogoscope/gogoscope/effect"

// CurrentScope returns an effect that succeeds with the scope the effect
// runs in: the one that Fork attaches children to and Acquire registers
// closes with. A server keeps it to fork per-request fibers into it with
// [effect.ForkIn]. It is [effect.CurrentScope] for an everyday [Effect].
func CurrentScope() Effect[*effect.Scope] { return effect.CurrentScope[any, error]() }

// CloseScope returns an effect that closes s as a success: every fiber in s
// is interrupted (with [effect.ErrScopeClosed] as the reason) and awaited,
// then its finalizers run in reverse order. The closing cannot be
// interrupted. The effect fails with the finalizers' failures, if any;
// closing a closed scope does nothing. It is [effect.CloseScope] for an
// everyday [Effect]; from plain Go, call [effect.Scope.Close].
func CloseScope(s *effect.Scope) Effect[struct{}] { return effect.CloseScope[any, error](s) }
