package layer

import (
	"strconv"

	"github.com/gogoscope/gogoscope/effect"
)

// To returns a layer that builds from, then builds next with from's value
// as next's input: cfg.To(pool).To(repo) is a chain config → pool → repo.
// The result needs what from needs. If either fails, what was acquired so
// far stays in the build's scope and is released, newest first, when the
// scope closes ([Build] and [Provide] close it at once).
func To[RIn, E, Mid, ROut any](from *Layer[RIn, E, Mid], next *Layer[Mid, E, ROut]) *Layer[RIn, E, ROut] {
	mustLayer("To", "from", from)
	mustLayer("To", "next", next)
	return newLayer(func(b *builder, _ func() string) effect.Effect[RIn, E, ROut] {
		return effect.FlatMap(from.build(b), func(mid Mid) effect.Effect[RIn, E, ROut] {
			return effect.Provide[RIn](next.build(b), mid)
		})
	})
}

// To is the method form of [To]: l.To(next) feeds l's value to next.
func (l *Layer[RIn, E, ROut]) To[B any](next *Layer[ROut, E, B]) *Layer[RIn, E, B] {
	return To(l, next)
}

// Map returns a layer that builds l and then f of its value: to project a
// service out of an environment, or to adapt a concrete type to the
// interface that effects need. f runs once per build; a panic in it is a
// defect reported as an [*Error] naming the new layer.
func Map[RIn, E, A, B any](l *Layer[RIn, E, A], f func(A) B) *Layer[RIn, E, B] {
	mustLayer("Map", "l", l)
	mustFunc("Map", "f", f == nil)
	return newLayer(func(b *builder, _ func() string) effect.Effect[RIn, E, B] { return effect.Map(l.build(b), f) })
}

// Map is the method form of [Map].
func (l *Layer[RIn, E, ROut]) Map[B any](f func(ROut) B) *Layer[RIn, E, B] { return Map(l, f) }

// MapError returns a layer that builds l and replaces its expected failure
// with f of it, to join layers whose failure types differ. The failure f
// receives is already named (an [*Error] when E is error).
func MapError[RIn, E, E2, ROut any](l *Layer[RIn, E, ROut], f func(E) E2) *Layer[RIn, E2, ROut] {
	mustLayer("MapError", "l", l)
	mustFunc("MapError", "f", f == nil)
	return newLayer(func(b *builder, _ func() string) effect.Effect[RIn, E2, ROut] { return effect.MapError(l.build(b), f) })
}

// MapError is the method form of [MapError].
func (l *Layer[RIn, E, ROut]) MapError[E2 any](f func(E) E2) *Layer[RIn, E2, ROut] {
	return MapError(l, f)
}

// Part is one field of a [Struct]: a layer and where its value goes. Make
// it with [Field].
type Part[RIn, E, S any] struct {
	build func(b *builder) effect.Effect[RIn, E, func(*S)]
}

// Field returns the part of a [Struct] that builds l and stores its value
// in the struct with set, for example
//
//	layer.Field(db, func(e *Env, v *DB) { e.DB = v })
//
// The compiler checks that l builds what set stores.
func Field[RIn, E, S, A any](l *Layer[RIn, E, A], set func(*S, A)) Part[RIn, E, S] {
	mustLayer("Field", "l", l)
	mustFunc("Field", "set", set == nil)
	return Part[RIn, E, S]{build: func(b *builder) effect.Effect[RIn, E, func(*S)] {
		return effect.Map(l.build(b), func(a A) func(*S) { return func(s *S) { set(s, a) } })
	}}
}

// Struct returns a layer that builds the layers of its parts concurrently,
// one fiber each, and assembles their values into an S (usually an
// environment struct) by calling each part's setter, in order, on a zero
// S. Layers shared between parts are built once. The first failure
// interrupts the parts still building; the build then fails with the
// failures seen, and whatever was acquired stays in the build's scope, to
// be released, newest first, when it closes. With no part, the layer
// builds the zero S; with one, it builds it without forking.
//
// Struct is also how a service with several dependencies is built: gather
// them into a struct of its own, then call the constructor with [Map] —
// layer.Struct(Field(repo, ...), Field(audit, ...)).Map(func(d deps) *Svc {
// return NewSvc(d.Repo, d.Audit) }); see the example.
func Struct[RIn, E, S any](parts ...Part[RIn, E, S]) *Layer[RIn, E, S] {
	for i, p := range parts {
		if p.build == nil {
			panic("layer.Struct: parts[" + strconv.Itoa(i) + "] must be made by layer.Field, got a zero Part")
		}
	}
	parts = append([]Part[RIn, E, S](nil), parts...)
	return newLayer(func(b *builder, _ func() string) effect.Effect[RIn, E, S] {
		if len(parts) == 1 {
			return effect.Map(parts[0].build(b), func(set func(*S)) S { return assemble(set) })
		}
		effs := make([]effect.Effect[RIn, E, func(*S)], len(parts))
		for i, p := range parts {
			effs[i] = p.build(b)
		}
		return effect.Map(effect.All(effs, effect.Par{}), func(sets []func(*S)) S { return assemble(sets...) })
	})
}

func assemble[S any](sets ...func(*S)) S {
	var s S
	for _, set := range sets {
		set(&s)
	}
	return s
}
