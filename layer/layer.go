package layer

import (
	"reflect"
	"sync"

	"github.com/gogoscope/gogoscope/effect"
)

// Layer is a recipe that builds a value of type ROut (a service, or an
// environment struct of services) from an input of type RIn, may acquire
// resources while doing so, and may fail with an expected error of type E.
//
// A Layer is an immutable value, always handled through a pointer: the
// pointer is its identity. Within one build ([Build], [Acquire], [Provide])
// a layer that appears several times in the graph is built once and its
// value shared (memoization by identity), unless it was marked with
// [Layer.Fresh]. Every resource a layer acquires is registered in the
// build's scope and released, in reverse order of acquisition, when that
// scope closes.
//
// Make layers with the constructors ([Value], [From], [New], [Try],
// [Open], [Func], [Resource]; with a typed failure [Succeed], [Sync],
// [AcquireRelease], [FromEffect]) and combine them with [To], [Struct] and
// [Map]. The zero Layer is not usable.
type Layer[RIn, E, ROut any] struct {
	// id is the identity used for memoization and by [Override]; copies
	// made by Named and Fresh share it, so they stand for the same layer.
	id    *identity
	name  string
	fresh bool
	// recipe returns the effect that builds the layer's own value within
	// build b; name returns the layer's name, for errors.
	recipe func(b *builder, name func() string) effect.Effect[RIn, E, ROut]
}

// identity is the memoization key of a layer. It has a non-zero size so
// that distinct identities have distinct addresses.
type identity struct{ _ byte }

func newLayer[RIn, E, ROut any](recipe func(b *builder, name func() string) effect.Effect[RIn, E, ROut]) *Layer[RIn, E, ROut] {
	return &Layer[RIn, E, ROut]{id: new(identity), recipe: recipe}
}

// Named returns a copy of l that carries name: failures of its constructor
// and of its finalizers are reported as an [*Error] naming it. The copy is
// the same layer as l for memoization and for [Override]. An unnamed layer
// is named after the type it builds (for example "*main.DB").
func (l *Layer[RIn, E, ROut]) Named(name string) *Layer[RIn, E, ROut] {
	mustLayer("Layer.Named", "the receiver", l)
	c := *l
	c.name = name
	return &c
}

// Name returns the layer's name: the one given to [Layer.Named], or else
// the name of the type it builds.
func (l *Layer[RIn, E, ROut]) Name() string {
	if l.name != "" {
		return l.name
	}
	return reflect.TypeFor[ROut]().String()
}

// String returns "layer " followed by the layer's name.
func (l *Layer[RIn, E, ROut]) String() string { return "layer " + l.Name() }

// Fresh returns a copy of l that is not memoized: every place the copy
// appears in a graph builds l's recipe anew, with resources of its own.
// The layers it depends on are still shared as usual. Use it for a
// resource that must not be shared, such as a dedicated connection.
func (l *Layer[RIn, E, ROut]) Fresh() *Layer[RIn, E, ROut] {
	mustLayer("Layer.Fresh", "the receiver", l)
	c := *l
	c.fresh = true
	return &c
}

// Fresh is the package-function form of [Layer.Fresh].
func Fresh[RIn, E, ROut any](l *Layer[RIn, E, ROut]) *Layer[RIn, E, ROut] { return l.Fresh() }

// builder is one build of a graph of layers, seen from one set of
// replacements: the scope that owns every resource, the memo table, and
// the replacements in force ([Override]). A builder is made when a build
// starts to run, so a layer's effects are reusable: each run builds anew.
type builder struct {
	shared *buildState
	mu     sync.Mutex
	memo   map[*identity]any // *effect.Deferred[E, ROut] of the layer with that identity
	repl   map[*identity]Replacement
	// bypass holds the identities whose replacement is being built here:
	// inside it, the original layer is meant (a replacement may decorate
	// the layer it replaces).
	bypass map[*identity]bool
}

// buildState is what every view of one build shares.
type buildState struct {
	scope *effect.Scope
	mu    sync.Mutex
	// failed is the name of the first layer seen failing, for errors whose
	// type cannot carry the name (see [Build]).
	failed string
}

func newBuilder(scope *effect.Scope) *builder {
	return &builder{shared: &buildState{scope: scope}, memo: map[*identity]any{}}
}

