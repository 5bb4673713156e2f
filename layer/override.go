package layer

import (
	"strconv"

	"github.com/gogoscope/gogoscope/effect"
)

// Replacement says that a layer of a graph is to be built another way: it
// is what [Layer.Replace] and [Layer.ReplaceWith] return and what
// [Override] applies.
type Replacement struct {
	target *identity
	layer  any // a *Layer with the target's type arguments
}

// Replace returns the replacement of l by the value v, for [Override]: the
// graph uses v where it used l, and l itself is not built (a test swaps a
// real service for a fake one this way, without connecting anywhere).
func (l *Layer[RIn, E, ROut]) Replace(v ROut) Replacement {
	return l.ReplaceWith(Succeed[RIn, E](v).Named(l.Name()))
}

// ReplaceWith returns the replacement of l by the layer r, for [Override]:
// the graph builds r where it built l. r may use l itself, to decorate it
// (a spy that wraps the real service): inside r, l means the original.
func (l *Layer[RIn, E, ROut]) ReplaceWith(r *Layer[RIn, E, ROut]) Replacement {
	mustLayer("Layer.ReplaceWith", "the receiver", l)
	mustLayer("Layer.ReplaceWith", "r", r)
	return Replacement{target: l.id, layer: r}
}

// Override returns a layer that builds l's graph with the given
// replacements: wherever a replaced layer appears (matched by identity,
// including its [Layer.Named] and [Layer.Fresh] copies), its replacement is
// built instead, once per build like any layer. It is go-go-scope's
// override(key, factory) for tests:
//
//	testApp := layer.Override(app, clock.Replace(fakeClock), store.ReplaceWith(memStore))
//
// Replacing a layer that is not in l's graph does nothing. When an
// Override is nested inside another, the outer one wins for a layer both
// replace. The graph under an Override shares its memo table with no other
// part of the build: a layer used both inside and outside it is built
// twice.
func Override[RIn, E, ROut any](l *Layer[RIn, E, ROut], replacements ...Replacement) *Layer[RIn, E, ROut] {
	mustLayer("Override", "l", l)
	own := make(map[*identity]Replacement, len(replacements))
	for i, r := range replacements {
		if r.target == nil {
			panic("layer.Override: replacements[" + strconv.Itoa(i) + "] must be made by Layer.Replace or Layer.ReplaceWith, got a zero Replacement")
		}
		own[r.target] = r
	}
	o := newLayer(func(b *builder, _ func() string) effect.Effect[RIn, E, ROut] {
		repl := make(map[*identity]Replacement, len(own)+len(b.repl))
		for k, r := range own {
			repl[k] = r
		}
		for k, r := range b.repl { // the outer Override wins
			repl[k] = r
		}
		return l.build(b.view(repl, b.bypass))
	})
	o.name = l.name
	return o
}

// Override is the method form of [Override].
func (l *Layer[RIn, E, ROut]) Override(replacements ...Replacement) *Layer[RIn, E, ROut] {
	return Override(l, replacements...)
}
