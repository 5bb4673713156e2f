package stream

import (
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

// op is one step of a random operator chain, applied both to a stream and
// to a slice (the model).
type op struct {
	Kind int
	K    int
}

func (o op) String() string {
	return fmt.Sprintf("%s(%d)", []string{"map+", "map*", "filter%", "take", "drop", "scanSum", "takeWhile<", "groupSum", "filterMapHalf%"}[o.Kind], o.K)
}

func (o op) stream(s S[int]) S[int] {
	switch o.Kind {
	case 0:
		return s.Map(func(i int) int { return i + o.K })
	case 1:
		return s.Map(func(i int) int { return i * o.K })
	case 2:
		return s.Filter(func(i int) bool { return i%(o.K+1) == 0 })
	case 3:
		return s.Take(o.K)
	case 4:
		return s.Drop(o.K)
	case 5:
		return s.Scan(0, func(acc, i int) int { return acc + i })
	case 6:
		return s.TakeWhile(func(i int) bool { return i < o.K*10 })
	case 7:
		return Grouped(s, o.K+1).Map(func(g []int) int { return sum(g) })
	default:
		return s.FilterMap(func(i int) (int, bool) { return i / 2, i%(o.K+1) == 0 })
	}
}

func (o op) slice(xs []int) []int {
	var out []int
	switch o.Kind {
	case 0:
		for _, x := range xs {
			out = append(out, x+o.K)
		}
	case 1:
		for _, x := range xs {
			out = append(out, x*o.K)
		}
	case 2:
		for _, x := range xs {
			if x%(o.K+1) == 0 {
				out = append(out, x)
			}
		}
	case 3:
		out = xs[:min(max(o.K, 0), len(xs))]
	case 4:
		out = xs[min(max(o.K, 0), len(xs)):]
	case 5:
		acc := 0
		out = append(out, acc)
		for _, x := range xs {
			acc += x
			out = append(out, acc)
		}
	case 6:
		for _, x := range xs {
			if x >= o.K*10 {
				break
			}
			out = append(out, x)
		}
	case 7:
		for g := range slices.Chunk(xs, o.K+1) {
			out = append(out, sum(g))
		}
	default:
		for _, x := range xs {
			if x%(o.K+1) == 0 {
				out = append(out, x/2)
			}
		}
	}
	return out
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// chunked returns a stream of xs cut into pieces at the given cut points,
// so that chunk boundaries fall at random places.
func chunked(xs []int, cuts []int) S[int] {
	var parts []S[int]
	rest := xs
	for _, c := range cuts {
		if len(rest) == 0 {
			break
		}
		k := c % (len(rest) + 1)
		parts = append(parts, FromSlice[any, error](rest[:k]))
		rest = rest[k:]
	}
	parts = append(parts, FromSlice[any, error](rest))
	return Concat(parts...)
}

var genOp = gopter.CombineGens(gen.IntRange(0, 8), gen.IntRange(-3, 20)).Map(func(v []any) op {
	o := op{Kind: v[0].(int), K: v[1].(int)}
	if (o.Kind == 2 || o.Kind == 7 || o.Kind == 8) && o.K < 0 {
		o.K = -o.K // a modulus and a group size must be positive
	}
	return o
})

func TestStreamEqualsSliceModel(t *testing.T) {
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 300
	props := gopter.NewProperties(params)
	props.Property("a chain of operators gives what the same chain gives on a slice", prop.ForAll(
		func(xs []int, cuts []int, ops []op) bool {
			s := chunked(xs, cuts)
			want := slices.Clone(xs)
			for _, o := range ops {
				s, want = o.stream(s), o.slice(want)
			}
			got, err := effect.Run(t.Context(), s.Collect(), nil)
			if err != nil || !slices.Equal(got, want) {
				t.Logf("ops %v on %v: got %v, %v want %v", ops, xs, got, err, want)
				return false
			}
			return true
		},
		gen.SliceOf(gen.IntRange(-50, 50)),
		gen.SliceOf(gen.IntRange(0, 8)),
		gen.SliceOfN(4, genOp),
	))
	props.Property("Grouped cuts as slices.Chunk does", prop.ForAll(
		func(xs []int, cuts []int, n int) bool {
			got, err := effect.Run(t.Context(), Grouped(chunked(xs, cuts), n).Collect(), nil)
			want := slices.Collect(slices.Chunk(xs, n))
			return err == nil && fmt.Sprint(got) == fmt.Sprint(want)
		},
		gen.SliceOf(gen.Int()),
		gen.SliceOf(gen.IntRange(0, 8)),
		gen.IntRange(1, 10),
	))
	props.Property("Iterate(x, f).Take(n) is x, f(x), ... as a loop makes them", prop.ForAll(
		func(start, step, n int) bool {
			f := func(x int) int { return 3*x + step }
			got, err := effect.Run(t.Context(), Iterate[any, error](start, f).Take(n).Collect(), nil)
			var want []int
			for x, i := start, 0; i < n; x, i = f(x), i+1 {
				want = append(want, x)
			}
			return err == nil && slices.Equal(got, want)
		},
		gen.IntRange(-100, 100),
		gen.IntRange(-5, 5),
		gen.IntRange(0, 3000),
	))
	props.TestingRun(t)
}

func TestMapEffectOrderedPreservesOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		params := gopter.DefaultTestParameters()
		params.MinSuccessfulTests = 100
		props := gopter.NewProperties(params)
		props.Property("ordered MapEffect keeps input order for any limit and any delays", prop.ForAll(
			func(delays []int, cuts []int, limit int) bool {
				s := chunked(delays, cuts).MapEffect(func(d int) Eff[int] {
					return effect.As(effect.Sleep[any, error](time.Duration(d)*time.Millisecond), d*3)
				}, Par{Limit: limit})
				got, err := effect.Run(t.Context(), s.Collect(), nil)
				if err != nil || len(got) != len(delays) {
					return false
				}
				for i, d := range delays {
					if got[i] != d*3 {
						return false
					}
				}
				return true
			},
			gen.SliceOf(gen.IntRange(0, 20)),
			gen.SliceOf(gen.IntRange(0, 5)),
			gen.IntRange(0, 12),
		))
		props.Property("unordered MapEffect emits each result exactly once", prop.ForAll(
			func(delays []int, limit int) bool {
				s := FromSlice[any, error](delays).MapEffect(func(d int) Eff[int] {
					return effect.As(effect.Sleep[any, error](time.Duration(d)*time.Millisecond), d)
				}, Par{Limit: limit, Unordered: true})
				got, err := effect.Run(t.Context(), s.Collect(), nil)
				slices.Sort(got)
				want := slices.Sorted(slices.Values(delays))
				return err == nil && slices.Equal(got, want)
			},
			gen.SliceOf(gen.IntRange(0, 20)),
			gen.IntRange(2, 12),
		))
		props.TestingRun(t)
	})
}

func TestMergeLosesAndDuplicatesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		params := gopter.DefaultTestParameters()
		params.MinSuccessfulTests = 100
		props := gopter.NewProperties(params)
		props.Property("merge emits every element of every stream once, each stream in order", prop.ForAll(
			func(lens []int, cuts []int, delayed bool) bool {
				var streams []S[int]
				total := 0
				for i, n := range lens {
					xs := make([]int, n)
					for j := range xs {
						xs[j] = i*1000 + j
					}
					total += n
					s := chunked(xs, cuts)
					if delayed {
						s = s.Tap(func(x int) Eff[struct{}] {
							return effect.Sleep[any, error](time.Duration(x%7) * time.Millisecond)
						})
					}
					streams = append(streams, s)
				}
				got, err := effect.Run(t.Context(), Merge(streams...).Collect(), nil)
				if err != nil || len(got) != total {
					return false
				}
				next := make([]int, len(lens)) // next expected index per stream
				for _, x := range got {
					i, j := x/1000, x%1000
					if j != next[i] {
						return false // lost, duplicated or out of order
					}
					next[i]++
				}
				return true
			},
			gen.SliceOf(gen.IntRange(0, 300)),
			gen.SliceOf(gen.IntRange(0, 50)),
			gen.Bool(),
		))
		props.TestingRun(t)
	})
}