// view returns a builder over the same build with its own memo table and
// the given replacements and bypasses.
func (b *builder) view(repl map[*identity]Replacement, bypass map[*identity]bool) *builder {
	return &builder{shared: b.shared, memo: map[*identity]any{}, repl: repl, bypass: bypass}
}

func (s *buildState) noteFailed(name string) {
	s.mu.Lock()
	if s.failed == "" {
		s.failed = name
	}
	s.mu.Unlock()
}

func (s *buildState) failedLayer() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// build returns the effect that builds l within b: the memoized value if
// l was built (or is being built) in b already, the replacement if one is
// in force, else l's recipe. Failures are named after the layer. build is
// called when the build runs, once for each place l appears in the graph.
func (l *Layer[RIn, E, ROut]) build(b *builder) effect.Effect[RIn, E, ROut] {
	name := l.Name
	mk := func() effect.Effect[RIn, E, ROut] { return l.recipe(b, name) }
	if r, ok := b.repl[l.id]; ok && !b.bypass[l.id] {
		bypass := make(map[*identity]bool, len(b.bypass)+1)
		for k := range b.bypass {
			bypass[k] = true
		}
		bypass[l.id] = true
		view := b.view(b.repl, bypass)
		mk = func() effect.Effect[RIn, E, ROut] { return r.layer.(*Layer[RIn, E, ROut]).build(view) }
	}
	if l.fresh {
		return named(b.shared, name, effect.Suspend(mk))
	}
	return memoize(b, l.id, name, mk)
}

// memoize returns an effect that runs the effect mk makes the first time it
// runs for id in b, names its failures after the layer, and shares its exit
// with every later run: those wait for the first to finish. The
// registration and the completion are uninterruptible, so a waiter is
// always woken, with the interruption if the first run was interrupted.
func memoize[RIn, E, A any](b *builder, id *identity, name func() string, mk func() effect.Effect[RIn, E, A]) effect.Effect[RIn, E, A] {
	return effect.UninterruptibleMask(func(restore effect.Restore) effect.Effect[RIn, E, A] {
		return effect.Suspend(func() effect.Effect[RIn, E, A] {
			b.mu.Lock()
			if d, ok := b.memo[id]; ok {
				b.mu.Unlock()
				return restore.Apply(awaitShared[RIn](d.(*effect.Deferred[E, A])))
			}
			d := effect.NewDeferred[E, A]()
			b.memo[id] = d
			b.mu.Unlock()
			return effect.MatchCauseEffect(restore.Apply(effect.Suspend(mk)),
				func(c effect.Cause[E]) effect.Effect[RIn, E, A] {
					c = nameCause(b.shared, "build", name, c)
					d.Complete(effect.FailedWith[E, A](c))
					return effect.FailCause[RIn, A](c)
				},
				func(a A) effect.Effect[RIn, E, A] {
					d.Complete(effect.Succeeded[E](a))
					return effect.Succeed[RIn, E](a)
				})
		})
	})
}

// awaitShared returns an effect that waits for the build of a shared layer
// that another fiber runs and ends as it did, except when that build was
// interrupted: then it waits until its own fiber is interrupted.
//
// Why: the first requester of a layer builds it on its own fiber. Within
// one build that fiber is interrupted only when the whole build is being
// interrupted, or when a [Struct] on its path stops its other parts after
// a failure; layer combinators never catch failures, so that failure
// travels up to the root of the build, and the lowest [Struct] above both
// it and this waiter interrupts this waiter's part too. Failing here with
// the other fiber's interruption instead would race with the real failure
// and could hide it (a parallel interruption makes the [Struct] above stop
// the part that was about to report the failure). If this fiber was the
// one interrupted while waiting, it stops at once, as usual.
func awaitShared[RIn, E, A any](d *effect.Deferred[E, A]) effect.Effect[RIn, E, A] {
	return effect.CatchCause(d.Await[RIn](), func(c effect.Cause[E]) effect.Effect[RIn, E, A] {
		if c.IsInterruptedOnly() {
			return effect.Never[RIn, E, A]()
		}
		return effect.FailCause[RIn, A](c)
	})
}

// mustLayer panics with a message naming fn and arg if l is nil: a nil
// layer is a programming error, reported where the graph is assembled.
func mustLayer[RIn, E, ROut any](fn, arg string, l *Layer[RIn, E, ROut]) {
	if l == nil || l.recipe == nil {
		panic("layer." + fn + ": " + arg + " must be a layer made by a constructor, got nil or a zero Layer")
	}
}
