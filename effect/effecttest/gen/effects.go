package gen

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/leanovate/gopter"
)

// Options shape the generated effects and causes. The zero Options is the
// default.
type Options struct {
	// Depth is the most nesting of combinators around a leaf; zero means 3.
	Depth int
	// MaxSleep is the longest sleep; zero means one second. Sleeps are whole
	// milliseconds, so that run inside a testing/synctest bubble they are
	// exact and take no real time.
	MaxSleep time.Duration
	// Defects generates the values of defects; nil means short strings.
	Defects gopter.Gen
}

func (o Options) depth() int {
	if o.Depth <= 0 {
		return 3
	}
	return o.Depth
}

func (o Options) maxSleep() time.Duration {
	if o.MaxSleep <= 0 {
		return time.Second
	}
	return o.MaxSleep
}

func (o Options) defects() gopter.Gen {
	if o.Defects == nil {
		return func(p *gopter.GenParameters) *gopter.GenResult {
			return gopter.NewGenResult(fmt.Sprintf("defect %d", p.Rng.Intn(5)), gopter.NoShrinker)
		}
	}
	return o.Defects
}

// sample draws a value of type T from g.
func sample[T any](g gopter.Gen, p *gopter.GenParameters) T {
	v, ok := g(p).Retrieve()
	if !ok {
		var zero T
		return zero
	}
	t, ok := v.(T)
	if !ok {
		panic(fmt.Sprintf("gen: a generator gave a %T where a %T was expected", v, *new(T)))
	}
	return t
}

func result(v any) *gopter.GenResult { return gopter.NewGenResult(v, gopter.NoShrinker) }

// Succeeding returns a generator of effect.Effect[any, E, A] values that
// succeed with a value of values (a generator of A): effect.Succeed or
// effect.Sync.
func Succeeding[E, A any](values gopter.Gen) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		a := sample[A](values, p)
		if p.NextBool() {
			return result(effect.Succeed[any, E](a))
		}
		return result(effect.Sync[any, E](func() A { return a }))
	}
}

// Failing returns a generator of effect.Effect[any, E, A] values that fail
// with an expected failure of failures (a generator of E).
func Failing[E, A any](failures gopter.Gen) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		return result(effect.Fail[any, A](sample[E](failures, p)))
	}
}

// Dying returns a generator of effect.Effect[any, E, A] values that die
// with a defect of defects (any values): by effect.Die, or by a panic
// inside effect.Sync.
func Dying[E, A any](defects gopter.Gen) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		d := sample[any](defects, p)
		if p.NextBool() {
			return result(effect.Die[any, E, A](d))
		}
		return result(effect.Sync[any, E](func() A { panic(d) }))
	}
}

// Sleeping returns a generator of effects of inner (a generator of
// effect.Effect[any, E, A]) that first sleep up to max, in whole
// milliseconds.
func Sleeping[E, A any](inner gopter.Gen, max time.Duration) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		e := sample[effect.Effect[any, E, A]](inner, p)
		d := time.Duration(p.Rng.Int63n(int64(max/time.Millisecond)+1)) * time.Millisecond
		return result(effect.AndThen(effect.Sleep[any, E](d), e))
	}
}

// Forking returns a generator of effects of inner that run it on a child
// fiber ([effect.Fork]) and then wait for it ([effect.Join]): same outcome,
// another fiber.
func Forking[E, A any](inner gopter.Gen) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		e := sample[effect.Effect[any, E, A]](inner, p)
		return result(effect.FlatMap(effect.Fork(e), effect.Join[any, E, A]))
	}
}

// WithFinalizer returns a generator of effects of inner with a finalizer
// ([effect.Ensuring]) that does nothing, sleeps, or dies with a defect of
// defects: a dying finalizer adds a defect after the effect's outcome.
func WithFinalizer[E, A any](inner, defects gopter.Gen) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		e := sample[effect.Effect[any, E, A]](inner, p)
		var fin effect.Effect[any, E, struct{}]
		switch p.Rng.Intn(3) {
		case 0:
			fin = effect.Unit[any, E]()
		case 1:
			fin = effect.Sleep[any, E](time.Duration(1+p.Rng.Intn(10)) * time.Millisecond)
		default:
			fin = effect.Die[any, E, struct{}](sample[any](defects, p))
		}
		return result(effect.Ensuring(e, fin))
	}
}

// Effects returns a generator of effect.Effect[any, E, A] values of every
// kind above, nested up to opts.Depth: leaves that succeed (with values),
// fail (with failures) or die; around them sleeps, forks, finalizers, a
// FlatMap into another generated effect, and a Catch that recovers into
// another. Every generated effect is deterministic: run twice, it ends the
// same way ([effecttest.SameExit]), which is what the law checks need.
func Effects[E, A any](values, failures gopter.Gen, opts Options) gopter.Gen {
	leaves := []gopter.Gen{
		Succeeding[E, A](values), Succeeding[E, A](values),
		Failing[E, A](failures), Dying[E, A](opts.defects()),
	}
	var at func(depth int) gopter.Gen
	at = func(depth int) gopter.Gen {
		return func(p *gopter.GenParameters) *gopter.GenResult {
			if depth == 0 || p.Rng.Intn(3) == 0 {
				return leaves[p.Rng.Intn(len(leaves))](p)
			}
			inner := at(depth - 1)
			switch p.Rng.Intn(5) {
			case 0:
				return Sleeping[E, A](inner, opts.maxSleep())(p)
			case 1:
				return Forking[E, A](inner)(p)
			case 2:
				return WithFinalizer[E, A](inner, opts.defects())(p)
			case 3:
				e := sample[effect.Effect[any, E, A]](inner, p)
				k := sample[func(A) effect.Effect[any, E, A]](Funcs[A, E, A](inner), p)
				return result(effect.FlatMap(e, k))
			default:
				e := sample[effect.Effect[any, E, A]](inner, p)
				other := sample[effect.Effect[any, E, A]](inner, p)
				return result(effect.Catch(e, func(E) effect.Effect[any, E, A] { return other }))
			}
		}
	}
	return at(opts.depth())
}

// funcTable is how many outcomes a generated function chooses among.
const funcTable = 3

// pick returns which of funcTable outcomes a generated function gives for
// a: a hash of its printed form, so equal arguments give equal outcomes.
func pick[A any](a A, salt uint64) int {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d:%v", salt, any(a))
	return int(h.Sum64() % funcTable)
}

// Funcs returns a generator of functions func(A) effect.Effect[any, E, B],
// for the laws that take continuations: each generated function picks, by a
// hash of its argument, one of a few effects drawn from effects (a
// generator of effect.Effect[any, E, B]). It is pure: equal arguments give
// the same effect.
func Funcs[A, E, B any](effects gopter.Gen) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		var table [funcTable]effect.Effect[any, E, B]
		for i := range table {
			table[i] = sample[effect.Effect[any, E, B]](effects, p)
		}
		salt := p.NextUint64()
		return result(func(a A) effect.Effect[any, E, B] { return table[pick(a, salt)] })
	}
}

// PureFuncs returns a generator of pure functions func(A) B, for the laws
// of Map: each generated function picks, by a hash of its argument, one of
// a few values drawn from values (a generator of B).
func PureFuncs[A, B any](values gopter.Gen) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		var table [funcTable]B
		for i := range table {
			table[i] = sample[B](values, p)
		}
		salt := p.NextUint64()
		return result(func(a A) B { return table[pick(a, salt)] })
	}
}
