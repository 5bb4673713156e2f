package effect

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

func TestFiberRefLaws(t *testing.T) {
	props := gopter.NewProperties(parameters())
	props.Property("Locally(ref, v, Get) == v, and Get after it == Get before", prop.ForAll(
		func(initial, before, v int) bool {
			ref := NewFiberRef(initial)
			prog := AndThen(set(ref, before), Zip(Locally(ref, v, get(ref)), get(ref)))
			got, err := run(prog)
			return err == nil && got.First == v && got.Second == before
		}, gen.Int(), gen.Int(), gen.Int()))
	props.Property("Set(v) then Get == v; Set(v), Set(w) then Get == w", prop.ForAll(
		func(initial, v, w int) bool {
			ref := NewFiberRef(initial)
			a, err1 := run(AndThen(set(ref, v), get(ref)))
			b, err2 := run(AndThen(set(ref, v), AndThen(set(ref, w), get(ref))))
			return err1 == nil && err2 == nil && a == v && b == w
		}, gen.Int(), gen.Int(), gen.Int()))
	props.Property("Locally restores after a failure", prop.ForAll(
		func(before, v int) bool {
			ref := NewFiberRef(0)
			failing := Locally(ref, v, AndThen(set(ref, v+1), Fail[any, int](errors.New("x"))))
			got, err := run(AndThen(set(ref, before), AndThen(Void(failing.Catch(func(error) eff { return succeed(0) })), get(ref))))
			return err == nil && got == before
		}, gen.Int(), gen.Int()))
	// A random program of Set, Get, Locally (nested), Fork+Join and
	// failures reads what a stack model of the value predicts.
	props.Property("random programs follow the model", prop.ForAll(
		func(seed uint64) bool {
			ref := NewFiberRef(-1)
			var want []int
			prog := genRefProg(rand.New(rand.NewPCG(seed, 7)), ref, 3, -1, &want)
			var got []int
			log := func(v int) int { got = append(got, v); return v }
			_, _ = run(prog(log))
			return slices.Equal(got, want)
		}, gen.UInt64()))
	props.TestingRun(t)
}

// genRefProg returns a random program over ref for a fiber in which ref
// holds cur, and appends to want the value that each of its Gets will read,
// by a model: one variable for the value, set by Set, put back after a
// Locally, untouched by a joined child (no MergeOnJoin).
func genRefProg(r *rand.Rand, ref *FiberRef[int], depth, cur int, want *[]int) func(log func(int) int) unit {
	type step func(log func(int) int) unit
	var steps []step
	n := 1 + r.IntN(4)
	for range n {
		k := r.IntN(5)
		if depth <= 0 {
			k = r.IntN(2)
		}
		switch k {
		case 0: // Set
			v := r.IntN(100)
			cur = v
			steps = append(steps, func(func(int) int) unit { return set(ref, v) })
		case 1: // Get
			*want = append(*want, cur)
			steps = append(steps, func(log func(int) int) unit { return Void(Map(get(ref), log)) })
		case 2: // Locally: the inner program starts at v; cur is back after
			v := r.IntN(100)
			inner := genRefProg(r, ref, depth-1, v, want)
			steps = append(steps, func(log func(int) int) unit { return Locally(ref, v, inner(log)) })
		case 3: // a child forked and joined: it starts at cur; its writes
			// do not reach the parent (no MergeOnJoin)
			inner := genRefProg(r, ref, depth-1, cur, want)
			steps = append(steps, func(log func(int) int) unit {
				return FlatMap(Fork(inner(log)), func(fb *Fiber[error, struct{}]) unit { return Join[any](fb) })
			})
		case 4: // a failing region inside Locally, caught: cur is back
			v := r.IntN(100)
			inner := genRefProg(r, ref, depth-1, v, want)
			steps = append(steps, func(log func(int) int) unit {
				failing := Locally(ref, v, AndThen(inner(log), Fail[any, struct{}](errors.New("x"))))
				return Catch(failing, func(error) unit { return Unit[any, error]() })
			})
		}
	}
	return func(log func(int) int) unit {
		prog := Unit[any, error]()
		for _, s := range steps {
			prog = AndThen(prog, s(log))
		}
		return prog
	}
}
