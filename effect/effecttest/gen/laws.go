package gen

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"
)

// MonadLaws checks the laws that let effects be refactored freely, on
// effects of one's own: each law says two programs end the same way, and
// the check runs both sides on fresh runtimes and compares their exits with
// [effecttest.SameExit]. The laws, for effects m, values a and functions f,
// g, h:
//
//   - left identity: Succeed(a).FlatMap(f) ends as f(a);
//   - right identity: m.FlatMap(Succeed) ends as m;
//   - associativity: m.FlatMap(f).FlatMap(g) ends as
//     m.FlatMap(x ⇒ f(x).FlatMap(g));
//   - map identity: m.Map(x ⇒ x) ends as m;
//   - map composition: m.Map(h).Map(k) ends as m.Map(x ⇒ k(h(x)));
//   - map by FlatMap: m.Map(h) ends as m.FlatMap(x ⇒ Succeed(h(x))).
//
// A violation means an effect that is not a description: it ends
// differently from run to run (reads a clock outside the time package,
// a shared counter, the network...), which breaks retries and races too.
type MonadLaws[E, A any] struct {
	// Effects generates the effects under test, effect.Effect[any, E, A].
	Effects gopter.Gen
	// Values generates values of A.
	Values gopter.Gen
	// Funcs generates continuations func(A) effect.Effect[any, E, A]; nil
	// means [Funcs] of Effects.
	Funcs gopter.Gen
	// Maps generates pure functions func(A) A; nil means [PureFuncs] of
	// Values.
	Maps gopter.Gen
}

// Properties returns the laws as gopter properties, with params (nil means
// gopter's defaults). Run them inside a testing/synctest bubble when the
// effects sleep, or use [MonadLaws.Check].
func (l MonadLaws[E, A]) Properties(params *gopter.TestParameters) *gopter.Properties {
	if params == nil {
		params = gopter.DefaultTestParameters()
	}
	funcs, maps := l.Funcs, l.Maps
	if funcs == nil {
		funcs = Funcs[A, E, A](l.Effects)
	}
	if maps == nil {
		maps = PureFuncs[A, A](l.Values)
	}
	type eff = effect.Effect[any, E, A]
	type fn = func(A) eff
	succeed := effect.Succeed[any, E, A]
	props := gopter.NewProperties(params)
	props.Property("left identity", prop.ForAll(func(a A, f fn) string {
		return same(effect.FlatMap(succeed(a), f), f(a))
	}, l.Values, funcs))
	props.Property("right identity", prop.ForAll(func(m eff) string {
		return same(effect.FlatMap(m, succeed), m)
	}, l.Effects))
	props.Property("associativity", prop.ForAll(func(m eff, f, g fn) string {
		return same(effect.FlatMap(effect.FlatMap(m, f), g),
			effect.FlatMap(m, func(x A) eff { return effect.FlatMap(f(x), g) }))
	}, l.Effects, funcs, funcs))
	props.Property("map identity", prop.ForAll(func(m eff) string {
		return same(effect.Map(m, func(x A) A { return x }), m)
	}, l.Effects))
	props.Property("map composition", prop.ForAll(func(m eff, h, k func(A) A) string {
		return same(effect.Map(effect.Map(m, h), k), effect.Map(m, func(x A) A { return k(h(x)) }))
	}, l.Effects, maps, maps))
	props.Property("map by flatMap", prop.ForAll(func(m eff, h func(A) A) string {
		return same(effect.Map(m, h), effect.FlatMap(m, func(x A) eff { return succeed(h(x)) }))
	}, l.Effects, maps))
	return props
}

// Check runs the laws as a test of t, inside a testing/synctest bubble (so
// sleeps take no real time), with gopter's default parameters.
func (l MonadLaws[E, A]) Check(t *testing.T) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) { l.Properties(nil).TestingRun(t) })
}

// same runs a and b and returns "" if they end the same way, or a report.
func same[E, A any](a, b effect.Effect[any, E, A]) string {
	xa := effect.RunExit(context.Background(), a, nil)
	xb := effect.RunExit(context.Background(), b, nil)
	if effecttest.SameExit(xa, xb) {
		return ""
	}
	return fmt.Sprintf("left side: %v, right side: %v", xa, xb)
}
