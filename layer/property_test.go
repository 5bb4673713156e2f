package layer_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/layer"
)

// graphSpec is a generated layer graph: node i depends on the nodes
// j < i whose bit is set in deps[i]; it acquires a resource, yields
// yields[i] times, and then fails if fails[i]; its release fails if
// releaseFails[i].
type graphSpec struct {
	n            int
	deps         []uint8
	fails        []bool
	releaseFails []bool
	yields       []int
	provide      bool // build with Provide instead of Build + Close
}

func (g graphSpec) String() string {
	s := fmt.Sprintf("%d nodes, provide=%v:", g.n, g.provide)
	for i := range g.n {
		s += fmt.Sprintf(" [%d deps=%v fail=%v relfail=%v]", i, g.depsOf(i), g.fails[i], g.releaseFails[i])
	}
	return s
}

func (g graphSpec) depsOf(i int) []int {
	var out []int
	for j := range i {
		if g.deps[i]&(1<<j) != 0 {
			out = append(out, j)
		}
	}
	return out
}

// decodeGraph turns generated numbers into a graph: each word holds the
// dependency bits of a node (low 8 bits) and its other traits above.
func decodeGraph(n int, words []int, provide bool) graphSpec {
	g := graphSpec{n: n, provide: provide}
	for i := range n {
		w := words[i]
		g.deps = append(g.deps, uint8(w)&uint8(1<<i-1))
		g.fails = append(g.fails, (w>>8)%8 == 0) // about 1 in 8
		g.releaseFails = append(g.releaseFails, (w>>11)%8 == 0)
		g.yields = append(g.yields, (w>>14)%4)
	}
	return g
}

var errRelease = errors.New("release failed")

func nodeErr(i int) error { return fmt.Errorf("node %d failed", i) }

// graphLayers builds the layers of g, recording events in j.
func graphLayers(g graphSpec, j *journal) []*layer.Layer[any, error, []string] {
	nodes := make([]*layer.Layer[any, error, []string], g.n)
	for i := range g.n {
		name := strconv.Itoa(i)
		var parts []layer.Part[any, error, []string]
		for _, d := range g.depsOf(i) {
			parts = append(parts, layer.Field(nodes[d], func(s *[]string, v []string) { *s = append(*s, v...) }))
		}
		acquire := effect.Sync[[]string, error](func() []string { j.add("acquire " + name); return []string{name} })
		release := func([]string) effect.Effect[[]string, error, struct{}] {
			return effect.Suspend(func() effect.Effect[[]string, error, struct{}] {
				j.add("release " + name)
				if g.releaseFails[i] {
					return effect.Fail[[]string, struct{}](errRelease)
				}
				return effect.Unit[[]string, error]()
			})
		}
		own := layer.Acquire(layer.AcquireRelease(acquire, release).Named(name))
		for range g.yields[i] {
			own = effect.AndThen(effect.Yield[[]string, error](), own)
		}
		if g.fails[i] {
			own = effect.AndThen(own, effect.Fail[[]string, []string](nodeErr(i)))
		}
		nodes[i] = layer.Struct(parts...).To(layer.FromEffect(own).Named(name))
	}
	return nodes
}

func TestPropertyEveryAcquiredResourceIsReleasedOnceInReverseAlongEachChain(t *testing.T) {
	p := gopter.NewProperties(func() *gopter.TestParameters {
		params := gopter.DefaultTestParameters()
		params.MinSuccessfulTests = 300
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("gopter seed: %d", params.Seed())
			}
		})
		return params
	}())
	p.Property("acquired once, released once, dependents released before their dependencies", prop.ForAll(
		func(n int, words []int, provide bool) string {
			return checkGraph(decodeGraph(n, words, provide))
		},
		gen.IntRange(1, 8), gen.SliceOfN(8, gen.IntRange(0, 1<<16-1)), gen.Bool(),
	))
	p.TestingRun(t)
}

func checkGraph(g graphSpec) string {
	j := &journal{}
	nodes := graphLayers(g, j)
	// The root gathers every sink: a node no other node depends on.
	var parts []layer.Part[any, error, []string]
	for i := range g.n {
		sink := true
		for k := i + 1; k < g.n; k++ {
			if slices.Contains(g.depsOf(k), i) {
				sink = false
			}
		}
		if sink {
			parts = append(parts, layer.Field(nodes[i], func(s *[]string, v []string) { *s = append(*s, v...) }))
		}
	}
	root := layer.Struct(parts...)

	var buildErr, closeErr error
	if g.provide {
		_, err := effect.Run(context.Background(), layer.Provide(effect.Environment[[]string, error](), root), nil)
		buildErr = err
	} else {
		_, scope, err := layer.Build(context.Background(), root, nil)
		buildErr = err
		if err == nil {
			closeErr = scope.Close(context.Background())
		}
	}

	events := j.get()
	acq, rel := map[int]int{}, map[int]int{}
	for pos, ev := range events {
		var i int
		switch {
		case sscan(ev, "acquire %d", &i):
			if _, dup := acq[i]; dup {
				return fmt.Sprintf("%v: node %d acquired twice: %q", g, i, events)
			}
			acq[i] = pos
		case sscan(ev, "release %d", &i):
			if _, dup := rel[i]; dup {
				return fmt.Sprintf("%v: node %d released twice: %q", g, i, events)
			}
			if _, ok := acq[i]; !ok {
				return fmt.Sprintf("%v: node %d released before or without being acquired: %q", g, i, events)
			}
			rel[i] = pos
		}
	}
	anyRelFail := false
	for i := range g.n {
		_, a := acq[i]
		_, r := rel[i]
		if a != r {
			return fmt.Sprintf("%v: node %d acquired=%v released=%v: %q", g, i, a, r, events)
		}
		if !a {
			continue
		}
		anyRelFail = anyRelFail || g.releaseFails[i]
		for _, d := range g.depsOf(i) {
			if _, ok := acq[d]; !ok || g.fails[d] {
				return fmt.Sprintf("%v: node %d acquired though its dependency %d was not built: %q", g, i, d, events)
			}
			if acq[d] > acq[i] || rel[d] < rel[i] {
				return fmt.Sprintf("%v: node %d and its dependency %d out of order: %q", g, i, d, events)
			}
		}
	}
	nodeFails := slices.Contains(g.fails[:g.n], true)
	if want := nodeFails || g.provide && anyRelFail; want != (buildErr != nil) {
		return fmt.Sprintf("%v: build error %v, want one: %v", g, buildErr, want)
	}
	if nodeFails {
		var le *layer.Error
		if !errors.As(buildErr, &le) || le.Op != "build" {
			return fmt.Sprintf("%v: build error %v names no failing layer", g, buildErr)
		}
		i, _ := strconv.Atoi(le.Layer)
		if !g.fails[i] || le.Err.Error() != nodeErr(i).Error() {
			return fmt.Sprintf("%v: build error %v names layer %q, which does not fail", g, buildErr, le.Layer)
		}
	}
	if anyRelFail {
		err := closeErr
		if g.provide || buildErr != nil {
			err = buildErr
		}
		if !errors.Is(err, errRelease) {
			return fmt.Sprintf("%v: a release failed but the error %v does not say so", g, err)
		}
	} else if closeErr != nil {
		return fmt.Sprintf("%v: Close failed: %v", g, closeErr)
	}
	return ""
}

func sscan(s, format string, i *int) bool {
	n, err := fmt.Sscanf(s, format, i)
	return err == nil && n == 1
}
