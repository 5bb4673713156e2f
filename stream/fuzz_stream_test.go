package stream

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/effect/effecttest"
)

// FuzzStream decodes its input into a source (values cut into chunks at
// given points, held as a resource), a chain of operators, and a point at
// which to interrupt the run, and checks the stream against the same chain
// applied to a slice. The operators are those of the property test (op,
// property_test.go) and the concurrent and resource-holding ones: MapEffect
// with a limit, Buffer, FlatMap into inner streams that are resources of
// their own, Concat. The interruption is made by the runtime's step hook,
// either of the fiber that runs the sink, at its k-th step, or of whichever
// fiber takes the k-th step of the whole run (an operator's own fibers
// included).
//
// Whatever the interruption: a run that succeeds delivered exactly the
// model's output; a run that does not was interrupted, and delivered a
// prefix of it; every resource acquired (the source, each inner stream) was
// released exactly once; no fiber is left.
//
// The decoding is deterministic; the run is, but for the scheduling of the
// concurrent operators' fibers, which the checks do not depend on. Plain go
// test runs the seeds below and those in testdata/fuzz/FuzzStream; go test
// -fuzz FuzzStream explores.
func FuzzStream(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{5, 1, 2, 3, 4, 5, 1, 2, 2, 0, 3, 1, 2, 0, 0})
	f.Add([]byte{20, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 3, 4, 7, 9, 3, 8, 2, 9, 1, 10, 0, 1, 40, 0})
	f.Add([]byte{12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 5, 4, 11, 3, 12, 7, 8, 5, 2, 1, 2, 9})
	f.Add([]byte{30, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 2, 3, 17, 4, 8, 3, 10, 1, 9, 2, 5, 6, 2, 90, 1})
	f.Add([]byte("a chain of operators against a slice, interrupted"))
	f.Fuzz(func(t *testing.T, data []byte) { runStreamProgram(t, data) })
}

// chainOp is one operator of a fuzzed chain: an op of the property test
// (Kind 0 to 7) or one of the kinds below.
type chainOp struct{ op }

const (
	opMapEffect = 8 + iota // MapEffect(x ↦ 2x+1) with Limit 1+K%4
	opBuffer               // Buffer(1+K%4)
	opFlatMap              // FlatMap(x ↦ [x, -x]), each inner stream a resource
	opConcat               // Concat with [K, K+1]
	chainKinds
)

func (o chainOp) String() string {
	switch o.Kind {
	case opMapEffect:
		return fmt.Sprintf("mapEffect(limit %d)", 1+o.K%4)
	case opBuffer:
		return fmt.Sprintf("buffer(%d)", 1+o.K%4)
	case opFlatMap:
		return "flatMap(x, -x)"
	case opConcat:
		return fmt.Sprintf("concat(%d, %d)", o.K, o.K+1)
	}
	return o.op.String()
}

// resources counts acquisitions and releases of the resources of a run.
type resources struct{ acquired, released atomic.Int64 }

func (rs *resources) wrap(s S[int]) S[int] {
	return AcquireRelease(
		do(func() struct{} { rs.acquired.Add(1); return struct{}{} }),
		func(struct{}) Eff[struct{}] { return unit(func() { rs.released.Add(1) }) },
	).FlatMap(func(struct{}) S[int] { return s })
}

func (o chainOp) stream(s S[int], rs *resources) S[int] {
	switch o.Kind {
	case opMapEffect:
		return s.MapEffect(func(x int) Eff[int] {
			return effect.AndThen(effect.Yield[any, error](), effect.Succeed[any, error](2*x+1))
		}, Par{Limit: 1 + o.K%4})
	case opBuffer:
		return s.Buffer(1 + o.K%4)
	case opFlatMap:
		return s.FlatMap(func(x int) S[int] { return rs.wrap(Of[any, error](x, -x)) })
	case opConcat:
		return Concat(s, Of[any, error](o.K, o.K+1))
	}
	return o.op.stream(s)
}

func (o chainOp) slice(xs []int) []int {
	var out []int
	switch o.Kind {
	case opMapEffect:
		for _, x := range xs {
			out = append(out, 2*x+1)
		}
	case opBuffer:
		out = slices.Clone(xs)
	case opFlatMap:
		for _, x := range xs {
			out = append(out, x, -x)
		}
	case opConcat:
		out = append(slices.Clone(xs), o.K, o.K+1)
	default:
		out = o.op.slice(xs)
	}
	return out
}

func decodeChainOp(r *reader) chainOp {
	o := chainOp{op{Kind: r.intn(chainKinds), K: r.intn(24) - 3}}
	if (o.Kind == 2 || o.Kind == 7 || o.Kind >= opMapEffect) && o.K < 0 {
		o.K = -o.K // a modulus, a group size and a limit must not be negative
	}
	return o
}

// Interruption modes of a fuzzed run.
const (
	noInterruption = iota
	interruptSink  // the sink's fiber, at its k-th step
	interruptAny   // whichever fiber takes the k-th step of the run
)

func runStreamProgram(t *testing.T, data []byte) {
	r := &reader{b: data}
	xs := make([]int, r.intn(40))
	for i := range xs {
		xs[i] = int(int8(r.byte()))
	}
	cuts := make([]int, r.intn(4))
	for i := range cuts {
		cuts[i] = r.intn(9)
	}
	ops := make([]chainOp, r.intn(7))
	for i := range ops {
		ops[i] = decodeChainOp(r)
	}
	mode, k := r.intn(3), 1+int(r.byte())+256*r.intn(4)

	rs := &resources{}
	s := rs.wrap(chunked(xs, cuts))
	want := slices.Clone(xs)
	for _, o := range ops {
		s, want = o.stream(s, rs), o.slice(want)
	}
	var got []int
	sink := s.ForEach(func(x int) Eff[struct{}] { return unit(func() { got = append(got, x) }) })

	rt := effect.NewRuntime()
	var root atomic.Uint64
	var steps atomic.Int64
	if mode != noInterruption {
		rt.SetStepHook(func(id effect.FiberID) bool {
			// The sink runs on the root fiber, which takes the first step.
			root.CompareAndSwap(0, uint64(id))
			if mode == interruptSink && uint64(id) != root.Load() {
				return false
			}
			return steps.Add(1) == int64(k)
		})
	}
	x := rt.RunExit(context.Background(), sink, nil)
	desc := func() string {
		return fmt.Sprintf("ops %v on %v cut at %v, interruption mode %d at step %d", ops, xs, cuts, mode, k)
	}
	t.Logf("%s: %v, delivered %d of %d", desc(), x.IsSuccess(), len(got), len(want))
	switch {
	case x.IsSuccess() && !slices.Equal(got, want):
		t.Fatalf("%s: succeeded with %v, want %v", desc(), got, want)
	case !x.IsSuccess() && (mode == noInterruption || !x.IsInterrupted()):
		t.Fatalf("%s: ended as %v", desc(), x)
	case !x.IsSuccess() && (len(got) > len(want) || !slices.Equal(got, want[:len(got)])):
		t.Fatalf("%s: interrupted having delivered %v, not a prefix of %v", desc(), got, want)
	}
	if a, rel := rs.acquired.Load(), rs.released.Load(); a != rel {
		t.Fatalf("%s: %d resources acquired, %d released", desc(), a, rel)
	}
	effecttest.AssertNoFibers(t, rt)
	_ = rt.Shutdown(context.Background())
}
